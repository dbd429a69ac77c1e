// Flavors, key pairs, quotas and limits of the simulated Nova.
import { randomUUID } from 'node:crypto';
import { SimServiceError } from '../types.js';
import { makeComparator, pageOf, parseNonNegativeInt, qAll, qLast, type Query, type SortSpec } from './apiutil.js';
import type { NovaCtx } from './context.js';
import { fingerprintOf, generateSshKey, generateX509Key } from './keygen.js';
import { DEFAULT_QUOTAS, type Flavor, type Keypair, type QuotaLimits } from './model.js';
import { extraSpecItemSchema, extraSpecsSchema, flavorAccessSchema, flavorCreateSchema, flavorUpdateSchema, keypairCreateSchema, quotaUpdateSchema } from './schemas.js';
import type { NovaState } from './state.js';
import { truthy, validateBody } from './validate.js';

function policyError(policy: string): SimServiceError {
  return new SimServiceError(403, `Policy doesn't allow ${policy} to be performed.`);
}

function requireAdmin(ctx: NovaCtx, policy: string): void {
  if (!ctx.caller.isAdmin) throw policyError(policy);
}

const FLAVOR_SORT: Record<string, (f: Flavor) => unknown> = {
  created_at: (f) => f.createdAt,
  description: (f) => f.description,
  disabled: (f) => f.disabled,
  ephemeral_gb: (f) => f.ephemeral,
  flavorid: (f) => f.id,
  id: (f) => f.seq,
  is_public: (f) => f.isPublic,
  memory_mb: (f) => f.ram,
  name: (f) => f.name,
  root_gb: (f) => f.disk,
  rxtx_factor: (f) => f.rxtxFactor,
  swap: (f) => f.swap,
  updated_at: (f) => f.updatedAt,
  vcpu_weight: () => 0,
  vcpus: (f) => f.vcpus,
};

export class FlavorService {
  constructor(private readonly state: NovaState) {}

  list(ctx: NovaCtx, query: Query): { flavors: Flavor[]; full: boolean } {
    const admin = ctx.caller.isAdmin;
    let isPublic: boolean | null = true;
    if (admin) {
      const p = qLast(query, 'is_public');
      if (p !== undefined) {
        const t = p.toLowerCase();
        if (t === 'none') isPublic = null;
        else if (['1', 't', 'true', 'on', 'y', 'yes'].includes(t)) isPublic = true;
        else if (['0', 'f', 'false', 'off', 'n', 'no'].includes(t)) isPublic = false;
        else throw new SimServiceError(400, `Invalid is_public filter [${p}]`);
      }
    }
    const minRamText = qLast(query, 'minRam');
    const minDiskText = qLast(query, 'minDisk');
    const minRam = minRamText === undefined ? undefined : parseNonNegativeInt(minRamText, `Invalid minRam filter [${minRamText}]`);
    const minDisk = minDiskText === undefined ? undefined : parseNonNegativeInt(minDiskText, `Invalid minDisk filter [${minDiskText}]`);
    const keys = qAll(query, 'sort_key');
    const dirs = qAll(query, 'sort_dir');
    for (const k of keys) if (!(k in FLAVOR_SORT)) throw new SimServiceError(400, `Sort key supplied is invalid: ${k}`);
    for (const d of dirs) if (d !== 'asc' && d !== 'desc') throw new SimServiceError(400, `Unknown sort direction, must be 'desc' or 'asc'`);
    const spec: SortSpec[] = (keys.length ? keys : ['flavorid']).map((key, i) => ({ key, dir: (dirs[i] as 'asc' | 'desc') ?? dirs[0] ?? 'asc' }));
    if (!spec.some((s) => s.key === 'flavorid')) spec.push({ key: 'flavorid', dir: spec[0].dir });
    const cmp = makeComparator<Flavor>(spec, (f, k) => FLAVOR_SORT[k](f));
    const limitText = qLast(query, 'limit');
    const limit = limitText === undefined ? 1000 : Math.min(1000, parseNonNegativeInt(limitText, 'limit param must be an integer'));
    const markerId = qLast(query, 'marker');
    let marker: Flavor | undefined;
    if (markerId !== undefined) {
      marker = this.state.flavors.get(markerId);
      if (!marker || !this.state.flavorVisible(marker, ctx.caller)) throw new SimServiceError(400, `marker [${markerId}] not found`);
    }
    const items = [...this.state.flavors.values()].filter((f) => {
      if (!admin && f.disabled) return false;
      if (isPublic === true && !f.isPublic && !f.access.has(ctx.caller.projectId)) return false;
      if (isPublic === false && f.isPublic) return false;
      if (!this.state.flavorVisible(f, ctx.caller)) return false;
      if (minRam !== undefined && f.ram < minRam) return false;
      if (minDisk !== undefined && f.disk < minDisk) return false;
      return true;
    });
    const { page, full } = pageOf(items, cmp, marker, limit);
    return { flavors: page, full };
  }

