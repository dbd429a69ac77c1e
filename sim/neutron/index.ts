// The simulated Neutron (networking v2.0) of one pod.
import type { FastifyInstance } from 'fastify';
import { createSimApp } from '../common/http.js';
import type { SimFaults, SimNeutronApi, SimTokenValidator } from '../types.js';
import { createNeutronApi } from './api.js';
import { Neutron } from './core.js';
import { badRequest } from './errors.js';
import { registerMiscRoutes } from './routes/misc.js';
import { registerQuotaRoutes } from './routes/quotas.js';
import { registerResourceRoutes } from './routes/resources.js';
import { registerSharingRoutes } from './routes/sharing.js';
import { defaultConfig } from './state.js';

export interface NeutronSimDeps {
  region: string;
  faults: SimFaults;
  keystone: SimTokenValidator;
  /** http://127.0.0.1:PORT of this app, known after listen (for links). */
  publicUrl: () => string;
  /** The pod's availability zone, used as its Neutron AZ (agents' `availability_zone`); default "nova". */
  az?: string;
  /** Neutron availability zones of the pod, when several (overrides `az`). */
  availabilityZones?: string[];
  /** Physical networks the pod's ML2 knows; undefined accepts any (see NeutronConfig.physicalNetworks). */
  physicalNetworks?: string[];
}

export function createNeutronSim(deps: NeutronSimDeps): { app: FastifyInstance; api: SimNeutronApi; neutron: Neutron } {
  const config = defaultConfig(deps.availabilityZones ?? (deps.az ? [deps.az] : undefined));
  config.networkHost = `${deps.region}-network-node`;
  if (deps.physicalNetworks) config.physicalNetworks = [...deps.physicalNetworks];
  const neutron = new Neutron(config);

  const app = createSimApp({
    style: 'neutron',
    faults: deps.faults,
    validator: deps.keystone,
    isPublic: (method, path) => method === 'GET' && path === '/',
  });
  // Neutron answers unparsable bodies with its own 400, and an empty body with "Resource body required".
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(badRequest('Body contains invalid data'), undefined);
    }
  });

  const routeDeps = { neutron, publicUrl: deps.publicUrl };
  registerMiscRoutes(app, routeDeps);
  registerResourceRoutes(app, routeDeps);
  registerQuotaRoutes(app, routeDeps);
  registerSharingRoutes(app, routeDeps);
  return { app, api: createNeutronApi(neutron), neutron };
}

export { Neutron } from './core.js';
export { defaultConfig } from './state.js';
export { protocolNumber } from './securitygroups.js';
export { cidrContains, cidrNetworkText, parseCidr, parseIp } from './ipam.js';
export { ROUTER_INTERFACE_OWNERS } from './ports.js';
export type {
  FloatingIpRec,
  NetworkRec,
  NeutronState,
  PortRec,
  RouterRec,
  SecurityGroupRec,
  SecurityGroupRuleRec,
  SubnetRec,
} from './state.js';
