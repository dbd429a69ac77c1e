/**
 * Floating IP port forwardings (`/v2.0/floatingips/{id}/port_forwardings`): a TCP or UDP port (or
 * range) of an unassociated floating IP forwarded to a port (or range) of an internal port's fixed IP.
 * Top-owned; the forwarding is made in the pod of the floating IP's external network by the
 * `port_forwarding_sync` job (resource id = the floating IP id), which brings the pod's forwardings of
 * that floating IP to the top's.
 */
import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import { ApiError } from '../../common/index.js';
import { dbNow, isUniqueViolation } from '../../db/index.js';
import type { NetworkDeps } from '../deps.js';
import { badResourceRequest, invalidAttribute, notFound } from '../errors.js';
import { visibleFloatingIp } from '../floatingips/service.js';
import { parseAttributes, pyRepr, toInt, toIp, toStr, toUuid, type AttrSpec, type Json } from '../input.js';
import { requireOwner, type Caller } from '../policy.js';
import { findVisiblePort } from '../ports/service.js';
import { applyFilters, pageOf, paginationLinks, parseListParams, projectFields, type AnySelect, type ListSchema } from '../query.js';
import { inSyncTransaction, PORT_FORWARDING_SYNC_JOB, type SyncJobs } from '../rbac/jobs.js';
import type { PortForwardingsTable } from '../rbac/tables.js';
import { l3NotFound } from '../routers/errors.js';
import type { Trx } from '../tx.js';

export type PortForwardingRow = Selectable<PortForwardingsTable>;

export const pfErrors = {
  notFound: (id: string) => new ApiError(404, `Port Forwarding ${id} could not be found.`, 'PortForwardingNotFound'),
  bad: (msg: string) => badResourceRequest('port_forwarding', msg),
};

const portNumber = (value: unknown, attr: string) => {
  const n = toInt(value, attr);
  if (n < 1 || n > 65535) throw invalidAttribute(attr, `'${n}' is not in range 1 through 65535`);
  return n;
};
const portRange = (value: unknown, attr: string): [number, number] => {
  const text = typeof value === 'number' ? String(value) : value;
  const m = typeof text === 'string' ? /^(\d+)(?::(\d+))?$/.exec(text) : null;
  if (!m) throw invalidAttribute(attr, `${pyRepr(value)} is not a valid port range`);
  const a = portNumber(Number(m[1]), attr);
  const b = portNumber(Number(m[2] ?? m[1]), attr);
  if (b < a) throw invalidAttribute(attr, `${pyRepr(value)} is not a valid port range`);
  return [a, b];
};
const protocol = (value: unknown, attr: string) => {
  if (value !== 'tcp' && value !== 'udp') throw invalidAttribute(attr, `${pyRepr(value)} is not in ['tcp', 'udp']`);
  return value;
};

const SPEC: Record<string, AttrSpec> = {
  internal_port_id: { put: true, convert: toUuid },
  internal_ip_address: { put: true, convert: toIp },
  internal_port: { put: true, convert: portNumber },
  external_port: { put: true, convert: portNumber },
  internal_port_range: { put: true, convert: portRange },
  external_port_range: { put: true, convert: portRange },
  protocol: { put: true, convert: protocol },
  description: { put: true, convert: toStr(255) },
  project_id: { convert: toStr(255) },
  tenant_id: { convert: toStr(255) },
};

export const PF_LIST: ListSchema = {
  collection: 'port_forwardings',
  idColumn: 'port_forwardings.id',
  attrs: {
    id: { kind: 'string', column: 'port_forwardings.id', sortable: true },
    internal_port_id: { kind: 'string', column: 'port_forwardings.internal_port_id', sortable: true },
    external_port: { kind: 'int', column: 'port_forwardings.external_port_start', sortable: true },
    protocol: { kind: 'string', column: 'port_forwardings.protocol', sortable: true },
    description: { kind: 'string', column: 'port_forwardings.description', sortable: true },
  },
};

const range = (a: number, b: number) => (a === b ? `${a}` : `${a}:${b}`);

export function pfView(r: PortForwardingRow): Json {
  const single = Number(r.internal_port_start) === Number(r.internal_port_end) && Number(r.external_port_start) === Number(r.external_port_end);
  return {
    id: r.id,
    protocol: r.protocol,
    internal_ip_address: r.internal_ip_address,
    internal_port: single ? Number(r.internal_port_start) : null,
    internal_port_id: r.internal_port_id,
    external_port: single ? Number(r.external_port_start) : null,
    internal_port_range: range(Number(r.internal_port_start), Number(r.internal_port_end)),
    external_port_range: range(Number(r.external_port_start), Number(r.external_port_end)),
    description: r.description,
  };
}

