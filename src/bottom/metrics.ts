import { Counter, Histogram, type Registry } from 'prom-client';

type Labels = 'pod' | 'service' | 'method';

/** Pod call counters and latency, registered once per registry. */
export class BottomMetrics {
  readonly calls: Counter<Labels | 'status'>;
  readonly latency: Histogram<Labels>;

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

function existing<T>(registry: Registry, name: string): T | undefined {
  return registry.getSingleMetric(name) as T | undefined;
}
