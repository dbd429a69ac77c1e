import type { FastifyInstance, FastifyRequest } from 'fastify';
import { cinderRoute, json, queryOf } from '../http.js';
import type { VolumeTypeService } from './service.js';

const param = (req: FastifyRequest, name: string) => (req.params as Record<string, string>)[name];

export function typeRoutes(app: FastifyInstance, types: VolumeTypeService): void {
  cinderRoute(app, 'GET', '/types', async (call) => json(200, { volume_types: await types.list(call.ctx, queryOf(call).get('is_public') ?? undefined) }));
  cinderRoute(app, 'POST', '/types', async (call, req) => json(200, { volume_type: await types.create(call.ctx, req.body) }));
  cinderRoute(app, 'GET', '/types/:type_id', async (call, req) => json(200, { volume_type: types.view(call.ctx, await types.get(call.ctx, param(req, 'type_id'))) }));
  cinderRoute(app, 'PUT', '/types/:type_id', async (call, req) => json(200, { volume_type: await types.update(call.ctx, param(req, 'type_id'), req.body) }));
  cinderRoute(app, 'DELETE', '/types/:type_id', async (call, req) => {
    await types.remove(call.ctx, param(req, 'type_id'));
    return json(202);
  });

  cinderRoute(app, 'GET', '/types/:type_id/extra_specs', async (call, req) => json(200, { extra_specs: await types.extraSpecs(call.ctx, param(req, 'type_id')) }));
  cinderRoute(app, 'POST', '/types/:type_id/extra_specs', async (call, req) => json(200, { extra_specs: await types.setExtraSpecs(call.ctx, param(req, 'type_id'), req.body) }));
  cinderRoute(app, 'GET', '/types/:type_id/extra_specs/:key', async (call, req) => json(200, await types.extraSpec(call.ctx, param(req, 'type_id'), param(req, 'key'))));
  cinderRoute(app, 'PUT', '/types/:type_id/extra_specs/:key', async (call, req) =>
    json(200, await types.setExtraSpec(call.ctx, param(req, 'type_id'), param(req, 'key'), req.body)),
  );
  cinderRoute(app, 'DELETE', '/types/:type_id/extra_specs/:key', async (call, req) => {
    await types.deleteExtraSpec(call.ctx, param(req, 'type_id'), param(req, 'key'));
    return json(202);
  });

  cinderRoute(app, 'GET', '/types/:type_id/os-volume-type-access', async (call, req) =>
    json(200, { volume_type_access: await types.accessList(call.ctx, param(req, 'type_id')) }),
  );
  cinderRoute(app, 'POST', '/types/:type_id/action', async (call, req) => {
    await types.accessAction(call.ctx, param(req, 'type_id'), req.body);
    return json(202);
  });
}
