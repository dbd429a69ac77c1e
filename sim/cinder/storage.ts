// Snapshots, backups, volume transfers, the attachments API (3.27+) and user messages of the
// simulated Cinder, with upstream's state machines: snapshot creating → available, backup
// creating → available (the volume backing-up meanwhile), restore (backup restoring, volume
// restoring-backup), transfer (volume awaiting-transfer until accepted or deleted).
import { randomBytes, randomUUID } from 'node:crypto';
import { SimServiceError } from '../types.js';
import { isoMicro, makeComparator, pageOf, parseBool, qLast, type Query, type SortSpec, type TransitionTimers } from '../nova/apiutil.js';
import { validateBody, type Schema } from '../nova/validate.js';
import type { CinderCtx, CinderLinks } from './context.js';
import type { Volume } from './model.js';
import type { VolumeService } from './volumes.js';

const MAX_LIMIT = 1000;

/** A record of one of these collections: its owner, its creation order and its wire fields. */
export interface StoredRecord {
  id: string;
  projectId: string;
  userId: string;
  seq: number;
  createdAt: Date;
  updatedAt: Date | null;
  name: string | null;
  status: string;
  [field: string]: unknown;
}

let seq = 0;

export function base(ctx: CinderCtx, name: unknown): StoredRecord {
  return {
    id: randomUUID(),
    projectId: ctx.caller.projectId,
    userId: ctx.caller.userId,
    seq: ++seq,
    createdAt: new Date(),
    updatedAt: null,
    name: typeof name === 'string' ? name : null,
    status: 'creating',
  };
}

export function body<T>(schema: Schema, raw: unknown, key: string): T {
  validateBody(schema, raw);
  return (raw as Record<string, T>)[key];
}

export const obj = (properties: Record<string, Schema>, required: string[] = [], additionalProperties: boolean | Schema = false): Schema => ({
  type: 'object',
  properties,
  required,
  additionalProperties,
});
export const str: Schema = { type: ['string', 'null'], maxLength: 255 };
const uuid: Schema = { type: 'string', format: 'uuid' };
const meta: Schema = { type: 'object', patternProperties: { '^[a-zA-Z0-9-_:. /]{1,255}$': { type: 'string', maxLength: 255 } }, additionalProperties: false };

/**
 * One collection: records visible to the caller (own project; an admin's all_tenants sees all),
 * filtered by equality on wire fields, sorted (sort / sort_key+sort_dir, created_at and id
 * completing the order) and paged by limit and marker as Cinder does.
 */
export class SimCollection<R extends StoredRecord> {
  readonly items = new Map<string, R>();
  constructor(
    readonly label: string,
    private readonly sortKeys: Record<string, (r: R) => unknown>,
    private readonly filterKeys: Record<string, (r: R) => unknown>,
  ) {}

  find(ctx: CinderCtx, id: string): R {
    const r = this.items.get(id);
    if (!r || (!ctx.caller.isAdmin && r.projectId !== ctx.caller.projectId)) throw new SimServiceError(404, `${this.label} ${id} could not be found.`);
    return r;
  }

  list(ctx: CinderCtx, q: Query): { page: R[]; full: boolean } {
    const allTenants = ctx.caller.isAdmin && q.all_tenants !== undefined && parseBool(qLast(q, 'all_tenants') ?? 'true') !== false;
    const project = allTenants ? qLast(q, 'project_id') : ctx.caller.projectId;
    const preds: Array<(r: R) => boolean> = [];
    for (const [key, get] of Object.entries(this.filterKeys)) {
      const want = qLast(q, key);
      if (want !== undefined) preds.push((r) => String(get(r) ?? '') === want);
    }
    const limitText = qLast(q, 'limit');
    let limit = MAX_LIMIT;
    if (limitText !== undefined) {
      if (!/^-?\d+$/.test(limitText.trim())) throw new SimServiceError(400, 'limit param must be an integer');
      if (Number(limitText) < 0) throw new SimServiceError(400, 'limit param must be positive');
      limit = Math.min(Number(limitText), MAX_LIMIT);
    }
    const markerId = qLast(q, 'marker');
    const marker = markerId === undefined ? undefined : this.find(ctx, markerId);
    const get = (r: R, k: string) => (k === 'created_at' ? r.createdAt.getTime() * 1e6 + r.seq : this.sortKeys[k](r));
    const cmp = makeComparator<R>(this.sortSpec(q), get);
    const matching = [...this.items.values()].filter((r) => (project === undefined || r.projectId === project) && preds.every((p) => p(r)));
    return pageOf(matching, cmp, marker, limit);
  }

