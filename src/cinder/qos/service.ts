import { randomUUID } from 'node:crypto';
import type { BottomCallContext, JsonObject } from '../../bottom/index.js';
import { badRequest, conflict, notFound } from '../../common/index.js';
import { dbNow, isUniqueViolation } from '../../db/index.js';
import type { RequestContext } from '../../identity/index.js';
import type { Pod } from '../../pods/index.js';
import type { PolicyEnforcer } from '../../policy/index.js';
import type { CinderCall } from '../call.js';
import type { CinderDeps } from '../deps.js';
import type { CinderPods } from '../podCalls.js';
import { authorizeAdmin } from '../policy.js';
import { parseJson, type Relay } from '../relay.js';
import { parseLimit, parseSortKeys } from '../resources/lister.js';
import type { VolumeTypeService } from '../types/service.js';
import type { VolumeTypeSync } from '../types/sync.js';

const RESOURCE = 'qos_specs';
const CONSUMERS = ['front-end', 'back-end', 'both'];
const seg = (id: string) => encodeURIComponent(id);

export interface QosSpec {
  id: string;
  name: string;
  consumer: string;
  specs: Record<string, string>;
  createdAt: number;
}

const SORT = {
  id: (q: JsonObject) => q.id,
  name: (q: JsonObject) => q.name,
  consumer: (q: JsonObject) => q.consumer,
  created_at: (q: JsonObject) => q.created_at,
};

function specValues(input: JsonObject): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(input)) {
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') throw badRequest(`Invalid input received: Invalid value for QoS spec key ${k}.`);
    if (k.length === 0 || k.length > 255) throw badRequest('Invalid input received: QoS spec keys must be 1 to 255 characters.');
    out[k] = String(v);
  }
  return out;
}

/**
 * QoS specs, owned by the top (table `qos_specs`, associations in `qos_type_associations`) and
 * copied into the pods that hold a copy of an associated volume type (routing rows `qos_specs`,
 * top id → the pod's id), with the service account. Changes go to the pods' copies first, then to
 * the top, so a pod refusing leaves the top unchanged and the request can be repeated.
 */
export class QosService {
  constructor(
    private readonly deps: CinderDeps,
    private readonly pods: CinderPods,
    private readonly policy: PolicyEnforcer,
    private readonly types: VolumeTypeService,
    private readonly typeSync: VolumeTypeSync,
  ) {}

  private get db() {
    return this.deps.core.db.kysely;
  }

  private authorize(ctx: RequestContext, action: string): void {
    authorizeAdmin(this.policy, ctx, `volume_extension:qos_specs_manage:${action}`);
  }

  private async podCall<T>(ctx: BottomCallContext, pod: Pod, method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
    const client = this.pods.client(pod);
    const res = await client.request(ctx, {
      method,
      path,
      asAdmin: true,
      ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
    });
    if (res.status >= 400) throw client.error(res.status, res.body, res.headers);
    return (res.body.length > 0 ? parseJson(res.body) : undefined) as T;
  }

  private view(q: QosSpec): JsonObject {
    return { id: q.id, name: q.name, consumer: q.consumer, specs: { ...q.specs } };
  }

  private links(call: CinderCall, id: string): JsonObject[] {
    return [
      { href: `${call.links.versioned}/qos-specs/${id}`, rel: 'self' },
      { href: `${call.links.bookmark}/qos-specs/${id}`, rel: 'bookmark' },
    ];
  }

  async find(id: string): Promise<QosSpec | undefined> {
    const row = await this.db.selectFrom('qos_specs').selectAll().where('id', '=', id).executeTakeFirst();
    return row && { id: row.id, name: row.name, consumer: row.consumer, specs: JSON.parse(row.specs) as Record<string, string>, createdAt: Number(row.created_at) };
  }

  private async get(id: string): Promise<QosSpec> {
    const q = await this.find(id);
    if (!q) throw notFound(`QoS spec ${id} could not be found.`);
    return q;
  }

