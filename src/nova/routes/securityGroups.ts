import { notFound } from '../../common/index.js';
import { ok, type GatewayRouter } from '../../gateway/index.js';
import type { SecurityGroup, SecurityGroupRule } from '../../network/index.js';
import type { ServerNetworkPreparer } from '../../wiring/index.js';

/**
 * Nova's security group proxy (`/os-security-groups/{id}`, until 2.35), read from the top networking
 * service: clients (the `openstack server add security group` command) look a group up there before
 * naming it in a server action.
 */
export function securityGroupRoutes(r: GatewayRouter, networks: ServerNetworkPreparer): void {
  r.get(
    '/os-security-groups/:security_group_id',
    async (call) => {
      const id = call.params.security_group_id;
      const found = await networks.securityGroup?.(call.ctx, id);
      if (!found) throw notFound(`Security group ${id} not found.`);
      return ok({ security_group: novaGroupView(found.group, found.rules) });
    },
    { maxVersion: '2.35' },
  );
}

/** A group as Nova shows one: its ingress rules only, in Nova's rule format. */
export function novaGroupView(group: SecurityGroup, rules: readonly SecurityGroupRule[]) {
  return {
    id: group.id,
    name: group.name,
    description: group.description,
    tenant_id: group.projectId,
    rules: rules
      .filter((rule) => rule.direction === 'ingress')
      .map((rule) => ({
        id: rule.id,
        parent_group_id: group.id,
        ip_protocol: rule.protocol,
        from_port: rule.portRangeMin ?? (rule.protocol === null ? null : -1),
        to_port: rule.portRangeMax ?? (rule.protocol === null ? null : -1),
        group: rule.remoteGroupId ? { name: rule.remoteGroupId === group.id ? group.name : rule.remoteGroupId, tenant_id: group.projectId } : {},
        ip_range: rule.remoteIpPrefix ? { cidr: rule.remoteIpPrefix } : {},
      })),
  };
}
