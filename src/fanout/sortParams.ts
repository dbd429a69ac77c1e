import { badRequest } from '../common/index.js';
import type { SortDirection, SortKey } from './types.js';

export interface SortDefaults {
  keys: readonly string[];
  dir: SortDirection;
}

/** Nova's instance list defaults: `created_at`, `id`, descending. */
export const NOVA_SORT_DEFAULTS: SortDefaults = { keys: ['created_at', 'id'], dir: 'desc' };

/**
 * Pairs repeated `sort_key` / `sort_dir` query values the way Nova does: keys without a direction
 * take the first given direction (or the default), more directions than keys is an error, and the
 * default keys missing from the request are appended in that same direction. The caller checks
 * which key names it allows.
 */
export function resolveSortKeys(keys: readonly string[], dirs: readonly string[], defaults: SortDefaults = NOVA_SORT_DEFAULTS): SortKey[] {
  for (const d of dirs) {
    if (d !== 'asc' && d !== 'desc') throw badRequest(`Unknown sort direction ${d}, must be 'desc' or 'asc'`);
  }
  if (dirs.length > keys.length) throw badRequest('Sort direction size exceeds sort key size');
  const fallback = (dirs[0] as SortDirection | undefined) ?? defaults.dir;
  const out: SortKey[] = keys.map((key, i) => ({ key, dir: (dirs[i] as SortDirection | undefined) ?? fallback }));
  for (const key of defaults.keys) {
    if (!out.some((k) => k.key === key)) out.push({ key, dir: fallback });
  }
  return out;
}
