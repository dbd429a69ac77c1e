import { badRequest, forbidden, isJsonObject, notFound } from '../common/index.js';
import { type Answer, answer } from '../gateway/index.js';
import type { Pod } from '../pods/index.js';
import type { PolicyEnforcer } from '../policy/index.js';
import { qLast, requireAdmin, type NovaCall } from './call.js';
import type { PodForwarder } from './forward.js';
import { type PodGather, podOfHost, topHost, topIntId } from './gather.js';
import { gathered } from './infra.js';
import { nextLink } from './links.js';
import type { ServerLocator } from './servers/locator.js';

type Json = Record<string, unknown>;

const str = (v: unknown) => (v === undefined || v === null ? '' : String(v));
const truthy = (v: string | undefined) => v !== undefined && ['1', 't', 'true', 'on', 'y', 'yes'].includes(v.toLowerCase());

/**
 * What happened in the pods, as one region's: migrations (`os-migrations`), tenant usage
 * (`os-simple-tenant-usage`), the instance usage audit log, and server external events routed to
 * the servers' pods.
 */
export class ActivityService {
  constructor(private readonly deps: { gather: PodGather; forwarder: PodForwarder; locator: ServerLocator; policy: PolicyEnforcer; maxLimit: number }) {}

  private limitOf(call: NovaCall): number {
    const text = qLast(call.query, 'limit');
    if (text === undefined) return this.deps.maxLimit;
    if (!/^\d+$/.test(text)) throw badRequest(`Invalid input for query parameters limit. Value: ${text}. '${text}' does not match '^[0-9]*$'`);
    return Math.min(Number(text), this.deps.maxLimit);
  }

  // ------------------------------------------------------------------------------------------
  // Migrations

  migrationView(pod: Pod, m: Json): Json {
    const out: Json = { ...m, id: topIntId(pod, m.id) };
    for (const k of ['source_compute', 'dest_compute', 'source_node', 'dest_node']) if (k in m) out[k] = topHost(pod, m[k]);
    return out;
  }

  /** `GET /os-migrations`: every pod's migrations, newest first; 2.59 pages by the migration uuid. */
  async migrations(call: NovaCall): Promise<Answer> {
    requireAdmin(this.deps.policy, call.ctx, 'os_compute_api:os-migrations:index');
    const q = new URLSearchParams(call.rawQuery);
    q.delete('limit');
    q.delete('marker');
    let pods: Pod[] | undefined;
    for (const key of ['host', 'source_compute']) {
      const host = q.get(key);
      if (host === null) continue;
      const found = podOfHost((await this.deps.gather.pods()).up, host);
      if (!found) return answer(200, { migrations: [] });
      q.set(key, found.host);
      pods = [found.pod];
    }
    const got = await this.deps.gather.gather(call, {
      path: '/os-migrations',
      rawQuery: q.toString(),
      ...(pods ? { pods } : {}),
      extract: (body) => (Array.isArray(body.migrations) ? (body.migrations as Json[]) : []),
      sortKeys: [{ key: 'created_at', dir: 'desc' }],
      sortValue: (rec, key) => (key === 'created_at' ? str(rec.r.created_at) : `${rec.pod.regionName}/${str(rec.r.id)}`),
      id: (rec) => `${rec.pod.regionName}/${String(rec.r.id).padStart(12, '0')}`,
    });
    let views = got.records.map(({ pod, r }) => this.migrationView(pod, r));
    const body: Json = {};
    if (call.version.ge('2.59')) {
      const marker = qLast(call.query, 'marker');
      if (marker !== undefined) {
        const i = views.findIndex((m) => m.uuid === marker);
        if (i < 0) throw badRequest(`Marker ${marker} could not be found.`);
        views = views.slice(i + 1);
      }
      const limit = this.limitOf(call);
      if (views.length > limit && limit > 0)
        body.migrations_links = [{ href: nextLink(`${call.links.versioned}/os-migrations`, call.rawQuery, str(views[limit - 1].uuid)), rel: 'next' }];
      views = views.slice(0, limit);
    }
    return gathered({ migrations: views, ...body }, got.unavailablePods);
  }

  // ------------------------------------------------------------------------------------------
  // Tenant usage

