/**
 * `fip_setup`: one top floating IP's copies in the pods, then its status at the top.
 *
 * - Same pod: the VM's port is in the pod of the external network. One bottom floating IP there, on
 *   the external network's copy, with the top's address, bound to the VM port's copy.
 * - Two hops: the VM is in another pod. The top reserves an address B on the router's north-south
 *   bridge subnet for the floating IP. In the external pod a bottom floating IP with the real address
 *   is bound to a copy of that bridge port (address B), through the external router copy, which has
 *   an interface on the north-south bridge; in the VM's pod, where that bridge is an external network
 *   and the router copy's gateway sits on it, a bottom floating IP with the address B is bound to the
 *   VM port. Traffic from outside is translated twice (real address → B → VM), and back. East-west
 *   traffic does not take this path (it goes over the east-west bridge, an interface, not the
 *   gateway), so the VM keeps its own address towards the other pods.
 *
 * The bottom floating IPs are found through routing rows (type `floatingip`, one per pod) and carry
 * the top id as their description, so one a crashed run made is adopted. What the copies need — the
 * VM port's copy, the routers' copies with the right gateway and interfaces — is made by the boot path
 * and `router_setup`; while it is missing the floating IP stays DOWN with no bottom copies, and the
 * boot path or `router_setup` requests this job again once it is there.
 */
import type { BottomFloatingIp } from '../../bottom/index.js';
import { bridgeAddress, BRIDGE_FIP_OWNER, fipBridgeKey, NS_BRIDGE, type FloatingIp } from '../../network/index.js';
import type { Pod } from '../../pods/index.js';
import { dropBridgeFromPodIfUnused } from './bridge.js';
import { RT_FLOATINGIP, RT_ROUTER } from './names.js';
import { PodL3, ROUTER_INTERFACE_OWNERS } from './podNeutron.js';
import { ensureBridgePortCopy, type SetupContext } from './routerSetup.js';

interface DesiredCopy {
  pod: Pod;
  networkId: string;
  address: string;
  portId: string;
  fixedIp: string;
}

interface Desired {
  /** none: nothing should exist (gone or not associated); waiting: associated, but what the copies need is not in place yet. */
  state: 'none' | 'waiting' | 'ready';
  copies: DesiredCopy[];
  /** The two-hop bridge port in use, if any. */
  bridgePortId?: string;
  /** Pods worth checking for an unused bridge copy afterwards. */
  pods: string[];
  why?: string;
}

const waiting = (why: string, pods: string[] = []): Desired => ({ state: 'waiting', copies: [], pods, why });

