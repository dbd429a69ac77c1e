/**
 * The one service behind every `SimpleResourceSpec`: create (bulk too), list, show, update, delete in
 * one transaction each, with upstream's policy defaults (admin-only attributes, owner checks), tags,
 * revision numbers and `If-Match: revision_number=N`.
 */
import { randomUUID } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import { dbNow, isoSeconds } from '../../db/index.js';
import type { NetworkDeps } from '../deps.js';
import { badRequest, policyNotAuthorized } from '../errors.js';
import { owningProject, parseAttributes, type AttrSpec, type Json } from '../input.js';
import { projectFilters, tagFilters } from '../listAttrs.js';
import type { Caller } from '../policy.js';
import {
  type AnyEb,
  type AnySelect,
  applyFilters,
  type ListAttr,
  type ListParams,
  type ListSchema,
  markerColumns,
  pageOf,
  paginationLinks,
  parseListParams,
  projectFields,
} from '../query.js';
import { dropTags, type TaggedCollection, tagsOf } from '../tags.js';
import { inTransaction, type Trx } from '../tx.js';
import { sharedWith } from '../rbac/service.js';
import type { FieldSpec, Row, SimpleResourceSpec } from './spec.js';
import { checkIfMatch } from '../api/ifMatch.js';

// biome-ignore lint/suspicious/noExplicitAny: the tables of described resources are named by data, not by the Database type.
type AnyDb = Kysely<any>;

/** A transaction over the tables of described resources, which the Database type does not name. */
export const loose = (trx: Trx): AnyDb => trx as unknown as AnyDb;

const columnOf = (name: string, f: FieldSpec) => f.column ?? name;

export function listSchemaOf(spec: SimpleResourceSpec): ListSchema {
  const t = spec.table;
  const attrs: Record<string, ListAttr> = { id: { kind: 'string', column: `${t}.id`, sortable: true } };
  for (const [name, f] of Object.entries(spec.fields)) {
    if (f.hidden || f.kind === 'json' || f.filter === false) continue;
    attrs[name] = { kind: f.kind, column: `${t}.${columnOf(name, f)}`, sortable: f.sort !== false };
  }
  if (spec.project) Object.assign(attrs, projectFilters(`${t}.project_id`));
  if (spec.standard) {
    attrs.revision_number = { kind: 'int', column: `${t}.revision_number`, sortable: true };
    attrs.created_at = { kind: 'timestamp', column: `${t}.created_at`, sortable: true };
    attrs.updated_at = { kind: 'timestamp', column: `${t}.updated_at`, sortable: true };
  }
  if (spec.tagType) Object.assign(attrs, tagFilters(spec.tagType as TaggedCollection, `${t}.id`));
  return { collection: spec.collection, idColumn: `${t}.id`, attrs };
}

export class SimpleResourceService {
  readonly list: ListSchema;
  private readonly attrSpec: Record<string, AttrSpec>;

  constructor(
    private readonly deps: Pick<NetworkDeps, 'db'>,
    readonly spec: SimpleResourceSpec,
  ) {
    this.list = listSchemaOf(spec);
    const attrSpec: Record<string, AttrSpec> = {};
    for (const [name, f] of Object.entries(spec.fields)) {
      if (f.hidden && f.post === false && !f.put) continue;
      attrSpec[name] = { post: f.post, put: f.put, required: f.required, convert: f.convert };
    }
    if (spec.project) {
      attrSpec.project_id = { convert: nullableProject };
      attrSpec.tenant_id = { convert: nullableProject };
    }
    this.attrSpec = attrSpec;
  }

  private get db(): AnyDb {
    return this.deps.db.kysely as unknown as AnyDb;
  }

