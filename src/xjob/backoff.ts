/**
 * Delay before the retry that follows run number `attempt` (1 for the first run):
 * min(cap, base * 2^(attempt-1)), then up to `jitter` of it taken off at random so that jobs that
 * failed together do not retry together. Milliseconds in, milliseconds out.
 */
export function retryDelay(attempt: number, opts: { baseMs: number; capMs: number; jitter?: number; random?: () => number }): number {
  const exponent = Math.max(0, attempt - 1);
  const raw = Math.min(opts.capMs, opts.baseMs * 2 ** Math.min(exponent, 52));
  const jitter = Math.min(1, Math.max(0, opts.jitter ?? 0.2));
  const random = opts.random ?? Math.random;
  return Math.max(0, Math.round(raw * (1 - jitter * random())));
}
