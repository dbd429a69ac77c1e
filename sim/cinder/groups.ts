// Group types (with group specs), generic volume groups (3.13+) and group snapshots (3.14+) of the
// simulated Cinder, with upstream's state machines: group creating → available, deleting → gone;
// group snapshot creating → available (a snapshot of each of the group's volumes), deleting.
import { randomUUID } from 'node:crypto';
import { isoMicro, type TransitionTimers } from '../nova/apiutil.js';
import type { Schema } from '../nova/validate.js';
import { SimServiceError } from '../types.js';
import type { CinderCtx } from './context.js';
import type { Volume } from './model.js';
import { base, body, commonSort, obj, SimCollection, str, type CinderStorage, type StoredRecord } from './storage.js';
import type { VolumeService } from './volumes.js';

export interface GroupType {
  id: string;
  name: string;
  description: string | null;
  isPublic: boolean;
  specs: Record<string, string>;
}

export interface Group extends StoredRecord {
  groupTypeId: string;
  volumeTypeIds: string[];
  description: string | null;
  groupSnapshotId: string | null;
  sourceGroupId: string | null;
}

export interface GroupSnapshot extends StoredRecord {
  groupId: string;
  groupTypeId: string;
  description: string | null;
  snapshotIds: string[];
}

const specs: Schema = { type: 'object', patternProperties: { '^[a-zA-Z0-9-_:. /]{1,255}$': { type: 'string', maxLength: 255 } }, additionalProperties: false };
const boolish: Schema = { type: ['boolean', 'string'] };

function requireAdmin(ctx: CinderCtx, rule: string): void {
  if (!ctx.caller.isAdmin) throw new SimServiceError(403, `Policy doesn't allow ${rule} to be performed.`);
}

const truthy = (x: unknown) => x === true || ['true', '1', 'yes', 'on', 't', 'y'].includes(String(x).toLowerCase());

export class CinderGroups {
  readonly types = new Map<string, GroupType>();
  readonly groups = new SimCollection<Group>('Group', commonSort<Group>(), { name: (r) => r.name, status: (r) => r.status });
  readonly snapshots = new SimCollection<GroupSnapshot>('GroupSnapshot', commonSort<GroupSnapshot>({ group_id: (r) => r.groupId }), {
    name: (r) => r.name,
    status: (r) => r.status,
    group_id: (r) => r.groupId,
  });

  constructor(
    private readonly volumes: VolumeService,
    private readonly storage: CinderStorage,
    private readonly timers: TransitionTimers,
    private readonly az: string,
  ) {
    // Cinder's database migration makes this type (its default_group_type).
    this.defaultType = { id: randomUUID(), name: 'default_group_type', description: 'Default group type', isPublic: true, specs: {} };
    this.types.set(this.defaultType.id, this.defaultType);
  }

  readonly defaultType: GroupType;

  // ---- group types -----------------------------------------------------------------------------

  groupTypeView(t: GroupType): Record<string, unknown> {
    return { id: t.id, name: t.name, description: t.description, is_public: t.isPublic, group_specs: { ...t.specs } };
  }

  groupType(ctx: CinderCtx, id: string): GroupType {
    if (id === 'default') return this.defaultType;
    const t = this.types.get(id) ?? [...this.types.values()].find((x) => x.name === id);
    if (!t || (!t.isPublic && !ctx.caller.isAdmin)) throw new SimServiceError(404, `Group type ${id} could not be found.`);
    return t;
  }

  listGroupTypes(ctx: CinderCtx): GroupType[] {
    return [...this.types.values()].filter((t) => t.isPublic || ctx.caller.isAdmin);
  }

