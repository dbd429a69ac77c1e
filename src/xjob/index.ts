/**
 * XJob: the asynchronous job engine (docs/xjob.md). Handlers register a type with registerJobHandler;
 * the rest of Tricircle requests jobs through core.jobs (JobService).
 */
export { registerJobHandler, jobRegistry, JobRegistry, PermanentJobError, type Job, type JobContext, type JobHandler, type JobRequest } from './registry.js';
export { JobService, createJobService } from './service.js';
export { enqueueJob, JobStore, JobLostError, JobNotFoundError, JobStateError, JOB_STATUSES, type JobStatus, type JobRecord, type ClaimedJob, type JobFilter, type LogEntry } from './store.js';
export { JobWorker, type JobWorkerOptions } from './worker.js';
export { createJobBus, MemoryBus, AmqpBus, amqpUrls, type JobBus, type BusHint } from './bus/index.js';
export { xjobSettings, type XjobSettings } from './settings.js';
export { retryDelay } from './backoff.js';
export { composeResourceId, parseResourceId } from './keys.js';
export { inTransaction } from './tx.js';
export { xjobServiceModule } from './module.js';
