import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../common/index.js';
import { retryDelay } from './backoff.js';
import type { BusHint, JobBus } from './bus/index.js';
import type { XjobMetrics } from './metrics.js';
import { PermanentJobError, type Job, type JobContext, type JobRegistry, type JobRequest } from './registry.js';
import type { XjobSettings } from './settings.js';
import { JobLostError, type ClaimedJob, type JobStore } from './store.js';

export interface JobWorkerOptions {
  store: JobStore;
  registry: JobRegistry;
  bus: JobBus;
  logger: Logger;
  settings: XjobSettings;
  /** Requests follow-up jobs for handlers (ctx.submit). */
  submit(request: JobRequest): Promise<string>;
  metrics?: XjobMetrics;
  /** Default: host:pid:random. */
  workerId?: string;
}

interface Running {
  job: ClaimedJob;
  controller: AbortController;
  done: Promise<void>;
}

const LOG_PRUNE_EVERY_MS = 60_000;
const COMPLETION_TRIES = 5;

/**
 * Runs jobs in this process: up to `concurrency` at once, woken by bus hints, by its own completions
 * and by a periodic scan (which also finds lost hints, due retries and abandoned jobs). Each running
 * job gets a heartbeat; when the heartbeat finds the claim gone, the handler's signal is aborted and
 * its result is dropped.
 */
export class JobWorker {
  readonly id: string;
  private readonly running = new Map<string, Running>();
  private hints: BusHint[] = [];
  private pumping?: Promise<void>;
  private again = false;
  private timer?: NodeJS.Timeout;
  private stopping = false;
  private started = false;
  private unsubscribe?: () => Promise<void>;
  private lastPrune = 0;
  private readonly logger: Logger;

  constructor(private readonly opts: JobWorkerOptions) {
    this.id = opts.workerId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
    this.logger = opts.logger.child({ worker: this.id });
  }

  /** Jobs running now. */
  get active(): number {
    return this.running.size;
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.unsubscribe = await this.opts.bus.subscribe((hint) => {
      this.hints.push(hint);
      this.wake();
    });
    this.logger.info({ concurrency: this.opts.settings.concurrency, types: this.opts.registry.types(), bus: this.opts.bus.kind }, 'job worker started');
    this.wake();
  }

  /** Looks for work now. */
  wake(): void {
    if (this.stopping || !this.started) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = this.pump().finally(() => {
      this.pumping = undefined;
      if (this.again) {
        this.again = false;
        this.wake();
      }
    });
  }

  private async pump(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const { settings, store, registry } = this.opts;
    const types = registry.types();
    let delay = settings.scanIntervalMs;
    try {
      while (!this.stopping && this.running.size < settings.concurrency) {
        // There is room: every hint received so far is acted on by this claim attempt.
        this.ackHints();
        this.again = false;
        const job = await store.claim(this.id, {
          types,
          expireMs: settings.expireMs,
          maxAttempts: (type) => registry.get(type)?.maxAttempts ?? settings.maxAttempts,
        });
        if (!job) break;
        this.launch(job);
      }
      if (!this.stopping && this.running.size < settings.concurrency) {
        const due = await store.nextDueIn(types, settings.expireMs);
        if (due !== undefined) delay = Math.min(delay, due + 25);
      }
      await this.pruneLog();
    } catch (err) {
      this.logger.warn({ err }, 'job scan failed; trying again at the next scan');
    } finally {
      if (!this.stopping) {
        // Not unref'd: a process that runs workers (`serve --only xjob`) lives on this timer.
        this.timer = setTimeout(() => this.wake(), Math.max(10, delay));
      }
    }
  }

  private ackHints(): void {
    const hints = this.hints;
    this.hints = [];
    for (const hint of hints) hint.ack();
  }

  private async pruneLog(): Promise<void> {
    const { logRetentionMs } = this.opts.settings;
    if (logRetentionMs <= 0 || Date.now() - this.lastPrune < LOG_PRUNE_EVERY_MS) return;
    this.lastPrune = Date.now();
    const pruned = await this.opts.store.pruneLog(logRetentionMs);
    if (pruned > 0) this.logger.info({ pruned }, 'old job log entries pruned');
  }

  private launch(job: ClaimedJob): void {
    const controller = new AbortController();
    const entry: Running = { job, controller, done: Promise.resolve() };
    this.running.set(job.id, entry);
    entry.done = this.execute(job, controller).finally(() => {
      this.running.delete(job.id);
      this.wake();
    });
  }

