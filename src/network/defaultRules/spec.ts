/**
 * `/v2.0/default-security-group-rules` (extension security-groups-default-rules): the template of
 * rules for new security groups, admin-managed, readable by everyone; and
 * `/v2.0/security-groups-default-statefulness`: the default `stateful` value of new groups, system-wide
 * (no project) or per project. Both are held at the top.
 */
import { ApiError } from '../../common/index.js';
import { badRequest, invalidAttribute } from '../errors.js';
import { toBool, toInt, toStr, toSubnetCidr, toUuid } from '../input.js';
import { loose } from '../simple/service.js';
import type { SimpleResourceSpec } from '../simple/spec.js';
import './template.js';

const oneOf = (allowed: string[]) => (v: unknown, a: string) => {
  const s = toStr(36)(v, a);
  if (!allowed.includes(s)) throw invalidAttribute(a, `'${s}' is not in ${JSON.stringify(allowed).replace(/"/g, "'")}`);
  return s;
};
const nullable =
  <T>(f: (v: unknown, a: string) => T) =>
  (v: unknown, a: string) =>
    v === null ? null : f(v, a);

/** What makes two template rules the same rule. */
const SAME_RULE = [
  'direction',
  'ethertype',
  'protocol',
  'port_range_min',
  'port_range_max',
  'remote_ip_prefix',
  'remote_group_id',
  'remote_address_group_id',
  'used_in_default_sg',
  'used_in_non_default_sg',
] as const;

export const defaultRuleSpec: SimpleResourceSpec = {
  resource: 'default_security_group_rule',
  collection: 'default_security_group_rules',
  path: 'default-security-group-rules',
  table: 'default_security_group_rules',
  policyName: 'default_security_group_rule',
  project: false,
  standard: false,
  visibility: 'everyone',
  create: 'admin',
  modify: 'admin',
  noUpdate: true,
  notFound: (id) => new ApiError(404, `Default Security Group rule ${id} does not exist`, 'DefaultSecurityGroupRuleNotFound'),
  fields: {
    direction: { kind: 'string', required: true, convert: oneOf(['ingress', 'egress']) },
    ethertype: { kind: 'string', convert: oneOf(['IPv4', 'IPv6']), default: 'IPv4' },
    protocol: { kind: 'string', convert: nullable(toStr(40)), default: null },
    port_range_min: { kind: 'int', convert: nullable(toInt), default: null },
    port_range_max: { kind: 'int', convert: nullable(toInt), default: null },
    remote_ip_prefix: { kind: 'string', convert: nullable(toSubnetCidr), default: null },
    remote_group_id: { kind: 'string', convert: nullable(toStr(36)), default: null },
    remote_address_group_id: { kind: 'string', convert: nullable(toUuid), default: null },
    description: { kind: 'string', convert: toStr(255), default: '' },
    used_in_default_sg: { kind: 'bool', convert: toBool, default: false },
    used_in_non_default_sg: { kind: 'bool', convert: toBool, default: true },
  },
  async beforeCreate({ trx }, row) {
    const remotes = ['remote_ip_prefix', 'remote_group_id', 'remote_address_group_id'].filter((k) => row[k] != null);
    if (remotes.length > 1) throw badRequest(`Only remote_ip_prefix or remote_group_id or remote_address_group_id may be provided.`);
    if (row.remote_group_id != null && row.remote_group_id !== 'PARENT') throw invalidAttribute('remote_group_id', "only 'PARENT' (the group the rule is copied into) is allowed");
    const [min, max] = [row.port_range_min as number | null, row.port_range_max as number | null];
    if ((min !== null || max !== null) && !['tcp', 'udp', 'sctp', 'dccp', 'udplite', '6', '17', '132', '33', '136'].includes(String(row.protocol))) {
      if (!['icmp', 'ipv6-icmp', '1', '58'].includes(String(row.protocol))) throw badRequest('Port range requires a protocol with ports (tcp, udp, sctp, dccp, udplite) or icmp.');
    }
    if (min !== null && max !== null && min > max && !String(row.protocol).includes('icmp')) throw badRequest('For TCP/UDP protocols, port_range_min must be <= port_range_max');
    // A rule the template already has (same match) is refused, as upstream.
    let same = trx.selectFrom('default_security_group_rules').select('id');
    for (const key of SAME_RULE) {
      const v = row[key];
      same = v == null ? same.where(key, 'is', null) : same.where(key, '=', (typeof v === 'boolean' ? Number(v) : v) as string);
    }
    const dup = await same.executeTakeFirst();
    if (dup) throw new ApiError(409, `Security group default rule already exists. Rule id is ${dup.id}.`, 'DuplicateDefaultSgRule');
  },
};

export const statefulnessSpec: SimpleResourceSpec = {
  resource: 'security_groups_default_statefulness',
  collection: 'security_groups_default_statefulness',
  path: 'security-groups-default-statefulness',
  table: 'sg_default_statefulness',
  policyName: 'security_groups_default_statefulness',
  project: 'nullable',
  standard: false,
  visibility: 'everyone',
  create: 'admin',
  modify: 'admin',
  notFound: (id) => new ApiError(404, `Security groups default statefulness ${id} could not be found.`, 'NotFound'),
  fields: {
    stateful: { kind: 'bool', put: true, convert: toBool, default: true },
  },
  async beforeCreate({ trx }, row) {
    const same = await loose(trx)
      .selectFrom('sg_default_statefulness')
      .select('id')
      .where((eb) => (row.project_id == null ? eb('project_id', 'is', null) : eb('project_id', '=', row.project_id)))
      .executeTakeFirst();
    if (same) throw new ApiError(409, `A default statefulness is already set for ${row.project_id == null ? 'the system' : `project ${row.project_id}`}.`, 'Conflict');
  },
};
