import { Counter, Histogram, type Registry } from 'prom-client';

type Labels = 'pod' | 'service' | 'method';

/** Pod call counters and latency, registered once per registry. */
export class BottomMetrics {
  readonly calls: Counter<Labels | 'status'>;
  readonly latency: Histogram<Labels>;
  /** Label children bound by recordPodCall, keyed by pod, service and method. */
  readonly bound = new Map<string, Bound>();

  constructor(registry: Registry) {
    this.calls =
      existing<Counter<Labels | 'status'>>(registry, 'tricircle_pod_requests_total') ??
      new Counter({
        name: 'tricircle_pod_requests_total',
        help: 'Calls to pod services, by pod, service type, method and status (HTTP code, timeout or unreachable)',
        labelNames: ['pod', 'service', 'method', 'status'],
        registers: [registry],
      });
    this.latency =
      existing<Histogram<Labels>>(registry, 'tricircle_pod_request_duration_seconds') ??
      new Histogram({
        name: 'tricircle_pod_request_duration_seconds',
        help: 'Latency of calls to pod services, by pod, service type and method',
        labelNames: ['pod', 'service', 'method'],
        buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
        registers: [registry],
      });
  }
}

type Bound = { latency: ReturnType<Histogram<Labels>['labels']>; calls: Map<string, ReturnType<Counter<Labels | 'status'>['labels']>> };

/**
 * Records one pod call. The labelled children are bound once per (pod, service, method) and
 * status, so a call costs two map lookups instead of building and hashing label objects.
 */
export function recordPodCall(m: BottomMetrics, pod: string, service: string, method: string, status: string, seconds: number): void {
  const key = `${pod}\u0000${service}\u0000${method}`;
  let bound = m.bound.get(key);
  if (!bound) {
    bound = { latency: m.latency.labels({ pod, service, method }), calls: new Map() };
    m.bound.set(key, bound);
  }
  let calls = bound.calls.get(status);
  if (!calls) {
    calls = m.calls.labels({ pod, service, method, status });
    bound.calls.set(status, calls);
  }
  calls.inc();
  bound.latency.observe(seconds);
}

function existing<T>(registry: Registry, name: string): T | undefined {
  return registry.getSingleMetric(name) as T | undefined;
}
