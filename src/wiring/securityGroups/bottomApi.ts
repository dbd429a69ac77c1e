import type { RequestContext } from '../../identity/index.js';
import type { Pod } from '../../pods/index.js';
import type { RuleMatch } from '../../network/index.js';

/** A rule as a pod's Neutron holds it. */
export interface BottomRule extends RuleMatch {
  id: string;
  securityGroupId: string;
}

export interface BottomGroup {
  id: string;
  name: string;
  description: string;
}

/**
 * What security group mirroring needs from a pod's Neutron. Failures are thrown as errors carrying
 * the pod's HTTP `status` (and, when the pod said it, a Neutron `type` and message).
 */
export interface BottomSecurityGroupApi {
  /** Creates a group owned by `projectId` (the top group's project, whoever calls). */
  createGroup(pod: Pod, ctx: RequestContext, group: { name: string; description: string; projectId: string }): Promise<BottomGroup>;
  /** The project's groups with exactly this name (used to recover an interrupted create). */
  findGroupsByName(pod: Pod, ctx: RequestContext, name: string, projectId: string): Promise<BottomGroup[]>;
  updateGroup(pod: Pod, ctx: RequestContext, id: string, patch: { description?: string }): Promise<void>;
  deleteGroup(pod: Pod, ctx: RequestContext, id: string): Promise<void>;
  listRules(pod: Pod, ctx: RequestContext, groupId: string): Promise<BottomRule[]>;
  createRule(pod: Pod, ctx: RequestContext, groupId: string, rule: RuleMatch): Promise<BottomRule>;
  deleteRule(pod: Pod, ctx: RequestContext, ruleId: string): Promise<void>;
}

/** The HTTP status a pod answered with, when `err` came from a pod. */
export function bottomStatus(err: unknown): number | undefined {
  const s = (err as { status?: unknown; statusCode?: unknown } | null)?.status ?? (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof s === 'number' ? s : undefined;
}
