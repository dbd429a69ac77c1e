import Type, { type Static, type TOptional, type TSchema, type TUnsafe } from 'typebox';
import { Microversion } from './microversion.js';

/**
 * Request-body schemas are TypeBox schemas (plain JSON Schema objects whose TypeScript type follows
 * from the schema). What upstream writes in ways TypeBox has no builder for has a helper here, so a
 * schema reads like upstream's: several types in one `type`, string enums, and fields that exist
 * only in some microversions.
 */

type JsonTypeName = 'object' | 'string' | 'integer' | 'number' | 'boolean' | 'null' | 'array';

type TypeOfName<N extends JsonTypeName> = N extends 'string'
  ? string
  : N extends 'integer' | 'number'
    ? number
    : N extends 'boolean'
      ? boolean
      : N extends 'null'
        ? null
        : N extends 'array'
          ? unknown[]
          : Record<string, unknown>;

/** `{"type": ["integer", "string"], ...keywords}`: one value of several JSON types. */
export function anyType<const N extends readonly JsonTypeName[]>(types: N, keywords: Record<string, unknown> = {}): TUnsafe<TypeOfName<N[number]>> {
  return Type.Unsafe<TypeOfName<N[number]>>({ ...keywords, type: [...types] });
}

/** The schema with `null` added to its type(s). */
export function nullable<T extends TSchema>(schema: T): TUnsafe<Static<T> | null> {
  const type = (schema as { type?: string | string[] }).type;
  if (type === undefined) throw new Error('nullable() needs a schema with a type');
  return Type.Unsafe<Static<T> | null>({ ...schema, type: [...[type].flat(), 'null'] });
}

/** `{"type": "string", "enum": [...]}`. */
export function stringEnum<const V extends readonly string[]>(values: V, keywords: Record<string, unknown> = {}): TUnsafe<V[number]> {
  return Type.Unsafe<V[number]>({ ...keywords, type: 'string', enum: [...values] });
}

/** A map whose keys match `keyPattern`, nothing else allowed: `{"patternProperties": {...}, "additionalProperties": false}`. */
export function keyedMap<T extends TSchema>(keyPattern: string, value: T, keywords: Record<string, unknown> = {}): TUnsafe<Record<string, Static<T>>> {
  return Type.Unsafe<Record<string, Static<T>>>({ type: 'object', ...keywords, patternProperties: { [keyPattern]: value }, additionalProperties: false });
}

// Microversions ---------------------------------------------------------------------------------

const FIELD_VERSIONS = Symbol('gateway.fieldVersions');
const VARIANTS = Symbol('gateway.variants');

interface FieldVersions {
  /** First version that has the field. */
  since?: string;
  /** Last version that has the field. */
  upTo?: string;
}

function withFieldVersions<T extends TSchema>(schema: T, versions: FieldVersions): TOptional<T> {
  const optional = Type.Optional(schema) as TOptional<T> & { [FIELD_VERSIONS]?: FieldVersions };
  optional[FIELD_VERSIONS] = { ...optional[FIELD_VERSIONS], ...versions };
  return optional;
}

/** An optional property that exists from microversion `version` on (below it, it is an unexpected property). */
export function since<T extends TSchema>(version: string, schema: T): TOptional<T> {
  Microversion.of(version);
  return withFieldVersions(schema, { since: version });
}

/** An optional property that exists up to microversion `version` (after it, it is an unexpected property). */
export function upTo<T extends TSchema>(version: string, schema: T): TOptional<T> {
  Microversion.of(version);
  return withFieldVersions(schema, { upTo: version });
}

/**
 * A schema that changes at microversions: `{ '2.1': A, '2.37': B }` is A from 2.1 and B from 2.37
 * (and A below 2.1). Its type is the union of the variants'.
 */
export function byVersion<const V extends Record<string, TSchema>>(variants: V): TUnsafe<Static<V[keyof V]>> {
  const entries = Object.entries(variants)
    .map(([v, s]) => ({ version: Microversion.of(v), schema: s }))
    .sort((a, b) => a.version.compare(b.version));
  if (entries.length === 0) throw new Error('byVersion() needs at least one variant');
  const node = Type.Unsafe<Static<V[keyof V]>>({}) as TUnsafe<Static<V[keyof V]>> & { [VARIANTS]?: typeof entries };
  node[VARIANTS] = entries;
  return node;
}

/** The microversions at which `schema` changes, in order (none for a schema without since/upTo/byVersion). */
export function versionBreakpoints(schema: unknown): Microversion[] {
  const found = new Map<string, Microversion>();
  const add = (v: Microversion) => found.set(v.toString(), v);
  const visit = (node: unknown): void => {
    if (node === null || typeof node !== 'object') return;
    const marks = (node as { [FIELD_VERSIONS]?: FieldVersions })[FIELD_VERSIONS];
    if (marks?.since) add(Microversion.of(marks.since));
    if (marks?.upTo) add(nextMinor(Microversion.of(marks.upTo)));
    const variants = (node as { [VARIANTS]?: { version: Microversion; schema: unknown }[] })[VARIANTS];
    for (const v of variants ?? []) {
      add(v.version);
      visit(v.schema);
    }
    for (const child of Object.values(node)) visit(child);
  };
  visit(schema);
  return [...found.values()].sort((a, b) => a.compare(b));
}

const nextMinor = (v: Microversion) => Microversion.of(`${v.major}.${v.minor + 1}`);

/**
 * The plain JSON Schema of `schema` at microversion `version` (undefined: the lowest): properties
 * outside their versions removed (and from `required`), byVersion nodes replaced by their variant.
 */
export function schemaAt(schema: unknown, version: Microversion | undefined): unknown {
  if (Array.isArray(schema)) return schema.map((s) => schemaAt(s, version));
  if (schema === null || typeof schema !== 'object') return schema;
  const variants = (schema as { [VARIANTS]?: { version: Microversion; schema: unknown }[] })[VARIANTS];
  if (variants) {
    const chosen = version === undefined ? variants[0] : ([...variants].reverse().find((v) => version.ge(v.version)) ?? variants[0]);
    return schemaAt(chosen.schema, version);
  }
  const out: Record<string, unknown> = {};
  const dropped = new Set<string>();
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'properties' && value !== null && typeof value === 'object') {
      const props: Record<string, unknown> = {};
      for (const [name, prop] of Object.entries(value)) {
        if (present(prop, version)) props[name] = schemaAt(prop, version);
        else dropped.add(name);
      }
      out.properties = props;
    } else {
      out[key] = schemaAt(value, version);
    }
  }
  if (dropped.size > 0 && Array.isArray(out.required)) out.required = (out.required as string[]).filter((n) => !dropped.has(n));
  return out;
}

function present(prop: unknown, version: Microversion | undefined): boolean {
  const marks = (prop as { [FIELD_VERSIONS]?: FieldVersions } | null)?.[FIELD_VERSIONS];
  if (!marks) return true;
  if (marks.since && (version === undefined || version.lt(marks.since))) return false;
  if (marks.upTo && version !== undefined && version.compare(marks.upTo) > 0) return false;
  return true;
}

export { Type, type Static, type TSchema };
