import type { Kysely, Transaction } from 'kysely';
import type { Logger } from '../common/index.js';
import type { Config } from '../config/index.js';
import type { Database, Db } from '../db/index.js';
import { createJobBus, type JobBus } from './bus/index.js';
import { registerQueueGauges } from './metrics.js';
import type { JobRegistry, JobRequest } from './registry.js';
import { xjobSettings, type XjobSettings } from './settings.js';
import { enqueueJob, JobStore } from './store.js';
import { inTransaction } from './tx.js';
import type { Registry } from 'prom-client';

/**
 * How the rest of Tricircle requests jobs (`core.jobs`): write the request in the transaction of the
 * change that needs it, then signal once that transaction has committed.
 *
 *   const jobId = await inTransaction(db, async (trx) => {
 *     ... change top state ...
 *     return core.jobs.enqueue(trx, { type: 'router_setup', projectId, resource: { pod_id, router_id, net_id } });
 *   });
 *   core.jobs.signal([jobId]);
 */
export class JobService {
  constructor(
    readonly db: Db,
    readonly store: JobStore,
    readonly registry: JobRegistry,
    readonly bus: JobBus,
    readonly settings: XjobSettings,
    private readonly logger: Logger,
  ) {}

  /** Writes (or coalesces) a job request inside `trx`; returns the id of the job that will do the work. */
  async enqueue(trx: Transaction<Database> | Kysely<Database>, request: JobRequest): Promise<string> {
    const resourceId = this.registry.resourceIdOf(request);
    const { id } = await enqueueJob(trx, { type: request.type, resourceId, projectId: request.projectId }, this.db.dialect);
    return id;
  }

  /** Wakes the workers (call after the enqueuing transaction committed). Never throws, never waits. */
  signal(jobIds: string[] = []): void {
    this.bus.publish(jobIds).catch((err) => this.logger.warn({ err }, 'job signal failed; the periodic scan will find the job'));
  }

  /** enqueue in a transaction of its own, then signal. */
  async submit(request: JobRequest): Promise<string> {
    const id = await inTransaction(this.db, (trx) => this.enqueue(trx, request), { retryUnique: true });
    this.signal([id]);
    return id;
  }

  /**
   * Runs at once every job that waits for a retry, and every FAIL job still inside the retry window
   * (a pod came back: the top does not know which pod a job needs, and handlers are idempotent).
   * Returns how many jobs were woken.
   */
  async wakeWaiting(): Promise<number> {
    const ids = await this.store.wakeRetries(this.settings.retryWindowMs);
    this.signal(ids);
    return ids.length;
  }

  async close(): Promise<void> {
    await this.bus.close();
  }
}

/**
 * Builds the job service of a process from [xjob]; a RabbitMQ bus starts connecting in the background.
 * `registry` is the process's job types (the composition root fills it).
 */
export async function createJobService(opts: { config: Config; db: Db; logger: Logger; registry: JobRegistry; metricsRegistry?: Registry }): Promise<JobService> {
  const settings = xjobSettings(opts.config);
  const logger = opts.logger.child({ component: 'xjob' });
  const bus = await createJobBus({ transportUrl: settings.transportUrl, queue: settings.queue, prefetch: settings.concurrency, logger });
  const store = new JobStore(opts.db);
  if (opts.metricsRegistry) registerQueueGauges(opts.metricsRegistry, store);
  return new JobService(opts.db, store, opts.registry, bus, settings, logger);
}
