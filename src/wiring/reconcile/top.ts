/** Reads the top intent the reconciler compares with the pods. */
import type { Db } from '../../db/index.js';
import type { Pod, PodRegistry } from '../../pods/index.js';
import { addressesOf } from '../../network/ports/ipam.js';
import { ROUTER_GATEWAY, ROUTER_INTERFACE } from '../../network/routers/l3ports.js';
import { parseJson } from '../../network/tx.js';
import type { RouteRow, TopFloatingIp, TopRouter } from './model.js';

/** The types of routing rows the reconciler looks after, with the top table of each. */
export const OWN_TYPES = { network: 'networks', subnet: 'subnets', port: 'ports', router: 'routers', floatingip: 'floatingips' } as const;
export type OwnType = keyof typeof OWN_TYPES;
export const isOwnType = (t: string): t is OwnType => Object.hasOwn(OWN_TYPES, t);

/** Top ids are UUIDs; routing rows keyed by anything else (names, placeholders) belong to other schemes. */
export const isTopId = (id: string): boolean => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);

export async function readRouters(db: Db, projectId: string): Promise<TopRouter[]> {
  const routers = await db.kysely.selectFrom('routers').select(['id', 'project_id']).where('project_id', '=', projectId).orderBy('id').execute();
  if (routers.length === 0) return [];
  const ids = routers.map((r) => r.id);
  const ports = await db.kysely
    .selectFrom('router_ports')
    .innerJoin('ports', 'ports.id', 'router_ports.port_id')
    .select(['router_ports.router_id as router_id', 'router_ports.port_id as port_id', 'router_ports.port_type as port_type', 'ports.network_id as network_id'])
    .where('router_ports.router_id', 'in', ids)
    .execute();
  const addresses = await addressesOf(db.kysely, ports.map((p) => p.port_id));
  const routes = await db.kysely.selectFrom('router_routes').selectAll().where('router_id', 'in', ids).execute();
  return routers.map((r) => {
    const own = ports.filter((p) => p.router_id === r.id);
    return {
      id: r.id,
      projectId: r.project_id,
      gatewayNetworkId: own.find((p) => p.port_type === ROUTER_GATEWAY)?.network_id ?? null,
      interfaces: own
        .filter((p) => p.port_type === ROUTER_INTERFACE)
        .map((p) => ({ portId: p.port_id, networkId: p.network_id, subnetIds: [...new Set((addresses.get(p.port_id) ?? []).map((a) => a.subnetId))] })),
      routes: routes.filter((x) => x.router_id === r.id).map((x) => ({ destination: x.destination, nexthop: x.nexthop })),
    };
  });
}

export async function readFloatingIps(db: Db, projectId: string): Promise<TopFloatingIp[]> {
  const rows = await db.kysely.selectFrom('floatingips').selectAll().where('project_id', '=', projectId).orderBy('id').execute();
  return rows.map((f) => ({
    id: f.id,
    projectId: f.project_id,
    networkId: f.floating_network_id,
    address: f.floating_ip_address,
    fixedPortId: f.fixed_port_id,
    routerId: f.router_id,
  }));
}

export interface ExternalNetworkRef {
  id: string;
  projectId: string;
  pod: Pod | undefined;
  subnetIds: string[];
}

/** Every external network with the pod its hint names (undefined when that pod is not registered). */
export async function readExternalNetworks(db: Db, pods: PodRegistry): Promise<ExternalNetworkRef[]> {
  const nets = await db.kysely.selectFrom('networks').select(['id', 'project_id', 'availability_zone_hints']).where('external', '=', 1).execute();
  if (nets.length === 0) return [];
  const subnets = await db.kysely.selectFrom('subnets').select(['id', 'network_id']).where('network_id', 'in', nets.map((n) => n.id)).execute();
  const byRegion = new Map((await pods.list()).map((p) => [p.regionName, p]));
  return nets.map((n) => {
    const region = parseJson<string[]>(n.availability_zone_hints, [])[0];
    return { id: n.id, projectId: n.project_id, pod: region === undefined ? undefined : byRegion.get(region), subnetIds: subnets.filter((s) => s.network_id === n.id).map((s) => s.id) };
  });
}

/** Routing rows of the project, and of the given top ids whatever their project. */
export async function readRoutes(db: Db, projectId: string, topIds: string[]): Promise<RouteRow[]> {
  const rows = await db.kysely
    .selectFrom('resource_routings')
    .selectAll()
    .where((eb) => (topIds.length ? eb.or([eb('project_id', '=', projectId), eb('top_id', 'in', topIds)]) : eb('project_id', '=', projectId)))
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    id: Number(r.id),
    topId: r.top_id,
    bottomId: r.bottom_id,
    podId: r.pod_id,
    projectId: r.project_id,
    type: r.resource_type,
    updatedAt: Number(r.updated_at),
  }));
}

/** Which of `ids` still exist in the top table of `type`. */
export async function existingTopIds(db: Db, type: OwnType, ids: string[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (let i = 0; i < ids.length; i += 200) {
    const chunk = ids.slice(i, i + 200);
    const rows = await db.kysely.selectFrom(OWN_TYPES[type]).select('id').where('id', 'in', chunk).execute();
    for (const r of rows) out.add(r.id);
  }
  return out;
}

/** Jobs of the project waiting or running: "type|resource_id". */
export async function jobsInFlight(db: Db, types: string[], projectId?: string): Promise<Set<string>> {
  let q = db.kysely.selectFrom('async_jobs').select(['type', 'resource_id']).where('status', 'in', ['NEW', 'RUNNING']).where('type', 'in', types);
  if (projectId !== undefined) q = q.where('project_id', '=', projectId);
  return new Set((await q.execute()).map((j) => `${j.type}|${j.resource_id}`));
}

/** Projects that own something the reconciler looks after. */
export async function projectsToReconcile(db: Db): Promise<string[]> {
  const k = db.kysely;
  const [routes, routers, fips, nets] = await Promise.all([
    k.selectFrom('resource_routings').select('project_id').distinct().where('resource_type', 'in', [...Object.keys(OWN_TYPES), 'volume']).execute(),
    k.selectFrom('routers').select('project_id').distinct().execute(),
    k.selectFrom('floatingips').select('project_id').distinct().execute(),
    k.selectFrom('networks').select('project_id').distinct().where('external', '=', 1).execute(),
  ]);
  return [...new Set([...routes, ...routers, ...fips, ...nets].map((r) => r.project_id))].filter((p) => p !== '').sort();
}