  private sortSpec(q: Query): SortSpec[] {
    const sort = qLast(q, 'sort');
    const spec: SortSpec[] = [];
    const pairs: [string, string | undefined][] =
      sort !== undefined
        ? sort
            .split(',')
            .filter((p) => p.trim())
            .map((p) => p.split(':') as [string, string | undefined])
        : qLast(q, 'sort_key') !== undefined
          ? [[qLast(q, 'sort_key') as string, qLast(q, 'sort_dir')]]
          : [];
    for (const [k, d] of pairs) {
      const key = k.trim();
      const dir = (d ?? 'desc').trim().toLowerCase();
      if (key !== 'created_at' && !(key in this.sortKeys)) throw new SimServiceError(400, `Invalid input received: Invalid sort key: ${key}.`);
      if (dir !== 'asc' && dir !== 'desc') throw new SimServiceError(400, "Invalid input received: Unknown sort direction, must be 'desc' or 'asc'.");
      spec.push({ key, dir });
    }
    const dir = spec[0]?.dir ?? 'desc';
    if (!spec.some((s) => s.key === 'created_at')) spec.push({ key: 'created_at', dir });
    if (!spec.some((s) => s.key === 'id')) spec.push({ key: 'id', dir });
    return spec;
  }
}

export const commonSort = <R extends StoredRecord>(extra: Record<string, (r: R) => unknown> = {}): Record<string, (r: R) => unknown> => ({
  id: (r) => r.id,
  name: (r) => r.name,
  status: (r) => r.status,
  updated_at: (r) => r.updatedAt,
  ...extra,
});

export interface Snapshot extends StoredRecord {
  volumeId: string;
  size: number;
  /** Progress reported through os-update_snapshot_status; null: derived from the status. */
  progress: string | null;
  description: string | null;
  metadata: Record<string, string>;
}

export interface Backup extends StoredRecord {
  volumeId: string;
  snapshotId: string | null;
  size: number;
  description: string | null;
  container: string | null;
  incremental: boolean;
  failReason: string | null;
  metadata: Record<string, string>;
  /** The volume's metadata when it was backed up: a restore gives it back, as Cinder's backup drivers do. */
  volumeMetadata: Record<string, string>;
}

export interface Transfer extends StoredRecord {
  volumeId: string;
  authKey: string;
  noSnapshots: boolean;
  /** The volume's status before the transfer began. */
  volumeStatus: string;
}

export interface Attachment extends StoredRecord {
  volumeId: string;
  instance: string | null;
  connector: Record<string, unknown> | null;
  mode: 'rw' | 'ro';
  attachedAt: Date | null;
  /** The matching entry in the volume's `attachments` once complete. */
  legacyId: string | null;
}

export interface UserMessage extends StoredRecord {
  resourceType: string;
  resourceUuid: string | null;
  event: string;
  text: string;
  level: string;
}

type Result = { status: number; body?: unknown };

/** The storage resources of one simulated pod. */
export class CinderStorage {
  readonly snapshots = new SimCollection<Snapshot>('Snapshot', commonSort<Snapshot>({ size: (r) => r.size, volume_id: (r) => r.volumeId }), {
    name: (r) => r.name,
    status: (r) => r.status,
    volume_id: (r) => r.volumeId,
  });
  readonly backups = new SimCollection<Backup>('Backup', commonSort<Backup>({ size: (r) => r.size, volume_id: (r) => r.volumeId }), {
    name: (r) => r.name,
    status: (r) => r.status,
    volume_id: (r) => r.volumeId,
  });
  readonly transfers = new SimCollection<Transfer>('Transfer', commonSort<Transfer>({ volume_id: (r) => r.volumeId }), { name: (r) => r.name, volume_id: (r) => r.volumeId });
  readonly attachments = new SimCollection<Attachment>('Volume attachment', commonSort<Attachment>({ volume_id: (r) => r.volumeId }), {
    volume_id: (r) => r.volumeId,
    status: (r) => r.status,
    instance_id: (r) => r.instance,
  });
  readonly messages = new SimCollection<UserMessage>('Message', commonSort<UserMessage>({ event_id: (r) => r.event }), {
    event_id: (r) => r.event,
    resource_type: (r) => r.resourceType,
    resource_uuid: (r) => r.resourceUuid,
    message_level: (r) => r.level,
  });

