// Routes: the admin views of one simulated Cinder — os-services (list, enable/disable, freeze/thaw,
// logs), scheduler pools, backend capabilities, os-hosts, clusters (3.7+), manageable volumes and
// snapshots (3.8+), extensions and resource filters (3.33+).
import { isoMicro } from '../../nova/apiutil.js';
import { SimServiceError } from '../../types.js';
import type { CinderCtx } from '../context.js';
import type { CinderServices } from '../services.js';
import { params, query, type CinderRouter } from '../router.js';

interface SimService {
  binary: string;
  host: string;
  disabled: boolean;
  reason: string | null;
  frozen: boolean;
}

function requireAdmin(ctx: CinderCtx, rule: string): void {
  if (!ctx.caller.isAdmin) throw new SimServiceError(403, `Policy doesn't allow ${rule} to be performed.`);
}

function hostArg(body: unknown): { host: string; binary: string } {
  const b = (body ?? {}) as Record<string, unknown>;
  if (typeof b.host !== 'string' || b.host === '') throw new SimServiceError(400, "Missing required element 'host' in request body.");
  return { host: b.host, binary: typeof b.binary === 'string' ? b.binary : 'cinder-volume' };
}

const EXTENSIONS = [
  ['os-hosts', 'Hosts', 'Admin-only host administration.'],
  ['os-vol-tenant-attr', 'VolumeTenantAttribute', 'Expose the internal project_id as an attribute of a volume.'],
  ['os-quota-sets', 'Quotas', 'Quota management support.'],
  ['os-availability-zone', 'AvailabilityZones', 'Describe Availability Zones.'],
  ['os-volume-transfer', 'VolumeTransfer', 'Volume transfer management support.'],
  ['os-services', 'Services', 'Services support.'],
  ['backups', 'Backups', 'Backups support.'],
  ['os-snapshot-actions', 'SnapshotActions', 'Enable snapshot manager actions.'],
  ['qos-specs', 'Qos_specs_manage', 'QoS specs support.'],
  ['scheduler-stats', 'Scheduler_stats', 'Scheduler stats support.'],
];

const RESOURCE_FILTERS: Record<string, string[]> = {
  volume: ['name', 'status', 'metadata', 'bootable', 'migration_status', 'availability_zone', 'group_id', 'size', 'created_at', 'updated_at'],
  backup: ['name', 'status', 'volume_id'],
  snapshot: ['name', 'status', 'volume_id', 'metadata', 'availability_zone'],
  group: [],
  group_snapshot: ['status', 'group_id'],
  attachment: ['volume_id', 'status', 'instance_id', 'attach_status'],
  message: ['resource_uuid', 'resource_type', 'event_id', 'request_id', 'message_level'],
  pool: ['name', 'volume_type'],
  volume_type: ['is_public'],
};

