// Volume types, quota sets and limits of the simulated Cinder.
import { randomUUID } from 'node:crypto';
import { SimServiceError } from '../types.js';
import { parseBool, qLast, type Query } from '../nova/apiutil.js';
import { truthy, validateBody } from '../nova/validate.js';
import type { CinderCtx } from './context.js';
import { DEFAULT_CINDER_QUOTAS, type CinderQuota, type VolumeType } from './model.js';
import { extraSpecsBodySchema, quotaUpdateSchema, typeCreateSchema, typeUpdateSchema } from './schemas.js';
import type { CinderState } from './state.js';

function requireAdmin(ctx: CinderCtx, policy: string): void {
  if (!ctx.caller.isAdmin) throw new SimServiceError(403, `Policy doesn't allow ${policy} to be performed.`);
}

export class VolumeTypeService {
  constructor(private readonly state: CinderState) {}

  list(ctx: CinderCtx, query: Query): VolumeType[] {
    let isPublic: boolean | null = true;
    if (ctx.caller.isAdmin) {
      const p = qLast(query, 'is_public');
      isPublic = p === undefined ? null : p.toLowerCase() === 'none' ? null : (parseBool(p) ?? true);
    }
    return [...this.state.types.values()].filter(
      (t) => this.state.typeVisible(t, ctx.caller) && (isPublic === null || t.isPublic === isPublic || (!t.isPublic && t.access.has(ctx.caller.projectId))),
    );
  }

  get(ctx: CinderCtx, id: string): VolumeType {
    if (id === 'default') return this.state.defaultType;
    return this.state.typeFor(id, ctx.caller);
  }

  create(ctx: CinderCtx, body: unknown): VolumeType {
    requireAdmin(ctx, 'volume_extension:types_manage');
    validateBody(typeCreateSchema, body);
    const r = (body as { volume_type: Record<string, unknown> }).volume_type;
    const name = String(r.name).trim();
    if (name === '') throw new SimServiceError(400, 'Invalid input received: Volume type name can not be empty.');
    for (const t of this.state.types.values()) if (t.name === name) throw new SimServiceError(409, `Volume Type ${name} already exists.`);
    const t: VolumeType = {
      id: randomUUID(),
      name,
      description: (r.description as string | null | undefined) ?? null,
      isPublic: r['os-volume-type-access:is_public'] === undefined ? true : truthy(r['os-volume-type-access:is_public']),
      extraSpecs: { ...((r.extra_specs as Record<string, string> | undefined) ?? {}) },
      access: new Set(),
    };
    this.state.types.set(t.id, t);
    return t;
  }

  update(ctx: CinderCtx, id: string, body: unknown): VolumeType {
    requireAdmin(ctx, 'volume_extension:types_manage');
    validateBody(typeUpdateSchema, body);
    const r = (body as { volume_type: Record<string, unknown> }).volume_type;
    if (r.name === undefined && r.description === undefined && r.is_public === undefined) {
      throw new SimServiceError(400, 'Specify volume type name, description, is_public or a combination thereof.');
    }
    const t = this.get(ctx, id);
    if (typeof r.name === 'string') {
      const name = r.name.trim();
      if (t === this.state.defaultType && name !== t.name) throw new SimServiceError(400, 'The default volume type cannot be renamed.');
      for (const o of this.state.types.values()) if (o !== t && o.name === name) throw new SimServiceError(409, `Volume Type ${name} already exists.`);
      t.name = name;
    }
    if (r.description !== undefined) t.description = (r.description as string | null) ?? null;
    if (r.is_public !== undefined) t.isPublic = truthy(r.is_public);
    return t;
  }

  /** `GET /types/{id}/os-volume-type-access` (admin): the projects a private type is shared with. */
  accessList(ctx: CinderCtx, id: string): { volume_type_id: string; project_id: string }[] {
    requireAdmin(ctx, 'volume_extension:volume_type_access');
    const t = this.get(ctx, id);
    if (t.isPublic) throw new SimServiceError(404, `Volume type access for ${t.id} not found: the type is public.`);
    return [...t.access].sort().map((project) => ({ volume_type_id: t.id, project_id: project }));
  }

