import type { FastifyInstance } from 'fastify';
import { badRequest } from '../common/errors.js';
import { bodyMember, optionalString, rejectUnknownFields, type Json } from '../common/validate.js';
import { authorize, type AdminServices } from './deps.js';
import { bindingView } from './views.js';

export function bindingRoutes(app: FastifyInstance, services: AdminServices): void {
  const { bindings } = services;

  app.post('/v1.0/bindings', async (req) => {
    authorize(services, req, 'admin_api:bindings:create');
    const body = bodyMember(req.body, 'pod_binding');
    rejectUnknownFields(body, ['tenant_id', 'project_id', 'pod_id']);
    const tenantId = optionalString(body, 'tenant_id');
    const projectId = optionalString(body, 'project_id');
    if (tenantId && projectId && tenantId !== projectId) throw badRequest('tenant_id and project_id disagree');
    const binding = await bindings.bind(projectId ?? tenantId ?? '', optionalString(body, 'pod_id') ?? '');
    return { pod_binding: bindingView(binding) };
  });

  app.get('/v1.0/bindings', async (req) => {
    authorize(services, req, 'admin_api:bindings:list');
    const q = req.query as Json;
    const projectId = (q.project_id ?? q.tenant_id) as string | undefined;
    return { pod_bindings: (await bindings.list({ projectId, podId: q.pod_id as string | undefined })).map(bindingView) };
  });

  app.get<{ Params: { id: string } }>('/v1.0/bindings/:id', async (req) => {
    authorize(services, req, 'admin_api:bindings:show');
    return { pod_binding: bindingView(await bindings.get(req.params.id)) };
  });

  app.delete<{ Params: { id: string } }>('/v1.0/bindings/:id', async (req) => {
    authorize(services, req, 'admin_api:bindings:delete');
    await bindings.delete(req.params.id);
    return {};
  });
}
