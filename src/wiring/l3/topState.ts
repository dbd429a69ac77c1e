/**
 * The top state the L3 jobs reconcile the pods to, read fresh at every run (job payloads are ids only).
 */
import type { Db } from '../../db/index.js';
import type { Trx } from '../../network/tx.js';
import { toNetwork, type Network } from '../../network/networks/model.js';
import { routerPortsOf, ROUTER_GATEWAY, ROUTER_INTERFACE } from '../../network/routers/index.js';
import { toSubnet, type Subnet } from '../../network/subnets/model.js';
import { toBool } from '../../network/tx.js';
import type { Route } from './routes.js';

export interface TopFixedIp {
  subnetId: string;
  ipAddress: string;
}

export interface TopInterface {
  portId: string;
  networkId: string;
  fixedIps: TopFixedIp[];
}

export interface TopGateway {
  portId: string;
  networkId: string;
  fixedIps: TopFixedIp[];
}

export interface TopRouter {
  id: string;
  projectId: string;
  adminStateUp: boolean;
  enableSnat: boolean;
  interfaces: TopInterface[];
  gateway: TopGateway | null;
  /** The router's own extra routes (the user's). */
  routes: Route[];
}

/** The router as the top has it now, or undefined when it is gone. */
export async function readTopRouter(db: Db, routerId: string): Promise<TopRouter | undefined> {
  const kysely = db.kysely;
  const row = await kysely.selectFrom('routers').selectAll().where('id', '=', routerId).executeTakeFirst();
  if (!row) return undefined;
  const ports = await routerPortsOf(kysely, routerId);
  const routes = await kysely.selectFrom('router_routes').select(['destination', 'nexthop']).where('router_id', '=', routerId).orderBy('destination').orderBy('nexthop').execute();
  const gw = ports.find((p) => p.type === ROUTER_GATEWAY);
  return {
    id: row.id,
    projectId: row.project_id,
    adminStateUp: toBool(row.admin_state_up),
    enableSnat: toBool(row.enable_snat),
    interfaces: ports.filter((p) => p.type === ROUTER_INTERFACE).map((p) => ({ portId: p.portId, networkId: p.networkId, fixedIps: p.fixedIps })),
    gateway: gw ? { portId: gw.portId, networkId: gw.networkId, fixedIps: gw.fixedIps } : null,
    routes,
  };
}

/** The pods holding a copy of each network, in the order the copies were made (complete routing rows only). */
export async function networkPods(trx: Trx, networkIds: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (networkIds.length === 0) return out;
  const rows = await trx
    .selectFrom('resource_routings')
    .select(['top_id', 'pod_id'])
    .where('resource_type', '=', 'network')
    .where('top_id', 'in', networkIds)
    .where('bottom_id', 'is not', null)
    .orderBy('id')
    .execute();
  for (const r of rows) out.set(r.top_id, [...(out.get(r.top_id) ?? []), r.pod_id]);
  return out;
}

/** Networks by id, and all their subnets (in creation order). */
export async function networksWithSubnets(db: Db, networkIds: string[]): Promise<Map<string, { network: Network; subnets: Subnet[] }>> {
  const out = new Map<string, { network: Network; subnets: Subnet[] }>();
  if (networkIds.length === 0) return out;
  const nets = await db.kysely.selectFrom('networks').selectAll().where('id', 'in', networkIds).execute();
  const subs = await db.kysely.selectFrom('subnets').selectAll().where('network_id', 'in', networkIds).orderBy('created_at').orderBy('id').execute();
  for (const n of nets) {
    const network = toNetwork(n);
    out.set(n.id, { network, subnets: subs.filter((s) => s.network_id === n.id).map((s) => toSubnet(s, { external: network.external })) });
  }
  return out;
}

/** A complete routing row's bottom id, or undefined. */
export async function bottomIdOf(db: Db, topId: string, podId: string, type: string): Promise<string | undefined> {
  const row = await db.kysely
    .selectFrom('resource_routings')
    .select('bottom_id')
    .where('top_id', '=', topId)
    .where('pod_id', '=', podId)
    .where('resource_type', '=', type)
    .executeTakeFirst();
  return row?.bottom_id ?? undefined;
}

/** Drops the routing rows of a pod that point at a bottom object (after it was deleted there). */
export async function dropRoutingByBottom(db: Db, podId: string, type: string, bottomId: string): Promise<void> {
  await db.kysely.deleteFrom('resource_routings').where('pod_id', '=', podId).where('resource_type', '=', type).where('bottom_id', '=', bottomId).execute();
}
