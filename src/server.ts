import type { FastifyInstance } from 'fastify';
import type { NetworkModule } from './network/index.js';
import type { Wiring } from './wiring/index.js';
import type { ImageCopyModule } from './imagecopy/index.js';
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

/**
 * The modules a process is built from, loaded with `import()` only when one of its services needs
 * them (`serve --only cinder-apigw` never loads Nova or the networking service):
 * - network: the top Neutron and its pod-side wiring (they need each other, so they come together);
 * - images: image copies to pods (Nova's boot path);
 * - nova, cinder, admin: the gateways and the Admin API.
 */
type ModuleName = 'network' | 'images' | 'nova' | 'cinder' | 'admin';

/**
 * What each service needs in its process, in start order. A process registers the job handlers of
 * every module it loads, so a job type is known wherever it is enqueued: Nova enqueues server
 * cleanups and image copies, the networking service its wiring jobs. The Admin API submits and
 * checks jobs of every type and the job workers run them all; Cinder enqueues none. The workers also
 * need both gateways' intent finders (the reconciler, a job, settles their interrupted creates).
 */
const SERVICES: readonly { name: string; needs: readonly ModuleName[] }[] = [
  { name: 'admin-api', needs: ['admin', 'network', 'images', 'nova'] },
  { name: 'neutron-api', needs: ['network'] },
  { name: 'nova-apigw', needs: ['nova', 'network', 'images'] },
  { name: 'cinder-apigw', needs: ['cinder'] },
  { name: 'xjob', needs: ['network', 'images', 'nova', 'cinder'] },
];

/** The names `--only` accepts. */
export const SERVICE_NAMES: readonly string[] = SERVICES.map((s) => s.name);
export type ServiceName = string;

type Service = HttpServiceModule | BackgroundServiceModule;

/** The modules loaded and built for this process; absent ones are not loaded. */
interface Modules {
  network?: { network: NetworkModule; wiring: Wiring };
  /** The wanted services, in start order. */
  services: Service[];
}

/** Loads and builds the modules the wanted services need, registers their job handlers, and returns the wanted services. */
async function loadModules(core: CoreServices, jobRegistry: JobRegistry, wanted: ReadonlySet<string>): Promise<Modules> {
  const chosen = SERVICES.filter((s) => wanted.has(s.name));
  const needed = new Set(chosen.flatMap((s) => s.needs));
  const [networkApi, wiringApi, imagesApi, novaApi, cinderApi, adminApi] = await Promise.all([
    needed.has('network') ? import('./network/index.js') : undefined,
    needed.has('network') ? import('./wiring/index.js') : undefined,
    needed.has('images') ? import('./imagecopy/index.js') : undefined,
    needed.has('nova') ? import('./nova/index.js') : undefined,
    needed.has('cinder') ? import('./cinder/index.js') : undefined,
    needed.has('admin') ? import('./admin/index.js') : undefined,
  ]);
  let networking: Modules['network'];
  if (networkApi && wiringApi) {
    // The networking service and its pod side need each other: the API is built first, the wiring over
    // it, then the API is connected to the wiring's pod-side hooks.
    const network = networkApi.createNetworkModule(core);
    const wiring = wiringApi.createWiring(core, network.state);
    network.connectPodSide(wiring.podSide);
    jobRegistry.registerAll(wiring.jobHandlers);
    networking = { network, wiring };
  }
  const images: ImageCopyModule | undefined = imagesApi?.createImageCopy(core);
  if (images) jobRegistry.registerAll(images.jobHandlers);
  const wiring = networking?.wiring;
  if (wiring && novaApi) {
    jobRegistry.registerAll(novaApi.serverCleanupJobHandlers(core, wiring.preparer));
    // The reconciler settles the gateways' interrupted creates through their owners' finders.
    wiring.registerIntentFinders({ server: novaApi.serverIntentFinder(core, wiring.preparer) });
  }
  if (wiring && cinderApi) wiring.registerIntentFinders({ volume: cinderApi.volumeIntentFinder(core) });
  const missing = (name: string): never => {
    throw new Error(`service ${name} started without the modules it needs`);
  };
  const build = (name: string): Service => {
    if (name === 'admin-api') return adminApi?.adminApiModule ?? missing(name);
    if (name === 'neutron-api') return networkApi && networking ? networkApi.neutronApiModule(networking.network) : missing(name);
    if (name === 'nova-apigw') return novaApi && wiring && images ? novaApi.novaApiGatewayModule(wiring.preparer, images.copier) : missing(name);
    if (name === 'cinder-apigw') return cinderApi?.cinderApiModule ?? missing(name);
    return wiring ? jobWorkersService(wiring) : missing(name);
  };
  const services = chosen.map((s) => build(s.name));
  const built = services.map((s) => s.name).join();
  if (built !== chosen.map((s) => s.name).join()) throw new Error(`services built (${built}) differ from those asked for`);
  return { network: networking, services };
}

/** The job workers (`--only xjob` runs them alone), with the periodic reconcile request ([xjob] reconcile_interval). */
function jobWorkersService(wiring: Wiring): BackgroundServiceModule {
  return {
    name: 'xjob',
    start: (core) =>
      startJobWorkers({ jobs: core.jobs, logger: core.logger, metricsRegistry: core.metrics.registry, periodic: [wiring.periodicReconcile, () => startPodHealer(core)] }),
  };
}

const isHttp = (s: Service): s is HttpServiceModule => 'register' in s;

export interface RunningTricircle {
  db: Db;
  core: CoreServices;
  /** The top networking service and its pod-side wiring, as built for this process (reading them throws when none of its services needs them). */
  readonly network: NetworkModule;
  readonly wiring: Wiring;
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
    // A process knows the job types of the modules it loads (see SERVICES); loadModules registers their
    // handlers once the services they are built over exist.
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
    const wanted = new Set(opts.only ?? SERVICE_NAMES);
    const modules = await loadModules(core, jobRegistry, wanted);
    for (const module of modules.services.filter(isHttp)) {
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
    for (const module of modules.services.filter((s): s is BackgroundServiceModule => !isHttp(s))) {
      const handle = await module.start(core);
      closers.push(() => handle.close());
      logger.info({ service: module.name }, 'service started');
    }
    const networking = () => modules.network ?? notLoaded();
    return {
      db,
      core,
      get network() {
        return networking().network;
      },
      get wiring() {
        return networking().wiring;
      },
      urls,
      apps,
      close: closeAll,
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

function notLoaded(): never {
  throw new Error('the networking modules are not loaded in this process: none of its services needs them');
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
