import { badRequest } from './errors.js';

export type Json = Record<string, unknown>;

/** Non-negative integer query parameter such as `limit`. */
export function optionalQueryInt(query: Json, key: string, max?: number): number | undefined {
  const v = query[key];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (typeof v !== 'string' || !/^\d+$/.test(v) || !Number.isSafeInteger(n)) throw badRequest(`Invalid ${key}: '${String(v)}' is not a non-negative integer.`);
  return max !== undefined ? Math.min(n, max) : n;
}
