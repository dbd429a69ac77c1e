// The simulated Nova (compute API v2.1, microversions 2.1–2.93 as in Zed) of one pod.
import type { FastifyInstance } from 'fastify';
import { createSimApp } from '../common/http.js';
import type { NovaSimDeps } from './context.js';
import { NovaRouter, novaMicroversionHook } from './router.js';
import { adminRoutes } from './routes/admin.js';
import { flavorRoutes } from './routes/flavors.js';
import { keypairRoutes } from './routes/keypairs.js';
import { miscRoutes } from './routes/misc.js';
import { serverPartRoutes } from './routes/server-parts.js';
import { serverRoutes } from './routes/servers.js';
import { isNovaPublicPath, versionRoutes } from './routes/versions.js';
import { createNovaServices, type NovaServices } from './services.js';

export type { NovaSimDeps } from './context.js';

/** Builds the Fastify app of a pod's simulated Nova (not listening yet). */
export function createNovaSim(deps: NovaSimDeps): FastifyInstance {
  return createNovaSimWithServices(deps).app;
}

/** Like createNovaSim, also returning the service layer (for tests and benchmarks). */
export function createNovaSimWithServices(deps: NovaSimDeps): { app: FastifyInstance; services: NovaServices } {
  const app = createSimApp({ style: 'nova', faults: deps.faults, validator: deps.keystone, isPublic: isNovaPublicPath });
  const services = createNovaServices(deps);
  app.addHook('onRequest', novaMicroversionHook);
  app.addHook('onClose', async () => services.timers.close());
  versionRoutes(app, deps.publicUrl);
  const router = new NovaRouter(app);
  serverRoutes(router, services);
  serverPartRoutes(router, services);
  flavorRoutes(router, services);
  keypairRoutes(router, services);
  miscRoutes(router, services);
  adminRoutes(router, services);
  return { app, services };
}
