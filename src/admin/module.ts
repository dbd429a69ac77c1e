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
      logger: core.logger,
      endpointCheck: async (pod) => {
        const missing: string[] = [];
        for (const type of ['compute', 'volumev3', 'network'] as const) {
          try {
            await core.identity.endpoints.resolve(pod, type);
          } catch {
            missing.push(type);
          }
        }
        if (missing.length === 0) return [];
        if (missing.length === 3) return [`Keystone has no public endpoints in region ${pod.regionName} (is the region name right?): the pod cannot be used until it has some.`];
        return [`Keystone has no public ${missing.join(', ')} endpoint in region ${pod.regionName}: calls that need ${missing.length > 1 ? 'them' : 'it'} there will fail.`];
      },
      get publicUrl() {
        return publicUrl();
      },
    });
  },
};
