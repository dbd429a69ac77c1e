// The simulated Cinder (block storage API v3, microversions 3.0–3.70 as in Zed) of one pod.
import type { FastifyInstance } from 'fastify';
import { createSimApp } from '../common/http.js';
import type { SimCinderApi } from '../types.js';
import type { CinderSimDeps } from './context.js';
import { CinderRouter, cinderMicroversionHook, stripComputeRequestId } from './router.js';
import { adminRoutes } from './routes/admin.js';
import { encryptionRoutes } from './routes/encryption.js';
import { groupRoutes } from './routes/groups.js';
import { miscRoutes } from './routes/misc.js';
import { qosRoutes } from './routes/qos.js';
import { storageRoutes } from './routes/storage.js';
import { typeRoutes } from './routes/types.js';
import { volumeRoutes } from './routes/volumes.js';
import { isCinderPublicPath, versionRoutes } from './routes/versions.js';
import { createCinderServices, type CinderServices } from './services.js';

export type { CinderSimDeps } from './context.js';

/**
 * Builds the Fastify app of a pod's simulated Cinder (not listening yet) and the in-process API
 * the pod's Nova uses to attach and detach volumes. The api also offers `deleteVolume` (used for
 * Nova's delete_on_termination). A deleted volume shows `deleting` and is gone after buildDelayMs.
 */
export function createCinderSim(deps: CinderSimDeps): { app: FastifyInstance; api: SimCinderApi & { deleteVolume(id: string): void } } {
  const { app, services } = createCinderSimWithServices(deps);
  return { app, api: services.volumes };
}

/** Like createCinderSim, also returning the service layer (for tests and benchmarks). */
export function createCinderSimWithServices(deps: CinderSimDeps): { app: FastifyInstance; services: CinderServices } {
  const app = createSimApp({ style: 'nova', faults: deps.faults, validator: deps.keystone, isPublic: isCinderPublicPath });
  const services = createCinderServices(deps);
  app.addHook('onRequest', cinderMicroversionHook);
  app.addHook('onSend', stripComputeRequestId);
  app.addHook('onClose', async () => services.timers.close());
  versionRoutes(app, deps.publicUrl);
  const router = new CinderRouter(app);
  volumeRoutes(router, services);
  typeRoutes(router, services);
  miscRoutes(router, services);
  adminRoutes(router, services);
  storageRoutes(router, services);
  qosRoutes(router, services);
  encryptionRoutes(router, services);
  groupRoutes(router, services);
  return { app, services };
}
