import { Type, type GatewayRouter } from '../../gateway/index.js';
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

export function quotaRoutes(r: GatewayRouter, quotas: CinderQuotaService): void {
  r.get('/limits', (call) => quotas.limits(call));
  r.get('/os-availability-zone', () => quotas.availabilityZones());
  r.get('/os-quota-sets/:target_project_id', (call) => quotas.showQuotas(call, call.params.target_project_id, false));
  r.get('/os-quota-sets/:target_project_id/defaults', (call) => quotas.showQuotas(call, call.params.target_project_id, true));
  r.put('/os-quota-sets/:target_project_id', (call) => quotas.changeQuotas(call, call.params.target_project_id, 'PUT', call.body), { body: QuotaSetUpdate });
  r.delete('/os-quota-sets/:target_project_id', (call) => quotas.changeQuotas(call, call.params.target_project_id, 'DELETE'));
}
