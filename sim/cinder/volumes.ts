// Volume lifecycle of the simulated Cinder: create, list, show, update, delete, metadata, and the
// attach/detach that the pod's Nova calls directly (SimCinderApi).
import { randomUUID } from 'node:crypto';
import { SimServiceError, type SimCaller, type SimCinderApi } from '../types.js';
import { ApiVersion, makeComparator, pageOf, parseBool, qAll, qLast, type Query, type SortSpec, type TransitionTimers } from '../nova/apiutil.js';
import { truthy, validateBody } from '../nova/validate.js';
import type { CinderCtx, CinderSimDeps } from './context.js';
import type { Volume, VolumeAttachment } from './model.js';
import { metadataBodySchema, metaItemSchema, volumeCreateSchema, volumeUpdateSchema } from './schemas.js';
import type { CinderState } from './state.js';
import type { CinderViews } from './views.js';

export const MAX_LIMIT = 1000;

const DELETABLE = ['available', 'error', 'error_restoring', 'error_extending', 'error_managing'];

const SORT_KEYS: Record<string, (v: Volume) => unknown> = {
  id: (v) => v.id,
  name: (v) => v.name,
  display_name: (v) => v.name,
  description: (v) => v.description,
  display_description: (v) => v.description,
  status: (v) => v.status,
  size: (v) => v.size,
  availability_zone: (v) => v.availabilityZone,
  created_at: (v) => v.createdAt.getTime() * 1000 + (v.seq % 1000),
  updated_at: (v) => v.updatedAt,
  bootable: (v) => v.bootable,
  multiattach: (v) => v.multiattach,
  user_id: (v) => v.userId,
  project_id: (v) => v.projectId,
  volume_type_id: (v) => v.volumeTypeId,
  attach_status: (v) => v.attachStatus,
};

/** Parses a `metadata` query value: JSON or a Python dict literal, as cinderclient sends it. */
function parseMetadataFilter(text: string): Record<string, string> {
  const attempt = (t: string) => {
    const v: unknown = JSON.parse(t);
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not a dict');
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)]));
  };
  try {
    return attempt(text);
  } catch {
    try {
      return attempt(text.replace(/'/g, '"').replace(/\bu"/g, '"'));
    } catch {
      throw new SimServiceError(400, `Invalid input received: Invalid metadata filter: ${text}.`);
    }
  }
}

/** Where volumes made from a snapshot or a backup find their source (set once storage exists). */
export interface VolumeSources {
  snapshot(ctx: CinderCtx, id: string): { id: string; size: number };
  backup(ctx: CinderCtx, id: string): { id: string; size: number };
  /** True while the volume has snapshots (unless `cascade`) or awaits a transfer (it cannot be deleted then). */
  blocksDelete(volumeId: string, cascade?: boolean): boolean;
  /** Cascade delete: 400 unless every snapshot of the volume is available or error; then they go too. */
  deleteSnapshotsOf?(ctx: CinderCtx, volumeId: string): void;
  /** A volume created into a group (3.13 `group_id`): 404 unknown group, 400 not available or type not in it. */
  checkGroupMember?(ctx: CinderCtx, groupId: string, typeId: string): void;
  /** Records a user message (`/messages`) about a failed asynchronous operation. */
  note(ctx: CinderCtx, resourceType: string, resourceUuid: string, event: string, text: string): void;
}

/** The backend every simulated pod has; a type asking for another cannot be scheduled. */
const BACKEND_NAME = 'lvmdriver-1';

/** The backend's capabilities the scheduler's capabilities filter compares unscoped extra specs with. */
const BACKEND_CAPABILITIES: Record<string, string> = { volume_backend_name: BACKEND_NAME, storage_protocol: 'iSCSI', vendor_name: 'Open Source' };

/** Whether a type's extra specs fit the one backend (specs naming other capabilities are ignored, as Cinder ignores unknown ones). */
function backendFits(specs: Record<string, string>): boolean {
  return Object.entries(BACKEND_CAPABILITIES).every(([k, have]) => {
    const want = specs[k] ?? specs[`capabilities:${k}`];
    return want === undefined || want === have || want === `<in> ${have}`;
  });
}

