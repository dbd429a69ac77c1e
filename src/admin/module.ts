import { isTopPod, type Pod } from '../pods/index.js';
import { PodClientFactory } from '../bottom/index.js';
import { EndpointResolver } from '../identity/index.js';
import { checkPods, CurrentCatalogStore, preflightSettings } from '../preflight/index.js';
import type { CoreServices, HttpServiceModule } from '../services.js';
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
      endpointCheck: (pod) => podCreateWarnings(core, pod),
      get publicUrl() {
        return publicUrl();
      },
    });
  },
};

/** Seconds each call of the pod check made on pod create may take. */
const CREATE_CHECK_TIMEOUT_MS = 10_000;

/**
 * Warnings for a pod just registered: Keystone has no endpoints for it, or, when it has, every failed
 * check of `tricircle pod check` (the pod is registered all the same; the operator fixes the pod and
 * runs the check again).
 */
async function podCreateWarnings(core: CoreServices, pod: Pod): Promise<string[]> {
  // As `tricircle pod check` does: the catalog as it is now, and nothing written to the process's
  // endpoint caches (a lookup made while a pod is being registered must not stick).
  const endpoints = new EndpointResolver({ serviceAuth: core.identity.serviceAuth, store: new CurrentCatalogStore(core.endpoints) });
  const missing: string[] = [];
  for (const type of ['compute', 'volumev3', 'network'] as const) {
    try {
      await endpoints.resolve(pod, type);
    } catch {
      missing.push(type);
    }
  }
  if (missing.length === 3) return [`Keystone has no public endpoints in region ${pod.regionName} (is the region name right?): the pod cannot be used until it has some.`];
  if (missing.length > 0) {
    return [`Keystone has no public ${missing.join(', ')} endpoint in region ${pod.regionName}: calls that need ${missing.length > 1 ? 'them' : 'it'} there will fail.`];
  }
  const clients = new PodClientFactory({ endpoints, serviceAuth: core.identity.serviceAuth, timeoutMs: CREATE_CHECK_TIMEOUT_MS });
  try {
    const all = await core.pods.list();
    const top = all.find(isTopPod);
    const [report] = await checkPods(
      [{ id: pod.id, regionName: pod.regionName, isTop: false }],
      { top: top && { id: top.id, regionName: top.regionName }, bottomPodCount: all.filter((p) => !isTopPod(p)).length },
      { endpoints, clients, serviceAuth: core.identity.serviceAuth, settings: preflightSettings(core.config, CREATE_CHECK_TIMEOUT_MS) },
    );
    return report.checks.filter((c) => c.result === 'fail').map((c) => `pod check ${c.check}: ${c.detail}`);
  } finally {
    await clients.close();
  }
}
