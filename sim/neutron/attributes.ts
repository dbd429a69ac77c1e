// Request body handling shared by every resource: which attributes may be given on create / update,
// required ones, defaults, conversions and validators, with the API layer's upstream error messages.
import { badRequest, invalidAttr, policyNotAuthorizedText, pyRepr } from './errors.js';
import { canonicalIp, canonicalMac, isMulticastMac, parseCidr } from './ipam.js';
import { toBoolean, toInt } from './query.js';

export type Body = Record<string, unknown>;

/**
 * An attribute with its own policy rule (`<action>:<attribute>`): who passes it — anyone allowed the
 * action ('owner'), the owner of the network the resource is on, or admins only.
 */
export type AttrPolicy = 'owner' | 'network_owner' | 'admin';

export interface AttrDef {
  /** Allowed in POST (default true). */
  post?: boolean;
  /** Allowed in PUT (default false). */
  put?: boolean;
  /** Required in POST. */
  required?: boolean;
  /** Value used when absent from a POST; functions are called for fresh values. */
  default?: unknown;
  /** Conversion; may throw a SimServiceError (InvalidInput). */
  convert?: (value: unknown) => unknown;
  /** Validation after conversion; returns the reason when invalid. */
  validate?: (value: unknown) => string | undefined;
  /** The attribute's own policy rule, when it has one. */
  policy?: AttrPolicy;
  /** Policy depending on the value given (e.g. device_owner `network:*`). */
  policyFor?: (value: unknown) => AttrPolicy;
  /** A different rule on update. */
  updatePolicy?: AttrPolicy;
  /** Rules of the keys of a dict value, or of the dicts in a list value (`<action>:<attribute>:<key>`). */
  subPolicy?: Record<string, AttrPolicy>;
}

export type AttrMap = Record<string, AttrDef>;

const isObject = (v: unknown): v is Body => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `{resource: {...}}` → the inner object, or 400 as upstream. */
export function resourceBody(body: unknown, resource: string): Body {
  if (body === undefined || body === null || body === '') throw badRequest('Resource body required');
  if (!isObject(body)) throw badRequest('Body contains invalid data');
  const inner = body[resource];
  if (inner === undefined || inner === null) throw badRequest(`Unable to find '${resource}' in request body`);
  if (!isObject(inner)) throw badRequest(`Invalid input for ${resource}. Reason: '${pyRepr(inner)}' is not a dictionary.`);
  return inner;
}

/** For bulk POSTs: `{resources: [...]}` → the list, or undefined when the body is a single resource. */
export function bulkBody(body: unknown, collection: string): Body[] | undefined {
  if (!isObject(body) || !(collection in body)) return undefined;
  const list = body[collection];
  if (!Array.isArray(list) || list.length === 0) throw badRequest('Resources required');
  return list.map((item) => {
    if (!isObject(item)) throw badRequest('Body contains invalid data');
    return item;
  });
}

function checkUnknown(map: AttrMap, body: Body): void {
  const extra = Object.keys(body).filter((k) => !(k in map));
  if (extra.length) throw badRequest(`Unrecognized attribute(s) '${extra.join(', ')}'`);
}

function convertAndValidate(name: string, def: AttrDef, value: unknown): unknown {
  const converted = def.convert ? def.convert(value) : value;
  const reason = def.validate?.(converted);
  if (reason) throw invalidAttr(name, reason);
  return converted;
}

export interface Parsed {
  values: Body;
  /** Attributes given explicitly with a value different from their default (drives policy checks). */
  explicit: string[];
}

/** Parses a POST body: unknown / not-allowed / missing attributes, conversions, defaults. */
export function parseCreate(map: AttrMap, body: Body): Parsed {
  checkUnknown(map, body);
  const values: Body = {};
  const explicit: string[] = [];
  for (const [name, def] of Object.entries(map)) {
    const present = name in body;
    if (present && def.post === false) throw badRequest(`Attribute '${name}' not allowed in POST`);
    if (!present) {
      if (def.required) throw badRequest(`Failed to parse request. Required attribute '${name}' not specified`);
      if ('default' in def) values[name] = typeof def.default === 'function' ? (def.default as () => unknown)() : structuredClone(def.default);
      continue;
    }
    values[name] = convertAndValidate(name, def, body[name]);
    const dflt = typeof def.default === 'function' ? undefined : def.default;
    if (!('default' in def) || JSON.stringify(values[name]) !== JSON.stringify(dflt)) explicit.push(name);
  }
  return { values, explicit };
}

