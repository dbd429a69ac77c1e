/**
 * QoS policies and their rules (`/v2.0/qos/...`). Top-owned: policies and rules live at the top; a
 * pod gets a copy of a policy (with its rules) when a port or network that uses it is copied there,
 * and every change of a policy or its rules asks the `qos_policy_sync` job to bring each copy up to
 * date. Visibility: the owner, projects it is shared with (RBAC `access_as_shared`, or `shared`), admins.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Selectable } from 'kysely';
import { ApiError } from '../../common/index.js';
import { dbNow, isoSeconds, isUniqueViolation } from '../../db/index.js';
import type { NetworkDeps } from '../deps.js';
import { invalidAttribute } from '../errors.js';
import { owningProject, parseAttributes, toBool, toStr, type AttrSpec, type Json } from '../input.js';
import { projectFilters, tagFilters } from '../listAttrs.js';
import { requireAdminForAttributes, requireOwner, type Caller } from '../policy.js';
import { applyFilters, pageOf, type AnyEb, type AnySelect, type ListParams, type ListSchema } from '../query.js';
import { setWildcardShare, sharedWith } from '../rbac/service.js';
import type { QosPoliciesTable, QosRulesTable } from '../rbac/tables.js';
import { dropTags, tagsOf } from '../tags.js';
import { fromBool, inTransaction, parseJson, type Trx } from '../tx.js';
import { RULE_TYPES, ruleSpec, type RuleType } from './rules.js';

export type QosPolicyRow = Selectable<QosPoliciesTable>;
export type QosRuleRow = Selectable<QosRulesTable>;

export const qosErrors = {
  policyNotFound: (id: string) => new ApiError(404, `QoS policy ${id} could not be found.`, 'QosPolicyNotFound'),
  ruleNotFound: (ruleId: string, policyId: string) => new ApiError(404, `QoS rule ${ruleId} for policy ${policyId} could not be found.`, 'QosRuleNotFound'),
  ruleTypeNotFound: (type: string) => new ApiError(404, `QoS rule type ${type} could not be found.`, 'QosRuleTypeNotFound'),
  policyInUse: (policyId: string, objectType: string, objectId: string) => new ApiError(409, `QoS Policy ${policyId} is used by ${objectType} ${objectId}.`, 'QosPolicyInUse'),
  duplicateRule: (policyId: string) => new ApiError(409, `A QoS rule of the same type and direction already exists in policy ${policyId}.`, 'QoSRulesConflict'),
  defaultExists: (projectId: string, policyId: string) => new ApiError(409, `A default QoS policy exists for project ${projectId}: ${policyId}.`, 'QoSPolicyDefaultAlreadyExists'),
};

export const QOS_POLICY_LIST: ListSchema = {
  collection: 'policies',
  idColumn: 'qos_policies.id',
  attrs: {
    id: { kind: 'string', column: 'qos_policies.id', sortable: true },
    name: { kind: 'string', column: 'qos_policies.name', sortable: true },
    description: { kind: 'string', column: 'qos_policies.description', sortable: true },
    shared: { kind: 'bool', column: 'qos_policies.shared', sortable: true },
    is_default: { kind: 'bool', column: 'qos_policies.is_default', sortable: true },
    revision_number: { kind: 'int', column: 'qos_policies.revision_number', sortable: true },
    created_at: { kind: 'timestamp', column: 'qos_policies.created_at', sortable: true },
    updated_at: { kind: 'timestamp', column: 'qos_policies.updated_at', sortable: true },
    ...projectFilters('qos_policies.project_id'),
    ...tagFilters('qos_policies', 'qos_policies.id'),
  },
};

const POLICY_SPEC: Record<string, AttrSpec> = {
  name: { put: true, convert: toStr(255) },
  description: { put: true, convert: toStr(255) },
  shared: { put: true, convert: toBool },
  is_default: { put: true, convert: toBool },
  project_id: { convert: toStr(255) },
  tenant_id: { convert: toStr(255) },
};

export const qosPolicyVisible = (caller: Caller) => (eb: AnyEb) =>
  caller.isAdmin
    ? sql<boolean>`1 = 1`
    : eb.or([eb('qos_policies.project_id', '=', caller.projectId), eb('qos_policies.shared', '=', 1), sharedWith(eb, 'qos_policy', 'qos_policies.id', caller.projectId)]);

export function ruleView(t: RuleType, r: QosRuleRow, withPolicy = false): Json {
  const params = parseJson<Json>(r.params, {});
  return {
    id: r.id,
    ...params,
    ...(t.directions.length ? { direction: r.direction } : {}),
    ...(withPolicy ? { qos_policy_id: r.policy_id } : {}),
  };
}

export function policyView(p: QosPolicyRow, rules: QosRuleRow[], tags: string[]): Json {
  return {
    id: p.id,
    name: p.name,
    description: p.description,
    project_id: p.project_id,
    tenant_id: p.project_id,
    shared: Boolean(p.shared),
    is_default: Boolean(p.is_default),
    rules: rules.map((r) => {
      const t = RULE_TYPES.find((x) => x.type === r.rule_type)!;
      return { ...ruleView(t, r, true), type: t.type };
    }),
    tags,
    revision_number: Number(p.revision_number),
    created_at: isoSeconds(Number(p.created_at)),
    updated_at: isoSeconds(Number(p.updated_at)),
  };
}

/** The hook that asks the pods to follow a policy's change (the `qos_policy_sync` job). */
export interface QosFollowUp {
  policyChanged(trx: Trx, policyId: string, projectId: string): Promise<string>;
  signal(jobIds: string[]): void;
}

