import { sql, type Expression, type SqlBool } from 'kysely';
import { toBoolean } from '../input.js';
import { projectFilters, tagFilters } from '../listAttrs.js';
import { applyFilters, markerColumns, pageOf, type AnyEb, type AnySelect, type ListParams, type ListSchema } from '../query.js';
import { sharedWith } from '../rbac/service.js';
import type { SecurityGroupRulesTable, SecurityGroupsTable } from '../tables.js';
import { TAG_RESOURCE_TYPE, toGroup, toRule, type SecurityGroupStore } from './store.js';
import type { SecurityGroup, SecurityGroupRule } from './model.js';

type Caller = { projectId: string; isAdmin: boolean };

/** Groups are never shared here: shared=false matches every group, shared=true none. */
const sharedFilter = (_eb: AnyEb, values: string[]): Expression<SqlBool> => (values.some((v) => !toBoolean(v)) ? sql<SqlBool>`1 = 1` : sql<SqlBool>`1 = 0`);

export const GROUP_LIST_SCHEMA: ListSchema = {
  collection: 'security_groups',
  idColumn: 'security_groups.id',
  attrs: {
    id: { kind: 'string', column: 'security_groups.id', sortable: true },
    name: { kind: 'string', column: 'security_groups.name', sortable: true },
    description: { kind: 'string', column: 'security_groups.description' },
    ...projectFilters('security_groups.project_id'),
    stateful: { kind: 'bool', column: 'security_groups.stateful' },
    revision_number: { kind: 'int', column: 'security_groups.revision_number' },
    shared: { kind: 'custom', filter: sharedFilter },
    ...tagFilters(TAG_RESOURCE_TYPE, 'security_groups.id'),
  },
};

/** Rules of a project's default group (belongs_to_default_sg). */
function inDefaultGroupFilter(eb: AnyEb, values: string[]): Expression<SqlBool> {
  const wanted = new Set(values.map((v) => toBoolean(v)));
  const inDefault = eb.exists(
    eb
      .selectFrom('default_security_groups')
      .select('default_security_groups.security_group_id')
      .where('default_security_groups.security_group_id', '=', eb.ref('security_group_rules.security_group_id')),
  );
  if (wanted.size === 2) return sql<SqlBool>`1 = 1`;
  return wanted.has(true) ? inDefault : eb.not(inDefault);
}

export const RULE_LIST_SCHEMA: ListSchema = {
  collection: 'security_group_rules',
  idColumn: 'security_group_rules.id',
  attrs: {
    id: { kind: 'string', column: 'security_group_rules.id', sortable: true },
    security_group_id: { kind: 'string', column: 'security_group_rules.security_group_id', sortable: true },
    direction: { kind: 'string', column: 'security_group_rules.direction', sortable: true },
    ethertype: { kind: 'string', column: 'security_group_rules.ethertype', sortable: true },
    protocol: { kind: 'string', column: 'security_group_rules.protocol', sortable: true },
    port_range_min: { kind: 'int', column: 'security_group_rules.port_range_min', sortable: true },
    port_range_max: { kind: 'int', column: 'security_group_rules.port_range_max', sortable: true },
    remote_ip_prefix: { kind: 'string', column: 'security_group_rules.remote_ip_prefix', sortable: true },
    remote_group_id: { kind: 'string', column: 'security_group_rules.remote_group_id', sortable: true },
    remote_address_group_id: { kind: 'string', column: 'security_group_rules.remote_address_group_id' },
    description: { kind: 'string', column: 'security_group_rules.description' },
    ...projectFilters('security_group_rules.project_id'),
    revision_number: { kind: 'int', column: 'security_group_rules.revision_number' },
    belongs_to_default_sg: { kind: 'custom', filter: inDefaultGroupFilter },
  },
};

function visibleGroups(store: SecurityGroupStore, ctx: Caller): AnySelect {
  let qb: AnySelect = store.db.kysely.selectFrom('security_groups').selectAll('security_groups');
  if (!ctx.isAdmin) {
    qb = qb.where((eb: AnyEb) => eb.or([eb('security_groups.project_id', '=', ctx.projectId), sharedWith(eb, 'security_group', 'security_groups.id', ctx.projectId)]));
  }
  return qb;
}

/** A caller sees its own rules and the rules of its own groups. */
function visibleRules(store: SecurityGroupStore, ctx: Caller): AnySelect {
  let qb: AnySelect = store.db.kysely.selectFrom('security_group_rules').selectAll('security_group_rules');
  if (!ctx.isAdmin) {
    qb = qb.where((eb: AnyEb) =>
      eb.or([
        eb('security_group_rules.project_id', '=', ctx.projectId),
        eb('security_group_rules.security_group_id', 'in', eb.selectFrom('security_groups').select('security_groups.id').where('security_groups.project_id', '=', ctx.projectId)),
        sharedWith(eb, 'security_group', 'security_group_rules.security_group_id', ctx.projectId),
      ]),
    );
  }
  return qb;
}

/** One page of the groups the caller sees, filtered and sorted as asked. */
export async function listGroups(store: SecurityGroupStore, ctx: Caller, params: ListParams): Promise<SecurityGroup[]> {
  const qb = applyFilters(visibleGroups(store, ctx), GROUP_LIST_SCHEMA, params);
  const cols = markerColumns(GROUP_LIST_SCHEMA, params);
  const rows = await pageOf<SecurityGroupsTable>(
    qb,
    GROUP_LIST_SCHEMA,
    params,
    (id) =>
      visibleGroups(store, ctx)
        .clearSelect()
        .select(cols.map((c) => sql.ref(c).as(c.slice(c.lastIndexOf('.') + 1))))
        .where('security_groups.id', '=', id)
        .executeTakeFirst() as Promise<Record<string, unknown> | undefined>,
  );
  const tags = await store.tagsOf(rows.map((r) => r.id));
  return rows.map((r) => toGroup(r, tags.get(r.id) ?? []));
}

/** One page of the rules the caller sees. */
export async function listRules(store: SecurityGroupStore, ctx: Caller, params: ListParams): Promise<SecurityGroupRule[]> {
  const qb = applyFilters(visibleRules(store, ctx), RULE_LIST_SCHEMA, params);
  const cols = markerColumns(RULE_LIST_SCHEMA, params);
  const rows = await pageOf<SecurityGroupRulesTable>(
    qb,
    RULE_LIST_SCHEMA,
    params,
    (id) =>
      visibleRules(store, ctx)
        .clearSelect()
        .select(cols.map((c) => sql.ref(c).as(c.slice(c.lastIndexOf('.') + 1))))
        .where('security_group_rules.id', '=', id)
        .executeTakeFirst() as Promise<Record<string, unknown> | undefined>,
  );
  return rows.map(toRule);
}
