import type { QueryParams } from './routes.js';

/** The last value of a query parameter (a parameter given twice counts once, as upstream). */
export function qLast(query: QueryParams, key: string): string | undefined {
  const v = query[key];
  return Array.isArray(v) ? v[v.length - 1] : v;
}

/** Every value of a repeated query parameter. */
export function qAll(query: QueryParams, key: string): string[] {
  const v = query[key];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}
