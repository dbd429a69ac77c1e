/**
 * Top routers: defined at the top, in the top database. Their interfaces and gateway are top ports
 * with addresses from the top IPAM; nothing is done in any pod here. Every change the pods must follow
 * (gateway, interfaces, routes, admin state, delete) requests a `router_setup` job in the same
 * transaction, so the pod side (XJob) sees either both or neither.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { dbNow, isForeignKeyViolation } from '../../db/index.js';
import { checkAzHints } from '../availabilityZones.js';
import type { NetworkDeps } from '../deps.js';
import { invalidInput, notFound } from '../errors.js';
import { owningProject } from '../input.js';
import { cidrContains, parseCidr, parseIp, rangesOverlap, type Cidr } from '../ip.js';
import { projectFilters, tagFilters } from '../listAttrs.js';
import { visibleNetwork } from '../networks/service.js';
import { requireAdminForAttributes, type Caller } from '../policy.js';
import { addressesOf, type FixedIp, type FixedIpRequest } from '../ports/ipam.js';
import { findVisiblePort } from '../ports/service.js';
import { applyFilters, inIdOrder, pageOf, type AnyEb, type AnySelect, type ListParams, type ListSchema } from '../query.js';
import { visibleSubnet } from '../subnets/service.js';
import { dropTags, tagsOf } from '../tags.js';
import { fromBool, lockRow, toBool, type Trx } from '../tx.js';
import { l3Bad, l3Conflict, l3NotFound } from './errors.js';
import type { GatewayRequest, Route, RouterCreateInput, RouterPatch } from './input.js';
import { inL3Transaction, type L3JobRequests } from './jobs.js';
import { bumpPort, createServicePort, deleteServicePort, replacePortAddresses, ROUTER_GATEWAY, ROUTER_INTERFACE } from './l3ports.js';
import { toRouter, type Router, type RouterGateway, type RouterInterfaceInfo, type RouterRow } from './model.js';

/** Upstream's default max_routes. */
export const MAX_ROUTES = 30;

export const ROUTER_LIST: ListSchema = {
  collection: 'routers',
  idColumn: 'routers.id',
  attrs: {
    id: { kind: 'string', column: 'routers.id', sortable: true },
    name: { kind: 'string', column: 'routers.name', sortable: true },
    description: { kind: 'string', column: 'routers.description', sortable: true },
    admin_state_up: { kind: 'bool', column: 'routers.admin_state_up', sortable: true },
    status: { kind: 'string', column: 'routers.status', sortable: true },
    revision_number: { kind: 'int', column: 'routers.revision_number', sortable: true },
    created_at: { kind: 'timestamp', column: 'routers.created_at', sortable: true },
    updated_at: { kind: 'timestamp', column: 'routers.updated_at', sortable: true },
    ...projectFilters('routers.project_id'),
    ...tagFilters('routers', 'routers.id'),
  },
};

/** Routers a caller sees: its project's (admins: all). */
export function visibleRouter(caller: Caller) {
  return (eb: AnyEb) => (caller.isAdmin ? sql<boolean>`1 = 1` : eb('routers.project_id', '=', caller.projectId));
}

/** A port serving a router, with its addresses. */
export interface RouterPort {
  portId: string;
  type: string;
  networkId: string;
  fixedIps: FixedIp[];
}

const sameFamilyOverlap = (a: Cidr, b: Cidr) => a.version === b.version && rangesOverlap(a, b);
const ipInCidr = (cidr: Cidr, ip: string | null) => {
  const p = ip === null ? undefined : parseIp(ip);
  return p !== undefined && p.version === cidr.version && cidrContains(cidr, p.value);
};

