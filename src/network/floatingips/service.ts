/**
 * Top floating IPs: an address of an external network, held by a `network:floatingip` port, and
 * optionally associated with a fixed IPv4 address of an internal port whose subnet is attached to a
 * router with a gateway on that external network. Created DOWN; the pod side (a `fip_setup` job,
 * requested in the same transaction as every association change and every delete) sets the status.
 */
import { PORT_FORWARDING_SYNC_JOB, syncJobsOf } from '../rbac/jobs.js';
import { randomUUID } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import { ApiError } from '../../common/index.js';
import { dbNow, isForeignKeyViolation, isUniqueViolation, type Database, type Db } from '../../db/index.js';
import type { NetworkDeps } from '../deps.js';
import { conflict, notFound } from '../errors.js';
import { owningProject } from '../input.js';
import { parseIp } from '../ip.js';
import { projectFilters, tagFilters } from '../listAttrs.js';
import { visibleNetwork } from '../networks/service.js';
import { requireAdminForAttributes, type Caller } from '../policy.js';
import { addressesOf, ipamSubnetsOf, planAllocations, type AllocationStep } from '../ports/ipam.js';
import { findVisiblePort } from '../ports/service.js';
import { applyFilters, inIdOrder, pageOf, type AnyEb, type AnySelect, type ListParams, type ListSchema } from '../query.js';
import { dropTags, tagsOf } from '../tags.js';
import { toBool, type Trx } from '../tx.js';
import { l3Bad, l3Conflict, l3NotFound } from '../routers/errors.js';
import { inL3Transaction, type L3JobRecorder, type L3JobRequests } from '../routers/jobs.js';
import { createServicePort, deleteServicePort, FLOATINGIP, L3_OWNERS, PORT_STATUS_NOT_APPLICABLE, ROUTER_GATEWAY, ROUTER_INTERFACE } from '../routers/l3ports.js';
import { lockRouter } from '../routers/service.js';
import type { FloatingIpCreateInput, FloatingIpPatch } from './input.js';
import { toFloatingIp, type FloatingIp, type FloatingIpPortDetails, type FloatingIpRow } from './model.js';

export const FLOATINGIP_LIST: ListSchema = {
  collection: 'floatingips',
  idColumn: 'floatingips.id',
  attrs: {
    id: { kind: 'string', column: 'floatingips.id', sortable: true },
    floating_ip_address: { kind: 'string', column: 'floatingips.floating_ip_address', sortable: true },
    floating_network_id: { kind: 'string', column: 'floatingips.floating_network_id', sortable: true },
    fixed_ip_address: { kind: 'string', column: 'floatingips.fixed_ip_address', sortable: true },
    port_id: { kind: 'string', column: 'floatingips.fixed_port_id', sortable: true },
    router_id: { kind: 'string', column: 'floatingips.router_id', sortable: true },
    status: { kind: 'string', column: 'floatingips.status', sortable: true },
    description: { kind: 'string', column: 'floatingips.description', sortable: true },
    revision_number: { kind: 'int', column: 'floatingips.revision_number', sortable: true },
    created_at: { kind: 'timestamp', column: 'floatingips.created_at', sortable: true },
    updated_at: { kind: 'timestamp', column: 'floatingips.updated_at', sortable: true },
    ...projectFilters('floatingips.project_id'),
    ...tagFilters('floatingips', 'floatingips.id'),
  },
};

/** Floating IPs a caller sees: its project's (admins: all). */
export function visibleFloatingIp(caller: Caller) {
  return (eb: AnyEb) => (caller.isAdmin ? sql<boolean>`1 = 1` : eb('floatingips.project_id', '=', caller.projectId));
}

/** What an association resolves to. */
interface Association {
  portId: string;
  fixedIp: string;
  routerId: string;
}

const isV4 = (ip: string) => parseIp(ip)?.version === 4;

export class FloatingIpService {
  constructor(
    private readonly deps: NetworkDeps,
    private readonly jobs: L3JobRequests,
  ) {}

  private get db(): Db {
    return this.deps.db;
  }

  async findVisible(trx: Trx, caller: Caller, id: string): Promise<FloatingIpRow | undefined> {
    return trx.selectFrom('floatingips').selectAll('floatingips').where('floatingips.id', '=', id).where(visibleFloatingIp(caller)).executeTakeFirst();
  }

  private async visibleOr404(caller: Caller, id: string): Promise<FloatingIpRow> {
    const row = await this.findVisible(this.db.kysely, caller, id);
    if (!row) throw l3NotFound.floatingIp(id);
    return row;
  }