  constructor(
    private readonly volumes: VolumeService,
    private readonly timers: TransitionTimers,
    private readonly links: CinderLinks,
    private readonly az: string,
  ) {}

  private later(r: StoredRecord, from: string, to: string, done?: () => void): void {
    this.timers.later(() => {
      if (r.status !== from) return;
      r.status = to;
      r.updatedAt = new Date();
      done?.();
    });
  }

  private admin(ctx: CinderCtx, rule: string): void {
    if (!ctx.caller.isAdmin) throw new SimServiceError(403, `Policy doesn't allow ${rule} to be performed.`);
  }

  /** Records a user message (Cinder's /messages) about a failed asynchronous operation. */
  note(ctx: CinderCtx, resourceType: string, resourceUuid: string, event: string, text: string): void {
    const m: UserMessage = { ...base(ctx, null), status: 'n/a', resourceType, resourceUuid, event, text, level: 'ERROR' };
    this.messages.items.set(m.id, m);
  }

  // ---- snapshots -----------------------------------------------------------------------------

  /** A snapshot; `extended` (show and the detailed list, as Cinder's extension) adds progress and project. */
  snapshotView(ctx: CinderCtx, s: Snapshot, extended = true): Record<string, unknown> {
    const out: Record<string, unknown> = {
      id: s.id,
      created_at: isoMicro(s.createdAt),
      updated_at: s.updatedAt ? isoMicro(s.updatedAt) : null,
      name: s.name,
      description: s.description,
      volume_id: s.volumeId,
      status: s.status,
      size: s.size,
      metadata: { ...s.metadata },
    };
    if (extended) {
      out['os-extended-snapshot-attributes:progress'] = s.progress ?? (s.status === 'creating' ? '0%' : '100%');
      out['os-extended-snapshot-attributes:project_id'] = s.projectId;
    }
    if (ctx.version.ge('3.14')) out.group_snapshot_id = (s.groupSnapshotId as string | undefined) ?? null;
    if (ctx.version.ge('3.41')) out.user_id = s.userId;
    if (ctx.version.ge('3.65')) out.consumes_quota = true;
    return out;
  }

  createSnapshot(ctx: CinderCtx, raw: unknown): Snapshot {
    const req = body<Record<string, unknown>>(
      obj(
        {
          snapshot: obj({ volume_id: uuid, name: str, display_name: str, description: str, display_description: str, force: { type: ['boolean', 'string'] }, metadata: meta }, [
            'volume_id',
          ]),
        },
        ['snapshot'],
      ),
      raw,
      'snapshot',
    );
    const v = this.volumes.get(ctx, String(req.volume_id));
    const force = req.force === true || String(req.force).toLowerCase() === 'true';
    if (v.status !== 'available' && !(force && v.status === 'in-use')) {
      throw new SimServiceError(400, `Invalid volume: Volume ${v.id} status must be available, but current status is: ${v.status}.`);
    }
    this.checkSnapshotQuota(ctx.caller.projectId, v.size);
    const s: Snapshot = {
      ...base(ctx, req.name ?? req.display_name),
      volumeId: v.id,
      size: v.size,
      progress: null,
      description: (req.description ?? req.display_description ?? null) as string | null,
      metadata: { ...((req.metadata as Record<string, string>) ?? {}) },
    };
    this.snapshots.items.set(s.id, s);
    this.later(s, 'creating', 'available');
    return s;
  }

  /** 413 when one more snapshot of `size` GB exceeds the project's snapshots or gigabytes (volumes and snapshots) quota. */
  private checkSnapshotQuota(projectId: string, size: number): void {
    const limits = this.volumes.state.quotaLimits(projectId);
    const mine = [...this.snapshots.items.values()].filter((x) => x.projectId === projectId);
    if (limits.snapshots >= 0 && mine.length + 1 > limits.snapshots) {
      throw new SimServiceError(413, `SnapshotLimitExceeded: Maximum number of snapshots allowed (${limits.snapshots}) exceeded for quota 'snapshots'.`);
    }
    const used = this.volumes.state.usage(projectId).gigabytes + mine.reduce((n, x) => n + x.size, 0);
    if (limits.gigabytes >= 0 && used + size > limits.gigabytes) {
      throw new SimServiceError(
        413,
        `VolumeSizeExceedsAvailableQuota: Requested volume or snapshot exceeds allowed gigabytes quota. Requested ${size}G, quota is ${limits.gigabytes}G and ${used}G has been consumed.`,
      );
    }
  }