  private visible(caller: Caller) {
    const t = this.spec.table;
    return (eb: AnyEb) => {
      if (caller.isAdmin || this.spec.visibility === 'everyone') return sql<boolean>`1 = 1`;
      if (this.spec.visibility === 'admin' || !this.spec.project) return sql<boolean>`1 = 0`;
      const own = eb(sql.ref(`${t}.project_id`), '=', caller.projectId);
      if (this.spec.visibility !== 'ownerOrShared') return own;
      const shared = eb(sql.ref(`${t}.shared`), '=', 1);
      return eb.or(this.spec.rbacObjectType ? [own, shared, sharedWith(eb, this.spec.rbacObjectType, `${t}.id`, caller.projectId)] : [own, shared]);
    };
  }

  private base(trx: Trx, caller: Caller, parentId: string | undefined): AnySelect {
    let q = (trx as unknown as AnyDb).selectFrom(this.spec.table).where(this.visible(caller)) as unknown as AnySelect;
    if (this.spec.parent) q = q.where(sql.ref(`${this.spec.table}.${this.spec.parent.column}`), '=', parentId ?? '');
    return q;
  }

  /** The parent's project after checking the caller may see the parent. */
  private async parentOwner(trx: Trx, caller: Caller, parentId: string | undefined): Promise<string | undefined> {
    const p = this.spec.parent;
    if (!p) return undefined;
    const owner = await p.ownerOf(trx, caller, parentId ?? '');
    if (owner === undefined) throw p.missing(parentId ?? '');
    return owner;
  }

  private forbid(action: string, attrs: string[] = []): never {
    throw policyNotAuthorized(attrs.length ? [action, ...attrs.map((a) => `${action}:${a}`)] : [action]);
  }

  async find(trx: Trx, caller: Caller, id: string, parentId?: string): Promise<Row> {
    await this.spec.ready?.(trx === this.db ? undefined : trx);
    await this.parentOwner(trx, caller, parentId);
    const row = (await this.base(trx, caller, parentId)
      .selectAll(this.spec.table)
      .where(sql.ref(`${this.spec.table}.id`), '=', id)
      .executeTakeFirst()) as Row | undefined;
    if (!row) throw this.spec.notFound(id);
    return row;
  }