/** Routers' ports of one type or all, with addresses. */
export async function routerPortsOf(trx: Trx, routerId: string): Promise<RouterPort[]> {
  const rows = await trx
    .selectFrom('router_ports')
    .innerJoin('ports', 'ports.id', 'router_ports.port_id')
    .select(['router_ports.port_id as port_id', 'router_ports.port_type as port_type', 'ports.network_id as network_id'])
    .where('router_ports.router_id', '=', routerId)
    .orderBy('ports.created_at')
    .orderBy('ports.id')
    .execute();
  const addresses = await addressesOf(
    trx,
    rows.map((r) => r.port_id),
  );
  return rows.map((r) => ({ portId: r.port_id, type: r.port_type, networkId: r.network_id, fixedIps: addresses.get(r.port_id) ?? [] }));
}

/** Locks a router row until the transaction ends; every change of a router's ports, routes and floating IPs takes it. */
export async function lockRouter(deps: NetworkDeps, trx: Trx, id: string): Promise<RouterRow | undefined> {
  let q = trx.selectFrom('routers').selectAll().where('id', '=', id);
  if (deps.db.dialect !== 'sqlite') q = q.forUpdate();
  return q.executeTakeFirst();
}

export class RouterService {
  constructor(
    private readonly deps: NetworkDeps,
    private readonly jobs: L3JobRequests,
  ) {}

  private get db() {
    return this.deps.db;
  }

  async findVisible(trx: Trx, caller: Caller, id: string): Promise<RouterRow | undefined> {
    return trx.selectFrom('routers').selectAll('routers').where('routers.id', '=', id).where(visibleRouter(caller)).executeTakeFirst();
  }

  private async visibleOr404(caller: Caller, id: string): Promise<RouterRow> {
    const row = await this.findVisible(this.db.kysely, caller, id);
    if (!row) throw l3NotFound.router(id);
    return row;
  }

  async create(caller: Caller, inputs: RouterCreateInput[]): Promise<Router[]> {
    const prepared: { id: string; projectId: string; azHints: string[]; input: RouterCreateInput }[] = [];
    for (const input of inputs) {
      const projectId = owningProject({ project_id: input.project_id, tenant_id: input.tenant_id }, caller);
      requireAdminForAttributes(caller, 'create_router', adminOnlyAttributes(input));
      refuseUnsupported(input);
      const azHints = await checkAzHints(this.deps.pods, this.deps.settings, input.azHints ?? [], false);
      prepared.push({ id: randomUUID(), projectId, azHints, input });
    }
    await this.guard(async () =>
      inL3Transaction(this.db, this.jobs, async (trx, request) => {
        for (const p of prepared) {
          const now = dbNow(this.db.dialect);
          await trx
            .insertInto('routers')
            .values({
              id: p.id,
              project_id: p.projectId,
              name: p.input.name ?? '',
              description: p.input.description ?? '',
              admin_state_up: fromBool(p.input.adminStateUp ?? true),
              status: 'ACTIVE',
              enable_snat: 1,
              availability_zone_hints: JSON.stringify(p.azHints),
              revision_number: 1,
              created_at: now,
              updated_at: now,
            })
            .execute();
          if (p.input.gateway) {
            const row = (await trx.selectFrom('routers').selectAll().where('id', '=', p.id).executeTakeFirstOrThrow()) as RouterRow;
            await this.setGateway(trx, caller, row, p.input.gateway);
            await request.router(p.id, p.projectId);
          }
        }
      }),
    );
    return this.byIds(prepared.map((p) => p.id));
  }

  async list(caller: Caller, params: ListParams): Promise<Router[]> {
    const base = this.db.kysely.selectFrom('routers').selectAll('routers').where(visibleRouter(caller)) as AnySelect;
    const rows = await pageOf<RouterRow>(applyFilters(base, ROUTER_LIST, params), ROUTER_LIST, params, (id) => base.where('routers.id', '=', id).executeTakeFirst());
    return this.hydrate(rows);
  }

  async get(caller: Caller, id: string): Promise<Router> {
    return (await this.hydrate([await this.visibleOr404(caller, id)]))[0];
  }

