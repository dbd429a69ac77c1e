import { randomUUID } from 'node:crypto';
import type { Logger } from '../../common/index.js';
import type { RequestContext } from '../../identity/index.js';
import { policyNotAuthorized } from '../errors.js';
import { rbacGrants } from '../rbac/service.js';
import { sgErrors } from './errors.js';
import { ruleKey } from './expand.js';
import { DEFAULT_GROUP_NAME, type GroupInput, type GroupPatch, type RuleInput, type SecurityGroup, type SecurityGroupRule } from './model.js';
import type { NewRule, SecurityGroupStore } from './store.js';
import type { SecurityGroupMirror } from '../podSide.js';

/** A group with its rules, and whether it is its project's default group. */
export interface GroupWithRules {
  group: SecurityGroup;
  rules: SecurityGroupRule[];
  isDefault: boolean;
}

export interface SecurityGroupServiceOptions {
  store: SecurityGroupStore;
  /** Mirrors changes to the pods (src/wiring); without it the top changes alone. */
  mirror?: SecurityGroupMirror;
  logger?: Logger;
}

type Caller = Pick<RequestContext, 'projectId' | 'isAdmin'>;

const owns = (ctx: Caller, projectId: string) => ctx.isAdmin || ctx.projectId === projectId;

/**
 * Top security groups and rules: Neutron's semantics (default group per project, duplicate and in-use
 * checks, tenant scoping) plus mirroring of rule changes to the pods holding the group.
 */
export class SecurityGroupService {
  readonly store: SecurityGroupStore;
  private readonly mirror?: SecurityGroupMirror;
  private readonly logger?: Logger;

  constructor(opts: SecurityGroupServiceOptions) {
    this.store = opts.store;
    this.mirror = opts.mirror;
    this.logger = opts.logger;
  }

  /** The project's default group, created (with its rules) on first use. Returns its id. */
  ensureDefaultSecurityGroup(projectId: string): Promise<string> {
    return this.store.ensureDefaultGroup(projectId);
  }

  /** A group the caller may see and use (its own, or one an RBAC entry shares with it), or SecurityGroupNotFound. */
  async visibleGroup(ctx: Caller, id: string): Promise<SecurityGroup> {
    const group = await this.store.findGroup(id);
    if (!group || !(owns(ctx, group.projectId) || (await rbacGrants(this.store.db.kysely, 'security_group', id, ctx.projectId)))) throw sgErrors.groupNotFound(id);
    return group;
  }

  /** A group the caller may change: visible, and its own (403 as upstream's policy for a group shared with it). */
  private async ownedGroup(ctx: Caller, id: string, action: string): Promise<SecurityGroup> {
    const group = await this.visibleGroup(ctx, id);
    if (!owns(ctx, group.projectId)) throw policyNotAuthorized([action]);
    return group;
  }

  async getGroup(ctx: Caller, id: string): Promise<GroupWithRules> {
    const group = await this.visibleGroup(ctx, id);
    return this.withRules([group]).then((all) => all[0]);
  }

  /** Rules and default flags for groups already read. */
  async withRules(groups: SecurityGroup[]): Promise<GroupWithRules[]> {
    const ids = groups.map((g) => g.id);
    const [rules, defaults] = await Promise.all([this.store.rulesOfGroups(ids), this.store.defaultGroupIds(ids)]);
    return groups.map((group) => ({ group, rules: rules.get(group.id) ?? [], isDefault: defaults.has(group.id) }));
  }

  /** Creates groups (a bulk request is all or nothing); each project's default group is made first. */
  async createGroups(ctx: Caller, inputs: GroupInput[]): Promise<GroupWithRules[]> {
    const owned = inputs.map((i) => ({ ...i, projectId: i.projectId ?? ctx.projectId }));
    for (const projectId of new Set(owned.map((g) => g.projectId))) await this.ensureDefaultSecurityGroup(projectId);
    const ids = await this.store.createGroups(owned);
    return this.withRules(await this.store.groupsByIds(ids));
  }

  async updateGroup(ctx: RequestContext, id: string, patch: GroupPatch): Promise<GroupWithRules> {
    const before = await this.ownedGroup(ctx, id, 'update_security_group');
    const isDefault = (await this.store.defaultGroupIds([id])).has(id);
    if (isDefault && patch.name !== undefined) throw sgErrors.cannotUpdateDefault();
    if (patch.stateful !== undefined && patch.stateful !== before.stateful && (await this.store.portCount(id)) > 0) {
      throw sgErrors.groupInUse(id);
    }
    // Like upstream, an update that changes nothing leaves the revision alone.
    const changed =
      (patch.name !== undefined && patch.name !== before.name) ||
      (patch.description !== undefined && patch.description !== before.description) ||
      (patch.stateful !== undefined && patch.stateful !== before.stateful);
    if (!changed) return (await this.withRules([before]))[0];
    await this.store.updateGroup(id, patch);
    const after = (await this.store.findGroup(id))!;
    if (this.mirror) {
      try {
        await this.mirror.mirrorGroupUpdated(after, before, ctx);
      } catch (err) {
        await this.store.restoreGroup(before);
        throw err;
      }
    }
    return (await this.withRules([after]))[0];
  }

