import type { FastifyRequest } from 'fastify';
import { callerOf } from '../common/http.js';
import { SimServiceError, type SimCaller } from '../types.js';
import type { CatalogStore } from './catalog.js';
import type { IdentityStore } from './identity.js';
import type { TokenStore } from './tokens.js';
import type { KeystoneViews } from './views.js';

/** What the Keystone route plugins share. */
export interface KeystoneContext {
  identity: IdentityStore;
  catalog: CatalogStore;
  tokens: TokenStore;
  views: KeystoneViews;
}

/** The caller, who must hold the admin role (Keystone's `admin_required` rule). */
export function requireAdmin(req: FastifyRequest, action: string): SimCaller {
  const caller = callerOf(req);
  if (!caller.isAdmin) throw forbidden(action);
  return caller;
}

/** The caller, who must be admin or pass `allowed`. */
export function requireAdminOr(req: FastifyRequest, action: string, allowed: (caller: SimCaller) => boolean): SimCaller {
  const caller = callerOf(req);
  if (!caller.isAdmin && !allowed(caller)) throw forbidden(action);
  return caller;
}

export function forbidden(action: string): SimServiceError {
  return new SimServiceError(403, `You are not authorized to perform the requested action: ${action}.`);
}

/** A required JSON object member of a request body (Keystone's schema error on absence). */
export function member(body: unknown, key: string): Record<string, unknown> {
  const v = body !== null && typeof body === 'object' ? (body as Record<string, unknown>)[key] : undefined;
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    throw new SimServiceError(400, `Invalid input for field '${key}': '${key}' is a required property`);
  }
  return v as Record<string, unknown>;
}

export function optString(o: Record<string, unknown>, key: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new SimServiceError(400, `Invalid input for field '${key}': ${JSON.stringify(v)} is not of type 'string'`);
  return v;
}

export function reqString(o: Record<string, unknown>, key: string): string {
  const v = optString(o, key);
  if (v === undefined || v === '') throw new SimServiceError(400, `Invalid input for field '${key}': '${key}' is a required property`);
  return v;
}

export function optBool(o: Record<string, unknown>, key: string): boolean | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') throw new SimServiceError(400, `Invalid input for field '${key}': ${JSON.stringify(v)} is not of type 'boolean'`);
  return v;
}

/** Query string as a flat string map (repeated keys: last wins). */
export function queryOf(req: FastifyRequest): Record<string, string> {
  const q = (req.query ?? {}) as Record<string, string | string[]>;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(q)) out[k] = Array.isArray(v) ? v[v.length - 1] : v;
  return out;
}

export function queryFlag(q: Record<string, string>, key: string): boolean {
  return key in q && !['0', 'false', 'False'].includes(q[key]);
}
