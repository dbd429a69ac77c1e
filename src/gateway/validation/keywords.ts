import { isIPv4, isIPv6 } from 'node:net';
import { Ajv, type AnySchemaObject, type KeywordDefinition, type SchemaValidateFunction } from 'ajv';
import type { DataValidateFunction } from 'ajv/dist/types/index.js';

/**
 * One Ajv per message style, with the formats and keyword semantics of upstream's validators:
 * - `minimum`/`maximum` also bound strings that read as numbers (Nova and Cinder both validate
 *   `{"type": ["integer", "string"], "minimum": 1}` that way);
 * - `additionalProperties` is checked after every other keyword of its object, so a wrong property
 *   is reported before an unexpected one, and names all unexpected keys at once;
 * - formats `uuid` (with or without hyphens), `ipv4`, `ipv6`, `base64`, `name`, `description`.
 * Validation stops at the first error (so a body's size bounds the work, not the number of its errors).
 */
export function createAjv(): Ajv {
  const ajv = new Ajv({
    allErrors: false,
    verbose: true,
    strictSchema: true,
    strictNumbers: true,
    strictTypes: false,
    strictTuples: false,
    strictRequired: false,
    allowUnionTypes: true,
    allowMatchingProperties: true,
    // The meta-schema's own `additionalProperties` is a schema, which ours is not; keyword values are
    // still checked when a schema compiles (strictSchema, each keyword's schemaType).
    validateSchema: false,
  });
  for (const [name, validate] of Object.entries(FORMATS)) ajv.addFormat(name, { type: 'string', validate });
  ajv.removeKeyword('minimum');
  ajv.removeKeyword('maximum');
  ajv.removeKeyword('additionalProperties');
  ajv.addKeyword(numericLimit('minimum', (n, limit) => n >= limit));
  ajv.addKeyword(numericLimit('maximum', (n, limit) => n <= limit));
  ajv.addKeyword(closedObject);
  return ajv;
}

const UUID = /^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Nova's `name`: printable, without leading or trailing white space. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what the format refuses.
export const isValidName = (text: string): boolean => !/^\s|\s$/.test(text) && !/[\u0000-\u001f\u007f]/.test(text);

/** Nova's `description`: printable, white space allowed. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what the format refuses.
export const isValidDescription = (text: string): boolean => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text);

const FORMATS: Record<string, (text: string) => boolean> = {
  uuid: (text) => UUID.test(text),
  ipv4: (text) => isIPv4(text),
  ipv6: (text) => !text.includes('%') && isIPv6(text),
  base64: (text) => BASE64.test(text.replace(/\s+/g, '')),
  name: isValidName,
  description: isValidDescription,
};

/** The number a value stands for, when a limit applies to it: a number, or a string of digits. */
export function numericValue(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  return undefined;
}

function numericLimit(keyword: 'minimum' | 'maximum', within: (n: number, limit: number) => boolean): KeywordDefinition {
  const validate: SchemaValidateFunction = (limit: number, data: unknown): boolean => {
    const n = numericValue(data);
    if (n === undefined || within(n, limit)) return true;
    validate.errors = [{ keyword, params: { limit }, message: `must be ${keyword === 'minimum' ? '>=' : '<='} ${limit}` }];
    return false;
  };
  return { keyword, type: ['number', 'string'], schemaType: 'number', errors: true, validate };
}

/** `additionalProperties: false`, after the object's other keywords (see createAjv). */
const closedObject: KeywordDefinition = {
  keyword: 'additionalProperties',
  schemaType: 'boolean',
  post: true,
  errors: true,
  compile(allowed: boolean, parentSchema: AnySchemaObject) {
    const { properties, patternProperties } = parentSchema as { properties?: object; patternProperties?: object };
    const known = new Set(Object.keys(properties ?? {}));
    const patternSources = Object.keys(patternProperties ?? {});
    const patterns = patternSources.map((p) => new RegExp(p, 'u'));
    const hasProperties = properties !== undefined;
    const check: DataValidateFunction = (data: unknown): boolean => {
      if (allowed || data === null || typeof data !== 'object' || Array.isArray(data)) return true;
      const extra = Object.keys(data).filter((k) => !known.has(k) && !patterns.some((p) => p.test(k)));
      if (extra.length === 0) return true;
      check.errors = [
        { keyword: 'additionalProperties', params: { additionalProperties: extra, patterns: patternSources, hasProperties }, message: 'must NOT have additional properties' },
      ];
      return false;
    };
    return check;
  },
};