export class VolumeService implements SimCinderApi {
  sources?: VolumeSources;

  constructor(
    readonly state: CinderState,
    readonly deps: CinderSimDeps,
    readonly views: CinderViews,
    readonly timers: TransitionTimers,
  ) {}

  get(ctx: CinderCtx, id: string): Volume {
    return this.state.volumeFor(id, ctx.caller);
  }

  touch(v: Volume): void {
    v.updatedAt = new Date();
  }

  /** Sets `status` now and `done` after the transition delay (if the volume still exists). */
  transition(v: Volume, status: string, done: (v: Volume) => void, factor = 1): void {
    v.status = status;
    this.touch(v);
    this.timers.later(() => {
      if (this.state.volumes.get(v.id) !== v || v.status !== status) return;
      done(v);
      this.touch(v);
    }, factor);
  }

  /** 413 when the project would exceed its volumes/gigabytes quota. */
  checkQuota(projectId: string, addVolumes: number, addGigabytes: number): void {
    const limits = this.state.quotaLimits(projectId);
    const used = this.state.usage(projectId);
    if (limits.per_volume_gigabytes >= 0 && addGigabytes > limits.per_volume_gigabytes) {
      throw new SimServiceError(413, `VolumeSizeExceedsLimit: Requested volume size ${addGigabytes}G is larger than maximum allowed limit ${limits.per_volume_gigabytes}G.`);
    }
    if (addVolumes > 0 && limits.volumes >= 0 && used.volumes + addVolumes > limits.volumes) {
      throw new SimServiceError(413, `VolumeLimitExceeded: Maximum number of volumes allowed (${limits.volumes}) exceeded for quota 'volumes'.`);
    }
    if (limits.gigabytes >= 0 && used.gigabytes + addGigabytes > limits.gigabytes) {
      throw new SimServiceError(
        413,
        `VolumeSizeExceedsAvailableQuota: Requested volume or snapshot exceeds allowed gigabytes quota. Requested ${addGigabytes}G, quota is ${limits.gigabytes}G and ${used.gigabytes}G has been consumed.`,
      );
    }
  }

  // ------------------------------------------------------------------------------------------
  // Create / list / update / delete

