import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { JobStore } from './store.js';

/** Counters and timings of job runs, one set per registry. */
export interface XjobMetrics {
  /** Runs by type and outcome: success, retry, fail, released, lost. */
  runs: Counter<'type' | 'outcome'>;
  /** Failed runs (retried or final) by type. */
  failures: Counter<'type'>;
  duration: Histogram<'type'>;
}

const runMetrics = new WeakMap<Registry, XjobMetrics>();
const queueGauges = new WeakSet<Registry>();

export function xjobMetrics(registry: Registry): XjobMetrics {
  let m = runMetrics.get(registry);
  if (!m) {
    m = {
      runs: new Counter({
        name: 'tricircle_xjob_runs_total',
        help: 'Job runs finished by this process, by type and outcome',
        labelNames: ['type', 'outcome'],
        registers: [registry],
      }),
      failures: new Counter({ name: 'tricircle_xjob_failures_total', help: 'Job runs that failed (retried or marked FAIL), by type', labelNames: ['type'], registers: [registry] }),
      duration: new Histogram({
        name: 'tricircle_xjob_run_duration_seconds',
        help: 'Job run time, by type',
        labelNames: ['type'],
        buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
        registers: [registry],
      }),
    };
    runMetrics.set(registry, m);
  }
  return m;
}

/** Queue depth and the age of the oldest job per status, read from the job table when scraped. */
export function registerQueueGauges(registry: Registry, store: JobStore): void {
  if (queueGauges.has(registry)) return;
  queueGauges.add(registry);
  const STATUSES = ['NEW', 'RUNNING', 'FAIL'];
  let latest: Promise<{ status: string; count: number; oldestAgeMs: number }[]> | undefined;
  // Both gauges are collected in one scrape: read the table once for them.
  const read = () => {
    latest ??= store
      .stats()
      .catch(() => [])
      .finally(() => setTimeout(() => (latest = undefined), 100).unref());
    return latest;
  };
  new Gauge({
    name: 'tricircle_xjob_jobs',
    help: 'Jobs in the job table, by status (queue depth)',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      const stats = await read();
      for (const status of STATUSES) this.set({ status }, stats.find((s) => s.status === status)?.count ?? 0);
    },
  });
  new Gauge({
    name: 'tricircle_xjob_oldest_job_age_seconds',
    help: 'Age of the oldest job in the job table, by status',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      const stats = await read();
      for (const status of STATUSES) this.set({ status }, (stats.find((s) => s.status === status)?.oldestAgeMs ?? 0) / 1000);
    },
  });
}
