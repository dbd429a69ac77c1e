// A small JSON Schema subset validator whose error messages read like the ones Nova and Cinder
// produce (their API layer validates request bodies with jsonschema and words errors as
// "Invalid input for field/attribute <name>. Value: <repr>. <reason>").
import { SimServiceError } from '../types.js';
import { isRecord, pyRepr, UUID_RE } from './apiutil.js';

export type JsonType = 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean' | 'null';

export interface Schema {
  type?: JsonType | JsonType[];
  properties?: Record<string, Schema>;
  patternProperties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  minProperties?: number;
  maxProperties?: number;
  items?: Schema;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: 'uuid' | 'ipv4' | 'ipv6' | 'base64' | 'date-time' | 'uri';
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  oneOf?: Schema[];
  anyOf?: Schema[];
}

interface Failure {
  path: Array<string | number>;
  instance: unknown;
  message: string;
}

function typeOk(v: unknown, t: JsonType): boolean {
  switch (t) {
    case 'object':
      return isRecord(v);
    case 'array':
      return Array.isArray(v);
    case 'string':
      return typeof v === 'string';
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v);
    case 'number':
      return typeof v === 'number';
    case 'boolean':
      return typeof v === 'boolean';
    case 'null':
      return v === null;
  }
}

const IPV4_RE = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

function formatOk(v: string, f: NonNullable<Schema['format']>): boolean {
  switch (f) {
    case 'uuid':
      return UUID_RE.test(v);
    case 'ipv4':
      return IPV4_RE.test(v);
    case 'ipv6':
      return v.includes(':') && /^[0-9a-fA-F:.]+$/.test(v) && (v.match(/::/g)?.length ?? 0) <= 1;
    case 'base64': {
      const s = v.replace(/\s+/g, '');
      return s.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(s);
    }
    case 'date-time':
      return !Number.isNaN(Date.parse(v));
    case 'uri':
      return /^[a-z][a-z0-9+.-]*:/i.test(v);
  }
}

function check(schema: Schema, v: unknown, path: Array<string | number>): Failure | undefined {
  const fail = (message: string, instance: unknown = v): Failure => ({ path, instance, message });
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.some((t) => typeOk(v, t))) {
      return fail(`${pyRepr(v)} is not of type ${types.map((t) => `'${t}'`).join(', ')}`);
    }
  }
  if (schema.enum && !schema.enum.some((e) => e === v)) {
    return fail(`${pyRepr(v)} is not one of ${pyRepr(schema.enum)}`);
  }
  if (typeof v === 'string') {
    if (schema.minLength !== undefined && [...v].length < schema.minLength) return fail(`${pyRepr(v)} is too short`);
    if (schema.maxLength !== undefined && [...v].length > schema.maxLength) return fail(`${pyRepr(v)} is too long`);
    if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(v)) {
      return fail(`${pyRepr(v)} does not match ${pyRepr(schema.pattern)}`);
    }
    if (schema.format !== undefined && !formatOk(v, schema.format)) return fail(`${pyRepr(v)} is not a '${schema.format}'`);
  }
  if (typeof v === 'number') {
    if (schema.minimum !== undefined && v < schema.minimum) return fail(`${pyRepr(v)} is less than the minimum of ${schema.minimum}`);
    if (schema.maximum !== undefined && v > schema.maximum) return fail(`${pyRepr(v)} is greater than the maximum of ${schema.maximum}`);
  }
  if (Array.isArray(v)) {
    if (schema.minItems !== undefined && v.length < schema.minItems) return fail(`${pyRepr(v)} is too short`);
    if (schema.maxItems !== undefined && v.length > schema.maxItems) return fail(`${pyRepr(v)} is too long`);
    if (schema.uniqueItems && new Set(v.map((x) => JSON.stringify(x))).size !== v.length) {
      return fail(`${pyRepr(v)} has non-unique elements`);
    }
    if (schema.items) {
      for (let i = 0; i < v.length; i++) {
        const f = check(schema.items, v[i], [...path, i]);
        if (f) return f;
      }
    }
  }
  if (isRecord(v)) {
    for (const r of schema.required ?? []) {
      if (!(r in v)) return fail(`${pyRepr(r)} is a required property`);
    }
    const keys = Object.keys(v);
    if (schema.minProperties !== undefined && keys.length < schema.minProperties) {
      return fail(`${pyRepr(v)} does not have enough properties`);
    }
    if (schema.maxProperties !== undefined && keys.length > schema.maxProperties) {
      return fail(`${pyRepr(v)} has too many properties`);
    }
    const extra: string[] = [];
    for (const k of keys) {
      let matched = false;
      const p = schema.properties?.[k];
      if (p) {
        matched = true;
        const f = check(p, v[k], [...path, k]);
        if (f) return f;
      }
      for (const [pat, ps] of Object.entries(schema.patternProperties ?? {})) {
        if (new RegExp(pat, 'u').test(k)) {
          matched = true;
          const f = check(ps, v[k], [...path, k]);
          if (f) return f;
        }
      }
      if (!matched) {
        if (schema.additionalProperties === false) extra.push(k);
        else if (isRecord(schema.additionalProperties)) {
          const f = check(schema.additionalProperties, v[k], [...path, k]);
          if (f) return f;
        }
      }
    }
    if (extra.length > 0) {
      const list = extra.map((k) => pyRepr(k)).join(', ');
      return fail(`Additional properties are not allowed (${list} ${extra.length === 1 ? 'was' : 'were'} unexpected)`);
    }
  }
  if (schema.oneOf) {
    const ok = schema.oneOf.filter((s) => check(s, v, path) === undefined).length;
    if (ok !== 1) {
      return fail(ok === 0 ? `${pyRepr(v)} is not valid under any of the given schemas` : `${pyRepr(v)} is valid under each of the given schemas`);
    }
  }
  if (schema.anyOf && !schema.anyOf.some((s) => check(s, v, path) === undefined)) {
    return fail(`${pyRepr(v)} is not valid under any of the given schemas`);
  }
  return undefined;
}

