// Routes: availability zones, limits, quota sets, and minimal os-services / os-hypervisors.
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

  r.get('/os-services', (ctx) => {
    requireAdmin(ctx, 'os_compute_api:os-services:list');
    const updated = new Date().toISOString().replace('Z', '000');
    const svc = (id: number, binary: string, host: string, zone: string) => ({
      id: ctx.version.ge('2.53') ? `00000000-0000-4000-9000-${String(id).padStart(12, '0')}` : id,
      binary,
      disabled_reason: null,
      host,
      state: 'up',
      status: 'enabled',
      updated_at: updated,
      zone,
      ...(ctx.version.ge('2.11') ? { forced_down: false } : {}),
    });
    const list = [svc(1, 'nova-scheduler', `${servers.hosts[0]}-ctl`, 'internal'), svc(2, 'nova-conductor', `${servers.hosts[0]}-ctl`, 'internal')];
    for (const [i, h] of servers.hosts.entries()) list.push(svc(3 + i, 'nova-compute', h, deps.az));
    return { services: list };
  });

  const hypervisors = (detail: boolean) => (ctx: NovaCtx) => {
    requireAdmin(ctx, 'os_compute_api:os-hypervisors:list');
    return {
      hypervisors: servers.hosts.map((h, i) => {
        const base: Record<string, unknown> = {
          id: ctx.version.ge('2.53') ? `00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}` : i + 1,
          hypervisor_hostname: h,
          state: 'up',
          status: 'enabled',
        };
        if (!detail) return base;
        const mine = [...s.state.servers.values()].filter((x) => x.host === h);
        return {
          ...base,
          host_ip: `192.0.2.${10 + i}`,
          hypervisor_type: 'QEMU',
          hypervisor_version: 6002000,
          service: { host: h, id: i + 3, disabled_reason: null },
          ...(ctx.version.lt('2.88')
            ? {
                vcpus: 64,
                memory_mb: 262144,
                local_gb: 2000,
                vcpus_used: mine.reduce((n, x) => n + x.flavor.vcpus, 0),
                memory_mb_used: 512 + mine.reduce((n, x) => n + x.flavor.ram, 0),
                local_gb_used: mine.reduce((n, x) => n + x.flavor.disk, 0),
                free_ram_mb: 262144 - 512 - mine.reduce((n, x) => n + x.flavor.ram, 0),
                free_disk_gb: 2000 - mine.reduce((n, x) => n + x.flavor.disk, 0),
                current_workload: 0,
                running_vms: mine.length,
                disk_available_least: 2000,
                cpu_info: '{}',
              }
            : { uptime: ' 10:00:00 up 1 day,  0 users,  load average: 0.00, 0.00, 0.00' }),
        };
      }),
    };
  };
  r.get('/os-hypervisors', hypervisors(false));
  r.get('/os-hypervisors/detail', hypervisors(true));
}