  /** `POST /types/{id}/action` with `addProjectAccess` / `removeProjectAccess` (admin). */
  accessAction(ctx: CinderCtx, id: string, body: unknown): void {
    const action = body && typeof body === 'object' && !Array.isArray(body) ? Object.keys(body)[0] : undefined;
    if (action !== 'addProjectAccess' && action !== 'removeProjectAccess') throw new SimServiceError(400, `There is no such action: ${action ?? ''}`);
    requireAdmin(ctx, `volume_extension:volume_type_access:${action}`);
    const project = (body as Record<string, { project?: unknown } | undefined>)[action]?.project;
    if (typeof project !== 'string' || project === '') throw new SimServiceError(400, `Invalid input for field/attribute ${action}. 'project' is a required property`);
    const t = this.get(ctx, id);
    if (t.isPublic) throw new SimServiceError(400, 'Invalid volume type: Type access modification is not applicable to public volume type.');
    if (action === 'addProjectAccess') {
      if (t.access.has(project)) throw new SimServiceError(409, `Volume type access for ${t.id} / ${project} combination already exists.`);
      t.access.add(project);
    } else {
      if (!t.access.delete(project)) throw new SimServiceError(404, `Volume type access not found for ${t.id} / ${project} combination.`);
    }
  }

  delete(ctx: CinderCtx, id: string): void {
    requireAdmin(ctx, 'volume_extension:types_manage');
    const t = this.get(ctx, id);
    if (t === this.state.defaultType) throw new SimServiceError(400, 'Default volume type can not be deleted.');
    for (const v of this.state.volumes.values()) {
      if (v.volumeTypeId === t.id) throw new SimServiceError(400, 'Target volume type is still in use.');
    }
    this.state.types.delete(t.id);
  }

  setExtraSpecs(ctx: CinderCtx, id: string, body: unknown): Record<string, string> {
    requireAdmin(ctx, 'volume_extension:types_extra_specs:create');
    validateBody(extraSpecsBodySchema, body);
    const t = this.get(ctx, id);
    const specs = (body as { extra_specs: Record<string, string> }).extra_specs;
    Object.assign(t.extraSpecs, specs);
    return { ...specs };
  }

  extraSpec(ctx: CinderCtx, id: string, key: string): Record<string, string> {
    const t = this.get(ctx, id);
    if (!Object.hasOwn(t.extraSpecs, key)) throw new SimServiceError(404, `Volume Type ${id} has no extra specs with key ${key}.`);
    return { [key]: t.extraSpecs[key] };
  }

  setExtraSpec(ctx: CinderCtx, id: string, key: string, body: unknown): Record<string, string> {
    requireAdmin(ctx, 'volume_extension:types_extra_specs:update');
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new SimServiceError(400, 'Malformed request body');
    const entries = Object.entries(body as Record<string, unknown>);
    if (entries.length > 1) throw new SimServiceError(400, 'Request body contains too many items');
    if (entries.length === 0 || entries[0][0] !== key) throw new SimServiceError(400, 'Request body and URI mismatch');
    const t = this.get(ctx, id);
    t.extraSpecs[key] = String(entries[0][1]);
    return { [key]: t.extraSpecs[key] };
  }

  deleteExtraSpec(ctx: CinderCtx, id: string, key: string): void {
    requireAdmin(ctx, 'volume_extension:types_extra_specs:delete');
    const t = this.get(ctx, id);
    if (!Object.hasOwn(t.extraSpecs, key)) throw new SimServiceError(404, `Volume Type ${id} has no extra specs with key ${key}.`);
    delete t.extraSpecs[key];
  }
}

const QUOTA_KEYS: Array<keyof CinderQuota> = ['backup_gigabytes', 'backups', 'gigabytes', 'groups', 'per_volume_gigabytes', 'snapshots', 'volumes'];

export class CinderQuotaService {
  constructor(private readonly state: CinderState) {}

  private checkReadable(ctx: CinderCtx, projectId: string): void {
    if (!ctx.caller.isAdmin && projectId !== ctx.caller.projectId) {
      throw new SimServiceError(403, "Policy doesn't allow volume_extension:quotas:show to be performed.");
    }
  }

