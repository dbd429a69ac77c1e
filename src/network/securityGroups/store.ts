import { randomUUID } from 'node:crypto';
import type { NetworkQuotaService } from '../quotas/service.js';
import type { Selectable, Transaction } from 'kysely';
import { dbNow, isForeignKeyViolation, isUniqueViolation, type Db } from '../../db/index.js';
import type { Database } from '../../db/index.js';
import type { SecurityGroupRulesTable, SecurityGroupsTable } from '../tables.js';
import { templateRules } from '../defaultRules/template.js';
import { inTransaction } from '../tx.js';
import { sgErrors } from './errors.js';
import {
  DEFAULT_GROUP_DESCRIPTION,
  DEFAULT_GROUP_NAME,
  type Direction,
  type Ethertype,
  type GroupInput,
  type GroupPatch,
  type SecurityGroup,
  type SecurityGroupRule,
} from './model.js';

/** resource_type of security groups in resource_tags. */
export const TAG_RESOURCE_TYPE = 'security_groups' as const;

/** A rule ready to insert: everything but the timestamps and revision. */
export type NewRule = Omit<SecurityGroupRule, 'createdAt' | 'updatedAt' | 'revisionNumber'>;

type Tx = Transaction<Database>;

export function toGroup(row: Selectable<SecurityGroupsTable>, tags: string[] = []): SecurityGroup {
  return {
    id: row.id,
    projectId: row.project_id,
    name: row.name,
    description: row.description,
    stateful: Boolean(Number(row.stateful)),
    tags,
    revisionNumber: Number(row.revision_number),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

export function toRule(row: Selectable<SecurityGroupRulesTable>): SecurityGroupRule {
  return {
    id: row.id,
    securityGroupId: row.security_group_id,
    projectId: row.project_id,
    direction: row.direction as Direction,
    ethertype: row.ethertype as Ethertype,
    protocol: row.protocol,
    portRangeMin: row.port_range_min === null ? null : Number(row.port_range_min),
    portRangeMax: row.port_range_max === null ? null : Number(row.port_range_max),
    remoteIpPrefix: row.remote_ip_prefix,
    remoteGroupId: row.remote_group_id,
    remoteAddressGroupId: row.remote_address_group_id,
    description: row.description,
    revisionNumber: Number(row.revision_number),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

/** SQL access to security_groups, security_group_rules, default_security_groups and their tags. */
export class SecurityGroupStore {
  constructor(
    readonly db: Db,
    /** Quota admission inside the transactions that create groups and rules (src/network/quotas). */
    private readonly quotas?: Pick<NetworkQuotaService, 'admit'>,
  ) {}

  private now() {
    return dbNow(this.db.dialect);
  }

  async findGroup(id: string): Promise<SecurityGroup | undefined> {
    const row = await this.db.kysely.selectFrom('security_groups').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) return undefined;
    return toGroup(row, (await this.tagsOf([id])).get(id) ?? []);
  }

  /** Groups by id, with their tags, in the order of `ids`. */
  async groupsByIds(ids: readonly string[]): Promise<SecurityGroup[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.kysely
      .selectFrom('security_groups')
      .selectAll()
      .where('id', 'in', [...ids])
      .execute();
    const tags = await this.tagsOf(ids);
    const byId = new Map(rows.map((r) => [r.id, toGroup(r, tags.get(r.id) ?? [])]));
    return ids.map((id) => byId.get(id)).filter((g): g is SecurityGroup => g !== undefined);
  }

  async tagsOf(ids: readonly string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    if (ids.length === 0) return out;
    const rows = await this.db.kysely
      .selectFrom('resource_tags')
      .select(['resource_id', 'tag'])
      .where('resource_type', '=', TAG_RESOURCE_TYPE)
      .where('resource_id', 'in', [...ids])
      .orderBy('tag')
      .execute();
    for (const r of rows) out.set(r.resource_id, [...(out.get(r.resource_id) ?? []), r.tag]);
    return out;
  }

  async rulesOf(groupId: string): Promise<SecurityGroupRule[]> {
    return this.rulesOfGroups([groupId]).then((m) => m.get(groupId) ?? []);
  }

  /** Rules of each group, oldest first. */
  async rulesOfGroups(groupIds: readonly string[]): Promise<Map<string, SecurityGroupRule[]>> {
    const out = new Map<string, SecurityGroupRule[]>();
    if (groupIds.length === 0) return out;
    const rows = await this.db.kysely
      .selectFrom('security_group_rules')
      .selectAll()
      .where('security_group_id', 'in', [...groupIds])
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    for (const row of rows) {
      const rule = toRule(row);
      out.set(rule.securityGroupId, [...(out.get(rule.securityGroupId) ?? []), rule]);
    }
    return out;
  }

  async findRule(id: string): Promise<SecurityGroupRule | undefined> {
    const row = await this.db.kysely.selectFrom('security_group_rules').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toRule(row) : undefined;
  }

  async rulesByIds(ids: readonly string[]): Promise<SecurityGroupRule[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.kysely
      .selectFrom('security_group_rules')
      .selectAll()
      .where('id', 'in', [...ids])
      .execute();
    const byId = new Map(rows.map((r) => [r.id, toRule(r)]));
    return ids.map((id) => byId.get(id)).filter((r): r is SecurityGroupRule => r !== undefined);
  }

  /** The id of the project's default group, if it has one. */
  async defaultGroupIdOf(projectId: string): Promise<string | undefined> {
    const row = await this.db.kysely.selectFrom('default_security_groups').select('security_group_id').where('project_id', '=', projectId).executeTakeFirst();
    return row?.security_group_id;
  }

  /** Which of `groupIds` are some project's default group. */
  async defaultGroupIds(groupIds: readonly string[]): Promise<Set<string>> {
    if (groupIds.length === 0) return new Set();
    const rows = await this.db.kysely
      .selectFrom('default_security_groups')
      .select('security_group_id')
      .where('security_group_id', 'in', [...groupIds])
      .execute();
    return new Set(rows.map((r) => r.security_group_id));
  }

  /** Creates groups (with their starting egress rules and tags) in one transaction. */
  async createGroups(groups: (GroupInput & { projectId: string })[]): Promise<string[]> {
    const ids = groups.map(() => randomUUID());
    await inTransaction(this.db, async (trx) => {
      await this.quotas?.admit(trx, 'security_group', groups);
      for (const [i, g] of groups.entries()) {
        await this.insertGroup(trx, ids[i], g.projectId, g.name, g.description, g.stateful);
        await this.insertTemplateRules(trx, ids[i], g.projectId, false);
        if (g.tags.length > 0) {
          await trx
            .insertInto('resource_tags')
            .values(g.tags.map((tag) => ({ resource_id: ids[i], resource_type: TAG_RESOURCE_TYPE, tag })))
            .execute();
        }
      }
    });
    return ids;
  }

  /**
   * Creates the project's default group unless it has one; returns its id either way. Concurrent
   * callers agree on one group through default_security_groups' primary key.
   */
  async ensureDefaultGroup(projectId: string): Promise<string> {
    const existing = await this.defaultGroupIdOf(projectId);
    if (existing) return existing;
    const id = randomUUID();
    try {
      await inTransaction(this.db, async (trx) => {
        await this.insertGroup(trx, id, projectId, DEFAULT_GROUP_NAME, DEFAULT_GROUP_DESCRIPTION, true);
        // The primary key on project_id makes a concurrent second default group fail here.
        await trx.insertInto('default_security_groups').values({ project_id: projectId, security_group_id: id }).execute();
        await this.insertTemplateRules(trx, id, projectId, true);
      });
      return id;
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      const winner = await this.defaultGroupIdOf(projectId);
      if (!winner) throw err;
      return winner;
    }
  }

  async updateGroup(id: string, patch: GroupPatch): Promise<void> {
    await this.db.kysely
      .updateTable('security_groups')
      .set((eb) => ({
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.description !== undefined ? { description: patch.description } : {}),
        ...(patch.stateful !== undefined ? { stateful: patch.stateful ? 1 : 0 } : {}),
        revision_number: eb('revision_number', '+', 1),
        updated_at: this.now(),
      }))
      .where('id', '=', id)
      .execute();
  }

  /** Puts back a group's name, description and flags as they were (undo of an update). */
  async restoreGroup(group: SecurityGroup): Promise<void> {
    await this.updateGroup(group.id, { name: group.name, description: group.description, stateful: group.stateful });
  }

  /** Deletes a group with its rules, tags and default marker; SecurityGroupInUse if a port took it meanwhile. */
  async deleteGroup(id: string): Promise<void> {
    try {
      await inTransaction(this.db, async (trx) => {
        await trx.deleteFrom('security_group_rules').where('security_group_id', '=', id).execute();
        await trx.deleteFrom('security_group_rules').where('remote_group_id', '=', id).execute();
        await trx.deleteFrom('resource_tags').where('resource_type', '=', TAG_RESOURCE_TYPE).where('resource_id', '=', id).execute();
        await trx.deleteFrom('default_security_groups').where('security_group_id', '=', id).execute();
        await trx.deleteFrom('rbac_policies').where('object_type', '=', 'security_group').where('object_id', '=', id).execute();
        await trx.deleteFrom('security_groups').where('id', '=', id).execute();
      });
    } catch (err) {
      if (isForeignKeyViolation(err)) throw sgErrors.groupInUse(id);
      throw err;
    }
  }

  /** Inserts rules (all of one group) and bumps the group's revision; SecurityGroupNotFound if a group went away meanwhile. */
  async insertRules(groupId: string, rules: NewRule[]): Promise<void> {
    try {
      await inTransaction(this.db, async (trx) => {
        await this.quotas?.admit(trx, 'security_group_rule', rules);
        await this.insertRuleRows(trx, rules);
        await this.bumpGroup(trx, groupId);
      });
    } catch (err) {
      if (!isForeignKeyViolation(err)) throw err;
      const missing = [groupId, ...rules.map((r) => r.remoteGroupId)].filter((g): g is string => g !== null);
      for (const g of missing) if (!(await this.findGroup(g))) throw sgErrors.groupNotFound(g);
      throw err;
    }
  }

  /** Deletes rules of one group and bumps the group's revision. */
  async deleteRules(groupId: string, ruleIds: string[]): Promise<void> {
    if (ruleIds.length === 0) return;
    await inTransaction(this.db, async (trx) => {
      await trx.deleteFrom('security_group_rules').where('id', 'in', ruleIds).execute();
      await this.bumpGroup(trx, groupId);
    });
  }

  /** Ids of rules in other groups whose remote group is `groupId`. */
  async rulesReferencing(groupId: string): Promise<SecurityGroupRule[]> {
    const rows = await this.db.kysely.selectFrom('security_group_rules').selectAll().where('remote_group_id', '=', groupId).where('security_group_id', '!=', groupId).execute();
    return rows.map(toRule);
  }

  /** Ids of the project's groups holding a remote-group rule (whose pod copies depend on its subnets). */
  async groupIdsWithRemoteGroupRules(projectId: string): Promise<string[]> {
    const rows = await this.db.kysely
      .selectFrom('security_group_rules')
      .innerJoin('security_groups', 'security_groups.id', 'security_group_rules.security_group_id')
      .select('security_groups.id')
      .distinct()
      .where('security_groups.project_id', '=', projectId)
      .where('security_group_rules.remote_group_id', 'is not', null)
      .orderBy('security_groups.id')
      .execute();
    return rows.map((r) => r.id);
  }

  /** How many ports use the group. */
  async portCount(groupId: string): Promise<number> {
    const row = await this.db.kysely
      .selectFrom('port_security_groups')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('security_group_id', '=', groupId)
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  private async insertGroup(trx: Tx, id: string, projectId: string, name: string, description: string, stateful: boolean): Promise<void> {
    const now = this.now();
    await trx
      .insertInto('security_groups')
      .values({ id, project_id: projectId, name, description, stateful: stateful ? 1 : 0, revision_number: 1, created_at: now, updated_at: now })
      .execute();
  }

  /** A new group's starting rules, from the default-security-group-rules template (src/network/defaultRules). */
  private async insertTemplateRules(trx: Tx, groupId: string, projectId: string, defaultGroup: boolean): Promise<void> {
    const rules = await templateRules(trx, groupId, defaultGroup);
    await this.insertRuleRows(
      trx,
      rules.map((r) => ({ ...r, id: randomUUID(), securityGroupId: groupId, projectId })),
    );
  }

  private async insertRuleRows(trx: Tx, rules: NewRule[]): Promise<void> {
    if (rules.length === 0) return;
    const now = this.now();
    await trx
      .insertInto('security_group_rules')
      .values(
        rules.map((r) => ({
          id: r.id,
          project_id: r.projectId,
          security_group_id: r.securityGroupId,
          remote_group_id: r.remoteGroupId,
          remote_address_group_id: r.remoteAddressGroupId,
          direction: r.direction,
          ethertype: r.ethertype,
          protocol: r.protocol,
          port_range_min: r.portRangeMin,
          port_range_max: r.portRangeMax,
          remote_ip_prefix: r.remoteIpPrefix,
          description: r.description,
          revision_number: 1,
          created_at: now,
          updated_at: now,
        })),
      )
      .execute();
  }

  private async bumpGroup(trx: Tx, groupId: string): Promise<void> {
    await trx
      .updateTable('security_groups')
      .set((eb) => ({ revision_number: eb('revision_number', '+', 1), updated_at: this.now() }))
      .where('id', '=', groupId)
      .execute();
  }
}
