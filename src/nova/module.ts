import type { ImageCopier } from '../imagecopy/index.js';
import { BodyValidator, NOVA_STYLE, mountService } from '../gateway/index.js';
import { PodScheduler } from '../pods/index.js';
import type { HttpServiceModule } from '../services.js';
import type { ServerNetworkPreparer } from '../wiring/index.js';
import { novaSettings, type NovaDeps } from './deps.js';
import { FlavorService } from './flavors/service.js';
import { FlavorSync } from './flavors/sync.js';
import { ActivityService } from './activity.js';
import { PodForwarder } from './forward.js';
import { PodGather } from './gather.js';
import { GroupPlacement } from './groups/placement.js';
import { ServerGroupService } from './groups/service.js';
import { InfraService } from './infra.js';
import { QuotaClassService } from './quotaClasses.js';
import { RoutedCalls } from './routedCalls.js';
import { NetworkProxy } from './proxies/network.js';
import { VolumeProxy } from './proxies/volume.js';
import { operatorRoutes } from './routes/operators.js';
import { proxyRoutes } from './routes/proxies.js';
import { ImageService } from './images.js';
import { KeypairService } from './keypairs/service.js';
import { KeypairSync } from './keypairs/sync.js';
import { PodDirectory } from './podDirectory.js';
import { QuotaService } from './quotas.js';
import { flavorRoutes } from './routes/flavors.js';
import { keypairRoutes } from './routes/keypairs.js';
import { imageRoutes, quotaRoutes, zoneRoutes } from './routes/misc.js';
import { serverRoutes } from './routes/servers.js';
import { isPublicNovaPath, versionRoutes } from './routes/versions.js';
import { AddressLabels } from './servers/addresses.js';
import { ServerCreateFlow } from './servers/create.js';
import { DeletionWatcher } from './servers/deletion.js';
import { ServerLister } from './servers/list.js';
import { ServerLocator } from './servers/locator.js';
import { ServerOps } from './servers/single.js';
import { ServerPods } from './serverPods.js';
import { PodVersionRanges } from './versionRange.js';
import { ZoneService } from './zones.js';

/** Everything the gateway's routes use, built once per process. */
export function buildNovaGateway(deps: NovaDeps) {
  const { core, settings } = deps;
  const clients = core.podClients;
  const forwarder = new PodForwarder(clients, deps.publicUrl);
  const locator = new ServerLocator(core.routings, deps.pods, { cacheMs: settings.routeCacheMs, cacheSize: settings.routeCacheSize });
  const serverPods = new ServerPods({ routings: core.routings, pods: deps.pods });
  const quotas = new QuotaService(core.db, core.policy, core.routings);
  const flavors = new FlavorService(core.db, core.policy, deps.validator);
  const flavorSync = new FlavorSync(clients, core.logger);
  const keypairs = new KeypairService(core.db, core.policy, (projectId) => quotas.limit(projectId, 'key_pairs'));
  const keypairSync = new KeypairSync(clients, core.logger);
  const labels = new AddressLabels(core.db);
  const gather = new PodGather({ pods: deps.pods, forwarder, timeoutMs: settings.listPodTimeoutMs });
  const groups = new ServerGroupService({ db: core.db, routings: core.routings, forwarder, pods: deps.pods, quotas, logger: core.logger });
  const admin = { pods: deps.pods, forwarder, gather, policy: core.policy, maxLimit: settings.maxLimit };
  const infra = new InfraService(admin);
  const activity = new ActivityService({ ...admin, locator });
  const quotaClasses = new QuotaClassService(quotas, core.policy);
  const routed = new RoutedCalls({ ...admin, routings: core.routings });
  const networkProxy = new NetworkProxy({ clients, pods: deps.pods });
  const volumeProxy = new VolumeProxy({ clients, pods: deps.pods });
  const watcher = new DeletionWatcher({ clients, locator, networks: deps.networks, jobs: core.jobs, logger: core.logger });
  const create = new ServerCreateFlow({
    db: core.db,
    pods: deps.pods,
    scheduler: deps.scheduler,
    routings: core.routings,
    locator,
    forwarder,
    flavors,
    flavorSync,
    keypairs,
    keypairSync,
    quotas,
    networks: deps.networks,
    images: deps.images,
    groups: new GroupPlacement({ groups, pods: deps.pods, quotas }),
    deletions: watcher,
    logger: core.logger,
  });
  const ops = new ServerOps({
    locator,
    forwarder,
    watcher,
    routings: core.routings,
    flavors,
    flavorSync,
    keypairs,
    keypairSync,
    networks: deps.networks,
    labels,
    pods: deps.pods,
    floatingIps: networkProxy,
    quotas,
    podLookupTimeoutMs: settings.listPodTimeoutMs,
    logger: core.logger,
  });
  const lister = new ServerLister({
    clients,
    forwarder,
    pods: deps.pods,
    routings: core.routings,
    locator,
    serverPods,
    labels,
    listPodTimeoutMs: settings.listPodTimeoutMs,
    maxLimit: settings.maxLimit,
    downPodProbeIntervalMs: settings.downPodProbeIntervalMs,
  });
  const zones = new ZoneService(deps.pods, core.policy);
  const images = new ImageService(deps.pods, clients, (pod) => core.identity.endpoints.resolve(pod, 'image'));
  return {
    forwarder,
    locator,
    serverPods,
    quotas,
    flavors,
    keypairs,
    watcher,
    create,
    ops,
    lister,
    zones,
    images,
    groups,
    infra,
    activity,
    quotaClasses,
    routed,
    networkProxy,
    volumeProxy,
  };
}

