import { ExpiringLru, type Logger } from '../../common/index.js';
import type { RequestContext } from '../../identity/index.js';
import type { Pod } from '../../pods/index.js';
import {
  cidrWithin,
  diffRules,
  expandRulesForPod,
  ruleKey,
  sgErrors,
  type RuleMatch,
  type SecurityGroup,
  type SecurityGroupMirror,
  type SecurityGroupRule,
  type SubnetCidrSource,
  type TopSecurityGroups,
} from '../../network/index.js';
import type { Routing, RoutingLock } from '../../routing/index.js';
import { bottomStatus, type BottomSecurityGroupApi } from './bottomApi.js';

export const SECURITY_GROUP_RESOURCE = 'security_group';

/** What the mirroring reads of the top groups. */
export type TopGroupReader = Pick<TopSecurityGroups, 'findGroup' | 'rulesOf'>;

export interface SecurityGroupSyncOptions {
  routes: { findByTop(topId: string, resourceType: string): Promise<Routing[]>; delete(id: number): Promise<void> };
  pods: { get(id: string): Promise<Pod> };
  groups: TopGroupReader;
  subnets: SubnetCidrSource;
  bottom: BottomSecurityGroupApi;
  lock: Pick<RoutingLock, 'getOrCreateBottom'>;
  /**
   * Which subnets a remote-group rule expands to in a pod: every subnet of the project (default; the
   * group's members may sit in any pod and cross-pod L3 keeps their source addresses), or only the
   * subnets mapped to that pod.
   */
  remoteGroupScope?: 'project' | 'pod';
  /** Subnets inside these ranges never count (the bridge networks' pools). */
  excludedCidrs?: string[];
  logger?: Logger;
  /**
   * How long a pod copy that a boot found equal to the top is taken as equal by the next boots (ms),
   * as long as the top rules expand to the same set: they then ask the pod nothing. Any change at the
   * top changes that set; only an edit made in the pod itself waits this long. Default 60 s; 0 off.
   */
  checkedTtlMs?: number;
}

interface PodGroup {
  pod: Pod;
  bottomGroupId: string;
}

/**
 * Keeps the pods' copies of top security groups equal to the top: a pod holds a group named by the top
 * id whose rules are the top rules with remote groups expanded to CIDRs.
 */
export class SecurityGroupSync implements SecurityGroupMirror {
  private readonly scope: 'project' | 'pod';
  private readonly excluded: string[];
  /** Pod copy (pod|bottom group) → the expanded rule set it was last made equal to. */
  private readonly checked = new ExpiringLru<string>(10_000);

  constructor(private readonly opts: SecurityGroupSyncOptions) {
    this.scope = opts.remoteGroupScope ?? 'project';
    this.excluded = opts.excludedCidrs ?? ['100.0.0.0/8'];
  }

  /**
   * Makes sure the group exists in `pod` with exactly the expanded top rules; returns the bottom group
   * id. Used when a port of the group first lands in a pod.
   */
  async prepareBottomSecurityGroup(pod: Pod, topSgId: string, ctx: RequestContext): Promise<string> {
    const group = await this.opts.groups.findGroup(topSgId);
    if (!group) throw sgErrors.groupNotFound(topSgId);
    const { bottomId } = await this.opts.lock.getOrCreateBottom({
      topId: group.id,
      podId: pod.id,
      projectId: group.projectId,
      resourceType: SECURITY_GROUP_RESOURCE,
      create: async () => (await this.opts.bottom.createGroup(pod, ctx, { name: group.id, description: group.description, projectId: group.projectId })).id,
      findByName: async () => (await this.opts.bottom.findGroupsByName(pod, ctx, group.id, group.projectId))[0]?.id,
      discard: (duplicate) => this.opts.bottom.deleteGroup(pod, ctx, duplicate),
    });
    // Read the rules only now that the route is complete: a rule created meanwhile is either seen here
    // or mirrored by its own request, which then finds this pod in the routing table.
    const desired = await this.desiredRules(group, pod);
    const key = `${pod.id}|${bottomId}`;
    const wanted = desired.map(ruleKey).sort().join('\n');
    if (this.checked.get(key) === wanted) return bottomId;
    await this.reconcile({ pod, bottomGroupId: bottomId }, group, ctx, desired);
    const ttl = this.opts.checkedTtlMs ?? 60_000;
    if (ttl > 0) this.checked.set(key, wanted, Date.now() + ttl);
    return bottomId;
  }

