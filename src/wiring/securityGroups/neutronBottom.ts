import type { BottomSecurityGroupRule, NeutronApi } from '../../bottom/index.js';
import type { Pod } from '../../pods/index.js';
import type { BottomRule, BottomSecurityGroupApi } from './bottomApi.js';
import type { Direction, Ethertype, RuleMatch } from '../../network/index.js';

type NeutronCalls = Pick<
  NeutronApi,
  'createSecurityGroup' | 'listSecurityGroups' | 'updateSecurityGroup' | 'deleteSecurityGroup' | 'listSecurityGroupRules' | 'createSecurityGroupRule' | 'deleteSecurityGroupRule'
>;

/** BottomSecurityGroupApi over the pods' Neutron clients (src/bottom), calling with the user's token. */
export function neutronBottomSecurityGroups(neutronOf: (pod: Pod) => NeutronCalls): BottomSecurityGroupApi {
  return {
    async createGroup(pod, ctx, group) {
      const sg = await neutronOf(pod).createSecurityGroup(ctx, { name: group.name, description: group.description, project_id: group.projectId });
      return { id: sg.id, name: String(sg.name ?? ''), description: String(sg.description ?? '') };
    },
    async findGroupsByName(pod, ctx, name, projectId) {
      const groups = await neutronOf(pod).listSecurityGroups(ctx, { name, project_id: projectId });
      return groups.filter((g) => g.name === name).map((g) => ({ id: g.id, name: String(g.name), description: String(g.description ?? '') }));
    },
    async updateGroup(pod, ctx, id, patch) {
      await neutronOf(pod).updateSecurityGroup(ctx, id, patch);
    },
    async deleteGroup(pod, ctx, id) {
      await neutronOf(pod).deleteSecurityGroup(ctx, id);
    },
    async listRules(pod, ctx, groupId) {
      const rules = await neutronOf(pod).listSecurityGroupRules(ctx, { security_group_id: groupId });
      return rules.filter((r) => r.security_group_id === groupId).map(fromWire);
    },
    async createRule(pod, ctx, groupId, rule) {
      return fromWire(await neutronOf(pod).createSecurityGroupRule(ctx, toWire(groupId, rule)));
    },
    async deleteRule(pod, ctx, ruleId) {
      await neutronOf(pod).deleteSecurityGroupRule(ctx, ruleId);
    },
  };
}

function toWire(groupId: string, rule: RuleMatch): Record<string, unknown> {
  const body: Record<string, unknown> = { security_group_id: groupId, direction: rule.direction, ethertype: rule.ethertype };
  if (rule.protocol !== null) body.protocol = rule.protocol;
  if (rule.portRangeMin !== null) body.port_range_min = rule.portRangeMin;
  if (rule.portRangeMax !== null) body.port_range_max = rule.portRangeMax;
  if (rule.remoteIpPrefix !== null) body.remote_ip_prefix = rule.remoteIpPrefix;
  if (rule.remoteGroupId !== null) body.remote_group_id = rule.remoteGroupId;
  return body;
}

function fromWire(rule: BottomSecurityGroupRule): BottomRule {
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return {
    id: rule.id,
    securityGroupId: rule.security_group_id,
    direction: rule.direction as Direction,
    ethertype: (rule.ethertype ?? 'IPv4') as Ethertype,
    protocol: rule.protocol === undefined || rule.protocol === null ? null : String(rule.protocol),
    portRangeMin: num(rule.port_range_min),
    portRangeMax: num(rule.port_range_max),
    remoteIpPrefix: rule.remote_ip_prefix ?? null,
    remoteGroupId: rule.remote_group_id ?? null,
  };
}