export class QosService {
  constructor(
    private readonly deps: NetworkDeps,
    private readonly followUp: QosFollowUp,
  ) {}

  private get db() {
    return this.deps.db;
  }

  /** The policy row when the caller may see it, else 404. */
  async visiblePolicy(trx: Trx, caller: Caller, id: string): Promise<QosPolicyRow> {
    const row = await trx.selectFrom('qos_policies').selectAll('qos_policies').where('qos_policies.id', '=', id).where(qosPolicyVisible(caller)).executeTakeFirst();
    if (!row) throw qosErrors.policyNotFound(id);
    return row;
  }

  async views(rows: QosPolicyRow[], trx: Trx = this.db.kysely): Promise<Json[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const rules = await trx.selectFrom('qos_rules').selectAll().where('policy_id', 'in', ids).orderBy('created_at').orderBy('id').execute();
    const tags = await tagsOf(trx, 'qos_policies', ids);
    return rows.map((p) =>
      policyView(
        p,
        rules.filter((r) => r.policy_id === p.id),
        tags.get(p.id) ?? [],
      ),
    );
  }

  async createPolicies(caller: Caller, items: Json[]): Promise<Json[]> {
    const ids = await inTransaction(this.db, async (trx) => {
      const out: string[] = [];
      for (const item of items) {
        const attrs = parseAttributes(POLICY_SPEC, item, 'create');
        const projectId = owningProject(attrs, caller);
        requireAdminForAttributes(caller, 'create_policy', attrs.shared === true ? ['shared'] : []);
        const id = randomUUID();
        await trx
          .insertInto('qos_policies')
          .values({
            id,
            project_id: projectId,
            name: (attrs.name as string | undefined) ?? '',
            description: (attrs.description as string | undefined) ?? '',
            shared: fromBool(attrs.shared === true),
            is_default: fromBool(attrs.is_default === true),
            revision_number: 1,
            created_at: dbNow(this.db.dialect),
            updated_at: dbNow(this.db.dialect),
          })
          .execute();
        if (attrs.shared === true) await setWildcardShare(this.db, trx, 'qos_policy', id, projectId, true);
        if (attrs.is_default === true) await this.claimDefault(trx, projectId, id);
        out.push(id);
      }
      return out;
    });
    const rows = await this.db.kysely.selectFrom('qos_policies').selectAll().where('id', 'in', ids).execute();
    return this.views(ids.map((id) => rows.find((r) => r.id === id)!));
  }

  async listPolicies(caller: Caller, params: ListParams): Promise<QosPolicyRow[]> {
    const base = this.db.kysely.selectFrom('qos_policies').selectAll('qos_policies').where(qosPolicyVisible(caller)) as AnySelect;
    return pageOf<QosPolicyRow>(applyFilters(base, QOS_POLICY_LIST, params), QOS_POLICY_LIST, params, (id) => base.where('qos_policies.id', '=', id).executeTakeFirst());
  }

  async showPolicy(caller: Caller, id: string): Promise<Json> {
    return (await this.views([await this.visiblePolicy(this.db.kysely, caller, id)]))[0];
  }

