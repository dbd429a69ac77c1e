/**
 * A pod's copy of a top network: the network, one subnet per top subnet, and the network's shared
 * DHCP port, each made once through the routing lock and reused afterwards. Safe to run any number of
 * times, concurrently, and after a failure at any step.
 *
 * Order in the pod: subnets are made with DHCP off; then the DHCP port (same MAC and addresses as the
 * top DHCP port, device_id `reserved_dhcp_port`); then DHCP is switched on, and the pod's DHCP agent
 * adopts the waiting port instead of making one with an address of its own choosing; finally the
 * port's addresses are checked against the top's and put back if the agent changed them.
 */
import type { BottomCallContext, JsonObject } from '../../bottom/index.js';
import { ExpiringLru, type Logger } from '../../common/index.js';
import type { Pod } from '../../pods/index.js';
import type { RoutingLock, RoutingTable } from '../../routing/index.js';
import { isPodLocalType, podRefusal, type Network, type Port, type ReservedPorts, type Subnet } from '../../network/index.js';
import { BottomNeutron, type NeutronOf } from './bottom.js';
import { ensureCopy } from './copy.js';
import { nicErrors } from './errors.js';
import { bottomName, RESERVED_DHCP_DEVICE_ID } from './names.js';
import { bottomSubnetBody, needsDhcpAtCreate } from './subnetBody.js';

/** A top network's copy in one pod. */
export interface PodNetwork {
  pod: Pod;
  networkId: string;
  bottomNetworkId: string;
  /** Top subnet id → its copy's id. */
  subnets: Map<string, string>;
}

export interface PodNetworkDeps {
  lock: Pick<RoutingLock, 'getOrCreateBottom'>;
  routings: Pick<RoutingTable, 'findByTop' | 'delete'>;
  neutronOf: NeutronOf;
  reserved: ReservedPorts;
  logger?: Logger;
  /** How long a copy found complete is reused without asking the pod (ms). Default 60 s; 0 checks every time. */
  readyTtlMs?: number;
}

/** Why `network` may not have a copy in `pod` (AZ hints, a local network living elsewhere), or undefined. */
export async function placementRefusal(deps: { routings: Pick<RoutingTable, 'findByTop'> }, pod: Pod, network: Network): Promise<string | undefined> {
  if (network.external) {
    if (network.azHints.length > 0 && !network.azHints.includes(pod.regionName)) return `external network ${network.id} lives in region ${network.azHints[0]}`;
  } else if (network.azHints.length > 0 && !network.azHints.includes(pod.azName)) {
    return `network ${network.id} is limited to availability zone(s) ${network.azHints.join(', ')}`;
  }
  if (isPodLocalType(network.segment.networkType)) {
    const owner = await localOwner(deps, network.id);
    const reason = podRefusal(network.segment.networkType, owner === undefined ? [] : [owner], pod.id);
    if (reason) return reason;
  }
  return undefined;
}

/** The pod a local network lives in: the one whose routing row came first. */
async function localOwner(deps: { routings: Pick<RoutingTable, 'findByTop'> }, networkId: string): Promise<string | undefined> {
  const routes = await deps.routings.findByTop(networkId, 'network');
  return routes.sort((a, b) => a.id - b.id)[0]?.podId;
}

/** What makes a copy current beyond the pod and network: each subnet's id, revision and DHCP flag. */
const subnetsFingerprint = (subnets: readonly Subnet[]): string => subnets.map((s) => `${s.id}:${s.revisionNumber}:${s.enableDhcp ? 1 : 0}`).join(',');

export class PodNetworkBuilder {
  /**
   * Copies made or checked complete lately: a boot on a network whose copy is ready asks the pod's
   * Neutron nothing (the DHCP check reads the subnets and the DHCP port: 2+ GETs per boot otherwise).
   */
  private readonly ready = new ExpiringLru<{ fingerprint: string; copy: PodNetwork }>(10_000);
  private readonly readyTtlMs: number;

  constructor(private readonly deps: PodNetworkDeps) {
    this.readyTtlMs = deps.readyTtlMs ?? 60_000;
  }

  /** Drops what is known of the copy (a boot that used it failed: the next one checks the pod). */
  forget(podId: string, networkId: string): void {
    this.ready.delete(`${podId}|${networkId}`);
  }

