import { badRequest } from '../common/errors.js';
import { type JsonType, matchesType } from '../common/jsonTypes.js';

/**
 * The subset of JSON Schema that Cinder's request schemas use, with Cinder's error messages
 * ("Invalid input for field/attribute <name>. Value: <value>. <reason>"). Only what the gateway's
 * own schemas need; extend it rather than reaching for a general validator.
 */
export type Schema = {
  type?: JsonType | JsonType[];
  properties?: Record<string, Schema>;
  patternProperties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  required?: string[];
  /** At least one of these property sets must be present (Cinder's `anyOf: [{required: [...]}]`). */
  anyOfRequired?: string[][];
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  enum?: readonly unknown[];
  format?: 'uuid';
  minProperties?: number;
  maxProperties?: number;
};

const UUID = /^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$/;

/** Python's repr-ish rendering of a JSON value, as Cinder prints it in messages. */
export function pyRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'string') return `'${value}'`;
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`;
  if (typeof value === 'object') return `{${Object.entries(value).map(([k, v]) => `'${k}': ${pyRepr(v)}`).join(', ')}}`;
  return String(value);
}

/** The instance as Cinder prints it after "Value:" (a string bare, anything else as repr). */
const shown = (value: unknown): string => (typeof value === 'string' ? value : pyRepr(value));

class SchemaError extends Error {
  constructor(
    readonly path: string | undefined,
    readonly instance: unknown,
    reason: string,
  ) {
    super(reason);
  }
}

function check(schema: Schema, value: unknown, name: string | undefined): void {
  const fail = (reason: string): never => {
    throw new SchemaError(name, value, reason);
  };
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.some((t) => matchesType(value, t))) {
      fail(`${pyRepr(value)} is not of type ${types.map((t) => `'${t}'`).join(', ')}`);
    }
  }
  if (schema.enum !== undefined && !schema.enum.some((e) => e === value)) fail(`${pyRepr(value)} is not one of ${pyRepr(schema.enum)}`);
  if (typeof value === 'string') {
    if (schema.minLength !== undefined && value.length < schema.minLength) fail(`${pyRepr(value)} is too short`);
    if (schema.maxLength !== undefined && value.length > schema.maxLength) fail(`${pyRepr(value)} is too long`);
    if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(value)) fail(`${pyRepr(value)} does not match '${schema.pattern}'`);
    if (schema.format === 'uuid' && !UUID.test(value)) fail(`${pyRepr(value)} is not a 'uuid'`);
  }
  const numeric = typeof value === 'number' ? value : typeof value === 'string' && schema.pattern !== undefined && /^-?\d+$/.test(value) ? Number(value) : undefined;
  if (numeric !== undefined) {
    if (schema.minimum !== undefined && numeric < schema.minimum) fail(`${pyRepr(value)} is less than the minimum of ${schema.minimum}`);
    if (schema.maximum !== undefined && numeric > schema.maximum) fail(`${pyRepr(value)} is greater than the maximum of ${schema.maximum}`);
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) checkObject(schema, value as Record<string, unknown>, name);
}

function checkObject(schema: Schema, obj: Record<string, unknown>, name: string | undefined): void {
  const keys = Object.keys(obj);
  for (const req of schema.required ?? []) {
    if (!(req in obj)) throw new SchemaError(name, obj, `'${req}' is a required property`);
  }
  if (schema.anyOfRequired && !schema.anyOfRequired.some((set) => set.every((k) => k in obj))) {
    throw new SchemaError(name, obj, `${pyRepr(obj)} is not valid under any of the given schemas`);
  }
  if (schema.minProperties !== undefined && keys.length < schema.minProperties) throw new SchemaError(name, obj, `${pyRepr(obj)} does not have enough properties`);
  if (schema.maxProperties !== undefined && keys.length > schema.maxProperties) throw new SchemaError(name, obj, `${pyRepr(obj)} has too many properties`);
  const extra: string[] = [];
  for (const key of keys) {
    const own = schema.properties?.[key];
    if (own) {
      check(own, obj[key], key);
      continue;
    }
    const patterned = Object.entries(schema.patternProperties ?? {}).filter(([p]) => new RegExp(p, 'u').test(key));
    for (const [, s] of patterned) check(s, obj[key], key);
    if (patterned.length > 0) continue;
    if (schema.additionalProperties === false) extra.push(key);
    else if (typeof schema.additionalProperties === 'object') check(schema.additionalProperties, obj[key], key);
  }
  if (extra.length > 0) {
    if (schema.patternProperties && !schema.properties) {
      throw new SchemaError(name, obj, `${extra.map((k) => `'${k}'`).join(', ')} do${extra.length === 1 ? 'es' : ''} not match any of the regexes: ${Object.keys(schema.patternProperties).map((p) => `'${p}'`).join(', ')}`);
    }
    throw new SchemaError(name, obj, `Additional properties are not allowed (${extra.map((k) => `'${k}'`).join(', ')} ${extra.length === 1 ? 'was' : 'were'} unexpected)`);
  }
}

/** Validates a request body; a failure is Cinder's 400. */
export function validateBody(schema: Schema, body: unknown): void {
  try {
    check(schema, body, undefined);
  } catch (err) {
    if (!(err instanceof SchemaError)) throw err;
    throw badRequest(
      err.path === undefined ? err.message : `Invalid input for field/attribute ${err.path}. Value: ${shown(err.instance)}. ${err.message}`,
    );
  }
}

/** Cinder's accepted spellings of a boolean. */
export const BOOLEAN_VALUES = [
  true, 'True', 'TRUE', 'true', '1', 'ON', 'On', 'on', 'YES', 'Yes', 'yes', 'y', 't',
  false, 'False', 'FALSE', 'false', '0', 'OFF', 'Off', 'off', 'NO', 'No', 'no', 'n', 'f',
] as const;

export const booleanSchema: Schema = { type: ['boolean', 'string'], enum: BOOLEAN_VALUES };

/** A boolean-like value as a boolean (after validation with booleanSchema). */
export function toBoolean(value: unknown): boolean {
  return value === true || (typeof value === 'string' && ['true', '1', 'on', 'yes', 'y', 't'].includes(value.toLowerCase()));
}

/** Metadata and extra specs: keys of 1..255 letters, digits and `-_:. `, string values up to 255. */
export const keyValueSchema: Schema = {
  type: 'object',
  patternProperties: { '^[a-zA-Z0-9-_:. /]{1,255}$': { type: 'string', maxLength: 255 } },
  additionalProperties: false,
};
