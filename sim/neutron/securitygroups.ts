// Security groups and rules: the per-project `default` group made on demand, default egress rules of
// new groups, rule validation (protocol, ports / ICMP type and code, ethertype vs prefix, remote
// group vs prefix) and duplicate detection.
import { convert, descriptionAttr, nameAttr, ownerOf, parseCreate, parseUpdate, projectAttrs, tagsAttr, validate, type AttrMap, type Body } from './attributes.js';
import type { Ctx } from './context.js';
import type { Neutron } from './core.js';
import { bad, conflict, policyNotAuthorized } from './errors.js';
import { cidrNetworkText, cidrText, parseCidr } from './ipam.js';
import { newId, timestamp, type SecurityGroupRec, type SecurityGroupRuleRec } from './state.js';
import { SimServiceError } from '../types.js';

export const SG_PROTOCOLS: (string | null)[] = [
  null,
  'ah',
  'dccp',
  'egp',
  'esp',
  'gre',
  'hopopt',
  'icmp',
  'igmp',
  'ip',
  'ipip',
  'ipv6-encap',
  'ipv6-frag',
  'ipv6-icmp',
  'icmpv6',
  'ipv6-nonxt',
  'ipv6-opts',
  'ipv6-route',
  'ospf',
  'pgm',
  'rsvp',
  'sctp',
  'tcp',
  'udp',
  'udplite',
  'vrrp',
];

/** IANA numbers of the protocol names (for comparing 'tcp' with '6'). */
const PROTOCOL_NUMBERS: Record<string, number> = {
  ah: 51,
  dccp: 33,
  egp: 8,
  esp: 50,
  gre: 47,
  hopopt: 0,
  icmp: 1,
  igmp: 2,
  ip: 0,
  ipip: 4,
  'ipv6-encap': 41,
  'ipv6-frag': 44,
  'ipv6-icmp': 58,
  icmpv6: 58,
  'ipv6-nonxt': 59,
  'ipv6-opts': 60,
  'ipv6-route': 43,
  ospf: 89,
  pgm: 113,
  rsvp: 46,
  sctp: 132,
  tcp: 6,
  udp: 17,
  udplite: 136,
  vrrp: 112,
};
const PORT_PROTOCOL_NUMBERS = [6, 17, 33, 132, 136];
const ICMP_PROTOCOL_NUMBERS = [1, 58];

/** The IP protocol number of a rule's protocol (name or number); null for any protocol. */
export function protocolNumber(p: string | null): number | null {
  if (p === null) return null;
  return /^\d+$/.test(p) ? Number(p) : (PROTOCOL_NUMBERS[p] ?? null);
}

function convertProtocol(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number' || (typeof v === 'string' && /^\d+$/.test(v))) {
    const n = Number(v);
    if (Number.isInteger(n) && n >= 0 && n <= 255) return String(n);
    throw bad.sgRuleInvalidProtocol(v, SG_PROTOCOLS);
  }
  if (typeof v === 'string') {
    const lower = v.toLowerCase();
    if (lower === 'any') return null;
    if (SG_PROTOCOLS.includes(lower)) return lower;
  }
  throw bad.sgRuleInvalidProtocol(v, SG_PROTOCOLS);
}

function convertPort(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw bad.sgInvalidPortValue(v);
  return n;
}

function convertEthertype(v: unknown): string {
  if (typeof v === 'string') {
    for (const e of ['IPv4', 'IPv6']) if (e.toLowerCase() === v.toLowerCase()) return e;
  }
  throw bad.sgRuleInvalidEtherType(v);
}

function convertPrefix(v: unknown): string | null {
  if (v === null || v === undefined || v === '') return null;
  const c = parseCidr(v, true);
  if (!c) throw new SimServiceError(400, `Invalid CIDR ${String(v)} given as IP prefix.`, 'InvalidCIDR');
  return cidrText(c);
}

export const SG_ATTRS: AttrMap = {
  name: nameAttr,
  description: descriptionAttr,
  ...projectAttrs,
  stateful: { put: true, default: true, convert: convert.bool },
  tags: tagsAttr,
};

export const SG_RULE_ATTRS: AttrMap = {
  description: { default: '', validate: validate.string(255) },
  ...projectAttrs,
  security_group_id: { required: true, validate: validate.uuid },
  direction: { required: true, validate: validate.values(['ingress', 'egress']) },
  protocol: { default: null, convert: convertProtocol },
  port_range_min: { default: null, convert: convertPort },
  port_range_max: { default: null, convert: convertPort },
  ethertype: { default: 'IPv4', convert: convertEthertype },
  remote_ip_prefix: { default: null, convert: convertPrefix },
  remote_group_id: { default: null, validate: validate.uuidOrNone },
  remote_address_group_id: { default: null, validate: validate.uuidOrNone },
};