  create(ctx: CinderCtx, body: unknown): Volume {
    validateBody(volumeCreateSchema(ctx.version), body);
    const req = (body as { volume: Record<string, unknown> }).volume;
    const caller = ctx.caller;
    const az = req.availability_zone;
    if (typeof az === 'string' && az !== this.deps.az) throw new SimServiceError(400, `Availability zone '${az}' is invalid.`);
    let source: Volume | undefined;
    let fromSize: number | undefined;
    let snapshotId: string | null = null;
    if (typeof req.snapshot_id === 'string') {
      if (!this.sources) throw new SimServiceError(404, `Snapshot ${req.snapshot_id} could not be found.`);
      const snap = this.sources.snapshot(ctx, req.snapshot_id);
      fromSize = snap.size;
      snapshotId = snap.id;
    }
    if (typeof req.backup_id === 'string') {
      if (!this.sources) throw new SimServiceError(404, `Backup ${req.backup_id} could not be found.`);
      fromSize = this.sources.backup(ctx, req.backup_id).size;
    }
    if (typeof req.source_volid === 'string') {
      source = this.state.volumes.get(req.source_volid);
      if (!source || (!caller.isAdmin && source.projectId !== caller.projectId)) {
        throw new SimServiceError(404, `Volume ${req.source_volid} could not be found.`);
      }
    }
    const size: number | undefined = req.size === undefined || req.size === null ? (source?.size ?? fromSize) : Number(req.size);
    if (size === undefined || !Number.isInteger(size) || size <= 0) {
      throw new SimServiceError(
        400,
        `Invalid input received: Invalid volume size provided for create request: ${size ?? 'None'} (size argument must be an integer (or string representation of an integer) and greater than zero).`,
      );
    }
    if (fromSize !== undefined && size < fromSize) {
      const what = snapshotId ? 'snapshot' : 'backup';
      throw new SimServiceError(
        400,
        `Invalid input received: Volume size '${size}'GB cannot be smaller than the ${what} size ${fromSize}GB. They must be >= original ${what} size.`,
      );
    }
    if (source && size < source.size) {
      throw new SimServiceError(
        400,
        `Invalid input received: Volume size '${size}'GB cannot be smaller than original volume size  ${source.size}GB. They must be >= original volume size.`,
      );
    }
    const typeRef = req.volume_type;
    const type =
      typeof typeRef === 'string' && typeRef !== ''
        ? this.state.typeByNameOrId(typeRef, caller)
        : source
          ? (this.state.types.get(source.volumeTypeId) ?? this.state.defaultType)
          : this.state.defaultType;
    const groupId = typeof req.group_id === 'string' ? req.group_id : null;
    if (groupId !== null) this.sources?.checkGroupMember?.(ctx, groupId, type.id);
    const imageRef = (typeof req.imageRef === 'string' && req.imageRef) || (typeof req.image_id === 'string' && req.image_id) || '';
    const image = imageRef ? this.imageFor(imageRef, size, caller) : undefined;
    this.checkQuota(caller.projectId, 1, size);
    const now = new Date();
    const v: Volume = {
      id: randomUUID(),
      seq: this.state.nextVolumeSeq(),
      name: (req.name ?? req.display_name ?? null) as string | null,
      description: (req.description ?? req.display_description ?? null) as string | null,
      size,
      status: 'creating',
      attachStatus: 'detached',
      projectId: caller.projectId,
      userId: caller.userId,
      availabilityZone: this.deps.az,
      volumeTypeId: type.id,
      metadata: { ...((req.metadata as Record<string, string> | null) ?? {}) },
      imageMetadata: image ?? (source?.imageMetadata ? { ...source.imageMetadata } : null),
      readonly: false,
      bootable: imageRef ? true : (source?.bootable ?? false),
      multiattach: req.multiattach !== undefined ? truthy(req.multiattach) : type.extraSpecs.multiattach === '<is> True',
      snapshotId,
      sourceVolid: source?.id ?? null,
      createdAt: now,
      updatedAt: null,
      attachments: [],
      migrationStatus: null,
      groupId,
    };
    this.state.volumes.set(v.id, v);
    const schedulable = backendFits(type.extraSpecs);
    this.timers.later(() => {
      if (this.state.volumes.get(v.id) === v && v.status === 'creating') {
        v.status = schedulable ? 'available' : 'error';
        this.touch(v);
        if (!schedulable) this.sources?.note(ctx, 'VOLUME', v.id, 'VOLUME_VOLUME_001_002', 'schedule allocate volume:Could not find any available weighted backend.');
      }
    });
    return v;
  }

  /**
   * The image a volume of `size` GiB is made from, read from the pod's Glance (a pod without one takes
   * the id on trust): 404 when it is absent or another project's private image, 400 when it is not active or does not fit (its size in
   * GiB rounded up, or its `min_disk`, above the volume's size). Answers the volume's image metadata.
   */
  private imageFor(imageRef: string, size: number, caller: SimCaller): Record<string, string> {
    const glance = this.deps.glance?.();
    if (!glance) return { image_id: imageRef, checksum: '', container_format: 'bare', disk_format: 'qcow2', min_disk: '0', min_ram: '0', size: '0' };
    const image = glance.getImage(imageRef);
    // Glance hides another project's private image from the caller's token.
    const hidden = image?.visibility === 'private' && image.owner !== caller.projectId && !caller.isAdmin;
    if (!image || hidden) throw new SimServiceError(404, `Image ${imageRef} could not be found.`);
    if (image.status !== 'active') throw new SimServiceError(400, `Invalid input received: Image ${imageRef} is not active.`);
    const bytes = Number(image.size ?? 0) || 0;
    const imageGb = Math.ceil(bytes / 1024 ** 3);
    if (imageGb > size) {
      throw new SimServiceError(400, `Invalid input received: Size of specified image ${imageGb}GB is larger than volume size ${size}GB.`);
    }
    const minDisk = Number(image.min_disk ?? 0) || 0;
    if (size < minDisk) {
      throw new SimServiceError(400, `Invalid input received: Volume size ${size}GB cannot be smaller than the image minDisk size ${minDisk}GB.`);
    }
    const text = (v: unknown) => (v === undefined || v === null ? '' : String(v));
    return {
      image_id: imageRef,
      image_name: text(image.name),
      checksum: text(image.checksum),
      container_format: text(image.container_format),
      disk_format: text(image.disk_format),
      min_disk: String(minDisk),
      min_ram: text(image.min_ram ?? 0),
      size: String(bytes),
    };
  }