  async create(call: CinderCall): Promise<Relay> {
    this.authorize(call.ctx, 'create');
    const given = (call.body as { qos_specs: JsonObject }).qos_specs;
    const { name, consumer = 'back-end', ...rest } = given;
    if (typeof name !== 'string' || name.trim() === '') throw badRequest('Please specify a name for QoS specs.');
    if (typeof consumer !== 'string' || !CONSUMERS.includes(consumer)) throw badRequest(`Invalid input received: Valid consumer of QoS specs are: ${CONSUMERS.join(', ')}`);
    const specs = specValues(rest);
    const id = randomUUID();
    const now = dbNow(this.deps.core.db.dialect);
    try {
      await this.db
        .insertInto('qos_specs')
        .values({ id, name, consumer, specs: JSON.stringify(specs), created_at: now, updated_at: now })
        .execute();
    } catch (err) {
      if (isUniqueViolation(err)) throw conflict(`QoS Specs ${name} already exists.`);
      throw err;
    }
    return { status: 200, headers: {}, body: { qos_specs: this.view(await this.get(id)), links: this.links(call, id) } };
  }

  async list(call: CinderCall): Promise<Relay> {
    this.authorize(call.ctx, 'get_all');
    const q = new URLSearchParams(call.rawQuery);
    const keys = parseSortKeys(SORT, q.get('sort') ?? undefined, q.get('sort_key') ?? undefined, q.get('sort_dir') ?? undefined);
    const limit = parseLimit(q.get('limit') ?? undefined, this.deps.settings.maxLimit);
    const rows = (await this.db.selectFrom('qos_specs').selectAll().execute()).map((r) => ({
      id: r.id,
      name: r.name,
      consumer: r.consumer,
      specs: JSON.parse(r.specs) as Record<string, string>,
      created_at: Number(r.created_at),
    }));
    const cmp = (a: JsonObject, b: JsonObject) => {
      for (const k of keys) {
        const x = SORT[k.key as keyof typeof SORT](a) as string | number;
        const y = SORT[k.key as keyof typeof SORT](b) as string | number;
        if (x !== y) return (x < y ? -1 : 1) * (k.dir === 'asc' ? 1 : -1);
      }
      return 0;
    };
    rows.sort(cmp);
    let start = 0;
    const marker = q.get('marker');
    if (marker) {
      const at = rows.findIndex((r) => r.id === marker);
      if (at < 0) throw notFound(`Marker ${marker} could not be found.`);
      start = at + 1;
    }
    const page = rows.slice(start, start + limit).map(({ created_at: _c, ...r }) => r);
    const body: JsonObject = { qos_specs: page };
    if (limit > 0 && page.length === limit && start + limit < rows.length) {
      q.set('marker', String(page[page.length - 1].id));
      body.qos_specs_links = [{ href: `${call.links.versioned}/qos-specs?${q}`, rel: 'next' }];
    }
    return { status: 200, headers: {}, body };
  }

  async show(call: CinderCall, id: string): Promise<Relay> {
    this.authorize(call.ctx, 'get');
    return { status: 200, headers: {}, body: { qos_specs: this.view(await this.get(id)), links: this.links(call, id) } };
  }

  /** `PUT /qos-specs/{id}`: sets keys (and the consumer) in every pod copy, then at the top. */
  async update(call: CinderCall, id: string): Promise<Relay> {
    this.authorize(call.ctx, 'update');
    const given = (call.body as { qos_specs: JsonObject }).qos_specs;
    const q = await this.get(id);
    const values = specValues(given);
    if ('consumer' in values && !CONSUMERS.includes(values.consumer)) throw badRequest(`Invalid input received: Valid consumer of QoS specs are: ${CONSUMERS.join(', ')}`);
    await this.forEachCopy(id, (pod, bottomId) => this.podCall(call.ctx, pod, 'PUT', `/qos-specs/${seg(bottomId)}`, { qos_specs: values }));
    const { consumer, ...specs } = values;
    await this.db
      .updateTable('qos_specs')
      .set({ consumer: consumer ?? q.consumer, specs: JSON.stringify({ ...q.specs, ...specs }), updated_at: dbNow(this.deps.core.db.dialect) })
      .where('id', '=', id)
      .execute();
    return { status: 200, headers: {}, body: { qos_specs: given } };
  }