/**
 * The Nova API gateway: the compute API of the top region (`[nova_apigw]`, port 19998). `networks` is
 * the process's server network preparation (src/wiring); `images` brings images into pods (copy mode).
 */
export const novaApiGatewayModule = (networks: ServerNetworkPreparer, images?: ImageCopier): HttpServiceModule => ({
  name: 'nova-apigw',
  faultStyle: 'compute',
  listener: (config) => config.nova_apigw,
  isPublic: isPublicNovaPath,
  async register(app, core, publicUrl) {
    const settings = novaSettings(core.config);
    const pods = new PodDirectory(core.pods);
    const versions = new PodVersionRanges({
      pods: () => pods.all(),
      clients: core.podClients,
      cacheMs: settings.versionCacheMs,
      timeoutMs: Math.min(settings.listPodTimeoutMs, 5000),
      logger: core.logger,
    });
    const deps: NovaDeps = {
      core,
      settings,
      publicUrl,
      pods,
      versions,
      scheduler: new PodScheduler(core.db),
      networks,
      images,
      validator: new BodyValidator(NOVA_STYLE),
    };
    const gw = buildNovaGateway(deps);
    const router = mountService(app, {
      prefixes: [
        { path: '/v2.1', api: 'v2.1' },
        { path: '/v2.1/:project_id', api: 'v2.1' },
      ],
      microversions: {
        serviceType: 'compute',
        legacyHeader: 'X-OpenStack-Nova-API-Version',
        range: () => versions.range(),
        // Upstream writes this one as a computeFault.
        notAcceptableBody: (message) => ({ computeFault: { code: 406, message } }),
      },
      validator: deps.validator,
      requestIdHeader: 'x-compute-request-id',
      publicUrl,
    });
    versionRoutes(app, router, versions, publicUrl);
    serverRoutes(router, gw);
    flavorRoutes(router, gw.flavors, settings.maxLimit);
    keypairRoutes(router, gw.keypairs, settings.maxLimit);
    zoneRoutes(router, gw.zones);
    quotaRoutes(router, gw.quotas);
    imageRoutes(router, gw.images, settings.maxLimit);
    operatorRoutes(router, gw);
    proxyRoutes(router, gw.networkProxy, gw.volumeProxy);
    return {
      async close() {
        gw.watcher.close();
      },
    };
  },
});
