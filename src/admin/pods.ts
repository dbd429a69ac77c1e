import { badRequest, isJsonObject, bodyMember, optionalBoolean, optionalString, rejectUnknownFields } from '../common/index.js';
import { ok, type GatewayRouter } from '../gateway/index.js';
import type { PodInput } from '../pods/index.js';
import { authorize, type AdminServices } from './deps.js';
import { podView } from './views.js';

const POD_FIELDS = ['region_name', 'pod_name', 'az_name', 'pod_az_name', 'dc_name', 'disabled', 'endpoints'] as const;

function podInput(body: unknown): { input: PodInput; endpoints?: Record<string, string | null> } {
  const pod = bodyMember(body, 'pod');
  rejectUnknownFields(pod, POD_FIELDS);
  const regionName = optionalString(pod, 'region_name');
  const podName = optionalString(pod, 'pod_name');
  if (regionName !== undefined && podName !== undefined && regionName !== podName) {
    throw badRequest('region_name and its alias pod_name disagree');
  }
  checkRegionName(regionName ?? podName);
  return {
    input: {
      regionName: regionName ?? podName,
      azName: optionalString(pod, 'az_name'),
      podAzName: optionalString(pod, 'pod_az_name'),
      dcName: optionalString(pod, 'dc_name'),
      disabled: optionalBoolean(pod, 'disabled'),
    },
    endpoints: endpointOverrides(pod.endpoints),
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

/** {"compute": "http://...", "network": null}: null clears an override. */
function endpointOverrides(value: unknown): Record<string, string | null> | undefined {
  if (value === undefined) return undefined;
  if (!isJsonObject(value)) throw badRequest('endpoints must be an object of service type to URL');
  const overrides: Record<string, string | null> = {};
  for (const [type, url] of Object.entries(value)) {
    if (!/^[a-z0-9-]{1,64}$/.test(type)) throw badRequest(`Invalid service type in endpoints: ${type}`);
    if (url !== null && (typeof url !== 'string' || !/^https?:\/\/\S+$/.test(url))) throw badRequest(`Invalid URL for endpoint ${type}: ${JSON.stringify(url)}`);
    overrides[type] = url;
  }
  return overrides;
}

export function podRoutes(r: GatewayRouter, services: AdminServices): void {
  const { pods, endpoints } = services;
  const applyOverrides = async (podId: string, overrides?: Record<string, string | null>) => {
    for (const [type, url] of Object.entries(overrides ?? {})) await endpoints.setOverride(podId, type, url);
  };
  const show = async (id: string) => podView(await pods.get(id), await endpoints.listForPod(id));

  r.post('/pods', async (call) => {
    authorize(services, call.ctx, 'admin_api:pods:create');
    const { input, endpoints: overrides } = podInput(call.body);
    const pod = await pods.create(input);
    await applyOverrides(pod.id, overrides);
    const warnings = services.endpointCheck && pod.azName !== '' ? await services.endpointCheck(pod) : [];
    if (warnings.length > 0) services.logger?.warn({ pod: pod.regionName, warnings }, 'pod registered with warnings');
    return ok({ pod: await show(pod.id), ...(warnings.length > 0 ? { warnings } : {}) });
  });

  r.get('/pods', async (call) => {
    authorize(services, call.ctx, 'admin_api:pods:list');
    const azName = typeof call.query.az_name === 'string' ? call.query.az_name : undefined;
    return ok({ pods: (await pods.list({ azName })).map((p) => podView(p)) });
  });

  r.get('/pods/:id', async (call) => {
    authorize(services, call.ctx, 'admin_api:pods:show');
    return ok({ pod: await show(call.params.id) });
  });

  r.put('/pods/:id', async (call) => {
    authorize(services, call.ctx, 'admin_api:pods:update');
    const { input, endpoints: overrides } = podInput(call.body);
    await pods.update(call.params.id, input);
    await applyOverrides(call.params.id, overrides);
    return ok({ pod: await show(call.params.id) });
  });

  r.delete('/pods/:id', async (call) => {
    authorize(services, call.ctx, 'admin_api:pods:delete');
    await pods.delete(call.params.id);
    return ok({});
  });
}
