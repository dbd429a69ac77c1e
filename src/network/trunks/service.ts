/**
 * Trunks (`/v2.0/trunks`, trunk and trunk-details): a parent port carrying subports, each on a VLAN
 * (or inheriting its network's segment). Top-owned; the trunk lives in the pod of its parent port: once
 * the parent port has a copy in a pod (a boot), the `trunk_sync` job makes the trunk there, with the
 * subports' networks prepared in that pod and their ports copied, and keeps its subports in step.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Selectable } from 'kysely';
import { ApiError } from '../../common/index.js';
import { dbNow, isoSeconds, isUniqueViolation } from '../../db/index.js';
import type { NetworkDeps } from '../deps.js';
import { badRequest, invalidAttribute, notFound } from '../errors.js';
import { isObject, owningProject, parseAttributes, pyRepr, toBool, toList, toStr, toUuid, type AttrSpec, type Json } from '../input.js';
import { projectFilters, tagFilters } from '../listAttrs.js';
import { requireOwner, type Caller } from '../policy.js';
import { findVisiblePort } from '../ports/service.js';
import { applyFilters, pageOf, type AnyEb, type AnySelect, type ListParams, type ListSchema } from '../query.js';
import { inSyncTransaction, TRUNK_SYNC_JOB, type SyncJobs } from '../rbac/jobs.js';
import type { TrunkSubportsTable, TrunksTable } from '../rbac/tables.js';
import { dropTags, tagsOf } from '../tags.js';
import { fromBool, type Trx } from '../tx.js';

export type TrunkRow = Selectable<TrunksTable>;
export type SubportRow = Selectable<TrunkSubportsTable>;

const fault = (status: number, type: string, message: string) => new ApiError(status, message, type);
export const trunkErrors = {
  notFound: (id: string) => fault(404, 'TrunkNotFound', `Trunk ${id} could not be found.`),
  portInUse: (portId: string) => fault(409, 'TrunkPortInUse', `Port ${portId} is in use by another trunk.`),
  parentPort: (portId: string, trunkId: string) => fault(409, 'PortInUseAsTrunkParent', `Port ${portId} is currently a parent port for trunk ${trunkId}.`),
  subport: (portId: string, trunkId: string) => fault(409, 'PortInUseAsSubPort', `Port ${portId} is currently a subport for trunk ${trunkId}.`),
  duplicateSegment: (type: string, id: number, trunkId: string) =>
    fault(409, 'DuplicateSubPort', `segmentation_type ${type} and segmentation_id ${id} already in use on trunk ${trunkId}.`),
  subportNotFound: (portId: string, trunkId: string) => fault(404, 'SubPortNotFound', `SubPort ${portId} could not be found on trunk ${trunkId}.`),
  inUse: (trunkId: string) => fault(409, 'TrunkInUse', `Trunk ${trunkId} is currently in use.`),
  disabled: (trunkId: string) => fault(409, 'TrunkDisabled', `Trunk ${trunkId} is disabled (admin_state_up is false).`),
};

export const TRUNK_LIST: ListSchema = {
  collection: 'trunks',
  idColumn: 'trunks.id',
  attrs: {
    id: { kind: 'string', column: 'trunks.id', sortable: true },
    name: { kind: 'string', column: 'trunks.name', sortable: true },
    description: { kind: 'string', column: 'trunks.description', sortable: true },
    port_id: { kind: 'string', column: 'trunks.port_id', sortable: true },
    status: { kind: 'string', column: 'trunks.status', sortable: true },
    admin_state_up: { kind: 'bool', column: 'trunks.admin_state_up', sortable: true },
    revision_number: { kind: 'int', column: 'trunks.revision_number', sortable: true },
    created_at: { kind: 'timestamp', column: 'trunks.created_at', sortable: true },
    updated_at: { kind: 'timestamp', column: 'trunks.updated_at', sortable: true },
    ...projectFilters('trunks.project_id'),
    ...tagFilters('trunks', 'trunks.id'),
  },
};

interface SubportInput {
  port_id: string;
  segmentation_type: string;
  segmentation_id: number;
}

/**
 * The `sub_ports` of a request, checked as a whole before any port is looked up (as upstream's attribute
 * validation does): each names a port once, with both segmentation_type and segmentation_id (or
 * `inherit`), and no two share a segment.
 */