  async deleteKeys(call: CinderCall, id: string): Promise<Relay> {
    this.authorize(call.ctx, 'delete_keys');
    const keys = (call.body as { keys: string[] }).keys;
    const q = await this.get(id);
    for (const k of keys) if (!Object.hasOwn(q.specs, k)) throw notFound(`QoS spec ${id} has no spec with key ${k}.`);
    await this.forEachCopy(id, (pod, bottomId) => this.podCall(call.ctx, pod, 'PUT', `/qos-specs/${seg(bottomId)}/delete_keys`, { keys }));
    const specs = { ...q.specs };
    for (const k of keys) delete specs[k];
    await this.db
      .updateTable('qos_specs')
      .set({ specs: JSON.stringify(specs), updated_at: dbNow(this.deps.core.db.dialect) })
      .where('id', '=', id)
      .execute();
    return { status: 202, headers: {} };
  }

  /** `DELETE /qos-specs/{id}[?force=true]`: 400 while associated, unless forced; the pods' copies go first. */
  async remove(call: CinderCall, id: string): Promise<Relay> {
    this.authorize(call.ctx, 'delete');
    await this.get(id);
    const force = ['true', '1', 'yes', 'y', 'on', 't'].includes((new URLSearchParams(call.rawQuery).get('force') ?? 'false').toLowerCase());
    const associated = await this.associatedTypeIds(id);
    if (associated.length > 0 && !force) throw badRequest(`QoS Specs ${id} is still associated with entities.`);
    await this.forEachCopy(id, (pod, bottomId) => this.podCall(call.ctx, pod, 'DELETE', `/qos-specs/${seg(bottomId)}?force=True`));
    await this.deps.core.routings.deleteByTop(RESOURCE, [id]);
    await this.db.deleteFrom('qos_specs').where('id', '=', id).execute();
    return { status: 202, headers: {} };
  }

  async associations(call: CinderCall, id: string): Promise<Relay> {
    this.authorize(call.ctx, 'get_all');
    await this.get(id);
    const rows = await this.db
      .selectFrom('qos_type_associations')
      .innerJoin('volume_types', 'volume_types.id', 'qos_type_associations.volume_type_id')
      .select(['volume_types.id as id', 'volume_types.name as name'])
      .where('qos_type_associations.qos_specs_id', '=', id)
      .orderBy('volume_types.name')
      .execute();
    return { status: 200, headers: {}, body: { qos_associations: rows.map((r) => ({ association_type: 'volume_type', name: r.name, id: r.id })) } };
  }

  /** `GET /qos-specs/{id}/associate?vol_type_id=T`: in every pod holding T, the pod's copy of the spec goes with the pod's copy of T. */
  async associate(call: CinderCall, id: string): Promise<Relay> {
    this.authorize(call.ctx, 'update');
    const q = await this.get(id);
    const type = await this.typeArg(call);
    const current = await this.db.selectFrom('qos_type_associations').select('qos_specs_id').where('volume_type_id', '=', type.id).executeTakeFirst();
    if (current && current.qos_specs_id !== id) throw badRequest(`Invalid input received: Type ${type.id} is already associated with another qos specs: ${current.qos_specs_id}`);
    for (const copy of await this.typeSync.copies(type.id)) {
      const bottomQos = await this.ensureInPod(call.ctx, q, copy.pod);
      await this.podCall(call.ctx, copy.pod, 'GET', `/qos-specs/${seg(bottomQos)}/associate?vol_type_id=${seg(copy.bottomId)}`);
    }
    if (!current) {
      await this.db
        .insertInto('qos_type_associations')
        .values({ volume_type_id: type.id, qos_specs_id: id, created_at: dbNow(this.deps.core.db.dialect) })
        .execute();
    }
    return { status: 202, headers: {} };
  }