/** A rule's identity for duplicate detection (protocol by number, any-address prefixes as no prefix). */
function ruleKey(r: SecurityGroupRuleRec): string {
  let prefix: string | null = null;
  if (r.remote_ip_prefix) {
    const c = parseCidr(r.remote_ip_prefix, true)!;
    prefix = c.prefix === 0 ? null : cidrNetworkText(c);
  }
  return JSON.stringify([r.security_group_id, r.direction, r.ethertype, protocolNumber(r.protocol), r.port_range_min, r.port_range_max, prefix, r.remote_group_id]);
}

export class SecurityGroupService {
  /** project id → id of its `default` group. */
  private readonly defaults = new Map<string, string>();

  constructor(private readonly n: Neutron) {}

  private get state() {
    return this.n.state;
  }

  /** The project's default group, created with its four rules the first time it is needed. */
  ensureDefault(projectId: string): SecurityGroupRec {
    const existing = this.defaults.get(projectId);
    const sg = existing ? this.state.securityGroups.get(existing) : undefined;
    if (sg) return sg;
    const group = this.newGroup(projectId, 'default', 'Default security group', true, []);
    this.defaults.set(projectId, group.id);
    for (const ethertype of ['IPv4', 'IPv6']) {
      this.addRule(group, { direction: 'ingress', ethertype, remote_group_id: group.id });
    }
    return group;
  }

  isDefault(sg: SecurityGroupRec): boolean {
    return this.defaults.get(sg.project_id) === sg.id;
  }

  create(ctx: Ctx, body: Body): SecurityGroupRec {
    const { values } = parseCreate(SG_ATTRS, body);
    const projectId = ownerOf(values, ctx);
    if ((values.name as string).toLowerCase() === 'default') throw conflict.sgDefaultAlreadyExists();
    this.ensureDefault(projectId);
    return this.newGroup(projectId, values.name as string, values.description as string, values.stateful as boolean, values.tags as string[]);
  }

  update(ctx: Ctx, id: string, body: Body): SecurityGroupRec {
    const sg = this.n.securityGroup(ctx, id);
    this.n.requireOwner(ctx, sg, 'update_security_group');
    const { values, explicit } = parseUpdate(SG_ATTRS, body);
    if ('name' in values) {
      const name = values.name as string;
      if (this.isDefault(sg) && name !== 'default') throw conflict.sgCannotUpdateDefault();
      if (!this.isDefault(sg) && name.toLowerCase() === 'default') throw conflict.sgDefaultAlreadyExists();
      sg.name = name;
    }
    if ('description' in values) sg.description = values.description as string;
    if ('stateful' in values) sg.stateful = values.stateful as boolean;
    if (explicit.length) this.state.touch(sg);
    return sg;
  }

  delete(ctx: Ctx, id: string): void {
    const sg = this.n.securityGroup(ctx, id);
    this.n.requireOwner(ctx, sg, 'delete_security_group');
    if (this.isDefault(sg) && !ctx.isAdmin) throw conflict.sgCannotRemoveDefault();
    if ([...this.state.ports.values()].some((p) => p.security_groups.includes(id))) throw conflict.sgInUse(id);
    for (const rule of [...this.state.securityGroupRules.values()]) {
      if (rule.security_group_id === id || rule.remote_group_id === id) this.state.securityGroupRules.delete(rule.id);
    }
    this.state.securityGroups.delete(id);
    if (this.isDefault(sg)) this.defaults.delete(sg.project_id);
  }

  createRule(ctx: Ctx, body: Body, batch?: Set<string>): SecurityGroupRuleRec {
    const { values } = parseCreate(SG_RULE_ATTRS, body);
    const sg = this.n.securityGroup(ctx, values.security_group_id as string);
    this.n.requireOwner(ctx, sg, 'create_security_group_rule');
    const projectId = ownerOf(values, ctx);
    const rule: SecurityGroupRuleRec = {
      id: newId(),
      project_id: projectId,
      description: values.description as string,
      security_group_id: sg.id,
      direction: values.direction as string,
      ethertype: values.ethertype as string,
      protocol: values.protocol as string | null,
      port_range_min: values.port_range_min as number | null,
      port_range_max: values.port_range_max as number | null,
      remote_ip_prefix: values.remote_ip_prefix as string | null,
      remote_group_id: values.remote_group_id as string | null,
      created_at: '',
      updated_at: '',
      revision_number: 0,
    };
    this.validateRule(ctx, rule, values.remote_address_group_id as string | null);
    const key = ruleKey(rule);
    if (batch) {
      if (batch.has(key)) {
        throw new SimServiceError(409, 'Duplicate Security Group Rule in POST.', 'DuplicateSecurityGroupRuleInPost');
      }
      batch.add(key);
    }
    const dup = [...this.state.securityGroupRules.values()].find((r) => r.security_group_id === sg.id && ruleKey(r) === key);
    if (dup) throw conflict.sgRuleExists(dup.id);
    this.state.stamp(rule);
    this.state.securityGroupRules.set(rule.id, rule);
    this.state.touch(sg);
    return rule;
  }