/** Parses a PUT body: only attributes allowed in PUT, converted and validated. */
export function parseUpdate(map: AttrMap, body: Body): Parsed {
  checkUnknown(map, body);
  const values: Body = {};
  for (const [name, value] of Object.entries(body)) {
    const def = map[name];
    if (!def.put) throw badRequest(`Cannot update read-only attribute ${name}`);
    values[name] = convertAndValidate(name, def, value);
  }
  return { values, explicit: Object.keys(values) };
}

/** A policy check as oslo.policy prints it: a rule, or an AND of checks in parentheses. */
type Check = string | Check[];

function checkText(c: Check): string {
  return typeof c === 'string' ? `rule:${c}` : `(${c.map(checkText).join(' and ')})`;
}

export interface PolicySubject {
  isAdmin: boolean;
  /** Whether the caller owns the network the resource is on (ports and subnets). */
  networkOwner?: boolean;
}

/**
 * Enforces the attribute rules of an action as Neutron builds them: starting from `rule:<action>`,
 * every explicitly set attribute that has a rule is AND-ed on (attribute-map order), with the rules
 * of its sub-keys — "((rule:create_network and rule:create_network:shared) and rule:...) is
 * disallowed by policy". The base rule itself is checked by the caller (owner checks).
 */
export function enforceAttrPolicy(action: string, map: AttrMap, explicit: string[], values: Body, who: PolicySubject): void {
  const passes = (p: AttrPolicy): boolean => p === 'owner' || who.isAdmin || (p === 'network_owner' && who.networkOwner === true);
  const update = action.startsWith('update_');
  let match: Check = action;
  let ok = true;
  for (const [name, def] of Object.entries(map)) {
    if (!explicit.includes(name)) continue;
    const value = values[name];
    const policy = def.policyFor?.(value) ?? (update ? (def.updatePolicy ?? def.policy) : def.policy);
    if (!policy) continue;
    let term: Check = `${action}:${name}`;
    ok &&= passes(policy);
    if (def.subPolicy) {
      const subKeys: string[] = [];
      if (isObject(value)) {
        subKeys.push(...Object.keys(def.subPolicy).filter((k) => k in value));
      } else if (Array.isArray(value)) {
        for (const item of value) if (isObject(item)) subKeys.push(...Object.keys(item));
      }
      if (subKeys.length) {
        term = [term, subKeys.map((k) => `${action}:${name}:${k}`)];
        for (const k of subKeys) ok &&= passes(def.subPolicy[k] ?? 'owner');
      }
    }
    match = [match, term];
  }
  if (!ok) throw policyNotAuthorizedText(checkText(match));
}

/** Project ownership of a new resource: the caller's, or (admin only) the one in the body. */
export function ownerOf(values: Body, ctx: { projectId: string; isAdmin: boolean }): string {
  const t = values.tenant_id as string | undefined;
  const p = values.project_id as string | undefined;
  if (t !== undefined && p !== undefined && t !== p) throw badRequest("'project_id' and 'tenant_id' do not match");
  const wanted = p ?? t;
  if (wanted !== undefined && wanted !== ctx.projectId && !ctx.isAdmin) {
    throw badRequest("Specifying 'project_id' or 'tenant_id' other than the authenticated project in request requires admin privileges");
  }
  return wanted ?? ctx.projectId;
}

// ---- conversions ----

export const convert = {
  bool: (v: unknown): boolean => toBoolean(v),
  int: (v: unknown): number => toInt(v),
  intOrNone: (v: unknown): number | null => (v === null ? null : toInt(v)),
  noneToEmptyList: (v: unknown): unknown => (v === null ? [] : v),
};

// ---- validators (return a reason, or undefined when valid) ----

const NAME_MAX = 255;
const DESCRIPTION_MAX = 255;