  async disassociate(call: CinderCall, id: string): Promise<Relay> {
    this.authorize(call.ctx, 'update');
    await this.get(id);
    const type = await this.typeArg(call);
    await this.unlink(call.ctx, id, [type.id]);
    return { status: 202, headers: {} };
  }

  async disassociateAll(call: CinderCall, id: string): Promise<Relay> {
    this.authorize(call.ctx, 'update');
    await this.get(id);
    await this.unlink(call.ctx, id, await this.associatedTypeIds(id));
    return { status: 202, headers: {} };
  }

  private async unlink(ctx: BottomCallContext, id: string, typeIds: string[]): Promise<void> {
    for (const typeId of typeIds) {
      for (const copy of await this.typeSync.copies(typeId)) {
        const bottomQos = await this.deps.core.routings.bottomIdOf(RESOURCE, id, copy.pod.id);
        if (bottomQos) await this.podCall(ctx, copy.pod, 'GET', `/qos-specs/${seg(bottomQos)}/disassociate?vol_type_id=${seg(copy.bottomId)}`);
      }
      await this.db.deleteFrom('qos_type_associations').where('volume_type_id', '=', typeId).where('qos_specs_id', '=', id).execute();
    }
  }

  private async associatedTypeIds(id: string): Promise<string[]> {
    return (await this.db.selectFrom('qos_type_associations').select('volume_type_id').where('qos_specs_id', '=', id).execute()).map((r) => r.volume_type_id);
  }

  /** The QoS spec associated with a top volume type, if any (shown as `qos_specs_id` to admins). */
  async ofType(typeId: string): Promise<string | undefined> {
    return (await this.db.selectFrom('qos_type_associations').select('qos_specs_id').where('volume_type_id', '=', typeId).executeTakeFirst())?.qos_specs_id;
  }

  private async typeArg(call: CinderCall) {
    const ref = new URLSearchParams(call.rawQuery).get('vol_type_id');
    if (!ref) throw badRequest('Invalid input received: Volume Type id must not be None.');
    return this.types.get(call.ctx, ref);
  }

  /** The pod's copy of a spec, made (through the routing get-or-create lock) when missing. */
  private async ensureInPod(ctx: RequestContext, q: QosSpec, pod: Pod): Promise<string> {
    const findByName = async () => {
      const list = await this.podCall<{ qos_specs?: JsonObject[] }>(ctx, pod, 'GET', '/qos-specs');
      const found = list?.qos_specs?.find((x) => x.name === q.name);
      return typeof found?.id === 'string' ? found.id : undefined;
    };
    const { bottomId } = await this.deps.core.routingLock.getOrCreateBottom({
      topId: q.id,
      podId: pod.id,
      projectId: '',
      resourceType: RESOURCE,
      findByName,
      create: async () => {
        const made = await this.podCall<{ qos_specs?: { id?: unknown } }>(ctx, pod, 'POST', '/qos-specs', { qos_specs: { name: q.name, consumer: q.consumer, ...q.specs } });
        if (typeof made?.qos_specs?.id !== 'string') throw new Error(`pod ${pod.regionName} made a QoS spec without an id`);
        return made.qos_specs.id;
      },
    });
    return bottomId;
  }

  /** Applies a change to every pod copy of a spec; a copy the pod lost is forgotten (made again on next associate). */
  private async forEachCopy(id: string, apply: (pod: Pod, bottomId: string) => Promise<unknown>): Promise<void> {
    for (const route of await this.deps.core.routings.findByTop(id, RESOURCE)) {
      const pod = route.bottomId ? await this.deps.core.pods.find(route.podId) : undefined;
      if (!pod || !route.bottomId) continue;
      try {
        await apply(pod, route.bottomId);
      } catch (err) {
        if ((err as { status?: number }).status !== 404) throw err;
        await this.deps.core.routings.deleteIfExists(route.id);
      }
    }
  }
}