  list(ctx: CinderCtx, query: Query): { volumes: Volume[]; full: boolean; count: number } {
    const caller = ctx.caller;
    const allTenants = caller.isAdmin && query.all_tenants !== undefined && parseBool(qLast(query, 'all_tenants') ?? 'true') !== false;
    let project: string | undefined = caller.projectId;
    if (allTenants) project = qLast(query, 'project_id') ?? qLast(query, 'tenant_id');
    const preds: Array<(v: Volume) => boolean> = [];
    const name = qLast(query, 'name') ?? qLast(query, 'display_name');
    if (name !== undefined) preds.push((v) => v.name === name);
    const likeName = qLast(query, 'name~');
    if (likeName !== undefined && ctx.version.ge('3.34')) preds.push((v) => (v.name ?? '').includes(likeName));
    const status = qLast(query, 'status');
    if (status !== undefined) preds.push((v) => v.status === status);
    const az = qLast(query, 'availability_zone');
    if (az !== undefined) preds.push((v) => v.availabilityZone === az);
    const bootable = qLast(query, 'bootable');
    if (bootable !== undefined) preds.push((v) => v.bootable === (parseBool(bootable) ?? false));
    const metaText = qLast(query, 'metadata');
    if (metaText !== undefined) {
      const meta = parseMetadataFilter(metaText);
      preds.push((v) => Object.entries(meta).every(([k, x]) => v.metadata[k] === x));
    }
    const typeRef = qLast(query, 'volume_type');
    if (typeRef !== undefined) {
      const ids = [...this.state.types.values()].filter((t) => t.id === typeRef || t.name === typeRef).map((t) => t.id);
      preds.push((v) => ids.includes(v.volumeTypeId));
    }
    const cmp = makeComparator<Volume>(this.sortSpec(query), (v, k) => SORT_KEYS[k](v));
    const limitText = qLast(query, 'limit');
    let limit = MAX_LIMIT;
    if (limitText !== undefined) {
      if (!/^-?\d+$/.test(limitText.trim())) throw new SimServiceError(400, 'limit param must be an integer');
      if (Number(limitText) < 0) throw new SimServiceError(400, 'limit param must be positive');
      limit = Math.min(Number(limitText), MAX_LIMIT);
    }
    const markerId = qLast(query, 'marker');
    let marker: Volume | undefined;
    if (markerId !== undefined) {
      marker = this.state.volumes.get(markerId);
      if (!marker || (!caller.isAdmin && marker.projectId !== caller.projectId)) {
        throw new SimServiceError(404, `Volume ${markerId} could not be found.`);
      }
    }
    const matching = [...this.state.volumes.values()].filter((v) => (project === undefined || v.projectId === project) && preds.every((p) => p(v)));
    const { page, full } = pageOf(matching, cmp, marker, limit);
    return { volumes: page, full, count: matching.length };
  }

