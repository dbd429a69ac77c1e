/**
 * RBAC policies (`/v2.0/rbac-policies`): the owner of a network or a QoS policy shares it with one
 * project (or every project, `*`, admins only). Top-owned: the entries live at the top; a pod's copy of
 * a network is shared with a project when that project's port is copied into the pod (the wiring does
 * it), and the `network_sync` job makes every copy's entries follow the top's.
 *
 * - network: `access_as_shared` (the target may see the network, its subnets, and make ports and
 *   subnets on it), `access_as_external` (only on a network that is already external: Tricircle picks
 *   an external network's pod at create time, so RBAC cannot make a network external).
 * - qos_policy: `access_as_shared` (the target may see the policy and put it on its ports and networks).
 *
 * A wildcard `access_as_shared` entry on a network is its `shared` flag: writing one sets the flag,
 * removing it clears it. Removing or retargeting an entry is refused (409 RbacPolicyInUse) while the
 * target project still has ports or subnets on the network (or, for a QoS policy, ports or networks
 * using it) and no other entry grants it access.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Selectable } from 'kysely';
import { dbNow, isoSeconds, isUniqueViolation, type Db } from '../../db/index.js';
import type { NetworkDeps } from '../deps.js';
import { invalidAttribute, invalidInput, notFound, policyNotAuthorized } from '../errors.js';
import { ApiError } from '../../common/index.js';
import { owningProject, parseAttributes, pyRepr, toStr, toUuid, type AttrSpec, type Json } from '../input.js';
import { projectFilters } from '../listAttrs.js';
import type { Caller } from '../policy.js';
import { applyFilters, pageOf, type AnyEb, type AnySelect, type ListParams, type ListSchema } from '../query.js';
import { inTransaction, type Trx } from '../tx.js';
import { addressScopeNotFound } from '../addressScopes/spec.js';
import type { RbacPoliciesTable } from './tables.js';

export type RbacRow = Selectable<RbacPoliciesTable>;

/**
 * A project that does not own the object may not write its RBAC entries: 404 when the object is not
 * even shared with it, 400 InvalidInput (as upstream) when it is.
 */
async function refuseForeign(trx: Trx, caller: Caller, objectType: string, objectId: string, owner: string, missing: ApiError): Promise<void> {
  if (caller.isAdmin || owner === caller.projectId) return;
  const sees =
    (await rbacGrants(trx, objectType, objectId, caller.projectId)) ||
    (objectType === 'network' && (await rbacGrants(trx, objectType, objectId, caller.projectId, 'access_as_external')));
  if (!sees) throw missing;
  throw invalidInput('only an admin may change the RBAC entries of an object another project owns');
}

export const OBJECT_TYPES = ['network', 'qos_policy', 'security_group', 'address_scope', 'subnetpool'] as const;
const ACTIONS: Record<string, string[]> = {
  network: ['access_as_shared', 'access_as_external'],
  qos_policy: ['access_as_shared'],
  security_group: ['access_as_shared'],
  address_scope: ['access_as_shared'],
  subnetpool: ['access_as_shared'],
};

/** The table of each object type besides networks, its 404, and whether a wildcard entry is its `shared` flag. */
const OBJECT_TABLES = {
  qos_policy: { table: 'qos_policies', notFound: (id: string) => rbacErrors.qosPolicyNotFound(id), sharedFlag: true },
  security_group: { table: 'security_groups', notFound: (id: string) => notFound.securityGroup(id), sharedFlag: false },
  address_scope: { table: 'address_scopes', notFound: (id: string) => addressScopeNotFound(id), sharedFlag: true },
  subnetpool: { table: 'subnetpools', notFound: (id: string) => notFound.subnetpool(id), sharedFlag: true },
} as const;
type ObjectTable = keyof typeof OBJECT_TABLES;