  get(ctx: NovaCtx, id: string): Flavor {
    return this.state.flavorFor(id, ctx.caller);
  }

  create(ctx: NovaCtx, body: unknown): Flavor {
    requireAdmin(ctx, 'os_compute_api:os-flavor-manage:create');
    validateBody(flavorCreateSchema(ctx.version), body);
    const f = (body as { flavor: Record<string, unknown> }).flavor;
    const name = String(f.name);
    let id = f.id === undefined || f.id === null || f.id === 'auto' ? randomUUID() : String(f.id);
    id = id.trim();
    for (const existing of this.state.flavors.values()) {
      if (existing.name === name) throw new SimServiceError(409, `Flavor with name ${name} already exists.`);
    }
    if (this.state.flavors.has(id)) throw new SimServiceError(409, `Flavor with ID ${id} already exists.`);
    const num = (v: unknown, d: number) => (v === undefined || v === null || v === '' ? d : Number(v));
    return this.state.addFlavor({
      id,
      name,
      vcpus: num(f.vcpus, 1),
      ram: num(f.ram, 0),
      disk: num(f.disk, 0),
      ephemeral: num(f['OS-FLV-EXT-DATA:ephemeral'], 0),
      swap: num(f.swap, 0),
      rxtxFactor: num(f.rxtx_factor, 1.0),
      isPublic: f['os-flavor-access:is_public'] === undefined ? true : truthy(f['os-flavor-access:is_public']),
      disabled: false,
      description: typeof f.description === 'string' ? f.description : null,
      extraSpecs: {},
      access: new Set(),
      createdAt: new Date(),
      updatedAt: null,
    });
  }

  update(ctx: NovaCtx, id: string, body: unknown): Flavor {
    requireAdmin(ctx, 'os_compute_api:os-flavor-manage:update');
    validateBody(flavorUpdateSchema, body);
    const flavor = this.get(ctx, id);
    flavor.description = (body as { flavor: { description: string | null } }).flavor.description;
    flavor.updatedAt = new Date();
    return flavor;
  }

  delete(ctx: NovaCtx, id: string): void {
    requireAdmin(ctx, 'os_compute_api:os-flavor-manage:delete');
    this.get(ctx, id);
    this.state.flavors.delete(id);
  }

  extraSpecs(ctx: NovaCtx, id: string): Record<string, string> {
    return { ...this.get(ctx, id).extraSpecs };
  }

