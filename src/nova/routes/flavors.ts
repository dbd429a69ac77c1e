import type { FastifyRequest } from 'fastify';
import type { FlavorService } from '../flavors/service.js';
import { flavorView } from '../flavors/views.js';
import type { NovaRouter } from '../http.js';

const p = (req: FastifyRequest) => req.params as Record<string, string>;

/** `/flavors`, their extra specs and access lists: top-owned. */
export function flavorRoutes(r: NovaRouter, flavors: FlavorService, maxLimit: number): void {
  r.get('/flavors', (call) => flavors.list(call, false, maxLimit));
  r.get('/flavors/detail', (call) => flavors.list(call, true, maxLimit));
  r.get('/flavors/:flavor_id', async (call, req) => ({ flavor: flavorView(call, await flavors.get(call.ctx, p(req).flavor_id), true) }));
  r.post('/flavors', async (call, req) => ({ flavor: flavorView(call, await flavors.create(call, req.body), true) }));
  r.put('/flavors/:flavor_id', async (call, req) => ({ flavor: flavorView(call, await flavors.updateDescription(call, p(req).flavor_id, req.body), true) }), {
    minVersion: '2.55',
  });
  r.delete('/flavors/:flavor_id', async (call, req, reply) => {
    await flavors.delete(call, p(req).flavor_id);
    return reply.code(202).send();
  });

  r.get('/flavors/:flavor_id/os-extra_specs', async (call, req) => ({ extra_specs: await flavors.extraSpecs(call.ctx, p(req).flavor_id) }));
  r.post('/flavors/:flavor_id/os-extra_specs', async (call, req) => ({ extra_specs: await flavors.setExtraSpecs(call, p(req).flavor_id, req.body) }));
  r.get('/flavors/:flavor_id/os-extra_specs/:key', (call, req) => flavors.extraSpec(call.ctx, p(req).flavor_id, p(req).key));
  r.put('/flavors/:flavor_id/os-extra_specs/:key', (call, req) => flavors.setExtraSpec(call, p(req).flavor_id, p(req).key, req.body));
  r.delete('/flavors/:flavor_id/os-extra_specs/:key', async (call, req, reply) => {
    await flavors.deleteExtraSpec(call, p(req).flavor_id, p(req).key);
    return reply.code(202).send();
  });

  r.get('/flavors/:flavor_id/os-flavor-access', async (call, req) => ({ flavor_access: await flavors.accessList(call, p(req).flavor_id) }));
  r.post('/flavors/:flavor_id/action', async (call, req) => ({ flavor_access: await flavors.accessAction(call, p(req).flavor_id, req.body) }));
}