  /**
   * Makes (or checks and completes) the pod's copy of `network`. Only the boot path passes
   * `reuseReady`: repairs (reconciler, L3 jobs) always look at the pod, which may have lost the copy.
   */
  async ensure(ctx: BottomCallContext, pod: Pod, network: Network, subnets: Subnet[], opts: { reuseReady?: boolean } = {}): Promise<PodNetwork> {
    const refusal = await placementRefusal(this.deps, pod, network);
    if (refusal) throw nicErrors.notSameAz(refusal);
    const key = `${pod.id}|${network.id}`;
    const fingerprint = subnetsFingerprint(subnets);
    const known = opts.reuseReady && this.readyTtlMs > 0 ? this.ready.get(key) : undefined;
    if (known && known.fingerprint === fingerprint) return known.copy;
    const copy = await this.make(ctx, pod, network, subnets);
    if (this.readyTtlMs > 0) this.ready.set(key, { fingerprint, copy }, Date.now() + this.readyTtlMs);
    return copy;
  }

  private async make(ctx: BottomCallContext, pod: Pod, network: Network, subnets: Subnet[]): Promise<PodNetwork> {
    const bottom = new BottomNeutron(this.deps.neutronOf(pod), ctx);
    const net = await ensureCopy(
      this.deps.lock,
      {
        kind: 'network',
        topId: network.id,
        pod,
        projectId: network.projectId,
        create: async () => (await bottom.createNetwork(bottomNetworkBody(network))).id,
        find: async () => (await bottom.networksNamed(bottomName(network.id))).map((n) => n.id),
        remove: (id) => bottom.deleteNetwork(id),
      },
      this.deps.logger,
    );
    if (isPodLocalType(network.segment.networkType)) await this.keepLocalInOnePod(pod, network, bottom, net);
    const out: PodNetwork = { pod, networkId: network.id, bottomNetworkId: net.bottomId, subnets: new Map() };

    const plain = subnets.filter((s) => !needsDhcpAtCreate(s));
    const withModes = subnets.filter(needsDhcpAtCreate);
    await Promise.all(plain.map((s) => this.ensureSubnet(bottom, pod, network, s, out)));
    const dhcpSubnets = subnets.filter((s) => s.enableDhcp);
    if (dhcpSubnets.length === 0) return out;

    const topDhcp = await this.deps.reserved.dhcpPort(network, dhcpSubnets);
    const dhcp = await this.ensureDhcpPort(bottom, pod, network, topDhcp, out);
    await Promise.all(withModes.map((s) => this.ensureSubnet(bottom, pod, network, s, out)));
    await this.enableDhcp(bottom, dhcpSubnets, out);
    // Last: the agent drops a DHCP port's addresses on subnets whose DHCP is still off while it
    // switches another on, and picks its own when the port lacks one, so put the top's back.
    await this.reconcileDhcpAddresses(bottom, topDhcp, out, dhcp.bottomId);
    return out;
  }

  private async ensureSubnet(bottom: BottomNeutron, pod: Pod, network: Network, subnet: Subnet, out: PodNetwork): Promise<void> {
    const copy = await ensureCopy(
      this.deps.lock,
      {
        kind: 'subnet',
        topId: subnet.id,
        pod,
        projectId: subnet.projectId,
        create: async () => {
          const gateway = await this.gatewayFor(pod, network, subnet);
          return (await bottom.createSubnet(bottomSubnetBody(subnet, out.bottomNetworkId, gateway))).id;
        },
        find: async () => (await bottom.subnetsNamed(bottomName(subnet.id), out.bottomNetworkId)).map((s) => s.id),
        remove: (id) => bottom.deleteSubnet(id),
      },
      this.deps.logger,
    );
    out.subnets.set(subnet.id, copy.bottomId);
  }

  /**
   * The gateway a pod's copy of the subnet announces. A network that spans pods over one L2 segment
   * (vlan) gives each pod its own gateway address, reserved at the top, so the pods' routers do not
   * answer for one address on a shared wire; a network that lives in one pod keeps the top gateway.
   */
  private async gatewayFor(pod: Pod, network: Network, subnet: Subnet): Promise<string | null> {
    if (subnet.gatewayIp === null || network.segment.networkType === null || isPodLocalType(network.segment.networkType) || network.external) return subnet.gatewayIp;
    return this.deps.reserved.gatewayAddress(pod.id, network, subnet);
  }

