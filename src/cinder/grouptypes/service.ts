import { badRequest, conflict, notFound } from '../../common/index.js';
import type { Static } from '../../gateway/index.js';
import type { RequestContext } from '../../identity/index.js';
import type { PolicyEnforcer } from '../../policy/index.js';
import { toBoolean } from '../parameters.js';
import { authorizeAdmin } from '../policy.js';
import { parseSortKeys } from '../resources/lister.js';
import type { GroupSpecs, GroupTypeCreate, GroupTypeUpdate } from './schemas.js';
import { DEFAULT_GROUP_TYPE_NAME, type GroupType, type GroupTypeStore } from './store.js';
import type { GroupTypeSync } from './sync.js';

const CREATE = 'group:group_types:create';
const UPDATE = 'group:group_types:update';
const DELETE = 'group:group_types:delete';
const SPECS = 'group:group_types_specs';

type Json = Record<string, unknown>;

/** Sort keys of the group type index. */
const SORT: Record<string, (t: GroupType) => string | number | null> = {
  id: (t) => t.id,
  name: (t) => t.name,
  description: (t) => t.description,
  is_public: (t) => (t.isPublic ? 1 : 0),
  created_at: (t) => t.createdAt,
};

/**
 * Group types, owned by the top: the API reads and writes the top's table; a change reaches the
 * pods' copies first, so a pod refusing leaves the top unchanged. Managing types and their specs is
 * for administrators (upstream's defaults); anyone reads public types, administrators all.
 */
export class GroupTypeService {
  constructor(
    private readonly store: GroupTypeStore,
    readonly sync: GroupTypeSync,
    private readonly policy: PolicyEnforcer,
  ) {}

  /** Upstream's view; the group specs only for administrators. */
  view(ctx: RequestContext, t: GroupType): Json {
    const out: Json = { id: t.id, name: t.name, description: t.description, is_public: t.isPublic };
    if (ctx.isAdmin) out.group_specs = { ...t.groupSpecs };
    return out;
  }

  /**
   * Upstream's index: public types; an administrator sees all, or asks `is_public` true, false or
   * None (all). Sorted by `sort` (or `sort_key`/`sort_dir`) on the type's fields.
   */
  async list(ctx: RequestContext, query: URLSearchParams): Promise<Json[]> {
    await this.store.ensureDefault();
    let wanted: boolean | null = ctx.isAdmin ? null : true;
    const isPublic = query.get('is_public');
    if (ctx.isAdmin && isPublic !== null) {
      const p = isPublic.toLowerCase();
      if (p === 'none') wanted = null;
      else if (['true', '1', 'on', 'yes', 'y', 't'].includes(p)) wanted = true;
      else if (['false', '0', 'off', 'no', 'n', 'f'].includes(p)) wanted = false;
      else throw badRequest(`Invalid is_public filter [${isPublic}]`);
    }
    const keys = parseSortKeys(SORT, query.get('sort') ?? undefined, query.get('sort_key') ?? undefined, query.get('sort_dir') ?? undefined);
    const types = (await this.store.list()).filter((t) => (wanted === null ? true : t.isPublic === wanted));
    types.sort((a, b) => {
      for (const k of keys) {
        const x = SORT[k.key](a);
        const y = SORT[k.key](b);
        const c = x === y ? 0 : x === null ? -1 : y === null ? 1 : x < y ? -1 : 1;
        if (c !== 0) return k.dir === 'asc' ? c : -c;
      }
      return 0;
    });
    return types.map((t) => this.view(ctx, t));
  }

  /** A type the caller may see by id, or the default one; 404 otherwise. */
  async get(ctx: RequestContext, id: string): Promise<GroupType> {
    const t = id === 'default' ? await this.store.ensureDefault() : await this.store.find(id);
    if (!t || !(t.isPublic || ctx.isAdmin)) {
      throw notFound(id === 'default' ? 'Default group type could not be found.' : `Group type with id ${id} could not be found.`);
    }
    return t;
  }

  /** A type named by id or name in a group request; 404 as Cinder words it. */
  async resolve(ctx: RequestContext, ref: string): Promise<GroupType> {
    const t = (await this.store.find(ref)) ?? (await this.store.findByName(ref));
    if (!t || !(t.isPublic || ctx.isAdmin)) throw notFound(`Group type with name ${ref} could not be found.`);
    return t;
  }

  async show(ctx: RequestContext, id: string): Promise<Json> {
    return this.view(ctx, await this.get(ctx, id));
  }

