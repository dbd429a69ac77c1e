import { badRequest } from '../common/index.js';
import { BindingBody } from './schemas.js';
import { ok, qLast, type GatewayRouter } from '../gateway/index.js';
import { authorize, type AdminServices } from './deps.js';
import { bindingView } from './views.js';

export function bindingRoutes(r: GatewayRouter, services: AdminServices): void {
  const { bindings } = services;

  r.post(
    '/bindings',
    async (call) => {
      const { tenant_id: tenantId, project_id: projectId, pod_id: podId } = call.body.pod_binding;
      if (tenantId && projectId && tenantId.trim() !== projectId.trim()) throw badRequest('tenant_id and project_id disagree');
      const binding = await bindings.bind((projectId ?? tenantId ?? '').trim(), (podId ?? '').trim());
      return ok({ pod_binding: bindingView(binding) });
    },
    { body: BindingBody, authorize: (call) => authorize(services, call.ctx, 'admin_api:bindings:create') },
  );

  r.get('/bindings', async (call) => {
    authorize(services, call.ctx, 'admin_api:bindings:list');
    const projectId = qLast(call.query, 'project_id') ?? qLast(call.query, 'tenant_id');
    return ok({ pod_bindings: (await bindings.list({ projectId, podId: qLast(call.query, 'pod_id') })).map(bindingView) });
  });

  r.get('/bindings/:id', async (call) => {
    authorize(services, call.ctx, 'admin_api:bindings:show');
    return ok({ pod_binding: bindingView(await bindings.get(call.params.id)) });
  });

  r.delete('/bindings/:id', async (call) => {
    authorize(services, call.ctx, 'admin_api:bindings:delete');
    await bindings.delete(call.params.id);
    return ok({});
  });
}
