/**
 * The pods' copies of the projects' bridge networks (the top objects are the network module's:
 * TopNetworkState.bridges). A bridge is copied with the same VLAN and all its subnets into every pod
 * where a router of the project needs it, and taken out of a pod when nothing there uses it any more.
 */
import type { BottomCallContext } from '../../bottom/index.js';
import type { BridgeKind, Network, Subnet } from '../../network/index.js';
import type { Pod } from '../../pods/index.js';
import { PodL3 } from './podNeutron.js';
import type { L3Tools } from './tools.js';

/** A bridge's copy in a pod: the network and its subnets' copies (top id → bottom id). */
export interface PodBridge {
  pod: Pod;
  bottomNetworkId: string;
  subnets: Map<string, string>;
}

/**
 * The bridge as the pods copy it: owned by the tenant's project there (so the pod's routers and
 * ports of the project can use it), external for the north-south one, its subnets with the top's
 * addressing and gateway, DHCP off.
 */
function podView(kind: BridgeKind, network: Network, subnets: Subnet[], projectId: string): { network: Network; subnets: Subnet[] } {
  return {
    network: { ...network, projectId, external: kind.podExternal, azHints: [] },
    subnets: subnets.map((s) => ({ ...s, external: kind.podExternal, projectId })),
  };
}

/**
 * The bridge's copy in `pod` with copies of all its subnets (made once through the routing lock,
 * same VLAN and CIDRs everywhere: one L2 segment shows the same subnets in every pod).
 */
export async function ensureBridgeInPod(tools: L3Tools, ctx: BottomCallContext, pod: Pod, kind: BridgeKind, network: Network, projectId: string): Promise<PodBridge> {
  const view = podView(kind, network, await tools.top.networks.subnetsOf(network.id), projectId);
  const copy = await tools.builder.ensure(ctx, pod, view.network, view.subnets);
  return { pod, bottomNetworkId: copy.bottomNetworkId, subnets: copy.subnets };
}

/** Pods where a bridge network has a copy. */
export async function bridgePods(tools: L3Tools, networkId: string): Promise<string[]> {
  const rows = await tools.db.kysely.selectFrom('resource_routings').select('pod_id').where('top_id', '=', networkId).where('resource_type', '=', 'network').execute();
  return rows.map((r) => r.pod_id);
}

/**
 * Retires a router's own subnet on a bridge once it holds no address (the router left the bridge):
 * its copies in every pod, then the top subnet.
 */
export async function retireRouterSubnet(tools: L3Tools, ctx: BottomCallContext, projectId: string, kind: BridgeKind, routerId: string): Promise<void> {
  if (!kind.subnetPerRouter) return;
  const bridges = tools.top.bridges;
  const bridge = await bridges.find(projectId, kind, routerId);
  if (!bridge) return;
  const kysely = tools.db.kysely;
  if (await bridges.subnetInUse(bridge.subnet.id)) return;
  const copies = await kysely
    .selectFrom('resource_routings')
    .select(['id', 'pod_id', 'bottom_id'])
    .where('top_id', '=', bridge.subnet.id)
    .where('resource_type', '=', 'subnet')
    .execute();
  for (const c of copies) {
    const pod = await tools.pods.find(c.pod_id);
    if (pod && c.bottom_id !== null) await new PodL3(pod, tools.neutron(pod), ctx).deleteSubnet(c.bottom_id);
    await kysely.deleteFrom('resource_routings').where('id', '=', c.id).execute();
  }
  await bridges.deleteSubnetIfUnused(bridge.subnet.id);
  tools.logger.info({ projectId, routerId, kind: kind.kind }, 'retired the bridge subnet of a router');
}

/**
 * Removes a bridge's copy from `pod` when no router of the project is on it there (no reserved
 * router address for that pod) and no floating IP's bridge port has a copy there.
 */
export async function dropBridgeFromPodIfUnused(tools: L3Tools, ctx: BottomCallContext, podId: string, projectId: string, kind: BridgeKind): Promise<void> {
  const network = await tools.top.bridges.network(projectId, kind);
  if (!network) return;
  const kysely = tools.db.kysely;
  const netCopy = await kysely
    .selectFrom('resource_routings')
    .select('bottom_id')
    .where('top_id', '=', network.id)
    .where('pod_id', '=', podId)
    .where('resource_type', '=', 'network')
    .executeTakeFirst();
  if (!netCopy) return;
  const ports = await tools.top.bridges.portsOn(network.id);
  if (ports.some((p) => p.reservedFor?.startsWith(kind.routerKeyRoot) && p.reservedFor.endsWith(`:${podId}`))) return;
  if (ports.length > 0) {
    const copied = await kysely
      .selectFrom('resource_routings')
      .select('id')
      .where('resource_type', '=', 'port')
      .where('pod_id', '=', podId)
      .where(
        'top_id',
        'in',
        ports.map((p) => p.id),
      )
      .executeTakeFirst();
    if (copied) return;
  }
  const pod = await tools.pods.find(podId);
  if (pod && netCopy.bottom_id !== null) {
    const neutron = new PodL3(pod, tools.neutron(pod), ctx);
    for (const fip of await neutron.floatingIps({ floating_network_id: netCopy.bottom_id })) await neutron.deleteFloatingIp(fip.id);
    await neutron.deleteNetwork(netCopy.bottom_id);
  }
  const subnets = (await tools.top.networks.subnetsOf(network.id)).map((x) => x.id);
  await kysely
    .deleteFrom('resource_routings')
    .where('pod_id', '=', podId)
    .where((eb) =>
      eb.or([
        eb.and([eb('resource_type', '=', 'network'), eb('top_id', '=', network.id)]),
        eb.and([eb('resource_type', '=', 'subnet'), eb('top_id', 'in', subnets.length ? subnets : ['-'])]),
      ]),
    )
    .execute();
  tools.logger.info({ projectId, podId, kind: kind.kind }, 'removed a bridge network copy from a pod');
}