  setExtraSpecs(ctx: NovaCtx, id: string, body: unknown): Record<string, string> {
    requireAdmin(ctx, 'os_compute_api:os-flavor-extra-specs:create');
    validateBody(extraSpecsSchema, body);
    const flavor = this.get(ctx, id);
    const given = (body as { extra_specs: Record<string, unknown> }).extra_specs;
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(given)) out[k] = String(v);
    Object.assign(flavor.extraSpecs, out);
    flavor.updatedAt = new Date();
    return out;
  }

  extraSpec(ctx: NovaCtx, id: string, key: string): Record<string, string> {
    const flavor = this.get(ctx, id);
    if (!Object.hasOwn(flavor.extraSpecs, key)) throw new SimServiceError(404, `Flavor ${id} has no extra specs with key ${key}.`);
    return { [key]: flavor.extraSpecs[key] };
  }

  setExtraSpec(ctx: NovaCtx, id: string, key: string, body: unknown): Record<string, string> {
    requireAdmin(ctx, 'os_compute_api:os-flavor-extra-specs:update');
    if (typeof body === 'object' && body !== null && Object.keys(body).length > 1) {
      throw new SimServiceError(400, 'Request body contains too many items');
    }
    validateBody(extraSpecItemSchema, body);
    const given = body as Record<string, unknown>;
    if (!Object.hasOwn(given, key)) throw new SimServiceError(400, 'Request body and URI mismatch');
    const flavor = this.get(ctx, id);
    flavor.extraSpecs[key] = String(given[key]);
    flavor.updatedAt = new Date();
    return { [key]: flavor.extraSpecs[key] };
  }

  deleteExtraSpec(ctx: NovaCtx, id: string, key: string): void {
    requireAdmin(ctx, 'os_compute_api:os-flavor-extra-specs:delete');
    const flavor = this.get(ctx, id);
    if (!Object.hasOwn(flavor.extraSpecs, key)) throw new SimServiceError(404, `Flavor ${id} has no extra specs with key ${key}.`);
    delete flavor.extraSpecs[key];
  }

  access(ctx: NovaCtx, id: string): Array<{ flavor_id: string; tenant_id: string }> {
    requireAdmin(ctx, 'os_compute_api:os-flavor-access');
    const flavor = this.get(ctx, id);
    if (flavor.isPublic) throw new SimServiceError(404, 'Access list not available for public flavors.');
    return [...flavor.access].map((tenant_id) => ({ flavor_id: flavor.id, tenant_id }));
  }

  /** addTenantAccess / removeTenantAccess (POST /flavors/{id}/action). */
  accessAction(ctx: NovaCtx, id: string, body: unknown): Array<{ flavor_id: string; tenant_id: string }> {
    const action = typeof body === 'object' && body !== null ? Object.keys(body)[0] : undefined;
    if (action !== 'addTenantAccess' && action !== 'removeTenantAccess') {
      throw new SimServiceError(400, `There is no such action: ${action ?? ''}`);
    }
    requireAdmin(ctx, `os_compute_api:os-flavor-access:${action === 'addTenantAccess' ? 'add_tenant_access' : 'remove_tenant_access'}`);
    validateBody(flavorAccessSchema(action), body);
    const tenant = (body as Record<string, { tenant: string }>)[action].tenant;
    const flavor = this.get(ctx, id);
    if (action === 'addTenantAccess') {
      if (flavor.isPublic) throw new SimServiceError(409, 'Can not add access to a public flavor.');
      if (flavor.access.has(tenant)) {
        throw new SimServiceError(409, `Flavor access already exists for flavor ${id} and project ${tenant} combination.`);
      }
      flavor.access.add(tenant);
    } else {
      if (!flavor.access.has(tenant)) throw new SimServiceError(404, `Flavor access not found for ${id} / ${tenant} combination.`);
      flavor.access.delete(tenant);
    }
    return [...flavor.access].map((tenant_id) => ({ flavor_id: flavor.id, tenant_id }));
  }
}

export interface CreatedKeypair {
  keypair: Keypair;
  privateKey?: string;
}

export class KeypairService {
  constructor(private readonly state: NovaState) {}

  private userFor(ctx: NovaCtx, userId: string | undefined, policy: string): string {
    if (userId === undefined || userId === ctx.caller.userId) return ctx.caller.userId;
    if (ctx.version.lt('2.10')) return ctx.caller.userId;
    if (!ctx.caller.isAdmin) throw policyError(policy);
    return userId;
  }