  updateSnapshot(ctx: CinderCtx, id: string, raw: unknown): Snapshot {
    const u = body<Record<string, unknown>>(obj({ snapshot: obj({ name: str, display_name: str, description: str, display_description: str }) }, ['snapshot']), raw, 'snapshot');
    const s = this.snapshots.find(ctx, id);
    if ('name' in u || 'display_name' in u) s.name = (u.name ?? u.display_name ?? null) as string | null;
    if ('description' in u || 'display_description' in u) s.description = (u.description ?? u.display_description ?? null) as string | null;
    s.updatedAt = new Date();
    return s;
  }

  /** A cascade delete of a volume: its snapshots must all be available or error; they go with it (clones made from them stay). */
  deleteSnapshotsOf(_ctx: CinderCtx, volumeId: string): void {
    const mine = [...this.snapshots.items.values()].filter((s) => s.volumeId === volumeId);
    if (mine.some((s) => !['available', 'error'].includes(s.status))) {
      throw new SimServiceError(400, 'Invalid volume: Snapshot of volume not in a deletable state.');
    }
    for (const s of mine) {
      s.status = 'deleting';
      s.updatedAt = new Date();
      this.timers.later(() => this.snapshots.items.delete(s.id));
    }
  }

  deleteSnapshot(ctx: CinderCtx, id: string, force = false): void {
    const s = this.snapshots.find(ctx, id);
    if (!force && !['available', 'error'].includes(s.status)) throw new SimServiceError(400, 'Invalid snapshot: Volume Snapshot status must be available or error.');
    for (const v of this.volumes.state.volumes.values()) {
      if (v.snapshotId === s.id && !force) throw new SimServiceError(400, `Invalid snapshot: Snapshot ${s.id} has dependent volumes.`);
    }
    s.status = 'deleting';
    s.updatedAt = new Date();
    this.timers.later(() => this.snapshots.items.delete(s.id));
  }

  snapshotMetadata(ctx: CinderCtx, id: string, method: string, key: string | undefined, raw: unknown): Result {
    const s = this.snapshots.find(ctx, id);
    if (key === undefined) {
      if (method === 'GET') return { status: 200, body: { metadata: { ...s.metadata } } };
      const given = body<Record<string, string>>(obj({ metadata: meta }, ['metadata']), raw, 'metadata');
      s.metadata = method === 'PUT' ? { ...given } : { ...s.metadata, ...given };
      return { status: 200, body: { metadata: { ...s.metadata } } };
    }
    if (method === 'PUT') {
      const given = body<Record<string, string>>(obj({ meta: { ...meta, minProperties: 1, maxProperties: 1 } }, ['meta']), raw, 'meta');
      if (!Object.hasOwn(given, key)) throw new SimServiceError(400, 'Request body and URI mismatch');
      s.metadata[key] = given[key];
      return { status: 200, body: { meta: { [key]: given[key] } } };
    }
    if (!Object.hasOwn(s.metadata, key)) throw new SimServiceError(404, `Snapshot ${id} has no metadata with key ${key}.`);
    if (method === 'GET') return { status: 200, body: { meta: { [key]: s.metadata[key] } } };
    delete s.metadata[key];
    return { status: 200 };
  }

  snapshotAction(ctx: CinderCtx, id: string, raw: unknown): Result {
    const [action, arg] = singleAction(raw);
    const s = this.snapshots.find(ctx, id);
    switch (action) {
      case 'os-reset_status': {
        this.admin(ctx, 'volume_extension:snapshot_admin_actions:reset_status');
        const status = (arg as { status?: unknown } | null)?.status;
        if (typeof status !== 'string' || !['available', 'creating', 'deleting', 'error', 'error_deleting', 'unmanaging', 'backing-up', 'restoring'].includes(status)) {
          throw new SimServiceError(400, `Invalid input for field/attribute status. Value: ${String(status)}.`);
        }
        s.status = status;
        return { status: 202 };
      }
      case 'os-update_snapshot_status': {
        const a = arg as { status?: unknown; progress?: unknown } | null;
        if (typeof a?.status !== 'string') throw new SimServiceError(400, "'status' must be specified.");
        const allowed: Record<string, string[]> = { creating: ['creating', 'available', 'error'], deleting: ['deleting', 'error_deleting'] };
        if (!allowed[s.status]?.includes(a.status)) throw new SimServiceError(400, `Provided snapshot status ${a.status} not allowed for snapshot with status ${s.status}.`);
        s.status = a.status;
        if (typeof a.progress === 'string') s.progress = a.progress;
        return { status: 202 };
      }
      case 'os-force_delete':
        this.admin(ctx, 'volume_extension:snapshot_admin_actions:force_delete');
        this.deleteSnapshot(ctx, id, true);
        return { status: 202 };
      case 'os-unmanage':
        this.admin(ctx, 'snapshot_extension:snapshot_unmanage');
        this.snapshots.items.delete(id);
        return { status: 202 };
      default:
        throw new SimServiceError(400, `There is no such action: ${action}`);
    }
  }