  async update(caller: Caller, id: string, patch: RouterPatch): Promise<Router> {
    await this.visibleOr404(caller, id);
    requireAdminForAttributes(caller, 'update_router', adminOnlyAttributes(patch));
    refuseUnsupported(patch);
    await this.guard(() =>
      inL3Transaction(this.db, this.jobs, async (trx, request) => {
        const row = await lockRouter(this.deps, trx, id);
        if (!row) throw l3NotFound.router(id);
        let podWork = false;
        if (patch.gateway !== undefined) podWork = (await this.setGateway(trx, caller, row, patch.gateway)) || podWork;
        if (patch.routes !== undefined) {
          await this.validateRoutes(trx, id, patch.routes);
          podWork = (await this.replaceRoutes(trx, id, patch.routes)) || podWork;
        }
        if (patch.adminStateUp !== undefined && patch.adminStateUp !== toBool(row.admin_state_up)) podWork = true;
        await trx
          .updateTable('routers')
          .set((eb) => ({
            ...(patch.name !== undefined ? { name: patch.name } : {}),
            ...(patch.description !== undefined ? { description: patch.description } : {}),
            ...(patch.adminStateUp !== undefined ? { admin_state_up: fromBool(patch.adminStateUp) } : {}),
            revision_number: eb('revision_number', '+', 1),
            updated_at: dbNow(this.db.dialect),
          }))
          .where('id', '=', id)
          .execute();
        if (podWork) await request.router(id, row.project_id);
      }),
    );
    return this.get(caller, id);
  }

  /**
   * Deletes a router: refused (409 RouterInUse) while interfaces remain, as upstream; its gateway port
   * and routes go with it. The pods' routers are removed by the `router_setup` job it requests.
   */
  async delete(caller: Caller, id: string): Promise<void> {
    await this.visibleOr404(caller, id);
    await inL3Transaction(this.db, this.jobs, async (trx, request) => {
      const row = await lockRouter(this.deps, trx, id);
      if (!row) throw l3NotFound.router(id);
      const ports = await routerPortsOf(trx, id);
      if (ports.some((p) => p.type === ROUTER_INTERFACE)) throw l3Conflict.routerInUse(id);
      const fip = await trx.selectFrom('floatingips').select('id').where('router_id', '=', id).executeTakeFirst();
      if (fip) {
        const gw = ports.find((p) => p.type === ROUTER_GATEWAY);
        throw gw ? l3Conflict.gatewayInUseByFloatingIp(id, gw.networkId) : l3Conflict.routerInUse(id);
      }
      for (const p of ports) await deleteServicePort(trx, p.portId);
      await trx.deleteFrom('router_routes').where('router_id', '=', id).execute();
      await dropTags(trx, 'routers', [id]);
      await trx.deleteFrom('routers').where('id', '=', id).execute();
      await request.router(id, row.project_id);
    });
  }

  /** add_router_interface by subnet (a new port on the subnet's gateway IP) or by an unattached port. */
  async addInterface(caller: Caller, id: string, req: { subnetId?: string; portId?: string }): Promise<RouterInterfaceInfo> {
    await this.visibleOr404(caller, id);
    return this.guard(
      () =>
        inL3Transaction(this.db, this.jobs, async (trx, request) => {
          const router = await lockRouter(this.deps, trx, id);
          if (!router) throw l3NotFound.router(id);
          const info = req.portId !== undefined ? await this.attachPort(trx, caller, router, req.portId) : await this.attachSubnet(trx, caller, router, req.subnetId!);
          await this.bump(trx, id);
          await request.router(id, router.project_id);
          return info;
        }),
      () => (req.subnetId !== undefined ? notFound.subnet(req.subnetId) : notFound.port(req.portId!)),
    );
  }

