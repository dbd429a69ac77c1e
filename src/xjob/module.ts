import type { BackgroundServiceModule } from '../services.js';
import { xjobMetrics } from './metrics.js';
import { JobWorker } from './worker.js';
import './handlers.js';
import { startReconcileTimer } from '../network/reconcile/timer.js';

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
    // The periodic reconciler request ([xjob] reconcile_interval); the job itself runs like any other.
    const reconcile = startReconcileTimer(core);
    return {
      close: async () => {
        await reconcile.close();
        await worker.stop();
      },
    };
  },
};