  list(ctx: NovaCtx, query: Query): { keypairs: Keypair[]; full: boolean } {
    const user = this.userFor(ctx, qLast(query, 'user_id'), 'os_compute_api:os-keypairs:index');
    const all = [...this.state.keypairsOf(user).values()];
    if (ctx.version.lt('2.35')) return { keypairs: all.sort((a, b) => a.id - b.id), full: false };
    const limitText = qLast(query, 'limit');
    const limit = limitText === undefined ? 1000 : Math.min(1000, parseNonNegativeInt(limitText, 'limit param must be an integer'));
    const markerName = qLast(query, 'marker');
    let marker: Keypair | undefined;
    if (markerName !== undefined) {
      marker = this.state.keypairsOf(user).get(markerName);
      if (!marker) throw new SimServiceError(400, `marker [${markerName}] not found`);
    }
    const { page, full } = pageOf(
      all,
      makeComparator<Keypair>([{ key: 'id', dir: 'asc' }], (k) => k.id),
      marker,
      limit,
    );
    return { keypairs: page, full };
  }

  get(ctx: NovaCtx, name: string, query: Query): Keypair {
    const user = this.userFor(ctx, qLast(query, 'user_id'), 'os_compute_api:os-keypairs:show');
    const kp = this.state.keypairsOf(user).get(name);
    if (!kp) throw new SimServiceError(404, `Keypair ${name} not found for user ${user}`);
    return kp;
  }

  async create(ctx: NovaCtx, body: unknown): Promise<CreatedKeypair> {
    validateBody(keypairCreateSchema(ctx.version), body);
    const req = (body as { keypair: Record<string, unknown> }).keypair;
    const user = this.userFor(ctx, req.user_id as string | undefined, 'os_compute_api:os-keypairs:create');
    const name = String(req.name);
    const type = (req.type as 'ssh' | 'x509' | undefined) ?? 'ssh';
    const mine = this.state.keypairsOf(user);
    const limit = this.state.quotaLimits(ctx.caller.projectId).key_pairs;
    if (limit >= 0 && mine.size >= limit) throw new SimServiceError(403, 'Quota exceeded, too many key pairs.');
    if (mine.has(name)) throw new SimServiceError(409, `Key pair '${name}' already exists.`);
    let publicKey: string;
    let fingerprint: string;
    let privateKey: string | undefined;
    if (typeof req.public_key === 'string') {
      fingerprint = fingerprintOf(req.public_key, type);
      publicKey = req.public_key;
    } else {
      const gen = type === 'x509' ? await generateX509Key(ctx.caller.projectId, user) : await generateSshKey();
      publicKey = gen.publicKey;
      fingerprint = gen.fingerprint;
      privateKey = gen.privateKey;
    }
    if (mine.has(name)) throw new SimServiceError(409, `Key pair '${name}' already exists.`);
    const kp: Keypair = { id: this.state.nextKeypairId(), name, userId: user, type, publicKey, fingerprint, createdAt: new Date() };
    mine.set(name, kp);
    return { keypair: kp, privateKey };
  }

  delete(ctx: NovaCtx, name: string, query: Query): void {
    const kp = this.get(ctx, name, query);
    this.state.keypairsOf(kp.userId).delete(name);
  }
}

type QuotaKey = keyof QuotaLimits;

function quotaKeys(ctx: NovaCtx): QuotaKey[] {
  const keys: QuotaKey[] = ['cores', 'instances', 'key_pairs', 'metadata_items', 'ram', 'server_groups', 'server_group_members'];
  if (ctx.version.lt('2.57')) keys.push('injected_file_content_bytes', 'injected_file_path_bytes', 'injected_files');
  if (ctx.version.lt('2.36')) keys.push('fixed_ips', 'floating_ips', 'security_group_rules', 'security_groups');
  return keys.sort();
}

export class QuotaService {
  constructor(private readonly state: NovaState) {}

  private checkReadable(ctx: NovaCtx, projectId: string): void {
    if (!ctx.caller.isAdmin && projectId !== ctx.caller.projectId) throw policyError('os_compute_api:os-quota-sets:show');
  }

  private usageOf(projectId: string, userId: string): Partial<Record<QuotaKey, number>> {
    const u = this.state.usage(projectId, userId);
    return { instances: u.instances, cores: u.cores, ram: u.ram, key_pairs: u.key_pairs };
  }

