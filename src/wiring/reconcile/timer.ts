/**
 * The periodic trigger of the reconciler: every `[xjob] reconcile_interval` seconds (0: never) each
 * xjob process requests `reconcile` for all projects. Requests from several processes coalesce into
 * one waiting job (XJob's protocol), so the work is done once per interval however many run.
 */
import type { CoreServices } from '../../services.js';
import { ALL_PROJECTS, RECONCILE_JOB } from './job.js';

export interface ReconcileTimer {
  close(): Promise<void>;
}

/** Starts the timer; the first request comes after a random part of one interval, so restarted fleets spread out. */
export function startReconcileTimer(core: Pick<CoreServices, 'config' | 'jobs' | 'logger'>, opts: { random?: () => number } = {}): ReconcileTimer {
  const seconds = core.config.xjob.reconcile_interval;
  if (!(seconds > 0)) return { close: async () => undefined };
  const interval = seconds * 1000;
  const random = opts.random ?? Math.random;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const tick = async () => {
    if (closed) return;
    try {
      await core.jobs.submit({ type: RECONCILE_JOB, projectId: ALL_PROJECTS, resource: { project_id: ALL_PROJECTS } });
    } catch (err) {
      core.logger.warn({ err }, 'could not request the periodic reconcile; trying again next interval');
    }
    schedule(interval);
  };
  const schedule = (ms: number) => {
    if (closed) return;
    timer = setTimeout(() => void tick(), ms);
    timer.unref();
  };
  schedule(Math.round(interval * (0.5 + random() / 2)));
  return {
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
    },
  };
}
