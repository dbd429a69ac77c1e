import type { RecordAccess, RecordOrder, SortKey } from './types.js';

/**
 * Sort values are normalised once into a rank and a primitive, so mixed and missing values still
 * give one consistent total order:
 *   null (and NaN) < numbers and booleans < ISO-8601 timestamps < other strings,
 * the whole scale reversed for `desc`; a key the record does not have at all (`undefined`) sorts
 * after everything in both directions.
 */
const Rank = { Null: 0, Number: 1, Time: 2, String: 3, Missing: 4 } as const;
type Rank = (typeof Rank)[keyof typeof Rank];

export interface SortValue {
  readonly rank: Rank;
  readonly value: number | string;
}

export type StringCompare = (a: string, b: string) => number;

/** Code-unit order, as a binary collation sorts. */
export const binaryStringCompare: StringCompare = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

const NULL: SortValue = { rank: Rank.Null, value: 0 };
const MISSING: SortValue = { rank: Rank.Missing, value: 0 };

/** Reads `n` ASCII digits at `i` as a number, or -1. */
function digits(text: string, i: number, n: number): number {
  let v = 0;
  for (let j = i; j < i + n; j++) {
    const c = text.charCodeAt(j) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/** Days from 1970-01-01 to a proleptic Gregorian date (month 1..12). */
function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/**
 * Microseconds since the epoch of an ISO-8601 timestamp `YYYY-MM-DD[T ]hh:mm[:ss[.fraction]][Z|±hh[:mm]]`
 * (no zone means UTC, as OpenStack prints them), or undefined for any other string. Hand-rolled:
 * it runs for every string sort value of every record.
 */
export function parseTimestamp(text: string): number | undefined {
  const len = text.length;
  if (len < 16 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || text.charCodeAt(13) !== 58) return undefined;
  const sep = text.charCodeAt(10);
  if (sep !== 84 && sep !== 116 && sep !== 32) return undefined;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  const hour = digits(text, 11, 2);
  const minute = digits(text, 14, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 24 || minute < 0 || minute > 59) return undefined;
  let i = 16;
  let second = 0;
  let micros = 0;
  if (i < len && text.charCodeAt(i) === 58) {
    second = digits(text, i + 1, 2);
    if (second < 0 || second > 60) return undefined;
    i += 3;
    if (i < len && text.charCodeAt(i) === 46) {
      i++;
      const from = i;
      while (i < len && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++;
      const n = i - from;
      if (n === 0 || n > 9) return undefined;
      micros = digits(text, from, Math.min(n, 6)) * 10 ** Math.max(0, 6 - n);
    }
  }
  let offsetMinutes = 0;
  if (i < len) {
    const z = text.charCodeAt(i);
    if ((z === 90 || z === 122) && i + 1 === len) {
      i++;
    } else if (z === 43 || z === 45) {
      const oh = digits(text, i + 1, 2);
      if (oh < 0) return undefined;
      let om = 0;
      let j = i + 3;
      if (j < len && text.charCodeAt(j) === 58) j++;
      if (j < len) {
        om = digits(text, j, 2);
        if (om < 0 || j + 2 !== len) return undefined;
      } else if (j !== len) return undefined;
      offsetMinutes = (z === 45 ? -1 : 1) * (oh * 60 + om);
      i = len;
    } else {
      return undefined;
    }
  }
  const seconds = daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offsetMinutes * 60;
  return seconds * 1_000_000 + micros;
}

/** Normalises one sort value (see the rank scale above). */
export function toSortValue(value: unknown): SortValue {
  switch (typeof value) {
    case 'undefined':
      return MISSING;
    case 'number':
      return Number.isNaN(value) ? NULL : { rank: Rank.Number, value };
    case 'bigint':
      return { rank: Rank.Number, value: Number(value) };
    case 'boolean':
      return { rank: Rank.Number, value: value ? 1 : 0 };
    case 'string': {
      const micros = parseTimestamp(value);
      return micros === undefined ? { rank: Rank.String, value } : { rank: Rank.Time, value: micros };
    }
    default:
      if (value === null) return NULL;
      if (value instanceof Date) return Number.isNaN(value.getTime()) ? NULL : { rank: Rank.Time, value: value.getTime() * 1000 };
      return { rank: Rank.String, value: String(value) };
  }
}

/** Compares two normalised values in ascending order, `Missing` included (callers handle its direction). */
function compareAsc(a: SortValue, b: SortValue, strings: StringCompare): number {
  if (a.rank !== b.rank) return a.rank - b.rank;
  if (a.rank === Rank.String) return strings(a.value as string, b.value as string);
  const x = a.value as number;
  const y = b.value as number;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Compares one key of two normalised tuples under its direction. */
function compareKey(a: SortValue, b: SortValue, dir: SortKey['dir'], strings: StringCompare): number {
  if (a.rank === Rank.Missing || b.rank === Rank.Missing) {
    // Missing sorts last whatever the direction.
    return a.rank === b.rank ? 0 : a.rank === Rank.Missing ? 1 : -1;
  }
  const c = compareAsc(a, b, strings);
  return dir === 'desc' ? -c : c;
}

export type SortTuple = readonly SortValue[];

/** A record order plus the tuple operations the engine uses internally. */
export interface TupleOrder<R> extends RecordOrder<R> {
  tuple(record: R): SortTuple;
  tupleOf(values: readonly unknown[]): SortTuple;
  /** Compares two tuples; with `groupOnly`, only the keys that define tie groups. */
  compareTuples(a: SortTuple, b: SortTuple, groupOnly?: boolean): number;
  values(record: R): unknown[];
}

export interface OrderOptions {
  /** The sort key that holds the record id (read through `access.id`). Default `id`. */
  idKey?: string;
  /** String collation; default binary (code-unit) order. Must match how the pods sort. */
  compareStrings?: StringCompare;
}

/**
 * Adds the id tie-break when the keys lack it (in the first key's direction, as Nova adds its
 * default keys), so that the order is total.
 */
export function withIdTieBreak(sortKeys: readonly SortKey[], idKey = 'id'): SortKey[] {
  const keys = sortKeys.map((k) => ({ key: k.key, dir: k.dir }));
  if (!keys.some((k) => k.key === idKey)) keys.push({ key: idKey, dir: keys[0]?.dir ?? 'desc' });
  return keys;
}

/** Builds the order of a request over records read through `access`. The keys must include the id key. */
export function createRecordOrder<R>(sortKeys: readonly SortKey[], access: RecordAccess<R>, options: OrderOptions = {}): TupleOrder<R> {
  const idKey = options.idKey ?? 'id';
  const strings = options.compareStrings ?? binaryStringCompare;
  const keys = sortKeys.map((k) => ({ key: k.key, dir: k.dir }));
  const idIndex = keys.findIndex((k) => k.key === idKey);
  if (idIndex < 0) throw new Error(`sort keys must include the id key ${idKey}`);

  const values = (record: R): unknown[] => keys.map((k, i) => (i === idIndex ? access.id(record) : access.getSortValue(record, k.key)));
  const tupleOf = (vals: readonly unknown[]): SortTuple => keys.map((_, i) => toSortValue(vals[i]));
  const tuple = (record: R): SortTuple => tupleOf(values(record));
  // Tie groups: records equal on the keys before the id, which a pod may order by hidden detail
  // (e.g. sub-second timestamps). Keys after the id never decide; with the id first, groups are single records.
  const groupEnd = idIndex === 0 ? keys.length : idIndex;
  const compareTuples = (a: SortTuple, b: SortTuple, groupOnly = false): number => {
    const end = groupOnly ? groupEnd : keys.length;
    for (let i = 0; i < end; i++) {
      const c = compareKey(a[i], b[i], keys[i].dir, strings);
      if (c !== 0) return c;
    }
    return 0;
  };
  return {
    sortKeys: keys,
    id: (record) => access.id(record),
    compare: (a, b) => compareTuples(tuple(a), tuple(b)),
    compareGroup: (a, b) => compareTuples(tuple(a), tuple(b), true),
    tuple,
    tupleOf,
    compareTuples,
    values,
  };
}