  async create(caller: Caller, inputs: FloatingIpCreateInput[]): Promise<FloatingIp[]> {
    const prepared: { id: string; projectId: string; input: FloatingIpCreateInput }[] = [];
    for (const input of inputs) {
      const projectId = owningProject({ project_id: input.project_id, tenant_id: input.tenant_id }, caller);
      if (input.floatingIpAddress !== undefined) requireAdminForAttributes(caller, 'create_floatingip', ['floating_ip_address']);
      const network = await this.db.kysely
        .selectFrom('networks')
        .select(['networks.id', 'networks.external'])
        .where('networks.id', '=', input.floatingNetworkId)
        .where(visibleNetwork(caller))
        .executeTakeFirst();
      if (!network) throw notFound.network(input.floatingNetworkId);
      if (!toBool(network.external)) throw l3Bad.floatingIp(`Network ${input.floatingNetworkId} is not a valid external network`);
      if (input.fixedIpAddress && !input.portId) throw l3Bad.floatingIp('fixed_ip_address cannot be specified without a port_id');
      prepared.push({ id: randomUUID(), projectId, input });
    }
    await this.guard(() =>
      inL3Transaction(this.db, this.jobs, async (trx, request) => {
        await this.deps.quotas.admit(trx, 'floatingip', prepared);
        for (const p of prepared) await this.insert(trx, request, caller, p.id, p.projectId, p.input);
      }),
    );
    return this.byIds(prepared.map((p) => p.id));
  }

  private async insert(trx: Transaction<Database>, request: L3JobRecorder, caller: Caller, id: string, projectId: string, input: FloatingIpCreateInput): Promise<void> {
    const networkId = input.floatingNetworkId;
    const subnets = await ipamSubnetsOf(trx, networkId);
    let steps: AllocationStep[];
    if (input.subnetId !== undefined || input.floatingIpAddress !== undefined) {
      steps = planAllocations(networkId, subnets, [{ subnetId: input.subnetId, ipAddress: input.floatingIpAddress }], FLOATINGIP);
    } else {
      const v4 = subnets.filter((s) => s.cidr.version === 4);
      if (v4.length === 0) throw l3Bad.externalIpExhausted(networkId);
      steps = [{ kind: 'any', subnets: v4, exhausted: () => conflict.ipExhaustedOnNetwork(networkId) }];
    }
    const port = await createServicePort(this.db, trx, {
      projectId,
      networkId,
      deviceId: id,
      deviceOwner: FLOATINGIP,
      status: PORT_STATUS_NOT_APPLICABLE,
      steps,
    });
    const address = port.fixedIps.find((f) => isV4(f.ipAddress));
    if (!address) throw l3Bad.externalIpExhausted(networkId);
    const fip = { id, projectId, floatingNetworkId: networkId, floatingIpAddress: address.ipAddress };
    const association = input.portId ? await this.associationFor(trx, caller, fip, input.portId, input.fixedIpAddress ?? undefined) : null;
    const now = dbNow(this.db.dialect);
    await trx
      .insertInto('floatingips')
      .values({
        id,
        project_id: projectId,
        floating_network_id: networkId,
        floating_ip_address: address.ipAddress,
        floating_port_id: port.id,
        fixed_port_id: association?.portId ?? null,
        fixed_ip_address: association?.fixedIp ?? null,
        router_id: association?.routerId ?? null,
        description: input.description ?? '',
        status: 'DOWN',
        revision_number: 1,
        created_at: now,
        updated_at: now,
      })
      .execute();
    if (association) await request.floatingIp(id, projectId);
  }

  async list(caller: Caller, params: ListParams): Promise<FloatingIp[]> {
    const base = this.db.kysely.selectFrom('floatingips').selectAll('floatingips').where(visibleFloatingIp(caller)) as AnySelect;
    const rows = await pageOf<FloatingIpRow>(applyFilters(base, FLOATINGIP_LIST, params), FLOATINGIP_LIST, params, (id) =>
      base.where('floatingips.id', '=', id).executeTakeFirst(),
    );
    return this.hydrate(rows);
  }

  async get(caller: Caller, id: string): Promise<FloatingIp> {
    return (await this.hydrate([await this.visibleOr404(caller, id)]))[0];
  }

