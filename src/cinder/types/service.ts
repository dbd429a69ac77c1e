import { badRequest, conflict, notFound } from '../../common/index.js';
import type { RequestContext } from '../../identity/index.js';
import type { PolicyEnforcer } from '../../policy/index.js';
import { authorizeAdmin } from '../policy.js';
import type { BodyCheck, BodyValidator, Static } from '../../gateway/index.js';
import { toBoolean } from '../parameters.js';
import { AddProjectAccess, ExtraSpecs, RemoveProjectAccess, type TypeCreate, type TypeUpdate } from './schemas.js';
import { DEFAULT_TYPE_NAME, type VolumeType, type VolumeTypeStore } from './store.js';
import type { VolumeTypeSync } from './sync.js';

const MANAGE = 'volume_extension:types_manage';
const SPECS_CREATE = 'volume_extension:types_extra_specs:create';
const SPECS_UPDATE = 'volume_extension:types_extra_specs:update';
const SPECS_DELETE = 'volume_extension:types_extra_specs:delete';
const ACCESS_ADD = 'volume_extension:volume_type_access:addProjectAccess';
const ACCESS_REMOVE = 'volume_extension:volume_type_access:removeProjectAccess';
const ACCESS_LIST = 'volume_extension:volume_type_access';

/** Extra specs a non-admin may see (Cinder's user-visible keys). */
const USER_VISIBLE_SPECS = ['multiattach', 'RESKEY:availability_zones', 'replication_enabled'];

type Json = Record<string, unknown>;

/** Which answer a volume type is shown in: their keys differ upstream. */
export type TypeView = 'read' | 'create' | 'update' | 'default';

/**
 * Volume types, owned by the top: the API reads and writes the top's table; every change is
 * applied to the pods' copies (pods first, so a pod refusing leaves the top unchanged).
 */
export class VolumeTypeService {
  private readonly checkExtraSpecs: BodyCheck<Static<typeof ExtraSpecs>>;
  private readonly checkAdd: BodyCheck<Static<typeof AddProjectAccess>>;
  private readonly checkRemove: BodyCheck<Static<typeof RemoveProjectAccess>>;

  constructor(
    private readonly store: VolumeTypeStore,
    private readonly sync: VolumeTypeSync,
    private readonly policy: PolicyEnforcer,
    validator: BodyValidator,
  ) {
    this.checkExtraSpecs = validator.compile(ExtraSpecs);
    this.checkAdd = validator.compile(AddProjectAccess);
    this.checkRemove = validator.compile(RemoveProjectAccess);
  }

  /**
   * A type as Cinder shows it, per answer (upstream's view and its access extension):
   * - `read` (show, list): `os-volume-type-access:is_public`, and for admins `qos_specs_id` (the
   *   associated spec's id, or null);
   * - `create`: `os-volume-type-access:is_public`, no `qos_specs_id`;
   * - `update`: neither (the access extension does not extend update);
   * - `default` (`GET /types/default`): `qos_specs_id` for admins, no access key.
   */
  view(ctx: RequestContext, t: VolumeType, kind: TypeView = 'read', qos: ReadonlyMap<string, string> = new Map()): Json {
    const specs = ctx.isAdmin ? { ...t.extraSpecs } : Object.fromEntries(Object.entries(t.extraSpecs).filter(([k]) => USER_VISIBLE_SPECS.includes(k)));
    const out: Json = { id: t.id, name: t.name, description: t.description, is_public: t.isPublic };
    if (kind === 'read' || kind === 'create') out['os-volume-type-access:is_public'] = t.isPublic;
    out.extra_specs = specs;
    if (ctx.isAdmin && (kind === 'read' || kind === 'default')) out.qos_specs_id = qos.get(t.id) ?? null;
    return out;
  }

  /** One type's read view (show, default), with its QoS spec for admins. */
  async show(ctx: RequestContext, id: string, kind: 'read' | 'default' = 'read'): Promise<Json> {
    const t = await this.get(ctx, id);
    return this.view(ctx, t, kind, ctx.isAdmin ? await this.store.qosSpecsOf() : undefined);
  }

  private async visible(ctx: RequestContext, t: VolumeType): Promise<boolean> {
    return t.isPublic || ctx.isAdmin || (await this.store.sharedWith(ctx.projectId)).has(t.id);
  }