  createGroupType(ctx: CinderCtx, raw: unknown): GroupType {
    requireAdmin(ctx, 'group:group_types:create');
    const r = body<Record<string, unknown>>(
      obj({ group_type: obj({ name: { type: 'string', minLength: 1, maxLength: 255 }, description: str, is_public: boolish, group_specs: specs }, ['name']) }, ['group_type']),
      raw,
      'group_type',
    );
    const name = String(r.name).trim();
    if (name === '') throw new SimServiceError(400, 'Invalid input received: Group type name can not be empty.');
    if ([...this.types.values()].some((t) => t.name === name)) throw new SimServiceError(409, `Group Type ${name} already exists.`);
    const t: GroupType = {
      id: randomUUID(),
      name,
      description: (r.description as string | null | undefined) ?? null,
      isPublic: r.is_public === undefined ? true : truthy(r.is_public),
      specs: { ...((r.group_specs as Record<string, string> | undefined) ?? {}) },
    };
    this.types.set(t.id, t);
    return t;
  }

  updateGroupType(ctx: CinderCtx, id: string, raw: unknown): GroupType {
    requireAdmin(ctx, 'group:group_types:update');
    const r = body<Record<string, unknown>>(obj({ group_type: obj({ name: str, description: str, is_public: boolish }) }, ['group_type']), raw, 'group_type');
    if (r.name === undefined && r.description === undefined && r.is_public === undefined) {
      throw new SimServiceError(400, 'Specify group type name, description or a combination thereof.');
    }
    const t = this.groupType(ctx, id);
    if (typeof r.name === 'string') {
      const name = r.name.trim();
      if (name === '') throw new SimServiceError(400, 'Invalid input received: Group type name can not be empty.');
      if ([...this.types.values()].some((o) => o !== t && o.name === name)) throw new SimServiceError(409, `Group Type ${name} already exists.`);
      t.name = name;
    }
    if (r.description !== undefined) t.description = (r.description as string | null) ?? null;
    if (r.is_public !== undefined) t.isPublic = truthy(r.is_public);
    return t;
  }

  deleteGroupType(ctx: CinderCtx, id: string): void {
    requireAdmin(ctx, 'group:group_types:delete');
    const t = this.groupType(ctx, id);
    if ([...this.groups.items.values()].some((g) => g.groupTypeId === t.id)) throw new SimServiceError(400, 'Target group type is still in use.');
    this.types.delete(t.id);
  }

  setGroupSpecs(ctx: CinderCtx, id: string, raw: unknown): Record<string, string> {
    requireAdmin(ctx, 'group:group_types_specs');
    const given = body<Record<string, string>>(obj({ group_specs: specs }, ['group_specs']), raw, 'group_specs');
    const t = this.groupType(ctx, id);
    Object.assign(t.specs, given);
    return { ...given };
  }

  groupSpec(ctx: CinderCtx, id: string, key: string): Record<string, string> {
    requireAdmin(ctx, 'group:group_types_specs');
    const t = this.groupType(ctx, id);
    if (!(key in t.specs)) throw new SimServiceError(404, `Group Type ${t.id} has no specs with key ${key}.`);
    return { [key]: t.specs[key] };
  }

  setGroupSpec(ctx: CinderCtx, id: string, key: string, raw: unknown): Record<string, string> {
    requireAdmin(ctx, 'group:group_types_specs');
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new SimServiceError(400, 'Malformed request body');
    const entries = Object.entries(raw as Record<string, unknown>);
    if (entries.length !== 1 || entries[0][0] !== key) throw new SimServiceError(400, 'Request body and URI mismatch');
    if (typeof entries[0][1] !== 'string') throw new SimServiceError(400, `Invalid input for field/attribute ${key}.`);
    const t = this.groupType(ctx, id);
    t.specs[key] = entries[0][1];
    return { [key]: entries[0][1] };
  }

  deleteGroupSpec(ctx: CinderCtx, id: string, key: string): void {
    requireAdmin(ctx, 'group:group_types_specs');
    const t = this.groupType(ctx, id);
    if (!(key in t.specs)) throw new SimServiceError(404, `Group Type ${t.id} has no specs with key ${key}.`);
    delete t.specs[key];
  }

  // ---- groups ----------------------------------------------------------------------------------

  membersOf(groupId: string): Volume[] {
    return [...this.volumes.state.volumes.values()].filter((v) => v.groupId === groupId);
  }

