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
  return (await tools.routings.findByTop(networkId, 'network')).map((r) => r.podId);
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
  if (await bridges.subnetInUse(bridge.subnet.id)) return;
  for (const c of await tools.routings.findByTop(bridge.subnet.id, 'subnet')) {
    const pod = await tools.pods.find(c.podId);
    if (pod && c.bottomId !== null) await new PodL3(pod, tools.neutron(pod), ctx).deleteSubnet(c.bottomId);
    await tools.routings.deleteIfExists(c.id);
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
  const [netCopy] = await tools.routings.findByTops('network', [network.id], { podId });
  if (!netCopy) return;
  const ports = await tools.top.bridges.portsOn(network.id);
  if (ports.some((p) => p.reservedFor?.startsWith(kind.routerKeyRoot) && p.reservedFor.endsWith(`:${podId}`))) return;
  if (ports.length > 0) {
    const copied = await tools.routings.topIdsRoutedInPod(
      'port',
      podId,
      ports.map((p) => p.id),
    );
    if (copied.size > 0) return;
  }
  const pod = await tools.pods.find(podId);
  if (pod && netCopy.bottomId !== null) {
    const neutron = new PodL3(pod, tools.neutron(pod), ctx);
    for (const fip of await neutron.floatingIps({ floating_network_id: netCopy.bottomId })) await neutron.deleteFloatingIp(fip.id);
    await neutron.deleteNetwork(netCopy.bottomId);
  }
  const subnets = (await tools.top.networks.subnetsOf(network.id)).map((x) => x.id);
  await tools.routings.deleteInPod(podId, [
    { resourceType: 'network', topIds: [network.id] },
    { resourceType: 'subnet', topIds: subnets },
  ]);
  tools.logger.info({ projectId, podId, kind: kind.kind }, 'removed a bridge network copy from a pod');
}