export const rbacErrors = {
  notFound: (id: string) => new ApiError(404, `RBAC policy of type rbac_policy with ID ${id} not found`, 'RbacPolicyNotFound'),
  duplicate: () => new ApiError(409, 'An RBAC policy already exists with those values.', 'DuplicateRbacPolicy'),
  inUse: (objectId: string, details: string) =>
    new ApiError(409, `RBAC policy on object ${objectId} cannot be removed because other objects depend on it.\nDetails: ${details}`, 'RbacPolicyInUse'),
  qosPolicyNotFound: (id: string) => new ApiError(404, `QoS policy ${id} could not be found.`, 'QosPolicyNotFound'),
};

export const RBAC_LIST: ListSchema = {
  collection: 'rbac_policies',
  idColumn: 'rbac_policies.id',
  attrs: {
    id: { kind: 'string', column: 'rbac_policies.id', sortable: true },
    object_type: { kind: 'string', column: 'rbac_policies.object_type', sortable: true },
    object_id: { kind: 'string', column: 'rbac_policies.object_id', sortable: true },
    action: { kind: 'string', column: 'rbac_policies.action', sortable: true },
    target_tenant: { kind: 'string', column: 'rbac_policies.target_project', sortable: true },
    target_project_id: { kind: 'string', column: 'rbac_policies.target_project', sortable: true },
    ...projectFilters('rbac_policies.project_id'),
  },
};

const oneOf = (allowed: readonly string[]) => (value: unknown, attr: string) => {
  if (typeof value !== 'string' || !allowed.includes(value)) throw invalidAttribute(attr, `${pyRepr(value)} is not in ${pyRepr([...allowed])}`);
  return value;
};

const SPEC: Record<string, AttrSpec> = {
  object_type: { required: true, convert: oneOf(OBJECT_TYPES) },
  object_id: { required: true, convert: toUuid },
  action: { required: true, convert: oneOf(['access_as_shared', 'access_as_external']) },
  target_tenant: { put: true, convert: toStr(255) },
  target_project_id: { put: true, convert: toStr(255) },
  project_id: { convert: toStr(255) },
  tenant_id: { convert: toStr(255) },
};

export function rbacView(r: RbacRow): Json {
  return {
    id: r.id,
    project_id: r.project_id,
    tenant_id: r.project_id,
    object_type: r.object_type,
    object_id: r.object_id,
    action: r.action,
    target_tenant: r.target_project,
    created_at: isoSeconds(Number(r.created_at)),
    updated_at: isoSeconds(Number(r.updated_at)),
  };
}

/** The projects an entry set grants access to an object (for visibility filters in SQL). */
export function sharedWith(eb: AnyEb, objectType: string, idColumn: string, projectId: string, actions = ['access_as_shared']) {
  return eb.exists(
    eb
      .selectFrom('rbac_policies')
      .select(sql<number>`1`.as('one'))
      .where('rbac_policies.object_type', '=', objectType)
      .where('rbac_policies.object_id', '=', eb.ref(idColumn))
      .where('rbac_policies.action', 'in', actions)
      .where('rbac_policies.target_project', 'in', [projectId, '*']),
  );
}

/** Whether an entry grants `projectId` (or every project) `action` on the object. */
export async function rbacGrants(trx: Trx, objectType: string, objectId: string, projectId: string, action = 'access_as_shared'): Promise<boolean> {
  const row = await trx
    .selectFrom('rbac_policies')
    .select('id')
    .where('object_type', '=', objectType)
    .where('object_id', '=', objectId)
    .where('action', '=', action)
    .where('target_project', 'in', [projectId, '*'])
    .executeTakeFirst();
  return row !== undefined;
}