  groupView(ctx: CinderCtx, g: Group, detail = true): Record<string, unknown> {
    if (!detail) return { id: g.id, name: g.name };
    const out: Record<string, unknown> = {
      id: g.id,
      status: g.status,
      availability_zone: this.az,
      created_at: isoMicro(g.createdAt),
      name: g.name,
      description: g.description,
      group_type: g.groupTypeId,
      volume_types: [...g.volumeTypeIds],
    };
    if (ctx.version.ge('3.25')) out.volumes = this.membersOf(g.id).map((v) => v.id);
    if (ctx.version.ge('3.14')) {
      out.group_snapshot_id = g.groupSnapshotId;
      out.source_group_id = g.sourceGroupId;
    }
    if (ctx.version.ge('3.38')) out.replication_status = 'disabled';
    if (ctx.version.ge('3.58')) out.project_id = g.projectId;
    return out;
  }

  createGroup(ctx: CinderCtx, raw: unknown): Group {
    const r = body<Record<string, unknown>>(
      obj(
        {
          group: obj(
            { name: str, description: str, group_type: { type: 'string' }, volume_types: { type: 'array', items: { type: 'string' }, minItems: 1 }, availability_zone: str },
            ['group_type', 'volume_types'],
          ),
        },
        ['group'],
      ),
      raw,
      'group',
    );
    if (typeof r.availability_zone === 'string' && r.availability_zone !== this.az) throw new SimServiceError(400, `Availability zone '${r.availability_zone}' is invalid.`);
    const type = this.groupType(ctx, String(r.group_type));
    const volumeTypeIds = (r.volume_types as string[]).map((ref) => this.volumes.state.typeByNameOrId(ref, ctx.caller).id);
    return this.addGroup(ctx, { name: r.name, description: r.description, groupTypeId: type.id, volumeTypeIds });
  }

  private addGroup(
    ctx: CinderCtx,
    g: { name: unknown; description: unknown; groupTypeId: string; volumeTypeIds: string[]; groupSnapshotId?: string; sourceGroupId?: string },
  ): Group {
    const group: Group = {
      ...base(ctx, g.name),
      groupTypeId: g.groupTypeId,
      volumeTypeIds: g.volumeTypeIds,
      description: typeof g.description === 'string' ? g.description : null,
      groupSnapshotId: g.groupSnapshotId ?? null,
      sourceGroupId: g.sourceGroupId ?? null,
    };
    this.groups.items.set(group.id, group);
    this.settle(group, 'creating', 'available');
    return group;
  }

  /** `POST /groups/action` with `create-from-src` (3.14): a copy of a group or of a group snapshot, its volumes cloned. */
  createFromSource(ctx: CinderCtx, raw: unknown): Group {
    const r = body<Record<string, unknown>>(
      obj({ 'create-from-src': obj({ name: str, description: str, group_snapshot_id: { type: ['string', 'null'] }, source_group_id: { type: ['string', 'null'] } }) }, [
        'create-from-src',
      ]),
      raw,
      'create-from-src',
    );
    const fromSnapshot = typeof r.group_snapshot_id === 'string';
    if (fromSnapshot === (typeof r.source_group_id === 'string')) {
      throw new SimServiceError(400, 'Invalid input received: Either group_snapshot_id or source_group_id must be provided, but not both.');
    }
    const src = fromSnapshot ? this.snapshots.find(ctx, String(r.group_snapshot_id)) : undefined;
    const sourceGroup = this.groups.find(ctx, src ? src.groupId : String(r.source_group_id));
    const group = this.addGroup(ctx, {
      name: r.name,
      description: r.description,
      groupTypeId: sourceGroup.groupTypeId,
      volumeTypeIds: [...sourceGroup.volumeTypeIds],
      ...(src ? { groupSnapshotId: src.id } : { sourceGroupId: sourceGroup.id }),
    });
    const sources = src ? src.snapshotIds.map((id) => ({ snapshot_id: id })) : this.membersOf(sourceGroup.id).map((v) => ({ source_volid: v.id }));
    for (const from of sources) {
      const made = this.volumes.create(ctx, { volume: { ...from } });
      made.groupId = group.id;
    }
    return group;
  }

