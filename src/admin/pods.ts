import { badRequest } from '../common/index.js';
import { ok, type GatewayRouter, type Static } from '../gateway/index.js';
import { PodBody, type PodFields } from './schemas.js';
import type { PodInput } from '../pods/index.js';
import { authorize, type AdminServices } from './deps.js';
import { podView } from './views.js';

type PodFieldsBody = Static<typeof PodFields>;

const trimmed = (v: string | undefined) => v?.trim();

function podInput(pod: PodFieldsBody): { input: PodInput; endpoints?: Record<string, string | null> } {
  checkRegionName(pod.region_name ?? pod.pod_name);
  const regionName = trimmed(pod.region_name);
  const podName = trimmed(pod.pod_name);
  if (regionName !== undefined && podName !== undefined && regionName !== podName) {
    throw badRequest('region_name and its alias pod_name disagree');
  }
  return {
    input: {
      regionName: regionName ?? podName,
      azName: trimmed(pod.az_name),
      podAzName: trimmed(pod.pod_az_name),
      dcName: trimmed(pod.dc_name),
      disabled: pod.disabled === undefined ? undefined : String(pod.disabled).toLowerCase() === 'true',
    },
    endpoints: pod.endpoints,
  };
}

/**
 * A Keystone region id: 1 to 255 printable characters (no control characters, no unpaired surrogates,
 * no unassigned code points).
 */
function checkRegionName(name: string | undefined): void {
  if (name === undefined || name === '') return;
  if (name.length > 255) throw badRequest('region_name must be at most 255 characters long');
  if (!/^[^\p{C}]+$/u.test(name) || name.trim() !== name) {
    throw badRequest('region_name must be printable text without leading or trailing spaces (a Keystone region id)');
  }
}

export function podRoutes(r: GatewayRouter, services: AdminServices): void {
  const { pods, endpoints } = services;
  const applyOverrides = async (podId: string, overrides?: Record<string, string | null>) => {
    for (const [type, url] of Object.entries(overrides ?? {})) await endpoints.setOverride(podId, type, url);
  };
  const show = async (id: string) => podView(await pods.get(id), await endpoints.listForPod(id));

  r.post(
    '/pods',
    async (call) => {
      const { input, endpoints: overrides } = podInput(call.body.pod);
      const pod = await pods.create(input);
      await applyOverrides(pod.id, overrides);
      const warnings = services.endpointCheck && pod.azName !== '' ? await services.endpointCheck(pod) : [];
      if (warnings.length > 0) services.logger?.warn({ pod: pod.regionName, warnings }, 'pod registered with warnings');
      return ok({ pod: await show(pod.id), ...(warnings.length > 0 ? { warnings } : {}) });
    },
    { body: PodBody, authorize: (call) => authorize(services, call.ctx, 'admin_api:pods:create') },
  );

  r.get('/pods', async (call) => {
    authorize(services, call.ctx, 'admin_api:pods:list');
    const azName = typeof call.query.az_name === 'string' ? call.query.az_name : undefined;
    return ok({ pods: (await pods.list({ azName })).map((p) => podView(p)) });
  });

  r.get('/pods/:id', async (call) => {
    authorize(services, call.ctx, 'admin_api:pods:show');
    return ok({ pod: await show(call.params.id) });
  });

  r.put(
    '/pods/:id',
    async (call) => {
      const { input, endpoints: overrides } = podInput(call.body.pod);
      await pods.update(call.params.id, input);
      await applyOverrides(call.params.id, overrides);
      return ok({ pod: await show(call.params.id) });
    },
    { body: PodBody, authorize: (call) => authorize(services, call.ctx, 'admin_api:pods:update') },
  );

  r.delete('/pods/:id', async (call) => {
    authorize(services, call.ctx, 'admin_api:pods:delete');
    await pods.delete(call.params.id);
    return ok({});
  });
}
