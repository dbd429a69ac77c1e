import { answer, ok, type GatewayRouter } from '../../gateway/index.js';
import { FlavorCreate, FlavorExtraSpecs, FlavorUpdate } from '../flavors/schemas.js';
import type { FlavorService } from '../flavors/service.js';
import { flavorView } from '../flavors/views.js';

/** `/flavors`, their extra specs and access lists: top-owned. */
export function flavorRoutes(r: GatewayRouter, flavors: FlavorService, maxLimit: number): void {
  r.get('/flavors', async (call) => ok(await flavors.list(call, false, maxLimit)));
  r.get('/flavors/detail', async (call) => ok(await flavors.list(call, true, maxLimit)));
  r.get('/flavors/:flavor_id', async (call) => ok({ flavor: flavorView(call, await flavors.get(call.ctx, call.params.flavor_id), true) }));
  r.post('/flavors', async (call) => ok({ flavor: flavorView(call, await flavors.create(call), true) }), { body: FlavorCreate });
  r.put('/flavors/:flavor_id', async (call) => ok({ flavor: flavorView(call, await flavors.updateDescription(call, call.params.flavor_id), true) }), {
    minVersion: '2.55',
    body: FlavorUpdate,
  });
  r.delete('/flavors/:flavor_id', async (call) => {
    await flavors.delete(call, call.params.flavor_id);
    return answer(202);
  });

  r.get('/flavors/:flavor_id/os-extra_specs', async (call) => ok({ extra_specs: await flavors.extraSpecs(call.ctx, call.params.flavor_id) }));
  r.post('/flavors/:flavor_id/os-extra_specs', async (call) => ok({ extra_specs: await flavors.setExtraSpecs(call, call.params.flavor_id) }), { body: FlavorExtraSpecs });
  r.get('/flavors/:flavor_id/os-extra_specs/:key', async (call) => ok(await flavors.extraSpec(call.ctx, call.params.flavor_id, call.params.key)));
  r.put('/flavors/:flavor_id/os-extra_specs/:key', async (call) => ok(await flavors.setExtraSpec(call, call.params.flavor_id, call.params.key, call.body)));
  r.delete('/flavors/:flavor_id/os-extra_specs/:key', async (call) => {
    await flavors.deleteExtraSpec(call, call.params.flavor_id, call.params.key);
    // Nova answers this delete with 200 and no body.
    return answer(200);
  });

  r.get('/flavors/:flavor_id/os-flavor-access', async (call) => ok({ flavor_access: await flavors.accessList(call, call.params.flavor_id) }));
  r.post('/flavors/:flavor_id/action', async (call) => ok({ flavor_access: await flavors.accessAction(call, call.params.flavor_id, call.body) }));
}