function subports(value: unknown, attr: string): SubportInput[] {
  const ports = new Set<string>();
  const segments = new Set<string>();
  return toList(value, attr).map((item) => {
    if (!isObject(item)) throw invalidAttribute(attr, `'${pyRepr(item)}' is not a dictionary`);
    const extra = Object.keys(item).filter((k) => !['port_id', 'segmentation_type', 'segmentation_id'].includes(k));
    if (extra.length) throw invalidAttribute(attr, `Unrecognized attribute(s) '${extra.join(', ')}'`);
    const portId = toUuid(item.port_id, attr);
    if (ports.has(portId)) throw invalidAttribute(attr, `port ${portId} is named more than once`);
    ports.add(portId);
    if (item.segmentation_type === undefined && item.segmentation_id !== undefined) {
      throw invalidAttribute(attr, `subport ${portId} has a segmentation_id but no segmentation_type`);
    }
    const type = item.segmentation_type ?? 'vlan';
    if (type !== 'vlan' && type !== 'inherit') throw invalidAttribute(attr, `${pyRepr(type)} is not in ['inherit', 'vlan']`);
    let id = 0;
    if (type === 'vlan' || item.segmentation_id !== undefined) {
      id = Number(item.segmentation_id);
      if (!Number.isInteger(id) || id < 1 || id > 4094) throw invalidAttribute(attr, `${pyRepr(item.segmentation_id ?? null)} is not in range 1 through 4094`);
    }
    const segment = `${type}/${id}`;
    if (type !== 'inherit' && segments.has(segment)) throw invalidAttribute(attr, `segmentation_id ${id} of type ${type} is given to more than one subport`);
    segments.add(segment);
    return { port_id: portId, segmentation_type: type as string, segmentation_id: id };
  });
}

const SPEC: Record<string, AttrSpec> = {
  name: { put: true, convert: toStr(255) },
  description: { put: true, convert: toStr(255) },
  admin_state_up: { put: true, convert: toBool },
  port_id: { required: true, convert: toUuid },
  sub_ports: { convert: subports },
  project_id: { convert: toStr(255) },
  tenant_id: { convert: toStr(255) },
};

const subportView = (s: SubportRow) => ({ port_id: s.port_id, segmentation_type: s.segmentation_type, segmentation_id: Number(s.segmentation_id) });

export function trunkView(t: TrunkRow, subs: SubportRow[], tags: string[]): Json {
  return {
    id: t.id,
    name: t.name,
    description: t.description,
    project_id: t.project_id,
    tenant_id: t.project_id,
    port_id: t.port_id,
    admin_state_up: Boolean(t.admin_state_up),
    status: t.status,
    sub_ports: subs.map(subportView),
    tags,
    revision_number: Number(t.revision_number),
    created_at: isoSeconds(Number(t.created_at)),
    updated_at: isoSeconds(Number(t.updated_at)),
  };
}

/** trunk_details of the parent ports among `portIds` (trunk-details), by port id. */
export async function trunkDetailsOf(
  trx: Trx,
  portIds: string[],
): Promise<Map<string, { trunk_id: string; sub_ports: { port_id: string; segmentation_type: string; segmentation_id: number; mac_address: string }[] }>> {
  const out = new Map<string, { trunk_id: string; sub_ports: { port_id: string; segmentation_type: string; segmentation_id: number; mac_address: string }[] }>();
  if (portIds.length === 0) return out;
  const trunks = await trx.selectFrom('trunks').select(['id', 'port_id']).where('port_id', 'in', portIds).execute();
  if (trunks.length === 0) return out;
  const subs = await trx
    .selectFrom('trunk_subports')
    .innerJoin('ports', 'ports.id', 'trunk_subports.port_id')
    .select(['trunk_subports.trunk_id', 'trunk_subports.port_id', 'trunk_subports.segmentation_type', 'trunk_subports.segmentation_id', 'ports.mac_address'])
    .where(
      'trunk_subports.trunk_id',
      'in',
      trunks.map((t) => t.id),
    )
    .orderBy('trunk_subports.segmentation_id')
    .execute();
  for (const t of trunks) {
    out.set(t.port_id, {
      trunk_id: t.id,
      sub_ports: subs
        .filter((s) => s.trunk_id === t.id)
        .map((s) => ({ port_id: s.port_id, segmentation_type: s.segmentation_type, segmentation_id: Number(s.segmentation_id), mac_address: s.mac_address })),
    });
  }
  return out;
}

/** 409 when the port is a trunk's parent or subport (a port delete refuses it, as upstream). */
export async function refuseTrunkPortDelete(trx: Trx, portId: string): Promise<void> {
  const parent = await trx.selectFrom('trunks').select('id').where('port_id', '=', portId).executeTakeFirst();
  if (parent) throw trunkErrors.parentPort(portId, parent.id);
  const sub = await trx.selectFrom('trunk_subports').select('trunk_id').where('port_id', '=', portId).executeTakeFirst();
  if (sub) throw trunkErrors.subport(portId, sub.trunk_id);
}

export class TrunkService {
  constructor(
    private readonly deps: NetworkDeps,
    private readonly jobs: SyncJobs,
  ) {}

