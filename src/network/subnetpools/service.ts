/**
 * Subnet pools: address space that subnets are carved from (`subnetpool_id` + `prefixlen` instead of a
 * `cidr`). Allocations lock the pool row, so concurrent subnet creates never get overlapping CIDRs.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { dbNow } from '../../db/index.js';
import type { NetworkDeps } from '../deps.js';
import { badRequest, conflict, invalidAttribute, invalidInput, notFound } from '../errors.js';
import { owningProject, parseAttributes, toBool, toList, toNullableInt, toNullableUuid, toStr, toSubnetCidr, toInt, type AttrSpec, type Json } from '../input.js';
import { addressBits, cidrOf, formatCidr, mergeCidrs, parseCidr, rangesOverlap, rangeToCidrs, subtractRanges, type IpRange } from '../ip.js';
import { checkPoolScope } from '../addressScopes/link.js';
import { projectFilters, tagFilters } from '../listAttrs.js';
import { requireAdminForAttributes, requireOwner, type Caller } from '../policy.js';
import { applyFilters, pageOf, type AnyEb, type AnySelect, type ListParams, type ListSchema } from '../query.js';
import { dropTags, tagsOf } from '../tags.js';
import { fromBool, inTransaction, lockRow, type Trx } from '../tx.js';
import { sharedWith } from '../rbac/service.js';
import { toSubnetpool, type Subnetpool, type SubnetpoolRow } from './model.js';

export const SUBNETPOOL_LIST: ListSchema = {
  collection: 'subnetpools',
  idColumn: 'subnetpools.id',
  attrs: {
    id: { kind: 'string', column: 'subnetpools.id', sortable: true },
    name: { kind: 'string', column: 'subnetpools.name', sortable: true },
    description: { kind: 'string', column: 'subnetpools.description', sortable: true },
    ip_version: { kind: 'int', column: 'subnetpools.ip_version', sortable: true },
    default_prefixlen: { kind: 'int', column: 'subnetpools.default_prefixlen', sortable: true },
    min_prefixlen: { kind: 'int', column: 'subnetpools.min_prefixlen', sortable: true },
    max_prefixlen: { kind: 'int', column: 'subnetpools.max_prefixlen', sortable: true },
    shared: { kind: 'bool', column: 'subnetpools.shared', sortable: true },
    is_default: { kind: 'bool', column: 'subnetpools.is_default', sortable: true },
    address_scope_id: { kind: 'string', column: 'subnetpools.address_scope_id' },
    revision_number: { kind: 'int', column: 'subnetpools.revision_number', sortable: true },
    created_at: { kind: 'timestamp', column: 'subnetpools.created_at', sortable: true },
    updated_at: { kind: 'timestamp', column: 'subnetpools.updated_at', sortable: true },
    ...projectFilters('subnetpools.project_id'),
    ...tagFilters('subnetpools', 'subnetpools.id'),
  },
};

const nonEmpty = (value: unknown, attr: string): string => {
  const s = toStr(255)(value, attr);
  if (s === '') throw invalidAttribute(attr, `'${s}' Blank strings are not permitted`);
  return s;
};
const cidrList = (value: unknown, attr: string): string[] => toList(value, attr).map((c) => toSubnetCidr(c, attr));

const SPEC: Record<string, AttrSpec> = {
  name: { put: true, required: true, convert: nonEmpty },
  description: { put: true, convert: toStr(255) },
  prefixes: { put: true, required: true, convert: cidrList },
  default_prefixlen: { put: true, convert: toInt },
  min_prefixlen: { put: true, convert: toInt },
  max_prefixlen: { put: true, convert: toInt },
  default_quota: { put: true, convert: toNullableInt },
  shared: { convert: toBool },
  is_default: { put: true, convert: toBool },
  address_scope_id: { put: true, convert: toNullableUuid },
  project_id: { convert: toStr(255) },
  tenant_id: { convert: toStr(255) },
};

const illegalBounds = (type: string, len: number, baseType: string, baseLen: number) => badRequest(`Illegal prefix bounds: ${type}=${len}, ${baseType}=${baseLen}.`);

/** Checks min <= default <= max within the address family; returns the three lengths. */
function prefixBounds(version: 4 | 6, min: number, dflt: number, max: number): void {
  const bits = addressBits(version);
  if (min < 0 || min > bits) throw illegalBounds('min_prefixlen', min, 'max_prefixlen', bits);
  if (max < 0 || max > bits) throw illegalBounds('max_prefixlen', max, 'max_prefixlen', bits);
  if (min > max) throw illegalBounds('min_prefixlen', min, 'max_prefixlen', max);
  if (dflt < min) throw illegalBounds('default_prefixlen', dflt, 'min_prefixlen', min);
  if (dflt > max) throw illegalBounds('default_prefixlen', dflt, 'max_prefixlen', max);
}

