/**
 * Request bodies of the Neutron API: the `{resource: {...}}` / `{resources: [...]}` envelopes, which
 * attributes a POST or PUT may carry, and converters that fail with upstream's messages.
 */
import { canonicalIp, formatIp, parseCidr } from './ip.js';
import { badRequest, invalidAttribute, invalidInput } from './errors.js';

export type Json = Record<string, unknown>;

export const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** How Python's str() prints a JSON value inside upstream's messages. */
export function pyStr(value: unknown): string {
  if (typeof value === 'string') return value;
  return pyRepr(value);
}

/** Renderings in messages stop at this depth ("...") and are cut to this many characters. */
const REPR_DEPTH = 8;
const REPR_LENGTH = 1024;

/** How Python's repr() prints a JSON value, bounded in depth and length (a message never grows with the input). */
export function pyRepr(value: unknown): string {
  const text = reprAt(value, 0);
  return text.length > REPR_LENGTH ? `${text.slice(0, REPR_LENGTH)}...` : text;
}

function reprAt(value: unknown, depth: number): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return `'${value.slice(0, REPR_LENGTH).replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (depth >= REPR_DEPTH) return Array.isArray(value) ? '[...]' : '{...}';
  if (Array.isArray(value))
    return `[${value
      .slice(0, 64)
      .map((v) => reprAt(v, depth + 1))
      .join(', ')}${value.length > 64 ? ', ...' : ''}]`;
  const entries = Object.entries(value as Json);
  return `{${entries
    .slice(0, 64)
    .map(([k, v]) => `${reprAt(k, depth + 1)}: ${reprAt(v, depth + 1)}`)
    .join(', ')}${entries.length > 64 ? ', ...' : ''}}`;
}

/** The request body's items: one for `{resource: {...}}`, several for a bulk `{resources: [...]}`. */
export function bodyItems(body: unknown, resource: string, collection: string): { items: Json[]; bulk: boolean } {
  if (body === undefined || body === null || body === '') throw badRequest('Resource body required');
  if (!isObject(body)) throw badRequest('Body contains invalid data');
  if (collection in body && !(resource in body)) {
    const list = body[collection];
    if (!Array.isArray(list) || list.length === 0) throw badRequest('Resources required');
    // Upstream's bulk form lists bare items; items wrapped as {resource: {...}} are accepted too.
    const items = list.map((item) => {
      if (!isObject(item)) throw badRequest('Body contains invalid data');
      const keys = Object.keys(item);
      if (keys.length === 1 && keys[0] === resource && isObject(item[resource])) return item[resource] as Json;
      return item;
    });
    return { items, bulk: true };
  }
  return { items: [resourceBody(body, resource)], bulk: false };
}

export function resourceBody(body: unknown, resource: string): Json {
  if (body === undefined || body === null || body === '') throw badRequest('Resource body required');
  if (!isObject(body)) throw badRequest('Body contains invalid data');
  const inner = body[resource];
  if (inner === undefined || inner === null) throw badRequest(`Unable to find '${resource}' in request body`);
  if (!isObject(inner)) throw invalidAttribute(resource, `'${pyStr(inner)}' is not a dictionary`);
  return inner;
}

export interface AttrSpec {
  /** Allowed in POST (default true). */
  post?: boolean;
  /** Allowed in PUT (default false). */
  put?: boolean;
  required?: boolean;
  convert?: (value: unknown, attr: string) => unknown;
}

/**
 * Checks a POST or PUT body against `spec` and converts the attributes it carries. Absent attributes
 * stay absent: defaults are the service's business.
 */
export function parseAttributes(spec: Record<string, AttrSpec>, body: Json, mode: 'create' | 'update'): Json {
  const unknown = Object.keys(body).filter((k) => !(k in spec));
  if (unknown.length) throw badRequest(`Unrecognized attribute(s) '${unknown.join(', ')}'`);
  const out: Json = {};
  for (const [name, def] of Object.entries(spec)) {
    if (!(name in body)) {
      if (mode === 'create' && def.required) throw badRequest(`Failed to parse request. Required attribute '${name}' not specified`);
      continue;
    }
    if (mode === 'create' && def.post === false) throw badRequest(`Attribute '${name}' not allowed in POST`);
    if (mode === 'update' && !def.put) throw badRequest(`Cannot update read-only attribute ${name}`);
    out[name] = def.convert ? def.convert(body[name], name) : body[name];
  }
  return out;
}

/** project_id / tenant_id of a create body: they must agree, and only an admin may name another project. */
export function owningProject(attrs: Json, caller: { projectId: string; isAdmin: boolean }): string {
  const project = attrs.project_id as string | undefined;
  const tenant = attrs.tenant_id as string | undefined;
  if (project !== undefined && tenant !== undefined && project !== tenant) throw badRequest("'project_id' and 'tenant_id' do not match");
  const wanted = project ?? tenant;
  if (wanted === undefined || wanted === caller.projectId) return caller.projectId;
  if (!caller.isAdmin) {
    throw badRequest("Specifying 'project_id' or 'tenant_id' other than the authenticated project in request requires admin privileges");
  }
  return wanted;
}

// ---- converters -------------------------------------------------------------------------------

export const toStr =
  (max = 255) =>
  (value: unknown, attr: string): string => {
    if (typeof value !== 'string') throw invalidAttribute(attr, `'${pyStr(value)}' is not a valid string`);
    if (value.length > max) throw invalidAttribute(attr, `'${value}' exceeds maximum length of ${max}`);
    return value;
  };

export const toNullableStr =
  (max = 255) =>
  (value: unknown, attr: string): string | null =>
    value === null ? null : toStr(max)(value, attr);

export function toBoolean(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (value === 0 || value === 1) return value === 1;
  if (typeof value === 'string') {
    const v = value.toLowerCase();
    if (v === 'true' || v === '1') return true;
    if (v === 'false' || v === '0') return false;
  }
  throw invalidInput(`'${pyStr(value)}' cannot be converted to boolean`);
}

export const toBool = (value: unknown): boolean => toBoolean(value);

export function toInt(value: unknown, attr: string): number {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  if (typeof value === 'string' && /^\s*[-+]?\d{1,15}\s*$/.test(value)) return Number(value);
  throw invalidAttribute(attr, `'${pyStr(value)}' is not an integer`);
}

export const toNullableInt = (value: unknown, attr: string): number | null => (value === null ? null : toInt(value, attr));

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

export function toUuid(value: unknown, attr: string): string {
  if (typeof value !== 'string' || !UUID.test(value)) throw invalidAttribute(attr, `'${pyStr(value)}' is not a valid UUID`);
  return value;
}

export const toNullableUuid = (value: unknown, attr: string): string | null => (value === null ? null : toUuid(value, attr));

export function toList(value: unknown, attr: string): unknown[] {
  if (!Array.isArray(value)) throw invalidAttribute(attr, `'${pyStr(value)}' is not a list`);
  return value;
}

export function toStringList(max = 255) {
  return (value: unknown, attr: string): string[] => {
    const list = toList(value, attr);
    for (const item of list) toStr(max)(item, attr);
    return list as string[];
  };
}

export function toDict(value: unknown, attr: string): Json {
  if (!isObject(value)) throw invalidAttribute(attr, `'${pyStr(value)}' is not a dictionary`);
  return value;
}

export function toIp(value: unknown, attr: string): string {
  const ip = canonicalIp(value);
  if (ip === undefined) throw invalidAttribute(attr, `'${pyStr(value)}' is not a valid IP address`);
  return ip;
}

export const toNullableIp = (value: unknown, attr: string): string | null => (value === null ? null : toIp(value, attr));

/** A CIDR whose host bits are zero, in canonical form. */
export function toSubnetCidr(value: unknown, attr: string): string {
  const cidr = parseCidr(value);
  if (!cidr) throw invalidAttribute(attr, `'${pyStr(value)}' is not a valid IP subnet`);
  const canonical = `${formatIp(cidr.version, cidr.first)}/${cidr.prefixLength}`;
  if (cidr.hostBits) throw invalidAttribute(attr, `'${pyStr(value)}' isn't a recognized IP subnet cidr, '${canonical}' is recommended`);
  return canonical;
}

const MAC = /^([0-9a-f]{2}[:-]){5}[0-9a-f]{2}$/i;

/** A unicast, non-zero MAC address, lower case with colons. */
export function toMac(value: unknown, attr: string): string {
  if (typeof value !== 'string' || !MAC.test(value)) throw invalidAttribute(attr, `'${pyStr(value)}' is not a valid MAC address`);
  const mac = value.toLowerCase().replace(/-/g, ':');
  const first = parseInt(mac.slice(0, 2), 16);
  if ((first & 1) === 1 || mac === '00:00:00:00:00:00') throw invalidAttribute(attr, `'${pyStr(value)}' is not a valid MAC address`);
  return mac;
}