/** `shared` on a network or QoS policy is its wildcard `access_as_shared` entry, as upstream: writes or removes it. */
export async function setWildcardShare(db: Db, trx: Trx, objectType: string, objectId: string, projectId: string, shared: boolean): Promise<void> {
  const existing = await trx
    .selectFrom('rbac_policies')
    .select('id')
    .where('object_type', '=', objectType)
    .where('object_id', '=', objectId)
    .where('action', '=', 'access_as_shared')
    .where('target_project', '=', '*')
    .executeTakeFirst();
  if (!shared) {
    if (existing) await trx.deleteFrom('rbac_policies').where('id', '=', existing.id).execute();
    return;
  }
  if (existing) return;
  await trx
    .insertInto('rbac_policies')
    .values({
      id: randomUUID(),
      project_id: projectId,
      object_type: objectType,
      object_id: objectId,
      action: 'access_as_shared',
      target_project: '*',
      created_at: dbNow(db.dialect),
      updated_at: dbNow(db.dialect),
    })
    .execute();
}

/** The hook that wakes the pods' follow-up of a network's sharing (the `network_sync` job). */
export interface RbacFollowUp {
  networkChanged(trx: Trx, networkId: string, projectId: string): Promise<string>;
  signal(jobIds: string[]): void;
}

export class RbacService {
  constructor(
    private readonly deps: NetworkDeps,
    private readonly followUp: RbacFollowUp,
  ) {}

  private get db() {
    return this.deps.db;
  }

  private visible(caller: Caller) {
    return (eb: AnyEb) => (caller.isAdmin ? sql<boolean>`1 = 1` : eb('rbac_policies.project_id', '=', caller.projectId));
  }

  /** The object's owner if the caller may share it; 404 as upstream when the caller cannot see it. */
  private async objectOwner(trx: Trx, caller: Caller, objectType: string, objectId: string): Promise<{ owner: string; external?: boolean }> {
    if (objectType === 'network') {
      const row = await trx.selectFrom('networks').select(['project_id', 'external']).where('id', '=', objectId).executeTakeFirst();
      if (!row) throw notFound.network(objectId);
      await refuseForeign(trx, caller, objectType, objectId, row.project_id, notFound.network(objectId));
      return { owner: row.project_id, external: Boolean(row.external) };
    }
    const { table, notFound: missing } = OBJECT_TABLES[objectType as ObjectTable];
    const row = await trx.selectFrom(table).select(['project_id']).where('id', '=', objectId).executeTakeFirst();
    if (!row) throw missing(objectId);
    await refuseForeign(trx, caller, objectType, objectId, row.project_id, missing(objectId));
    return { owner: row.project_id };
  }

  async create(caller: Caller, items: Json[]): Promise<RbacRow[]> {
    const jobs: string[] = [];
    const ids = await inTransaction(this.db, async (trx) => {
      jobs.length = 0;
      const out: string[] = [];
      for (const item of items) {
        const attrs = parseAttributes(SPEC, item, 'create');
        const objectType = attrs.object_type as string;
        const action = attrs.action as string;
        if (!ACTIONS[objectType].includes(action)) throw invalidAttribute('action', `${pyRepr(action)} is not in ${pyRepr(ACTIONS[objectType])}`);
        const target = (attrs.target_project_id ?? attrs.target_tenant) as string | undefined;
        if (target === undefined) throw invalidAttribute('target_tenant', "'target_tenant' or 'target_project_id' is required");
        if (target === '*' && !caller.isAdmin) throw policyNotAuthorized(['create_rbac_policy:target_tenant']);
        const projectId = owningProject(attrs, caller);
        const objectId = attrs.object_id as string;
        const object = await this.objectOwner(trx, caller, objectType, objectId);
        if (action === 'access_as_external' && !object.external) {
          throw invalidAttribute('action', 'Tricircle cannot make a network external through RBAC: create it with router:external');
        }
        const id = randomUUID();
        try {
          await trx
            .insertInto('rbac_policies')
            .values({
              id,
              project_id: projectId,
              object_type: objectType,
              object_id: objectId,
              action,
              target_project: target,
              created_at: dbNow(this.db.dialect),
              updated_at: dbNow(this.db.dialect),
            })
            .execute();
        } catch (err) {
          if (isUniqueViolation(err)) throw rbacErrors.duplicate();
          throw err;
        }
        await this.afterChange(trx, objectType, objectId, object.owner, jobs, target === '*');
        out.push(id);
      }
      return out;
    });
    this.followUp.signal(jobs);
    const rows = await this.db.kysely.selectFrom('rbac_policies').selectAll().where('id', 'in', ids).execute();
    return ids.map((id) => rows.find((r) => r.id === id)!);
  }

