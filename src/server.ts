import type { FastifyInstance } from 'fastify';
import { adminApiModule } from './admin/index.js';
import { createNetworkModule, neutronApiModule, type NetworkModule } from './network/index.js';
import { createWiring, type Wiring } from './wiring/index.js';
import { createImageCopy, type ImageCopyModule } from './imagecopy/index.js';
import { cinderApiModule, volumeIntentFinder } from './cinder/index.js';
import { novaApiGatewayModule, serverCleanupJobHandlers, serverIntentFinder } from './nova/index.js';
import { createServiceApp, type Logger, Metrics } from './common/index.js';
import type { Config } from './config/index.js';
import { migrateToLatest, openDatabase, ping, schemaVersion, type Db } from './db/index.js';
import { buildIdentity } from './identity/index.js';
import { PolicyEnforcer } from './policy/index.js';
import { PodBindings, PodHealer, PodHealth, PodRegistry, SqlEndpointStore } from './pods/index.js';
import { RoutingLock, RoutingTable } from './routing/index.js';
import { PodClientFactory } from './bottom/index.js';
import type { BackgroundServiceModule, CoreServices, HttpServiceModule, Listener } from './services.js';
import { createJobService, JobRegistry, startJobWorkers } from './xjob/index.js';

/** The modules a process is made of, built once whatever services it runs. */
interface Modules {
  network: NetworkModule;
  wiring: Wiring;
  images: ImageCopyModule;
}

/** Every HTTP service, in start order. */
const httpServices = (m: Modules): HttpServiceModule[] => [adminApiModule, neutronApiModule(m.network), novaApiGatewayModule(m.wiring.preparer, m.images.copier), cinderApiModule];

/** Services without a listener, started after the HTTP ones. */
const backgroundServices = (m: Modules): BackgroundServiceModule[] => [
  {
    // The job workers (`--only xjob` runs them alone), with the periodic reconcile request ([xjob] reconcile_interval).
    name: 'xjob',
    start: (core) =>
      startJobWorkers({ jobs: core.jobs, logger: core.logger, metricsRegistry: core.metrics.registry, periodic: [m.wiring.periodicReconcile, () => startPodHealer(core)] }),
  },
];

/** The names `--only` accepts (checked against the services' own names at start). */
export const SERVICE_NAMES: readonly string[] = ['admin-api', 'neutron-api', 'nova-apigw', 'cinder-apigw', 'xjob'];
export type ServiceName = string;

export interface RunningTricircle {
  db: Db;
  core: CoreServices;
  /** The top networking service and its pod-side wiring, as built for this process. */
  network: NetworkModule;
  wiring: Wiring;
  /** Base URL of each started service. */
  urls: Record<string, string>;
  apps: Record<string, FastifyInstance>;
  close(): Promise<void>;
}