  async updatePolicy(caller: Caller, id: string, body: Json): Promise<Json> {
    const attrs = parseAttributes(POLICY_SPEC, body, 'update');
    await this.inPolicyChange(caller, id, async (trx, row) => {
      requireAdminForAttributes(caller, 'update_policy', attrs.shared !== undefined ? ['shared'] : []);
      await trx
        .updateTable('qos_policies')
        .set({
          ...(attrs.name !== undefined ? { name: attrs.name as string } : {}),
          ...(attrs.description !== undefined ? { description: attrs.description as string } : {}),
          ...(attrs.shared !== undefined ? { shared: fromBool(attrs.shared as boolean) } : {}),
          ...(attrs.is_default !== undefined ? { is_default: fromBool(attrs.is_default as boolean) } : {}),
        })
        .where('id', '=', id)
        .execute();
      if (attrs.shared !== undefined) await setWildcardShare(this.db, trx, 'qos_policy', id, row.project_id, attrs.shared as boolean);
      if (attrs.is_default === true && !row.is_default) await this.claimDefault(trx, row.project_id, id);
      if (attrs.is_default === false) await trx.deleteFrom('qos_default_policies').where('policy_id', '=', id).execute();
    });
    return this.showPolicy(caller, id);
  }

  async deletePolicy(caller: Caller, id: string): Promise<void> {
    const jobs: string[] = [];
    await inTransaction(this.db, async (trx) => {
      jobs.length = 0;
      const row = await this.visiblePolicy(trx, caller, id);
      requireOwner(caller, row.project_id, 'delete_policy');
      const port = await trx.selectFrom('ports').select('id').where('qos_policy_id', '=', id).executeTakeFirst();
      if (port) throw qosErrors.policyInUse(id, 'port', port.id);
      const net = await trx.selectFrom('networks').select('id').where('qos_policy_id', '=', id).executeTakeFirst();
      if (net) throw qosErrors.policyInUse(id, 'network', net.id);
      await trx.deleteFrom('rbac_policies').where('object_type', '=', 'qos_policy').where('object_id', '=', id).execute();
      await trx.deleteFrom('qos_default_policies').where('policy_id', '=', id).execute();
      await trx.deleteFrom('qos_rules').where('policy_id', '=', id).execute();
      await dropTags(trx, 'qos_policies', [id]);
      await trx.deleteFrom('qos_policies').where('id', '=', id).execute();
      // The pods' copies go with the job: the policy is gone from the top.
      jobs.push(await this.followUp.policyChanged(trx, id, row.project_id));
    });
    this.followUp.signal(jobs);
  }

  // ---- rules ----------------------------------------------------------------------------------

  async createRule(caller: Caller, policyId: string, t: RuleType, body: Json): Promise<Json> {
    const attrs = parseAttributes(ruleSpec(t), body, 'create');
    const id = randomUUID();
    await this.inPolicyChange(caller, policyId, async (trx) => {
      const { direction, ...params } = attrs;
      await this.insertRule(trx, policyId, t, id, (direction as string | undefined) ?? (t.directions.length ? 'egress' : ''), { ...t.defaults, ...params });
    });
    return this.showRule(caller, policyId, t, id);
  }

  private async insertRule(trx: Trx, policyId: string, t: RuleType, id: string, direction: string, params: Json): Promise<void> {
    try {
      await trx
        .insertInto('qos_rules')
        .values({ id, policy_id: policyId, rule_type: t.type, direction, params: JSON.stringify(params), created_at: dbNow(this.db.dialect) })
        .execute();
    } catch (err) {
      if (isUniqueViolation(err)) throw qosErrors.duplicateRule(policyId);
      throw err;
    }
  }

  async listRules(caller: Caller, policyId: string, t: RuleType): Promise<QosRuleRow[]> {
    await this.visiblePolicy(this.db.kysely, caller, policyId);
    return this.db.kysely.selectFrom('qos_rules').selectAll().where('policy_id', '=', policyId).where('rule_type', '=', t.type).orderBy('id').execute();
  }

  private async ruleRow(trx: Trx, policyId: string, t: RuleType, ruleId: string): Promise<QosRuleRow> {
    const row = await trx.selectFrom('qos_rules').selectAll().where('id', '=', ruleId).where('policy_id', '=', policyId).where('rule_type', '=', t.type).executeTakeFirst();
    if (!row) throw qosErrors.ruleNotFound(ruleId, policyId);
    return row;
  }

  async showRule(caller: Caller, policyId: string, t: RuleType, ruleId: string): Promise<Json> {
    await this.visiblePolicy(this.db.kysely, caller, policyId);
    return ruleView(t, await this.ruleRow(this.db.kysely, policyId, t, ruleId));
  }