  private async attachSubnet(trx: Trx, caller: Caller, router: RouterRow, subnetId: string): Promise<RouterInterfaceInfo> {
    const subnet = await trx
      .selectFrom('subnets')
      .innerJoin('networks', 'networks.id', 'subnets.network_id')
      .selectAll('subnets')
      .where('subnets.id', '=', subnetId)
      .where(visibleSubnet(caller))
      .executeTakeFirst();
    if (!subnet) throw notFound.subnet(subnetId);
    if (!subnet.gateway_ip) throw l3Bad.router('Subnet for router interface must have a gateway IP');
    if (!caller.isAdmin && subnet.project_id !== caller.projectId) {
      throw l3Bad.router(`Cannot add interface to router because subnet ${subnetId} is not owned by project making the request`);
    }
    checkAddressMode(subnet);
    await this.checkForDuplicateSubnets(trx, router.id, [subnet], false);
    const port = await createServicePort(this.db, trx, {
      projectId: router.project_id,
      networkId: subnet.network_id,
      deviceId: router.id,
      deviceOwner: ROUTER_INTERFACE,
      status: 'DOWN',
      fixedIps: [{ subnetId, ipAddress: subnet.gateway_ip }],
    });
    await trx.insertInto('router_ports').values({ port_id: port.id, router_id: router.id, port_type: ROUTER_INTERFACE }).execute();
    return { routerId: router.id, projectId: router.project_id, portId: port.id, networkId: subnet.network_id, subnetIds: [subnetId] };
  }

  private async attachPort(trx: Trx, caller: Caller, router: RouterRow, portId: string): Promise<RouterInterfaceInfo> {
    await lockRow(this.db, trx, 'ports', portId);
    const port = await findVisiblePort(trx, caller, portId);
    if (!port) throw notFound.port(portId);
    if (port.device_id !== '') throw l3Conflict.portInUse(portId, port.network_id, port.device_id);
    const fixedIps = (await addressesOf(trx, [portId])).get(portId) ?? [];
    if (fixedIps.length === 0) throw l3Bad.router('Router port must have at least one fixed IP');
    if (!caller.isAdmin && port.project_id !== caller.projectId) {
      throw l3Bad.router(`Cannot add interface to router because port ${portId} is not owned by project making the request`);
    }
    const subnetIds = [...new Set(fixedIps.map((f) => f.subnetId))];
    const subnets = await trx.selectFrom('subnets').selectAll().where('id', 'in', subnetIds).execute();
    for (const s of subnets) checkAddressMode(s);
    if (subnets.some((s) => Number(s.ip_version) === 6)) {
      for (const other of await routerPortsOf(trx, router.id)) {
        if (other.networkId === port.network_id && other.fixedIps.some((f) => parseIp(f.ipAddress)?.version === 6)) {
          throw l3Bad.router(
            `Cannot have multiple router ports with the same network id if both contain IPv6 subnets. Existing port ${other.portId} has IPv6 subnet(s) and network id ${other.networkId}`,
          );
        }
      }
    }
    await this.checkForDuplicateSubnets(trx, router.id, subnets, false);
    await trx.updateTable('ports').set({ device_id: router.id, device_owner: ROUTER_INTERFACE }).where('id', '=', portId).execute();
    await bumpPort(this.db, trx, portId);
    await trx.insertInto('router_ports').values({ port_id: portId, router_id: router.id, port_type: ROUTER_INTERFACE }).execute();
    return { routerId: router.id, projectId: router.project_id, portId, networkId: port.network_id, subnetIds };
  }