  /** Limits incl. the per-type keys (`volumes___DEFAULT__`, ...). */
  private limitsOf(projectId: string, defaults: boolean): Record<string, number> {
    const base = defaults ? DEFAULT_CINDER_QUOTAS : this.state.quotaLimits(projectId);
    const perType = defaults ? {} : (this.state.typeQuotas.get(projectId) ?? {});
    const out: Record<string, number> = {};
    for (const k of QUOTA_KEYS) out[k] = base[k];
    for (const t of this.state.types.values()) {
      for (const res of ['gigabytes', 'snapshots', 'volumes']) out[`${res}_${t.name}`] = perType[`${res}_${t.name}`] ?? -1;
    }
    return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
  }

  show(ctx: CinderCtx, projectId: string, query: Query): Record<string, unknown> {
    this.checkReadable(ctx, projectId);
    const limits = this.limitsOf(projectId, false);
    const usage = parseBool(qLast(query, 'usage') ?? 'false') === true;
    if (!usage) return { ...limits, id: projectId };
    const used = this.state.usage(projectId);
    const out: Record<string, unknown> = { id: projectId };
    for (const [k, limit] of Object.entries(limits)) {
      let inUse = 0;
      if (k === 'volumes') inUse = used.volumes;
      else if (k === 'gigabytes') inUse = used.gigabytes;
      else {
        const m = /^(volumes|gigabytes)_(.+)$/.exec(k);
        if (m) {
          const type = [...this.state.types.values()].find((t) => t.name === m[2]);
          const u = type ? used.byType.get(type.id) : undefined;
          inUse = u ? u[m[1] as 'volumes' | 'gigabytes'] : 0;
        }
      }
      out[k] = { in_use: inUse, limit, reserved: 0 };
    }
    return out;
  }

  defaults(_ctx: CinderCtx, projectId: string): Record<string, unknown> {
    return { ...this.limitsOf(projectId, true), id: projectId };
  }

  update(ctx: CinderCtx, projectId: string, body: unknown): Record<string, unknown> {
    requireAdmin(ctx, 'volume_extension:quotas:update');
    validateBody(quotaUpdateSchema, body);
    const req = (body as { quota_set: Record<string, unknown> }).quota_set;
    const known = new Set(Object.keys(this.limitsOf(projectId, false)));
    const bad = Object.keys(req).filter((k) => !known.has(k));
    if (bad.length) throw new SimServiceError(400, `Bad key(s) in quota set: ${bad.join(',')}`);
    const used = this.state.usage(projectId);
    const next = { ...(this.state.quotas.get(projectId) ?? {}) };
    const perType = { ...(this.state.typeQuotas.get(projectId) ?? {}) };
    for (const [k, v] of Object.entries(req)) {
      const n = Number(v);
      const inUse = k === 'volumes' ? used.volumes : k === 'gigabytes' ? used.gigabytes : 0;
      if (n >= 0 && n < inUse) {
        throw new SimServiceError(
          400,
          `Invalid input received: Quota ${k} limit must be equal or greater than existing resources. Current usage is ${inUse} and the requested limit is ${n}.`,
        );
      }
      if ((QUOTA_KEYS as string[]).includes(k)) next[k as keyof CinderQuota] = n;
      else perType[k] = n;
    }
    this.state.quotas.set(projectId, next);
    this.state.typeQuotas.set(projectId, perType);
    return this.limitsOf(projectId, false);
  }

  reset(ctx: CinderCtx, projectId: string): void {
    requireAdmin(ctx, 'volume_extension:quotas:delete');
    this.state.quotas.delete(projectId);
    this.state.typeQuotas.delete(projectId);
  }

  limits(ctx: CinderCtx): Record<string, number> {
    const l = this.state.quotaLimits(ctx.caller.projectId);
    const u = this.state.usage(ctx.caller.projectId);
    return {
      totalSnapshotsUsed: 0,
      maxTotalBackups: l.backups,
      maxTotalVolumeGigabytes: l.gigabytes,
      maxTotalSnapshots: l.snapshots,
      maxTotalBackupGigabytes: l.backup_gigabytes,
      totalBackupGigabytesUsed: 0,
      maxTotalVolumes: l.volumes,
      totalVolumesUsed: u.volumes,
      totalBackupsUsed: 0,
      totalGigabytesUsed: u.gigabytes,
    };
  }
}
