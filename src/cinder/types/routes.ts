import { answer, ok, type GatewayRouter } from '../../gateway/index.js';
import { queryOf } from '../call.js';
import { ExtraSpecs, TypeCreate, TypeUpdate } from './schemas.js';
import type { VolumeTypeService } from './service.js';

export function typeRoutes(r: GatewayRouter, types: VolumeTypeService): void {
  r.get('/types', async (call) => ok({ volume_types: await types.list(call.ctx, queryOf(call).get('is_public') ?? undefined) }));
  r.post('/types', async (call) => ok({ volume_type: await types.create(call.ctx, call.body) }), { body: TypeCreate });
  r.get('/types/default', async (call) => ok({ volume_type: await types.show(call.ctx, 'default', 'default') }));
  r.get('/types/:type_id', async (call) => ok({ volume_type: await types.show(call.ctx, call.params.type_id) }));
  r.put('/types/:type_id', async (call) => ok({ volume_type: await types.update(call.ctx, call.params.type_id, call.body) }), { body: TypeUpdate });
  r.delete('/types/:type_id', async (call) => {
    await types.remove(call.ctx, call.params.type_id);
    return answer(202);
  });

  r.get('/types/:type_id/extra_specs', async (call) => ok({ extra_specs: await types.extraSpecs(call.ctx, call.params.type_id) }));
  r.post('/types/:type_id/extra_specs', async (call) => ok({ extra_specs: await types.setExtraSpecs(call.ctx, call.params.type_id, call.body) }), { body: ExtraSpecs });
  r.get('/types/:type_id/extra_specs/:key', async (call) => ok(await types.extraSpec(call.ctx, call.params.type_id, call.params.key)));
  r.put('/types/:type_id/extra_specs/:key', async (call) => ok(await types.setExtraSpec(call.ctx, call.params.type_id, call.params.key, call.body)));
  r.delete('/types/:type_id/extra_specs/:key', async (call) => {
    await types.deleteExtraSpec(call.ctx, call.params.type_id, call.params.key);
    return answer(202);
  });

  r.get('/types/:type_id/os-volume-type-access', async (call) => ok({ volume_type_access: await types.accessList(call.ctx, call.params.type_id) }));
  r.post('/types/:type_id/action', async (call) => {
    await types.accessAction(call.ctx, call.params.type_id, call.body);
    return answer(202);
  });
}
