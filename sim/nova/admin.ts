// The simulated Nova's operator-facing resources of one pod: server groups (with host-level
// policies used when booting), compute services and hypervisors, hosts, migrations, tenant usage and
// the instance usage audit log.
import { createHash, randomUUID } from 'node:crypto';
import { SimServiceError } from '../types.js';
import { isoMicro, parseIsoTime, qLast, type Query } from './apiutil.js';
import type { NovaCtx } from './context.js';
import type { Server } from './model.js';
import type { ServerService } from './servers.js';
import { validateBody, type Schema } from './validate.js';

export type GroupPolicy = 'affinity' | 'anti-affinity' | 'soft-affinity' | 'soft-anti-affinity';

export interface ServerGroup {
  id: string;
  name: string;
  policy: GroupPolicy;
  rules: Record<string, number>;
  projectId: string;
  userId: string;
  members: string[];
  createdAt: Date;
}

export interface Migration {
  id: number;
  uuid: string;
  serverId: string;
  projectId: string;
  userId: string;
  type: 'migration' | 'resize' | 'live-migration' | 'evacuation';
  status: string;
  sourceHost: string;
  destHost: string;
  oldFlavorId: string;
  newFlavorId: string;
  createdAt: Date;
  updatedAt: Date;
}

interface ServiceRecord {
  id: number;
  binary: string;
  host: string;
  zone: string;
  disabled: boolean;
  disabledReason: string | null;
  forcedDown: boolean;
  updatedAt: Date;
}

/** A usage record of a server deleted from the pod (upstream keeps soft-deleted rows). */
interface TerminatedServer {
  server: Server;
  terminatedAt: Date;
}

function requireAdmin(ctx: NovaCtx, policy: string): void {
  if (!ctx.caller.isAdmin) throw new SimServiceError(403, `Policy doesn't allow ${policy} to be performed.`);
}