function versionOf(prefixes: string[]): 4 | 6 {
  const versions = new Set(prefixes.map((p) => parseCidr(p)!.version));
  if (versions.size !== 1) throw badRequest('Cannot mix IPv4 and IPv6 prefixes in a subnet pool.');
  return [...versions][0];
}

const merged = (prefixes: string[]): string[] => mergeCidrs(prefixes.map((p) => parseCidr(p)!)).map(formatCidr);

export function visibleSubnetpool(caller: Caller) {
  return (eb: AnyEb) =>
    caller.isAdmin
      ? sql<boolean>`1 = 1`
      : eb.or([eb('subnetpools.project_id', '=', caller.projectId), eb('subnetpools.shared', '=', 1), sharedWith(eb, 'subnetpool', 'subnetpools.id', caller.projectId)]);
}

export class SubnetpoolService {
  constructor(private readonly deps: NetworkDeps) {}

  private get db() {
    return this.deps.db;
  }

  async create(caller: Caller, bodies: Json[]): Promise<Subnetpool[]> {
    const rows: SubnetpoolRow[] = [];
    for (const body of bodies) {
      const a = parseAttributes(SPEC, body, 'create');
      const projectId = owningProject(a, caller);
      requireAdminForAttributes(caller, 'create_subnetpool', [...(a.shared === true ? ['shared'] : []), ...(a.is_default === true ? ['is_default'] : [])]);
      const prefixes = a.prefixes as string[];
      if (prefixes.length === 0) throw invalidAttribute('prefixes', 'No prefixes given');
      const version = versionOf(prefixes);
      const min = (a.min_prefixlen as number | undefined) ?? (version === 4 ? 8 : 64);
      const max = (a.max_prefixlen as number | undefined) ?? addressBits(version);
      const dflt = (a.default_prefixlen as number | undefined) ?? min;
      prefixBounds(version, min, dflt, max);
      const quota = a.default_quota as number | null | undefined;
      if (quota != null && quota < 0) throw invalidAttribute('default_quota', `'${quota}' should be non-negative`);
      rows.push({
        id: randomUUID(),
        project_id: projectId,
        name: a.name as string,
        description: (a.description as string | undefined) ?? '',
        ip_version: version,
        prefixes: JSON.stringify(merged(prefixes)),
        default_prefixlen: dflt,
        min_prefixlen: min,
        max_prefixlen: max,
        default_quota: quota ?? null,
        shared: fromBool((a.shared as boolean | undefined) ?? false),
        is_default: fromBool((a.is_default as boolean | undefined) ?? false),
        address_scope_id: (a.address_scope_id as string | null | undefined) ?? null,
        revision_number: 1,
        created_at: 0,
        updated_at: 0,
      });
    }
    await inTransaction(this.db, async (trx) => {
      for (const row of rows) {
        if (row.is_default) await this.assertNoOtherDefault(trx, row.ip_version as 4 | 6, row.id);
        await checkPoolScope(trx, caller, row.address_scope_id, row.ip_version, JSON.parse(row.prefixes) as string[], row.id);
        const now = dbNow(this.db.dialect);
        await trx
          .insertInto('subnetpools')
          .values({ ...row, created_at: now, updated_at: now })
          .execute();
      }
    });
    return Promise.all(rows.map((r) => this.get({ projectId: r.project_id, isAdmin: true }, r.id)));
  }

  private async assertNoOtherDefault(trx: Trx, version: 4 | 6, id: string): Promise<void> {
    const other = await trx.selectFrom('subnetpools').select('id').where('is_default', '=', 1).where('ip_version', '=', version).where('id', '!=', id).executeTakeFirst();
    if (other) throw invalidInput('A default subnetpool for this IP family has already been set. Only one default may exist per IP family');
  }

  async findVisible(trx: Trx, caller: Caller, id: string): Promise<SubnetpoolRow | undefined> {
    return trx.selectFrom('subnetpools').selectAll('subnetpools').where('subnetpools.id', '=', id).where(visibleSubnetpool(caller)).executeTakeFirst();
  }

  async get(caller: Caller, id: string): Promise<Subnetpool> {
    const row = await this.findVisible(this.db.kysely, caller, id);
    if (!row) throw notFound.subnetpool(id);
    return toSubnetpool(row, (await tagsOf(this.db.kysely, 'subnetpools', [id])).get(id));
  }

