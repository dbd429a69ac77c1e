// Small helpers shared by the simulated Nova and Cinder: microversions, query strings, timestamps,
// sorting, pagination links and Python-style value rendering for error messages.
// Candidate for sim/common once the other simulated services need the same.
import { randomInt } from 'node:crypto';
import { SimServiceError } from '../types.js';

/** A `major.minor` API microversion. */
export class ApiVersion {
  constructor(
    readonly major: number,
    readonly minor: number,
  ) {}

  static parse(text: string): ApiVersion | undefined {
    const m = /^([1-9]\d*)\.([1-9]\d*|0)$/.exec(text.trim());
    return m ? new ApiVersion(Number(m[1]), Number(m[2])) : undefined;
  }

  static of(text: string): ApiVersion {
    const v = ApiVersion.parse(text);
    if (!v) throw new Error(`bad version literal ${text}`);
    return v;
  }

  compare(other: ApiVersion): number {
    return this.major - other.major || this.minor - other.minor;
  }

  /** True when this version is at least `text` (e.g. `v.ge('2.47')`). */
  ge(text: string): boolean {
    return this.compare(ApiVersion.of(text)) >= 0;
  }

  lt(text: string): boolean {
    return !this.ge(text);
  }

  toString(): string {
    return `${this.major}.${this.minor}`;
  }
}

export interface MicroversionPolicy {
  /** Service type in `OpenStack-API-Version: <service> X.Y`. */
  service: string;
  /** Legacy header also accepted (lower case), e.g. `x-openstack-nova-api-version`. */
  legacyHeader?: string;
  min: string;
  max: string;
}

type Headers = Record<string, string | string[] | undefined>;

function headerText(h: string | string[] | undefined): string | undefined {
  if (h === undefined) return undefined;
  return Array.isArray(h) ? h.join(',') : h;
}

/**
 * The microversion a request asks for: the `OpenStack-API-Version` entry for the service, else the
 * legacy header, else the minimum. `latest` means the maximum. Throws 400 on a malformed version
 * and 406 outside [min, max], with the upstream messages.
 */
export function negotiateMicroversion(headers: Headers, policy: MicroversionPolicy): ApiVersion {
  let requested: string | undefined;
  const generic = headerText(headers['openstack-api-version']);
  if (generic) {
    for (const part of generic.split(',')) {
      const [svc, ...rest] = part.trim().split(/\s+/);
      if (svc && svc.toLowerCase() === policy.service && rest.length > 0) requested = rest.join(' ');
    }
  }
  if (requested === undefined && policy.legacyHeader) requested = headerText(headers[policy.legacyHeader]);
  const min = ApiVersion.of(policy.min);
  const max = ApiVersion.of(policy.max);
  if (requested === undefined || requested.trim() === '') return min;
  if (requested.trim().toLowerCase() === 'latest') return max;
  const v = ApiVersion.parse(requested);
  if (!v) {
    throw new SimServiceError(400, `API Version String ${requested.trim()} is of invalid format. Must be of format MajorNum.MinorNum.`);
  }
  if (v.compare(min) < 0 || v.compare(max) > 0) {
    throw new SimServiceError(406, `Version ${v} is not supported by the API. Minimum is ${min} and maximum is ${max}.`);
  }
  return v;
}

// ---------------------------------------------------------------------------------------------
// Query strings

export type Query = Record<string, string | string[] | undefined>;

/** The last value of a query parameter (WebOb semantics), or undefined. */
export function qLast(q: Query, key: string): string | undefined {
  const v = q[key];
  if (v === undefined) return undefined;
  return Array.isArray(v) ? v[v.length - 1] : v;
}

