/** pass: works; warn: works, but something needs attention; fail: Tricircle will fail there; skip: not checked (and why). */
export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

export interface CheckResult {
  /** Stable name, e.g. `compute API`, `physnet bridge`. */
  check: string;
  result: CheckStatus;
  detail: string;
}

export interface PodCheckReport {
  pod: string;
  podId: string;
  /** False when any check failed. */
  ok: boolean;
  checks: CheckResult[];
}

export const pass = (check: string, detail: string): CheckResult => ({ check, result: 'pass', detail });
export const warn = (check: string, detail: string): CheckResult => ({ check, result: 'warn', detail });
export const fail = (check: string, detail: string): CheckResult => ({ check, result: 'fail', detail });
export const skip = (check: string, detail: string): CheckResult => ({ check, result: 'skip', detail });

export function reportOf(pod: { id: string; regionName: string }, checks: CheckResult[]): PodCheckReport {
  return { pod: pod.regionName, podId: pod.id, ok: checks.every((c) => c.result !== 'fail'), checks };
}

/** An error's message, one line. */
export function messageOf(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.replace(/\s+/g, ' ').trim();
}
