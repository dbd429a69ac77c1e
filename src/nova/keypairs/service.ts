import { createHash } from 'node:crypto';
import type { Selectable } from 'kysely';
import { badRequest, conflict, forbidden, notFound } from '../../common/index.js';
import { dbNow, isUniqueViolation, type Db } from '../../db/index.js';
import type { PolicyEnforcer } from '../../policy/index.js';
import { qLast, requireAdmin, type NovaCall } from '../call.js';
import { nextLink } from '../links.js';
import type { NovaKeypairsTable } from '../tables.js';
import type { KeypairCreateBody } from './schemas.js';
import { generateSshKeypair, generateX509Keypair, sshFingerprint, x509Fingerprint } from './keys.js';

export interface TopKeypair {
  userId: string;
  name: string;
  type: 'ssh' | 'x509';
  publicKey: string;
  fingerprint: string;
  createdAt: number;
}

const toKeypair = (r: Selectable<NovaKeypairsTable>): TopKeypair => ({
  userId: r.user_id,
  name: r.name,
  type: r.type === 'x509' ? 'x509' : 'ssh',
  publicKey: r.public_key,
  fingerprint: r.fingerprint,
  createdAt: Number(r.created_at),
});

/** Nova prints these timestamps without a zone, to the microsecond. */
const isoMicro = (ms: number) => new Date(ms).toISOString().replace('Z', '000');

/** A stable integer for the `id` Nova shows (the gateway keys pairs by user and name). */
const numericId = (k: TopKeypair) => createHash('sha1').update(`${k.userId}\0${k.name}`).digest().readUInt32BE(0) & 0x7fffffff;

/**
 * Key pairs are owned by the top (per user, as in Nova) and copied to a pod, under the same name,
 * when a server there boots with one.
 */
export class KeypairService {
  constructor(
    private readonly db: Db,
    private readonly policy: PolicyEnforcer,
    private readonly keypairLimit: (projectId: string) => Promise<number>,
  ) {}

  brief(call: NovaCall, k: TopKeypair): Record<string, unknown> {
    return { name: k.name, public_key: k.publicKey, fingerprint: k.fingerprint, ...(call.version.ge('2.2') ? { type: k.type } : {}) };
  }

  full(call: NovaCall, k: TopKeypair): Record<string, unknown> {
    return {
      ...this.brief(call, k),
      user_id: k.userId,
      deleted: false,
      created_at: isoMicro(k.createdAt),
      updated_at: null,
      deleted_at: null,
      id: numericId(k),
    };
  }

  /** The user whose key pairs a call concerns: the caller, or (2.10+, admin) `user_id`. */
  private targetUser(call: NovaCall, rule: string, given?: string): string {
    const userId = given ?? (call.version.ge('2.10') ? qLast(call.query, 'user_id') : undefined);
    if (userId === undefined || userId === call.ctx.userId) return call.ctx.userId;
    requireAdmin(this.policy, call.ctx, rule);
    return userId;
  }

  async find(userId: string, name: string): Promise<TopKeypair | undefined> {
    const row = await this.db.kysely.selectFrom('nova_keypairs').selectAll().where('user_id', '=', userId).where('name', '=', name).executeTakeFirst();
    return row ? toKeypair(row) : undefined;
  }

