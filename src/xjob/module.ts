import type { BackgroundServiceModule } from '../services.js';
import { xjobMetrics } from './metrics.js';
import { JobWorker } from './worker.js';
import './handlers.js';

/** The job workers as a service of `tricircle serve` (`--only xjob` runs them alone). */
export const xjobServiceModule: BackgroundServiceModule = {
  name: 'xjob',
  async start(core) {
    const jobs = core.jobs;
    const worker = new JobWorker({
      store: jobs.store,
      registry: jobs.registry,
      bus: jobs.bus,
      logger: core.logger,
      settings: jobs.settings,
      core,
      submit: (request) => jobs.submit(request),
      metrics: xjobMetrics(core.metrics.registry),
    });
    await worker.start();
    return { close: () => worker.stop() };
  },
};
