import type { HttpServiceModule } from '../services.js';
import { registerAdminApi, isPublicAdminPath } from './api.js';

export const adminApiModule: HttpServiceModule = {
  name: 'admin-api',
  faultStyle: 'compute',
  listener: (config) => config.admin_api,
  isPublic: isPublicAdminPath,
  async register(app, core, publicUrl) {
    registerAdminApi(app, {
      pods: core.pods,
      bindings: core.bindings,
      routings: core.routings,
      endpoints: core.endpoints,
      policy: core.policy,
      jobs: core.jobs,
      get publicUrl() {
        return publicUrl();
      },
    });
  },
};
