/**
 * The rules a new security group starts with, read from `default_security_group_rules` (the template
 * the default-security-group-rules API manages): a project's default group takes the rows marked
 * `used_in_default_sg`, any other group those marked `used_in_non_default_sg`; a `remote_group_id` of
 * `PARENT` becomes the new group itself. Migration 0017 seeds upstream's four rules.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/index.js';
import type { SecurityGroupRulesTable } from '../tables.js';

/** A template row: a security group rule's match without group or project, and where it is used. */
export interface DefaultSecurityGroupRulesTable extends Omit<SecurityGroupRulesTable, 'project_id' | 'security_group_id' | 'revision_number' | 'created_at' | 'updated_at'> {
  used_in_default_sg: number;
  used_in_non_default_sg: number;
}

declare module '../../db/tables.js' {
  interface Database {
    default_security_group_rules: DefaultSecurityGroupRulesTable;
  }
}

/** The placeholder for "the group this rule is copied into". */
export const PARENT = 'PARENT';

export interface TemplateRule {
  direction: 'ingress' | 'egress';
  ethertype: 'IPv4' | 'IPv6';
  protocol: string | null;
  portRangeMin: number | null;
  portRangeMax: number | null;
  remoteIpPrefix: string | null;
  remoteGroupId: string | null;
  remoteAddressGroupId: string | null;
  description: string;
}

/** The template's rules for a new group `groupId` (the project's default group or another one). */
export async function templateRules(trx: Kysely<Database> | Transaction<Database>, groupId: string, defaultGroup: boolean): Promise<TemplateRule[]> {
  const rows = await trx
    .selectFrom('default_security_group_rules')
    .selectAll()
    .where(defaultGroup ? 'used_in_default_sg' : 'used_in_non_default_sg', '=', 1)
    .orderBy('direction', 'desc')
    .orderBy('ethertype')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    direction: r.direction as TemplateRule['direction'],
    ethertype: r.ethertype as TemplateRule['ethertype'],
    protocol: r.protocol,
    portRangeMin: r.port_range_min === null ? null : Number(r.port_range_min),
    portRangeMax: r.port_range_max === null ? null : Number(r.port_range_max),
    remoteIpPrefix: r.remote_ip_prefix,
    remoteGroupId: r.remote_group_id === PARENT ? groupId : r.remote_group_id,
    remoteAddressGroupId: r.remote_address_group_id,
    description: r.description,
  }));
}