  async list(call: NovaCall, maxLimit: number): Promise<Record<string, unknown>> {
    const userId = this.targetUser(call, 'os_compute_api:os-keypairs:index');
    let q = this.db.kysely.selectFrom('nova_keypairs').selectAll().where('user_id', '=', userId).orderBy('name');
    let limit: number | undefined;
    if (call.version.ge('2.35')) {
      const marker = qLast(call.query, 'marker');
      if (marker !== undefined) {
        if (!(await this.find(userId, marker))) throw badRequest(`marker [${marker}] not found`);
        q = q.where('name', '>', marker);
      }
      const limitText = qLast(call.query, 'limit');
      if (limitText !== undefined) {
        if (!/^\d+$/.test(limitText)) throw badRequest(`Invalid input for query parameters limit. Value: ${limitText}. '${limitText}' does not match '^[0-9]*$'`);
        limit = Math.min(Number(limitText), maxLimit);
      } else limit = maxLimit;
      q = q.limit(limit);
    }
    const page = (await q.execute()).map(toKeypair);
    const body: Record<string, unknown> = { keypairs: page.map((k) => ({ keypair: this.brief(call, k) })) };
    if (limit !== undefined && page.length === limit && limit > 0) {
      body.keypairs_links = [{ href: nextLink(`${call.links.versioned}/os-keypairs`, call.rawQuery, page[page.length - 1].name), rel: 'next' }];
    }
    return body;
  }

  async get(call: NovaCall, name: string): Promise<TopKeypair> {
    const userId = this.targetUser(call, 'os_compute_api:os-keypairs:show');
    const k = await this.find(userId, name);
    if (!k) throw notFound(`Keypair ${name} not found for user ${userId}`);
    return k;
  }

  async create(call: NovaCall<KeypairCreateBody>): Promise<{ keypair: TopKeypair; privateKey?: string }> {
    const req = call.body.keypair;
    const userId = this.targetUser(call, 'os_compute_api:os-keypairs:create', req.user_id);
    const name = req.name;
    if (call.version.lt('2.92') && !/^[a-zA-Z0-9 _-]+$/.test(name)) throw badRequest('Keypair data is invalid: Keypair name contains unsafe characters');
    const type = req.type === 'x509' ? 'x509' : 'ssh';
    let publicKey: string;
    let fingerprint: string;
    let privateKey: string | undefined;
    if (typeof req.public_key === 'string') {
      publicKey = req.public_key.trim();
      fingerprint = type === 'x509' ? x509Fingerprint(publicKey) : sshFingerprint(publicKey);
    } else {
      const generated = type === 'x509' ? generateX509Keypair(userId, call.ctx.projectId) : generateSshKeypair();
      publicKey = generated.publicKey;
      fingerprint = generated.fingerprint;
      privateKey = generated.privateKey;
    }
    const limit = await this.keypairLimit(call.ctx.projectId);
    try {
      await this.db.kysely.transaction().execute(async (trx) => {
        if (limit >= 0) {
          const n = await trx
            .selectFrom('nova_keypairs')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('user_id', '=', userId)
            .executeTakeFirstOrThrow();
          if (Number(n.n) >= limit) throw forbidden('Quota exceeded, too many key pairs.');
        }
        const existing = await trx.selectFrom('nova_keypairs').select('name').where('user_id', '=', userId).where('name', '=', name).executeTakeFirst();
        if (existing) throw conflict(`Key pair '${name}' already exists.`);
        await trx
          .insertInto('nova_keypairs')
          .values({ user_id: userId, name, type, public_key: publicKey, fingerprint, created_at: dbNow(this.db.dialect) })
          .execute();
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw conflict(`Key pair '${name}' already exists.`);
      throw err;
    }
    return { keypair: (await this.find(userId, name))!, ...(privateKey !== undefined ? { privateKey } : {}) };
  }

  async delete(call: NovaCall, name: string): Promise<void> {
    const userId = this.targetUser(call, 'os_compute_api:os-keypairs:delete');
    const res = await this.db.kysely.deleteFrom('nova_keypairs').where('user_id', '=', userId).where('name', '=', name).executeTakeFirst();
    if (Number(res.numDeletedRows) === 0) throw notFound(`Keypair ${name} not found for user ${userId}`);
  }

  async countFor(userId: string): Promise<number> {
    const n = await this.db.kysely
      .selectFrom('nova_keypairs')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('user_id', '=', userId)
      .executeTakeFirstOrThrow();
    return Number(n.n);
  }
}
