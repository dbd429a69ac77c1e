/** How per-pod quota numbers combine into the top's answer. */

/** The tighter of two limits, -1 (unlimited) being the loosest. */
export function tighterLimit(a: number, b: number): number {
  if (a < 0) return b;
  if (b < 0) return a;
  return Math.min(a, b);
}

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * `/limits` absolute values: `max*` are limits (the tightest pod's), `total*Used` are usage (summed).
 */
export function mergeAbsoluteLimits(perPod: Record<string, unknown>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const limits of perPod) {
    for (const [key, value] of Object.entries(limits)) {
      if (!isNumber(value)) continue;
      if (!(key in out)) out[key] = value;
      else out[key] = key.startsWith('max') ? tighterLimit(out[key], value) : out[key] + value;
    }
  }
  return out;
}

/**
 * A quota set from every pod: plain numbers are limits (the tightest pod's); `{limit, in_use,
 * reserved, allocated}` objects (usage=true) take the tightest limit and the summed usage.
 */
export function mergeQuotaSets(perPod: Record<string, unknown>[], id?: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const set of perPod) {
    for (const [key, value] of Object.entries(set)) {
      if (key === 'id') continue;
      const prev = out[key];
      if (isNumber(value)) {
        out[key] = isNumber(prev) ? tighterLimit(prev, value) : value;
      } else if (value && typeof value === 'object' && !Array.isArray(value)) {
        const v = value as Record<string, unknown>;
        const p = (prev && typeof prev === 'object' ? prev : undefined) as Record<string, number> | undefined;
        const merged: Record<string, number> = { ...(p ?? {}) };
        for (const [field, n] of Object.entries(v)) {
          if (!isNumber(n)) continue;
          if (p === undefined || !(field in p)) merged[field] = n;
          else merged[field] = field === 'limit' ? tighterLimit(p[field], n) : p[field] + n;
        }
        out[key] = merged;
      } else if (!(key in out)) {
        out[key] = value;
      }
    }
  }
  const sorted = Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return id === undefined ? sorted : { ...sorted, id };
}
