import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';

/**
 * Seeds `default_security_group_rules` (the template new security groups take their rules from,
 * src/network/defaultRules/template.ts) with upstream's defaults: egress anywhere over IPv4 and IPv6
 * in every group, and ingress from the group's own members in a project's default group only.
 */
export function defaultSecurityGroupRules() {
  const rule = (direction: 'ingress' | 'egress', ethertype: 'IPv4' | 'IPv6') => ({
    id: randomUUID(),
    direction,
    ethertype,
    protocol: null,
    port_range_min: null,
    port_range_max: null,
    remote_ip_prefix: null,
    remote_group_id: direction === 'ingress' ? 'PARENT' : null,
    remote_address_group_id: null,
    description: '',
    used_in_default_sg: 1,
    used_in_non_default_sg: direction === 'egress' ? 1 : 0,
  });
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db
        .insertInto('default_security_group_rules')
        .values([rule('ingress', 'IPv4'), rule('ingress', 'IPv6'), rule('egress', 'IPv4'), rule('egress', 'IPv6')])
        .execute();
    },
    async down(db: Kysely<any>): Promise<void> {
      await db.deleteFrom('default_security_group_rules').execute();
    },
  };
}
