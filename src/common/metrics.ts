import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** One registry per process; every service app in the process reports into it. */
export class Metrics {
  readonly registry = new Registry();
  readonly requests: Counter<'service' | 'route' | 'method' | 'status'>;
  readonly latency: Histogram<'service' | 'route' | 'method'>;

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    this.requests = new Counter({
      name: 'tricircle_http_requests_total',
      help: 'HTTP requests answered, by service, route, method and status',
      labelNames: ['service', 'route', 'method', 'status'],
      registers: [this.registry],
    });
    this.latency = new Histogram({
      name: 'tricircle_http_request_duration_seconds',
      help: 'HTTP request latency, by service, route and method',
      labelNames: ['service', 'route', 'method'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [this.registry],
    });
  }
}
