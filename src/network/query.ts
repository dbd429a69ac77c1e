/**
 * List requests of the Neutron API, executed in SQL: attribute filters (a repeated key is an OR of its
 * values), `fields`, `sort_key`/`sort_dir`, and `limit`/`marker`/`page_reverse` as keyset pagination,
 * with `<collection>_links` built as upstream builds them.
 */
import { sql, type ExpressionBuilder, type SelectQueryBuilder, type Expression, type SqlBool } from 'kysely';
import type { Database } from '../db/index.js';
import { badRequest, badResourceRequest } from './errors.js';
import { pyRepr, toBoolean } from './input.js';

// Queries are built over whichever table a resource lives in; the schema below names its columns.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
// biome-ignore lint/suspicious/noExplicitAny: any table set and selection; callers narrow what they read.
export type AnySelect = SelectQueryBuilder<Database, any, any>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
// biome-ignore lint/suspicious/noExplicitAny: any table set; the expressions only name columns of Database.
export type AnyEb = ExpressionBuilder<Database, any>;

export type ListAttr =
  | { kind: 'string' | 'bool' | 'int' | 'timestamp'; column: string; sortable?: boolean }
  /** A value every row has (e.g. status ACTIVE); filtering by another value matches nothing. */
  | { kind: 'constant'; value: string }
  | { kind: 'custom'; filter: (eb: AnyEb, values: string[]) => Expression<SqlBool> };

export interface ListSchema {
  /** Collection name in bodies and links, e.g. "networks". */
  collection: string;
  /** Qualified id column, e.g. "networks.id". */
  idColumn: string;
  attrs: Record<string, ListAttr>;
}

export interface ListParams {
  filters: Map<string, string[]>;
  fields: string[];
  sorts: { key: string; asc: boolean }[];
  /** Page size; undefined when the caller does not paginate. */
  limit?: number;
  marker?: string;
  pageReverse: boolean;
  /** The query string as received, for links. */
  query: URLSearchParams;
}

const CONTROL_PARAMS = new Set(['fields', 'sort_key', 'sort_dir', 'limit', 'marker', 'page_reverse']);

/** Parses a list query string; `extraParams` are keys a resource handles itself (they are not filters). */
/** A list attribute by query key; never one of Object's own members (`?valueOf=1` is an unknown filter). */
const attrOf = (schema: ListSchema, key: string): ListAttr | undefined => (Object.hasOwn(schema.attrs, key) ? schema.attrs[key] : undefined);

export function parseListParams(query: URLSearchParams, schema: ListSchema, extraParams: string[] = []): ListParams {
  const filters = new Map<string, string[]>();
  const invalid: string[] = [];
  for (const [key, value] of query) {
    if (CONTROL_PARAMS.has(key) || extraParams.includes(key)) continue;
    if (!attrOf(schema, key)) {
      if (!invalid.includes(key)) invalid.push(key);
      continue;
    }
    filters.set(key, [...(filters.get(key) ?? []), value]);
  }
  if (invalid.length) throw badRequest(`${pyRepr(invalid)} is invalid attribute for filtering`);

  const keys = query.getAll('sort_key').filter((k) => k !== '');
  const dirs = query.getAll('sort_dir').filter((d) => d !== '');
  if (dirs.length && keys.length !== dirs.length) throw badRequest('The number of sort_keys and sort_dirs must be same');
  const unsortable = keys.filter((k) => {
    const a = attrOf(schema, k);
    return !a || a.kind === 'custom' || a.kind === 'constant' || !a.sortable;
  });
  if (unsortable.length) throw badRequest(`${pyRepr(unsortable)} is invalid attribute for sort_keys`);
  const badDirs = dirs.filter((d) => d !== 'asc' && d !== 'desc');
  if (badDirs.length) throw badRequest(`${pyRepr(badDirs)} is invalid value for sort_dirs, valid value is 'asc' and 'desc'`);

  let limit: number | undefined;
  const rawLimit = query.get('limit');
  if (rawLimit !== null && rawLimit !== '') {
    if (!/^\s*\+?\d{1,9}\s*$/.test(rawLimit)) throw badResourceRequest('limit', `Limit must be an integer 0 or greater and not '${rawLimit}'`);
    limit = Number(rawLimit) || undefined;
  }
  return {
    filters,
    fields: query
      .getAll('fields')
      .flatMap((f) => f.split(','))
      .filter((f) => f !== ''),
    sorts: keys.map((key, i) => ({ key, asc: (dirs[i] ?? 'asc') === 'asc' })),
    limit,
    marker: query.get('marker') || undefined,
    pageReverse: (query.get('page_reverse') ?? '').toLowerCase() === 'true',
    query,
  };
}

