import { Type, anyType, keyedMap, ok, type GatewayRouter } from '../../gateway/index.js';
import type { CinderQuotaClasses } from './classes.js';
import type { CinderQuotaService } from './service.js';

/**
 * `PUT os-quota-sets/{project}` (cinder/api/schemas/quotas.py): a `quota_set` object, required and alone.
 * Its members are scalars here (the pods judge the values); a nested value is a 400 at the top and is
 * never relayed (a body nested thousands deep cannot even be serialized for the pods).
 */
const QuotaSetUpdate = Type.Object(
  { quota_set: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()])) },
  { additionalProperties: false },
);

/**
 * `PUT os-quota-class-sets/{class}` (cinder/api/schemas/quota_classes.py): a `quota_class_set` object of
 * quota names to limits from -1 (unlimited) up to the largest 32-bit integer, given as numbers or digits.
 */
const QuotaClassUpdate = Type.Object(
  { quota_class_set: keyedMap('^[a-zA-Z0-9-_:. ]{1,300}$', anyType(['integer', 'string'], { pattern: '^-?[0-9]+$', minimum: -1, maximum: 2147483647 })) },
  { additionalProperties: false },
);

export function quotaRoutes(r: GatewayRouter, quotas: CinderQuotaService, classes: CinderQuotaClasses): void {
  r.get('/limits', (call) => quotas.limits(call));
  r.get('/os-availability-zone', () => quotas.availabilityZones());
  r.get('/os-quota-sets/:target_project_id', (call) => quotas.showQuotas(call, call.params.target_project_id, false));
  r.get('/os-quota-sets/:target_project_id/defaults', (call) => quotas.showQuotas(call, call.params.target_project_id, true));
  r.put('/os-quota-sets/:target_project_id', (call) => quotas.changeQuotas(call, call.params.target_project_id, 'PUT', call.body), { body: QuotaSetUpdate });
  r.get('/os-quota-class-sets/:class_name', async (call) => ok({ quota_class_set: await classes.show(call.ctx, call.params.class_name) }));
  r.put('/os-quota-class-sets/:class_name', async (call) => ok({ quota_class_set: await classes.update(call.ctx, call.params.class_name, call.body.quota_class_set) }), {
    body: QuotaClassUpdate,
  });
  r.delete('/os-quota-sets/:target_project_id', (call) => quotas.changeQuotas(call, call.params.target_project_id, 'DELETE'));
}
