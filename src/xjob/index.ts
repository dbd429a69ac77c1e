/**
 * XJob: the asynchronous job engine (docs/xjob.md). It knows no job type itself: each module exports
 * its handlers (`JobHandlers`) and the composition root (src/server.ts) registers them in the
 * process's JobRegistry; the rest of Tricircle requests jobs through core.jobs (JobService).
 */
export { JobRegistry, PermanentJobError, type Job, type JobContext, type JobHandler, type JobHandlers, type JobRequest } from './registry.js';
export { JobService, createJobService } from './service.js';
export {
  enqueueJob,
  JobStore,
  JobLostError,
  JobNotFoundError,
  JobStateError,
  JOB_STATUSES,
  type JobStatus,
  type JobRecord,
  type ClaimedJob,
  type JobFilter,
  type LogEntry,
} from './store.js';
export { JobWorker, type JobWorkerOptions } from './worker.js';
export { createJobBus, MemoryBus, AmqpBus, amqpUrls, type JobBus, type BusHint } from './bus/index.js';
export { xjobSettings, type XjobSettings } from './settings.js';
export { retryDelay } from './backoff.js';
export { composeResourceId, parseResourceId } from './keys.js';
export { inTransaction } from './tx.js';
export { startJobWorkers, type JobWorkersOptions, type PeriodicTask } from './workers.js';
