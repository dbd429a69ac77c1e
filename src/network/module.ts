import type { FastifyInstance } from 'fastify';
import type { CoreServices, HttpServiceModule } from '../services.js';
import { discoveryRoutes, isPublicNeutronPath } from './api/discovery.js';
import { unavailablePodsHook } from './api/unavailable.js';
import { tagRoutes } from './api/tags.js';
import { AutoAllocateService, autoAllocateRoutes } from './autoAllocate/index.js';
import { buildBreadth } from './breadth.js';
import type { NetworkDeps } from './deps.js';
import { FloatingIpService } from './floatingips/service.js';
import { floatingIpRoutes } from './floatingips/routes.js';
import { NetworkService } from './networks/service.js';
import { networkRoutes } from './networks/routes.js';
import { networkView } from './networks/view.js';
import { podSideSocket, type NetworkPodSide } from './podSide.js';
import { PortService } from './ports/service.js';
import { NetworkQuotaService } from './quotas/service.js';
import { quotaRoutes } from './quotas/routes.js';
import { portRoutes } from './ports/routes.js';
import { l3JobsOf } from './routers/jobs.js';
import { RouterService } from './routers/service.js';
import { routerRoutes } from './routers/routes.js';
import { routerView } from './routers/model.js';
import { buildSecurityGroups, securityGroupRoutes, SecurityGroupStore, type SecurityGroupService } from './securityGroups/index.js';
import { portBindingRoutes } from './portBindings/routes.js';
import { PortForwardingService } from './portForwarding/service.js';
import { portForwardingRoutes } from './portForwarding/routes.js';
import { QosService } from './qos/service.js';
import { qosRoutes } from './qos/routes.js';
import { NETWORK_SYNC_JOB, QOS_POLICY_SYNC_JOB, syncJobsOf } from './rbac/jobs.js';
import { RbacService } from './rbac/service.js';
import { rbacRoutes } from './rbac/routes.js';
import { loadNetworkSettings } from './settings.js';
import { TrunkService } from './trunks/service.js';
import { trunkRoutes } from './trunks/routes.js';
import { SubnetpoolService } from './subnetpools/service.js';
import { subnetpoolRoutes } from './subnetpools/routes.js';
import { SubnetService } from './subnets/service.js';
import { subnetRoutes } from './subnets/routes.js';
import { createTopNetworkState, type TopNetworkState } from './topState/index.js';
import { syncDefaultRanges } from './segmentRanges/ranges.js';

/** The top networking service of a process: built once, whatever services the process runs. */
export interface NetworkModule {
  /** What the pod-side wiring reads and changes of the top (its only way in). */
  readonly state: TopNetworkState;
  /** The security-group service (what the API's security-group routes call). */
  readonly securityGroups: SecurityGroupService;
  /** Connects the pod side (src/wiring); the composition root does it before any service starts. */
  connectPodSide(podSide: NetworkPodSide): void;
  /** Registers the Neutron v2.0 routes; `publicUrl` is the listener's base URL for links. */
  registerRoutes(app: FastifyInstance, publicUrl: () => string): void;
  /**
   * Writes what configuration defines before the API serves (the default segment ranges), so that no
   * request, not even a refused one, is the first to write them.
   */
  writeConfiguredDefaults(): Promise<void>;
}

/** The composition root of the top networking service: one per process, whatever services it runs. */
export function createNetworkModule(core: CoreServices): NetworkModule {
  const socket = podSideSocket();
  const settings = loadNetworkSettings(core.config);
  const deps: NetworkDeps = {
    db: core.db,
    pods: core.pods,
    routings: core.routings,
    settings,
    logger: core.logger,
    podSide: socket.podSide,
    podClients: core.podClients,
    jobs: core.jobs,
    quotas: new NetworkQuotaService(core.db),
    publicUrl: () => '',
  };
  const groups = new SecurityGroupStore(deps.db, deps.quotas);
  const securityGroups = buildSecurityGroups(deps, groups);
  const networks = new NetworkService(deps, {
    async deleteUnassociatedFloatingIps(caller, networkId) {
      const rows = await deps.db.kysely.selectFrom('floatingips').select('id').where('floating_network_id', '=', networkId).where('fixed_port_id', 'is', null).execute();
      for (const r of rows) await floatingIps.delete({ ...caller, isAdmin: true }, r.id);
    },
  });
  const subnetpools = new SubnetpoolService(deps);
  const subnets = new SubnetService(deps, networks, subnetpools);
  const ports = new PortService(deps, networks, securityGroups);
  const l3Jobs = l3JobsOf(deps);
  const routers = new RouterService(deps, l3Jobs);
  const floatingIps = new FloatingIpService(deps, l3Jobs);
  const autoAllocate = new AutoAllocateService(deps, { networks, subnets, pools: subnetpools, routers });
  const breadth = buildBreadth(deps, {
    network: async (caller, id) => networkView(await networks.get(caller, id), caller),
    router: async (caller, id) => routerView(await routers.get(caller, id), caller),
  });
  const syncJobs = syncJobsOf(deps);
  const rbac = new RbacService(deps, { networkChanged: (trx, id, project) => syncJobs.request(trx, NETWORK_SYNC_JOB, id, project), signal: syncJobs.signal });
  const trunks = new TrunkService(deps, syncJobs);
  const portForwardings = new PortForwardingService(deps, syncJobs);
  const qos = new QosService(deps, { policyChanged: (trx, id, project) => syncJobs.request(trx, QOS_POLICY_SYNC_JOB, id, project), signal: syncJobs.signal });
  return {
    securityGroups,
    state: createTopNetworkState({
      db: core.db,
      routings: core.routings,
      pods: core.pods,
      settings,
      bridgeCidrText: core.config.tricircle.bridge_cidr,
      logger: core.logger,
      networks,
      ports,
      pools: subnetpools,
      securityGroups,
      groups,
      deleter: deps.podSide.copies,
      jobs: core.jobs,
    }),
    connectPodSide: (podSide) => socket.connect(podSide),
    writeConfiguredDefaults: () => syncDefaultRanges(core.db, settings),
    registerRoutes(app, publicUrl) {
      const routeDeps: NetworkDeps = { ...deps, publicUrl };
      unavailablePodsHook(app);
      discoveryRoutes(app, routeDeps);
      securityGroupRoutes(app, { service: securityGroups, publicUrl });
      networkRoutes(app, routeDeps, networks);
      subnetRoutes(app, routeDeps, subnets);
      portRoutes(app, routeDeps, ports);
      subnetpoolRoutes(app, routeDeps, subnetpools);
      routerRoutes(app, routeDeps, routers);
      floatingIpRoutes(app, routeDeps, floatingIps);
      breadth.register(app, publicUrl);
      tagRoutes(app, routeDeps, breadth.tagged);
      rbacRoutes(app, routeDeps, rbac);
      qosRoutes(app, routeDeps, qos);
      quotaRoutes(app, deps.quotas);
      trunkRoutes(app, routeDeps, trunks);
      portForwardingRoutes(app, routeDeps, portForwardings);
      portBindingRoutes(app, routeDeps);
      autoAllocateRoutes(app, autoAllocate);
    },
  };
}

/** The top networking service (Neutron v2.0 API) on `[neutron]`'s listener. */
export const neutronApiModule = (network: NetworkModule): HttpServiceModule => ({
  name: 'neutron-api',
  faultStyle: 'neutron',
  listener: (config) => config.neutron,
  isPublic: isPublicNeutronPath,
  async register(app, _core, publicUrl) {
    await network.writeConfiguredDefaults();
    network.registerRoutes(app, publicUrl);
  },
});