/** The error text for the first schema violation in `body`, or undefined when it is valid. */
export function schemaError(schema: Schema, body: unknown): string | undefined {
  const f = check(schema, body, []);
  if (!f) return undefined;
  if (f.path.length === 0) return f.message;
  const name = f.path[f.path.length - 1];
  return `Invalid input for field/attribute ${name}. Value: ${pyRepr(f.instance)}. ${f.message}`;
}

/** Validates a request body; throws 400 with the upstream-style message. */
export function validateBody(schema: Schema, body: unknown): void {
  const msg = schemaError(schema, body);
  if (msg !== undefined) throw new SimServiceError(400, msg);
}

// Reusable parameter types (named after what they accept, not copied from any upstream module).

export const nameString: Schema = {
  type: 'string',
  minLength: 1,
  maxLength: 255,
  pattern: '^(?!\\s)[\\s\\S]*(?<!\\s)$',
};
export const optionalDescription: Schema = { type: ['string', 'null'], minLength: 0, maxLength: 255 };
export const positiveIntOrDigits: Schema = { type: ['integer', 'string'], pattern: '^[0-9]*$', minimum: 1, minLength: 1 };
export const nonNegativeIntOrDigits: Schema = { type: ['integer', 'string'], pattern: '^[0-9]*$', minimum: 0, minLength: 1 };
export const booleanLike: Schema = {
  type: ['boolean', 'string'],
  enum: [
    true,
    'True',
    'TRUE',
    'true',
    '1',
    'ON',
    'On',
    'on',
    'YES',
    'Yes',
    'yes',
    'y',
    't',
    false,
    'False',
    'FALSE',
    'false',
    '0',
    'OFF',
    'Off',
    'off',
    'NO',
    'No',
    'no',
    'n',
    'f',
  ],
};
export const metadataMap: Schema = {
  type: 'object',
  patternProperties: { '^[a-zA-Z0-9-_:. ]{1,255}$': { type: 'string', maxLength: 255 } },
  additionalProperties: false,
};

/** Converts a value accepted by `booleanLike` to a boolean. */
export function truthy(v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  return ['true', '1', 'on', 'yes', 'y', 't'].includes(String(v).toLowerCase());
}
