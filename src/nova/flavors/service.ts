import { randomUUID } from 'node:crypto';
import { badRequest, conflict, notFound, isJsonObject } from '../../common/index.js';
import { dbNow, isUniqueViolation, type Db } from '../../db/index.js';
import type { RequestContext } from '../../identity/index.js';
import type { PolicyEnforcer } from '../../policy/index.js';
import { qAll, qLast, requireAdmin, type NovaCall } from '../call.js';
import { nextLink } from '../links.js';
import type { BodyCheck, BodyValidator, Static } from '../../gateway/index.js';
import { AddTenantAccess, RemoveTenantAccess, type FlavorCreateBody, type FlavorExtraSpecsBody, type FlavorUpdateBody } from './schemas.js';
import { toFlavor, type TopFlavor } from './model.js';
import { flavorView } from './views.js';

const SORT_COLUMNS: Record<string, (f: TopFlavor) => string | number | boolean | null> = {
  created_at: (f) => f.createdAt,
  description: (f) => f.description,
  disabled: (f) => f.disabled,
  ephemeral_gb: (f) => f.ephemeral,
  flavorid: (f) => f.id,
  id: (f) => f.createdAt,
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

const truthyText = (v: unknown) => v === true || ['true', '1', 'on', 'yes', 'y', 't'].includes(String(v).toLowerCase());

/** Top flavors: `/flavors`, extra specs and access lists (Nova's flavor API over the gateway's tables). */
export class FlavorService {
  private readonly checkAdd: BodyCheck<Static<typeof AddTenantAccess>>;
  private readonly checkRemove: BodyCheck<Static<typeof RemoveTenantAccess>>;

  constructor(
    private readonly db: Db,
    private readonly policy: PolicyEnforcer,
    validator: BodyValidator,
  ) {
    this.checkAdd = validator.compile(AddTenantAccess);
    this.checkRemove = validator.compile(RemoveTenantAccess);
  }

  private async all(): Promise<TopFlavor[]> {
    return (await this.db.kysely.selectFrom('nova_flavors').selectAll().execute()).map(toFlavor);
  }

  private async accessible(projectId: string): Promise<Set<string>> {
    const rows = await this.db.kysely.selectFrom('nova_flavor_projects').select('flavor_id').where('project_id', '=', projectId).execute();
    return new Set(rows.map((r) => r.flavor_id));
  }

  async find(id: string): Promise<TopFlavor | undefined> {
    const row = await this.db.kysely.selectFrom('nova_flavors').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toFlavor(row) : undefined;
  }

  /** A flavor the caller may see; 404 otherwise. */
  async get(ctx: RequestContext, id: string): Promise<TopFlavor> {
    const f = await this.find(id);
    if (!f || !(await this.visible(ctx, f))) throw notFound(`Flavor ${id} could not be found.`);
    return f;
  }

  async visible(ctx: RequestContext, f: TopFlavor): Promise<boolean> {
    return f.isPublic || ctx.isAdmin || (await this.accessible(ctx.projectId)).has(f.id);
  }

  /** The flavor of a boot or resize, or undefined when the caller may not use it. */
  async forServer(ctx: RequestContext, id: string): Promise<TopFlavor | undefined> {
    const f = await this.find(id);
    if (!f || f.disabled || !(await this.visible(ctx, f))) return undefined;
    return f;
  }

  async list(call: NovaCall, detail: boolean, maxLimit: number): Promise<Record<string, unknown>> {
    const q = call.query;
    const ctx = call.ctx;
    let isPublic: boolean | null = true;
    const isPublicText = qLast(q, 'is_public');
    if (ctx.isAdmin && isPublicText !== undefined) {
      const t = isPublicText.toLowerCase();
      if (t === 'none') isPublic = null;
      else if (['true', '1', 'on', 'yes', 'y', 't'].includes(t)) isPublic = true;
      else if (['false', '0', 'off', 'no', 'n', 'f'].includes(t)) isPublic = false;
      else throw badRequest(`Invalid is_public filter [${isPublicText}]`);
    }
    const numberFilter = (key: string): number | undefined => {
      const text = qLast(q, key);
      if (text === undefined) return undefined;
      if (!/^\d+$/.test(text)) throw badRequest(`Invalid ${key} filter [${text}]`);
      return Number(text);
    };
    const minRam = numberFilter('minRam');
    const minDisk = numberFilter('minDisk');
    const keys = qAll(q, 'sort_key');
    const dirs = qAll(q, 'sort_dir');
    const sortKey = keys[keys.length - 1] ?? 'flavorid';
    const sortDir = dirs[dirs.length - 1] ?? 'asc';
    if (!Object.hasOwn(SORT_COLUMNS, sortKey)) throw badRequest(`Invalid input for query parameters sort_key. Value: ${sortKey}. '${sortKey}' is not one of the valid sort keys`);
    if (sortDir !== 'asc' && sortDir !== 'desc') throw badRequest(`Invalid input for query parameters sort_dir. Value: ${sortDir}. '${sortDir}' is not one of ['asc', 'desc']`);
    const limit = parseLimit(qLast(q, 'limit'), maxLimit);

    const granted = ctx.isAdmin ? new Set<string>() : await this.accessible(ctx.projectId);
    let flavors = (await this.all()).filter((f) => {
      if (!ctx.isAdmin) return !f.disabled && (f.isPublic || granted.has(f.id));
      return isPublic === null || f.isPublic === isPublic;
    });
    if (minRam !== undefined) flavors = flavors.filter((f) => f.ram >= minRam);
    if (minDisk !== undefined) flavors = flavors.filter((f) => f.disk >= minDisk);
    const get = SORT_COLUMNS[sortKey];
    const sign = sortDir === 'asc' ? 1 : -1;
    flavors.sort((a, b) => {
      const x = get(a);
      const y = get(b);
      const c = x === y ? 0 : x === null ? -1 : y === null ? 1 : x < y ? -1 : 1;
      return sign * c || (a.id < b.id ? -sign : a.id > b.id ? sign : 0);
    });
    const marker = qLast(q, 'marker');
    if (marker !== undefined) {
      const at = flavors.findIndex((f) => f.id === marker);
      if (at < 0) throw badRequest(`marker [${marker}] not found`);
      flavors = flavors.slice(at + 1);
    }
    const page = flavors.slice(0, limit);
    const body: Record<string, unknown> = { flavors: page.map((f) => flavorView(call, f, detail)) };
    if (page.length === limit && page.length > 0) {
      body.flavors_links = [{ href: nextLink(`${call.links.versioned}/flavors${detail ? '/detail' : ''}`, call.rawQuery, page[page.length - 1].id), rel: 'next' }];
    }
    return body;
  }

  async create(call: NovaCall<FlavorCreateBody>): Promise<TopFlavor> {
    requireAdmin(this.policy, call.ctx, 'os_compute_api:os-flavor-manage:create');
    const f = call.body.flavor;
    const id = f.id === undefined || f.id === null ? randomUUID() : String(f.id);
    const rxtx = f.rxtx_factor === undefined ? 1 : Number(f.rxtx_factor);
    if (!(rxtx > 0) || rxtx > 3.40282e38) throw badRequest(`Invalid input for field/attribute rxtx_factor. Value: ${String(f.rxtx_factor)}.`);
    const now = dbNow(this.db.dialect);
    try {
      await this.db.kysely.transaction().execute(async (trx) => {
        const sameName = await trx.selectFrom('nova_flavors').select('id').where('name', '=', String(f.name)).executeTakeFirst();
        if (sameName) throw conflict(`Flavor with name ${String(f.name)} already exists.`);
        const sameId = await trx.selectFrom('nova_flavors').select('id').where('id', '=', id).executeTakeFirst();
        if (sameId) throw conflict(`Flavor with ID ${id} already exists.`);
        await trx
          .insertInto('nova_flavors')
          .values({
            id,
            name: String(f.name),
            vcpus: Number(f.vcpus),
            memory_mb: Number(f.ram),
            root_gb: Number(f.disk),
            ephemeral_gb: Number(f['OS-FLV-EXT-DATA:ephemeral'] ?? 0),
            swap: Number(f.swap ?? 0),
            rxtx_factor: rxtx,
            is_public: f['os-flavor-access:is_public'] === undefined || truthyText(f['os-flavor-access:is_public']) ? 1 : 0,
            disabled: 0,
            description: typeof f.description === 'string' ? f.description : null,
            extra_specs: '{}',
            created_at: now,
            updated_at: now,
          })
          .execute();
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw conflict(`Flavor with ID ${id} or name ${String(f.name)} already exists.`);
      throw err;
    }
    return (await this.find(id))!;
  }

  async updateDescription(call: NovaCall<FlavorUpdateBody>, id: string): Promise<TopFlavor> {
    requireAdmin(this.policy, call.ctx, 'os_compute_api:os-flavor-manage:update');
    await this.get(call.ctx, id);
    const description = call.body.flavor.description;
    await this.db.kysely
      .updateTable('nova_flavors')
      .set({ description, updated_at: dbNow(this.db.dialect) })
      .where('id', '=', id)
      .execute();
    return (await this.find(id))!;
  }

  async delete(call: NovaCall, id: string): Promise<void> {
    requireAdmin(this.policy, call.ctx, 'os_compute_api:os-flavor-manage:delete');
    const found = await this.find(id);
    if (!found) throw notFound(`Flavor ${id} could not be found.`);
    await this.db.kysely.transaction().execute(async (trx) => {
      await trx.deleteFrom('nova_flavor_projects').where('flavor_id', '=', id).execute();
      await trx.deleteFrom('nova_flavors').where('id', '=', id).execute();
    });
  }

  // Extra specs ---------------------------------------------------------------------------------

  async extraSpecs(ctx: RequestContext, id: string): Promise<Record<string, string>> {
    return { ...(await this.get(ctx, id)).extraSpecs };
  }

  async extraSpec(ctx: RequestContext, id: string, key: string): Promise<Record<string, string>> {
    const specs = await this.extraSpecs(ctx, id);
    if (!(key in specs)) throw notFound(`Flavor ${id} has no extra specs with key ${key}.`);
    return { [key]: specs[key] };
  }

  async setExtraSpecs(call: NovaCall<FlavorExtraSpecsBody>, id: string): Promise<Record<string, string>> {
    requireAdmin(this.policy, call.ctx, 'os_compute_api:os-flavor-extra-specs:create');
    const given = Object.fromEntries(Object.entries(call.body.extra_specs).map(([k, v]) => [k, String(v)]));
    await this.writeSpecs(call.ctx, id, (specs) => Object.assign(specs, given));
    return given;
  }

  async setExtraSpec(call: NovaCall, id: string, key: string, body: unknown): Promise<Record<string, string>> {
    requireAdmin(this.policy, call.ctx, 'os_compute_api:os-flavor-extra-specs:update');
    if (!isJsonObject(body)) throw badRequest('Malformed request body');
    const entries = Object.entries(body);
    if (entries.length !== 1) throw badRequest('Request body contains too many items.');
    if (entries[0][0] !== key) throw badRequest('Request body and URI mismatch');
    const value = entries[0][1];
    if (!['string', 'number', 'boolean'].includes(typeof value) || String(value).length > 255) {
      throw badRequest(`Invalid input for field/attribute ${key}. Value: ${JSON.stringify(value)}.`);
    }
    await this.writeSpecs(call.ctx, id, (specs) => {
      specs[key] = String(value);
    });
    return { [key]: String(value) };
  }

  async deleteExtraSpec(call: NovaCall, id: string, key: string): Promise<void> {
    requireAdmin(this.policy, call.ctx, 'os_compute_api:os-flavor-extra-specs:delete');
    await this.writeSpecs(call.ctx, id, (specs) => {
      if (!(key in specs)) throw notFound(`Flavor ${id} has no extra specs with key ${key}.`);
      delete specs[key];
    });
  }

  private async writeSpecs(ctx: RequestContext, id: string, change: (specs: Record<string, string>) => void): Promise<void> {
    await this.get(ctx, id);
    await this.db.kysely.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('nova_flavors').select('extra_specs').where('id', '=', id).executeTakeFirst();
      if (!row) throw notFound(`Flavor ${id} could not be found.`);
      const specs = JSON.parse(row.extra_specs) as Record<string, string>;
      change(specs);
      await trx
        .updateTable('nova_flavors')
        .set({ extra_specs: JSON.stringify(specs), updated_at: dbNow(this.db.dialect) })
        .where('id', '=', id)
        .execute();
    });
  }

  // Access lists --------------------------------------------------------------------------------

  async accessList(call: NovaCall, id: string): Promise<{ flavor_id: string; tenant_id: string }[]> {
    requireAdmin(this.policy, call.ctx, 'os_compute_api:os-flavor-access');
    const f = await this.get(call.ctx, id);
    if (f.isPublic) throw notFound('Access list not available for public flavors.');
    const rows = await this.db.kysely.selectFrom('nova_flavor_projects').select('project_id').where('flavor_id', '=', id).orderBy('project_id').execute();
    return rows.map((r) => ({ flavor_id: id, tenant_id: r.project_id }));
  }

  async accessAction(call: NovaCall, id: string, body: unknown): Promise<{ flavor_id: string; tenant_id: string }[]> {
    const keys = isJsonObject(body) ? Object.keys(body) : [];
    const action = keys.includes('addTenantAccess') ? 'addTenantAccess' : keys.includes('removeTenantAccess') ? 'removeTenantAccess' : undefined;
    if (!action) throw badRequest(`There is no such action: ${keys[0] ?? ''}`);
    requireAdmin(this.policy, call.ctx, `os_compute_api:os-flavor-access:${action === 'addTenantAccess' ? 'add_tenant_access' : 'remove_tenant_access'}`);
    const tenant = action === 'addTenantAccess' ? this.checkAdd(body).addTenantAccess.tenant : this.checkRemove(body).removeTenantAccess.tenant;
    const f = await this.get(call.ctx, id);
    if (f.isPublic) throw conflict(`Can not add access to a public flavor.`);
    if (action === 'addTenantAccess') {
      try {
        await this.db.kysely.insertInto('nova_flavor_projects').values({ flavor_id: id, project_id: tenant }).execute();
      } catch (err) {
        if (isUniqueViolation(err)) throw conflict(`Flavor access already exists for flavor ${id} and project ${tenant} combination.`);
        throw err;
      }
    } else {
      const res = await this.db.kysely.deleteFrom('nova_flavor_projects').where('flavor_id', '=', id).where('project_id', '=', tenant).executeTakeFirst();
      if (Number(res.numDeletedRows) === 0) throw notFound(`Flavor access not found for ${id} / ${tenant} combination.`);
    }
    return this.accessList(call, id);
  }
}

/** Nova's `limit` parameter: a non-negative integer, capped at the maximum page size. */
export function parseLimit(text: string | undefined, maxLimit: number): number {
  if (text === undefined) return maxLimit;
  if (!/^\d+$/.test(text.trim())) {
    if (/^-\d+$/.test(text.trim())) throw badRequest('limit param must be positive');
    throw badRequest(`limit param must be an integer`);
  }
  return Math.min(Number(text), maxLimit);
}