  async list(caller: Caller, params: ListParams): Promise<RbacRow[]> {
    const base = this.db.kysely.selectFrom('rbac_policies').selectAll('rbac_policies').where(this.visible(caller)) as AnySelect;
    return pageOf<RbacRow>(applyFilters(base, RBAC_LIST, params), RBAC_LIST, params, (id) => base.where('rbac_policies.id', '=', id).executeTakeFirst());
  }

  async get(caller: Caller, id: string, trx: Trx = this.db.kysely): Promise<RbacRow> {
    const row = await trx.selectFrom('rbac_policies').selectAll().where('id', '=', id).where(this.visible(caller)).executeTakeFirst();
    if (!row) throw rbacErrors.notFound(id);
    return row;
  }

  async update(caller: Caller, id: string, body: Json): Promise<RbacRow> {
    const attrs = parseAttributes(SPEC, body, 'update');
    const target = (attrs.target_project_id ?? attrs.target_tenant) as string | undefined;
    const jobs: string[] = [];
    await inTransaction(this.db, async (trx) => {
      jobs.length = 0;
      const row = await this.get(caller, id, trx);
      if (target === undefined || target === row.target_project) return;
      if (target === '*' && !caller.isAdmin) throw policyNotAuthorized(['update_rbac_policy:target_tenant']);
      await this.checkNotInUse(trx, row);
      try {
        await trx
          .updateTable('rbac_policies')
          .set({ target_project: target, updated_at: dbNow(this.db.dialect) })
          .where('id', '=', id)
          .execute();
      } catch (err) {
        if (isUniqueViolation(err)) throw rbacErrors.duplicate();
        throw err;
      }
      const object = await this.objectOwner(trx, { projectId: '', isAdmin: true }, row.object_type, row.object_id);
      await this.afterChange(trx, row.object_type, row.object_id, object.owner, jobs, target === '*' || row.target_project === '*');
    });
    this.followUp.signal(jobs);
    return this.get(caller, id);
  }

  async delete(caller: Caller, id: string): Promise<void> {
    const jobs: string[] = [];
    await inTransaction(this.db, async (trx) => {
      jobs.length = 0;
      const row = await this.get(caller, id, trx);
      await this.checkNotInUse(trx, row);
      await trx.deleteFrom('rbac_policies').where('id', '=', id).execute();
      const object = await this.objectOwner(trx, { projectId: '', isAdmin: true }, row.object_type, row.object_id).catch(() => undefined);
      if (object) await this.afterChange(trx, row.object_type, row.object_id, object.owner, jobs, row.target_project === '*');
    });
    this.followUp.signal(jobs);
  }

  /**
   * Keeps the wildcard entry and the object's `shared` flag one fact (for the other object types only
   * when the change touched a wildcard entry: their flag may be set without one); asks the pods to
   * follow a network's change.
   */
  private async afterChange(trx: Trx, objectType: string, objectId: string, owner: string, jobs: string[], wildcardTouched: boolean): Promise<void> {
    const wildcard = await trx
      .selectFrom('rbac_policies')
      .select('id')
      .where('object_type', '=', objectType)
      .where('object_id', '=', objectId)
      .where('action', '=', 'access_as_shared')
      .where('target_project', '=', '*')
      .executeTakeFirst();
    const shared = wildcard ? 1 : 0;
    if (objectType === 'network') {
      await trx.updateTable('networks').set({ shared }).where('id', '=', objectId).execute();
      jobs.push(await this.followUp.networkChanged(trx, objectId, owner));
    } else {
      const object = OBJECT_TABLES[objectType as ObjectTable];
      if (object.sharedFlag && (wildcardTouched || objectType === 'qos_policy'))
        await trx
          .updateTable(object.table as 'qos_policies')
          .set({ shared })
          .where('id', '=', objectId)
          .execute();
    }
  }