export const validate = {
  string:
    (max?: number) =>
    (v: unknown): string | undefined => {
      if (typeof v !== 'string') return `'${pyRepr(v)}' is not a valid string`;
      if (max !== undefined && v.length > max) return `'${v}' exceeds maximum length of ${max}`;
      return undefined;
    },
  stringOrNone:
    (max?: number) =>
    (v: unknown): string | undefined =>
      v === null ? undefined : validate.string(max)(v),
  uuid: (v: unknown): string | undefined =>
    typeof v === 'string' && /^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$/.test(v)
      ? undefined
      : `'${pyRepr(v).replace(/^'|'$/g, '')}' is not a valid UUID`,
  uuidOrNone: (v: unknown): string | undefined => (v === null ? undefined : validate.uuid(v)),
  values:
    (allowed: unknown[]) =>
    (v: unknown): string | undefined =>
      allowed.includes(v) ? undefined : `${typeof v === 'string' ? v : pyRepr(v)} is not in ${pyRepr(allowed)}`,
  valuesOrNone:
    (allowed: unknown[]) =>
    (v: unknown): string | undefined =>
      v === null ? undefined : validate.values(allowed)(v),
  ip: (v: unknown): string | undefined => (canonicalIp(v) ? undefined : `'${pyStrOf(v)}' is not a valid IP address`),
  ipOrNone: (v: unknown): string | undefined => (v === null ? undefined : validate.ip(v)),
  subnetCidr: (v: unknown): string | undefined => {
    if (typeof v !== 'string' || !parseCidr(v, true)) return `'${pyStrOf(v)}' is not a valid IP subnet`;
    if (!v.includes('/')) {
      const c = parseCidr(v, true)!;
      return `'${v}' isn't a recognized IP subnet cidr, '${v}/${c.prefix}' is recommended`;
    }
    return undefined;
  },
  mac: (v: unknown): string | undefined => {
    const mac = canonicalMac(v);
    if (!mac) return `'${pyStrOf(v)}' is not a valid MAC address`;
    if (isMulticastMac(mac)) return `'${pyStrOf(v)}' is not a valid unicast MAC address`;
    return undefined;
  },
  dict: (v: unknown): string | undefined => (isObject(v) ? undefined : `'${pyRepr(v)}' is not a dictionary`),
  list: (v: unknown): string | undefined => (Array.isArray(v) ? undefined : `'${pyRepr(v)}' is not a list`),
  stringList:
    (max?: number) =>
    (v: unknown): string | undefined => {
      if (!Array.isArray(v)) return `'${pyRepr(v)}' is not a list`;
      for (const item of v) {
        const r = validate.string(max)(item);
        if (r) return r;
      }
      return undefined;
    },
  uuidList: (v: unknown): string | undefined => {
    if (!Array.isArray(v)) return `'${pyRepr(v)}' is not a list`;
    for (const item of v) {
      const r = validate.uuid(item);
      if (r) return r;
    }
    if (new Set(v).size !== v.length) return `Duplicate items in the list: '${v.join(', ')}'`;
    return undefined;
  },
  range:
    (min: number, max: number) =>
    (v: unknown): string | undefined => {
      if (typeof v !== 'number' || !Number.isInteger(v)) return `'${pyRepr(v)}' is not an integer`;
      if (v < min) return `'${v}' is too small - must be at least '${min}'`;
      if (v > max) return `'${v}' is too large - must be no larger than '${max}'`;
      return undefined;
    },
  /** [{destination: cidr, nexthop: ip}] as host routes and router routes are given. */
  hostRoutes: (v: unknown): string | undefined => {
    if (!Array.isArray(v)) return `Invalid data format for hostroute: '${pyRepr(v)}'`;
    const seen = new Set<string>();
    for (const route of v) {
      if (!isObject(route)) return `Invalid data format for hostroute: '${pyRepr(route)}'`;
      const keys = Object.keys(route).sort();
      if (keys.length !== 2 || keys[0] !== 'destination' || keys[1] !== 'nexthop') {
        return `Invalid data format for hostroute: '${pyRepr(route)}'`;
      }
      const dest = route.destination;
      if (typeof dest !== 'string' || !dest.includes('/') || !parseCidr(dest)) return `'${pyStrOf(dest)}' is not a valid IP subnet`;
      if (!canonicalIp(route.nexthop)) return `'${pyStrOf(route.nexthop)}' is not a valid IP address`;
      const key = `${dest}|${route.nexthop}`;
      if (seen.has(key)) return `Duplicate hostroute '${pyRepr(route)}'`;
      seen.add(key);
    }
    return undefined;
  },
  nameservers: (v: unknown): string | undefined => {
    if (!Array.isArray(v)) return `'${pyRepr(v)}' is not a list`;
    const seen = new Set<string>();
    for (const ns of v) {
      if (!canonicalIp(ns)) return `'${pyStrOf(ns)}' is not a valid nameserver. '${pyStrOf(ns)}' is not a valid IP address`;
      if (seen.has(String(ns))) return `Duplicate nameserver '${String(ns)}'`;
      seen.add(String(ns));
    }
    return undefined;
  },
  pools: (v: unknown): string | undefined => {
    if (!Array.isArray(v)) return `Invalid data format for IP pool: '${pyRepr(v)}'`;
    for (const pool of v) {
      if (!isObject(pool)) return `Invalid data format for IP pool: '${pyRepr(pool)}'`;
      const keys = Object.keys(pool).sort();
      if (keys.length !== 2 || keys[0] !== 'end' || keys[1] !== 'start') return `Invalid data format for IP pool: '${pyRepr(pool)}'`;
      if (!canonicalIp(pool.start)) return `'${pyStrOf(pool.start)}' is not a valid IP address`;
      if (!canonicalIp(pool.end)) return `'${pyStrOf(pool.end)}' is not a valid IP address`;
    }
    return undefined;
  },
  fixedIps: (v: unknown): string | undefined => {
    if (!Array.isArray(v)) return `Invalid data format for fixed IP: '${pyRepr(v)}'`;
    const seenIps = new Set<string>();
    for (const fixed of v) {
      if (!isObject(fixed)) return `Invalid data format for fixed IP: '${pyRepr(fixed)}'`;
      for (const key of Object.keys(fixed)) {
        if (key !== 'ip_address' && key !== 'subnet_id') return `Invalid data format for fixed IP: '${pyRepr(fixed)}'`;
      }
      if ('ip_address' in fixed) {
        const ip = canonicalIp(fixed.ip_address);
        if (!ip) return `'${pyStrOf(fixed.ip_address)}' is not a valid IP address`;
        if (seenIps.has(ip)) return `Duplicate IP address '${String(fixed.ip_address)}'`;
        seenIps.add(ip);
      }
      if ('subnet_id' in fixed) {
        const r = validate.uuid(fixed.subnet_id);
        if (r) return r;
      }
    }
    return undefined;
  },
  addressPairs: (v: unknown): string | undefined => {
    if (!Array.isArray(v)) return `Allowed address pairs must be a list.`;
    const seen = new Set<string>();
    for (const pair of v) {
      if (!isObject(pair)) return `Allowed address pairs must be a list.`;
      for (const key of Object.keys(pair)) {
        if (key !== 'ip_address' && key !== 'mac_address') return `Unrecognized attribute(s) '${key}'`;
      }
      if (!('ip_address' in pair)) return 'AllowedAddressPair must contain ip_address';
      if (!canonicalIp(pair.ip_address) && !(typeof pair.ip_address === 'string' && parseCidr(pair.ip_address))) {
        return `'${pyStrOf(pair.ip_address)}' is not a valid IP address`;
      }
      if ('mac_address' in pair && pair.mac_address !== null) {
        const r = validate.mac(pair.mac_address);
        if (r) return r;
      }
      const key = `${String(pair.ip_address)}|${String(pair.mac_address ?? '')}`;
      if (seen.has(key)) return 'Duplicate address detected';
      seen.add(key);
    }
    return undefined;
  },
};

function pyStrOf(v: unknown): string {
  return typeof v === 'string' ? v : pyRepr(v);
}

// ---- attribute sets common to every resource ----

export const nameAttr: AttrDef = { put: true, default: '', validate: validate.string(NAME_MAX) };
export const descriptionAttr: AttrDef = { put: true, default: '', validate: validate.string(DESCRIPTION_MAX) };
export const projectAttrs: AttrMap = {
  id: { post: false },
  tenant_id: { validate: validate.string(255) },
  project_id: { validate: validate.string(255) },
};
export const tagsAttr: AttrDef = { default: [], validate: validate.stringList(60) };
