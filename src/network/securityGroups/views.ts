import { isoSeconds } from '../../db/index.js';
import { networkOf } from './cidr.js';
import type { SecurityGroup, SecurityGroupRule } from './model.js';

export type View = Record<string, unknown>;

/** A rule as Neutron shows it. */
export function ruleView(rule: SecurityGroupRule, inDefaultGroup: boolean): View {
  return {
    id: rule.id,
    security_group_id: rule.securityGroupId,
    direction: rule.direction,
    ethertype: rule.ethertype,
    protocol: rule.protocol,
    port_range_min: rule.portRangeMin,
    port_range_max: rule.portRangeMax,
    remote_ip_prefix: rule.remoteIpPrefix,
    normalized_cidr: rule.remoteIpPrefix === null ? null : networkOf(rule.remoteIpPrefix),
    remote_group_id: rule.remoteGroupId,
    remote_address_group_id: rule.remoteAddressGroupId,
    description: rule.description,
    belongs_to_default_sg: inDefaultGroup,
    tenant_id: rule.projectId,
    project_id: rule.projectId,
    revision_number: rule.revisionNumber,
    created_at: isoSeconds(rule.createdAt),
    updated_at: isoSeconds(rule.updatedAt),
  };
}

/** A group as Neutron shows it, with its rules. `shared` is always false: groups are not RBAC-shared here. */
export function groupView(group: SecurityGroup, rules: readonly SecurityGroupRule[], isDefault: boolean): View {
  return {
    id: group.id,
    name: group.name,
    description: group.description,
    stateful: group.stateful,
    shared: false,
    security_group_rules: rules.map((r) => ruleView(r, isDefault)),
    tags: [...group.tags],
    tenant_id: group.projectId,
    project_id: group.projectId,
    revision_number: group.revisionNumber,
    created_at: isoSeconds(group.createdAt),
    updated_at: isoSeconds(group.updatedAt),
  };
}