  async list(caller: Caller, params: ListParams): Promise<Subnetpool[]> {
    const base = this.db.kysely.selectFrom('subnetpools').selectAll('subnetpools').where(visibleSubnetpool(caller)) as AnySelect;
    const rows = await pageOf<SubnetpoolRow>(applyFilters(base, SUBNETPOOL_LIST, params), SUBNETPOOL_LIST, params, (id) =>
      base.where('subnetpools.id', '=', id).executeTakeFirst(),
    );
    const tags = await tagsOf(
      this.db.kysely,
      'subnetpools',
      rows.map((r) => r.id),
    );
    return rows.map((r) => toSubnetpool(r, tags.get(r.id)));
  }

  async update(caller: Caller, id: string, body: Json): Promise<Subnetpool> {
    const a = parseAttributes(SPEC, body, 'update');
    const current = await this.get(caller, id);
    requireOwner(caller, current.projectId, 'update_subnetpool');
    requireAdminForAttributes(caller, 'update_subnetpool', a.is_default !== undefined ? ['is_default'] : []);
    let prefixes = current.prefixes;
    if (a.prefixes !== undefined) {
      const next = merged(a.prefixes as string[]);
      if (versionOf(a.prefixes as string[]) !== current.ipVersion) throw badRequest('Cannot mix IPv4 and IPv6 prefixes in a subnet pool.');
      if (!covers(next, current.prefixes)) throw badRequest(`Illegal update to prefixes: Existing prefixes must be a subset of the new prefixes.`);
      prefixes = next;
    }
    const min = (a.min_prefixlen as number | undefined) ?? current.minPrefixlen;
    const max = (a.max_prefixlen as number | undefined) ?? current.maxPrefixlen;
    const dflt = (a.default_prefixlen as number | undefined) ?? current.defaultPrefixlen;
    prefixBounds(current.ipVersion, min, dflt, max);
    await inTransaction(this.db, async (trx) => {
      await lockRow(this.db, trx, 'subnetpools', id);
      if (a.is_default === true) await this.assertNoOtherDefault(trx, current.ipVersion, id);
      const scope = a.address_scope_id !== undefined ? (a.address_scope_id as string | null) : current.addressScopeId;
      await checkPoolScope(trx, caller, scope, current.ipVersion, prefixes, id);
      await trx
        .updateTable('subnetpools')
        .set((eb) => ({
          ...(a.name !== undefined ? { name: a.name as string } : {}),
          ...(a.description !== undefined ? { description: a.description as string } : {}),
          ...(a.default_quota !== undefined ? { default_quota: a.default_quota as number | null } : {}),
          ...(a.is_default !== undefined ? { is_default: fromBool(a.is_default as boolean) } : {}),
          ...(a.address_scope_id !== undefined ? { address_scope_id: a.address_scope_id as string | null } : {}),
          prefixes: JSON.stringify(prefixes),
          min_prefixlen: min,
          max_prefixlen: max,
          default_prefixlen: dflt,
          revision_number: eb('revision_number', '+', 1),
          updated_at: dbNow(this.db.dialect),
        }))
        .where('id', '=', id)
        .execute();
    });
    return this.get(caller, id);
  }

  /** add_prefixes / remove_prefixes; returns the pool's prefixes afterwards. */
  async changePrefixes(caller: Caller, id: string, body: unknown, op: 'add' | 'remove'): Promise<string[]> {
    const current = await this.get(caller, id);
    requireOwner(caller, current.projectId, `${op === 'add' ? 'add' : 'remove'}_prefixes`);
    const given = body !== null && typeof body === 'object' ? (body as Json).prefixes : undefined;
    if (given === undefined) throw badRequest("Failed to parse request. Required attribute 'prefixes' not specified");
    const list = cidrList(given, 'prefixes');
    if (list.length && versionOf(list) !== current.ipVersion) throw badRequest('Cannot mix IPv4 and IPv6 prefixes in a subnet pool.');
    return inTransaction(this.db, async (trx) => {
      await lockRow(this.db, trx, 'subnetpools', id);
      const fresh = toSubnetpool((await trx.selectFrom('subnetpools').selectAll().where('id', '=', id).executeTakeFirstOrThrow()) as SubnetpoolRow);
      let next: string[];
      if (op === 'add') {
        next = merged([...fresh.prefixes, ...list]);
      } else {
        const removed = list.map((p) => parseCidr(p)!);
        const ranges = fresh.prefixes.map((p) => parseCidr(p)!).flatMap((c) => subtractRanges({ first: c.first, last: c.last }, removed));
        next = mergeCidrs(ranges.flatMap((r) => rangeToCidrs(fresh.ipVersion, r))).map(formatCidr);
        const allocated = await this.allocatedRanges(trx, id);
        if (allocated.some((a) => removed.some((r) => rangesOverlap(a, r)))) {
          throw badRequest('Illegal update to prefixes: Cannot remove prefixes that are in use by subnets of the pool.');
        }
      }
      await trx
        .updateTable('subnetpools')
        .set((eb) => ({ prefixes: JSON.stringify(next), revision_number: eb('revision_number', '+', 1), updated_at: dbNow(this.db.dialect) }))
        .where('id', '=', id)
        .execute();
      return next;
    });
  }