  async create(ctx: RequestContext, body: Static<typeof GroupTypeCreate>): Promise<Json> {
    authorizeAdmin(this.policy, ctx, CREATE);
    const req = body.group_type;
    const name = req.name.trim();
    if (name === '') throw badRequest('Invalid input received: Group type name can not be empty.');
    const t = await this.store.create({
      name,
      description: req.description ?? null,
      isPublic: req.is_public === undefined ? true : toBoolean(req.is_public),
      groupSpecs: req.group_specs ?? {},
    });
    return this.view(ctx, t);
  }

  async update(ctx: RequestContext, id: string, body: Static<typeof GroupTypeUpdate>): Promise<Json> {
    authorizeAdmin(this.policy, ctx, UPDATE);
    const req = body.group_type;
    if (req.name === undefined && req.description === undefined && req.is_public === undefined) {
      throw badRequest('Specify group type name, description or a combination thereof.');
    }
    if (req.name !== undefined && req.name !== null && req.name.trim() === '') throw badRequest('Invalid input received: Group type name can not be empty.');
    const t = await this.get(ctx, id);
    if (t.name === DEFAULT_GROUP_TYPE_NAME) throw badRequest('The default group type cannot be updated.');
    const patch = {
      ...(req.name !== undefined && req.name !== null ? { name: req.name.trim() } : {}),
      ...(req.description !== undefined ? { description: req.description } : {}),
      ...(req.is_public !== undefined ? { isPublic: toBoolean(req.is_public) } : {}),
    };
    if (patch.name !== undefined && patch.name !== t.name && (await this.store.findByName(patch.name))) {
      throw conflict(`Group Type ${patch.name} already exists.`);
    }
    await this.sync.update(ctx, t.id, {
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.description !== undefined ? { description: patch.description } : {}),
      ...(patch.isPublic !== undefined ? { is_public: patch.isPublic } : {}),
    });
    return this.view(ctx, (await this.store.update(t.id, patch))!);
  }

  async remove(ctx: RequestContext, id: string): Promise<void> {
    authorizeAdmin(this.policy, ctx, DELETE);
    const t = await this.get(ctx, id);
    if (t.name === DEFAULT_GROUP_TYPE_NAME) throw badRequest('The default group type cannot be deleted.');
    await this.sync.deleteCopies(ctx, t.id);
    await this.store.delete(t.id);
  }

  async specs(ctx: RequestContext, id: string): Promise<Record<string, string>> {
    authorizeAdmin(this.policy, ctx, SPECS);
    return { ...(await this.get(ctx, id)).groupSpecs };
  }

  async setSpecs(ctx: RequestContext, id: string, body: Static<typeof GroupSpecs>): Promise<Record<string, string>> {
    authorizeAdmin(this.policy, ctx, SPECS);
    const t = await this.get(ctx, id);
    await this.sync.setSpecs(ctx, t.id, body.group_specs);
    await this.store.changeSpecs(t.id, { set: body.group_specs });
    return { ...body.group_specs };
  }

  async spec(ctx: RequestContext, id: string, key: string): Promise<Record<string, string>> {
    authorizeAdmin(this.policy, ctx, SPECS);
    const t = await this.get(ctx, id);
    if (!Object.hasOwn(t.groupSpecs, key)) throw notFound(`Group Type ${id} has no specs with key ${key}.`);
    return { [key]: t.groupSpecs[key] };
  }

  async setSpec(ctx: RequestContext, id: string, key: string, body: unknown): Promise<Record<string, string>> {
    authorizeAdmin(this.policy, ctx, SPECS);
    const b = body as Record<string, unknown> | null;
    if (b === null || typeof b !== 'object' || Array.isArray(b)) throw badRequest('Malformed request body');
    const keys = Object.keys(b);
    if (keys.length !== 1 || keys[0] !== key) throw badRequest(keys.length > 1 ? 'Request body contains too many items' : 'Request body and URI mismatch');
    const value = b[key];
    if (typeof value !== 'string' || value.length > 255) throw badRequest(`Invalid input for field/attribute ${key}.`);
    const t = await this.get(ctx, id);
    await this.sync.setSpecs(ctx, t.id, { [key]: value });
    await this.store.changeSpecs(t.id, { set: { [key]: value } });
    return { [key]: value };
  }

  async deleteSpec(ctx: RequestContext, id: string, key: string): Promise<void> {
    authorizeAdmin(this.policy, ctx, SPECS);
    const t = await this.get(ctx, id);
    if (!Object.hasOwn(t.groupSpecs, key)) throw notFound(`Group Type ${id} has no specs with key ${key}.`);
    await this.sync.deleteSpec(ctx, t.id, key);
    await this.store.changeSpecs(t.id, { unset: key });
  }
}