  async updateRule(caller: Caller, policyId: string, t: RuleType, ruleId: string, body: Json): Promise<Json> {
    const attrs = parseAttributes(ruleSpec(t), body, 'update');
    await this.inPolicyChange(caller, policyId, async (trx) => {
      const row = await this.ruleRow(trx, policyId, t, ruleId);
      const { direction, ...params } = attrs;
      try {
        await trx
          .updateTable('qos_rules')
          .set({
            params: JSON.stringify({ ...parseJson<Json>(row.params, {}), ...params }),
            ...(direction !== undefined ? { direction: direction as string } : {}),
          })
          .where('id', '=', ruleId)
          .execute();
      } catch (err) {
        if (isUniqueViolation(err)) throw qosErrors.duplicateRule(policyId);
        throw err;
      }
    });
    return this.showRule(caller, policyId, t, ruleId);
  }

  async deleteRule(caller: Caller, policyId: string, t: RuleType, ruleId: string): Promise<void> {
    await this.inPolicyChange(caller, policyId, async (trx) => {
      await this.ruleRow(trx, policyId, t, ruleId);
      await trx.deleteFrom('qos_rules').where('id', '=', ruleId).execute();
    });
  }

  /** The policy a rule id belongs to (the alias routes name rules without their policy). */
  async policyOfRule(caller: Caller, t: RuleType, ruleId: string): Promise<string> {
    const row = await this.db.kysely.selectFrom('qos_rules').select('policy_id').where('id', '=', ruleId).where('rule_type', '=', t.type).executeTakeFirst();
    if (!row) throw qosErrors.ruleNotFound(ruleId, '');
    const policy = await this.db.kysely.selectFrom('qos_policies').select('id').where('id', '=', row.policy_id).where(qosPolicyVisible(caller)).executeTakeFirst();
    if (!policy) throw qosErrors.ruleNotFound(ruleId, '');
    return row.policy_id;
  }

  /** Runs a change of the policy (owner or admin) in one transaction: bumps its revision and asks the pods to follow. */
  private async inPolicyChange(caller: Caller, policyId: string, work: (trx: Trx, row: QosPolicyRow) => Promise<void>): Promise<void> {
    const jobs: string[] = [];
    await inTransaction(this.db, async (trx) => {
      jobs.length = 0;
      const row = await this.visiblePolicy(trx, caller, policyId);
      requireOwner(caller, row.project_id, 'update_policy');
      await work(trx, row);
      await trx
        .updateTable('qos_policies')
        .set((eb) => ({ revision_number: eb('revision_number', '+', 1), updated_at: dbNow(this.db.dialect) }))
        .where('id', '=', policyId)
        .execute();
      jobs.push(await this.followUp.policyChanged(trx, policyId, row.project_id));
    });
    this.followUp.signal(jobs);
  }

  private async claimDefault(trx: Trx, projectId: string, policyId: string): Promise<void> {
    const existing = await trx.selectFrom('qos_default_policies').select('policy_id').where('project_id', '=', projectId).executeTakeFirst();
    if (existing && existing.policy_id !== policyId) throw qosErrors.defaultExists(projectId, existing.policy_id);
    try {
      if (!existing) await trx.insertInto('qos_default_policies').values({ project_id: projectId, policy_id: policyId }).execute();
    } catch (err) {
      if (isUniqueViolation(err)) throw qosErrors.defaultExists(projectId, '');
      throw err;
    }
  }

  /** A project's default policy (new networks without `qos_policy_id` get it), if any. */
  async defaultPolicyOf(trx: Trx, projectId: string): Promise<string | null> {
    return (await trx.selectFrom('qos_default_policies').select('policy_id').where('project_id', '=', projectId).executeTakeFirst())?.policy_id ?? null;
  }
}

/** A `qos_policy_id` in a port or network body: null, or a policy the caller may see (404 otherwise, as upstream). */
export async function checkQosPolicyRef(trx: Trx, caller: Caller, value: string | null): Promise<void> {
  if (value === null) return;
  const row = await trx.selectFrom('qos_policies').select('id').where('qos_policies.id', '=', value).where(qosPolicyVisible(caller)).executeTakeFirst();
  if (!row) throw qosErrors.policyNotFound(value);
}

export const invalidRuleType = (t: string) => invalidAttribute('type', `${t} is not a QoS rule type`);