function publicUrlOf(listener: Listener, port: number): string {
  if (listener.public_url) return listener.public_url.replace(/\/+$/, '');
  const host = listener.bind_host === '0.0.0.0' || listener.bind_host === '::' ? '127.0.0.1' : listener.bind_host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

async function prepareSchema(db: Db, config: Config, logger: Logger): Promise<void> {
  if (config.database.auto_migrate) {
    const applied = await migrateToLatest(db);
    if (applied.length > 0) logger.info({ applied }, 'database schema migrated');
    return;
  }
  const version = await schemaVersion(db);
  if (version.pending.length > 0) throw new Error(`database schema is behind (pending: ${version.pending.join(', ')}); run \`tricircle db sync\``);
}

/**
 * Brings the schema up to date once, before `serve --workers N` forks: workers that each migrated
 * the same empty database at once could leave one of them waiting on the other's lock for good.
 */
export async function prepareDatabase(config: Config, logger: Logger): Promise<void> {
  const db = openDatabase(config.database.connection, { maxPoolSize: 1 });
  try {
    await prepareSchema(db, config, logger);
  } finally {
    await db.close();
  }
}

/**
 * Starts the requested services (all by default) in this process, sharing one database handle,
 * identity layer, policy and metrics registry.
 */
export async function startTricircle(config: Config, opts: { logger: Logger; only?: ServiceName[] }): Promise<RunningTricircle> {
  const { logger } = opts;
  const db = openDatabase(config.database.connection, { maxPoolSize: config.database.max_pool_size });
  const apps: Record<string, FastifyInstance> = {};
  const urls: Record<string, string> = {};
  const closers: (() => Promise<void>)[] = [];
  const closeAll = async () => {
    await Promise.allSettled(Object.values(apps).map((a) => a.close()));
    for (const close of closers.reverse()) await close().catch((err) => logger.error({ err }, 'error while stopping'));
    await db.close();
  };
  try {
    await prepareSchema(db, config, logger);
    const pods = new PodRegistry(db);
    const endpoints = new SqlEndpointStore(db);
    const identity = buildIdentity(config, { logger, endpointStore: endpoints });
    closers.push(() => identity.close());
    const metrics = new Metrics();
    const podHealth = new PodHealth({ store: pods, registry: metrics.registry, logger });
    const podClients = new PodClientFactory({
      endpoints: identity.endpoints,
      serviceAuth: identity.serviceAuth,
      timeoutMs: config.client.pod_timeout * 1000,
      health: podHealth,
      registry: metrics.registry,
      logger,
    });
    closers.push(() => podClients.close());
    // Every process knows every job type (workers run them, the Admin API lists and checks them); the
    // modules' handlers are registered below, once the services they are built over exist.
    const jobRegistry = new JobRegistry();
    const jobs = await createJobService({ config, db, logger, registry: jobRegistry, metricsRegistry: metrics.registry });
    closers.push(() => jobs.close());
    const core: CoreServices = {
      config,
      logger,
      db,
      metrics,
      identity,
      policy: new PolicyEnforcer({ policyFile: config.DEFAULT.policy_file || undefined }),
      pods,
      bindings: new PodBindings(db, pods),
      routings: new RoutingTable(db),
      endpoints,
      podHealth,
      podClients,
      routingLock: new RoutingLock(db, logger),
      jobs,
    };
    // The networking service and its pod side need each other: the API is built first, the wiring over
    // it, then the API is connected to the wiring's pod-side hooks.
    const network = createNetworkModule(core);
    const wiring = createWiring(core, network.state);
    network.connectPodSide(wiring.podSide);
    const images = createImageCopy(core);
    const modules: Modules = { network, wiring, images };
    jobRegistry.registerAll(images.jobHandlers);
    jobRegistry.registerAll(wiring.jobHandlers);
    jobRegistry.registerAll(serverCleanupJobHandlers(core, wiring.preparer));
    // The reconciler settles the gateways' interrupted creates through their owners' finders.
    wiring.registerIntentFinders({ server: serverIntentFinder(core, wiring.preparer), volume: volumeIntentFinder(core) });
    const http = httpServices(modules);
    const background = backgroundServices(modules);
    const names = [...http, ...background].map((s) => s.name);
    if (names.join() !== SERVICE_NAMES.join()) throw new Error(`SERVICE_NAMES (${SERVICE_NAMES.join(', ')}) differ from the services (${names.join(', ')})`);
    const wanted = new Set(opts.only ?? SERVICE_NAMES);
    for (const module of http.filter((s) => wanted.has(s.name))) {
      const listener = module.listener(config);
      const app = createServiceApp({
        service: module.name,
        faultStyle: module.faultStyle,
        logger,
        metrics: core.metrics,
        bodyLimit: config.DEFAULT.max_request_body_size,
        authenticate: (req) => identity.authenticate(req),
        isPublic: module.isPublic,
        ready: () => ping(db),
        requestLogSample: config.DEFAULT.request_log_sample,
      });
      apps[module.name] = app;
      let url = '';
      const handle = await module.register(app, core, () => url);
      if (handle?.close) closers.push(handle.close);
      await app.listen({ host: listener.bind_host, port: listener.bind_port });
      url = publicUrlOf(listener, (app.server.address() as { port: number }).port);
      urls[module.name] = url;
      logger.info({ service: module.name, url }, 'service listening');
    }
    for (const module of background.filter((s) => wanted.has(s.name))) {
      const handle = await module.start(core);
      closers.push(() => handle.close());
      logger.info({ service: module.name }, 'service started');
    }
    return { db, core, network, wiring, urls, apps, close: closeAll };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

/**
 * Jobs heal when a pod returns ([xjob] heal_interval): pods recorded down are probed; when one answers
 * again, every job waiting for a retry and every recent FAIL job runs at once, and a reconcile of every
 * project is requested.
 */
function startPodHealer(core: CoreServices): { close(): Promise<void> } {
  const interval = core.jobs.settings.healIntervalMs;
  if (!(interval > 0)) return { close: async () => undefined };
  return new PodHealer({
    intervalMs: interval,
    logger: core.logger,
    listPods: () => core.pods.list(),
    probe: async (pod) => {
      const res = await core.podClients.client(pod, 'network').request({ requestId: 'req-pod-healer' }, { method: 'GET', path: '/', timeoutMs: Math.min(interval, 5000) });
      return res.status < 500;
    },
    onUp: async (pod) => {
      const woken = await core.jobs.wakeWaiting();
      await core.jobs.submit({ type: 'reconcile', projectId: 'all', resource: { project_id: 'all' } });
      core.logger.info({ pod: pod.regionName, jobs: woken }, 'pod came back: jobs woken, reconcile requested');
    },
  }).start();
}
