import { ApiError, badRequest } from '../../common/index.js';
import { parsePrefix } from './cidr.js';
import { pyList, sgErrors } from './errors.js';
import type { Direction, Ethertype, GroupInput, GroupPatch, RuleInput } from './model.js';
import { ICMP_PROTOCOLS, IPV6_ONLY_PROTOCOLS, PORT_PROTOCOL_NAMES, PORT_PROTOCOLS, PROTOCOL_NAMES, PROTOCOL_NUMBERS, protocolNumber } from './protocols.js';

// Request validation for security groups and rules, worded as Neutron's API layer words it.

type Json = Record<string, unknown>;

export interface Caller {
  projectId: string;
  isAdmin: boolean;
}

const NAME_MAX = 255;
const DESCRIPTION_MAX = 255;
const TAG_MAX = 255;

const invalidInput = (attr: string, reason: string) => badRequest(`Invalid input for ${attr}. Reason: ${reason}.`);

function checkAttributes(item: Json, allowed: readonly string[], known: readonly string[], verb: 'POST' | 'PUT'): void {
  const unknown = Object.keys(item).filter((k) => !allowed.includes(k) && !known.includes(k));
  if (unknown.length > 0) throw badRequest(`Unrecognized attribute(s) '${unknown.join(', ')}'`);
  for (const key of Object.keys(item)) {
    if (allowed.includes(key)) continue;
    throw verb === 'POST' ? badRequest(`Attribute '${key}' not allowed in POST`) : badRequest(`Cannot update read-only attribute ${key}`);
  }
}

function string(item: Json, attr: string, max: number): string | undefined {
  const v = item[attr];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw invalidInput(attr, `'${pyRepr(v)}' is not a valid string`);
  if (v.length > max) throw invalidInput(attr, `'${v}' exceeds maximum length of ${max}`);
  return v;
}

function boolean(item: Json, attr: string): boolean | undefined {
  const v = item[attr];
  if (v === undefined) return undefined;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number' && (v === 0 || v === 1)) return v === 1;
  if (typeof v === 'string') {
    const s = v.toLowerCase();
    if (['true', '1', 't', 'yes', 'y', 'on'].includes(s)) return true;
    if (['false', '0', 'f', 'no', 'n', 'off'].includes(s)) return false;
  }
  throw new ApiError(400, `Invalid input for operation: '${pyRepr(v)}' cannot be converted to boolean.`, 'InvalidInput');
}

function groupName(item: Json): string | undefined {
  const name = string(item, 'name', NAME_MAX);
  if (name !== undefined && name.toLowerCase() === 'default') throw sgErrors.defaultAlreadyExists();
  return name;
}

function tags(item: Json): string[] {
  const v = item.tags;
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw invalidInput('tags', `'${pyRepr(v)}' is not a list`);
  for (const t of v) {
    if (typeof t !== 'string') throw invalidInput('tags', `'${pyRepr(t)}' is not a valid string`);
    if (t.length > TAG_MAX) throw invalidInput('tags', `'${t}' exceeds maximum length of ${TAG_MAX}`);
  }
  if (new Set(v).size !== v.length) throw invalidInput('tags', `Duplicate items in the list: '${v.join(', ')}'`);
  return [...(v as string[])];
}

/** The project a created resource belongs to: the caller's, or another one named by an admin. */
export function requestedProject(item: Json, caller: Caller): string | undefined {
  const tenant = string(item, 'tenant_id', 255);
  const project = string(item, 'project_id', 255);
  if (tenant !== undefined && project !== undefined && tenant !== project) throw badRequest("'project_id' and 'tenant_id' do not match");
  const named = project ?? tenant;
  if (named !== undefined && named !== caller.projectId && !caller.isAdmin) {
    throw badRequest("Specifying 'project_id' or 'tenant_id' other than the authenticated project in request requires admin privileges");
  }
  return named;
}

const GROUP_POST = ['name', 'description', 'stateful', 'tags', 'tenant_id', 'project_id'];
const GROUP_PUT = ['name', 'description', 'stateful'];
const GROUP_READ_ONLY = ['id', 'security_group_rules', 'shared', 'revision_number', 'created_at', 'updated_at', 'tenant_id', 'project_id', 'tags'];

export function parseGroupCreate(item: Json, caller: Caller): GroupInput {
  checkAttributes(item, GROUP_POST, GROUP_READ_ONLY, 'POST');
  const projectId = requestedProject(item, caller);
  return {
    name: groupName(item) ?? '',
    description: string(item, 'description', DESCRIPTION_MAX) ?? '',
    stateful: boolean(item, 'stateful') ?? true,
    tags: tags(item),
    ...(projectId !== undefined ? { projectId } : {}),
  };
}

export function parseGroupUpdate(item: Json): GroupPatch {
  checkAttributes(item, GROUP_PUT, GROUP_READ_ONLY, 'PUT');
  const patch: GroupPatch = {};
  const name = groupName(item);
  if (name !== undefined) patch.name = name;
  const description = string(item, 'description', DESCRIPTION_MAX);
  if (description !== undefined) patch.description = description;
  const stateful = boolean(item, 'stateful');
  if (stateful !== undefined) patch.stateful = stateful;
  return patch;
}

const RULE_POST = [
  'security_group_id',
  'direction',
  'ethertype',
  'protocol',
  'port_range_min',
  'port_range_max',
  'remote_ip_prefix',
  'remote_group_id',
  'remote_address_group_id',
  'description',
  'tenant_id',
  'project_id',
];
const RULE_READ_ONLY = ['id', 'revision_number', 'created_at', 'updated_at', 'belongs_to_default_sg', 'normalized_cidr'];