  private async execute(job: ClaimedJob, controller: AbortController): Promise<void> {
    const { store, registry, settings, metrics } = this.opts;
    const handler = registry.get(job.type)!;
    const log = this.logger.child({ job: job.id, type: job.type, resource: job.resourceId, attempt: job.attempt });
    let lost = false;
    const heartbeat = setInterval(() => {
      store.heartbeat(job).then(
        (held) => {
          if (held || lost) return;
          lost = true;
          log.warn('job claim lost (it expired and was taken over); abandoning this run');
          controller.abort(new JobLostError(`job ${job.id} was taken over`));
        },
        (err) => log.warn({ err }, 'job heartbeat failed'),
      );
    }, settings.heartbeatMs);
    const view: Job = {
      id: job.id,
      type: job.type,
      resourceId: job.resourceId,
      resource: registry.resourceOf(job.type, job.resourceId),
      projectId: job.projectId,
      attempt: job.attempt,
      createdAt: job.createdAt,
    };
    const ctx: JobContext = { logger: log, signal: controller.signal, submit: (request) => this.opts.submit(request) };
    const started = performance.now();
    let outcome: string;
    log.debug('job started');
    try {
      try {
        await handler.run(view, ctx);
        outcome = lost ? 'lost' : await this.complete(log, () => store.succeed(job, this.id), 'success');
      } catch (err) {
        if (lost) {
          outcome = 'lost';
        } else if (this.stopping && controller.signal.aborted) {
          outcome = await this.complete(log, () => store.release(job, this.id), 'released');
        } else {
          const maxAttempts = handler.maxAttempts ?? settings.maxAttempts;
          const final = err instanceof PermanentJobError || (job.attempt >= maxAttempts && Date.now() - job.createdAt >= settings.retryWindowMs);
          const message = errorText(err);
          const delayMs = retryDelay(job.attempt, { baseMs: settings.backoffBaseMs, capMs: settings.backoffCapMs });
          metrics?.failures.inc({ type: job.type });
          log.warn({ err, final, retryInMs: final ? undefined : delayMs }, final ? 'job failed' : 'job run failed; will retry');
          outcome = await this.complete(log, () => store.fail(job, this.id, message, { final, delayMs }), final ? 'fail' : 'retry');
          if (handler.onFailedRun && outcome !== 'lost') {
            await handler.onFailedRun(view, message, final).catch((hookErr: unknown) => log.warn({ err: hookErr }, 'could not mark the resource of a failed job run'));
          }
        }
      }
    } finally {
      clearInterval(heartbeat);
    }
    metrics?.runs.inc({ type: job.type, outcome });
    metrics?.duration.observe({ type: job.type }, (performance.now() - started) / 1000);
    log.info({ outcome, ms: Math.round(performance.now() - started) }, 'job run finished');
  }

  /** Writes a run's outcome, retrying database errors; a lost claim means another worker owns the job now. */
  private async complete(log: Logger, write: () => Promise<void>, outcome: string): Promise<string> {
    for (let attempt = 1; ; attempt++) {
      try {
        await write();
        return outcome;
      } catch (err) {
        if (err instanceof JobLostError) {
          log.warn('job claim lost before its outcome was written; another worker owns it');
          return 'lost';
        }
        if (attempt >= COMPLETION_TRIES) {
          log.error({ err }, 'cannot record the job outcome; it will expire and run again');
          return 'unrecorded';
        }
        await sleep(200 * attempt);
      }
    }
  }

  /**
   * Stops claiming, waits up to shutdown_grace for running jobs, then aborts the rest and hands back
   * those whose handlers stop (a handler that does not stop keeps its claim until it expires).
   */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    await this.unsubscribe?.().catch(() => undefined);
    this.hints = [];
    await this.pumping;
    const waitFor = async (entries: Running[], ms: number) => {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.allSettled(entries.map((e) => e.done)), new Promise((r) => (timer = setTimeout(r, ms)))]);
      clearTimeout(timer);
    };
    if (this.running.size > 0) {
      this.logger.info({ running: this.running.size }, 'job worker stopping; waiting for running jobs');
      await waitFor([...this.running.values()], this.opts.settings.shutdownGraceMs);
    }
    if (this.running.size > 0) {
      const rest = [...this.running.values()];
      for (const entry of rest) entry.controller.abort(new Error('worker stopping'));
      await waitFor(rest, 5000);
      if (this.running.size > 0) this.logger.warn({ jobs: [...this.running.keys()] }, 'jobs did not stop; they will expire and run elsewhere');
    }
    this.logger.info('job worker stopped');
  }
}

function errorText(err: unknown): string {
  if (err instanceof Error) return `${err.name === 'Error' ? '' : `${err.name}: `}${err.message}`;
  return String(err);
}