  async deleteGroup(ctx: RequestContext, id: string): Promise<void> {
    const group = await this.ownedGroup(ctx, id, 'delete_security_group');
    if ((await this.store.portCount(id)) > 0) throw sgErrors.groupInUse(id);
    const isDefault = (await this.store.defaultGroupIds([id])).has(id);
    if ((isDefault || group.name === DEFAULT_GROUP_NAME) && !ctx.isAdmin) throw sgErrors.cannotRemoveDefault();
    if (this.mirror) {
      // Rules of other groups that name this one as remote go with it (the database cascades): take
      // their expansion out of the pods first.
      for (const rule of await this.store.rulesReferencing(id)) {
        const owner = await this.store.findGroup(rule.securityGroupId);
        if (!owner) continue;
        const remaining = (await this.store.rulesOf(owner.id)).filter((r) => r.id !== rule.id);
        await this.mirror.mirrorRuleDeleted(owner, rule, remaining, ctx);
      }
      await this.mirror.deleteBottomGroups(id, ctx);
    }
    await this.store.deleteGroup(id);
  }

  /**
   * Brings the pod copies of the project's groups with remote-group rules up to date, after the
   * project's subnets changed (a reconciler's job). Returns the groups it resynchronised.
   */
  async resyncRemoteGroupRules(projectId: string, ctx: RequestContext): Promise<string[]> {
    const ids = await this.store.groupIdsWithRemoteGroupRules(projectId);
    if (this.mirror) for (const id of ids) await this.mirror.resyncGroup(id, ctx);
    return ids;
  }

  /** A rule the caller may see: its own, or one in a group it owns. */
  async getRule(ctx: Caller, id: string): Promise<{ rule: SecurityGroupRule; inDefaultGroup: boolean }> {
    const rule = await this.store.findRule(id);
    if (!rule) throw sgErrors.ruleNotFound(id);
    if (!owns(ctx, rule.projectId)) {
      await this.visibleGroup(ctx, rule.securityGroupId).catch(() => {
        throw sgErrors.ruleNotFound(id);
      });
    }
    return { rule, inDefaultGroup: (await this.store.defaultGroupIds([rule.securityGroupId])).has(rule.securityGroupId) };
  }

  /**
   * Creates rules, all in one group. They are written at the top, then mirrored to every pod holding
   * the group; when a pod refuses, the top rules are removed again and the pod's error is thrown.
   */
  async createRules(ctx: RequestContext, inputs: RuleInput[]): Promise<{ rules: SecurityGroupRule[]; inDefaultGroup: boolean }> {
    const groupIds = new Set(inputs.map((r) => r.securityGroupId));
    const projects = new Set(inputs.map((r) => r.projectId ?? ctx.projectId));
    if (groupIds.size > 1 || projects.size > 1) throw sgErrors.notSingleGroup();
    const group = await this.ownedGroup(ctx, inputs[0].securityGroupId, 'create_security_group_rule');
    for (const input of inputs) {
      if (input.remoteGroupId !== null && input.remoteGroupId !== group.id) await this.visibleGroup(ctx, input.remoteGroupId);
      if (input.remoteAddressGroupId !== null) throw sgErrors.addressGroupNotFound(input.remoteAddressGroupId);
    }
    const seen = new Set<string>();
    for (const input of inputs) {
      const key = ruleKey(input);
      if (seen.has(key)) throw sgErrors.duplicateRuleInPost();
      seen.add(key);
    }
    const before = await this.store.rulesOf(group.id);
    for (const existing of before) if (seen.has(ruleKey(existing))) throw sgErrors.ruleExists(existing.id);

    const rows: NewRule[] = inputs.map((input) => ({
      id: randomUUID(),
      securityGroupId: group.id,
      projectId: input.projectId ?? group.projectId,
      direction: input.direction,
      ethertype: input.ethertype,
      protocol: input.protocol,
      portRangeMin: input.portRangeMin,
      portRangeMax: input.portRangeMax,
      remoteIpPrefix: input.remoteIpPrefix,
      remoteGroupId: input.remoteGroupId,
      remoteAddressGroupId: input.remoteAddressGroupId,
      description: input.description,
    }));
    await this.store.insertRules(group.id, rows);
    const created = await this.store.rulesByIds(rows.map((r) => r.id));
    if (this.mirror) {
      try {
        await this.mirror.mirrorRulesCreated(group, created, before, ctx);
      } catch (err) {
        await this.store
          .deleteRules(
            group.id,
            rows.map((r) => r.id),
          )
          .catch((undoErr) => this.logger?.error({ err: undoErr, group: group.id }, 'could not remove top rules after a pod refused them'));
        throw err;
      }
    }
    const isDefault = (await this.store.defaultGroupIds([group.id])).has(group.id);
    return { rules: created, inDefaultGroup: isDefault };
  }

  /** Deletes a rule: from the pods first (put back if one refuses), then at the top. */
  async deleteRule(ctx: RequestContext, id: string): Promise<void> {
    const { rule } = await this.getRule(ctx, id);
    const group = await this.store.findGroup(rule.securityGroupId);
    if (!group) throw sgErrors.ruleNotFound(id);
    if (!owns(ctx, rule.projectId) && !owns(ctx, group.projectId)) throw policyNotAuthorized(['delete_security_group_rule']);
    if (this.mirror) {
      const remaining = (await this.store.rulesOf(group.id)).filter((r) => r.id !== rule.id);
      await this.mirror.mirrorRuleDeleted(group, rule, remaining, ctx);
    }
    await this.store.deleteRules(group.id, [rule.id]);
  }
}
