import type { FastifyInstance } from 'fastify';
import { BodyValidator, NOVA_STYLE, mountService } from '../gateway/index.js';
import { bindingRoutes } from './bindings.js';
import type { AdminServices } from './deps.js';
import { jobRoutes } from './jobs.js';
import { podRoutes } from './pods.js';
import { routingRoutes } from './routings.js';
import { isPublicAdminPath, versionRoutes } from './versions.js';

export type { AdminServices } from './deps.js';
export { isPublicAdminPath };

/** Registers the Admin API v1.0 on an app made by createServiceApp. */
export function registerAdminApi(app: FastifyInstance, services: AdminServices): void {
  versionRoutes(app, services);
  // Tricircle's own API: no microversions; bodies are checked against the schemas of ./schemas.ts, with Nova's wording.
  const router = mountService(app, { prefixes: [{ path: '/v1.0', api: 'v1.0' }], publicUrl: () => services.publicUrl, validator: new BodyValidator(NOVA_STYLE) });
  podRoutes(router, services);
  bindingRoutes(router, services);
  routingRoutes(router, services);
  jobRoutes(router, services);
}
