import type { FastifyInstance, FastifyRequest } from 'fastify';
import { cinderRoute } from '../http.js';
import type { CinderQuotaService } from './service.js';

const param = (req: FastifyRequest, name: string) => (req.params as Record<string, string>)[name];

export function quotaRoutes(app: FastifyInstance, quotas: CinderQuotaService): void {
  cinderRoute(app, 'GET', '/limits', (call) => quotas.limits(call));
  cinderRoute(app, 'GET', '/os-availability-zone', () => quotas.availabilityZones());
  cinderRoute(app, 'GET', '/os-quota-sets/:target_project_id', (call, req) => quotas.showQuotas(call, param(req, 'target_project_id'), false));
  cinderRoute(app, 'GET', '/os-quota-sets/:target_project_id/defaults', (call, req) => quotas.showQuotas(call, param(req, 'target_project_id'), true));
  cinderRoute(app, 'PUT', '/os-quota-sets/:target_project_id', (call, req) => quotas.changeQuotas(call, param(req, 'target_project_id'), 'PUT', req.body));
  cinderRoute(app, 'DELETE', '/os-quota-sets/:target_project_id', (call, req) => quotas.changeQuotas(call, param(req, 'target_project_id'), 'DELETE'));
}