  show(ctx: NovaCtx, projectId: string): Record<string, unknown> {
    this.checkReadable(ctx, projectId);
    const limits = this.state.quotaLimits(projectId);
    const out: Record<string, unknown> = { id: projectId };
    for (const k of quotaKeys(ctx)) out[k] = limits[k];
    return out;
  }

  detail(ctx: NovaCtx, projectId: string): Record<string, unknown> {
    this.checkReadable(ctx, projectId);
    const limits = this.state.quotaLimits(projectId);
    const used = this.usageOf(projectId, ctx.caller.userId);
    const out: Record<string, unknown> = { id: projectId };
    for (const k of quotaKeys(ctx)) out[k] = { in_use: used[k] ?? 0, limit: limits[k], reserved: 0 };
    return out;
  }

  defaults(ctx: NovaCtx, projectId: string): Record<string, unknown> {
    const out: Record<string, unknown> = { id: projectId };
    for (const k of quotaKeys(ctx)) out[k] = DEFAULT_QUOTAS[k];
    return out;
  }

  update(ctx: NovaCtx, projectId: string, body: unknown): Record<string, unknown> {
    requireAdmin(ctx, 'os_compute_api:os-quota-sets:update');
    validateBody(quotaUpdateSchema(ctx.version), body);
    const req = (body as { quota_set: Record<string, unknown> }).quota_set;
    const force = req.force !== undefined && truthy(req.force);
    const used = this.usageOf(projectId, ctx.caller.userId);
    const next: Partial<QuotaLimits> = { ...(this.state.quotas.get(projectId) ?? {}) };
    for (const [k, v] of Object.entries(req)) {
      if (k === 'force' || k === 'networks') continue;
      const n = Number(v);
      const inUse = used[k as QuotaKey] ?? 0;
      if (!force && n >= 0 && n < inUse) {
        throw new SimServiceError(400, `Quota limit ${n} for ${k} must be greater than or equal to already used and reserved ${inUse}.`);
      }
      next[k as QuotaKey] = n;
    }
    this.state.quotas.set(projectId, next);
    const out = this.show({ ...ctx, caller: { ...ctx.caller, isAdmin: true } }, projectId);
    delete out.id;
    return out;
  }

  reset(ctx: NovaCtx, projectId: string): void {
    requireAdmin(ctx, 'os_compute_api:os-quota-sets:delete');
    this.state.quotas.delete(projectId);
  }

  limits(ctx: NovaCtx, query: Query): Record<string, number> {
    let projectId = ctx.caller.projectId;
    const tenant = qLast(query, 'tenant_id');
    if (tenant !== undefined && ctx.caller.isAdmin) projectId = tenant;
    const l = this.state.quotaLimits(projectId);
    const u = this.state.usage(projectId, ctx.caller.userId);
    const out: Record<string, number> = {
      maxServerMeta: l.metadata_items,
      maxTotalCores: l.cores,
      maxTotalInstances: l.instances,
      maxTotalKeypairs: l.key_pairs,
      maxTotalRAMSize: l.ram,
      maxServerGroups: l.server_groups,
      maxServerGroupMembers: l.server_group_members,
      totalCoresUsed: u.cores,
      totalInstancesUsed: u.instances,
      totalRAMUsed: u.ram,
      totalServerGroupsUsed: 0,
    };
    if (ctx.version.lt('2.39')) out.maxImageMeta = l.metadata_items;
    if (ctx.version.lt('2.57')) {
      out.maxPersonality = l.injected_files;
      out.maxPersonalitySize = l.injected_file_content_bytes;
    }
    if (ctx.version.lt('2.36')) {
      out.maxSecurityGroupRules = l.security_group_rules;
      out.maxSecurityGroups = l.security_groups;
      out.maxTotalFloatingIps = l.floating_ips;
      out.totalSecurityGroupsUsed = 0;
      out.totalFloatingIpsUsed = 0;
    }
    return out;
  }
}