  private get db() {
    return this.deps.db;
  }

  private visible(caller: Caller) {
    return (eb: AnyEb) => (caller.isAdmin ? sql<boolean>`1 = 1` : eb('trunks.project_id', '=', caller.projectId));
  }

  async views(rows: TrunkRow[], trx: Trx = this.db.kysely): Promise<Json[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const subs = await trx.selectFrom('trunk_subports').selectAll().where('trunk_id', 'in', ids).orderBy('segmentation_id').orderBy('port_id').execute();
    const tags = await tagsOf(trx, 'trunks', ids);
    return rows.map((t) =>
      trunkView(
        t,
        subs.filter((s) => s.trunk_id === t.id),
        tags.get(t.id) ?? [],
      ),
    );
  }

  private async row(trx: Trx, caller: Caller, id: string): Promise<TrunkRow> {
    const row = await trx.selectFrom('trunks').selectAll('trunks').where('trunks.id', '=', id).where(this.visible(caller)).executeTakeFirst();
    if (!row) throw trunkErrors.notFound(id);
    return row;
  }

  /** Checks and inserts subports: each a visible port of the caller, not a parent or subport already, one per segment. */
  private async addSubports(trx: Trx, caller: Caller, trunk: { id: string; port_id: string }, items: SubportInput[]): Promise<void> {
    const seen = new Set<string>();
    for (const s of items) {
      const port = await findVisiblePort(trx, caller, s.port_id);
      if (!port) throw notFound.port(s.port_id);
      requireOwner(caller, port.project_id, 'add_subports');
      if (s.port_id === trunk.port_id) throw trunkErrors.parentPort(s.port_id, trunk.id);
      const parentOf = await trx.selectFrom('trunks').select('id').where('port_id', '=', s.port_id).executeTakeFirst();
      if (parentOf) throw trunkErrors.parentPort(s.port_id, parentOf.id);
      const key = `${s.segmentation_type}/${s.segmentation_id}`;
      if (seen.has(key)) throw trunkErrors.duplicateSegment(s.segmentation_type, s.segmentation_id, trunk.id);
      seen.add(key);
      // Checked before the insert: on PostgreSQL a unique violation aborts the whole transaction.
      const other = await trx.selectFrom('trunk_subports').select('trunk_id').where('port_id', '=', s.port_id).executeTakeFirst();
      if (other) throw trunkErrors.subport(s.port_id, other.trunk_id);
      const taken = await trx
        .selectFrom('trunk_subports')
        .select('port_id')
        .where('trunk_id', '=', trunk.id)
        .where('segmentation_type', '=', s.segmentation_type)
        .where('segmentation_id', '=', s.segmentation_id)
        .executeTakeFirst();
      if (taken) throw trunkErrors.duplicateSegment(s.segmentation_type, s.segmentation_id, trunk.id);
      try {
        await trx
          .insertInto('trunk_subports')
          .values({ port_id: s.port_id, trunk_id: trunk.id, segmentation_type: s.segmentation_type, segmentation_id: s.segmentation_id })
          .execute();
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
        const other = await trx.selectFrom('trunk_subports').select('trunk_id').where('port_id', '=', s.port_id).executeTakeFirst();
        if (other) throw trunkErrors.subport(s.port_id, other.trunk_id);
        throw trunkErrors.duplicateSegment(s.segmentation_type, s.segmentation_id, trunk.id);
      }
    }
  }

  async create(caller: Caller, items: Json[]): Promise<Json[]> {
    const ids = await inSyncTransaction(this.db, this.jobs, async (trx, request) => {
      const out: string[] = [];
      for (const item of items) {
        const attrs = parseAttributes(SPEC, item, 'create');
        const projectId = owningProject(attrs, caller);
        const portId = attrs.port_id as string;
        const parent = await findVisiblePort(trx, caller, portId);
        if (!parent) throw notFound.port(portId);
        requireOwner(caller, parent.project_id, 'create_trunk');
        const sub = await trx.selectFrom('trunk_subports').select('trunk_id').where('port_id', '=', portId).executeTakeFirst();
        if (sub) throw trunkErrors.subport(portId, sub.trunk_id);
        // Checked before the insert: on PostgreSQL a unique violation aborts the whole transaction.
        if (await trx.selectFrom('trunks').select('id').where('port_id', '=', portId).executeTakeFirst()) throw trunkErrors.portInUse(portId);
        const id = randomUUID();
        try {
          await trx
            .insertInto('trunks')
            .values({
              id,
              project_id: projectId,
              name: (attrs.name as string | undefined) ?? '',
              description: (attrs.description as string | undefined) ?? '',
              port_id: portId,
              admin_state_up: fromBool((attrs.admin_state_up as boolean | undefined) ?? true),
              status: 'DOWN',
              revision_number: 1,
              created_at: dbNow(this.db.dialect),
              updated_at: dbNow(this.db.dialect),
            })
            .execute();
        } catch (err) {
          if (isUniqueViolation(err)) throw trunkErrors.portInUse(portId);
          throw err;
        }
        await this.addSubports(trx, caller, { id, port_id: portId }, (attrs.sub_ports as SubportInput[] | undefined) ?? []);
        await request(TRUNK_SYNC_JOB, id, projectId);
        out.push(id);
      }
      return out;
    });
    const rows = await this.db.kysely.selectFrom('trunks').selectAll().where('id', 'in', ids).execute();
    return this.views(ids.map((id) => rows.find((r) => r.id === id)!));
  }