  /** Associates (port_id), re-associates, disassociates (port_id null) or describes a floating IP. */
  async update(caller: Caller, id: string, patch: FloatingIpPatch): Promise<FloatingIp> {
    await this.visibleOr404(caller, id);
    if (patch.fixedIpAddress && !patch.portId) throw l3Bad.floatingIp('fixed_ip_address cannot be specified without a port_id');
    await this.guard(() =>
      inL3Transaction(this.db, this.jobs, async (trx, request) => {
        const row = await lockFloatingIp(this.db, trx, id);
        if (!row) throw l3NotFound.floatingIp(id);
        let association: Association | null | undefined;
        if (patch.portId) await refuseIfForwarding(trx, id);
        if (patch.portId === null) {
          association = null;
        } else if (patch.portId !== undefined) {
          association = await this.associationFor(
            trx,
            caller,
            { id, projectId: row.project_id, floatingNetworkId: row.floating_network_id, floatingIpAddress: row.floating_ip_address },
            patch.portId,
            patch.fixedIpAddress ?? undefined,
          );
        }
        const before = { portId: row.fixed_port_id, fixedIp: row.fixed_ip_address, routerId: row.router_id };
        const after = association === undefined ? before : { portId: association?.portId ?? null, fixedIp: association?.fixedIp ?? null, routerId: association?.routerId ?? null };
        const changed = after.portId !== before.portId || after.fixedIp !== before.fixedIp || after.routerId !== before.routerId;
        await trx
          .updateTable('floatingips')
          .set((eb) => ({
            ...(changed ? { fixed_port_id: after.portId, fixed_ip_address: after.fixedIp, router_id: after.routerId, status: 'DOWN' } : {}),
            ...(patch.description !== undefined ? { description: patch.description } : {}),
            revision_number: eb('revision_number', '+', 1),
            updated_at: dbNow(this.db.dialect),
          }))
          .where('id', '=', id)
          .execute();
        if (changed) await request.floatingIp(id, row.project_id);
      }),
    );
    return this.get(caller, id);
  }

  /** Deletes a floating IP and its port; the pods drop theirs through the `fip_setup` job it requests. */
  async delete(caller: Caller, id: string): Promise<void> {
    await this.visibleOr404(caller, id);
    const sync = syncJobsOf(this.deps);
    let job = '';
    await inL3Transaction(this.db, this.jobs, async (trx, request) => {
      const row = await lockFloatingIp(this.db, trx, id);
      if (!row) throw l3NotFound.floatingIp(id);
      // Its port forwardings go with it (a key cascade); their pod copy follows.
      const forwarded = await trx.selectFrom('port_forwardings').select('id').where('floatingip_id', '=', id).executeTakeFirst();
      job = forwarded ? await sync.request(trx, PORT_FORWARDING_SYNC_JOB, id, row.project_id) : '';
      await trx.deleteFrom('port_forwardings').where('floatingip_id', '=', id).execute();
      await trx.deleteFrom('floatingips').where('id', '=', id).execute();
      await deleteServicePort(trx, row.floating_port_id);
      await dropTags(trx, 'floatingips', [id]);
      await request.floatingIp(id, row.project_id);
    });
    sync.signal([job]);
  }

  /**
   * Checks an association as upstream does and finds its router: the port is the floating IP
   * project's (or the caller is admin), is not a DHCP or L3 port, and has the given (or its only)
   * fixed IPv4 address, on a subnet attached to a router whose gateway is on the floating IP's
   * network (the router whose interface is the subnet's gateway first). The router's row is locked,
   * so its interface or gateway cannot go meanwhile. A fixed IP has one floating IP per external network.
   */
  private async associationFor(
    trx: Trx,
    caller: Caller,
    fip: { id: string; projectId: string; floatingNetworkId: string; floatingIpAddress: string },
    portId: string,
    fixedIp: string | undefined,
  ): Promise<Association> {
    const port = await findVisiblePort(trx, caller, portId);
    if (!port) throw notFound.port(portId);
    if (!caller.isAdmin && port.project_id !== fip.projectId) {
      throw l3Bad.floatingIp(`Cannot process floating IP association with Port ${portId}, since that port is owned by a different tenant`);
    }
    if (port.device_owner === 'network:dhcp' || L3_OWNERS.includes(port.device_owner)) {
      throw l3Bad.floatingIp(`Port ${portId} is unable to be assigned a floating IP`);
    }
    const addresses = (await addressesOf(trx, [portId])).get(portId) ?? [];
    let chosen;
    if (fixedIp !== undefined) {
      if (!isV4(fixedIp)) throw l3Bad.floatingIp(`Cannot process floating IP association with ${fixedIp}, since that is not an IPv4 address`);
      chosen = addresses.find((a) => a.ipAddress === fixedIp);
      if (!chosen) throw l3Bad.floatingIp(`Port ${portId} does not have fixed ip ${fixedIp}`);
    } else {
      const v4 = addresses.filter((a) => isV4(a.ipAddress));
      if (v4.length === 0) throw l3Bad.floatingIp(`Cannot add floating IP to port ${portId} that has no fixed IPv4 addresses`);
      if (v4.length > 1) {
        throw l3Bad.floatingIp(`Port ${portId} has multiple fixed IPv4 addresses.  Must provide a specific IPv4 address when assigning a floating IP`);
      }
      chosen = v4[0];
    }
    let routerId = await this.routerFor(trx, port.network_id, chosen.subnetId, fip.floatingNetworkId);
    if (!routerId) throw l3NotFound.externalGatewayForFloatingIp(fip.floatingNetworkId, chosen.subnetId, portId);
    await lockRouter(this.deps, trx, routerId);
    routerId = await this.routerFor(trx, port.network_id, chosen.subnetId, fip.floatingNetworkId);
    if (!routerId) throw l3NotFound.externalGatewayForFloatingIp(fip.floatingNetworkId, chosen.subnetId, portId);
    const taken = await trx
      .selectFrom('floatingips')
      .select('id')
      .where('floating_network_id', '=', fip.floatingNetworkId)
      .where('fixed_port_id', '=', portId)
      .where('fixed_ip_address', '=', chosen.ipAddress)
      .where('id', '!=', fip.id)
      .executeTakeFirst();
    if (taken) throw l3Conflict.floatingIpPortAlreadyAssociated(fip.floatingIpAddress, fip.id, portId, chosen.ipAddress, fip.floatingNetworkId);
    return { portId, fixedIp: chosen.ipAddress, routerId };
  }