  // ---- backups -------------------------------------------------------------------------------

  backupView(ctx: CinderCtx, b: Backup): Record<string, unknown> {
    const out: Record<string, unknown> = {
      availability_zone: this.az,
      container: b.container,
      created_at: isoMicro(b.createdAt),
      data_timestamp: isoMicro(b.createdAt),
      description: b.description,
      fail_reason: b.failReason,
      has_dependent_backups: false,
      id: b.id,
      is_incremental: b.incremental,
      links: this.links.pair(ctx, 'backups', b.id),
      name: b.name,
      object_count: 0,
      size: b.size,
      snapshot_id: b.snapshotId,
      status: b.status,
      updated_at: b.updatedAt ? isoMicro(b.updatedAt) : null,
      volume_id: b.volumeId,
    };
    if (ctx.version.ge('3.18')) out['os-backup-project-attr:project_id'] = b.projectId;
    if (ctx.version.ge('3.43')) out.metadata = { ...b.metadata };
    if (ctx.version.ge('3.56')) out.user_id = b.userId;
    return out;
  }

  createBackup(ctx: CinderCtx, raw: unknown): Backup {
    const req = body<Record<string, unknown>>(
      obj(
        {
          backup: obj(
            {
              volume_id: uuid,
              container: str,
              description: str,
              incremental: { type: ['boolean', 'string'] },
              force: { type: ['boolean', 'string'] },
              name: str,
              snapshot_id: { type: ['string', 'null'], format: 'uuid' },
              metadata: meta,
              availability_zone: str,
            },
            ['volume_id'],
          ),
        },
        ['backup'],
      ),
      raw,
      'backup',
    );
    const v = this.volumes.get(ctx, String(req.volume_id));
    const force = req.force === true || String(req.force).toLowerCase() === 'true';
    if (v.status !== 'available' && !(force && v.status === 'in-use')) {
      throw new SimServiceError(400, `Invalid volume: Volume to be backed up must be available or in-use, but the current status is "${v.status}".`);
    }
    const snapshotId = typeof req.snapshot_id === 'string' ? this.snapshots.find(ctx, req.snapshot_id).id : null;
    const b: Backup = {
      ...base(ctx, req.name),
      volumeId: v.id,
      snapshotId,
      size: v.size,
      description: (req.description ?? null) as string | null,
      container: (req.container ?? null) as string | null,
      incremental: req.incremental === true || String(req.incremental).toLowerCase() === 'true',
      failReason: null,
      metadata: { ...((req.metadata as Record<string, string>) ?? {}) },
      volumeMetadata: { ...v.metadata },
    };
    this.backups.items.set(b.id, b);
    const previous = v.status;
    this.volumes.transition(v, 'backing-up', (vol) => {
      vol.status = previous;
    });
    this.later(b, 'creating', 'available');
    return b;
  }

  updateBackup(ctx: CinderCtx, id: string, raw: unknown): Backup {
    const u = body<Record<string, unknown>>(obj({ backup: obj({ name: str, description: str, metadata: meta }) }, ['backup']), raw, 'backup');
    const b = this.backups.find(ctx, id);
    if ('name' in u) b.name = (u.name ?? null) as string | null;
    if ('description' in u) b.description = (u.description ?? null) as string | null;
    if (u.metadata) b.metadata = { ...(u.metadata as Record<string, string>) };
    b.updatedAt = new Date();
    return b;
  }

  deleteBackup(ctx: CinderCtx, id: string, force = false): void {
    const b = this.backups.find(ctx, id);
    if (!force && !['available', 'error'].includes(b.status)) throw new SimServiceError(400, 'Invalid backup: Backup status must be available or error');
    b.status = 'deleting';
    this.timers.later(() => this.backups.items.delete(b.id));
  }