  private sortSpec(query: Query): SortSpec[] {
    const sort = qLast(query, 'sort');
    const keys = qAll(query, 'sort_key').flatMap((k) => k.split(','));
    const dirs = qAll(query, 'sort_dir').flatMap((d) => d.split(','));
    if (sort !== undefined && (keys.length || dirs.length)) {
      throw new SimServiceError(400, "The 'sort_key' and 'sort_dir' parameters are deprecated and cannot be used with the 'sort' parameter.");
    }
    const spec: SortSpec[] = [];
    const add = (key: string, dir: string | undefined) => {
      const k = key.trim();
      const d = (dir ?? 'desc').trim().toLowerCase();
      if (!(k in SORT_KEYS)) throw new SimServiceError(400, `Invalid input received: Invalid sort key: ${k}.`);
      if (d !== 'asc' && d !== 'desc') throw new SimServiceError(400, `Invalid input received: Unknown sort direction, must be 'desc' or 'asc'.`);
      spec.push({ key: k, dir: d });
    };
    if (sort !== undefined) {
      for (const part of sort.split(',').filter((p) => p.trim() !== '')) {
        const [k, d] = part.split(':');
        add(k, d);
      }
    } else {
      for (const [i, k] of keys.entries()) add(k, dirs[i] ?? dirs[0]);
    }
    const dir = spec[0]?.dir ?? 'desc';
    if (!spec.some((s) => s.key === 'created_at')) spec.push({ key: 'created_at', dir });
    if (!spec.some((s) => s.key === 'id')) spec.push({ key: 'id', dir });
    return spec;
  }

  update(ctx: CinderCtx, id: string, body: unknown): Volume {
    validateBody(volumeUpdateSchema, body);
    const u = (body as { volume: Record<string, unknown> }).volume;
    if (Object.keys(u).length === 0) throw new SimServiceError(400, "Missing required element 'volume' in request body.");
    const v = this.get(ctx, id);
    if ('name' in u || 'display_name' in u) v.name = ((u.name ?? u.display_name) as string | null) ?? null;
    if ('description' in u || 'display_description' in u) v.description = ((u.description ?? u.display_description) as string | null) ?? null;
    if (u.metadata) v.metadata = { ...(u.metadata as Record<string, string>) };
    this.touch(v);
    return v;
  }

  delete(ctx: CinderCtx, id: string, force = false, cascade = false): void {
    const v = this.get(ctx, id);
    if (!force && (!DELETABLE.includes(v.status) || v.attachments.length > 0 || v.migrationStatus || this.sources?.blocksDelete(v.id, cascade))) {
      throw new SimServiceError(
        400,
        'Invalid volume: Volume status must be available or error or error_restoring or error_extending or error_managing and must not be migrating, attached, belong to a group, have snapshots, awaiting a transfer, or be disassociated from snapshots after volume transfer.',
      );
    }
    if (cascade) this.sources?.deleteSnapshotsOf?.(ctx, v.id);
    this.removeSoon(v);
  }

  /** Marks a volume deleting; it disappears after the transition delay. */
  removeSoon(v: Volume): void {
    v.attachments = [];
    v.attachStatus = 'detached';
    this.transition(v, 'deleting', () => this.state.volumes.delete(v.id));
  }

  // ------------------------------------------------------------------------------------------
  // Metadata

  private checkMetadataWritable(v: Volume): void {
    if (v.status === 'maintenance' || v.status === 'uploading') {
      throw new SimServiceError(400, `Invalid volume: Volume ${v.id} is in ${v.status} state.`);
    }
  }

  setMetadata(ctx: CinderCtx, id: string, body: unknown, replace: boolean): Record<string, string> {
    validateBody(metadataBodySchema, body);
    const v = this.get(ctx, id);
    this.checkMetadataWritable(v);
    const given = (body as { metadata: Record<string, string> }).metadata;
    v.metadata = replace ? { ...given } : { ...v.metadata, ...given };
    this.touch(v);
    return { ...v.metadata };
  }

  metadataItem(ctx: CinderCtx, id: string, key: string): Record<string, string> {
    const v = this.get(ctx, id);
    if (!Object.hasOwn(v.metadata, key)) throw new SimServiceError(404, `Volume ${id} has no metadata with key ${key}.`);
    return { [key]: v.metadata[key] };
  }

  setMetadataItem(ctx: CinderCtx, id: string, key: string, body: unknown): Record<string, string> {
    if (typeof body === 'object' && body !== null) {
      const meta = (body as { meta?: unknown }).meta;
      if (typeof meta === 'object' && meta !== null && Object.keys(meta).length > 1) {
        throw new SimServiceError(400, 'Request body contains too many items');
      }
    }
    validateBody(metaItemSchema, body);
    const meta = (body as { meta: Record<string, string> }).meta;
    if (!Object.hasOwn(meta, key)) throw new SimServiceError(400, 'Request body and URI mismatch');
    const v = this.get(ctx, id);
    this.checkMetadataWritable(v);
    v.metadata[key] = meta[key];
    this.touch(v);
    return { [key]: meta[key] };
  }