export async function setupFloatingIp(sc: SetupContext, fipId: string): Promise<void> {
  const { tools, ctx } = sc;
  const row = await tools.top.floatingIps.get(fipId);
  const desired = await desiredCopies(sc, row);
  const existing = await tools.routings.findByTop(fipId, RT_FLOATINGIP);
  const kept = new Set<string>();

  // What the pods hold: keep what matches, fix the binding of what is on the right address, drop the rest.
  for (const r of existing) {
    if (r.bottomId === null) continue;
    const pod = await tools.pods.find(r.podId);
    if (!pod) {
      await tools.routings.delete(r.id);
      continue;
    }
    const neutron = new PodL3(pod, tools.neutron(pod), ctx);
    const bottom = await neutron.getFloatingIp(r.bottomId);
    const want = desired.copies.find((c) => c.pod.id === r.podId);
    if (bottom && want && bottom.floating_network_id === want.networkId && bottom.floating_ip_address === want.address) {
      await bind(neutron, bottom, want);
      kept.add(r.podId);
    } else {
      if (bottom) await neutron.deleteFloatingIp(bottom.id);
      await tools.routings.delete(r.id);
    }
  }

  // What is missing.
  for (const want of desired.copies) {
    if (kept.has(want.pod.id)) continue;
    const neutron = new PodL3(want.pod, tools.neutron(want.pod), ctx);
    const made = await tools.lock.getOrCreateBottom({
      topId: fipId,
      podId: want.pod.id,
      projectId: row!.projectId,
      resourceType: RT_FLOATINGIP,
      create: async () => {
        const leftover = await findOurs(neutron, want, fipId);
        if (leftover) return leftover.id;
        const fip = await neutron.createFloatingIp({
          floating_network_id: want.networkId,
          floating_ip_address: want.address,
          port_id: want.portId,
          fixed_ip_address: want.fixedIp,
          project_id: row!.projectId,
          description: fipId,
        });
        return fip.id;
      },
      findByName: async () => (await findOurs(neutron, want, fipId))?.id,
      discard: (id) => neutron.deleteFloatingIp(id),
    });
    const bottom = await neutron.getFloatingIp(made.bottomId);
    if (!bottom) throw new Error(`floating IP ${made.bottomId} (copy of ${fipId}) vanished from pod ${want.pod.regionName}`);
    await bind(neutron, bottom, want);
  }

  // The two-hop bridge address, when no longer in use.
  if (desired.bridgePortId === undefined) {
    const bridges = tools.top.bridges;
    const ports = (await bridges.reservedPorts(fipBridgeKey(fipId))).filter((p) => p.reservedFor === fipBridgeKey(fipId));
    for (const p of ports) {
      const projectId = await bridges.nsProjectOfPort(p.id);
      await bridges.deletePort(p.id, ctx);
      if (projectId === undefined) continue;
      for (const podId of new Set([...existing.map((e) => e.podId), ...desired.pods])) await dropBridgeFromPodIfUnused(tools, ctx, podId, projectId, NS_BRIDGE);
      await bridges.dropIfUnused(projectId, NS_BRIDGE);
    }
  }

  if (row) {
    const status = desired.state === 'ready' ? 'ACTIVE' : 'DOWN';
    if (row.status !== status) await tools.top.floatingIps.setStatus(fipId, row.status, status);
    if (desired.state === 'waiting') tools.logger.debug({ fipId, why: desired.why }, 'floating IP waits for its port or routers');
  }
}

async function routerProject(sc: SetupContext, routerId: string | null, fallback: string | undefined): Promise<string | undefined> {
  if (routerId) {
    const projectId = await sc.tools.top.routers.projectOf(routerId);
    if (projectId !== undefined) return projectId;
  }
  return fallback;
}

/** A bottom floating IP on the address that a failed run of this job made (its description is the top id). */
async function findOurs(neutron: PodL3, want: DesiredCopy, fipId: string): Promise<BottomFloatingIp | undefined> {
  const found = await neutron.floatingIps({ floating_network_id: want.networkId, floating_ip_address: want.address });
  return found.find((f) => f.description === fipId);
}

async function bind(neutron: PodL3, bottom: BottomFloatingIp, want: DesiredCopy): Promise<void> {
  if (bottom.port_id === want.portId && bottom.fixed_ip_address === want.fixedIp) return;
  await neutron.updateFloatingIp(bottom.id, { port_id: want.portId, fixed_ip_address: want.fixedIp });
}

/** Whether the router copy has its gateway on `networkId` and an interface on `subnetId`. */
async function routerServes(neutron: PodL3, routerId: string, networkId: string, subnetId: string): Promise<boolean> {
  const router = await neutron.getRouter(routerId);
  const gw = router?.external_gateway_info as { network_id?: string } | null | undefined;
  if (!router || gw?.network_id !== networkId) return false;
  const ports = await neutron.routerPorts(routerId);
  return ports.some((p) => ROUTER_INTERFACE_OWNERS.includes(p.device_owner) && p.fixed_ips.some((f) => f.subnet_id === subnetId));
}

