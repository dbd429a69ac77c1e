// Routes: server groups, services, hypervisors, hosts, migrations, tenant usage, the usage audit
// log and server external events.
import { randomUUID } from 'node:crypto';
import { SimServiceError } from '../../types.js';
import { nextLink, rawQueryOf } from '../apiutil.js';
import type { NovaServices } from '../services.js';
import { params, query, type NovaRouter } from '../router.js';

export function adminRoutes(r: NovaRouter, s: NovaServices): void {
  const { admin, links } = s;

  r.get('/os-server-groups', (ctx, req) => ({ server_groups: admin.listGroups(ctx, query(req)).map((g) => admin.groupView(ctx, g)) }));
  r.post('/os-server-groups', (ctx, req) => ({ server_group: admin.groupView(ctx, admin.createGroup(ctx, req.body)) }));
  r.get('/os-server-groups/:id', (ctx, req) => ({ server_group: admin.groupView(ctx, admin.group(ctx, params(req).id)) }));
  r.delete('/os-server-groups/:id', (ctx, req, reply) => {
    admin.deleteGroup(ctx, params(req).id);
    return reply.code(204).send();
  });

  r.get('/os-services', (ctx, req) => ({ services: admin.listServices(ctx, query(req)) }));
  r.put('/os-services/:id', (ctx, req) => {
    const id = params(req).id;
    if (['enable', 'disable', 'disable-log-reason', 'force-down'].includes(id) && ctx.version.lt('2.53')) return admin.updateServiceLegacy(ctx, id, req.body);
    return { service: admin.updateService(ctx, id, req.body) };
  });
  r.delete('/os-services/:id', (ctx, req, reply) => {
    admin.deleteService(ctx, params(req).id);
    return reply.code(204).send();
  });

  r.get('/os-hypervisors', (ctx, req) => ({ hypervisors: admin.listHypervisors(ctx, query(req), false) }));
  r.get('/os-hypervisors/detail', (ctx, req) => ({ hypervisors: admin.listHypervisors(ctx, query(req), true) }));
  r.get('/os-hypervisors/statistics', (ctx) => ({ hypervisor_statistics: admin.statistics(ctx) }));
  r.get('/os-hypervisors/:id', (ctx, req) => ({ hypervisor: admin.showHypervisor(ctx, params(req).id, query(req)) }));
  r.get('/os-hypervisors/:id/uptime', (ctx, req) => ({ hypervisor: admin.hypervisorUptime(ctx, params(req).id) }));
  r.get('/os-hypervisors/:id/search', (ctx, req) => ({ hypervisors: admin.searchHypervisors(ctx, params(req).id, false) }));
  r.get('/os-hypervisors/:id/servers', (ctx, req) => ({ hypervisors: admin.searchHypervisors(ctx, params(req).id, true) }));

  r.get('/os-hosts', (ctx, req) => ({ hosts: admin.listHosts(ctx, query(req)) }));
  r.get('/os-hosts/:host', (ctx, req) => ({ host: admin.showHost(ctx, params(req).host) }));

  r.put('/os-hosts/:host', (ctx, req) => admin.hostAction(ctx, params(req).host, 'maintenance mode or status changes'));
  for (const action of ['reboot', 'shutdown', 'startup']) r.get(`/os-hosts/:host/${action}`, (ctx, req) => admin.hostAction(ctx, params(req).host, action));

  r.get('/os-console-auth-tokens/:token', (ctx, req) => ({ console: admin.consoleToken(ctx, params(req).token) }), { minVersion: '2.31' });

  r.post('/os-assisted-volume-snapshots', (ctx, req) => {
    if (!ctx.caller.isAdmin) throw new SimServiceError(403, "Policy doesn't allow os_compute_api:os-assisted-volume-snapshots:create to be performed.");
    const snap = (req.body as { snapshot?: { volume_id?: string; create_info?: { snapshot_id?: string } } } | undefined)?.snapshot;
    if (!snap?.volume_id || !snap.create_info) throw new SimServiceError(400, "Invalid input for field/attribute snapshot. Value: None. 'snapshot' is a required property");
    return { snapshot: { id: snap.create_info.snapshot_id ?? randomUUID(), volumeId: snap.volume_id } };
  });
  r.delete('/os-assisted-volume-snapshots/:id', (ctx, _req, reply) => {
    if (!ctx.caller.isAdmin) throw new SimServiceError(403, "Policy doesn't allow os_compute_api:os-assisted-volume-snapshots:delete to be performed.");
    return reply.code(204).send();
  });

  r.get('/os-migrations', (ctx, req) => {
    const { migrations, next } = admin.listMigrations(ctx, query(req));
    return next !== undefined
      ? { migrations, migrations_links: [{ href: nextLink(links.versioned(ctx, 'os-migrations'), rawQueryOf(req.url), next), rel: 'next' }] }
      : { migrations };
  });

  r.get('/os-simple-tenant-usage', (ctx, req) => ({ tenant_usages: admin.tenantUsage(ctx, query(req), undefined) }));
  r.get('/os-simple-tenant-usage/:tenant_id', (ctx, req) => ({ tenant_usage: admin.tenantUsage(ctx, query(req), params(req).tenant_id)[0] ?? {} }));

  r.get('/os-instance_usage_audit_log', (ctx) => ({ instance_usage_audit_logs: admin.auditLog(ctx, undefined) }));
  r.get('/os-instance_usage_audit_log/:before', (ctx, req) => ({ instance_usage_audit_log: admin.auditLog(ctx, params(req).before) }));

  r.post('/os-server-external-events', (ctx, req, reply) => {
    const { status, events } = admin.externalEvents(ctx, req.body);
    return reply.code(status).send({ events });
  });
}
