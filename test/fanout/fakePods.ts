// Fake pods for the fan-out tests: records with second-precision timestamps (many ties), a pod-side
// sort that refines created_at ties by a hidden sub-second value (as a pod on PostgreSQL would),
// and native limit/marker paging capped at the pod's own maximum.
import type { RecordAccess, SortKey } from '../../src/fanout/index.js';

export interface Rec {
  id: string;
  name: string | null;
  created_at: string;
  /** Sub-second part the pod sorts by but never shows. */
  hidden: number;
  pod: string;
}

export const access: RecordAccess<Rec> = {
  id: (r) => r.id,
  getSortValue: (r, key) => (r as unknown as Record<string, unknown>)[key],
};

/** Deterministic pseudo-random numbers (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NAMES = ['alpha', 'beta', 'Gamma', 'delta', null, 'vm-1', 'vm-10', 'vm-2'];

/** `count` records for a pod: about `distinctSeconds` distinct timestamps and a handful of names. */
export function makeRecords(pod: string, count: number, seed: number, distinctSeconds = 40): Rec[] {
  const rand = rng(seed);
  const base = Date.UTC(2024, 0, 1, 12, 0, 0);
  const out: Rec[] = [];
  for (let i = 0; i < count; i++) {
    const second = Math.floor(rand() * distinctSeconds);
    const hex = Array.from({ length: 32 }, () => Math.floor(rand() * 16).toString(16)).join('');
    const id = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    out.push({
      id,
      name: NAMES[Math.floor(rand() * NAMES.length)],
      created_at: new Date(base + second * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      hidden: Math.floor(rand() * 1_000_000),
      pod,
    });
  }
  return out;
}

function podValue(r: Rec, key: string): number | string | null {
  if (key === 'created_at') return Date.parse(r.created_at) * 1e6 + r.hidden;
  return (r as unknown as Record<string, string | null>)[key];
}

/** How the pod itself sorts: nulls first ascending, binary strings, created_at at hidden precision. */
export function podCompare(keys: readonly SortKey[]): (a: Rec, b: Rec) => number {
  return (a, b) => {
    for (const { key, dir } of keys) {
      const x = podValue(a, key);
      const y = podValue(b, key);
      let c = 0;
      if (x === null || y === null) c = x === y ? 0 : x === null ? -1 : 1;
      else c = x < y ? -1 : x > y ? 1 : 0;
      if (c !== 0) return dir === 'asc' ? c : -c;
    }
    return 0;
  };
}

export class MarkerNotFound extends Error {
  readonly status = 400;
}

/** One native page: sorted by the pod's rule, after the marker record, at most min(limit, maxLimit). */
export function nativePage(records: readonly Rec[], keys: readonly SortKey[], limit: number, marker: string | undefined, maxLimit: number): { records: Rec[]; more: boolean } {
  const sorted = [...records].sort(podCompare(keys));
  let start = 0;
  if (marker !== undefined) {
    const i = sorted.findIndex((r) => r.id === marker);
    if (i < 0) throw new MarkerNotFound(`marker [${marker}] not found`);
    start = i + 1;
  }
  const size = Math.min(limit, maxLimit);
  const page = sorted.slice(start, start + size);
  return { records: page, more: page.length === size && start + size < sorted.length };
}