  /**
   * `GET /os-simple-tenant-usage[/{tenant}]`: each pod's per-server usage in the period, summed per
   * project. From 2.40 the servers are paged (`limit`, `marker` = the last server's id) across pods.
   */
  async tenantUsage(call: NovaCall, tenantId?: string): Promise<Answer> {
    if (tenantId === undefined) requireAdmin(this.deps.policy, call.ctx, 'os_compute_api:os-simple-tenant-usage:list');
    else if (tenantId !== call.ctx.projectId && !call.ctx.isAdmin) throw forbidden("Policy doesn't allow os_compute_api:os-simple-tenant-usage:show to be performed.");
    const detailed = tenantId !== undefined || truthy(qLast(call.query, 'detailed'));
    const q = new URLSearchParams();
    for (const k of ['start', 'end']) {
      const v = qLast(call.query, k);
      if (v !== undefined) q.set(k, v);
    }
    q.set('detailed', '1');
    const got = await this.deps.gather.gather(call, {
      path: tenantId !== undefined ? `/os-simple-tenant-usage/${encodeURIComponent(tenantId)}` : '/os-simple-tenant-usage',
      rawQuery: q.toString(),
      extract: (body) => {
        const list = tenantId !== undefined ? [body.tenant_usage] : Array.isArray(body.tenant_usages) ? body.tenant_usages : [];
        return (list as unknown[]).filter(isJsonObject).flatMap((u) => {
          const servers = Array.isArray(u.server_usages) ? (u.server_usages as Json[]) : [];
          return servers.map((s) => ({ ...s, __start: u.start, __stop: u.stop }));
        });
      },
      sortKeys: [
        { key: 'tenant_id', dir: 'asc' },
        { key: 'started_at', dir: 'asc' },
      ],
      sortValue: (rec, key) => str(rec.r[key]),
      id: (rec) => str(rec.r.instance_id),
    });
    let servers = got.records.map((rec) => rec.r);
    const links: Json[] = [];
    if (call.version.ge('2.40')) {
      const marker = qLast(call.query, 'marker');
      if (marker !== undefined) {
        const i = servers.findIndex((s) => s.instance_id === marker);
        if (i < 0) throw badRequest(`marker [${marker}] not found`);
        servers = servers.slice(i + 1);
      }
      const limit = this.limitOf(call);
      if (servers.length > limit && limit > 0) {
        const path = tenantId !== undefined ? `os-simple-tenant-usage/${encodeURIComponent(tenantId)}` : 'os-simple-tenant-usage';
        links.push({ href: nextLink(`${call.links.versioned}/${path}`, call.rawQuery, str(servers[limit - 1].instance_id)), rel: 'next' });
      }
      servers = servers.slice(0, limit);
    }
    const byTenant = new Map<string, Json>();
    for (const s of servers) {
      const tenant = str(s.tenant_id);
      let u = byTenant.get(tenant);
      if (!u) {
        u = { start: s.__start, stop: s.__stop, tenant_id: tenant, total_hours: 0, total_local_gb_usage: 0, total_memory_mb_usage: 0, total_vcpus_usage: 0 };
        if (detailed) u.server_usages = [];
        byTenant.set(tenant, u);
      }
      const hours = Number(s.hours ?? 0);
      u.total_hours = Number(u.total_hours) + hours;
      u.total_local_gb_usage = Number(u.total_local_gb_usage) + hours * Number(s.local_gb ?? 0);
      u.total_memory_mb_usage = Number(u.total_memory_mb_usage) + hours * Number(s.memory_mb ?? 0);
      u.total_vcpus_usage = Number(u.total_vcpus_usage) + hours * Number(s.vcpus ?? 0);
      const { __start: _a, __stop: _b, ...server } = s;
      if (detailed) (u.server_usages as Json[]).push(server);
    }
    if (tenantId !== undefined) {
      const body: Json = { tenant_usage: byTenant.get(tenantId) ?? {} };
      if (links.length > 0) body.tenant_usage_links = links;
      return gathered(body, got.unavailablePods);
    }
    const body: Json = { tenant_usages: [...byTenant.values()] };
    if (links.length > 0) body.tenant_usages_links = links;
    return gathered(body, got.unavailablePods);
  }

  // ------------------------------------------------------------------------------------------
  // Instance usage audit log

