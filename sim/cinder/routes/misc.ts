// Routes: availability zones, limits, quota sets and a minimal os-services.
import { SimServiceError } from '../../types.js';
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

/** Minimal `os-services` (admin): the scheduler and the volume service of the pod. */
export function serviceRoutes(r: CinderRouter, s: CinderServices): void {
  r.get('/os-services', (ctx) => {
    if (!ctx.caller.isAdmin) {
      throw new SimServiceError(403, "Policy doesn't allow volume_extension:services:index to be performed.");
    }
    const updated = new Date().toISOString().replace('Z', '000');
    const host = s.views.backendHost.split('#')[0];
    const base = { status: 'enabled', state: 'up', updated_at: updated, zone: s.deps.az, disabled_reason: null };
    return {
      services: [
        { ...base, binary: 'cinder-scheduler', host: host.split('@')[0] },
        {
          ...base,
          binary: 'cinder-volume',
          host,
          frozen: false,
          replication_status: 'disabled',
          active_backend_id: null,
          ...(ctx.version.ge('3.7') ? { cluster: null } : {}),
          ...(ctx.version.ge('3.49') ? { backend_state: 'up' } : {}),
        },
      ],
    };
  });
}