  async list(caller: Caller, params: ListParams): Promise<TrunkRow[]> {
    const base = this.db.kysely.selectFrom('trunks').selectAll('trunks').where(this.visible(caller)) as AnySelect;
    return pageOf<TrunkRow>(applyFilters(base, TRUNK_LIST, params), TRUNK_LIST, params, (id) => base.where('trunks.id', '=', id).executeTakeFirst());
  }

  async show(caller: Caller, id: string): Promise<Json> {
    return (await this.views([await this.row(this.db.kysely, caller, id)]))[0];
  }

  async update(caller: Caller, id: string, body: Json): Promise<Json> {
    const attrs = parseAttributes(SPEC, body, 'update');
    await this.change(caller, id, async (trx) => {
      await trx
        .updateTable('trunks')
        .set({
          ...(attrs.name !== undefined ? { name: attrs.name as string } : {}),
          ...(attrs.description !== undefined ? { description: attrs.description as string } : {}),
          ...(attrs.admin_state_up !== undefined ? { admin_state_up: fromBool(attrs.admin_state_up as boolean) } : {}),
        })
        .where('id', '=', id)
        .execute();
    });
    return this.show(caller, id);
  }

  async changeSubports(caller: Caller, id: string, body: unknown, action: 'add' | 'remove'): Promise<Json> {
    if (!isObject(body) || body.sub_ports === undefined) throw badRequest(`Failed to parse request. Required attribute 'sub_ports' not specified`);
    await this.change(caller, id, async (trx, row) => {
      // As upstream: the subports of a disabled trunk are frozen.
      if (!row.admin_state_up) throw trunkErrors.disabled(id);
      if (action === 'add') return this.addSubports(trx, caller, row, subports(body.sub_ports, 'sub_ports'));
      for (const item of toList(body.sub_ports, 'sub_ports')) {
        const portId = toUuid(isObject(item) ? item.port_id : undefined, 'sub_ports');
        const gone = await trx.deleteFrom('trunk_subports').where('trunk_id', '=', id).where('port_id', '=', portId).executeTakeFirst();
        if (Number(gone.numDeletedRows) === 0) throw trunkErrors.subportNotFound(portId, id);
      }
    });
    return this.show(caller, id);
  }

  async subports(caller: Caller, id: string): Promise<Json[]> {
    return (await this.show(caller, id)).sub_ports as Json[];
  }

  async delete(caller: Caller, id: string): Promise<void> {
    await inSyncTransaction(this.db, this.jobs, async (trx, request) => {
      const row = await this.row(trx, caller, id);
      requireOwner(caller, row.project_id, 'delete_trunk');
      if (!row.admin_state_up) throw trunkErrors.disabled(id);
      // As upstream: a trunk whose parent port is bound to a server is in use.
      const parent = await trx.selectFrom('ports').select('device_id').where('id', '=', row.port_id).executeTakeFirst();
      if (parent && parent.device_id !== '' && row.status === 'ACTIVE') throw trunkErrors.inUse(id);
      await trx.deleteFrom('trunk_subports').where('trunk_id', '=', id).execute();
      await dropTags(trx, 'trunks', [id]);
      await trx.deleteFrom('trunks').where('id', '=', id).execute();
      await request(TRUNK_SYNC_JOB, id, row.project_id);
    });
  }

  private async change(caller: Caller, id: string, work: (trx: Trx, row: TrunkRow) => Promise<void>): Promise<void> {
    await inSyncTransaction(this.db, this.jobs, async (trx, request) => {
      const row = await this.row(trx, caller, id);
      requireOwner(caller, row.project_id, 'update_trunk');
      await work(trx, row);
      await trx
        .updateTable('trunks')
        .set((eb) => ({ revision_number: eb('revision_number', '+', 1), updated_at: dbNow(this.db.dialect) }))
        .where('id', '=', id)
        .execute();
      await request(TRUNK_SYNC_JOB, id, row.project_id);
    });
  }
}