function filterValue(kind: 'string' | 'bool' | 'int' | 'timestamp', raw: string): string | number {
  if (kind === 'bool') return toBoolean(raw) ? 1 : 0;
  if (kind === 'timestamp') {
    const ms = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(raw) ? raw : `${raw}Z`);
    if (Number.isNaN(ms)) throw badRequest(`Invalid input: '${raw}' is not a timestamp`);
    return ms;
  }
  if (kind === 'int') {
    if (!/^\s*[-+]?\d{1,15}\s*$/.test(raw)) throw badRequest(`Invalid input: '${raw}' is not an integer`);
    return Number(raw);
  }
  return raw;
}

/** Adds the attribute filters of `params` to `qb`. */
export function applyFilters(qb: AnySelect, schema: ListSchema, params: ListParams): AnySelect {
  for (const [key, values] of params.filters) {
    const attr = attrOf(schema, key);
    if (!attr) continue;
    switch (attr.kind) {
      case 'constant':
        if (!values.includes(attr.value)) qb = qb.where(sql<boolean>`1 = 0`);
        break;
      case 'custom':
        qb = qb.where((eb) => attr.filter(eb, values));
        break;
      default: {
        const converted = values.map((v) => filterValue(attr.kind, v));
        qb = qb.where(sql.ref(attr.column), 'in', converted);
      }
    }
  }
  return qb;
}

type SortColumn = { column: string; asc: boolean };

function sortColumns(schema: ListSchema, params: ListParams): SortColumn[] {
  const cols: SortColumn[] = params.sorts.map((s) => ({ column: (schema.attrs[s.key] as { column: string }).column, asc: s.asc }));
  if (!cols.some((c) => c.column === schema.idColumn)) cols.push({ column: schema.idColumn, asc: true });
  return cols;
}

/**
 * Orders, positions after the marker and limits `qb` (which already carries visibility and filters).
 * `markerValues` reads the marker row's sort columns through the visibility query, or undefined when
 * the marker is not visible.
 */
export async function pageOf<R extends { id: string }>(
  qb: AnySelect,
  schema: ListSchema,
  params: ListParams,
  markerRow: (id: string) => Promise<Record<string, unknown> | undefined>,
): Promise<R[]> {
  const cols = sortColumns(schema, params);
  const reverse = params.pageReverse && params.limit !== undefined;
  for (const c of cols) qb = qb.orderBy(sql.ref(c.column), c.asc !== reverse ? 'asc' : 'desc');
  if (params.limit !== undefined && params.marker !== undefined) {
    const marker = await markerRow(params.marker);
    if (!marker) throw badRequest(`Marker ${params.marker} could not be found.`);
    const after = (eb: AnyEb) =>
      eb.or(
        cols.map((c, i) =>
          eb.and([
            ...cols.slice(0, i).map((p) => eb(sql.ref(p.column), '=', marker[bare(p.column)])),
            eb(sql.ref(c.column), c.asc !== reverse ? '>' : '<', marker[bare(c.column)]),
          ]),
        ),
      );
    qb = qb.where(after);
  }
  if (params.limit !== undefined) qb = qb.limit(params.limit);
  const rows = (await qb.execute()) as R[];
  return reverse ? rows.reverse() : rows;
}

/** The rows in the order of `ids`, those not found left out (as a bulk create answers). */
export function inIdOrder<R extends { id: string }>(ids: readonly string[], rows: R[]): R[] {
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => byId.get(id)!).filter(Boolean);
}

const bare = (column: string): string => column.slice(column.lastIndexOf('.') + 1);

/** The columns `pageOf` needs from a marker row. */
export function markerColumns(schema: ListSchema, params: ListParams): string[] {
  return sortColumns(schema, params).map((c) => c.column);
}

/** `<collection>_links` as upstream computes them: next unless a short forward page, previous unless a short reverse page. */
export function paginationLinks(baseUrl: string, params: ListParams, items: { id: string }[]): { rel: string; href: string }[] | undefined {
  if (params.limit === undefined) return undefined;
  const links: { rel: string; href: string }[] = [];
  const href = (marker: string | undefined, reverse: boolean) => {
    const q = new URLSearchParams();
    for (const [k, v] of params.query) if (k !== 'marker' && k !== 'page_reverse') q.append(k, v);
    if (marker !== undefined) q.append('marker', marker);
    if (reverse) q.append('page_reverse', 'True');
    return `${baseUrl}?${q.toString()}`;
  };
  if (!(items.length < params.limit && !params.pageReverse) && items.length > 0) links.push({ rel: 'next', href: href(items[items.length - 1].id, false) });
  if (!(items.length < params.limit && params.pageReverse)) {
    // As upstream: the empty page past the end points back without a marker, i.e. at the last page.
    if (items.length > 0) links.push({ rel: 'previous', href: href(items[0].id, true) });
    else if (params.marker !== undefined) links.push({ rel: 'previous', href: href(undefined, true) });
  }
  return links;
}

/** Keeps only the requested fields of each view (all when none are requested). */
export function projectFields<T extends Record<string, unknown>>(view: T, fields: string[]): Record<string, unknown> {
  if (fields.length === 0) return view;
  const out: Record<string, unknown> = {};
  for (const f of fields) if (f in view) out[f] = view[f];
  return out;
}