/** A stable UUID from a name (the simulated pod's service and hypervisor UUIDs). */
function nameUuid(name: string): string {
  const h = createHash('sha1').update(name).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((Number.parseInt(h[16], 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const POLICIES_OLD: Schema = { type: 'array', minItems: 1, maxItems: 1, items: { type: 'string', enum: ['affinity', 'anti-affinity'] } };

function groupSchema(ctx: NovaCtx): Schema {
  const v = ctx.version;
  const name: Schema = { type: 'string', minLength: 1, maxLength: 255 };
  const policyNames = v.ge('2.15') ? ['affinity', 'anti-affinity', 'soft-affinity', 'soft-anti-affinity'] : ['affinity', 'anti-affinity'];
  const group: Schema = v.ge('2.64')
    ? {
        type: 'object',
        properties: {
          name,
          policy: { type: 'string', enum: policyNames },
          rules: { type: 'object', properties: { max_server_per_host: { type: ['integer', 'string'], pattern: '^[0-9]*$', minimum: 1 } }, additionalProperties: false },
        },
        required: ['name', 'policy'],
        additionalProperties: false,
      }
    : {
        type: 'object',
        properties: { name, policies: { ...POLICIES_OLD, items: { type: 'string', enum: policyNames } } },
        required: ['name', 'policies'],
        additionalProperties: false,
      };
  return { type: 'object', properties: { server_group: group }, required: ['server_group'], additionalProperties: false };
}

export class AdminResources {
  readonly groups = new Map<string, ServerGroup>();
  readonly migrations: Migration[] = [];
  readonly terminated: TerminatedServer[] = [];
  /** Console tokens the pod issued (remote consoles), for `os-console-auth-tokens`. */
  readonly consoleTokens = new Map<string, { serverId: string; host: string }>();
  private readonly services: ServiceRecord[] = [];
  private migrationSeq = 0;

  constructor(private readonly servers: ServerService) {
    const ctl = `${servers.hosts[0]}-ctl`;
    const now = new Date();
    const add = (binary: string, host: string, zone: string) =>
      this.services.push({ id: this.services.length + 1, binary, host, zone, disabled: false, disabledReason: null, forcedDown: false, updatedAt: now });
    add('nova-scheduler', ctl, 'internal');
    add('nova-conductor', ctl, 'internal');
    for (const h of servers.hosts) add('nova-compute', h, servers.deps.az);
  }

  // ------------------------------------------------------------------------------------------
  // Server groups

  groupView(ctx: NovaCtx, g: ServerGroup): Record<string, unknown> {
    const members = g.members.filter((id) => this.servers.state.servers.has(id));
    const out: Record<string, unknown> = { id: g.id, name: g.name };
    if (ctx.version.ge('2.64')) {
      out.policy = g.policy;
      out.rules = g.rules;
      out.members = members;
    } else {
      out.policies = [g.policy];
      out.members = members;
      out.metadata = {};
    }
    if (ctx.version.ge('2.13')) {
      out.project_id = g.projectId;
      out.user_id = g.userId;
    }
    return out;
  }

  createGroup(ctx: NovaCtx, body: unknown): ServerGroup {
    validateBody(groupSchema(ctx), body);
    const b = (body as { server_group: { name: string; policy?: GroupPolicy; policies?: GroupPolicy[]; rules?: Record<string, unknown> } }).server_group;
    const policy = b.policy ?? b.policies![0];
    const rules: Record<string, number> = {};
    if (b.rules && Object.keys(b.rules).length > 0) {
      if (policy !== 'anti-affinity') throw new SimServiceError(400, "Only anti-affinity policy supports 'max_server_per_host' rule.");
      rules.max_server_per_host = Number(b.rules.max_server_per_host);
    }
    const limit = this.servers.state.quotaLimits(ctx.caller.projectId).server_groups;
    const used = [...this.groups.values()].filter((g) => g.projectId === ctx.caller.projectId).length;
    if (limit >= 0 && used + 1 > limit) throw new SimServiceError(403, 'Quota exceeded, too many server groups.');
    const g: ServerGroup = { id: randomUUID(), name: b.name, policy, rules, projectId: ctx.caller.projectId, userId: ctx.caller.userId, members: [], createdAt: new Date() };
    this.groups.set(g.id, g);
    return g;
  }

  group(ctx: NovaCtx, id: string): ServerGroup {
    const g = this.groups.get(id);
    if (!g || (!ctx.caller.isAdmin && g.projectId !== ctx.caller.projectId)) throw new SimServiceError(404, `Instance group ${id} could not be found.`);
    return g;
  }

  listGroups(ctx: NovaCtx, query: Query): ServerGroup[] {
    const all = ctx.caller.isAdmin && qLast(query, 'all_projects') !== undefined && !['0', 'false', 'no', 'off'].includes(String(qLast(query, 'all_projects')).toLowerCase());
    let list = [...this.groups.values()].filter((g) => all || g.projectId === ctx.caller.projectId).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
    const offset = Number(qLast(query, 'offset') ?? 0);
    const limit = qLast(query, 'limit');
    list = list.slice(offset, limit !== undefined ? offset + Number(limit) : undefined);
    return list;
  }

  deleteGroup(ctx: NovaCtx, id: string): void {
    this.groups.delete(this.group(ctx, id).id);
  }

  /**
   * The group a boot names in its scheduler hints, checked against the member quota (403 as
   * upstream); undefined when the boot names none.
   */
  groupForBoot(ctx: NovaCtx, req: Record<string, unknown>, count: number): ServerGroup | undefined {
    const hints = (req['os:scheduler_hints'] ?? req['OS-SCH-HNT:scheduler_hints']) as Record<string, unknown> | undefined;
    const raw = hints?.group;
    if (raw === undefined) return undefined;
    const id = String(Array.isArray(raw) ? raw[0] : raw);
    const g = this.groups.get(id);
    if (!g || (!ctx.caller.isAdmin && g.projectId !== ctx.caller.projectId)) throw new SimServiceError(400, `Invalid input: Group ${id} could not be found.`);
    const limit = this.servers.state.quotaLimits(g.projectId).server_group_members;
    const members = g.members.filter((m) => this.servers.state.servers.has(m)).length;
    if (limit >= 0 && members + count > limit) throw new SimServiceError(403, 'Quota exceeded, too many servers in group');
    return g;
  }

  /**
   * The host for a new member of a group under its policy, or undefined when a hard policy cannot be
   * met (the server then goes to ERROR: "No valid host was found").
   */
  hostForMember(g: ServerGroup, pick: (allowed: string[]) => string): string | undefined {
    const hosts = this.servers.hosts;
    const memberHosts = g.members.map((id) => this.servers.state.servers.get(id)?.host).filter((h): h is string => typeof h === 'string');
    const count = (h: string) => memberHosts.filter((x) => x === h).length;
    switch (g.policy) {
      case 'affinity':
        return memberHosts.length > 0 ? memberHosts[0] : pick(hosts);
      case 'soft-affinity':
        return memberHosts.length > 0 ? memberHosts[0] : pick(hosts);
      case 'anti-affinity': {
        const max = g.rules.max_server_per_host ?? 1;
        const free = hosts.filter((h) => count(h) < max);
        return free.length > 0 ? pick(free) : undefined;
      }
      case 'soft-anti-affinity': {
        const least = Math.min(...hosts.map(count));
        return pick(hosts.filter((h) => count(h) === least));
      }
    }
  }

  forgetMember(serverId: string): void {
    for (const g of this.groups.values()) g.members = g.members.filter((m) => m !== serverId);
  }

  groupsOf(serverId: string): string[] {
    return [...this.groups.values()].filter((g) => g.members.includes(serverId)).map((g) => g.id);
  }

  // ------------------------------------------------------------------------------------------
  // Services, hypervisors, hosts

  private serviceId(ctx: NovaCtx, s: ServiceRecord): number | string {
    return ctx.version.ge('2.53') ? nameUuid(`service:${s.binary}:${s.host}`) : s.id;
  }

  serviceView(ctx: NovaCtx, s: ServiceRecord): Record<string, unknown> {
    const out: Record<string, unknown> = {
      id: this.serviceId(ctx, s),
      binary: s.binary,
      disabled_reason: s.disabledReason,
      host: s.host,
      state: s.forcedDown ? 'down' : 'up',
      status: s.disabled ? 'disabled' : 'enabled',
      updated_at: isoMicro(s.updatedAt),
      zone: s.zone,
    };
    if (ctx.version.ge('2.11')) out.forced_down = s.forcedDown;
    return out;
  }

  listServices(ctx: NovaCtx, query: Query): Record<string, unknown>[] {
    requireAdmin(ctx, 'os_compute_api:os-services:list');
    const host = qLast(query, 'host');
    const binary = qLast(query, 'binary');
    return this.services.filter((s) => (host === undefined || s.host === host) && (binary === undefined || s.binary === binary)).map((s) => this.serviceView(ctx, s));
  }

  private findService(ctx: NovaCtx, id: string): ServiceRecord {
    const s = this.services.find((x) => String(this.serviceId(ctx, x)) === id);
    if (!s) throw new SimServiceError(404, `Service ${id} not found.`);
    return s;
  }

  /** `PUT /os-services/{id}` (2.53+): status, disabled_reason, forced_down. */
  updateService(ctx: NovaCtx, id: string, body: unknown): Record<string, unknown> {
    requireAdmin(ctx, 'os_compute_api:os-services:update');
    if (ctx.version.lt('2.53')) throw new SimServiceError(404, 'The resource could not be found.');
    validateBody(
      {
        type: 'object',
        properties: {
          status: { type: 'string', enum: ['enabled', 'disabled'] },
          disabled_reason: { type: 'string', minLength: 1, maxLength: 255 },
          forced_down: { type: 'boolean' },
        },
        additionalProperties: false,
      },
      body,
    );
    const b = body as { status?: string; disabled_reason?: string; forced_down?: boolean };
    if (b.status === undefined && b.forced_down === undefined) throw new SimServiceError(400, "No updates were requested. Fields 'status' or 'forced_down' should be specified.");
    if (b.disabled_reason !== undefined && b.status !== 'disabled') throw new SimServiceError(400, "Specifying 'disabled_reason' with status 'enabled' is invalid.");
    const s = this.findService(ctx, id);
    if (b.status !== undefined && s.binary !== 'nova-compute') {
      throw new SimServiceError(400, `Updating a ${s.binary} service is not supported. Only nova-compute services can be updated.`);
    }
    if (b.status === 'disabled') {
      s.disabled = true;
      s.disabledReason = b.disabled_reason ?? null;
    } else if (b.status === 'enabled') {
      s.disabled = false;
      s.disabledReason = null;
    }
    if (b.forced_down !== undefined) s.forcedDown = b.forced_down;
    s.updatedAt = new Date();
    return this.serviceView(ctx, s);
  }

  /** The pre-2.53 `PUT /os-services/{enable,disable,disable-log-reason,force-down}` forms. */
  updateServiceLegacy(ctx: NovaCtx, action: string, body: unknown): Record<string, unknown> {
    requireAdmin(ctx, 'os_compute_api:os-services:update');
    if (ctx.version.ge('2.53')) throw new SimServiceError(404, 'The resource could not be found.');
    const b = (body ?? {}) as { host?: string; binary?: string; disabled_reason?: string; forced_down?: boolean };
    const s = this.services.find((x) => x.host === b.host && x.binary === b.binary);
    if (!s) throw new SimServiceError(404, 'Host not found');
    const out: Record<string, unknown> = { host: s.host, binary: s.binary };
    if (action === 'enable') {
      s.disabled = false;
      s.disabledReason = null;
      out.status = 'enabled';
    } else if (action === 'disable' || action === 'disable-log-reason') {
      s.disabled = true;
      s.disabledReason = action === 'disable-log-reason' ? (b.disabled_reason ?? null) : null;
      out.status = 'disabled';
      if (action === 'disable-log-reason') out.disabled_reason = s.disabledReason;
    } else if (action === 'force-down') {
      if (ctx.version.lt('2.11')) throw new SimServiceError(404, 'The resource could not be found.');
      s.forcedDown = Boolean(b.forced_down);
      out.forced_down = s.forcedDown;
    } else throw new SimServiceError(404, 'Unknown action');
    s.updatedAt = new Date();
    return { service: out };
  }

  deleteService(ctx: NovaCtx, id: string): void {
    requireAdmin(ctx, 'os_compute_api:os-services:delete');
    const s = this.findService(ctx, id);
    if (s.binary === 'nova-compute' && [...this.servers.state.servers.values()].some((x) => x.host === s.host)) {
      throw new SimServiceError(409, `Unable to delete compute service that is hosting instances. Migrate or delete the instances first.`);
    }
    this.services.splice(this.services.indexOf(s), 1);
  }

  private hypervisorId(ctx: NovaCtx, host: string): number | string {
    return ctx.version.ge('2.53') ? nameUuid(`hypervisor:${host}`) : this.servers.hosts.indexOf(host) + 1;
  }

  private computeHosts(): string[] {
    return this.servers.hosts.filter((h) => this.services.some((s) => s.binary === 'nova-compute' && s.host === h));
  }

  hypervisorView(ctx: NovaCtx, host: string, detail: boolean, withServers: boolean): Record<string, unknown> {
    const svc = this.services.find((s) => s.binary === 'nova-compute' && s.host === host)!;
    const out: Record<string, unknown> = {
      id: this.hypervisorId(ctx, host),
      hypervisor_hostname: host,
      state: svc.forcedDown ? 'down' : 'up',
      status: svc.disabled ? 'disabled' : 'enabled',
    };
    const mine = [...this.servers.state.servers.values()].filter((x) => x.host === host);
    if (withServers) out.servers = mine.map((x) => ({ name: x.instanceName, uuid: x.id }));
    if (!detail) return out;
    Object.assign(out, {
      host_ip: `192.0.2.${10 + this.servers.hosts.indexOf(host)}`,
      hypervisor_type: 'QEMU',
      hypervisor_version: 6002000,
      service: { host, id: this.serviceId(ctx, svc), disabled_reason: svc.disabledReason },
    });
    if (ctx.version.lt('2.88')) {
      const ram = mine.reduce((n, x) => n + x.flavor.ram, 0);
      const disk = mine.reduce((n, x) => n + x.flavor.disk, 0);
      Object.assign(out, {
        vcpus: 64,
        memory_mb: 262144,
        local_gb: 2000,
        vcpus_used: mine.reduce((n, x) => n + x.flavor.vcpus, 0),
        memory_mb_used: 512 + ram,
        local_gb_used: disk,
        free_ram_mb: 262144 - 512 - ram,
        free_disk_gb: 2000 - disk,
        current_workload: 0,
        running_vms: mine.length,
        disk_available_least: 2000 - disk,
        cpu_info: ctx.version.ge('2.28') ? {} : '{}',
      });
    } else out.uptime = this.uptime();
    return out;
  }

  private uptime(): string {
    return ' 10:00:00 up 1 day,  0 users,  load average: 0.00, 0.00, 0.00';
  }

  listHypervisors(ctx: NovaCtx, query: Query, detail: boolean): Record<string, unknown>[] {
    requireAdmin(ctx, 'os_compute_api:os-hypervisors:list');
    const pattern = ctx.version.ge('2.53') ? qLast(query, 'hypervisor_hostname_pattern') : undefined;
    const withServers = ctx.version.ge('2.53') && ['1', 'true', 'yes', 'on'].includes(String(qLast(query, 'with_servers') ?? '').toLowerCase());
    let hosts = this.computeHosts();
    if (pattern !== undefined) {
      hosts = hosts.filter((h) => h.includes(pattern));
      if (hosts.length === 0) throw new SimServiceError(404, `No hypervisor matching '${pattern}' could be found.`);
    }
    const marker = qLast(query, 'marker');
    if (marker !== undefined) {
      const i = hosts.findIndex((h) => String(this.hypervisorId(ctx, h)) === marker);
      if (i < 0) throw new SimServiceError(400, `marker [${marker}] not found`);
      hosts = hosts.slice(i + 1);
    }
    const limit = qLast(query, 'limit');
    if (limit !== undefined) hosts = hosts.slice(0, Number(limit));
    return hosts.map((h) => this.hypervisorView(ctx, h, detail, withServers));
  }

  private hostOfHypervisor(ctx: NovaCtx, id: string): string {
    const h = this.computeHosts().find((x) => String(this.hypervisorId(ctx, x)) === id);
    if (!h) throw new SimServiceError(404, `Hypervisor with ID ${id} could not be found.`);
    return h;
  }

  showHypervisor(ctx: NovaCtx, id: string, query: Query): Record<string, unknown> {
    requireAdmin(ctx, 'os_compute_api:os-hypervisors:show');
    const withServers = ctx.version.ge('2.53') && ['1', 'true', 'yes', 'on'].includes(String(qLast(query, 'with_servers') ?? '').toLowerCase());
    return this.hypervisorView(ctx, this.hostOfHypervisor(ctx, id), true, withServers);
  }

  hypervisorUptime(ctx: NovaCtx, id: string): Record<string, unknown> {
    requireAdmin(ctx, 'os_compute_api:os-hypervisors:uptime');
    if (ctx.version.ge('2.88')) throw new SimServiceError(404, 'The resource could not be found.');
    const host = this.hostOfHypervisor(ctx, id);
    return { ...this.hypervisorView(ctx, host, false, false), uptime: this.uptime() };
  }

  /** `GET /os-hypervisors/{pattern}/search` and `/servers` (until 2.52). */
  searchHypervisors(ctx: NovaCtx, pattern: string, withServers: boolean): Record<string, unknown>[] {
    requireAdmin(ctx, 'os_compute_api:os-hypervisors:search');
    if (ctx.version.ge('2.53')) throw new SimServiceError(404, 'The resource could not be found.');
    const hosts = this.computeHosts().filter((h) => h.includes(pattern));
    if (hosts.length === 0) throw new SimServiceError(404, `No hypervisor matching '${pattern}' could be found.`);
    return hosts.map((h) => this.hypervisorView(ctx, h, false, withServers));
  }

  statistics(ctx: NovaCtx): Record<string, number> {
    requireAdmin(ctx, 'os_compute_api:os-hypervisors:statistics');
    if (ctx.version.ge('2.88')) throw new SimServiceError(404, 'The resource could not be found.');
    const keys = [
      'vcpus',
      'memory_mb',
      'local_gb',
      'vcpus_used',
      'memory_mb_used',
      'local_gb_used',
      'free_ram_mb',
      'free_disk_gb',
      'current_workload',
      'running_vms',
      'disk_available_least',
    ];
    const stats: Record<string, number> = { count: 0 };
    for (const k of keys) stats[k] = 0;
    for (const h of this.computeHosts()) {
      const v = this.hypervisorView(ctx, h, true, false);
      stats.count += 1;
      for (const k of keys) stats[k] += Number(v[k] ?? 0);
    }
    return stats;
  }

  listHosts(ctx: NovaCtx, query: Query): Record<string, unknown>[] {
    requireAdmin(ctx, 'os_compute_api:os-hosts:list');
    if (ctx.version.ge('2.43')) throw new SimServiceError(404, 'The resource could not be found.');
    const zone = qLast(query, 'zone');
    return this.services.filter((s) => zone === undefined || s.zone === zone).map((s) => ({ host_name: s.host, service: s.binary.replace(/^nova-/, ''), zone: s.zone }));
  }

  showHost(ctx: NovaCtx, host: string): Record<string, unknown>[] {
    requireAdmin(ctx, 'os_compute_api:os-hosts:show');
    if (ctx.version.ge('2.43')) throw new SimServiceError(404, 'The resource could not be found.');
    if (!this.computeHosts().includes(host)) throw new SimServiceError(404, `Compute host ${host} could not be found.`);
    const mine = [...this.servers.state.servers.values()].filter((x) => x.host === host);
    const res = (project: string, list: Server[]) => ({
      resource: {
        host,
        project,
        cpu: list.reduce((n, x) => n + x.flavor.vcpus, 0),
        memory_mb: list.reduce((n, x) => n + x.flavor.ram, 0),
        disk_gb: list.reduce((n, x) => n + x.flavor.disk, 0),
      },
    });
    const out = [{ resource: { host, project: '(total)', cpu: 64, memory_mb: 262144, disk_gb: 2000 } }, res('(used_now)', mine), res('(used_max)', mine)];
    for (const p of [...new Set(mine.map((x) => x.projectId))].sort())
      out.push(
        res(
          p,
          mine.filter((x) => x.projectId === p),
        ),
      );
    return out;
  }

  // ------------------------------------------------------------------------------------------
  // Migrations

  recordMigration(ctx: NovaCtx, server: Server, type: Migration['type'], source: string, dest: string, newFlavorId: string): Migration {
    const now = new Date();
    const m: Migration = {
      id: ++this.migrationSeq,
      uuid: randomUUID(),
      serverId: server.id,
      projectId: server.projectId,
      userId: ctx.caller.userId,
      type,
      status: type === 'live-migration' ? 'completed' : 'finished',
      sourceHost: source,
      destHost: dest,
      oldFlavorId: server.flavor.id,
      newFlavorId,
      createdAt: now,
      updatedAt: now,
    };
    this.migrations.push(m);
    return m;
  }

  /** Marks a server's unconfirmed resize/migration confirmed or reverted. */
  settleMigration(serverId: string, status: 'confirmed' | 'reverted'): void {
    for (const m of this.migrations) {
      if (m.serverId === serverId && m.status === 'finished') {
        m.status = status;
        m.updatedAt = new Date();
      }
    }
  }

  migrationView(ctx: NovaCtx, m: Migration): Record<string, unknown> {
    const out: Record<string, unknown> = {
      id: m.id,
      created_at: isoMicro(m.createdAt),
      updated_at: isoMicro(m.updatedAt),
      dest_compute: m.destHost,
      dest_host: '192.0.2.1',
      dest_node: m.destHost,
      source_compute: m.sourceHost,
      source_node: m.sourceHost,
      instance_uuid: m.serverId,
      old_instance_type_id: Number(m.oldFlavorId) || 1,
      new_instance_type_id: Number(m.newFlavorId) || 1,
      status: m.status,
      dest_region: undefined,
    };
    delete out.dest_region;
    if (ctx.version.ge('2.23')) out.migration_type = m.type;
    if (ctx.version.ge('2.59')) out.uuid = m.uuid;
    if (ctx.version.ge('2.80')) {
      out.project_id = m.projectId;
      out.user_id = m.userId;
    }
    return out;
  }

  listMigrations(ctx: NovaCtx, query: Query): { migrations: Record<string, unknown>[]; next?: string } {
    requireAdmin(ctx, 'os_compute_api:os-migrations:index');
    const eq = (key: string, get: (m: Migration) => string) => {
      const v = qLast(query, key);
      return (m: Migration) => v === undefined || get(m) === v;
    };
    const preds = [
      eq('status', (m) => m.status),
      eq('migration_type', (m) => m.type),
      eq('instance_uuid', (m) => m.serverId),
      eq('source_compute', (m) => m.sourceHost),
      eq('host', (m) => m.sourceHost),
    ];
    if (ctx.version.ge('2.80'))
      preds.push(
        eq('project_id', (m) => m.projectId),
        eq('user_id', (m) => m.userId),
      );
    const since = ctx.version.ge('2.59') ? qLast(query, 'changes-since') : undefined;
    const sinceAt = since !== undefined ? parseIsoTime(since) : undefined;
    // Newest first, as upstream (created_at desc, id desc).
    let list = this.migrations
      .filter((m) => preds.every((p) => p(m)) && (sinceAt === undefined || m.updatedAt >= sinceAt))
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b.id - a.id);
    let next: string | undefined;
    if (ctx.version.ge('2.59')) {
      const marker = qLast(query, 'marker');
      if (marker !== undefined) {
        const i = list.findIndex((m) => m.uuid === marker);
        if (i < 0) throw new SimServiceError(400, `Marker ${marker} could not be found.`);
        list = list.slice(i + 1);
      }
      const limit = qLast(query, 'limit');
      if (limit !== undefined) {
        const n = Number(limit);
        if (list.length > n && n > 0) next = list[n - 1].uuid;
        list = list.slice(0, n);
      }
    }
    return { migrations: list.map((m) => this.migrationView(ctx, m)), ...(next !== undefined ? { next } : {}) };
  }

  // ------------------------------------------------------------------------------------------
  // Usage

  recordTermination(server: Server): void {
    this.terminated.push({ server: { ...server }, terminatedAt: new Date() });
    this.forgetMember(server.id);
  }

  /**
   * `os-simple-tenant-usage` records of the pod for [start, end): one per project (all, or the one
   * given), with per-server usage when detailed.
   */
  tenantUsage(ctx: NovaCtx, query: Query, projectId: string | undefined): Record<string, unknown>[] {
    if (projectId === undefined) requireAdmin(ctx, 'os_compute_api:os-simple-tenant-usage:list');
    else if (projectId !== ctx.caller.projectId && !ctx.caller.isAdmin)
      throw new SimServiceError(403, "Policy doesn't allow os_compute_api:os-simple-tenant-usage:show to be performed.");
    const now = new Date();
    const parse = (key: string, dflt: Date) => {
      const t = qLast(query, key);
      if (t === undefined) return dflt;
      const d = parseIsoTime(t);
      if (!d) throw new SimServiceError(400, `Invalid start time. The start time cannot occur after the end time.`);
      return d;
    };
    const end = parse('end', now);
    const start = parse('start', new Date(end.getTime() - 86400000));
    if (start > end) throw new SimServiceError(400, 'Invalid start time. The start time cannot occur after the end time.');
    const detailed = projectId !== undefined || ['1', 'true', 'yes', 'on'].includes(String(qLast(query, 'detailed') ?? '').toLowerCase());
    const records: Array<{ s: Server; ended: Date | null }> = [
      ...[...this.servers.state.servers.values()].map((s) => ({ s, ended: null as Date | null })),
      ...this.terminated.map((t) => ({ s: t.server, ended: t.terminatedAt })),
    ].filter(({ s, ended }) => (projectId === undefined || s.projectId === projectId) && s.createdAt < end && (ended === null || ended > start));
    const byProject = new Map<string, typeof records>();
    for (const r of records) byProject.set(r.s.projectId, [...(byProject.get(r.s.projectId) ?? []), r]);
    const out: Record<string, unknown>[] = [];
    for (const [tenant, list] of [...byProject].sort(([a], [b]) => (a < b ? -1 : 1))) {
      let hours = 0;
      let vcpuHours = 0;
      let memHours = 0;
      let diskHours = 0;
      const servers = list.map(({ s, ended }) => {
        const from = Math.max(start.getTime(), s.createdAt.getTime());
        const to = Math.min(end.getTime(), (ended ?? now).getTime());
        const h = Math.max(0, to - from) / 3600000;
        hours += h;
        vcpuHours += h * s.flavor.vcpus;
        memHours += h * s.flavor.ram;
        diskHours += h * s.flavor.disk;
        const uptime = Math.floor(((ended ?? now).getTime() - s.createdAt.getTime()) / 1000);
        return {
          ended_at: ended ? isoMicro(ended) : null,
          flavor: s.flavor.name,
          hours: h,
          instance_id: s.id,
          local_gb: s.flavor.disk,
          memory_mb: s.flavor.ram,
          name: s.name,
          started_at: isoMicro(s.createdAt),
          state: ended ? 'terminated' : s.vmState,
          tenant_id: s.projectId,
          uptime,
          vcpus: s.flavor.vcpus,
        };
      });
      const rec: Record<string, unknown> = {
        start: isoMicro(start),
        stop: isoMicro(end),
        tenant_id: tenant,
        total_hours: hours,
        total_local_gb_usage: diskHours,
        total_memory_mb_usage: memHours,
        total_vcpus_usage: vcpuHours,
      };
      if (detailed) rec.server_usages = servers;
      out.push(rec);
    }
    return out;
  }

  auditLog(ctx: NovaCtx, before: string | undefined): Record<string, unknown> {
    requireAdmin(ctx, 'os_compute_api:os-instance-usage-audit-log:list');
    let end = new Date();
    if (before !== undefined) {
      const d = parseIsoTime(before);
      if (!d) throw new SimServiceError(400, `Invalid timestamp for date ${before}`);
      end = d;
    }
    const periodEnd = new Date(Date.UTC(end.getUTCFullYear(), end.getUTCMonth(), 1));
    const periodStart = new Date(Date.UTC(periodEnd.getUTCFullYear(), periodEnd.getUTCMonth() - 1, 1));
    const hosts = this.computeHosts();
    return {
      hosts_not_run: hosts,
      log: {},
      num_hosts: hosts.length,
      num_hosts_done: 0,
      num_hosts_not_run: hosts.length,
      num_hosts_running: 0,
      overall_status: `0 of ${hosts.length} hosts done. 0 errors.`,
      period_beginning: isoMicro(periodStart).replace('T', ' '),
      period_ending: isoMicro(periodEnd).replace('T', ' '),
      total_errors: 0,
      total_instances: 0,
    };
  }

  /** `PUT /os-hosts/{host}` and the host power actions: the simulated driver implements none (501 as libvirt). */
  hostAction(ctx: NovaCtx, host: string, what: string): never {
    requireAdmin(ctx, 'os_compute_api:os-hosts:update');
    if (ctx.version.ge('2.43')) throw new SimServiceError(404, 'The resource could not be found.');
    if (!this.computeHosts().includes(host)) throw new SimServiceError(404, `Compute host ${host} could not be found.`);
    throw new SimServiceError(501, `Virt driver does not implement host ${what}.`);
  }

  consoleToken(ctx: NovaCtx, token: string): Record<string, unknown> {
    requireAdmin(ctx, 'os_compute_api:os-console-auth-tokens:show');
    const t = this.consoleTokens.get(token);
    if (!t || !this.servers.state.servers.has(t.serverId)) throw new SimServiceError(404, `The token '${token}' is invalid or has expired`);
    const out: Record<string, unknown> = { instance_uuid: t.serverId, host: '127.0.0.1', port: 5900, internal_access_path: null };
    return out;
  }

  // ------------------------------------------------------------------------------------------
  // External events

  externalEvents(ctx: NovaCtx, body: unknown): { status: number; events: Record<string, unknown>[] } {
    requireAdmin(ctx, 'os_compute_api:os-server-external-events:create');
    const names = [
      'network-changed',
      'network-vif-plugged',
      'network-vif-unplugged',
      'network-vif-deleted',
      'volume-extended',
      'power-update',
      'accelerator-request-bound',
      'volume-reimaged',
    ];
    validateBody(
      {
        type: 'object',
        properties: {
          events: {
            type: 'array',
            minItems: 1,
            items: {
              type: 'object',
              properties: {
                server_uuid: { type: 'string', format: 'uuid' },
                name: { type: 'string', enum: names },
                status: { type: 'string', enum: ['failed', 'completed', 'in-progress'] },
                tag: { type: 'string', maxLength: 255 },
              },
              required: ['server_uuid', 'name'],
              additionalProperties: false,
            },
          },
        },
        required: ['events'],
        additionalProperties: false,
      },
      body,
    );
    const events = (body as { events: Array<Record<string, unknown>> }).events.map((e) => {
      const found = this.servers.state.servers.has(String(e.server_uuid));
      return { ...e, status: e.status ?? 'completed', code: found ? 200 : 404 };
    });
    if (events.every((e) => e.code === 404)) return { status: 404, events };
    return { status: events.some((e) => e.code !== 200) ? 207 : 200, events };
  }
}