async function desiredCopies(sc: SetupContext, row: FloatingIp | undefined): Promise<Desired> {
  const { tools, ctx } = sc;
  if (!row || row.portId === null || row.fixedIpAddress === null || row.routerId === null) return { state: 'none', copies: [], pods: [] };
  const network = await tools.external.read(row.floatingNetworkId);
  if (!network) return waiting('the external network is gone');
  let extPod: Pod;
  try {
    extPod = await tools.external.podOf(network);
  } catch {
    return waiting('the external network names no pod');
  }
  const vmCopies = (await tools.routings.findByTop(row.portId, 'port')).filter((r) => r.bottomId !== null);
  if (vmCopies.length === 0) return waiting('the port has no copy in any pod (no VM booted on it)', [extPod.id]);
  const vmPod = await tools.pods.get(vmCopies[0].podId);
  const vmPortId = vmCopies[0].bottomId!;
  const pods = [extPod.id, vmPod.id];
  const extRouter = await tools.routings.bottomIdOf(RT_ROUTER, row.routerId, extPod.id);
  if (!extRouter) return waiting('the router has no copy in the external pod yet', pods);
  const ext = await tools.external.ensureInPod(network.id, ctx);
  const vmNeutron = new PodL3(vmPod, tools.neutron(vmPod), ctx);
  const vmPort = await vmNeutron.getPort(vmPortId);
  const vmSubnet = vmPort?.fixed_ips.find((f) => f.ip_address === row.fixedIpAddress)?.subnet_id;
  if (!vmPort || !vmSubnet) return waiting('the port copy is gone or lacks the fixed address', pods);
  const extNeutron = new PodL3(extPod, tools.neutron(extPod), ctx);

  if (vmPod.id === extPod.id) {
    if (!(await routerServes(extNeutron, extRouter, ext.bottomNetworkId, vmSubnet))) return waiting('the router copy lacks the gateway or the interface', pods);
    return {
      state: 'ready',
      copies: [{ pod: extPod, networkId: ext.bottomNetworkId, address: row.floatingIpAddress, portId: vmPortId, fixedIp: row.fixedIpAddress }],
      pods,
    };
  }

  const projectId = (await routerProject(sc, row.routerId, undefined)) ?? row.projectId;
  const vmRouter = await tools.routings.bottomIdOf(RT_ROUTER, row.routerId, vmPod.id);
  const bridge = await tools.top.bridges.find(projectId, NS_BRIDGE, row.routerId);
  if (!vmRouter || !bridge) return waiting('the router has no copy in the VM pod or no north-south bridge yet', pods);
  const [extNet, extSub, vmNet] = await Promise.all([
    tools.routings.bottomIdOf('network', bridge.network.id, extPod.id),
    tools.routings.bottomIdOf('subnet', bridge.subnet.id, extPod.id),
    tools.routings.bottomIdOf('network', bridge.network.id, vmPod.id),
  ]);
  if (!extNet || !extSub || !vmNet) return waiting('the bridge has no copy in one of the pods yet', pods);
  if (!(await routerServes(extNeutron, extRouter, ext.bottomNetworkId, extSub))) return waiting('the external router copy is not on the bridge yet', pods);
  if (!(await routerServes(vmNeutron, vmRouter, vmNet, vmSubnet))) return waiting('the VM pod router copy lacks the bridge gateway or the interface', pods);

  let bridgePort = await tools.top.bridges.reservePort(bridge, fipBridgeKey(row.id), BRIDGE_FIP_OWNER);
  if (bridgePort.fixedIps[0]?.subnetId !== bridge.subnet.id) {
    // Reserved when the floating IP went through another router: take an address of this one's.
    await tools.top.bridges.deletePort(bridgePort.id, ctx);
    bridgePort = await tools.top.bridges.reservePort(bridge, fipBridgeKey(row.id), BRIDGE_FIP_OWNER);
  }
  const inner = bridgeAddress(bridgePort);
  const bridgeCopy = await ensureBridgePortCopy(tools, ctx, extPod, extNet, extSub, bridgePort, projectId);
  return {
    state: 'ready',
    copies: [
      { pod: extPod, networkId: ext.bottomNetworkId, address: row.floatingIpAddress, portId: bridgeCopy, fixedIp: inner },
      { pod: vmPod, networkId: vmNet, address: inner, portId: vmPortId, fixedIp: row.fixedIpAddress },
    ],
    bridgePortId: bridgePort.id,
    pods,
  };
}