  /** Cinder's index: public types and those shared with the caller; admins may ask `is_public=None` (all) or `false`. */
  async list(ctx: RequestContext, isPublicParam: string | undefined): Promise<Json[]> {
    await this.store.ensureDefault();
    let wanted: boolean | null = true;
    if (ctx.isAdmin && isPublicParam !== undefined) {
      const p = isPublicParam.toLowerCase();
      if (p === 'none') wanted = null;
      else if (['true', '1', 'on', 'yes', 'y', 't'].includes(p)) wanted = true;
      else if (['false', '0', 'off', 'no', 'n', 'f'].includes(p)) wanted = false;
      else throw badRequest(`Invalid is_public filter [${isPublicParam}]`);
    }
    const shared = await this.store.sharedWith(ctx.projectId);
    const types = (await this.store.list()).filter((t) => {
      if (wanted === null) return true;
      if (wanted === false) return !t.isPublic;
      return t.isPublic || shared.has(t.id);
    });
    const qos = ctx.isAdmin ? await this.store.qosSpecsOf() : undefined;
    return types.map((t) => this.view(ctx, t, 'read', qos));
  }

  /** A type the caller may see, by id (or `default`); 404 otherwise. */
  async get(ctx: RequestContext, id: string): Promise<VolumeType> {
    const t = id === 'default' ? await this.store.ensureDefault() : await this.store.find(id);
    if (!t || !(await this.visible(ctx, t))) throw notFound(`Volume type ${id} could not be found.`);
    return t;
  }

  /** The name of the project's default type (3.62), for a volume created without one; undefined when none is set. */
  async projectDefaultName(projectId: string): Promise<string | undefined> {
    const id = await this.store.projectDefault(projectId);
    return id === undefined ? undefined : (await this.store.find(id))?.name;
  }

  /** A type named by id or name in a volume request (create, retype); 404 as Cinder words it. */
  async resolve(ctx: RequestContext, ref: string): Promise<VolumeType> {
    if (ref === DEFAULT_TYPE_NAME) return this.store.ensureDefault();
    const t = (await this.store.find(ref)) ?? (await this.store.findByName(ref));
    if (!t || !(await this.visible(ctx, t))) throw notFound(`Volume type with name ${ref} could not be found.`);
    return t;
  }

  async create(ctx: RequestContext, body: Static<typeof TypeCreate>): Promise<Json> {
    authorizeAdmin(this.policy, ctx, MANAGE);
    const req = body.volume_type;
    const name = req.name.trim();
    if (name === '') throw badRequest('Invalid input received: Volume type name can not be empty.');
    const isPublic = req['os-volume-type-access:is_public'] === undefined ? true : toBoolean(req['os-volume-type-access:is_public']);
    const t = await this.store.create({
      name,
      description: req.description ?? null,
      isPublic,
      extraSpecs: req.extra_specs ?? {},
    });
    await this.sync.copyEverywhere(ctx, t);
    return this.view(ctx, t, 'create');
  }

