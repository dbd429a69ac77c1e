/** Top routers and floating IPs as the pod side reads them (fresh at every job run: payloads are ids only). */
import { dbNow, type Db } from '../../db/index.js';
import { toFloatingIp, type FloatingIp } from '../floatingips/model.js';
import type { Route } from '../routers/input.js';
import { addressesOf, type FixedIp } from '../ports/ipam.js';
import { ROUTER_GATEWAY, ROUTER_INTERFACE } from '../routers/l3ports.js';
import type { RouterRow } from '../routers/model.js';
import { toBool } from '../tx.js';

/** One of a router's ports: an interface, or its gateway. */
export interface RouterPortState {
  portId: string;
  networkId: string;
  fixedIps: FixedIp[];
}

export interface RouterState {
  id: string;
  projectId: string;
  adminStateUp: boolean;
  enableSnat: boolean;
  /** Oldest port first. */
  interfaces: RouterPortState[];
  gateway: RouterPortState | null;
  /** The router's own extra routes (the user's). */
  routes: Route[];
}

export interface TopRouters {
  /** The router as the top has it now, or undefined when it is gone. */
  get(id: string): Promise<RouterState | undefined>;
  /** The project's routers, by id. */
  ofProject(projectId: string): Promise<RouterState[]>;
  /** The router's project, or undefined when it is gone. */
  projectOf(id: string): Promise<string | undefined>;
  /**
   * Sets the status of the router's interface ports (what its job achieved: ACTIVE, or ERROR while it
   * fails), only of those whose status is one of `from`.
   */
  setInterfaceStatus(id: string, from: readonly string[], to: string): Promise<void>;
}

export interface TopFloatingIps {
  get(id: string): Promise<FloatingIp | undefined>;
  /** The floating IPs that go through the router. */
  ofRouter(routerId: string): Promise<{ id: string; projectId: string }[]>;
  /** The project's floating IPs, by id. */
  ofProject(projectId: string): Promise<FloatingIp[]>;
  /** The addresses of the floating IPs on an external network. */
  addressesOn(networkId: string): Promise<Set<string>>;
  /** Sets the status the pods achieved, unless it changed from `from` meanwhile. */
  setStatus(id: string, from: string, to: string): Promise<void>;
}

async function routerStates(db: Db, rows: RouterRow[]): Promise<RouterState[]> {
  if (rows.length === 0) return [];
  const kysely = db.kysely;
  const ids = rows.map((r) => r.id);
  const ports = await kysely
    .selectFrom('router_ports')
    .innerJoin('ports', 'ports.id', 'router_ports.port_id')
    .select(['router_ports.router_id as router_id', 'router_ports.port_id as port_id', 'router_ports.port_type as port_type', 'ports.network_id as network_id'])
    .where('router_ports.router_id', 'in', ids)
    .orderBy('ports.created_at')
    .orderBy('ports.id')
    .execute();
  const addresses = await addressesOf(
    kysely,
    ports.map((p) => p.port_id),
  );
  const routes = await kysely
    .selectFrom('router_routes')
    .select(['router_id', 'destination', 'nexthop'])
    .where('router_id', 'in', ids)
    .orderBy('destination')
    .orderBy('nexthop')
    .execute();
  return rows.map((row) => {
    const own = ports
      .filter((p) => p.router_id === row.id)
      .map((p) => ({ type: p.port_type, portId: p.port_id, networkId: p.network_id, fixedIps: addresses.get(p.port_id) ?? [] }));
    const gw = own.find((p) => p.type === ROUTER_GATEWAY);
    return {
      id: row.id,
      projectId: row.project_id,
      adminStateUp: toBool(row.admin_state_up),
      enableSnat: toBool(row.enable_snat),
      interfaces: own.filter((p) => p.type === ROUTER_INTERFACE).map((p) => ({ portId: p.portId, networkId: p.networkId, fixedIps: p.fixedIps })),
      gateway: gw ? { portId: gw.portId, networkId: gw.networkId, fixedIps: gw.fixedIps } : null,
      routes: routes.filter((r) => r.router_id === row.id).map((r) => ({ destination: r.destination, nexthop: r.nexthop })),
    };
  });
}

export function topRouters(db: Db): TopRouters {
  return {
    async get(id) {
      const row = await db.kysely.selectFrom('routers').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? (await routerStates(db, [row]))[0] : undefined;
    },
    async ofProject(projectId) {
      return routerStates(db, await db.kysely.selectFrom('routers').selectAll().where('project_id', '=', projectId).orderBy('id').execute());
    },
    async projectOf(id) {
      return (await db.kysely.selectFrom('routers').select('project_id').where('id', '=', id).executeTakeFirst())?.project_id;
    },
    async setInterfaceStatus(id, from, to) {
      const ports = db.kysely.selectFrom('router_ports').select('port_id').where('router_id', '=', id).where('port_type', '=', ROUTER_INTERFACE);
      await db.kysely
        .updateTable('ports')
        .set((eb) => ({ status: to, revision_number: eb('revision_number', '+', 1), updated_at: dbNow(db.dialect) }))
        .where('id', 'in', ports)
        .where('status', 'in', [...from])
        .where('status', '!=', to)
        .execute();
    },
  };
}

export function topFloatingIps(db: Db): TopFloatingIps {
  return {
    async get(id) {
      const row = await db.kysely.selectFrom('floatingips').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toFloatingIp(row) : undefined;
    },
    async ofRouter(routerId) {
      const rows = await db.kysely.selectFrom('floatingips').select(['id', 'project_id']).where('router_id', '=', routerId).execute();
      return rows.map((f) => ({ id: f.id, projectId: f.project_id }));
    },
    async ofProject(projectId) {
      return (await db.kysely.selectFrom('floatingips').selectAll().where('project_id', '=', projectId).orderBy('id').execute()).map((f) => toFloatingIp(f));
    },
    async addressesOn(networkId) {
      const rows = await db.kysely.selectFrom('floatingips').select('floating_ip_address').where('floating_network_id', '=', networkId).execute();
      return new Set(rows.map((r) => r.floating_ip_address));
    },
    async setStatus(id, from, to) {
      await db.kysely
        .updateTable('floatingips')
        .set((eb) => ({ status: to, revision_number: eb('revision_number', '+', 1), updated_at: dbNow(db.dialect) }))
        .where('id', '=', id)
        .where('status', '=', from)
        .execute();
    },
  };
}
