import type { Registry } from 'prom-client';
import type { Logger } from '../common/index.js';
import type { EndpointResolver, PodRef, ServiceTokenSource, ServiceType } from '../identity/index.js';
import { PodHealth, type PodHealthReporter } from '../pods/index.js';
import type { CoreServices } from '../services.js';
import { CinderApi } from './cinder.js';
import { BottomClient, type BottomTransport } from './client.js';
import { GlanceApi } from './glance.js';
import { BottomMetrics } from './metrics.js';
import { NeutronApi } from './neutron.js';
import { NovaApi } from './nova.js';
import { PoolCache } from './pools.js';

export interface PodClientFactoryOptions {
  endpoints: Pick<EndpointResolver, 'resolve' | 'refreshAfterConnectionFailure'>;
  serviceAuth: ServiceTokenSource;
  /** Default deadline of one pod call, in ms (`[client] pod_timeout`). */
  timeoutMs: number;
  /** TCP connect deadline in ms. Default the smaller of timeoutMs and 10 s. */
  connectTimeoutMs?: number;
  /** Most connections per pod service. Default 64. */
  connections?: number;
  health?: PodHealthReporter;
  registry?: Registry;
  logger?: Logger;
}

/**
 * The process's clients to pod services: one connection pool per pod service origin, shared by
 * every client it hands out. Clients are cheap; make one per call site.
 */
export class PodClientFactory {
  readonly health: PodHealthReporter | undefined;
  private readonly transport: BottomTransport;

  constructor(options: PodClientFactoryOptions) {
    this.health = options.health;
    this.transport = {
      pools: new PoolCache({
        connections: options.connections,
        connectTimeoutMs: options.connectTimeoutMs ?? Math.min(options.timeoutMs, 10_000),
      }),
      endpoints: options.endpoints,
      serviceAuth: options.serviceAuth,
      timeoutMs: options.timeoutMs,
      health: options.health,
      metrics: options.registry ? new BottomMetrics(options.registry) : undefined,
      logger: options.logger,
    };
  }

  /** Wires the factory from the process's core services; without `health` a PodHealth over the pod registry is made. */
  static fromCore(core: CoreServices, opts: { health?: PodHealthReporter } = {}): PodClientFactory {
    return new PodClientFactory({
      endpoints: core.identity.endpoints,
      serviceAuth: core.identity.serviceAuth,
      timeoutMs: core.config.client.pod_timeout * 1000,
      health: opts.health ?? new PodHealth({ store: core.pods, registry: core.metrics.registry, logger: core.logger }),
      registry: core.metrics.registry,
      logger: core.logger,
    });
  }

  client(pod: PodRef, serviceType: ServiceType): BottomClient {
    return new BottomClient({ id: pod.id, regionName: pod.regionName }, serviceType, this.transport);
  }

  neutron(pod: PodRef): NeutronApi {
    return new NeutronApi(this.client(pod, 'network'));
  }

  nova(pod: PodRef): NovaApi {
    return new NovaApi(this.client(pod, 'compute'));
  }

  cinder(pod: PodRef): CinderApi {
    return new CinderApi(this.client(pod, 'volumev3'));
  }

  glance(pod: PodRef): GlanceApi {
    return new GlanceApi(this.client(pod, 'image'));
  }

  /** Open connection pools (one per pod service origin). */
  get poolCount(): number {
    return this.transport.pools.size;
  }

  /** Closes every pool; in-flight calls finish first. */
  close(): Promise<void> {
    return this.transport.pools.close();
  }
}