export function adminRoutes(r: CinderRouter, s: CinderServices): void {
  const backend = s.views.backendHost.split('#')[0];
  const node = backend.split('@')[0];
  const services: SimService[] = [
    { binary: 'cinder-scheduler', host: node, disabled: false, reason: null, frozen: false },
    { binary: 'cinder-volume', host: backend, disabled: false, reason: null, frozen: false },
    { binary: 'cinder-backup', host: node, disabled: false, reason: null, frozen: false },
  ];
  const cluster = { name: `${node}-cluster`, binary: 'cinder-volume', disabled: false, reason: null as string | null, created: new Date() };
  const now = () => isoMicro(new Date());

  const serviceView = (ctx: CinderCtx, x: SimService) => ({
    binary: x.binary,
    host: x.host,
    zone: s.deps.az,
    status: x.disabled ? 'disabled' : 'enabled',
    state: 'up',
    updated_at: now(),
    disabled_reason: x.reason,
    ...(x.binary === 'cinder-volume'
      ? {
          frozen: x.frozen,
          replication_status: 'disabled',
          active_backend_id: null,
          ...(ctx.version.ge('3.7') ? { cluster: null } : {}),
          ...(ctx.version.ge('3.49') ? { backend_state: 'up' } : {}),
        }
      : {}),
  });
  const findService = (host: string, binary: string) => {
    const found = services.find((x) => x.host === host && x.binary === binary);
    if (!found) throw new SimServiceError(404, `Service ${binary} could not be found.`);
    return found;
  };

  // Cinder's host filter also matches a backend on the host (`host@backend`).
  const onHost = (serviceHost: string, host: string) => serviceHost === host || serviceHost.startsWith(`${host}@`);
  r.get('/os-services', (ctx, req) => {
    requireAdmin(ctx, 'volume_extension:services:index');
    const q = query(req);
    return {
      services: services
        .filter((x) => (q.host === undefined || onHost(x.host, String(q.host))) && (q.binary === undefined || x.binary === q.binary))
        .map((x) => serviceView(ctx, x)),
    };
  });
  r.put('/os-services/:verb', (ctx, req) => {
    requireAdmin(ctx, 'volume_extension:services:update');
    const verb = params(req).verb;
    if (verb === 'enable' || verb === 'disable' || verb === 'disable-log-reason') {
      const { host, binary } = hostArg(req.body);
      const reason = (req.body as { disabled_reason?: unknown }).disabled_reason;
      if (verb === 'disable-log-reason' && (typeof reason !== 'string' || reason.trim() === '' || reason.length > 255)) {
        throw new SimServiceError(400, 'Invalid input received: Disabled reason contains invalid characters or is too long');
      }
      const svc = findService(host, binary);
      svc.disabled = verb !== 'enable';
      svc.reason = verb === 'disable-log-reason' ? String((req.body as { disabled_reason?: unknown }).disabled_reason ?? '') : null;
      return { disabled: svc.disabled, status: svc.disabled ? 'disabled' : 'enabled', host, service: '', binary, ...(svc.reason ? { disabled_reason: svc.reason } : {}) };
    }
    if (verb === 'freeze' || verb === 'thaw') {
      const { host } = hostArg(req.body);
      const svc = services.find((x) => x.host === host && x.binary === 'cinder-volume');
      // Cinder looks the host's volume services up for replication: none is invalid input, not a 404.
      if (!svc) throw new SimServiceError(400, `Invalid input received: No service found with host=${host}`);
      svc.frozen = verb === 'freeze';
      return {};
    }
    if (verb === 'failover_host' || verb === 'failover') {
      hostArg(req.body);
      throw new SimServiceError(400, 'Invalid input received: failover is not supported: the backend has no replication targets.');
    }
    if (verb === 'set-log') return {};
    if (verb === 'get-log') return { log_levels: services.map((x) => ({ binary: x.binary, host: x.host, levels: { cinder: 'INFO' } })) };
    throw new SimServiceError(404, 'Unknown action');
  });

  r.get('/scheduler-stats/get_pools', (ctx, req) => {
    requireAdmin(ctx, 'scheduler_extension:scheduler_stats:get_pools');
    const used = [...s.state.volumes.values()].reduce((n, v) => n + v.size, 0);
    const detail = String(query(req).detail ?? '').toLowerCase() === 'true';
    const caps = {
      updated: now(),
      total_capacity_gb: 1000,
      free_capacity_gb: 1000 - used,
      allocated_capacity_gb: used,
      volume_backend_name: 'lvmdriver-1',
      vendor_name: 'Open Source',
      reserved_percentage: 0,
      driver_version: '3.0.0',
      storage_protocol: 'iSCSI',
      QoS_support: false,
      pool_name: 'lvmdriver-1',
    };
    return { pools: [{ name: s.views.backendHost, ...(detail ? { capabilities: caps } : {}) }] };
  });

  r.get('/capabilities/:host', (ctx, req) => {
    requireAdmin(ctx, 'volume_extension:capabilities');
    if (params(req).host !== backend && params(req).host !== s.views.backendHost) throw new SimServiceError(404, `Service ${params(req).host} could not be found.`);
    return {
      namespace: 'OS::Storage::Capabilities::lvmdriver-1',
      vendor_name: 'Open Source',
      volume_backend_name: 'lvmdriver-1',
      pool_name: null,
      driver_version: '3.0.0',
      storage_protocol: 'iSCSI',
      display_name: null,
      description: null,
      visibility: null,
      replication_targets: [],
      properties: { thin_provisioning: { title: 'Thin Provisioning', description: 'Sets thin provisioning.', type: 'boolean' } },
    };
  });

  r.get('/os-hosts', (ctx) => {
    requireAdmin(ctx, 'volume_extension:hosts');
    return {
      hosts: services.map((x) => ({
        'service-status': 'available',
        service: x.binary,
        zone: s.deps.az,
        'service-state': x.disabled ? 'disabled' : 'enabled',
        host_name: x.host,
        'last-update': now(),
      })),
    };
  });
  r.get('/os-hosts/:host', (ctx, req) => {
    requireAdmin(ctx, 'volume_extension:hosts');
    const host = params(req).host;
    if (!services.some((x) => x.host === host && x.binary === 'cinder-volume')) throw new SimServiceError(404, `Host ${host} could not be found.`);
    const byProject = new Map<string, { count: number; gb: number }>();
    for (const v of s.state.volumes.values()) {
      const e = byProject.get(v.projectId) ?? { count: 0, gb: 0 };
      e.count += 1;
      e.gb += v.size;
      byProject.set(v.projectId, e);
    }
    const snaps = [...s.storage.snapshots.items.values()];
    const row = (project: string, count: number, gb: number) => ({
      resource: {
        volume_count: String(count),
        total_volume_gb: String(gb),
        total_snapshot_gb: String(snaps.filter((x) => project === '(total)' || x.projectId === project).reduce((n, x) => n + x.size, 0)),
        project,
        host,
        snapshot_count: String(snaps.filter((x) => project === '(total)' || x.projectId === project).length),
      },
    });
    const total = [...byProject.values()].reduce((a, e) => ({ count: a.count + e.count, gb: a.gb + e.gb }), { count: 0, gb: 0 });
    return { host: [row('(total)', total.count, total.gb), ...[...byProject].map(([p, e]) => row(p, e.count, e.gb))] };
  });

  // Clusters (3.7+): this pod's volume service is one cluster.
  const clusterView = (detail: boolean) => ({
    name: cluster.name,
    binary: cluster.binary,
    state: 'up',
    status: cluster.disabled ? 'disabled' : 'enabled',
    ...(detail
      ? {
          num_hosts: 1,
          num_down_hosts: 0,
          last_heartbeat: now(),
          created_at: isoMicro(cluster.created),
          updated_at: now(),
          disabled_reason: cluster.reason,
          replication_status: 'disabled',
          frozen: false,
          active_backend_id: null,
        }
      : {}),
  });
  const v37 = { minVersion: '3.7' };
  r.get(
    '/clusters',
    (ctx) => {
      requireAdmin(ctx, 'clusters:get_all');
      return { clusters: [clusterView(false)] };
    },
    v37,
  );
  r.get(
    '/clusters/detail',
    (ctx) => {
      requireAdmin(ctx, 'clusters:get_all');
      return { clusters: [clusterView(true)] };
    },
    v37,
  );
  r.get(
    '/clusters/:name',
    (ctx, req) => {
      requireAdmin(ctx, 'clusters:get');
      if (params(req).name !== cluster.name) throw new SimServiceError(404, `Cluster {'name': '${params(req).name}'} could not be found.`);
      return { cluster: clusterView(true) };
    },
    v37,
  );
  for (const verb of ['enable', 'disable'] as const) {
    r.put(
      `/clusters/${verb}`,
      (ctx, req) => {
        requireAdmin(ctx, 'clusters:update');
        const b = (req.body ?? {}) as { name?: unknown; disabled_reason?: unknown };
        if (b.name !== cluster.name) throw new SimServiceError(404, `Cluster {'name': '${String(b.name)}'} could not be found.`);
        cluster.disabled = verb === 'disable';
        cluster.reason = verb === 'disable' && typeof b.disabled_reason === 'string' ? b.disabled_reason : null;
        return { cluster: { ...clusterView(false), disabled_reason: cluster.reason } };
      },
      v37,
    );
  }

  // Manageable volumes and snapshots (3.8+): the backend holds no unmanaged volume in the simulator,
  // so the lists show the managed ones as not safe to manage.
  const manageable = (kind: 'volumes' | 'snapshots', detail: boolean) => (ctx: CinderCtx) => {
    requireAdmin(ctx, kind === 'volumes' ? 'volume_extension:list_manageable' : 'snapshot_extension:list_manageable');
    const items =
      kind === 'volumes'
        ? [...s.state.volumes.values()].map((v) => ({ id: v.id, size: v.size, ref: `volume-${v.id}`, extra: {} }))
        : [...s.storage.snapshots.items.values()].map((x) => ({
            id: x.id,
            size: x.size,
            ref: `snapshot-${x.id}`,
            extra: { source_reference: { 'source-name': `volume-${x.volumeId}` } },
          }));
    return {
      [`manageable-${kind}`]: items.map((x) => ({
        reference: { 'source-name': x.ref },
        size: x.size,
        safe_to_manage: false,
        ...(detail ? { cinder_id: x.id, reason_not_safe: 'already managed', extra_info: null, ...x.extra } : {}),
      })),
    };
  };
  const v38 = { minVersion: '3.8' };
  for (const kind of ['volumes', 'snapshots'] as const) {
    r.get(`/manageable_${kind}`, manageable(kind, false), v38);
    r.get(`/manageable_${kind}/detail`, manageable(kind, true), v38);
    r.post(`/manageable_${kind}`, (ctx, req) => {
      requireAdmin(ctx, kind === 'volumes' ? 'volume_extension:volume_manage' : 'snapshot_extension:snapshot_manage');
      const key = kind === 'volumes' ? 'volume' : 'snapshot';
      const b = ((req.body ?? {}) as Record<string, Record<string, unknown> | undefined>)[key];
      if (!b || typeof b.ref !== 'object') throw new SimServiceError(400, `Missing required element '${key}' in request body.`);
      throw new SimServiceError(
        400,
        `Invalid input received: Manage existing ${key} failed due to invalid backend reference ${JSON.stringify(b.ref)}: no such ${key} on the backend.`,
      );
    });
  }

  r.get('/extensions', () => ({ extensions: EXTENSIONS.map(([alias, name, description]) => ({ alias, name, description, links: [], updated: '2013-04-18T00:00:00+00:00' })) }));
  r.get(
    '/resource_filters',
    (_ctx, req) => {
      const want = query(req).resource;
      return {
        resource_filters: Object.entries(RESOURCE_FILTERS)
          .filter(([k]) => want === undefined || k === want)
          .map(([resource, filters]) => ({ resource, filters })),
      };
    },
    { minVersion: '3.33' },
  );
}