  /**
   * remove_router_interface by port (its port is deleted), by subnet (the interface's address on it is
   * released, and its port deleted when that was its only one) or by both (they must agree).
   */
  async removeInterface(caller: Caller, id: string, req: { subnetId?: string; portId?: string }): Promise<RouterInterfaceInfo> {
    await this.visibleOr404(caller, id);
    return inL3Transaction(this.db, this.jobs, async (trx, request) => {
      const router = await lockRouter(this.deps, trx, id);
      if (!router) throw l3NotFound.router(id);
      let info: RouterInterfaceInfo;
      if (req.portId !== undefined) {
        const port = (await routerPortsOf(trx, id)).find((p) => p.portId === req.portId && p.type === ROUTER_INTERFACE);
        if (!port) throw l3NotFound.interface(id, req.portId);
        const subnetIds = [...new Set(port.fixedIps.map((f) => f.subnetId))];
        if (req.subnetId !== undefined && !subnetIds.includes(req.subnetId)) throw l3Bad.subnetMismatchForPort(req.portId, req.subnetId);
        const subnets = subnetIds.length ? await trx.selectFrom('subnets').select(['id', 'cidr']).where('id', 'in', subnetIds).execute() : [];
        for (const s of subnets) await this.confirmInterfaceNotInUse(trx, id, s);
        await deleteServicePort(trx, port.portId);
        info = { routerId: id, projectId: router.project_id, portId: port.portId, networkId: port.networkId, subnetIds };
      } else {
        const subnetId = req.subnetId!;
        const subnet = await trx
          .selectFrom('subnets')
          .innerJoin('networks', 'networks.id', 'subnets.network_id')
          .select(['subnets.id as id', 'subnets.cidr as cidr', 'subnets.network_id as network_id'])
          .where('subnets.id', '=', subnetId)
          .where(visibleSubnet(caller))
          .executeTakeFirst();
        if (!subnet) throw notFound.subnet(subnetId);
        await this.confirmInterfaceNotInUse(trx, id, subnet);
        const port = (await routerPortsOf(trx, id)).find((p) => p.type === ROUTER_INTERFACE && p.fixedIps.some((f) => f.subnetId === subnetId));
        if (!port) throw l3NotFound.interfaceForSubnet(id, subnetId);
        if (new Set(port.fixedIps.map((f) => f.subnetId)).size > 1) {
          await trx.deleteFrom('ip_allocations').where('port_id', '=', port.portId).where('subnet_id', '=', subnetId).execute();
          await bumpPort(this.db, trx, port.portId);
        } else {
          await deleteServicePort(trx, port.portId);
        }
        info = { routerId: id, projectId: router.project_id, portId: port.portId, networkId: port.networkId, subnetIds: [subnetId] };
      }
      await this.bump(trx, id);
      await request.router(id, router.project_id);
      return info;
    });
  }

  /** add_extraroutes: the router's routes plus `routes` (exact duplicates merged), validated as a whole. */
  async addExtraRoutes(caller: Caller, id: string, routes: Route[]): Promise<Router> {
    return this.changeRoutes(caller, id, (current) => [...current, ...routes.filter((r) => !current.some((c) => sameRoute(c, r)))], true);
  }

  /** remove_extraroutes: the router's routes minus `routes` (routes it does not have are ignored). */
  async removeExtraRoutes(caller: Caller, id: string, routes: Route[]): Promise<Router> {
    return this.changeRoutes(caller, id, (current) => current.filter((c) => !routes.some((r) => sameRoute(c, r))), false);
  }

  private async changeRoutes(caller: Caller, id: string, next: (current: Route[]) => Route[], validate: boolean): Promise<Router> {
    await this.visibleOr404(caller, id);
    await inL3Transaction(this.db, this.jobs, async (trx, request) => {
      const router = await lockRouter(this.deps, trx, id);
      if (!router) throw l3NotFound.router(id);
      const routes = next(await this.routesOf(trx, id));
      if (validate) await this.validateRoutes(trx, id, routes);
      if (await this.replaceRoutes(trx, id, routes)) {
        await this.bump(trx, id);
        await request.router(id, router.project_id);
      }
    });
    return this.get(caller, id);
  }

  // ---- gateway -------------------------------------------------------------------------------