  /**
   * Reconciles every pod copy of a group with the top (for a reconciler, e.g. after the project's
   * subnets changed, which changes what remote-group rules expand to). Pods are done one by one; the
   * first failure is thrown after the others were tried.
   */
  async resyncGroup(topSgId: string, ctx: RequestContext): Promise<void> {
    const group = await this.opts.groups.findGroup(topSgId);
    if (!group) return;
    let failure: unknown;
    for (const target of await this.podGroups(group.id)) {
      await this.reconcile(target, group, ctx).catch((err) => {
        failure ??= err;
        this.opts.logger?.warn({ err, pod: target.pod.regionName, group: group.id }, 'security group resync failed in a pod');
      });
    }
    if (failure) throw failure;
  }

  /** The rules `pod`'s copy of `group` must hold now. */
  async desiredRules(group: SecurityGroup, pod: Pod, rules?: readonly RuleMatch[]): Promise<RuleMatch[]> {
    const top = rules ?? (await this.opts.groups.rulesOf(group.id));
    const needsCidrs = top.some((r) => r.remoteGroupId !== null);
    const cidrs = needsCidrs ? await this.cidrsFor(group.projectId, pod) : [];
    return expandRulesForPod(top, cidrs);
  }

  /** Brings a pod's copy of a group to the desired rule set (deletes what differs, adds what is missing). */
  async reconcile(target: PodGroup, group: SecurityGroup, ctx: RequestContext, rules?: RuleMatch[]): Promise<void> {
    const desired = rules ?? (await this.desiredRules(group, target.pod));
    this.checked.delete(`${target.pod.id}|${target.bottomGroupId}`);
    const current = await this.opts.bottom.listRules(target.pod, ctx, target.bottomGroupId);
    const { remove, add } = diffRules(current, desired);
    for (const rule of remove) await this.deleteBottomRule(target.pod, ctx, rule.id);
    for (const rule of add) await this.createBottomRule(target.pod, ctx, target.bottomGroupId, rule);
  }

  /**
   * Mirrors newly created top rules (all of one group) to every pod holding the group. `before` are the
   * group's rules without them. On a pod failure the rules already made in other pods are removed and
   * the pod's error is thrown; the caller then removes the top rules.
   */
  async mirrorRulesCreated(group: SecurityGroup, created: readonly SecurityGroupRule[], before: readonly SecurityGroupRule[], ctx: RequestContext): Promise<void> {
    this.checked.clear(); // the pods' rules change (or fail half-way): boots check them again
    const made: { pod: Pod; id: string }[] = [];
    try {
      for (const target of await this.podGroups(group.id)) {
        const cidrs = await this.cidrsIfNeeded(group, target.pod, [...created, ...before]);
        const existing = new Set(expandRulesForPod(before, cidrs).map(ruleKey));
        for (const rule of expandRulesForPod(created, cidrs)) {
          if (existing.has(ruleKey(rule))) continue;
          const id = await this.createBottomRule(target.pod, ctx, target.bottomGroupId, rule);
          if (id) made.push({ pod: target.pod, id });
        }
      }
    } catch (err) {
      for (const { pod, id } of made.reverse()) {
        await this.deleteBottomRule(pod, ctx, id).catch((undoErr) =>
          this.opts.logger?.warn({ err: undoErr, pod: pod.regionName, rule: id }, 'could not undo a mirrored security group rule'),
        );
      }
      throw err;
    }
  }

  /**
   * Removes from every pod what a deleted top rule expanded to, unless a remaining rule still needs it.
   * On a pod failure the rules already removed elsewhere are put back and the pod's error is thrown;
   * the caller then keeps the top rule.
   */
  async mirrorRuleDeleted(group: SecurityGroup, deleted: SecurityGroupRule, remaining: readonly SecurityGroupRule[], ctx: RequestContext): Promise<void> {
    this.checked.clear(); // the pods' rules change (or fail half-way): boots check them again
    const removed: { target: PodGroup; rule: RuleMatch }[] = [];
    try {
      for (const target of await this.podGroups(group.id)) {
        const cidrs = await this.cidrsIfNeeded(group, target.pod, [deleted, ...remaining]);
        const kept = new Set(expandRulesForPod(remaining, cidrs).map(ruleKey));
        const gone = new Set(
          expandRulesForPod([deleted], cidrs)
            .map(ruleKey)
            .filter((k) => !kept.has(k)),
        );
        if (gone.size === 0) continue;
        const current = await this.opts.bottom.listRules(target.pod, ctx, target.bottomGroupId);
        for (const rule of current.filter((r) => gone.has(ruleKey(r)))) {
          await this.deleteBottomRule(target.pod, ctx, rule.id);
          removed.push({ target, rule });
        }
      }
    } catch (err) {
      for (const { target, rule } of removed.reverse()) {
        await this.createBottomRule(target.pod, ctx, target.bottomGroupId, rule).catch((undoErr) =>
          this.opts.logger?.warn({ err: undoErr, pod: target.pod.regionName }, 'could not restore a security group rule'),
        );
      }
      throw err;
    }
  }

