import { randomUUID } from 'node:crypto';
import type { JsonObject } from '../../bottom/index.js';
import { badRequest, notFound } from '../../common/index.js';
import { dbNow, type Db } from '../../db/index.js';
import { Type, type GatewayRouter } from '../../gateway/index.js';
import type { RequestContext } from '../../identity/index.js';
import type { PolicyEnforcer } from '../../policy/index.js';
import type { CinderPods } from '../podCalls.js';
import { authorizeAdmin } from '../policy.js';
import { parseJson, type Relay } from '../relay.js';
import type { VolumeTypeService } from './service.js';
import type { VolumeTypeSync } from './sync.js';

/** Cinder's timestamp form: `2016-12-28T02:32:25.000000`. */
const cinderTime = (ms: number) => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000');

const FIELDS = ['provider', 'cipher', 'key_size', 'control_location'] as const;
const fields = {
  provider: Type.Optional(Type.String({ minLength: 0, maxLength: 255 })),
  cipher: Type.Optional(Type.Union([Type.String({ minLength: 0, maxLength: 255 }), Type.Null()])),
  key_size: Type.Optional(Type.Union([Type.Integer({ minimum: 0 }), Type.Null()])),
  control_location: Type.Optional(Type.String({ enum: ['front-end', 'back-end'] })),
};
const EncryptionCreate = Type.Object(
  {
    encryption: Type.Object(
      { ...fields, provider: Type.String({ minLength: 1, maxLength: 255 }), control_location: Type.String({ enum: ['front-end', 'back-end'] }) },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
const EncryptionUpdate = Type.Object({ encryption: Type.Object(fields, { additionalProperties: false, minProperties: 1 }) }, { additionalProperties: false });

type Spec = { provider: string; cipher: string | null; key_size: number | null; control_location: string };

/**
 * Volume-type encryption (`/types/{id}/encryption`), owned by the top (table
 * `volume_type_encryption`) and applied to every pod's copy of the type first (service account),
 * so a pod refusing leaves the top unchanged. Reads are the top's; writes need admin
 * (`volume_extension:volume_type_encryption:*`).
 */
export class TypeEncryption {
  constructor(
    private readonly db: Db,
    private readonly pods: CinderPods,
    private readonly policy: PolicyEnforcer,
    private readonly types: VolumeTypeService,
    private readonly sync: VolumeTypeSync,
  ) {}

  private async row(typeId: string) {
    return this.db.kysely.selectFrom('volume_type_encryption').selectAll().where('volume_type_id', '=', typeId).executeTakeFirst();
  }

  private async podCall(
    ctx: RequestContext,
    typeId: string,
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    sub: (bottomTypeId: string, podEncryptionId: string | undefined) => string,
    body?: unknown,
  ): Promise<void> {
    await this.sync.forEachCopy(ctx, typeId, async (pod, bottomId) => {
      const client = this.pods.client(pod);
      let podEncryptionId: string | undefined;
      if (method === 'PUT' || method === 'DELETE') {
        const shown = await client.request(ctx, { method: 'GET', path: `/types/${encodeURIComponent(bottomId)}/encryption`, asAdmin: true });
        const id = (parseJson(shown.body) as { encryption_id?: unknown } | undefined)?.encryption_id;
        if (typeof id !== 'string') return; // the copy has no encryption: nothing to change there
        podEncryptionId = id;
      }
      const res = await client.request(ctx, {
        method,
        path: sub(bottomId, podEncryptionId),
        asAdmin: true,
        ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
      });
      if (res.status >= 400) throw client.error(res.status, res.body, res.headers);
    });
  }

  private view(r: NonNullable<Awaited<ReturnType<TypeEncryption['row']>>>): JsonObject {
    return { volume_type_id: r.volume_type_id, control_location: r.control_location, encryption_id: r.encryption_id, key_size: r.key_size, provider: r.provider, cipher: r.cipher };
  }

  async show(ctx: RequestContext, typeId: string): Promise<Relay> {
    const type = await this.types.get(ctx, typeId);
    const r = await this.row(type.id);
    if (!r) return { status: 200, headers: {}, body: {} };
    const body: JsonObject = {
      ...this.view(r),
      deleted: false,
      created_at: cinderTime(Number(r.created_at)),
      updated_at: r.updated_at === null ? null : cinderTime(Number(r.updated_at)),
      deleted_at: null,
    };
    return { status: 200, headers: {}, body };
  }

  async showKey(ctx: RequestContext, typeId: string, key: string): Promise<Relay> {
    const type = await this.types.get(ctx, typeId);
    const r = await this.row(type.id);
    if (!r || !(FIELDS as readonly string[]).includes(key)) throw notFound(`Volume type encryption for type ${type.id} does not exist.`);
    return { status: 200, headers: {}, body: { [key]: this.view(r)[key] } };
  }

  async create(ctx: RequestContext, typeId: string, spec: Spec): Promise<Relay> {
    authorizeAdmin(this.policy, ctx, 'volume_extension:volume_type_encryption:create');
    const type = await this.types.get(ctx, typeId);
    if (await this.row(type.id)) throw badRequest(`Volume type encryption for type ${type.id} already exists.`);
    await this.podCall(ctx, type.id, 'POST', (b) => `/types/${encodeURIComponent(b)}/encryption`, { encryption: spec });
    const now = dbNow(this.db.dialect);
    await this.db.kysely
      .insertInto('volume_type_encryption')
      .values({
        volume_type_id: type.id,
        encryption_id: randomUUID(),
        provider: spec.provider,
        cipher: spec.cipher ?? null,
        key_size: spec.key_size ?? null,
        control_location: spec.control_location,
        created_at: now,
        updated_at: null,
      })
      .execute();
    return { status: 200, headers: {}, body: { encryption: this.view((await this.row(type.id))!) } };
  }

  /** `PUT .../encryption/{encryption_id}`: Cinder does not read the last segment (clients send `provider`); the type's spec changes. */
  async update(ctx: RequestContext, typeId: string, _encryptionId: string, change: Partial<Spec>): Promise<Relay> {
    authorizeAdmin(this.policy, ctx, 'volume_extension:volume_type_encryption:update');
    const type = await this.types.get(ctx, typeId);
    const r = await this.row(type.id);
    if (!r) throw notFound(`Volume type encryption for type ${type.id} does not exist.`);
    await this.podCall(ctx, type.id, 'PUT', (b, e) => `/types/${encodeURIComponent(b)}/encryption/${encodeURIComponent(e!)}`, { encryption: change });
    await this.db.kysely
      .updateTable('volume_type_encryption')
      .set({ ...change, updated_at: dbNow(this.db.dialect) })
      .where('volume_type_id', '=', type.id)
      .execute();
    return { status: 200, headers: {}, body: { encryption: change } };
  }

  /** `DELETE .../encryption/{encryption_id}`: like update, whatever the last segment. */
  async remove(ctx: RequestContext, typeId: string, _encryptionId: string): Promise<Relay> {
    authorizeAdmin(this.policy, ctx, 'volume_extension:volume_type_encryption:delete');
    const type = await this.types.get(ctx, typeId);
    const r = await this.row(type.id);
    if (!r) throw notFound(`Volume type encryption for type ${type.id} does not exist.`);
    await this.podCall(ctx, type.id, 'DELETE', (b, e) => `/types/${encodeURIComponent(b)}/encryption/${encodeURIComponent(e!)}`);
    await this.db.kysely.deleteFrom('volume_type_encryption').where('volume_type_id', '=', type.id).execute();
    return { status: 202, headers: {} };
  }
}

export function encryptionRoutes(r: GatewayRouter, enc: TypeEncryption): void {
  r.get('/types/:type_id/encryption', (call) => enc.show(call.ctx, call.params.type_id));
  r.get('/types/:type_id/encryption/:key', (call) => enc.showKey(call.ctx, call.params.type_id, call.params.key));
  r.post('/types/:type_id/encryption', (call) => enc.create(call.ctx, call.params.type_id, call.body.encryption as Spec), { body: EncryptionCreate });
  r.put('/types/:type_id/encryption/:encryption_id', (call) => enc.update(call.ctx, call.params.type_id, call.params.encryption_id, call.body.encryption as Partial<Spec>), {
    body: EncryptionUpdate,
  });
  r.delete('/types/:type_id/encryption/:encryption_id', (call) => enc.remove(call.ctx, call.params.type_id, call.params.encryption_id));
}
