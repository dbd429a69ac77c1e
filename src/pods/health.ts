import { Gauge, type Registry } from 'prom-client';
import type { Logger } from '../common/index.js';

export type PodHealthState = 'up' | 'down' | 'unknown';

/** What pod clients report after each call. */
export interface PodHealthReporter {
  recordSuccess(pod: { id: string; regionName: string }): void;
  recordFailure(pod: { id: string; regionName: string }, reason?: string): void;
}

export interface PodHealthOptions {
  /** Where transitions are persisted (PodRegistry fits). */
  store: { setHealth(podId: string, health: PodHealthState): Promise<void> };
  /** Consecutive failed calls after which a pod is down. Default 3. */
  failureThreshold?: number;
  /** Registry for the `tricircle_pod_up` gauge. */
  registry?: Registry;
  logger?: Logger;
}

interface Tracked {
  state: PodHealthState;
  failures: number;
  region: string;
}

/**
 * Pod health as this process observes it from its own calls: a success marks the pod up, N
 * consecutive failures mark it down. Only transitions are written to `pods.health`, so other
 * processes (and the admin API) see them; the memory here is a cache of that.
 */
export class PodHealth implements PodHealthReporter {
  private readonly pods = new Map<string, Tracked>();
  private readonly threshold: number;
  private readonly gauge: Gauge<'pod'> | undefined;
  /** Per-pod chain of writes, so transitions reach the database in order. */
  private readonly writes = new Map<string, Promise<void>>();

  constructor(private readonly options: PodHealthOptions) {
    this.threshold = Math.max(1, options.failureThreshold ?? 3);
    const registry = options.registry;
    if (registry) {
      this.gauge =
        (registry.getSingleMetric('tricircle_pod_up') as Gauge<'pod'> | undefined) ??
        new Gauge({ name: 'tricircle_pod_up', help: 'Whether a pod answers calls (1 up, 0 down), as this process last observed', labelNames: ['pod'], registers: [registry] });
    }
  }

  recordSuccess(pod: { id: string; regionName: string }): void {
    const t = this.track(pod);
    t.failures = 0;
    if (t.state !== 'up') this.transition(pod.id, t, 'up');
  }

  recordFailure(pod: { id: string; regionName: string }, reason?: string): void {
    const t = this.track(pod);
    t.failures++;
    if (t.state !== 'down' && t.failures >= this.threshold) this.transition(pod.id, t, 'down', reason);
  }

  /** What this process has observed; 'unknown' before the first call settles it. */
  state(podId: string): PodHealthState {
    return this.pods.get(podId)?.state ?? 'unknown';
  }

  /**
   * Whether new resources may go to the pod. Without an observation of its own, this process
   * trusts the persisted state (pass the pod row to use it).
   */
  isHealthy(pod: string | { id: string; health?: string }): boolean {
    const id = typeof pod === 'string' ? pod : pod.id;
    const observed = this.state(id);
    if (observed !== 'unknown') return observed === 'up';
    return typeof pod === 'string' || pod.health !== 'down';
  }

  /** Resolves when every persisted transition so far is written. */
  async settled(): Promise<void> {
    await Promise.all([...this.writes.values()]);
  }

  private track(pod: { id: string; regionName: string }): Tracked {
    let t = this.pods.get(pod.id);
    if (!t) {
      t = { state: 'unknown', failures: 0, region: pod.regionName };
      this.pods.set(pod.id, t);
    }
    return t;
  }

  private transition(podId: string, t: Tracked, next: 'up' | 'down', reason?: string): void {
    const previous = t.state;
    t.state = next;
    this.gauge?.set({ pod: t.region }, next === 'up' ? 1 : 0);
    const log = { pod: t.region, podId, previous, health: next, ...(reason ? { reason } : {}) };
    if (next === 'down') this.options.logger?.warn(log, 'pod is down');
    else if (previous === 'down') this.options.logger?.info(log, 'pod is up again');
    const write = (this.writes.get(podId) ?? Promise.resolve())
      .then(() => this.options.store.setHealth(podId, next))
      .catch((err: unknown) => this.options.logger?.error({ err, podId }, 'could not persist pod health'));
    this.writes.set(podId, write);
    void write.finally(() => {
      if (this.writes.get(podId) === write) this.writes.delete(podId);
    });
  }
}
