// List requests of the Neutron API: attribute filters (a repeated key is an OR of its values), tag
// filters, sort_key/sort_dir, limit/marker/page_reverse with <collection>_links, and fields= projection.
import { badRequest, badResourceRequest, invalidInput, pyRepr } from './errors.js';

export type View = Record<string, unknown>;

/** How a filter value is compared with an attribute. */
export type FilterKind = 'str' | 'bool' | 'int' | 'inlist' | ((item: View, values: string[]) => boolean);

export interface CollectionSpec {
  /** Collection name in bodies and links, e.g. "networks", "security_groups". */
  collection: string;
  /** URL path segment, e.g. "security-groups". */
  path: string;
  filters: Record<string, FilterKind>;
  /** Whether the resource has tags (enables tags / tags-any / not-tags / not-tags-any filters). */
  tagged: boolean;
}

const NON_FILTER_PARAMS = new Set(['fields', 'sort_key', 'sort_dir', 'limit', 'marker', 'page_reverse']);
const TAG_FILTERS = ['tags', 'tags-any', 'not-tags', 'not-tags-any'];

export function toBoolean(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (value === 0 || value === 1) return value === 1;
  if (typeof value === 'string') {
    const v = value.toLowerCase();
    if (v === 'true' || v === '1') return true;
    if (v === 'false' || v === '0') return false;
  }
  throw invalidInput(`'${typeof value === 'string' ? value : pyRepr(value)}' cannot be converted to boolean`);
}

export function toInt(value: unknown): number {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^\s*[-+]?\d+\s*$/.test(value)) return Number(value);
  throw invalidInput(`'${typeof value === 'string' ? value : pyRepr(value)}' is not an integer`);
}