  deleteMetadataItem(ctx: CinderCtx, id: string, key: string): void {
    const v = this.get(ctx, id);
    this.checkMetadataWritable(v);
    if (!Object.hasOwn(v.metadata, key)) throw new SimServiceError(404, `Volume ${id} has no metadata with key ${key}.`);
    delete v.metadata[key];
    this.touch(v);
  }

  // ------------------------------------------------------------------------------------------
  // Attachments (shared by the os-attach action and SimCinderApi)

  /** Adds an attachment; the volume must be available (or multiattach), else 400 "Invalid volume". */
  addAttachment(v: Volume, serverId: string | null, hostName: string | null, device: string, mode: 'rw' | 'ro' = 'rw'): VolumeAttachment {
    const okStatus = v.status === 'available' || v.status === 'attaching' || v.status === 'reserved' || (v.multiattach && v.status === 'in-use');
    if (!okStatus) {
      throw new SimServiceError(400, `Invalid volume: Volume ${v.id} status must be available or downloading to reserve, but the current status is ${v.status}.`);
    }
    if (serverId && v.attachments.some((a) => a.serverId === serverId)) {
      throw new SimServiceError(400, `Invalid volume: volume ${v.id} already attached to instance ${serverId}.`);
    }
    const att: VolumeAttachment = { id: randomUUID(), serverId, hostName, device, attachedAt: new Date(), mode };
    v.attachments.push(att);
    v.status = 'in-use';
    v.attachStatus = 'attached';
    this.touch(v);
    return att;
  }

  removeAttachment(v: Volume, att: VolumeAttachment): void {
    v.attachments = v.attachments.filter((a) => a !== att);
    if (v.attachments.length === 0) {
      v.status = 'available';
      v.attachStatus = 'detached';
    } else {
      v.status = 'in-use';
    }
    this.touch(v);
  }

  // ------------------------------------------------------------------------------------------
  // SimCinderApi (called in-process by the pod's Nova)

  private internalCtx(): CinderCtx {
    const caller: SimCaller = {
      token: '',
      userId: 'nova',
      userName: 'nova',
      projectId: 'service',
      projectName: 'service',
      domainId: 'default',
      roles: ['admin'],
      isAdmin: true,
      expiresAt: new Date(8640000000000000),
    };
    return { caller, version: ApiVersion.of('3.0'), apiPrefix: 'v3', projectInUrl: undefined };
  }

  getVolume(id: string): Record<string, unknown> | undefined {
    const v = this.state.volumes.get(id);
    if (!v) return undefined;
    const ctx = { ...this.internalCtx(), projectInUrl: v.projectId };
    return { ...this.views.volume(ctx, v, true), project_id: v.projectId };
  }

  attach(volumeId: string, serverId: string, device: string, hostName: string): { attachmentId: string } {
    const v = this.state.volumes.get(volumeId);
    if (!v) throw new SimServiceError(404, `Volume ${volumeId} could not be found.`);
    const att = this.addAttachment(v, serverId, hostName || null, device);
    return { attachmentId: att.id };
  }

  detach(volumeId: string, serverId: string): void {
    const v = this.state.volumes.get(volumeId);
    if (!v) throw new SimServiceError(404, `Volume ${volumeId} could not be found.`);
    const att = v.attachments.find((a) => a.serverId === serverId);
    if (!att) throw new SimServiceError(404, `Volume attachment could not be found with filter: volume_id = ${volumeId}, instance_uuid = ${serverId}.`);
    this.removeAttachment(v, att);
  }

  /** Extra for Nova's delete_on_termination: deletes a (detached) volume regardless of status. */
  deleteVolume(volumeId: string): void {
    const v = this.state.volumes.get(volumeId);
    if (v) this.removeSoon(v);
  }
}
