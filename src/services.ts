import type { FastifyInstance } from 'fastify';
import type { FaultStyle, Logger, Metrics } from './common/index.js';
import type { Config } from './config/index.js';
import type { Db } from './db/index.js';
import type { Identity } from './identity/index.js';
import type { PolicyEnforcer } from './policy/index.js';
import type { PodBindings, PodRegistry, SqlEndpointStore } from './pods/index.js';
import type { RoutingLock, RoutingTable } from './routing/index.js';
import type { PodClientFactory } from './bottom/index.js';
import type { PodHealth } from './pods/index.js';
import type { JobService } from './xjob/index.js';

/** What every service of a process shares; built once by startTricircle. */
export interface CoreServices {
  config: Config;
  logger: Logger;
  db: Db;
  metrics: Metrics;
  identity: Identity;
  policy: PolicyEnforcer;
  pods: PodRegistry;
  bindings: PodBindings;
  routings: RoutingTable;
  endpoints: SqlEndpointStore;
  podHealth: PodHealth;
  /** HTTP clients to the pods' services (one keep-alive pool per origin). */
  podClients: PodClientFactory;
  /** Get-or-create lock for lazily created bottom resources. */
  routingLock: RoutingLock;
  /** Asynchronous jobs: enqueue in the caller's transaction, signal after commit (src/xjob). */
  jobs: JobService;
}

export interface Listener {
  bind_host: string;
  bind_port: number;
  public_url: string;
}

/** One HTTP service (Admin API, a gateway, the top Neutron). */
export interface HttpServiceModule {
  name: string;
  faultStyle: FaultStyle;
  listener(config: Config): Listener;
  /** Paths answered without a token (version documents). */
  isPublic(method: string, path: string): boolean;
  /**
   * Registers the routes. `publicUrl()` is the service's own base URL for links; it is known once the
   * listener is bound, so read it per request, not at registration.
   */
  register(app: FastifyInstance, core: CoreServices, publicUrl: () => string): Promise<{ close?(): Promise<void> } | void>;
}

/** A service without a listener (the job workers): started after the HTTP services, stopped after they stop listening. */
export interface BackgroundServiceModule {
  name: string;
  start(core: CoreServices): Promise<{ close(): Promise<void> }>;
}
