import { badRequest } from '../common/errors.js';
import { type JsonType, matchesType, typeOf } from '../common/jsonTypes.js';

/**
 * The subset of JSON Schema the compute API's request bodies use, validated with upstream-shaped
 * 400 messages: `Invalid input for field/attribute <name>. Value: <value>. <reason>`.
 */
export interface Schema {
  type?: JsonType | JsonType[];
  properties?: Record<string, Schema>;
  patternProperties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  enum?: readonly unknown[];
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: 'uuid' | 'ipv4' | 'ipv6' | 'base64' | 'name' | 'description';
  minimum?: number;
  maximum?: number;
  oneOf?: Schema[];
  anyOf?: Schema[];
}

class Invalid extends Error {
  constructor(
    readonly field: string,
    readonly value: unknown,
    readonly reason: string,
  ) {
    super(reason);
  }
}

/** Throws a 400 ApiError describing the first violation of `schema` by `body`. */
export function validateBody(schema: Schema, body: unknown, rootName = 'body'): void {
  try {
    check(schema, body, rootName);
  } catch (err) {
    if (!(err instanceof Invalid)) throw err;
    if (err.reason.startsWith('An invalid ')) throw badRequest(err.reason);
    throw badRequest(`Invalid input for field/attribute ${err.field}. Value: ${show(err.value)}. ${err.reason}`);
  }
}

function show(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text === undefined ? 'None' : text.length > 300 ? `${text.slice(0, 300)}...` : text;
}

const repr = (value: unknown): string => (typeof value === 'string' ? `'${value}'` : JSON.stringify(value) ?? 'None');

const UUID = /^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function isIpv6(text: string): boolean {
  if (!/^[0-9a-fA-F:.]+$/.test(text) || text.split('::').length > 2) return false;
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const parts = [...(head ? head.split(':') : []), ...(tail ? tail.split(':') : [])];
  let groups = 0;
  for (const [i, p] of parts.entries()) {
    if (i === parts.length - 1 && p.includes('.')) {
      if (!IPV4.test(p)) return false;
      groups += 2;
    } else if (!/^[0-9a-fA-F]{1,4}$/.test(p)) return false;
    else groups++;
  }
  return tail === undefined ? groups === 8 : groups < 8;
}

/** Printable, without leading or trailing white space (Nova's `name` format). */
function isValidName(text: string): boolean {
  return !/^\s|\s$/.test(text) && !/[\u0000-\u001f\u007f]/.test(text);
}

function checkFormat(format: NonNullable<Schema['format']>, value: string, field: string): void {
  switch (format) {
    case 'uuid':
      if (!UUID.test(value)) throw new Invalid(field, value, `${repr(value)} is not a 'uuid'`);
      return;
    case 'ipv4':
      if (!IPV4.test(value)) throw new Invalid(field, value, `${repr(value)} is not a 'ipv4'`);
      return;
    case 'ipv6':
      if (!isIpv6(value)) throw new Invalid(field, value, `${repr(value)} is not a 'ipv6'`);
      return;
    case 'base64':
      if (!BASE64.test(value.replace(/\s+/g, ''))) throw new Invalid(field, value, `${repr(value)} is not a 'base64'`);
      return;
    case 'name':
      if (!isValidName(value)) {
        throw new Invalid(field, value, `An invalid '${field}' value was provided. The name must be: printable characters. Can not start or end with whitespace.`);
      }
      return;
    case 'description':
      if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(value)) {
        throw new Invalid(field, value, `An invalid '${field}' value was provided. The description must be: printable characters with whitespace.`);
      }
      return;
  }
}

