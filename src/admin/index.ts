/** The Admin API v1.0: pods, tenant bindings, the routing table, jobs. */
export { adminApiModule } from './module.js';
export { registerAdminApi, isPublicAdminPath, type AdminServices } from './api.js';