  restoreBackup(ctx: CinderCtx, id: string, raw: unknown): Result {
    const req =
      body<Record<string, unknown> | null>(
        obj({ restore: { type: ['object', 'null'], properties: { volume_id: { type: ['string', 'null'], format: 'uuid' }, name: str } } }, ['restore']),
        raw,
        'restore',
      ) ?? {};
    const b = this.backups.find(ctx, id);
    if (b.status !== 'available') throw new SimServiceError(400, 'Invalid backup: Backup status must be available');
    let v: Volume;
    if (typeof req.volume_id === 'string') {
      v = this.volumes.get(ctx, req.volume_id);
      if (v.status !== 'available') throw new SimServiceError(400, `Invalid volume: Volume to be restored to must be available`);
      if (v.size < b.size) throw new SimServiceError(400, `Invalid volume: volume size ${v.size} is too small to restore backup of size ${b.size}.`);
    } else {
      v = this.volumes.create(ctx, { volume: { size: b.size, name: typeof req.name === 'string' ? req.name : `restore_backup_${b.id}` } });
    }
    b.status = 'restoring';
    v.metadata = { ...v.metadata, ...(b.volumeMetadata ?? {}) };
    const vol = v;
    this.timers.later(() => {
      if (b.status === 'restoring') b.status = 'available';
      if (this.volumes.state.volumes.get(vol.id) === vol) vol.status = 'available';
    }, 2);
    vol.status = 'restoring-backup';
    return { status: 202, body: { restore: { backup_id: b.id, volume_id: vol.id, volume_name: vol.name } } };
  }

  exportBackup(ctx: CinderCtx, id: string): Result {
    this.admin(ctx, 'backup:export-import');
    const b = this.backups.find(ctx, id);
    if (b.status !== 'available') throw new SimServiceError(400, 'Invalid backup: Backup status must be available and not restoring.');
    const record = { id: b.id, size: b.size, volume_id: b.volumeId, name: b.name, display_name: b.name, project_id: b.projectId, volume_metadata: b.volumeMetadata };
    return { status: 200, body: { 'backup-record': { backup_service: 'cinder.backup.drivers.sim', backup_url: Buffer.from(JSON.stringify(record)).toString('base64') } } };
  }

  importBackup(ctx: CinderCtx, raw: unknown): Result {
    this.admin(ctx, 'backup:backup-import');
    const req = body<{ backup_service: string; backup_url: string }>(
      obj(
        {
          'backup-record': obj({ backup_service: { type: 'string', minLength: 1, maxLength: 255 }, backup_url: { type: 'string', minLength: 1 } }, [
            'backup_service',
            'backup_url',
          ]),
        },
        ['backup-record'],
      ),
      raw,
      'backup-record',
    );
    let record: { id?: string; size?: number; volume_id?: string; name?: string; volume_metadata?: Record<string, string> };
    try {
      record = JSON.parse(Buffer.from(req.backup_url, 'base64').toString('utf8'));
    } catch {
      throw new SimServiceError(400, "Invalid input received: Can't parse backup record.");
    }
    if (typeof record.id !== 'string') throw new SimServiceError(400, "Invalid input received: Can't parse backup record.");
    if (this.backups.items.get(record.id)?.status === 'available') throw new SimServiceError(400, `Invalid backup: Backup already exists in database.`);
    const b: Backup = {
      ...base(ctx, record.name ?? null),
      id: record.id,
      status: 'available',
      volumeId: record.volume_id ?? '00000000-0000-0000-0000-000000000000',
      snapshotId: null,
      size: record.size ?? 0,
      description: null,
      container: null,
      incremental: false,
      failReason: null,
      metadata: {},
      volumeMetadata: { ...(record.volume_metadata ?? {}) },
    };
    this.backups.items.set(b.id, b);
    return { status: 201, body: { backup: { id: b.id, links: this.links.pair(ctx, 'backups', b.id), name: b.name } } };
  }

  backupAction(ctx: CinderCtx, id: string, raw: unknown): Result {
    const [action, arg] = singleAction(raw);
    const b = this.backups.find(ctx, id);
    if (action === 'os-reset_status') {
      this.admin(ctx, 'volume_extension:backup_admin_actions:reset_status');
      const status = (arg as { status?: unknown } | null)?.status;
      if (status !== 'available' && status !== 'error') throw new SimServiceError(400, `Invalid input for field/attribute status. Value: ${String(status)}.`);
      b.status = status;
      return { status: 202 };
    }
    if (action === 'os-force_delete') {
      this.admin(ctx, 'volume_extension:backup_admin_actions:force_delete');
      this.deleteBackup(ctx, id, true);
      return { status: 202 };
    }
    throw new SimServiceError(400, `There is no such action: ${action}`);
  }