  /**
   * Sets, changes or removes the router's external gateway (upstream's rules): the network must be
   * external; a new network replaces the gateway port (refused while floating IPs use it); the same
   * network with other `external_fixed_ips` changes the port's addresses in place. enable_snat
   * defaults to true. Returns whether anything the pods see changed.
   */
  private async setGateway(trx: Trx, caller: Caller, router: RouterRow, info: GatewayRequest | null): Promise<boolean> {
    const current = (await routerPortsOf(trx, router.id)).find((p) => p.type === ROUTER_GATEWAY);
    const networkId = info?.networkId ?? null;
    const requested = info?.externalFixedIps ?? [];
    let changed = false;
    if (networkId !== null) {
      const network = await trx
        .selectFrom('networks')
        .select(['networks.id', 'networks.external'])
        .where('networks.id', '=', networkId)
        .where(visibleNetwork(caller))
        .executeTakeFirst();
      if (!network) throw notFound.network(networkId);
      if (!toBool(network.external)) throw l3Bad.router(`Network ${networkId} is not an external network`);
      if (requested.length) {
        const gateways = (await trx.selectFrom('subnets').select('gateway_ip').where('network_id', '=', networkId).execute()).map((s) => s.gateway_ip);
        const clash = requested.find((r) => r.ipAddress !== undefined && gateways.includes(r.ipAddress));
        if (clash) throw l3Bad.router(`External IP ${clash.ipAddress} is the same as the gateway IP`);
      }
    }
    if (current && current.networkId === networkId) {
      if (requested.length && addressesDiffer(current.fixedIps, requested)) {
        await replacePortAddresses(this.db, trx, current.portId, requested);
        changed = true;
      }
    } else {
      if (current) {
        const fip = await trx.selectFrom('floatingips').select('id').where('router_id', '=', router.id).where('floating_network_id', '=', current.networkId).executeTakeFirst();
        if (fip) throw l3Conflict.gatewayInUseByFloatingIp(router.id, current.networkId);
        await deleteServicePort(trx, current.portId);
        changed = true;
      }
      if (networkId !== null) {
        const subnets = await trx.selectFrom('subnets').select(['id', 'cidr']).where('network_id', '=', networkId).execute();
        await this.checkForDuplicateSubnets(trx, router.id, subnets, true);
        // The gateway port belongs to no project, as upstream's: tenants do not see it among their ports.
        const port = await createServicePort(this.db, trx, {
          projectId: '',
          networkId,
          deviceId: router.id,
          deviceOwner: ROUTER_GATEWAY,
          status: 'DOWN',
          fixedIps: requested.length ? requested : undefined,
        });
        await trx.insertInto('router_ports').values({ port_id: port.id, router_id: router.id, port_type: ROUTER_GATEWAY }).execute();
        changed = true;
      }
    }
    const snat = networkId !== null ? (info!.enableSnat ?? true) : true;
    if (snat !== toBool(router.enable_snat)) {
      await trx
        .updateTable('routers')
        .set({ enable_snat: fromBool(snat) })
        .where('id', '=', router.id)
        .execute();
      if (networkId !== null) changed = true;
    }
    return changed;
  }

  /**
   * A router has one port per subnet, and its interface subnets do not overlap (with `gateway`, the
   * candidate gateway subnets are compared with the current gateway's instead).
   */
  private async checkForDuplicateSubnets(trx: Trx, routerId: string, candidates: { id: string; cidr: string }[], gateway: boolean): Promise<void> {
    const wanted = new Set(candidates.map((s) => s.id));
    const compare: string[] = [];
    for (const p of await routerPortsOf(trx, routerId)) {
      for (const f of p.fixedIps) {
        if (wanted.has(f.subnetId)) throw l3Bad.router(`Router already has a port on subnet ${f.subnetId}`);
        if ((p.type === ROUTER_GATEWAY) === gateway) compare.push(f.subnetId);
      }
    }
    if (compare.length === 0) return;
    const existing = await trx
      .selectFrom('subnets')
      .select(['id', 'cidr'])
      .where('id', 'in', [...new Set(compare)])
      .execute();
    for (const sub of existing) {
      for (const s of candidates) {
        if (sameFamilyOverlap(parseCidr(sub.cidr)!, parseCidr(s.cidr)!)) {
          throw l3Bad.router(`Cidr ${s.cidr} of subnet ${s.id} overlaps with cidr ${sub.cidr} of subnet ${sub.id}`);
        }
      }
    }
  }