/** Every value of a query parameter. */
export function qAll(q: Query, key: string): string[] {
  const v = q[key];
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

/** oslo strutils.bool_from_string: undefined when the text is not a known boolean. */
export function parseBool(text: string | undefined): boolean | undefined {
  if (text === undefined) return undefined;
  const t = text.trim().toLowerCase();
  if (['1', 't', 'true', 'on', 'y', 'yes'].includes(t)) return true;
  if (['0', 'f', 'false', 'off', 'n', 'no'].includes(t)) return false;
  return undefined;
}

/** Parses a non-negative integer query value; throws 400 with `message` otherwise. */
export function parseNonNegativeInt(text: string, message: string): number {
  if (!/^\s*\d+\s*$/.test(text)) throw new SimServiceError(400, message);
  return Number(text);
}

// ---------------------------------------------------------------------------------------------
// Time

/** `2013-09-03T04:01:32Z` (Nova `created`/`updated`). */
export function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** `2018-04-25T01:26:36.341000` (naive UTC with microseconds, as oslo renders DB datetimes). */
export function isoMicro(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000');
}

/** Parses an ISO 8601 timestamp (with or without zone, zone-less means UTC). */
export function parseIsoTime(text: string): Date | undefined {
  const t = text.trim();
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/i.test(t)) return undefined;
  const hasZone = /(Z|[+-]\d{2}:?\d{2})$/i.test(t) && t.length > 10;
  const d = new Date(hasZone ? t : `${t.replace(' ', 'T')}${t.length > 10 ? 'Z' : 'T00:00:00Z'}`);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

// ---------------------------------------------------------------------------------------------
// Sorting and pagination

export type SortDir = 'asc' | 'desc';
export interface SortSpec {
  key: string;
  dir: SortDir;
}

function compareValues(a: unknown, b: unknown): number {
  const an = a === null || a === undefined;
  const bn = b === null || b === undefined;
  if (an || bn) return an && bn ? 0 : an ? -1 : 1;
  if (a instanceof Date && b instanceof Date) return a.getTime() - b.getTime();
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  const as = String(a);
  const bs = String(b);
  return as < bs ? -1 : as > bs ? 1 : 0;
}

/** A comparator over several sort keys (nulls first when ascending, as MySQL orders them). */
export function makeComparator<T>(spec: SortSpec[], get: (item: T, key: string) => unknown): (a: T, b: T) => number {
  return (a, b) => {
    for (const { key, dir } of spec) {
      const c = compareValues(get(a, key), get(b, key));
      if (c !== 0) return dir === 'asc' ? c : -c;
    }
    return 0;
  };
}

/**
 * Sorts, skips past the marker (by its sort values, so a marker filtered out of the result still
 * locates the page) and cuts at `limit`. `more` tells whether the page is full (a next link is due).
 */
export function pageOf<T>(items: T[], cmp: (a: T, b: T) => number, marker: T | undefined, limit: number): { page: T[]; full: boolean } {
  const sorted = [...items].sort(cmp);
  const start = marker === undefined ? sorted : sorted.filter((x) => cmp(x, marker) > 0);
  const page = start.slice(0, limit);
  return { page, full: page.length > 0 && page.length === limit };
}

/** A next link: the request's own query with `marker` set to the last item. */
export function nextLink(baseAndPath: string, rawQuery: string, marker: string): string {
  const params = new URLSearchParams(rawQuery);
  params.set('marker', marker);
  return `${baseAndPath}?${params.toString()}`;
}

export function rawQueryOf(url: string): string {
  const i = url.indexOf('?');
  return i < 0 ? '' : url.slice(i + 1);
}

// ---------------------------------------------------------------------------------------------
// Misc

const PASSWORD_CHARS = 'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** A random password like Nova's generated adminPass (12 characters, no ambiguous ones). */
export function randomPassword(length = 12): string {
  let s = '';
  for (let i = 0; i < length; i++) s += PASSWORD_CHARS[randomInt(PASSWORD_CHARS.length)];
  return s;
}

/** Renders a JSON value the way Python's repr() does (used in validation error messages). */
export function pyRepr(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  if (typeof v === 'object') {
    return `{${Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => `${pyRepr(k)}: ${pyRepr(x)}`)
      .join(', ')}}`;
  }
  return String(v);
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export const UUID_RE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/** Tracks the timers of asynchronous state transitions so that closing the app cancels them. */
export class TransitionTimers {
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(private readonly delayMs: number) {}

  /** Runs `fn` after the transition delay (times `factor`). */
  later(fn: () => void, factor = 1): void {
    if (this.closed) return;
    const t = setTimeout(
      () => {
        this.timers.delete(t);
        if (!this.closed) fn();
      },
      Math.max(0, Math.round(this.delayMs * factor)),
    );
    t.unref();
    this.timers.add(t);
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}

/** An IPv6 address in the short form Nova stores accessIPv6 in (netaddr's): `0:0:0:0:0:babe:220.12.22.2` → `::babe:dc0c:1602`. */
export function canonicalIpv6(address: string): string {
  try {
    return new URL(`http://[${address}]/`).hostname.slice(1, -1);
  } catch {
    return address;
  }
}