function compareValues(a: unknown, b: unknown): number {
  if (a === null || a === undefined) return b === null || b === undefined ? 0 : -1;
  if (b === null || b === undefined) return 1;
  if (typeof a === 'boolean' || typeof b === 'boolean') return Number(a) - Number(b);
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const sa = typeof a === 'string' ? a : JSON.stringify(a);
  const sb = typeof b === 'string' ? b : JSON.stringify(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** A listed record whose wire view is built only when a filter, sort key or the page needs it. */
class Entry<R> {
  private cached: View | undefined;
  constructor(
    readonly id: string,
    private readonly rec: R,
    private readonly viewOf: (rec: R) => View,
  ) {}

  get view(): View {
    return (this.cached ??= this.viewOf(this.rec));
  }

  value(key: string): unknown {
    return key === 'id' ? this.id : this.view[key];
  }
}

function matches(kind: FilterKind, item: View, key: string, values: string[]): boolean {
  if (typeof kind === 'function') return kind(item, values);
  const actual = item[key];
  switch (kind) {
    case 'bool': {
      const wanted = values.filter((v) => v !== '').map(toBoolean);
      return wanted.length === 0 || wanted.includes(actual as boolean);
    }
    case 'int': {
      const wanted = values.filter((v) => v !== '').map(toInt);
      return wanted.length === 0 || wanted.includes(actual as number);
    }
    case 'inlist':
      return Array.isArray(actual) && values.some((v) => (actual as unknown[]).includes(v));
    case 'str':
      return actual !== null && actual !== undefined && values.some((v) => String(actual) === v);
  }
}

function tagValues(params: URLSearchParams, key: string): string[] {
  return params
    .getAll(key)
    .flatMap((v) => v.split(','))
    .filter((v) => v !== '');
}

function applyFilters<R>(spec: CollectionSpec, entries: Entry<R>[], params: URLSearchParams): Entry<R>[] {
  const groups = new Map<string, string[]>();
  const invalid: string[] = [];
  for (const [key, value] of params) {
    if (NON_FILTER_PARAMS.has(key)) continue;
    if (spec.tagged && TAG_FILTERS.includes(key)) continue;
    if (!(key in spec.filters)) {
      if (!invalid.includes(key)) invalid.push(key);
      continue;
    }
    const list = groups.get(key) ?? [];
    list.push(value);
    groups.set(key, list);
  }
  if (invalid.length) throw badRequest(`${pyRepr(invalid)} is invalid attribute for filtering`);
  let out = groups.size
    ? entries.filter((entry) => {
        for (const [key, values] of groups) {
          if (!matches(spec.filters[key], entry.view, key, values)) return false;
        }
        return true;
      })
    : entries;
  if (spec.tagged) {
    const all = tagValues(params, 'tags');
    const any = tagValues(params, 'tags-any');
    const notAll = tagValues(params, 'not-tags');
    const notAny = tagValues(params, 'not-tags-any');
    if (!all.length && !any.length && !notAll.length && !notAny.length) return out;
    out = out.filter((entry) => {
      const tags = (entry.view.tags as string[] | undefined) ?? [];
      if (all.length && !all.every((t) => tags.includes(t))) return false;
      if (any.length && !any.some((t) => tags.includes(t))) return false;
      if (notAll.length && notAll.every((t) => tags.includes(t))) return false;
      if (notAny.length && notAny.some((t) => tags.includes(t))) return false;
      return true;
    });
  }
  return out;
}

type Sort = [key: string, asc: boolean];

function parseSorts(spec: CollectionSpec, params: URLSearchParams): Sort[] {
  const keys = params.getAll('sort_key').filter((v) => v !== '');
  const dirs = params.getAll('sort_dir').filter((v) => v !== '');
  if (keys.length !== dirs.length) throw badRequest('The number of sort_keys and sort_dirs must be same');
  const absent = keys.filter((k) => !(k in spec.filters) || typeof spec.filters[k] === 'function');
  if (absent.length) throw badRequest(`${pyRepr(absent)} is invalid attribute for sort_keys`);
  const badDirs = dirs.filter((d) => d !== 'asc' && d !== 'desc');
  if (badDirs.length) {
    throw badRequest(`${pyRepr(badDirs)} is invalid value for sort_dirs, valid value is 'asc' and 'desc'`);
  }
  return keys.map((k, i) => [k, dirs[i] === 'asc']);
}

function comparator<R>(sorts: Sort[]): (a: Entry<R>, b: Entry<R>) => number {
  return (a, b) => {
    for (const [key, asc] of sorts) {
      const c = compareValues(a.value(key), b.value(key));
      if (c !== 0) return asc ? c : -c;
    }
    return 0;
  };
}

function parseLimit(params: URLSearchParams): number {
  const raw = params.get('limit');
  if (raw === null) return 0;
  if (/^\s*\+?\d+\s*$/.test(raw)) return Number(raw);
  throw badResourceRequest('limit', `Limit must be an integer 0 or greater and not '${raw}'`);
}

/** Python's urlencode of the request's query with marker/page_reverse replaced as upstream does. */
function link(baseUrl: string, params: URLSearchParams, marker: string | undefined, reverse: boolean): string {
  const next = new URLSearchParams();
  for (const [k, v] of params) {
    if (k === 'marker' || k === 'page_reverse') continue;
    next.append(k, v);
  }
  if (marker !== undefined) next.append('marker', marker);
  if (reverse) next.append('page_reverse', 'True');
  return `${baseUrl}?${next.toString()}`;
}

export interface ListOptions<R> {
  /** Public URL of the collection, e.g. http://127.0.0.1:9696/v2.0/networks */
  baseUrl: string;
  /** The wire view of a record (identity for lists built from views). */
  viewOf: (rec: R) => View;
  /** Finds the marker among everything the caller may see (ignoring filters). */
  findMarker: (id: string) => R | undefined;
  /** Error for a marker id that does not exist. */
  markerNotFound: (id: string) => Error;
}

/** Builds the body of a list response: `{<collection>: [...], <collection>_links?: [...]}`. */
export function listResponse<R extends { id?: unknown }>(spec: CollectionSpec, visible: R[], params: URLSearchParams, opts: ListOptions<R>): Record<string, unknown> {
  const entry = (rec: R): Entry<R> => new Entry(String(rec.id ?? ''), rec, opts.viewOf);
  let items = applyFilters(spec, visible.map(entry), params);
  const sorts = parseSorts(spec, params);
  const limit = parseLimit(params);
  const marker = params.get('marker') || undefined;
  const pageReverse = (params.get('page_reverse') ?? 'False').toLowerCase() === 'true';
  const paginated = limit > 0;
  if (paginated && !sorts.some(([k]) => k === 'id')) sorts.push(['id', true]);
  if (sorts.length) items = [...items].sort(comparator<R>(sorts));

  const body: Record<string, unknown> = {};
  if (paginated) {
    const cmp = comparator<R>(sorts);
    if (marker !== undefined) {
      const markerRec = opts.findMarker(marker);
      if (!markerRec) throw opts.markerNotFound(marker);
      const markerItem = entry(markerRec);
      items = pageReverse ? items.filter((i) => cmp(i, markerItem) < 0) : items.filter((i) => cmp(i, markerItem) > 0);
    }
    items = pageReverse ? items.slice(Math.max(0, items.length - limit)) : items.slice(0, limit);
    const links: { rel: string; href: string }[] = [];
    if (!(items.length < limit && !pageReverse)) {
      const last = items.length ? String(items[items.length - 1].id) : marker;
      links.push({ rel: 'next', href: link(opts.baseUrl, params, last, false) });
    }
    if (!(items.length < limit && pageReverse)) {
      // An empty page points back without a marker (at the last page), as upstream.
      const first = items.length ? String(items[0].id) : undefined;
      links.push({ rel: 'previous', href: link(opts.baseUrl, params, first, true) });
    }
    body[spec.collection] = projectAll(items, params);
    body[`${spec.collection}_links`] = links;
    return body;
  }
  body[spec.collection] = projectAll(items, params);
  return body;
}

export function requestedFields(params: URLSearchParams): string[] {
  return params.getAll('fields').filter((f) => f !== '');
}

/** Keeps only the requested fields (all when none requested). */
export function project(item: View, fields: string[]): View {
  if (!fields.length) return item;
  const out: View = {};
  for (const f of fields) if (f in item) out[f] = item[f];
  return out;
}

function projectAll<R>(items: Entry<R>[], params: URLSearchParams): View[] {
  const fields = requestedFields(params);
  return items.map((i) => project(i.view, fields));
}