  /** An interface's subnet cannot go while floating IPs or routes of the router depend on it. */
  private async confirmInterfaceNotInUse(trx: Trx, routerId: string, subnet: { id: string; cidr: string }): Promise<void> {
    const cidr = parseCidr(subnet.cidr)!;
    const fips = await trx.selectFrom('floatingips').select('fixed_ip_address').where('router_id', '=', routerId).execute();
    if (fips.some((f) => ipInCidr(cidr, f.fixed_ip_address))) throw l3Conflict.interfaceInUseByFloatingIp(routerId, subnet.id);
    const routes = await trx.selectFrom('router_routes').select('nexthop').where('router_id', '=', routerId).execute();
    if (routes.some((r) => ipInCidr(cidr, r.nexthop))) throw l3Conflict.interfaceInUseByRoute(routerId, subnet.id);
  }

  // ---- routes ---------------------------------------------------------------------------------

  private async routesOf(trx: Trx, routerId: string): Promise<Route[]> {
    return trx.selectFrom('router_routes').select(['destination', 'nexthop']).where('router_id', '=', routerId).orderBy('destination').orderBy('nexthop').execute();
  }

  /** Each nexthop must be on a subnet of one of the router's ports (gateway included), and not be one of its own addresses. */
  private async validateRoutes(trx: Trx, routerId: string, routes: Route[]): Promise<void> {
    if (routes.length > MAX_ROUTES) throw l3Bad.routesExhausted(routerId, MAX_ROUTES);
    if (routes.length === 0) return;
    const ports = await routerPortsOf(trx, routerId);
    const ips = new Set(ports.flatMap((p) => p.fixedIps.map((f) => f.ipAddress)));
    const subnetIds = [...new Set(ports.flatMap((p) => p.fixedIps.map((f) => f.subnetId)))];
    const cidrs = subnetIds.length ? (await trx.selectFrom('subnets').select('cidr').where('id', 'in', subnetIds).execute()).map((s) => parseCidr(s.cidr)!) : [];
    for (const r of routes) {
      if (!cidrs.some((c) => ipInCidr(c, r.nexthop))) throw l3Bad.invalidRoutes(routes, 'the nexthop is not connected with router');
      if (ips.has(r.nexthop)) throw l3Bad.invalidRoutes(routes, 'the nexthop is used by router');
    }
  }

  /** Replaces the router's routes; returns whether they changed. */
  private async replaceRoutes(trx: Trx, routerId: string, routes: Route[]): Promise<boolean> {
    const current = await this.routesOf(trx, routerId);
    if (current.length === routes.length && current.every((c) => routes.some((r) => sameRoute(c, r)))) return false;
    await trx.deleteFrom('router_routes').where('router_id', '=', routerId).execute();
    if (routes.length)
      await trx
        .insertInto('router_routes')
        .values(routes.map((r) => ({ router_id: routerId, destination: r.destination, nexthop: r.nexthop })))
        .execute();
    return true;
  }

  // ---- helpers --------------------------------------------------------------------------------

  private async bump(trx: Trx, id: string): Promise<void> {
    await trx
      .updateTable('routers')
      .set((eb) => ({ revision_number: eb('revision_number', '+', 1), updated_at: dbNow(this.db.dialect) }))
      .where('id', '=', id)
      .execute();
  }

  /** Runs `work`; a key that vanished meanwhile (a subnet, port or network deleted concurrently) reads as `gone`. */
  private async guard<T>(work: () => Promise<T>, gone?: () => Error): Promise<T> {
    try {
      return await work();
    } catch (err) {
      if (isForeignKeyViolation(err)) throw gone ? gone() : invalidInput('a resource the router refers to was deleted meanwhile');
      throw err;
    }
  }