function protocol(v: unknown): string | null {
  if (v === undefined || v === null || v === 'any' || v === 0 || v === '0') return null;
  if (typeof v === 'number' || (typeof v === 'string' && /^\s*-?\d+\s*$/.test(v))) {
    const n = Number(v);
    if (Number.isInteger(n) && n >= 0 && n <= 255) return String(n);
    throw sgErrors.invalidProtocol(v, PROTOCOL_NAMES);
  }
  if (typeof v === 'string' && v.toLowerCase() in PROTOCOL_NUMBERS) return v.toLowerCase();
  throw sgErrors.invalidProtocol(typeof v === 'string' ? v : pyRepr(v), PROTOCOL_NAMES);
}

function port(v: unknown): number | null {
  if (v === undefined || v === null) return null;
  let n = NaN;
  if (typeof v === 'number' && Number.isInteger(v)) n = v;
  else if (typeof v === 'string' && /^\s*-?\d+\s*$/.test(v)) n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw sgErrors.invalidPortValue(typeof v === 'string' ? v : pyRepr(v));
  return n;
}

function ethertype(v: unknown): Ethertype {
  if (v === undefined) return 'IPv4';
  if (typeof v === 'string') {
    const lower = v.toLowerCase();
    if (lower === 'ipv4') return 'IPv4';
    if (lower === 'ipv6') return 'IPv6';
  }
  throw sgErrors.invalidEthertype(typeof v === 'string' ? v : pyRepr(v));
}

function idField(item: Json, attr: string): string | null {
  const v = item[attr];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') throw invalidInput(attr, `'${pyRepr(v)}' is not a valid string`);
  return v;
}

/** Validates one rule body: field formats and the checks that need no database. */
export function parseRuleCreate(item: Json, caller: Caller): RuleInput {
  checkAttributes(item, RULE_POST, RULE_READ_ONLY, 'POST');
  for (const required of ['security_group_id', 'direction']) {
    if (item[required] === undefined) throw badRequest(`Failed to parse request. Required attribute '${required}' not specified`);
  }
  const securityGroupId = idField(item, 'security_group_id');
  if (securityGroupId === null) throw invalidInput('security_group_id', "'None' is not a valid string");
  const direction = item.direction;
  if (direction !== 'ingress' && direction !== 'egress') {
    throw invalidInput('direction', `${typeof direction === 'string' ? `'${direction}'` : pyRepr(direction)} is not in ${pyList(['ingress', 'egress'])}`);
  }
  const projectId = requestedProject(item, caller);
  const rule: RuleInput = {
    securityGroupId,
    direction: direction as Direction,
    ethertype: ethertype(item.ethertype),
    protocol: protocol(item.protocol),
    portRangeMin: port(item.port_range_min),
    portRangeMax: port(item.port_range_max),
    remoteIpPrefix: null,
    remoteGroupId: idField(item, 'remote_group_id'),
    remoteAddressGroupId: idField(item, 'remote_address_group_id'),
    description: string(item, 'description', DESCRIPTION_MAX) ?? '',
    ...(projectId !== undefined ? { projectId } : {}),
  };
  const prefix = item.remote_ip_prefix;
  if (prefix !== undefined && prefix !== null && prefix !== '') {
    if (typeof prefix !== 'string') throw sgErrors.invalidCidr(pyRepr(prefix));
    const parsed = parsePrefix(prefix);
    if (!parsed) throw sgErrors.invalidCidr(prefix);
    if (parsed.ethertype !== rule.ethertype) throw sgErrors.parameterConflict(rule.ethertype, parsed.prefix);
    rule.remoteIpPrefix = parsed.prefix;
  }
  const remotes = [rule.remoteIpPrefix, rule.remoteGroupId, rule.remoteAddressGroupId].filter((r) => r !== null);
  if (remotes.length > 1) throw sgErrors.remoteGroupAndPrefix();
  checkProtocolAndPorts(rule);
  return rule;
}

function checkProtocolAndPorts(rule: RuleInput): void {
  const num = protocolNumber(rule.protocol);
  if (num !== undefined && IPV6_ONLY_PROTOCOLS.includes(num) && rule.ethertype === 'IPv4') {
    throw sgErrors.ethertypeConflictWithProtocol(rule.ethertype, rule.protocol!);
  }
  const { portRangeMin: min, portRangeMax: max } = rule;
  if (min === null && max === null) return;
  if (num === undefined) throw sgErrors.protocolRequiredWithPorts();
  if (PORT_PROTOCOLS.includes(num)) {
    if (min === 0 || max === 0) throw sgErrors.invalidPortValue(0);
    if (min !== null && max !== null && min <= max) return;
    throw sgErrors.invalidPortRange();
  }
  if (ICMP_PROTOCOLS.includes(num)) {
    if (min !== null && min > 255) throw sgErrors.invalidIcmpValue('type', 'port_range_min', min);
    if (max !== null && max > 255) throw sgErrors.invalidIcmpValue('code', 'port_range_max', max);
    if (min === null && max !== null) throw sgErrors.missingIcmpType(max);
    return;
  }
  throw sgErrors.invalidProtocolForPort(rule.protocol!, PORT_PROTOCOL_NAMES);
}

/** How Python would print a JSON value in a message (None, True, lists...). */
function pyRepr(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return `[${v.map((x) => (typeof x === 'string' ? `'${x}'` : pyRepr(x))).join(', ')}]`;
  if (typeof v === 'object')
    return `{${Object.entries(v as Json)
      .map(([k, x]) => `'${k}': ${typeof x === 'string' ? `'${x}'` : pyRepr(x)}`)
      .join(', ')}}`;
  return String(v);
}