  updateGroup(ctx: CinderCtx, id: string, raw: unknown): void {
    const r = body<Record<string, unknown>>(obj({ group: obj({ name: str, description: str, add_volumes: str, remove_volumes: str }) }, ['group']), raw, 'group');
    const g = this.groups.find(ctx, id);
    if (Object.values(r).every((x) => x === undefined || x === null || x === '')) {
      throw new SimServiceError(400, 'Invalid input received: Name, description, add_volumes, and remove_volumes can not be all empty in the request body.');
    }
    if (g.status !== 'available') throw new SimServiceError(400, `Invalid group: Group status must be available, but current status is: ${g.status}.`);
    const ids = (x: unknown) =>
      typeof x === 'string'
        ? x
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : [];
    const adding = ids(r.add_volumes).map((vid) => this.volumes.state.volumeFor(vid, ctx.caller));
    const removing = ids(r.remove_volumes).map((vid) => this.volumes.state.volumeFor(vid, ctx.caller));
    for (const v of adding) {
      if (v.groupId && v.groupId !== g.id) throw new SimServiceError(400, `Invalid volume: Volume ${v.id} is already in a group.`);
      if (!g.volumeTypeIds.includes(v.volumeTypeId)) throw new SimServiceError(400, `Invalid volume: Volume ${v.id}'s type is not supported by the group.`);
      if (!['available', 'in-use'].includes(v.status)) throw new SimServiceError(400, `Invalid volume: Volume ${v.id} must be available or in-use to be added.`);
    }
    for (const v of removing) if (v.groupId !== g.id) throw new SimServiceError(400, `Invalid volume: Volume ${v.id} is not in group ${g.id}.`);
    if ('name' in r && r.name !== undefined) g.name = (r.name as string | null) ?? null;
    if ('description' in r && r.description !== undefined) g.description = (r.description as string | null) ?? null;
    for (const v of adding) v.groupId = g.id;
    for (const v of removing) v.groupId = null;
    g.updatedAt = new Date();
  }

