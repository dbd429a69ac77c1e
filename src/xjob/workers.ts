import type { Logger } from '../common/index.js';
import type { Registry } from 'prom-client';
import { xjobMetrics } from './metrics.js';
import type { JobService } from './service.js';
import { JobWorker } from './worker.js';

/** Something that runs beside the workers for as long as they run (a periodic job request). */
export type PeriodicTask = () => { close(): Promise<void> };

export interface JobWorkersOptions {
  jobs: JobService;
  logger: Logger;
  metricsRegistry: Registry;
  /** Started with the workers, stopped before them (modules hand these to the composition root). */
  periodic?: PeriodicTask[];
}

/**
 * Runs this process's job workers (the `xjob` service of `tricircle serve`; `--only xjob` runs them
 * alone) over the process's job service and registry.
 */
export async function startJobWorkers(opts: JobWorkersOptions): Promise<{ close(): Promise<void> }> {
  const { jobs } = opts;
  const worker = new JobWorker({
    store: jobs.store,
    registry: jobs.registry,
    bus: jobs.bus,
    logger: opts.logger,
    settings: jobs.settings,
    submit: (request) => jobs.submit(request),
    metrics: xjobMetrics(opts.metricsRegistry),
  });
  await worker.start();
  const tasks = (opts.periodic ?? []).map((start) => start());
  return {
    close: async () => {
      for (const task of tasks) await task.close();
      await worker.stop();
    },
  };
}