  async update(ctx: RequestContext, id: string, body: Static<typeof TypeUpdate>): Promise<Json> {
    authorizeAdmin(this.policy, ctx, MANAGE);
    const req = body.volume_type;
    if (req.name === undefined && req.description === undefined && req.is_public === undefined) {
      throw badRequest('Specify volume type name, description, is_public or a combination thereof.');
    }
    const t = await this.get(ctx, id);
    const patch: { name?: string; description?: string | null; isPublic?: boolean } = {};
    if (typeof req.name === 'string') {
      const name = req.name.trim();
      if (name === '') throw badRequest('Invalid input received: Volume type name can not be empty.');
      if (t.name === DEFAULT_TYPE_NAME && name !== t.name) throw badRequest('The default volume type cannot be renamed.');
      const other = await this.store.findByName(name);
      if (other && other.id !== t.id) throw conflict(`Volume Type ${name} already exists.`);
      patch.name = name;
    }
    if (req.description !== undefined) patch.description = req.description;
    if (req.is_public !== undefined) patch.isPublic = toBoolean(req.is_public);
    await this.sync.update(ctx, t.id, {
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.description !== undefined ? { description: patch.description } : {}),
      ...(patch.isPublic !== undefined ? { is_public: patch.isPublic } : {}),
    });
    const updated = await this.store.update(t.id, patch);
    if (!updated) throw notFound(`Volume type ${id} could not be found.`);
    return this.view(ctx, updated, 'update');
  }

  async remove(ctx: RequestContext, id: string): Promise<void> {
    authorizeAdmin(this.policy, ctx, MANAGE);
    const t = await this.get(ctx, id);
    if (t.name === DEFAULT_TYPE_NAME) throw badRequest('Default volume type can not be deleted.');
    await this.sync.deleteCopies(ctx, t.id);
    await this.store.delete(t.id);
  }

  async extraSpecs(ctx: RequestContext, id: string): Promise<Record<string, string>> {
    return this.view(ctx, await this.get(ctx, id)).extra_specs as Record<string, string>;
  }

  async extraSpec(ctx: RequestContext, id: string, key: string): Promise<Record<string, string>> {
    const specs = await this.extraSpecs(ctx, id);
    if (!Object.hasOwn(specs, key)) throw notFound(`Volume Type ${id} has no extra specs with key ${key}.`);
    return { [key]: specs[key] };
  }

  async setExtraSpecs(ctx: RequestContext, id: string, body: Static<typeof ExtraSpecs>): Promise<Record<string, string>> {
    authorizeAdmin(this.policy, ctx, SPECS_CREATE);
    const specs = body.extra_specs;
    const t = await this.get(ctx, id);
    await this.sync.setExtraSpecs(ctx, t.id, specs);
    await this.store.changeExtraSpecs(t.id, { set: specs });
    return { ...specs };
  }

  async setExtraSpec(ctx: RequestContext, id: string, key: string, body: unknown): Promise<Record<string, string>> {
    authorizeAdmin(this.policy, ctx, SPECS_UPDATE);
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw badRequest('Malformed request body');
    const entries = Object.entries(body);
    if (entries.length > 1) throw badRequest('Request body contains too many items');
    if (entries.length === 0 || entries[0][0] !== key) throw badRequest('Request body and URI mismatch');
    const { extra_specs: specs } = this.checkExtraSpecs({ extra_specs: body });
    const t = await this.get(ctx, id);
    await this.sync.setExtraSpecs(ctx, t.id, specs);
    await this.store.changeExtraSpecs(t.id, { set: specs });
    return specs;
  }

  async deleteExtraSpec(ctx: RequestContext, id: string, key: string): Promise<void> {
    authorizeAdmin(this.policy, ctx, SPECS_DELETE);
    const t = await this.get(ctx, id);
    if (!Object.hasOwn(t.extraSpecs, key)) throw notFound(`Volume Type ${id} has no extra specs with key ${key}.`);
    await this.sync.deleteExtraSpec(ctx, t.id, key);
    await this.store.changeExtraSpecs(t.id, { unset: key });
  }

  async accessList(ctx: RequestContext, id: string): Promise<Json[]> {
    authorizeAdmin(this.policy, ctx, ACCESS_LIST);
    const t = await this.get(ctx, id);
    if (t.isPublic) throw notFound('Access list not available for public volume types.');
    return (await this.store.projects(t.id)).map((project) => ({ volume_type_id: t.id, project_id: project }));
  }

  /** `POST /types/{id}/action` with addProjectAccess or removeProjectAccess. */
  async accessAction(ctx: RequestContext, id: string, body: unknown): Promise<void> {
    const action = body && typeof body === 'object' && !Array.isArray(body) ? Object.keys(body)[0] : undefined;
    if (action !== 'addProjectAccess' && action !== 'removeProjectAccess') throw badRequest(`There is no such action: ${action ?? ''}`);
    authorizeAdmin(this.policy, ctx, action === 'addProjectAccess' ? ACCESS_ADD : ACCESS_REMOVE);
    const project = action === 'addProjectAccess' ? this.checkAdd(body).addProjectAccess.project : this.checkRemove(body).removeProjectAccess.project;
    const t = await this.get(ctx, id);
    if (t.isPublic) throw badRequest('Invalid volume type: Type access modification is not applicable to public volume type.');
    const shared = (await this.store.projects(t.id)).includes(project);
    if (action === 'addProjectAccess' && shared) throw conflict(`Volume type access for ${t.id} / ${project} combination already exists.`);
    if (action === 'removeProjectAccess' && !shared) throw notFound(`Volume type access not found for ${t.id} / ${project} combination.`);
    await this.sync.access(ctx, t.id, action, project);
    if (action === 'addProjectAccess') await this.store.addProject(t.id, project);
    else await this.store.removeProject(t.id, project);
  }
}
