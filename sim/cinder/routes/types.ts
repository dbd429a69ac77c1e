// Routes: volume types and their extra specs.
import type { CinderServices } from '../services.js';
import { params, query, type CinderRouter } from '../router.js';

export function typeRoutes(r: CinderRouter, s: CinderServices): void {
  const { types, views } = s;
  r.get('/types', (ctx, req) => ({ volume_types: types.list(ctx, query(req)).map((t) => views.volumeType(ctx, t)) }));
  r.post('/types', (ctx, req) => ({ volume_type: views.volumeType(ctx, types.create(ctx, req.body), 'create') }));
  r.get('/types/default', (ctx) => ({ volume_type: views.volumeType(ctx, types.get(ctx, 'default'), 'default') }));
  r.get('/types/:type_id', (ctx, req) => ({ volume_type: views.volumeType(ctx, types.get(ctx, params(req).type_id)) }));
  r.put('/types/:type_id', (ctx, req) => ({ volume_type: views.volumeType(ctx, types.update(ctx, params(req).type_id, req.body), 'update') }));
  r.delete('/types/:type_id', (ctx, req, reply) => {
    types.delete(ctx, params(req).type_id);
    return reply.code(202).send();
  });
  r.get('/types/:type_id/os-volume-type-access', (ctx, req) => ({ volume_type_access: types.accessList(ctx, params(req).type_id) }));
  r.post('/types/:type_id/action', (ctx, req, reply) => {
    types.accessAction(ctx, params(req).type_id, req.body);
    return reply.code(202).send();
  });
  r.get('/types/:type_id/extra_specs', (ctx, req) => ({ extra_specs: views.volumeType(ctx, types.get(ctx, params(req).type_id)).extra_specs }));
  r.post('/types/:type_id/extra_specs', (ctx, req) => ({ extra_specs: types.setExtraSpecs(ctx, params(req).type_id, req.body) }));
  r.get('/types/:type_id/extra_specs/:key', (ctx, req) => types.extraSpec(ctx, params(req).type_id, params(req).key));
  r.put('/types/:type_id/extra_specs/:key', (ctx, req) => types.setExtraSpec(ctx, params(req).type_id, params(req).key, req.body));
  r.delete('/types/:type_id/extra_specs/:key', (ctx, req, reply) => {
    types.deleteExtraSpec(ctx, params(req).type_id, params(req).key);
    return reply.code(202).send();
  });
}