  /** Copies a changed description to every pod; on failure the pods already changed get `previous` back. */
  async mirrorGroupUpdated(group: SecurityGroup, previous: SecurityGroup, ctx: RequestContext): Promise<void> {
    if (group.description === previous.description) return;
    const done: PodGroup[] = [];
    try {
      for (const target of await this.podGroups(group.id)) {
        await this.opts.bottom.updateGroup(target.pod, ctx, target.bottomGroupId, { description: group.description });
        done.push(target);
      }
    } catch (err) {
      for (const target of done.reverse()) {
        await this.opts.bottom.updateGroup(target.pod, ctx, target.bottomGroupId, { description: previous.description }).catch(() => undefined);
      }
      throw err;
    }
  }

  /**
   * Deletes the group's copies in the pods and their routes. Stops at the first pod that refuses (the
   * pods done so far stay done; a retry finishes the rest).
   */
  async deleteBottomGroups(groupId: string, ctx: RequestContext): Promise<void> {
    this.checked.clear(); // the pods' rules change (or fail half-way): boots check them again
    for (const route of await this.opts.routes.findByTop(groupId, SECURITY_GROUP_RESOURCE)) {
      if (route.bottomId) {
        const pod = await this.opts.pods.get(route.podId);
        try {
          await this.opts.bottom.deleteGroup(pod, ctx, route.bottomId);
        } catch (err) {
          if (bottomStatus(err) !== 404) throw err;
        }
      }
      await this.opts.routes.delete(route.id).catch((err) => {
        if (bottomStatus(err) !== 404) throw err;
      });
    }
  }

  /** The pods where the group has a complete route. */
  async podGroups(groupId: string): Promise<PodGroup[]> {
    const routes = await this.opts.routes.findByTop(groupId, SECURITY_GROUP_RESOURCE);
    const out: PodGroup[] = [];
    for (const route of routes.sort((a, b) => a.podId.localeCompare(b.podId))) {
      if (!route.bottomId) continue;
      out.push({ pod: await this.opts.pods.get(route.podId), bottomGroupId: route.bottomId });
    }
    return out;
  }

  private async cidrsIfNeeded(group: SecurityGroup, pod: Pod, rules: readonly RuleMatch[]): Promise<string[]> {
    return rules.some((r) => r.remoteGroupId !== null) ? this.cidrsFor(group.projectId, pod) : [];
  }

  private async cidrsFor(projectId: string, pod: Pod): Promise<string[]> {
    const cidrs = await this.opts.subnets.cidrsOf(projectId, this.scope === 'pod' ? pod.id : undefined);
    return cidrs.filter((c) => !this.excluded.some((range) => cidrWithin(c, range)));
  }

  /** Creates a bottom rule; returns its id, or undefined when the pod already had it (409). */
  private async createBottomRule(pod: Pod, ctx: RequestContext, groupId: string, rule: RuleMatch): Promise<string | undefined> {
    try {
      return (await this.opts.bottom.createRule(pod, ctx, groupId, rule)).id;
    } catch (err) {
      if (isRuleExists(err)) return undefined;
      throw err;
    }
  }

  private async deleteBottomRule(pod: Pod, ctx: RequestContext, ruleId: string): Promise<void> {
    try {
      await this.opts.bottom.deleteRule(pod, ctx, ruleId);
    } catch (err) {
      if (bottomStatus(err) !== 404) throw err;
    }
  }
}

/** A pod's 409 that says the rule is already there (not, say, a quota refusal). */
function isRuleExists(err: unknown): boolean {
  if (bottomStatus(err) !== 409) return false;
  const { type, message } = err as { type?: string; message?: string };
  return type === 'SecurityGroupRuleExists' || (!type && /already exists/i.test(message ?? ''));
}