  /** The router joining the subnet to the external network, preferring the one on the subnet's gateway IP. */
  private async routerFor(trx: Trx, networkId: string, subnetId: string, externalNetworkId: string): Promise<string | undefined> {
    const rows = await trx
      .selectFrom('router_ports as rp')
      .innerJoin('ports as p', 'p.id', 'rp.port_id')
      .innerJoin('ip_allocations as ia', 'ia.port_id', 'p.id')
      .innerJoin('router_ports as gw', (j) => j.onRef('gw.router_id', '=', 'rp.router_id').on('gw.port_type', '=', ROUTER_GATEWAY))
      .innerJoin('ports as gp', 'gp.id', 'gw.port_id')
      .innerJoin('subnets as s', 's.id', 'ia.subnet_id')
      .select(['rp.router_id as router_id', 'ia.ip_address as ip_address', 's.gateway_ip as gateway_ip'])
      .where('p.network_id', '=', networkId)
      .where('rp.port_type', '=', ROUTER_INTERFACE)
      .where('ia.subnet_id', '=', subnetId)
      .where('gp.network_id', '=', externalNetworkId)
      .orderBy('rp.router_id')
      .execute();
    return (rows.find((r) => r.ip_address === r.gateway_ip) ?? rows[0])?.router_id;
  }

  /** A fixed IP's second floating IP on one network loses the race on the key: 409 as upstream. */
  private async guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw new ApiError(409, 'Cannot associate floating IP: that fixed IP already has a floating IP on this external network.', 'FloatingIPPortAlreadyAssociated');
      }
      if (isForeignKeyViolation(err)) throw l3Bad.floatingIp('a port or network of the request was deleted meanwhile');
      throw err;
    }
  }

  private async byIds(ids: string[]): Promise<FloatingIp[]> {
    const rows = await this.db.kysely.selectFrom('floatingips').selectAll().where('id', 'in', ids).execute();
    return this.hydrate(inIdOrder(ids, rows));
  }

  private async hydrate(rows: FloatingIpRow[]): Promise<FloatingIp[]> {
    if (rows.length === 0) return [];
    const kysely = this.db.kysely;
    const portIds = [...new Set(rows.map((r) => r.fixed_port_id).filter((p): p is string => p !== null))];
    const [ports, tags] = await Promise.all([
      portIds.length ? kysely.selectFrom('ports').selectAll().where('id', 'in', portIds).execute() : Promise.resolve([]),
      tagsOf(
        kysely,
        'floatingips',
        rows.map((r) => r.id),
      ),
    ]);
    const details = new Map<string, FloatingIpPortDetails>(
      ports.map((p) => [
        p.id,
        {
          name: p.name,
          networkId: p.network_id,
          macAddress: p.mac_address,
          adminStateUp: toBool(p.admin_state_up),
          status: p.status,
          deviceId: p.device_id,
          deviceOwner: p.device_owner,
        },
      ]),
    );
    return rows.map((r) => toFloatingIp(r, { portDetails: r.fixed_port_id ? details.get(r.fixed_port_id) : null, tags: tags.get(r.id) }));
  }
}

async function lockFloatingIp(db: Db, trx: Trx, id: string): Promise<FloatingIpRow | undefined> {
  let q = trx.selectFrom('floatingips').selectAll().where('id', '=', id);
  if (db.dialect !== 'sqlite') q = q.forUpdate();
  return q.executeTakeFirst();
}

/** As upstream: a floating IP with port forwardings cannot be associated with a port (409 FipInUseByPortForwarding). */
async function refuseIfForwarding(trx: Trx, floatingIpId: string): Promise<void> {
  const pf = await trx.selectFrom('port_forwardings').select('id').where('floatingip_id', '=', floatingIpId).executeTakeFirst();
  if (pf) throw new ApiError(409, `Floating IP ${floatingIpId} in use by Port Forwarding resources.`, 'FipInUseByPortForwarding');
}