  /** `GET /os-instance_usage_audit_log[/{before}]`: the pods' audit logs merged (hosts prefixed by region). */
  async auditLog(call: NovaCall, before?: string): Promise<Answer> {
    requireAdmin(this.deps.policy, call.ctx, 'os_compute_api:os-instance-usage-audit-log:list');
    const got = await this.deps.gather.gather(call, {
      path: before !== undefined ? `/os-instance_usage_audit_log/${encodeURIComponent(before)}` : '/os-instance_usage_audit_log',
      extract: (body) => {
        const log = body.instance_usage_audit_log ?? body.instance_usage_audit_logs;
        return isJsonObject(log) ? [log] : [];
      },
      sortKeys: [],
      sortValue: () => undefined,
      id: (rec) => rec.pod.id,
    });
    const merged: Json = {
      hosts_not_run: [] as unknown[],
      log: {} as Json,
      num_hosts: 0,
      num_hosts_done: 0,
      num_hosts_not_run: 0,
      num_hosts_running: 0,
      overall_status: '',
      period_beginning: '',
      period_ending: '',
      total_errors: 0,
      total_instances: 0,
    };
    for (const { pod, r } of got.records) {
      (merged.hosts_not_run as unknown[]).push(...(Array.isArray(r.hosts_not_run) ? r.hosts_not_run.map((h) => topHost(pod, h)) : []));
      if (isJsonObject(r.log)) for (const [h, v] of Object.entries(r.log)) (merged.log as Json)[str(topHost(pod, h))] = v;
      for (const k of ['num_hosts', 'num_hosts_done', 'num_hosts_not_run', 'num_hosts_running', 'total_errors', 'total_instances'])
        merged[k] = Number(merged[k]) + Number(r[k] ?? 0);
      merged.period_beginning ||= r.period_beginning;
      merged.period_ending ||= r.period_ending;
    }
    merged.overall_status =
      merged.num_hosts_done === merged.num_hosts
        ? `ALL hosts done. ${str(merged.total_errors)} errors.`
        : `${str(merged.num_hosts_done)} of ${str(merged.num_hosts)} hosts done. ${str(merged.total_errors)} errors.`;
    return gathered(before !== undefined ? { instance_usage_audit_log: merged } : { instance_usage_audit_logs: merged }, got.unavailablePods);
  }

  // ------------------------------------------------------------------------------------------
  // Server external events

  /**
   * `POST /os-server-external-events` (admin): each event goes to its server's pod; events for
   * servers the gateway does not route are 404 entries. 200 when all were accepted, 207 when some
   * were, 404 when none.
   */
  async externalEvents(call: NovaCall<{ events: Json[] }>): Promise<Answer> {
    requireAdmin(this.deps.policy, call.ctx, 'os_compute_api:os-server-external-events:create');
    const events = call.body.events;
    const results: Json[] = events.map((e) => ({ ...e, status: e.status ?? 'completed', code: 404 }));
    const byPod = new Map<string, { pod: Pod; idx: number[] }>();
    const bottomIds = new Map<number, string>();
    for (const [i, e] of events.entries()) {
      const route = await this.deps.locator.route(str(e.server_uuid));
      if (!route) continue;
      const located = await this.deps.locator.locate(call.ctx, route.serverId).catch(() => undefined);
      if (!located) continue;
      const entry = byPod.get(located.pod.id) ?? { pod: located.pod, idx: [] };
      entry.idx.push(i);
      bottomIds.set(i, located.route.bottomId);
      byPod.set(located.pod.id, entry);
    }
    await Promise.all(
      [...byPod.values()].map(async ({ pod, idx }) => {
        const res = await this.deps.forwarder.send(call, pod, {
          method: 'POST',
          path: '/os-server-external-events',
          body: { events: idx.map((i) => ({ ...events[i], server_uuid: bottomIds.get(i) })) },
        });
        let body: unknown;
        try {
          body = JSON.parse(res.body.toString('utf8'));
        } catch {
          body = undefined;
        }
        const answered = isJsonObject(body) && Array.isArray(body.events) ? (body.events as Json[]) : [];
        idx.forEach((i, n) => {
          const got = answered[n];
          results[i] = got ? { ...got, server_uuid: events[i].server_uuid } : { ...results[i], code: res.status >= 500 ? 500 : 400 };
        });
      }),
    );
    const codes = results.map((r) => Number(r.code));
    if (codes.every((c) => c === 404)) throw notFound('No instances found for any event');
    return answer(codes.every((c) => c === 200) ? 200 : 207, { events: results });
  }
}