function check(schema: Schema, value: unknown, field: string): void {
  if (schema.oneOf || schema.anyOf) {
    const options = (schema.oneOf ?? schema.anyOf)!;
    const errors: Invalid[] = [];
    for (const option of options) {
      try {
        check(option, value, field);
      } catch (err) {
        if (!(err instanceof Invalid)) throw err;
        errors.push(err);
      }
    }
    if (errors.length === options.length) {
      // When exactly one alternative has the value's type, its complaint explains the problem best.
      const typed = options.flatMap((o, i) => (o.type !== undefined && [o.type].flat().some((t) => matchesType(value, t)) ? [errors[i]] : []));
      if (typed.length === 1) throw typed[0];
      throw new Invalid(field, value, `${repr(value)} is not valid under any of the given schemas`);
    }
  }
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.some((t) => matchesType(value, t))) {
      throw new Invalid(field, value, `${repr(value)} is not of type ${types.map((t) => `'${t}'`).join(', ')}`);
    }
  }
  if (schema.enum && !schema.enum.some((e) => e === value)) {
    throw new Invalid(field, value, `${repr(value)} is not one of [${schema.enum.map(repr).join(', ')}]`);
  }
  if (typeof value === 'string') {
    if (schema.minLength !== undefined && [...value].length < schema.minLength) throw new Invalid(field, value, `${repr(value)} is too short`);
    if (schema.maxLength !== undefined && [...value].length > schema.maxLength) throw new Invalid(field, value, `${repr(value)} is too long`);
    if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(value)) {
      throw new Invalid(field, value, `${repr(value)} does not match '${schema.pattern}'`);
    }
    if (schema.format) checkFormat(schema.format, value, field);
    if (schema.minimum !== undefined && /^\d+$/.test(value) && Number(value) < schema.minimum) {
      throw new Invalid(field, value, `${value} is less than the minimum of ${schema.minimum}`);
    }
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) throw new Invalid(field, value, `${value} is less than the minimum of ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) throw new Invalid(field, value, `${value} is greater than the maximum of ${schema.maximum}`);
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) throw new Invalid(field, value, `${show(value)} is too short`);
    if (schema.maxItems !== undefined && value.length > schema.maxItems) throw new Invalid(field, value, `${show(value)} is too long`);
    if (schema.uniqueItems && new Set(value.map((v) => JSON.stringify(v))).size !== value.length) {
      throw new Invalid(field, value, `${show(value)} has non-unique elements`);
    }
    if (schema.items) for (const item of value) check(schema.items, item, field);
  }
  if (typeOf(value) === 'object') {
    const obj = value as Record<string, unknown>;
    for (const key of schema.required ?? []) {
      if (!(key in obj)) throw new Invalid(field, value, `'${key}' is a required property`);
    }
    const extra: string[] = [];
    for (const [key, v] of Object.entries(obj)) {
      const prop = schema.properties?.[key];
      if (prop) {
        check(prop, v, key);
        continue;
      }
      const patterned = Object.entries(schema.patternProperties ?? {}).find(([p]) => new RegExp(p, 'u').test(key));
      if (patterned) {
        check(patterned[1], v, key);
        continue;
      }
      if (schema.additionalProperties === false) extra.push(key);
      else if (typeof schema.additionalProperties === 'object') check(schema.additionalProperties, v, key);
    }
    if (extra.length > 0) {
      throw new Invalid(field, value, `Additional properties are not allowed (${extra.map((k) => `'${k}'`).join(', ')} ${extra.length === 1 ? 'was' : 'were'} unexpected)`);
    }
  }
}

// Parameter types shared by several bodies.
export const nameString: Schema = { type: 'string', minLength: 1, maxLength: 255, format: 'name' };
export const descriptionString: Schema = { type: ['string', 'null'], minLength: 0, maxLength: 255, format: 'description' };
export const booleanLike: Schema = {
  type: ['boolean', 'string'],
  enum: [true, 'True', 'TRUE', 'true', '1', 'ON', 'On', 'on', 'YES', 'Yes', 'yes', 'y', 't', false, 'False', 'FALSE', 'false', '0', 'OFF', 'Off', 'off', 'NO', 'No', 'no', 'n', 'f'],
};
export const positiveIntLike: Schema = { type: ['integer', 'string'], pattern: '^[0-9]*$', minimum: 1, minLength: 1 };
export const nonNegativeIntLike: Schema = { type: ['integer', 'string'], pattern: '^[0-9]*$', minimum: 0, minLength: 1 };
export const uuidString: Schema = { type: 'string', format: 'uuid' };
export const metadataMap: Schema = {
  type: 'object',
  patternProperties: { '^[a-zA-Z0-9-_:. ]{1,255}$': { type: 'string', maxLength: 255 } },
  additionalProperties: false,
};
export const serverTag: Schema = { type: 'string', minLength: 1, maxLength: 60, pattern: '^[^,/]*$' };

export function truthy(v: unknown): boolean {
  return v === true || (typeof v === 'string' && ['true', '1', 'on', 'yes', 'y', 't'].includes(v.toLowerCase()));
}
