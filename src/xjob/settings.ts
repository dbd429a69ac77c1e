import type { Config } from '../config/index.js';

/** The [xjob] options in the units the engine uses (milliseconds). */
export interface XjobSettings {
  transportUrl: string;
  queue: string;
  concurrency: number;
  heartbeatMs: number;
  expireMs: number;
  maxAttempts: number;
  backoffBaseMs: number;
  backoffCapMs: number;
  scanIntervalMs: number;
  shutdownGraceMs: number;
  logRetentionMs: number;
  /** How long after its creation a failing job keeps being retried before it is marked FAIL. */
  retryWindowMs: number;
  /** How often the pod healer looks for pods that came back (0: never). */
  healIntervalMs: number;
}

const ms = (seconds: number) => Math.round(seconds * 1000);

export function xjobSettings(config: Config): XjobSettings {
  const x = config.xjob;
  if (x.heartbeat_interval >= x.job_run_expire) {
    throw new Error(`[xjob] heartbeat_interval (${x.heartbeat_interval}) must be shorter than [xjob] job_run_expire (${x.job_run_expire}), or running jobs would expire`);
  }
  return {
    transportUrl: x.transport_url,
    queue: x.amqp_queue,
    concurrency: x.workers,
    heartbeatMs: ms(x.heartbeat_interval),
    expireMs: ms(x.job_run_expire),
    maxAttempts: x.max_attempts,
    backoffBaseMs: ms(x.retry_backoff_base),
    backoffCapMs: ms(x.retry_backoff_cap),
    scanIntervalMs: ms(x.scan_interval),
    shutdownGraceMs: ms(x.shutdown_grace),
    logRetentionMs: ms(x.log_retention),
    retryWindowMs: ms(x.retry_window),
    healIntervalMs: ms(x.heal_interval),
  };
}
