import type { ErrorObject } from 'ajv';
import { cut, render } from './render.js';
import type { ValidationStyle } from './style.js';

/**
 * The one formatter of validation errors: upstream's
 * `Invalid input for field/attribute <field>. Value: <value>. <reason>` (jsonschema's reasons),
 * worded in a service's style. `errors` is what Ajv reported for `root` (the whole body).
 */
export function validationMessage(errors: readonly ErrorObject[], root: unknown, style: ValidationStyle): string {
  return describe(firstOf(errors, '#'), errors, root, style);
}

const COMBINATORS = new Set(['anyOf', 'oneOf']);

/**
 * The error that failed the schema at `scope` (a schema path prefix). Errors inside the branches of
 * an anyOf/oneOf are not failures of their own: they explain the combinator's.
 */
function firstOf(errors: readonly ErrorObject[], scope: string): ErrorObject {
  const inScope = errors.filter((e) => e.schemaPath.startsWith(scope));
  const combinators = inScope.filter((e) => COMBINATORS.has(e.keyword));
  const own = inScope.filter((e) => !combinators.some((c) => c !== e && e.schemaPath.startsWith(`${c.schemaPath}/`)));
  return own[0] ?? inScope[0] ?? errors[0];
}

/** The nearest object key on the way to the value at `instancePath` (array indexes are not fields). */
function fieldOf(instancePath: string, root: unknown): string | undefined {
  let field: string | undefined;
  let at: unknown = root;
  for (const raw of instancePath === '' ? [] : instancePath.slice(1).split('/')) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(at)) {
      at = at[Number(segment)];
      continue;
    }
    field = segment;
    at = at !== null && typeof at === 'object' ? (at as Record<string, unknown>)[segment] : undefined;
  }
  return field;
}

function describe(error: ErrorObject, all: readonly ErrorObject[], root: unknown, style: ValidationStyle): string {
  if (COMBINATORS.has(error.keyword)) {
    const explained = explainingBranch(error, all);
    if (explained) return describe(explained, all, root, style);
  }
  const name = fieldOf(error.instancePath, root) ?? style.rootField;
  const whole = wholeMessage(error, name ?? '');
  if (whole !== undefined) return whole;
  const value: unknown = error.data;
  const reason = reasonOf(error, value, style);
  return name === undefined ? reason : `Invalid input for field/attribute ${name}. Value: ${shown(value, style)}. ${reason}`;
}

/**
 * When every alternative failed and exactly one of them accepts the value's type, its complaint
 * explains the problem best (e.g. a malformed uuid rather than "not valid under any").
 */
function explainingBranch(error: ErrorObject, all: readonly ErrorObject[]): ErrorObject | undefined {
  const branches = (error.schema as readonly { type?: string | string[] }[] | undefined) ?? [];
  const typed = branches.flatMap((b, i) => (b.type !== undefined && [b.type].flat().some((t) => hasType(error.data, t)) ? [i] : []));
  if (typed.length !== 1) return undefined;
  const scope = `${error.schemaPath}/${typed[0]}/`;
  return all.some((e) => e.schemaPath.startsWith(scope)) ? firstOf(all, scope) : undefined;
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'null':
      return value === null;
    case 'array':
      return Array.isArray(value);
    case 'object':
      return value !== null && typeof value === 'object' && !Array.isArray(value);
    case 'integer':
      return Number.isInteger(value);
    default:
      return typeof value === type;
  }
}

/** Errors upstream words as a whole sentence, without the field prefix (Nova's InvalidName and friends). */
function wholeMessage(error: ErrorObject, field: string): string | undefined {
  if (error.keyword !== 'format') return undefined;
  if (error.params.format === 'name') {
    return `An invalid '${field}' value was provided. The name must be: printable characters. Can not start or end with whitespace.`;
  }
  if (error.params.format === 'description') {
    return `An invalid '${field}' value was provided. The description must be: printable characters with whitespace.`;
  }
  return undefined;
}

/** A value as it appears after `Value:`: strings bare, anything else in the style's notation. */
function shown(value: unknown, style: ValidationStyle): string {
  return typeof value === 'string' ? cut(value) : repr(value, style);
}

/** A value as it appears in a reason: strings quoted; no body at all is Python's None, as upstream prints it. */
function repr(value: unknown, style: ValidationStyle): string {
  if (value === undefined) return 'None';
  return typeof value === 'string' ? `'${cut(value)}'` : render(value, style.notation);
}

const quoted = (names: readonly string[]) => names.map((n) => `'${n}'`).join(', ');

function reasonOf(error: ErrorObject, value: unknown, style: ValidationStyle): string {
  const r = () => repr(value, style);
  const schema = error.schema as unknown;
  switch (error.keyword) {
    case 'type':
      return `${r()} is not of type ${quoted([schema as string | string[]].flat())}`;
    case 'enum':
      return `${r()} is not one of [${(schema as unknown[]).map((v) => (typeof v === 'string' ? `'${v}'` : render(v, style.notation))).join(', ')}]`;
    case 'const':
      return `${repr(schema, style)} was expected`;
    case 'minLength':
    case 'minItems':
      return `${r()} is too short`;
    case 'maxLength':
    case 'maxItems':
      return `${r()} is too long`;
    case 'pattern':
      return `${r()} does not match '${String(schema)}'`;
    case 'format':
      return `${r()} is not a '${String(error.params.format)}'`;
    case 'minimum':
    case 'maximum': {
      const n = style.limitValue === 'repr' ? r() : shown(value, style);
      return `${n} is ${error.keyword === 'minimum' ? 'less than the minimum' : 'greater than the maximum'} of ${String(error.params.limit)}`;
    }
    case 'uniqueItems':
      return `${r()} has non-unique elements`;
    case 'minProperties':
      return `${r()} does not have enough properties`;
    case 'maxProperties':
      return `${r()} has too many properties`;
    case 'required':
      return `'${String(error.params.missingProperty)}' is a required property`;
    case 'additionalProperties':
      return extrasReason(error, style);
    case 'anyOf':
    case 'oneOf':
      if (error.keyword === 'oneOf' && Array.isArray(error.params.passingSchemas)) return `${r()} is valid under each of the given schemas`;
      return `${r()} is not valid under any of the given schemas`;
    case 'not':
      return `${r()} should not be valid under ${render(schema, style.notation)}`;
    default:
      return `${r()} ${error.message ?? 'is not valid'}`;
  }
}

/** Unexpected keys, all of them (params set by the `additionalProperties` keyword of createAjv). */
function extrasReason(error: ErrorObject, style: ValidationStyle): string {
  const { additionalProperties: extra, patterns, hasProperties } = error.params as { additionalProperties: string[]; patterns: string[]; hasProperties: boolean };
  if (style.patternOnlyExtras && patterns.length > 0 && !hasProperties) {
    return `${quoted(extra)} do${extra.length === 1 ? 'es' : ''} not match any of the regexes: ${quoted(patterns)}`;
  }
  return `Additional properties are not allowed (${quoted(extra)} ${extra.length === 1 ? 'was' : 'were'} unexpected)`;
}