  /** A volume made from a backup: restored in the background (creating, then available). */
  backupForVolume(ctx: CinderCtx, id: string): Backup {
    const b = this.backups.find(ctx, id);
    if (b.status !== 'available') throw new SimServiceError(400, `Invalid backup: Backup status must be available, but is ${b.status}.`);
    return b;
  }

  snapshotForVolume(ctx: CinderCtx, id: string): Snapshot {
    const s = this.snapshots.find(ctx, id);
    if (s.status !== 'available') throw new SimServiceError(400, `Invalid snapshot: Originating snapshot status must be one of 'available' values`);
    return s;
  }

  // ---- transfers -----------------------------------------------------------------------------

  transferView(ctx: CinderCtx, t: Transfer, collection: string, detail = true): Record<string, unknown> {
    const out: Record<string, unknown> = { id: t.id, name: t.name, volume_id: t.volumeId, links: this.links.pair(ctx, collection, t.id) };
    if (!detail) return out;
    out.created_at = isoMicro(t.createdAt);
    if (ctx.version.ge('3.55') && collection === 'volume-transfers') out.no_snapshots = t.noSnapshots;
    if (ctx.version.ge('3.57') && collection === 'volume-transfers') {
      out.destination_project_id = null;
      out.source_project_id = t.projectId;
      out.accepted = false;
    }
    return out;
  }

  createTransfer(ctx: CinderCtx, raw: unknown): Transfer {
    const req = body<Record<string, unknown>>(
      obj({ transfer: obj({ volume_id: uuid, name: str, no_snapshots: { type: ['boolean', 'string'] } }, ['volume_id']) }, ['transfer']),
      raw,
      'transfer',
    );
    const v = this.volumes.get(ctx, String(req.volume_id));
    if (v.status !== 'available') throw new SimServiceError(400, `Invalid volume: status must be available`);
    const t: Transfer = {
      ...base(ctx, req.name),
      status: 'awaiting',
      volumeId: v.id,
      authKey: randomBytes(8).toString('hex'),
      noSnapshots: req.no_snapshots === true || String(req.no_snapshots).toLowerCase() === 'true',
      volumeStatus: v.status,
    };
    this.transfers.items.set(t.id, t);
    v.status = 'awaiting-transfer';
    return t;
  }

  deleteTransfer(ctx: CinderCtx, id: string): void {
    const t = this.transfers.find(ctx, id);
    this.transfers.items.delete(id);
    const v = this.volumes.state.volumes.get(t.volumeId);
    if (v?.status === 'awaiting-transfer') v.status = t.volumeStatus;
  }

  /** Accepted by any project holding the auth key: the volume (and its snapshots) change owner. */
  acceptTransfer(ctx: CinderCtx, id: string, raw: unknown): Transfer {
    const req = body<{ auth_key: string }>(obj({ accept: obj({ auth_key: { type: ['string'] } }, ['auth_key']) }, ['accept']), raw, 'accept');
    const t = this.transfers.items.get(id);
    if (!t) throw new SimServiceError(404, `Transfer ${id} could not be found.`);
    if (req.auth_key !== t.authKey) throw new SimServiceError(400, `Invalid auth key: Attempt to transfer ${id} with invalid auth key.`);
    const v = this.volumes.state.volumes.get(t.volumeId);
    if (!v) throw new SimServiceError(404, `Volume ${t.volumeId} could not be found.`);
    v.projectId = ctx.caller.projectId;
    v.userId = ctx.caller.userId;
    v.status = t.volumeStatus;
    if (!t.noSnapshots) {
      for (const s of this.snapshots.items.values()) if (s.volumeId === v.id) s.projectId = ctx.caller.projectId;
    }
    this.transfers.items.delete(id);
    return t;
  }

  // ---- attachments (3.27+) -------------------------------------------------------------------

  attachmentView(a: Attachment, detail = true): Record<string, unknown> {
    const out: Record<string, unknown> = { id: a.id, status: a.status, instance: a.instance, volume_id: a.volumeId };
    if (!detail) return out;
    out.attached_at = a.attachedAt ? isoMicro(a.attachedAt) : null;
    out.detached_at = null;
    out.attach_mode = a.mode;
    out.connection_info = a.connector ? { driver_volume_type: 'iscsi', data: { target_lun: 0, access_mode: a.mode } } : {};
    return out;
  }