  async delete(caller: Caller, id: string): Promise<void> {
    const current = await this.get(caller, id);
    requireOwner(caller, current.projectId, 'delete_subnetpool');
    await inTransaction(this.db, async (trx) => {
      await lockRow(this.db, trx, 'subnetpools', id);
      const used = await trx.selectFrom('subnets').select('id').where('subnetpool_id', '=', id).executeTakeFirst();
      if (used) throw conflict.subnetpoolInUse(id);
      await dropTags(trx, 'subnetpools', [id]);
      await trx.deleteFrom('rbac_policies').where('object_type', '=', 'subnetpool').where('object_id', '=', id).execute();
      await trx.deleteFrom('subnetpools').where('id', '=', id).execute();
    });
  }

  /** The default pool of an address family that `caller` may use, if any. */
  async defaultPool(trx: Trx, caller: Caller, version: 4 | 6): Promise<SubnetpoolRow | undefined> {
    return trx.selectFrom('subnetpools').selectAll('subnetpools').where('is_default', '=', 1).where('ip_version', '=', version).where(visibleSubnetpool(caller)).executeTakeFirst();
  }

  private async allocatedRanges(trx: Trx, poolId: string): Promise<IpRange[]> {
    const rows = await trx.selectFrom('subnets').select('cidr').where('subnetpool_id', '=', poolId).execute();
    return rows.map((r) => parseCidr(r.cidr)!).map((c) => ({ first: c.first, last: c.last }));
  }

  /**
   * Carves a subnet out of the pool inside the caller's transaction: the requested CIDR when given
   * (it must lie in the pool and be free), else the first free block of `prefixlen`.
   */
  async allocate(trx: Trx, pool: SubnetpoolRow, prefixlen: number | undefined, requested: string | undefined): Promise<string> {
    await lockRow(this.db, trx, 'subnetpools', pool.id);
    const p = toSubnetpool(pool);
    const prefixes = p.prefixes.map((c) => parseCidr(c)!);
    const taken = await this.allocatedRanges(trx, pool.id);
    if (requested !== undefined) {
      const cidr = parseCidr(requested)!;
      checkPrefixlen(p, cidr.prefixLength);
      const inside = prefixes.some((c) => cidr.first >= c.first && cidr.last <= c.last);
      if (!inside || taken.some((t) => rangesOverlap(t, cidr))) {
        throw conflict.subnetAllocationFailed('Cannot allocate requested subnet from the available set of prefixes');
      }
      return formatCidr(cidr);
    }
    const len = prefixlen ?? p.defaultPrefixlen;
    checkPrefixlen(p, len);
    const size = 1n << BigInt(addressBits(p.ipVersion) - len);
    for (const prefix of prefixes) {
      for (const free of subtractRanges({ first: prefix.first, last: prefix.last }, taken)) {
        const start = ((free.first + size - 1n) / size) * size;
        if (start + size - 1n <= free.last) return formatCidr(cidrOf(p.ipVersion, start, len));
      }
    }
    throw conflict.subnetAllocationFailed(`Insufficient prefix space to allocate subnet size /${len}`);
  }
}

function checkPrefixlen(p: Subnetpool, len: number): void {
  if (len < p.minPrefixlen) throw illegalBounds('prefixlen', len, 'min_prefixlen', p.minPrefixlen);
  if (len > p.maxPrefixlen) throw illegalBounds('prefixlen', len, 'max_prefixlen', p.maxPrefixlen);
}

/** True when every prefix of `inner` lies inside one of `outer`. */
function covers(outer: string[], inner: string[]): boolean {
  const o = outer.map((c) => parseCidr(c)!);
  return inner.map((c) => parseCidr(c)!).every((i) => o.some((c) => i.first >= c.first && i.last <= c.last));
}