export class PortForwardingService {
  constructor(
    private readonly deps: NetworkDeps,
    private readonly jobs: SyncJobs,
  ) {}

  private get db() {
    return this.deps.db;
  }

  private async fip(trx: Trx, caller: Caller, id: string) {
    const row = await trx.selectFrom('floatingips').selectAll('floatingips').where('floatingips.id', '=', id).where(visibleFloatingIp(caller)).executeTakeFirst();
    if (!row) throw l3NotFound.floatingIp(id);
    return row;
  }

  private async row(trx: Trx, fipId: string, id: string): Promise<PortForwardingRow> {
    const row = await trx.selectFrom('port_forwardings').selectAll().where('id', '=', id).where('floatingip_id', '=', fipId).executeTakeFirst();
    if (!row) throw pfErrors.notFound(id);
    return row;
  }

  /** The request's attributes merged over `current`, checked as one forwarding. */
  private async resolve(trx: Trx, caller: Caller, fip: { id: string; fixed_port_id: string | null; floating_network_id: string }, attrs: Json, current?: PortForwardingRow) {
    if (fip.fixed_port_id) throw pfErrors.bad(`The floating IP ${fip.id} is associated with port ${fip.fixed_port_id}`);
    if (attrs.internal_port !== undefined && attrs.internal_port_range !== undefined) throw pfErrors.bad('internal_port and internal_port_range cannot be given together');
    if (attrs.external_port !== undefined && attrs.external_port_range !== undefined) throw pfErrors.bad('external_port and external_port_range cannot be given together');
    const internal =
      (attrs.internal_port_range as [number, number] | undefined) ??
      (attrs.internal_port !== undefined ? [attrs.internal_port as number, attrs.internal_port as number] : undefined) ??
      (current ? [Number(current.internal_port_start), Number(current.internal_port_end)] : undefined);
    const external =
      (attrs.external_port_range as [number, number] | undefined) ??
      (attrs.external_port !== undefined ? [attrs.external_port as number, attrs.external_port as number] : undefined) ??
      (current ? [Number(current.external_port_start), Number(current.external_port_end)] : undefined);
    const portId = (attrs.internal_port_id as string | undefined) ?? current?.internal_port_id;
    const proto = (attrs.protocol as string | undefined) ?? current?.protocol;
    if (!internal) throw pfErrors.bad("'internal_port' or 'internal_port_range' is required");
    if (!external) throw pfErrors.bad("'external_port' or 'external_port_range' is required");
    if (!portId) throw pfErrors.bad("'internal_port_id' is required");
    if (!proto) throw pfErrors.bad("'protocol' is required");
    const width = (r: number[]) => r[1] - r[0];
    if (width(internal) !== width(external) && width(internal) !== 0)
      throw pfErrors.bad('The internal and external port ranges must have the same size, or the internal range be one port');
    const port = await findVisiblePort(trx, caller, portId);
    if (!port) throw notFound.port(portId);
    requireOwner(caller, port.project_id, 'create_floatingip_port_forwarding');
    const addresses = await trx.selectFrom('ip_allocations').select(['ip_address', 'subnet_id']).where('port_id', '=', portId).execute();
    const ip = (attrs.internal_ip_address as string | undefined) ?? current?.internal_ip_address ?? (addresses.length === 1 ? addresses[0].ip_address : undefined);
    const address = addresses.find((a) => a.ip_address === ip);
    if (!ip || !address) throw pfErrors.bad(`The internal IP address ${ip ?? 'None'} is not a fixed IP of port ${portId}`);
    // As a floating IP association: a router with an interface on the internal subnet and a gateway on the floating IP's network.
    const router = await trx
      .selectFrom('router_ports as i')
      .innerJoin('ip_allocations as a', 'a.port_id', 'i.port_id')
      .innerJoin('router_ports as g', 'g.router_id', 'i.router_id')
      .innerJoin('ports as gp', 'gp.id', 'g.port_id')
      .select('i.router_id')
      .where('a.subnet_id', '=', address.subnet_id)
      .where('i.port_type', '=', 'network:router_interface')
      .where('g.port_type', '=', 'network:router_gateway')
      .where('gp.network_id', '=', fip.floating_network_id)
      .executeTakeFirst();
    if (!router) {
      throw new ApiError(
        404,
        `External network ${fip.floating_network_id} is not reachable from subnet ${address.subnet_id}.  Therefore, cannot associate Port ${portId} with a Floating IP.`,
        'ExternalGatewayForFloatingIPNotFound',
      );
    }
    return { internal, external, portId, ip, proto };
  }