  createAttachment(ctx: CinderCtx, raw: unknown): Attachment {
    const req = body<Record<string, unknown>>(
      obj(
        {
          attachment: obj(
            {
              volume_uuid: uuid,
              instance_uuid: { type: ['string', 'null'], format: 'uuid' },
              connector: { type: ['object', 'null'] },
              mode: { type: 'string', enum: ['rw', 'ro'] },
            },
            ['volume_uuid'],
          ),
        },
        ['attachment'],
      ),
      raw,
      'attachment',
    );
    if (req.mode !== undefined && ctx.version.lt('3.54')) throw new SimServiceError(400, 'Invalid input received: mode is only allowed from 3.54.');
    const v = this.volumes.get(ctx, String(req.volume_uuid));
    const ok = v.status === 'available' || v.status === 'reserved' || (v.multiattach && v.status === 'in-use');
    if (!ok) throw new SimServiceError(400, `Invalid volume: Volume ${v.id} status must be available or downloading to reserve, but the current status is ${v.status}.`);
    const a: Attachment = {
      ...base(ctx, null),
      status: req.connector ? 'attaching' : 'reserved',
      volumeId: v.id,
      instance: (req.instance_uuid ?? null) as string | null,
      connector: (req.connector ?? null) as Record<string, unknown> | null,
      mode: (req.mode as 'rw' | 'ro') ?? 'rw',
      attachedAt: null,
      legacyId: null,
    };
    this.attachments.items.set(a.id, a);
    if (v.status === 'available') v.status = req.connector ? 'attaching' : 'reserved';
    return a;
  }

  updateAttachment(ctx: CinderCtx, id: string, raw: unknown): Attachment {
    const req = body<Record<string, unknown>>(obj({ attachment: obj({ connector: { type: 'object' } }, ['connector']) }, ['attachment']), raw, 'attachment');
    const a = this.attachments.find(ctx, id);
    a.connector = req.connector as Record<string, unknown>;
    a.status = 'attaching';
    const v = this.volumes.state.volumes.get(a.volumeId);
    if (v && v.status === 'reserved') v.status = 'attaching';
    return a;
  }

  completeAttachment(ctx: CinderCtx, id: string, raw: unknown): void {
    if (ctx.version.lt('3.44')) throw new SimServiceError(404, 'The resource could not be found.');
    const [action] = singleAction(raw);
    if (action !== 'os-complete') throw new SimServiceError(400, `There is no such action: ${action}`);
    const a = this.attachments.find(ctx, id);
    const v = this.volumes.state.volumes.get(a.volumeId);
    if (!v) throw new SimServiceError(404, `Volume ${a.volumeId} could not be found.`);
    if (a.status === 'attached') return;
    if (v.status === 'reserved' || v.status === 'attaching') v.status = 'available';
    const legacy = this.volumes.addAttachment(v, a.instance, null, '/dev/vdb', a.mode);
    a.legacyId = legacy.id;
    a.status = 'attached';
    a.attachedAt = new Date();
  }

  deleteAttachment(ctx: CinderCtx, id: string): Result {
    const a = this.attachments.find(ctx, id);
    this.attachments.items.delete(id);
    const v = this.volumes.state.volumes.get(a.volumeId);
    if (v) {
      const legacy = v.attachments.find((x) => x.id === a.legacyId);
      if (legacy) this.volumes.removeAttachment(v, legacy);
      else if ((v.status === 'reserved' || v.status === 'attaching') && ![...this.attachments.items.values()].some((x) => x.volumeId === v.id)) v.status = 'available';
    }
    return { status: 200, body: { attachments: [] } };
  }

  // ---- messages ------------------------------------------------------------------------------

  messageView(ctx: CinderCtx, m: UserMessage): Record<string, unknown> {
    return {
      id: m.id,
      event_id: m.event,
      user_message: m.text,
      message_level: m.level,
      resource_type: m.resourceType,
      resource_uuid: m.resourceUuid,
      created_at: isoMicro(m.createdAt),
      guaranteed_until: isoMicro(new Date(m.createdAt.getTime() + 30 * 86400_000)),
      request_id: `req-${m.id}`,
      links: this.links.pair(ctx, 'messages', m.id),
    };
  }
}

/** The one `{"<action>": arg}` of an action body. */
export function singleAction(raw: unknown): [string, unknown] {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw) || Object.keys(raw).length === 0) {
    throw new SimServiceError(400, 'Malformed request body');
  }
  const [action, arg] = Object.entries(raw)[0];
  return [action, arg];
}