  private async ensureDhcpPort(bottom: BottomNeutron, pod: Pod, network: Network, topDhcp: Port, out: PodNetwork) {
    return ensureCopy(
      this.deps.lock,
      {
        kind: 'port',
        topId: topDhcp.id,
        pod,
        projectId: network.projectId,
        create: async () =>
          (
            await bottom.createPort({
              name: bottomName(topDhcp.id),
              network_id: out.bottomNetworkId,
              project_id: network.projectId,
              mac_address: topDhcp.macAddress,
              fixed_ips: mappedAddresses(topDhcp, out),
              device_id: RESERVED_DHCP_DEVICE_ID,
              device_owner: 'network:dhcp',
              admin_state_up: true,
            })
          ).id,
        find: async () => (await bottom.portsNamed(bottomName(topDhcp.id), out.bottomNetworkId)).map((p) => p.id),
        remove: (id) => bottom.deletePort(id),
      },
      this.deps.logger,
    );
  }

  /**
   * Gives the pod's DHCP port exactly the top DHCP port's addresses on the copied subnets (it misses
   * those of subnets added since it was made, or the agent may have picked one itself).
   */
  private async reconcileDhcpAddresses(bottom: BottomNeutron, topDhcp: Port, out: PodNetwork, bottomId: string): Promise<void> {
    const want = mappedAddresses(topDhcp, out);
    const current = await bottom.getPort(bottomId);
    const key = (f: { subnet_id: string; ip_address: string }) => `${f.subnet_id}/${f.ip_address}`;
    const have = new Set(current.fixed_ips.map(key));
    if (want.length === have.size && want.every((f) => have.has(key(f)))) return;
    await bottom.setPortAddresses(bottomId, want);
  }

  private async enableDhcp(bottom: BottomNeutron, dhcpSubnets: Subnet[], out: PodNetwork): Promise<void> {
    const copies = await bottom.subnetsOf(out.bottomNetworkId);
    for (const s of dhcpSubnets) {
      const id = out.subnets.get(s.id);
      const copy = copies.find((c) => c.id === id);
      if (copy && copy.enable_dhcp !== true) await bottom.enableDhcp(copy.id);
    }
  }

  /**
   * Two pods may race to take a local network. The pod whose routing row came first keeps it; the
   * other removes the copy it made and refuses.
   */
  private async keepLocalInOnePod(pod: Pod, network: Network, bottom: BottomNeutron, copy: { bottomId: string; created: boolean }): Promise<void> {
    const routes = (await this.deps.routings.findByTop(network.id, 'network')).sort((a, b) => a.id - b.id);
    const owner = routes[0]?.podId;
    const reason = podRefusal(network.segment.networkType, owner === undefined ? [] : [owner], pod.id);
    if (!reason) return;
    if (copy.created) {
      await bottom.deleteNetwork(copy.bottomId);
      const mine = routes.find((r) => r.podId === pod.id);
      if (mine) await this.deps.routings.delete(mine.id);
    }
    throw nicErrors.notSameAz(reason);
  }
}

/** The port's addresses with subnet ids mapped to the pod's copies (addresses on subnets without a copy are left out). */
export function mappedAddresses(port: Port, net: PodNetwork): { subnet_id: string; ip_address: string }[] {
  return port.fixedIps.flatMap((f) => {
    const subnetId = net.subnets.get(f.subnetId);
    return subnetId === undefined ? [] : [{ subnet_id: subnetId, ip_address: f.ipAddress }];
  });
}

function bottomNetworkBody(network: Network): JsonObject {
  const body: JsonObject = {
    name: bottomName(network.id),
    project_id: network.projectId,
    admin_state_up: network.adminStateUp,
    port_security_enabled: network.portSecurityEnabled,
  };
  if (network.shared) body.shared = true;
  if (network.external) body['router:external'] = true;
  const seg = network.segment;
  if (seg.networkType === 'vlan' || seg.networkType === 'vxlan' || seg.networkType === 'flat') {
    body['provider:network_type'] = seg.networkType;
    if (seg.physicalNetwork !== null) body['provider:physical_network'] = seg.physicalNetwork;
    if (seg.segmentationId !== null) body['provider:segmentation_id'] = seg.segmentationId;
  }
  return body;
}