  groupAction(ctx: CinderCtx, id: string, raw: unknown): void {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw) || Object.keys(raw).length !== 1) throw new SimServiceError(400, 'Malformed request body');
    const [action, arg] = Object.entries(raw as Record<string, unknown>)[0];
    const g = this.groups.find(ctx, id);
    switch (action) {
      case 'delete': {
        const deleteVolumes = truthy((arg as Record<string, unknown> | null)?.['delete-volumes'] ?? false);
        const members = this.membersOf(g.id);
        if (!['available', 'error', 'error_deleting'].includes(g.status))
          throw new SimServiceError(400, `Invalid group: Group status must be available or error, but current status is: ${g.status}.`);
        if (members.length > 0 && !deleteVolumes)
          throw new SimServiceError(400, `Invalid group: Group ${g.id} still contains volumes. The delete-volumes flag is required to delete it.`);
        if ([...this.snapshots.items.values()].some((s) => s.groupId === g.id)) throw new SimServiceError(400, `Invalid group: Group ${g.id} has existing snapshots.`);
        for (const v of members) {
          if (v.attachments.length > 0) throw new SimServiceError(400, `Invalid volume: Volume ${v.id} in group ${g.id} is attached.`);
        }
        for (const v of members) this.volumes.removeSoon(v);
        g.status = 'deleting';
        g.updatedAt = new Date();
        this.timers.later(() => this.groups.items.delete(g.id));
        return;
      }
      case 'reset_status': {
        if (ctx.version.lt('3.20')) throw new SimServiceError(404, 'The resource could not be found.');
        requireAdmin(ctx, 'group:reset_status');
        const status = (arg as Record<string, unknown> | null)?.status;
        if (typeof status !== 'string' || status === '') throw new SimServiceError(400, "Invalid input received: Must specify 'status'");
        g.status = status;
        g.updatedAt = new Date();
        return;
      }
      case 'enable_replication':
      case 'disable_replication':
      case 'failover_replication':
      case 'list_replication_targets':
        if (ctx.version.lt('3.38')) throw new SimServiceError(404, 'The resource could not be found.');
        throw new SimServiceError(400, `Invalid group type: Group type ${g.groupTypeId} does not support replication (the pod's backend has no replication targets).`);
      default:
        throw new SimServiceError(400, `There is no such action: ${action}`);
    }
  }

  /** Whether a volume may be created into `groupId` with type `typeId` (404 / 400 otherwise). */
  checkMember(ctx: CinderCtx, groupId: string, typeId: string): void {
    const g = this.groups.find(ctx, groupId);
    if (g.status !== 'available') throw new SimServiceError(400, `Invalid group: Group ${g.id} status must be available, but current status is: ${g.status}.`);
    if (!g.volumeTypeIds.includes(typeId)) throw new SimServiceError(400, `Invalid input received: Volume type ${typeId} is not in group ${g.id}.`);
  }

  // ---- group snapshots -------------------------------------------------------------------------

  groupSnapshotView(ctx: CinderCtx, s: GroupSnapshot, detail: boolean | 'summary' = true): Record<string, unknown> {
    // Upstream's summary (the create answer) names the group type; the list's brief records do not.
    if (detail === 'summary') return { id: s.id, name: s.name, group_type_id: s.groupTypeId };
    if (!detail) return { id: s.id, name: s.name };
    const out: Record<string, unknown> = {
      id: s.id,
      group_id: s.groupId,
      status: s.status,
      created_at: isoMicro(s.createdAt),
      name: s.name,
      description: s.description,
      group_type_id: s.groupTypeId,
    };
    if (ctx.version.ge('3.58')) out.project_id = s.projectId;
    return out;
  }

  createGroupSnapshot(ctx: CinderCtx, raw: unknown): GroupSnapshot {
    const r = body<Record<string, unknown>>(
      obj({ group_snapshot: obj({ group_id: { type: 'string', format: 'uuid' }, name: str, description: str }, ['group_id']) }, ['group_snapshot']),
      raw,
      'group_snapshot',
    );
    const g = this.groups.find(ctx, String(r.group_id));
    if (g.status !== 'available') throw new SimServiceError(400, `Invalid group: Group ${g.id} status must be available, but current status is: ${g.status}.`);
    const s: GroupSnapshot = {
      ...base(ctx, r.name),
      groupId: g.id,
      groupTypeId: g.groupTypeId,
      description: typeof r.description === 'string' ? r.description : null,
      snapshotIds: [],
    };
    for (const v of this.membersOf(g.id)) {
      const snap = this.storage.createSnapshot(ctx, { snapshot: { volume_id: v.id, force: true, name: `group-snapshot-${s.id}` } });
      snap.groupSnapshotId = s.id;
      s.snapshotIds.push(snap.id);
    }
    this.snapshots.items.set(s.id, s);
    this.settle(s, 'creating', 'available');
    return s;
  }

  deleteGroupSnapshot(ctx: CinderCtx, id: string): void {
    const s = this.snapshots.find(ctx, id);
    if (!['available', 'error'].includes(s.status)) throw new SimServiceError(400, 'Invalid group snapshot: Group snapshot status must be available or error.');
    s.status = 'deleting';
    s.updatedAt = new Date();
    for (const sid of s.snapshotIds) if (this.storage.snapshots.items.has(sid)) this.storage.deleteSnapshot(ctx, sid, true);
    this.timers.later(() => this.snapshots.items.delete(s.id));
  }

  groupSnapshotAction(ctx: CinderCtx, id: string, raw: unknown): void {
    if (ctx.version.lt('3.19')) throw new SimServiceError(404, 'The resource could not be found.');
    const s = this.snapshots.find(ctx, id);
    const status = (raw as { reset_status?: { status?: unknown } } | null)?.reset_status?.status;
    if (!raw || typeof raw !== 'object' || !('reset_status' in raw)) throw new SimServiceError(400, 'There is no such action');
    requireAdmin(ctx, 'group:reset_group_snapshot_status');
    if (typeof status !== 'string' || status === '') throw new SimServiceError(400, "Invalid input received: Must specify 'status'");
    s.status = status;
    s.updatedAt = new Date();
  }

  private settle(r: StoredRecord, from: string, to: string): void {
    this.timers.later(() => {
      if (r.status !== from) return;
      r.status = to;
      r.updatedAt = new Date();
    });
  }
}
