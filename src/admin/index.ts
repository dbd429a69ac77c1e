import type { FastifyInstance } from 'fastify';
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
  podRoutes(app, services);
  bindingRoutes(app, services);
  routingRoutes(app, services);
  jobRoutes(app, services);
}
