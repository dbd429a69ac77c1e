/** Reads the top intent the reconciler compares with the pods (through TopNetworkState) and the routing rows. */
import type { RoutingTable } from '../../routing/index.js';
import type { TopKind, TopNetworkState } from '../../network/index.js';
import type { Pod, PodRegistry } from '../../pods/index.js';
import type { RouteRow, TopFloatingIp, TopRouter } from './model.js';

/** The types of routing rows the reconciler looks after (copies of these top objects). */
export const OWN_TYPES: readonly TopKind[] = ['network', 'subnet', 'port', 'router', 'floatingip'];
export type OwnType = TopKind;
export const isOwnType = (t: string): t is OwnType => (OWN_TYPES as readonly string[]).includes(t);

/** Top ids are UUIDs; routing rows keyed by anything else (names, placeholders) belong to other schemes. */
export const isTopId = (id: string): boolean => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);

export async function readRouters(top: Pick<TopNetworkState, 'routers'>, projectId: string): Promise<TopRouter[]> {
  return (await top.routers.ofProject(projectId)).map((r) => ({
    id: r.id,
    projectId: r.projectId,
    gatewayNetworkId: r.gateway?.networkId ?? null,
    interfaces: r.interfaces.map((i) => ({ portId: i.portId, networkId: i.networkId, subnetIds: [...new Set(i.fixedIps.map((a) => a.subnetId))] })),
    routes: r.routes,
  }));
}

export async function readFloatingIps(top: Pick<TopNetworkState, 'floatingIps'>, projectId: string): Promise<TopFloatingIp[]> {
  return (await top.floatingIps.ofProject(projectId)).map((f) => ({
    id: f.id,
    projectId: f.projectId,
    networkId: f.floatingNetworkId,
    address: f.floatingIpAddress,
    fixedPortId: f.portId,
    routerId: f.routerId,
  }));
}

export interface ExternalNetworkRef {
  id: string;
  projectId: string;
  pod: Pod | undefined;
  subnetIds: string[];
}

/** Every external network with the pod its hint names (undefined when that pod is not registered). */
export async function readExternalNetworks(top: Pick<TopNetworkState, 'networks'>, pods: PodRegistry): Promise<ExternalNetworkRef[]> {
  const nets = await top.networks.externals();
  if (nets.length === 0) return [];
  const byRegion = new Map((await pods.list()).map((p) => [p.regionName, p]));
  return nets.map((n) => {
    const region = n.azHints[0];
    return { id: n.id, projectId: n.projectId, pod: region === undefined ? undefined : byRegion.get(region), subnetIds: n.subnetIds };
  });
}

/** Routing rows of the project, and of the given top ids whatever their project. */
export async function readRoutes(routings: RoutingTable, projectId: string, topIds: string[]): Promise<RouteRow[]> {
  const rows = await routings.routesOfProject(projectId, { alsoTopIds: topIds });
  return rows.map((r) => ({ id: r.id, topId: r.topId, bottomId: r.bottomId, podId: r.podId, projectId: r.projectId, type: r.resourceType, updatedAt: r.updatedAt }));
}

/** Projects that own something the reconciler looks after. */
export async function projectsToReconcile(routings: RoutingTable, top: Pick<TopNetworkState, 'projectsWithL3State'>): Promise<string[]> {
  const [routed, owners] = await Promise.all([routings.projectsWithRoutes([...OWN_TYPES, 'volume']), top.projectsWithL3State()]);
  return [...new Set([...routed, ...owners])].filter((p) => p !== '').sort();
}
