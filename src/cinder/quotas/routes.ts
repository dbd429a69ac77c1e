import type { GatewayRouter } from '../../gateway/index.js';
import type { CinderQuotaService } from './service.js';

export function quotaRoutes(r: GatewayRouter, quotas: CinderQuotaService): void {
  r.get('/limits', (call) => quotas.limits(call));
  r.get('/os-availability-zone', () => quotas.availabilityZones());
  r.get('/os-quota-sets/:target_project_id', (call) => quotas.showQuotas(call, call.params.target_project_id, false));
  r.get('/os-quota-sets/:target_project_id/defaults', (call) => quotas.showQuotas(call, call.params.target_project_id, true));
  r.put('/os-quota-sets/:target_project_id', (call) => quotas.changeQuotas(call, call.params.target_project_id, 'PUT', call.body));
  r.delete('/os-quota-sets/:target_project_id', (call) => quotas.changeQuotas(call, call.params.target_project_id, 'DELETE'));
}