  private async byIds(ids: string[]): Promise<Router[]> {
    const rows = await this.db.kysely.selectFrom('routers').selectAll().where('id', 'in', ids).execute();
    return this.hydrate(inIdOrder(ids, rows));
  }

  /** Adds gateways, routes, AZs and tags to rows. */
  async hydrate(rows: RouterRow[]): Promise<Router[]> {
    const ids = rows.map((r) => r.id);
    if (ids.length === 0) return [];
    const kysely = this.db.kysely;
    const [gatewayRows, routes, tags, azs] = await Promise.all([
      kysely
        .selectFrom('router_ports')
        .innerJoin('ports', 'ports.id', 'router_ports.port_id')
        .select(['router_ports.router_id as router_id', 'router_ports.port_id as port_id', 'ports.network_id as network_id'])
        .where('router_ports.router_id', 'in', ids)
        .where('router_ports.port_type', '=', ROUTER_GATEWAY)
        .execute(),
      kysely.selectFrom('router_routes').selectAll().where('router_id', 'in', ids).orderBy('destination').orderBy('nexthop').execute(),
      tagsOf(kysely, 'routers', ids),
      this.deps.routings.availabilityZonesOfCopies('router', ids),
    ]);
    const addresses = await addressesOf(
      kysely,
      gatewayRows.map((g) => g.port_id),
    );
    const gateways = new Map<string, RouterGateway>();
    for (const g of gatewayRows) gateways.set(g.router_id, { portId: g.port_id, networkId: g.network_id, fixedIps: addresses.get(g.port_id) ?? [] });
    const routesOf = new Map<string, Route[]>();
    for (const r of routes) routesOf.set(r.router_id, [...(routesOf.get(r.router_id) ?? []), { destination: r.destination, nexthop: r.nexthop }]);
    return rows.map((r) => toRouter(r, { gateway: gateways.get(r.id) ?? null, routes: routesOf.get(r.id), tags: tags.get(r.id), availabilityZones: azs.get(r.id) }));
  }
}

const sameRoute = (a: Route, b: Route) => a.destination === b.destination && a.nexthop === b.nexthop;

/** Whether giving the gateway port `requested` would change its addresses. */
function addressesDiffer(current: FixedIp[], requested: FixedIpRequest[]): boolean {
  const used = new Set<FixedIp>();
  for (const r of requested) {
    const match = current.find(
      (f) => !used.has(f) && (r.ipAddress !== undefined ? f.ipAddress === r.ipAddress && (r.subnetId === undefined || f.subnetId === r.subnetId) : f.subnetId === r.subnetId),
    );
    if (!match) return true;
    used.add(match);
  }
  return used.size !== current.length;
}

/** Upstream refuses IPv6 subnets whose hosts take addresses from an external router's RAs. */
function checkAddressMode(subnet: { id: string; ip_version: number; ipv6_ra_mode: string | null; ipv6_address_mode: string | null }): void {
  if (Number(subnet.ip_version) === 6 && subnet.ipv6_ra_mode === null && subnet.ipv6_address_mode !== null) {
    throw l3Bad.router(`IPv6 subnet ${subnet.id} configured to receive RAs from an external router cannot be added to Neutron Router.`);
  }
}

/** Attributes upstream's default policy leaves to admins. */
function adminOnlyAttributes(input: RouterPatch): string[] {
  return [
    ...(input.distributed !== undefined ? ['distributed'] : []),
    ...(input.ha !== undefined ? ['ha'] : []),
    ...(input.gateway?.enableSnat !== undefined ? ['external_gateway_info:enable_snat'] : []),
    ...(input.gateway?.externalFixedIps !== undefined ? ['external_gateway_info:external_fixed_ips'] : []),
  ];
}

/** Pod routers are centralized and not HA: only false is accepted. */
function refuseUnsupported(input: RouterPatch): void {
  if (input.distributed === true) throw invalidInput('distributed routers are not supported: routers in the pods are centralized');
  if (input.ha === true) throw invalidInput('HA routers are not supported');
}