  async create(caller: Caller, fipId: string, body: Json): Promise<Json> {
    const attrs = parseAttributes(SPEC, body, 'create');
    const id = randomUUID();
    await this.inChange(caller, fipId, async (trx, fip) => {
      const r = await this.resolve(trx, caller, fip, attrs);
      await this.write(trx, () =>
        trx
          .insertInto('port_forwardings')
          .values({
            id,
            floatingip_id: fipId,
            internal_port_id: r.portId,
            internal_ip_address: r.ip,
            internal_port_start: r.internal[0],
            internal_port_end: r.internal[1],
            external_port_start: r.external[0],
            external_port_end: r.external[1],
            protocol: r.proto,
            description: (attrs.description as string | undefined) ?? '',
            revision_number: 1,
            created_at: dbNow(this.db.dialect),
            updated_at: dbNow(this.db.dialect),
          })
          .execute(),
      );
    });
    return pfView(await this.row(this.db.kysely, fipId, id));
  }

  async list(caller: Caller, fipId: string, query: URLSearchParams, baseUrl: string): Promise<Json> {
    await this.fip(this.db.kysely, caller, fipId);
    const params = parseListParams(query, PF_LIST);
    const base = this.db.kysely.selectFrom('port_forwardings').selectAll('port_forwardings').where('floatingip_id', '=', fipId) as AnySelect;
    const rows = await pageOf<PortForwardingRow>(applyFilters(base, PF_LIST, params), PF_LIST, params, (id) => base.where('port_forwardings.id', '=', id).executeTakeFirst());
    const links = paginationLinks(baseUrl, params, rows);
    return { port_forwardings: rows.map((r) => projectFields(pfView(r), params.fields)), ...(links?.length ? { port_forwardings_links: links } : {}) };
  }

  async show(caller: Caller, fipId: string, id: string): Promise<Json> {
    await this.fip(this.db.kysely, caller, fipId);
    return pfView(await this.row(this.db.kysely, fipId, id));
  }

  async update(caller: Caller, fipId: string, id: string, body: Json): Promise<Json> {
    const attrs = parseAttributes(SPEC, body, 'update');
    await this.inChange(caller, fipId, async (trx, fip) => {
      const current = await this.row(trx, fipId, id);
      const r = await this.resolve(trx, caller, fip, attrs, current);
      await this.write(trx, () =>
        trx
          .updateTable('port_forwardings')
          .set((eb) => ({
            internal_port_id: r.portId,
            internal_ip_address: r.ip,
            internal_port_start: r.internal[0],
            internal_port_end: r.internal[1],
            external_port_start: r.external[0],
            external_port_end: r.external[1],
            protocol: r.proto,
            ...(attrs.description !== undefined ? { description: attrs.description as string } : {}),
            revision_number: eb('revision_number', '+', 1),
            updated_at: dbNow(this.db.dialect),
          }))
          .where('id', '=', id)
          .execute(),
      );
    });
    return pfView(await this.row(this.db.kysely, fipId, id));
  }

  async delete(caller: Caller, fipId: string, id: string): Promise<void> {
    await this.inChange(caller, fipId, async (trx) => {
      await this.row(trx, fipId, id);
      await trx.deleteFrom('port_forwardings').where('id', '=', id).execute();
    });
  }

  /** A duplicate of another forwarding's external port (or internal address and port) is 400, as upstream. */
  private async write(_trx: Trx, work: () => Promise<unknown>): Promise<void> {
    try {
      await work();
    } catch (err) {
      if (isUniqueViolation(err)) throw pfErrors.bad('A duplicate port forwarding entry with same attributes already exists');
      throw err;
    }
  }

  private async inChange(caller: Caller, fipId: string, work: (trx: Trx, fip: { id: string; fixed_port_id: string | null; floating_network_id: string }) => Promise<void>) {
    await inSyncTransaction(this.db, this.jobs, async (trx, request) => {
      const fip = await this.fip(trx, caller, fipId);
      requireOwner(caller, fip.project_id, 'update_floatingip');
      await work(trx, fip);
      await request(PORT_FORWARDING_SYNC_JOB, fipId, fip.project_id);
    });
  }
}