  async create(caller: Caller, bodies: Json[], parentId?: string): Promise<Json[]> {
    const action = `create_${this.spec.policyName}`;
    if (this.spec.create === 'admin' && !caller.isAdmin) this.forbid(action);
    await this.spec.ready?.();
    const ids = await inTransaction(this.deps.db, async (trx) => {
      const parentProject = await this.parentOwner(trx, caller, parentId);
      if (parentProject !== undefined && !caller.isAdmin && parentProject !== caller.projectId) this.forbid(action);
      const created: string[] = [];
      for (const body of bodies) {
        const a = parseAttributes(this.attrSpec, body, 'create');
        const adminOnly = Object.keys(a).filter((k) => this.spec.fields[k]?.adminOnly);
        if (adminOnly.length && !caller.isAdmin) this.forbid(action, adminOnly);
        const row: Row = { id: randomUUID() };
        if (this.spec.project === 'nullable') {
          const wanted = (a.project_id ?? a.tenant_id) as string | null | undefined;
          if (wanted != null && !caller.isAdmin) this.forbid(action, ['project_id']);
          row.project_id = wanted ?? null;
        } else if (this.spec.project) {
          row.project_id = parentProject ?? owningProject({ project_id: a.project_id ?? undefined, tenant_id: a.tenant_id ?? undefined }, caller);
        }
        if (this.spec.parent) row[this.spec.parent.column] = parentId;
        for (const [name, f] of Object.entries(this.spec.fields)) {
          if (this.spec.parent && name === this.spec.parent.column) continue;
          let v = a[name];
          if (v === undefined) v = typeof f.default === 'function' ? (f.default as (x: Json, c: Caller) => unknown)(a, caller) : f.default;
          row[columnOf(name, f)] = v === undefined ? null : v;
        }
        await this.spec.beforeCreate?.({ trx, caller }, row);
        const now = dbNow(this.deps.db.dialect);
        const values: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(row)) values[k] = this.toColumn(k, v);
        if (this.spec.standard) Object.assign(values, { revision_number: 1, created_at: now, updated_at: now });
        await (trx as unknown as AnyDb).insertInto(this.spec.table).values(values).execute();
        created.push(row.id);
      }
      return created;
    });
    const admin = { projectId: caller.projectId, isAdmin: true };
    return Promise.all(ids.map(async (id) => this.viewOne(this.db, await this.find(this.db, admin, id, parentId))));
  }

  async listBody(caller: Caller, query: URLSearchParams, baseUrl: string, parentId?: string): Promise<Json> {
    const params = parseListParams(query, this.list);
    await this.spec.ready?.();
    const db = this.db;
    await this.parentOwner(db, caller, parentId);
    const rows = await this.listRows(db, caller, params, parentId);
    const views = await this.views(db, rows);
    const links = paginationLinks(baseUrl, params, rows);
    return {
      [this.spec.collection]: views.map((v) => projectFields(v, params.fields)),
      ...(links?.length ? { [`${this.spec.collection}_links`]: links } : {}),
    };
  }

  async listRows(trx: Trx, caller: Caller, params: ListParams, parentId?: string): Promise<Row[]> {
    const q = applyFilters(this.base(trx, caller, parentId).selectAll(this.spec.table), this.list, params);
    return pageOf<Row>(q, this.list, params, async (id) =>
      this.base(trx, caller, parentId)
        .select(markerColumns(this.list, params).map((c) => sql.ref(c).as(c.slice(c.lastIndexOf('.') + 1))))
        .where(sql.ref(`${this.spec.table}.id`), '=', id)
        .executeTakeFirst(),
    );
  }

  async show(caller: Caller, id: string, parentId?: string): Promise<Json> {
    return this.viewOne(this.db, await this.find(this.db, caller, id, parentId));
  }

  async update(caller: Caller, id: string, body: Json, parentId?: string, ifMatch?: string): Promise<Json> {
    const action = `update_${this.spec.policyName}`;
    const a = parseAttributes(this.attrSpec, body, 'update');
    await inTransaction(this.deps.db, async (trx) => {
      const before = await this.find(trx, caller, id, parentId);
      await this.requireModify(trx, caller, before, action, parentId);
      const adminOnly = Object.keys(a).filter((k) => this.spec.fields[k]?.adminOnly);
      if (adminOnly.length && !caller.isAdmin) this.forbid(action, adminOnly);
      if (this.spec.standard) checkIfMatch(ifMatch, Number(before.revision_number));
      const after: Row = { ...this.fromColumns(before) };
      const changes: Record<string, unknown> = {};
      for (const [name, v] of Object.entries(a)) {
        const f = this.spec.fields[name];
        if (!f) continue;
        after[columnOf(name, f)] = v;
        changes[columnOf(name, f)] = this.toColumn(columnOf(name, f), v);
      }
      await this.spec.beforeUpdate?.({ trx, caller }, after, this.fromColumns(before));
      for (const [k, v] of Object.entries(after)) if (!(k in changes) && v !== this.fromColumns(before)[k]) changes[k] = this.toColumn(k, v);
      if (this.spec.standard) Object.assign(changes, { revision_number: Number(before.revision_number) + 1, updated_at: dbNow(this.deps.db.dialect) });
      if (Object.keys(changes).length) await (trx as unknown as AnyDb).updateTable(this.spec.table).set(changes).where('id', '=', id).execute();
    });
    return this.show({ projectId: caller.projectId, isAdmin: true }, id, parentId);
  }

  /** Bumps the revision of a row changed by a sub-resource operation (address group addresses, ...). */
  async touch(trx: Trx, id: string, changes: Record<string, unknown> = {}): Promise<void> {
    const set: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(changes)) set[k] = this.toColumn(k, v);
    if (this.spec.standard) Object.assign(set, { revision_number: sql`revision_number + 1`, updated_at: dbNow(this.deps.db.dialect) });
    await (trx as unknown as AnyDb).updateTable(this.spec.table).set(set).where('id', '=', id).execute();
  }

  /** 403 unless the caller may change the row: admins; owners where the resource allows (a nested row's owner is its parent's). */
  async requireModify(trx: Trx, caller: Caller, row: Row, action: string, parentId?: string): Promise<void> {
    if (caller.isAdmin) return;
    const owner = this.spec.parent ? await this.parentOwner(trx, caller, parentId) : row.project_id;
    if (this.spec.modify === 'admin' || owner !== caller.projectId) this.forbid(action);
  }

  async remove(caller: Caller, id: string, parentId?: string): Promise<void> {
    await inTransaction(this.deps.db, async (trx) => {
      const row = await this.find(trx, caller, id, parentId);
      await this.requireModify(trx, caller, row, `delete_${this.spec.policyName}`, parentId);
      await this.spec.beforeDelete?.({ trx, caller }, this.fromColumns(row));
      await (trx as unknown as AnyDb).deleteFrom(this.spec.table).where('id', '=', id).execute();
      if (this.spec.tagType) await dropTags(trx, this.spec.tagType as TaggedCollection, [id]);
    });
  }

  private fieldOfColumn(column: string): FieldSpec | undefined {
    for (const [name, f] of Object.entries(this.spec.fields)) if (columnOf(name, f) === column) return f;
    return undefined;
  }

  private toColumn(column: string, value: unknown): unknown {
    const f = this.fieldOfColumn(column);
    if (value === null || value === undefined || !f) return value ?? null;
    if (f.kind === 'bool') return value ? 1 : 0;
    if (f.kind === 'json') return JSON.stringify(value);
    return value;
  }

  /** A stored row with booleans, integers and JSON decoded. */
  fromColumns(row: Row): Row {
    const out: Row = { ...row };
    for (const [name, f] of Object.entries(this.spec.fields)) {
      const c = columnOf(name, f);
      const v = row[c];
      if (v === null || v === undefined) continue;
      if (f.kind === 'bool') out[c] = Boolean(Number(v));
      else if (f.kind === 'int') out[c] = Number(v);
      else if (f.kind === 'json') out[c] = typeof v === 'string' ? JSON.parse(v) : v;
    }
    return out;
  }

  async viewOne(trx: Trx, row: Row): Promise<Json> {
    return (await this.views(trx, [row]))[0];
  }

  async views(trx: Trx, rows: Row[]): Promise<Json[]> {
    const ids = rows.map((r) => r.id);
    const tags = this.spec.tagType ? await tagsOf(trx, this.spec.tagType as TaggedCollection, ids) : undefined;
    const extra = this.spec.decorate
      ? await this.spec.decorate(
          trx,
          rows.map((r) => this.fromColumns(r)),
        )
      : undefined;
    return rows.map((raw) => {
      const row = this.fromColumns(raw);
      const view: Json = this.spec.idIsAttribute ? {} : { id: row.id };
      for (const [name, f] of Object.entries(this.spec.fields)) if (!f.hidden) view[name] = row[columnOf(name, f)] ?? null;
      if (this.spec.project) {
        view.project_id = row.project_id ?? null;
        view.tenant_id = row.project_id ?? null;
      }
      if (tags) view.tags = tags.get(row.id) ?? [];
      if (this.spec.standard) {
        view.revision_number = Number(row.revision_number);
        view.created_at = isoSeconds(Number(row.created_at));
        view.updated_at = isoSeconds(Number(row.updated_at));
      }
      Object.assign(view, extra?.get(row.id) ?? {});
      return view;
    });
  }
}

function nullableProject(value: unknown, attr: string): string | null {
  if (value === null) return null;
  if (typeof value !== 'string' || value.length > 255) throw badRequest(`Invalid input for ${attr}. Reason: '${String(value)}' is not a valid string.`);
  return value;
}
