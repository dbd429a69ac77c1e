// Routes: availability zones, limits and quota sets.
import type { CinderServices } from '../services.js';
import { params, query, type CinderRouter } from '../router.js';

export function miscRoutes(r: CinderRouter, s: CinderServices): void {
  const { quotas, deps } = s;
  r.get('/os-availability-zone', () => ({ availabilityZoneInfo: [{ zoneName: deps.az, zoneState: { available: true } }] }));
  r.get('/limits', (ctx) => ({ limits: { rate: [], absolute: quotas.limits(ctx) } }));
  r.get('/os-quota-sets/:target_project_id', (ctx, req) => ({ quota_set: quotas.show(ctx, params(req).target_project_id, query(req)) }));
  r.get('/os-quota-sets/:target_project_id/defaults', (ctx, req) => ({ quota_set: quotas.defaults(ctx, params(req).target_project_id) }));
  r.put('/os-quota-sets/:target_project_id', (ctx, req) => ({ quota_set: quotas.update(ctx, params(req).target_project_id, req.body) }));
  r.delete('/os-quota-sets/:target_project_id', (ctx, req, reply) => {
    quotas.reset(ctx, params(req).target_project_id);
    return reply.code(200).send();
  });
}