  /**
   * 409 while the entry's target still uses the object and no other entry grants it access: the
   * projects (other than the owner) with ports or subnets on a network, or with ports or networks using
   * a QoS policy.
   */
  private async checkNotInUse(trx: Trx, row: RbacRow): Promise<void> {
    if (row.action !== 'access_as_shared') return;
    const users = await usersOf(trx, row.object_type, row.object_id);
    const others = await trx
      .selectFrom('rbac_policies')
      .select('target_project')
      .where('object_type', '=', row.object_type)
      .where('object_id', '=', row.object_id)
      .where('action', '=', row.action)
      .where('id', '!=', row.id)
      .execute();
    const still = new Set(others.map((o) => o.target_project));
    if (still.has('*')) return;
    const stranded = users.filter((p) => (row.target_project === '*' || p === row.target_project) && !still.has(p));
    if (stranded.length) throw rbacErrors.inUse(row.object_id, `project ${stranded.sort().join(', ')} still uses it`);
  }
}

/** Projects other than the owner that use the object. */
async function usersOf(trx: Trx, objectType: string, objectId: string): Promise<string[]> {
  if (objectType === 'network') {
    const net = await trx.selectFrom('networks').select('project_id').where('id', '=', objectId).executeTakeFirst();
    if (!net) return [];
    const ports = await trx.selectFrom('ports').select('project_id').distinct().where('network_id', '=', objectId).where('reserved_for', 'is', null).execute();
    const subnets = await trx.selectFrom('subnets').select('project_id').distinct().where('network_id', '=', objectId).execute();
    return [...new Set([...ports, ...subnets].map((r) => r.project_id))].filter((p) => p !== net.project_id && p !== '');
  }
  if (objectType === 'security_group') {
    const group = await trx.selectFrom('security_groups').select('project_id').where('id', '=', objectId).executeTakeFirst();
    if (!group) return [];
    const ports = await trx
      .selectFrom('port_security_groups')
      .innerJoin('ports', 'ports.id', 'port_security_groups.port_id')
      .select('ports.project_id')
      .distinct()
      .where('port_security_groups.security_group_id', '=', objectId)
      .execute();
    return [...new Set(ports.map((r) => r.project_id))].filter((p) => p !== group.project_id);
  }
  if (objectType === 'address_scope') {
    const scope = await trx.selectFrom('address_scopes').select('project_id').where('id', '=', objectId).executeTakeFirst();
    if (!scope) return [];
    const pools = await trx.selectFrom('subnetpools').select('project_id').distinct().where('address_scope_id', '=', objectId).execute();
    return [...new Set(pools.map((r) => r.project_id))].filter((p) => p !== scope.project_id);
  }
  if (objectType === 'subnetpool') {
    const pool = await trx.selectFrom('subnetpools').select('project_id').where('id', '=', objectId).executeTakeFirst();
    if (!pool) return [];
    const subnets = await trx.selectFrom('subnets').select('project_id').distinct().where('subnetpool_id', '=', objectId).execute();
    return [...new Set(subnets.map((r) => r.project_id))].filter((p) => p !== pool.project_id);
  }
  const policy = await trx.selectFrom('qos_policies').select('project_id').where('id', '=', objectId).executeTakeFirst();
  if (!policy) return [];
  const ports = await trx.selectFrom('ports').select('project_id').distinct().where('qos_policy_id', '=', objectId).execute();
  const nets = await trx.selectFrom('networks').select('project_id').distinct().where('qos_policy_id', '=', objectId).execute();
  return [...new Set([...ports, ...nets].map((r) => r.project_id))].filter((p) => p !== policy.project_id);
}
