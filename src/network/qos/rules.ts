/**
 * The QoS rule types: their URL collections, body keys, attributes (with upstream's defaults and
 * bounds) and the direction that makes a rule unique within its policy.
 */
import { invalidAttribute } from '../errors.js';
import { pyRepr, toInt, type AttrSpec } from '../input.js';

const MAX_INT = 2 ** 31 - 1;
export const VALID_DSCP_MARKS = [0, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 32, 34, 36, 38, 40, 44, 46, 48, 56];

const range = (min: number, max: number) => (value: unknown, attr: string) => {
  const n = toInt(value, attr);
  if (n < min || n > max) throw invalidAttribute(attr, `'${n}' is not in range ${min} through ${max}`);
  return n;
};
const oneOf = (allowed: string[]) => (value: unknown, attr: string) => {
  if (typeof value !== 'string' || !allowed.includes(value)) throw invalidAttribute(attr, `${pyRepr(value)} is not in ${pyRepr(allowed)}`);
  return value;
};
const dscp = (value: unknown, attr: string) => {
  const n = toInt(value, attr);
  if (!VALID_DSCP_MARKS.includes(n)) throw invalidAttribute(attr, `'${n}' is not in ${pyRepr(VALID_DSCP_MARKS)}`);
  return n;
};

export interface RuleType {
  /** `type` in rule lists and rule-types, e.g. bandwidth_limit. */
  type: string;
  /** URL collection under a policy, e.g. bandwidth_limit_rules. */
  collection: string;
  /** Body key, e.g. bandwidth_limit_rule. */
  member: string;
  /** Attributes besides direction, with create defaults. */
  attrs: Record<string, AttrSpec>;
  defaults: Record<string, unknown>;
  /** Directions allowed; empty when the type has none. */
  directions: string[];
  /** The alias collection (`/v2.0/qos/alias_<collection>`), where upstream has one. */
  alias: boolean;
}

export const RULE_TYPES: RuleType[] = [
  {
    type: 'bandwidth_limit',
    collection: 'bandwidth_limit_rules',
    member: 'bandwidth_limit_rule',
    attrs: { max_kbps: { put: true, required: true, convert: range(0, MAX_INT) }, max_burst_kbps: { put: true, convert: range(0, MAX_INT) } },
    defaults: { max_burst_kbps: 0 },
    directions: ['egress', 'ingress'],
    alias: true,
  },
  {
    type: 'dscp_marking',
    collection: 'dscp_marking_rules',
    member: 'dscp_marking_rule',
    attrs: { dscp_mark: { put: true, required: true, convert: dscp } },
    defaults: {},
    directions: [],
    alias: true,
  },
  {
    type: 'minimum_bandwidth',
    collection: 'minimum_bandwidth_rules',
    member: 'minimum_bandwidth_rule',
    attrs: { min_kbps: { put: true, required: true, convert: range(0, MAX_INT) } },
    defaults: {},
    directions: ['egress', 'ingress'],
    alias: true,
  },
  {
    type: 'minimum_packet_rate',
    collection: 'minimum_packet_rate_rules',
    member: 'minimum_packet_rate_rule',
    attrs: { min_kpps: { put: true, required: true, convert: range(0, MAX_INT) } },
    defaults: {},
    directions: ['egress', 'ingress', 'any'],
    alias: true,
  },
  {
    type: 'packet_rate_limit',
    collection: 'packet_rate_limit_rules',
    member: 'packet_rate_limit_rule',
    attrs: { max_kpps: { put: true, required: true, convert: range(0, MAX_INT) }, max_burst_kpps: { put: true, convert: range(0, MAX_INT) } },
    defaults: { max_burst_kpps: 0 },
    directions: ['egress', 'ingress'],
    alias: false,
  },
];

/** The attribute spec of a rule type's bodies (direction included where the type has one). */
export function ruleSpec(t: RuleType): Record<string, AttrSpec> {
  return { ...t.attrs, ...(t.directions.length ? { direction: { put: true, convert: oneOf(t.directions) } } : {}) };
}
