/** A pod call that ran past its time. */
export class PodTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`timed out after ${timeoutMs} ms`);
    this.name = 'PodTimeoutError';
  }
}

/**
 * Runs `call` with a signal that aborts after `timeoutMs` (or when `parent` aborts), and settles by
 * then even if the call ignores its signal.
 */
export async function withTimeout<T>(call: (signal: AbortSignal) => Promise<T>, timeoutMs: number, parent?: AbortSignal): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let onParentAbort: (() => void) | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = new PodTimeoutError(timeoutMs);
      controller.abort(err);
      reject(err);
    }, timeoutMs);
    if (parent) {
      onParentAbort = () => {
        const reason = parent.reason instanceof Error ? parent.reason : new Error('request aborted');
        controller.abort(reason);
        reject(reason);
      };
      if (parent.aborted) onParentAbort();
      else parent.addEventListener('abort', onParentAbort, { once: true });
    }
  });
  try {
    return await Promise.race([call(controller.signal), deadline]);
  } finally {
    clearTimeout(timer);
    if (parent && onParentAbort) parent.removeEventListener('abort', onParentAbort);
  }
}

/** A short, single-line reason for a pod that did not answer. */
export function failureReason(err: unknown): string {
  if (err instanceof PodTimeoutError) return err.message;
  const e = err as { message?: unknown; status?: unknown; statusCode?: unknown };
  const status = typeof e?.status === 'number' ? e.status : typeof e?.statusCode === 'number' ? e.statusCode : undefined;
  const message = typeof e?.message === 'string' && e.message ? e.message : String(err);
  const line = message.replace(/\s+/g, ' ').trim().slice(0, 200);
  return status === undefined ? line : `${status}: ${line}`;
}
