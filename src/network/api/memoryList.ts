/** Filters and field selection for the small lists served from memory (availability zones). */
import { badRequest } from '../errors.js';
import { pyRepr } from '../input.js';
import { projectFields } from '../query.js';

export function applyListInMemory<T extends Record<string, unknown>>(items: T[], query: URLSearchParams, filterable: string[]): Record<string, unknown>[] {
  const filters = new Map<string, string[]>();
  const invalid: string[] = [];
  for (const [k, v] of query) {
    if (['fields', 'sort_key', 'sort_dir', 'limit', 'marker', 'page_reverse'].includes(k)) continue;
    if (!filterable.includes(k)) {
      if (!invalid.includes(k)) invalid.push(k);
      continue;
    }
    filters.set(k, [...(filters.get(k) ?? []), v]);
  }
  if (invalid.length) throw badRequest(`${pyRepr(invalid)} is invalid attribute for filtering`);
  const fields = query
    .getAll('fields')
    .flatMap((f) => f.split(','))
    .filter((f) => f !== '');
  return items.filter((i) => [...filters].every(([k, vs]) => vs.includes(String(i[k])))).map((i) => projectFields(i, fields));
}
