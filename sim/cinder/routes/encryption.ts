// Routes: volume-type encryption (admin writes): show, show one key, create, update, delete.
import { randomUUID } from 'node:crypto';
import { isoMicro } from '../../nova/apiutil.js';
import { SimServiceError } from '../../types.js';
import type { CinderServices } from '../services.js';
import { params, type CinderRouter } from '../router.js';

interface Encryption {
  encryption_id: string;
  provider: string;
  cipher: string | null;
  key_size: number | null;
  control_location: string;
  created_at: Date;
  updated_at: Date | null;
}

const FIELDS = ['provider', 'cipher', 'key_size', 'control_location'];

function given(body: unknown): Record<string, unknown> {
  const e = (body as { encryption?: unknown } | null)?.encryption;
  if (typeof e !== 'object' || e === null || Array.isArray(e)) throw new SimServiceError(400, "Missing required element 'encryption' in request body.");
  for (const k of Object.keys(e))
    if (!FIELDS.includes(k)) throw new SimServiceError(400, `Invalid input for field/attribute encryption. Additional properties are not allowed ('${k}' was unexpected)`);
  const loc = (e as { control_location?: unknown }).control_location;
  if (loc !== undefined && loc !== 'front-end' && loc !== 'back-end') throw new SimServiceError(400, `Invalid input for field/attribute control_location. Value: ${String(loc)}.`);
  return e as Record<string, unknown>;
}

export function encryptionRoutes(r: CinderRouter, s: CinderServices): void {
  const byType = new Map<string, Encryption>();
  const view = (typeId: string, e: Encryption, full: boolean) => ({
    volume_type_id: typeId,
    control_location: e.control_location,
    encryption_id: e.encryption_id,
    key_size: e.key_size,
    provider: e.provider,
    cipher: e.cipher,
    ...(full ? { deleted: false, created_at: isoMicro(e.created_at), updated_at: e.updated_at ? isoMicro(e.updated_at) : null, deleted_at: null } : {}),
  });
  const admin = (isAdmin: boolean, what: string) => {
    if (!isAdmin) throw new SimServiceError(403, `Policy doesn't allow volume_extension:volume_type_encryption:${what} to be performed.`);
  };

  r.get('/types/:id/encryption', (ctx, req) => {
    const t = s.state.typeFor(params(req).id, ctx.caller);
    const e = byType.get(t.id);
    return e ? view(t.id, e, true) : {};
  });
  r.get('/types/:id/encryption/:key', (ctx, req) => {
    const t = s.state.typeFor(params(req).id, ctx.caller);
    const e = byType.get(t.id);
    const key = params(req).key;
    if (!e || !FIELDS.includes(key)) throw new SimServiceError(404, `Volume type encryption for type ${t.id} does not exist.`);
    return { [key]: (e as unknown as Record<string, unknown>)[key] };
  });
  r.post('/types/:id/encryption', (ctx, req) => {
    admin(ctx.caller.isAdmin, 'create');
    const t = s.state.typeFor(params(req).id, ctx.caller);
    if (byType.has(t.id)) throw new SimServiceError(400, `Volume type encryption for type ${t.id} already exists.`);
    const g = given(req.body);
    if (typeof g.provider !== 'string' || g.provider === '') throw new SimServiceError(400, "Invalid input for field/attribute encryption. 'provider' is a required property");
    if (g.control_location === undefined) throw new SimServiceError(400, "Invalid input for field/attribute encryption. 'control_location' is a required property");
    const e: Encryption = {
      encryption_id: randomUUID(),
      provider: g.provider,
      cipher: (g.cipher ?? null) as string | null,
      key_size: (g.key_size ?? null) as number | null,
      control_location: String(g.control_location),
      created_at: new Date(),
      updated_at: null,
    };
    byType.set(t.id, e);
    return { encryption: view(t.id, e, false) };
  });
  // Cinder ignores the last segment of update and delete (tempest sends `provider`).
  r.put('/types/:id/encryption/:encryption_id', (ctx, req) => {
    admin(ctx.caller.isAdmin, 'update');
    const t = s.state.typeFor(params(req).id, ctx.caller);
    const e = byType.get(t.id);
    if (!e) throw new SimServiceError(404, `Volume type encryption for type ${t.id} does not exist.`);
    const g = given(req.body);
    Object.assign(e, g, { updated_at: new Date() });
    return { encryption: g };
  });
  r.delete('/types/:id/encryption/:encryption_id', (ctx, req, reply) => {
    admin(ctx.caller.isAdmin, 'delete');
    const t = s.state.typeFor(params(req).id, ctx.caller);
    const e = byType.get(t.id);
    if (!e) throw new SimServiceError(404, `Volume type encryption for type ${t.id} does not exist.`);
    byType.delete(t.id);
    return reply.code(202).send();
  });
}
