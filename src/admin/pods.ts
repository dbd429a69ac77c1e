import type { FastifyInstance } from 'fastify';
import { badRequest } from '../common/errors.js';
import { bodyMember, optionalBoolean, optionalString, rejectUnknownFields, type Json } from '../common/validate.js';
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

/** {"compute": "http://...", "network": null}: null clears an override. */
function endpointOverrides(value: unknown): Record<string, string | null> | undefined {
  if (value === undefined) return undefined;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw badRequest('endpoints must be an object of service type to URL');
  for (const [type, url] of Object.entries(value as Json)) {
    if (!/^[a-z0-9-]{1,64}$/.test(type)) throw badRequest(`Invalid service type in endpoints: ${type}`);
    if (url !== null && (typeof url !== 'string' || !/^https?:\/\/\S+$/.test(url))) throw badRequest(`Invalid URL for endpoint ${type}: ${JSON.stringify(url)}`);
  }
  return value as Record<string, string | null>;
}

export function podRoutes(app: FastifyInstance, services: AdminServices): void {
  const { pods, endpoints } = services;
  const applyOverrides = async (podId: string, overrides?: Record<string, string | null>) => {
    for (const [type, url] of Object.entries(overrides ?? {})) await endpoints.setOverride(podId, type, url);
  };
  const show = async (id: string) => podView(await pods.get(id), await endpoints.listForPod(id));

  app.post('/v1.0/pods', async (req) => {
    authorize(services, req, 'admin_api:pods:create');
    const { input, endpoints: overrides } = podInput(req.body);
    const pod = await pods.create(input);
    await applyOverrides(pod.id, overrides);
    return { pod: await show(pod.id) };
  });

  app.get('/v1.0/pods', async (req) => {
    authorize(services, req, 'admin_api:pods:list');
    const query = req.query as Json;
    const azName = typeof query.az_name === 'string' ? query.az_name : undefined;
    return { pods: (await pods.list({ azName })).map((p) => podView(p)) };
  });

  app.get<{ Params: { id: string } }>('/v1.0/pods/:id', async (req) => {
    authorize(services, req, 'admin_api:pods:show');
    return { pod: await show(req.params.id) };
  });

  app.put<{ Params: { id: string } }>('/v1.0/pods/:id', async (req) => {
    authorize(services, req, 'admin_api:pods:update');
    const { input, endpoints: overrides } = podInput(req.body);
    await pods.update(req.params.id, input);
    await applyOverrides(req.params.id, overrides);
    return { pod: await show(req.params.id) };
  });

  app.delete<{ Params: { id: string } }>('/v1.0/pods/:id', async (req) => {
    authorize(services, req, 'admin_api:pods:delete');
    await pods.delete(req.params.id);
    return {};
  });
}
