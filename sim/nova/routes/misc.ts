// Routes: availability zones, limits and quota sets.
import { SimServiceError } from '../../types.js';
import type { NovaCtx } from '../context.js';
import type { NovaServices } from '../services.js';
import { params, query, type NovaRouter } from '../router.js';

function requireAdmin(ctx: NovaCtx, policy: string): void {
  if (!ctx.caller.isAdmin) throw new SimServiceError(403, `Policy doesn't allow ${policy} to be performed.`);
}

export function miscRoutes(r: NovaRouter, s: NovaServices): void {
  const { deps, quotas, servers } = s;

  r.get('/os-availability-zone', () => ({
    availabilityZoneInfo: [{ zoneName: deps.az, zoneState: { available: true }, hosts: null }],
  }));
  r.get('/os-availability-zone/detail', (ctx) => {
    requireAdmin(ctx, 'os_compute_api:os-availability-zone:detail');
    const service = { active: true, available: true, updated_at: new Date().toISOString().replace('Z', '000') };
    const hosts: Record<string, unknown> = {};
    for (const h of servers.hosts) hosts[h] = { 'nova-compute': service };
    return {
      availabilityZoneInfo: [
        {
          zoneName: 'internal',
          zoneState: { available: true },
          hosts: { [`${servers.hosts[0]}-ctl`]: { 'nova-conductor': service, 'nova-scheduler': service } },
        },
        { zoneName: deps.az, zoneState: { available: true }, hosts },
      ],
    };
  });

  r.get('/limits', (ctx, req) => ({ limits: { rate: [], absolute: quotas.limits(ctx, query(req)) } }));

  r.get('/os-quota-sets/:tenant_id', (ctx, req) => ({ quota_set: quotas.show(ctx, params(req).tenant_id) }));
  r.get('/os-quota-sets/:tenant_id/detail', (ctx, req) => ({ quota_set: quotas.detail(ctx, params(req).tenant_id) }));
  r.get('/os-quota-sets/:tenant_id/defaults', (ctx, req) => ({ quota_set: quotas.defaults(ctx, params(req).tenant_id) }));
  r.put('/os-quota-sets/:tenant_id', (ctx, req) => ({ quota_set: quotas.update(ctx, params(req).tenant_id, req.body) }));
  r.delete('/os-quota-sets/:tenant_id', (ctx, req, reply) => {
    quotas.reset(ctx, params(req).tenant_id);
    return reply.code(202).send();
  });
}
