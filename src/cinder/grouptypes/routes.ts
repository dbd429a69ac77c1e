import { answer, ok, type GatewayRouter } from '../../gateway/index.js';
import { queryOf } from '../call.js';
import { GroupSpecs, GroupTypeCreate, GroupTypeUpdate } from './schemas.js';
import type { GroupTypeService } from './service.js';

/** `/group_types` and their group specs (3.11+): see docs/cinder-api.md, "Groups". */
export function groupTypeRoutes(r: GatewayRouter, types: GroupTypeService): void {
  const o = { minVersion: '3.11' };
  r.get('/group_types', async (call) => ok({ group_types: await types.list(call.ctx, queryOf(call)) }), o);
  // Upstream answers 202 to both creates.
  r.post('/group_types', async (call) => answer(202, { group_type: await types.create(call.ctx, call.body) }), { ...o, body: GroupTypeCreate });
  r.get('/group_types/default', async (call) => ok({ group_type: await types.show(call.ctx, 'default') }), o);
  r.get('/group_types/:id', async (call) => ok({ group_type: await types.show(call.ctx, call.params.id) }), o);
  r.put('/group_types/:id', async (call) => ok({ group_type: await types.update(call.ctx, call.params.id, call.body) }), { ...o, body: GroupTypeUpdate });
  r.delete(
    '/group_types/:id',
    async (call) => {
      await types.remove(call.ctx, call.params.id);
      return answer(202);
    },
    o,
  );
  r.get('/group_types/:id/group_specs', async (call) => ok({ group_specs: await types.specs(call.ctx, call.params.id) }), o);
  r.post('/group_types/:id/group_specs', async (call) => answer(202, { group_specs: await types.setSpecs(call.ctx, call.params.id, call.body) }), { ...o, body: GroupSpecs });
  r.get('/group_types/:id/group_specs/:key', async (call) => ok(await types.spec(call.ctx, call.params.id, call.params.key)), o);
  r.put('/group_types/:id/group_specs/:key', async (call) => ok(await types.setSpec(call.ctx, call.params.id, call.params.key, call.body)), o);
  r.delete(
    '/group_types/:id/group_specs/:key',
    async (call) => {
      await types.deleteSpec(call.ctx, call.params.id, call.params.key);
      return answer(202);
    },
    o,
  );
}
