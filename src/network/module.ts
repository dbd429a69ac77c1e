import type { HttpServiceModule } from '../services.js';
import { discoveryRoutes, isPublicNeutronPath } from './api/discovery.js';
import { neutronCopyDeleter } from './bottomCopies.js';
import type { NetworkDeps } from './deps.js';
import { NetworkService } from './networks/service.js';
import { networkRoutes } from './networks/routes.js';
import { PortService } from './ports/service.js';
import { portRoutes } from './ports/routes.js';
import { tableSecurityGroupLookup } from './securityGroupLookup.js';
import { registerSecurityGroupRoutes } from './securityGroups/index.js';
import { loadNetworkSettings } from './settings.js';
import { SubnetpoolService } from './subnetpools/service.js';
import { subnetpoolRoutes } from './subnetpools/routes.js';
import { SubnetService } from './subnets/service.js';
import { subnetRoutes } from './subnets/routes.js';
import { tagRoutes } from './api/tags.js';
import { l3JobsOf } from './routers/jobs.js';
import { RouterService } from './routers/service.js';
import { routerRoutes } from './routers/routes.js';
import { FloatingIpService } from './floatingips/service.js';
import { floatingIpRoutes } from './floatingips/routes.js';

/** The top networking service (Neutron v2.0 API) on `[neutron]`'s listener. */
export const neutronApiModule: HttpServiceModule = {
  name: 'neutron-api',
  faultStyle: 'neutron',
  listener: (config) => config.neutron,
  isPublic: isPublicNeutronPath,
  async register(app, core, publicUrl) {
    const deps: NetworkDeps = {
      db: core.db,
      pods: core.pods,
      routings: core.routings,
      settings: loadNetworkSettings(core.config),
      logger: core.logger,
      bottom: neutronCopyDeleter(core.podClients),
      core,
      publicUrl,
    };
    discoveryRoutes(app, deps);
    const securityGroups = registerSecurityGroupRoutes(app, deps) ?? tableSecurityGroupLookup(core.db);
    const networks = new NetworkService(deps);
    const subnetpools = new SubnetpoolService(deps);
    const subnets = new SubnetService(deps, networks, subnetpools);
    const ports = new PortService(deps, networks, securityGroups);
    networkRoutes(app, deps, networks);
    subnetRoutes(app, deps, subnets);
    portRoutes(app, deps, ports);
    subnetpoolRoutes(app, deps, subnetpools);
    const l3Jobs = l3JobsOf(deps);
    routerRoutes(app, deps, new RouterService(deps, l3Jobs));
    floatingIpRoutes(app, deps, new FloatingIpService(deps, l3Jobs));
    tagRoutes(app, deps);
  },
};
