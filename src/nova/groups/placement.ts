import { badRequest, forbidden, isJsonObject } from '../../common/index.js';
import type { Pod } from '../../pods/index.js';
import type { NovaCall } from '../call.js';
import type { PodDirectory } from '../podDirectory.js';
import type { QuotaService } from '../quotas.js';
import type { ServerGroup, ServerGroupService } from './service.js';

type Json = Record<string, unknown>;

/** What a boot into a server group needs: the group, and the pods its members are in. */
export interface GroupPlan {
  group: ServerGroup;
  /** Member count per pod id. */
  membersByPod: Map<string, number>;
  firstMemberPod?: string;
}

const HINT_KEYS = ['os:scheduler_hints', 'OS-SCH-HNT:scheduler_hints'] as const;
const usable = (p: Pod) => !p.disabled && p.health !== 'down';
const noValidHost = (why: string) => badRequest(`No valid host was found. ${why}`);

/**
 * Scheduler hints → pod choice for server groups, at the level of pods:
 * - affinity: every member in the pod of the first one (the pod's copy of the group keeps them on
 *   one host); soft-affinity prefers that pod and falls back to the usual choice;
 * - anti-affinity: each member in the pod of the AZ (of the region without an AZ) holding the fewest
 *   members, so members spread over pods first and share a pod (whose copy of the group separates
 *   hosts) only when there are fewer pods than members; soft-anti-affinity the same, never refusing.
 * Hard policies that no pod can meet are refused with 400 "No valid host was found. ...".
 */
export class GroupPlacement {
  constructor(private readonly deps: { groups: ServerGroupService; pods: PodDirectory; quotas: QuotaService }) {}

  /** The plan of a boot whose hints name a group; undefined when they name none. */
  async plan(call: NovaCall, request: Json, count: number): Promise<GroupPlan | undefined> {
    let groupId: string | undefined;
    for (const key of HINT_KEYS) {
      const hints = request[key];
      if (!isJsonObject(hints) || hints.group === undefined) continue;
      const raw = Array.isArray(hints.group) ? hints.group[0] : hints.group;
      groupId = String(raw);
    }
    if (groupId === undefined) return undefined;
    const group = await this.deps.groups.find(call.ctx, groupId);
    if (!group) throw badRequest(`Invalid input: Group ${groupId} could not be found.`);
    const members = (await this.deps.groups.members([group.id])).get(group.id) ?? [];
    const limit = await this.deps.quotas.limit(group.projectId, 'server_group_members');
    if (limit >= 0 && members.length + count > limit) throw forbidden('Quota exceeded, too many servers in group');
    const membersByPod = new Map<string, number>();
    for (const m of members) membersByPod.set(m.podId, (membersByPod.get(m.podId) ?? 0) + 1);
    return { group, membersByPod, ...(members[0] ? { firstMemberPod: members[0].podId } : {}) };
  }

  /**
   * The pod of a boot into the group; `usual` is the choice without a group; `requiredPodId` a pod
   * the boot is already bound to (its volumes').
   */
  async choosePod(plan: GroupPlan, azName: string, usual: () => Promise<Pod>, requiredPodId?: string): Promise<Pod> {
    const { policy } = plan.group;
    const hard = !policy.startsWith('soft-');
    const inZone = (p: Pod) => !azName || p.azName === azName;
    if (policy === 'affinity' || policy === 'soft-affinity') {
      if (plan.firstMemberPod === undefined) return usual();
      const pod = await this.deps.pods.get(plan.firstMemberPod);
      const fits = pod !== undefined && usable(pod) && inZone(pod) && (requiredPodId === undefined || requiredPodId === pod.id);
      if (fits) return pod;
      if (hard) throw noValidHost(`The members of affinity group ${plan.group.id} are in pod ${pod?.regionName ?? plan.firstMemberPod}, which cannot take this server.`);
      return usual();
    }
    let candidates = (await this.deps.pods.bottom()).filter((p) => usable(p) && inZone(p));
    if (requiredPodId !== undefined) candidates = candidates.filter((p) => p.id === requiredPodId);
    if (candidates.length === 0) {
      if (hard) throw noValidHost(`No pod${azName ? ` of availability zone ${azName}` : ''} can take a member of anti-affinity group ${plan.group.id}.`);
      return usual();
    }
    const count = (p: Pod) => plan.membersByPod.get(p.id) ?? 0;
    const fewest = Math.min(...candidates.map(count));
    const best = candidates.filter((p) => count(p) === fewest);
    if (best.length > 1) {
      // Among equally used pods, the one the usual choice would take, if it is one of them.
      const preferred = await usual().catch(() => undefined);
      if (preferred && best.some((p) => p.id === preferred.id)) return preferred;
    }
    return best.sort((a, b) => (a.regionName < b.regionName ? -1 : a.regionName > b.regionName ? 1 : 0))[0];
  }

  /** The boot request for the pod: the group hint names the pod's copy of the group. */
  async podRequest(call: NovaCall, plan: GroupPlan, pod: Pod, request: Json): Promise<Json> {
    const copy = await this.deps.groups.podCopy(call, plan.group, pod);
    const out: Json = { ...request };
    for (const key of HINT_KEYS) {
      const hints = request[key];
      if (isJsonObject(hints) && hints.group !== undefined) out[key] = { ...hints, group: copy };
    }
    return out;
  }

  /** Records the servers a boot made as members of the group. */
  record(plan: GroupPlan, pod: Pod, serverIds: string[]): Promise<void> {
    return this.deps.groups.addMembers(plan.group.id, pod.id, serverIds);
  }
}