  /** Bulk rule creation: duplicates inside the request are refused as upstream does. */
  createRules(ctx: Ctx, bodies: Body[]): SecurityGroupRuleRec[] {
    const batch = new Set<string>();
    return bodies.map((body) => this.createRule(ctx, body, batch));
  }

  deleteRule(ctx: Ctx, id: string): void {
    const rule = this.n.securityGroupRule(ctx, id);
    const sg = this.state.securityGroups.get(rule.security_group_id);
    if (!ctx.isAdmin && rule.project_id !== ctx.projectId && sg?.project_id !== ctx.projectId) {
      throw policyNotAuthorized(['delete_security_group_rule']);
    }
    this.state.securityGroupRules.delete(id);
    if (sg) this.state.touch(sg);
  }

  // ---------------------------------------------------------------- helpers

  private newGroup(projectId: string, name: string, description: string, stateful: boolean, tags: string[]): SecurityGroupRec {
    const sg: SecurityGroupRec = this.state.stamp({
      id: newId(),
      project_id: projectId,
      name,
      description,
      stateful,
      tags,
      created_at: '',
      updated_at: '',
      revision_number: 0,
    });
    this.state.securityGroups.set(sg.id, sg);
    for (const ethertype of ['IPv4', 'IPv6']) this.addRule(sg, { direction: 'egress', ethertype, remote_group_id: null });
    return sg;
  }

  private addRule(sg: SecurityGroupRec, r: { direction: string; ethertype: string; remote_group_id: string | null }): void {
    const now = timestamp();
    const rule: SecurityGroupRuleRec = {
      id: newId(),
      project_id: sg.project_id,
      description: '',
      security_group_id: sg.id,
      direction: r.direction,
      ethertype: r.ethertype,
      protocol: null,
      port_range_min: null,
      port_range_max: null,
      remote_ip_prefix: null,
      remote_group_id: r.remote_group_id,
      created_at: now,
      updated_at: now,
      revision_number: 0,
    };
    this.state.securityGroupRules.set(rule.id, rule);
  }

  private validateRule(ctx: Ctx, rule: SecurityGroupRuleRec, remoteAddressGroupId: string | null): void {
    if (rule.remote_ip_prefix !== null && rule.remote_group_id !== null) throw bad.sgRemoteGroupAndRemoteIpPrefix();
    if (remoteAddressGroupId !== null) {
      throw new SimServiceError(404, `Address group ${remoteAddressGroupId} could not be found.`, 'AddressGroupNotFound');
    }
    if (rule.remote_group_id !== null) this.n.securityGroup(ctx, rule.remote_group_id);
    if (rule.remote_ip_prefix !== null) {
      const c = parseCidr(rule.remote_ip_prefix, true)!;
      if ((c.version === 4 ? 'IPv4' : 'IPv6') !== rule.ethertype) {
        throw bad.sgRuleParameterConflict(rule.ethertype, rule.remote_ip_prefix);
      }
    }
    const proto = protocolNumber(rule.protocol);
    if (proto === 58 && rule.ethertype === 'IPv4') {
      throw bad.sgEthertypeConflictWithProtocol(rule.ethertype, rule.protocol!);
    }
    const min = rule.port_range_min;
    const max = rule.port_range_max;
    if (min === null && max === null) return;
    if (rule.protocol === null) throw bad.sgProtocolRequiredWithPorts();
    if (proto !== null && PORT_PROTOCOL_NUMBERS.includes(proto)) {
      if (min === 0 || max === 0) throw bad.sgInvalidPortValue(0);
      if (min !== null && max !== null && min <= max) return;
      throw bad.sgInvalidPortRange();
    }
    if (proto !== null && ICMP_PROTOCOL_NUMBERS.includes(proto)) {
      if (min !== null && (min < 0 || min > 255)) throw bad.sgInvalidIcmpValue('type', 'port_range_min', min);
      if (max !== null && (max < 0 || max > 255)) throw bad.sgInvalidIcmpValue('code', 'port_range_max', max);
      if (min === null && max !== null) throw bad.sgMissingIcmpType(max);
      return;
    }
    throw bad.sgInvalidProtocolForPortRange(rule.protocol);
  }
}
