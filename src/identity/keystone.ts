import { hash } from 'node:crypto';
import { IdentityUnavailableError, UnauthorizedError } from './errors.js';
import { KeystoneClient, keystoneMessage } from './http.js';
import { ExpiringLru } from '../common/index.js';
import type { ServiceTokenSource } from './serviceAuth.js';
import { MalformedTokenBody, parseTokenBody, type TokenInfo } from './wire.js';

export type ValidatedToken = Omit<TokenInfo, 'catalog' | 'issuedAt'>;

/** Turns a caller's token into who they are; KeystoneTokenValidator is the implementation. */
export interface TokenValidator {
  validate(token: string): Promise<ValidatedToken>;
}

export interface KeystoneTokenValidatorOptions {
  authUrl: string;
  /** Supplies X-Auth-Token for validation calls. Without it each token validates itself. */
  serviceAuth?: ServiceTokenSource;
  /** Longest a validation is reused (never past the token's expiry). Default 300; 0 disables caching. */
  cacheSeconds?: number;
  /** Most tokens remembered. Default 10000. */
  cacheSize?: number;
  /** How long a rejected token is remembered as rejected. Default 5. */
  negativeCacheSeconds?: number;
  /** Accept tokens that are not scoped to a project. Default false. */
  allowUnscoped?: boolean;
  timeoutMs?: number;
}

type Outcome = { ok: true; token: ValidatedToken } | { ok: false; message: string };

const INVALID = 'The request you have made requires authentication.';

/**
 * Validates tokens with `GET /v3/auth/tokens`. Results are cached under a hash of the token (the
 * token itself is never kept), and concurrent validations of one token share a single Keystone call.
 */
export class KeystoneTokenValidator implements TokenValidator {
  private readonly keystone: KeystoneClient;
  private readonly cache: ExpiringLru<Outcome>;
  private readonly inflight = new Map<string, Promise<Outcome>>();
  private readonly cacheMs: number;
  private readonly negativeMs: number;

  constructor(private readonly options: KeystoneTokenValidatorOptions) {
    this.keystone = new KeystoneClient({ authUrl: options.authUrl, timeoutMs: options.timeoutMs });
    this.cache = new ExpiringLru(options.cacheSize ?? 10_000);
    this.cacheMs = (options.cacheSeconds ?? 300) * 1000;
    this.negativeMs = (options.negativeCacheSeconds ?? 5) * 1000;
  }

  /** Throws UnauthorizedError (401) for a bad token, IdentityUnavailableError (503) when Keystone cannot answer. */
  async validate(token: string): Promise<ValidatedToken> {
    if (token === '') throw new UnauthorizedError(INVALID);
    const key = hash('sha256', token, 'base64url'); // one-shot: no Hash object per request
    let outcome = this.cache.get(key);
    if (outcome === undefined) {
      let pending = this.inflight.get(key);
      if (pending === undefined) {
        pending = this.lookup(token, key).finally(() => this.inflight.delete(key));
        this.inflight.set(key, pending);
      }
      outcome = await pending;
    }
    if (!outcome.ok) throw new UnauthorizedError(outcome.message);
    if (outcome.token.expiresAt.getTime() <= Date.now()) throw new UnauthorizedError('The token has expired.');
    return outcome.token;
  }

  async close(): Promise<void> {
    await this.keystone.close();
  }

  private async lookup(token: string, key: string): Promise<Outcome> {
    const outcome = await this.ask(token);
    const now = Date.now();
    if (outcome.ok) {
      if (this.cacheMs > 0) this.cache.set(key, outcome, Math.min(outcome.token.expiresAt.getTime(), now + this.cacheMs));
    } else if (this.negativeMs > 0) {
      this.cache.set(key, outcome, now + this.negativeMs);
    }
    return outcome;
  }

  private async ask(token: string): Promise<Outcome> {
    const source = this.options.serviceAuth;
    for (let attempt = 0; ; attempt++) {
      const serviceToken = source ? (await source.getToken()).token : token;
      const res = await this.keystone.call('GET', '/auth/tokens?nocatalog', { token: serviceToken, subjectToken: token });
      if (res.status === 200) return this.accept(res.body);
      if (res.status === 404) return { ok: false, message: INVALID };
      if (res.status === 401) {
        if (!source) return { ok: false, message: INVALID };
        // Our own token was refused: renew it once, then give up.
        source.invalidate(serviceToken);
        if (attempt === 0) continue;
        throw new IdentityUnavailableError('Keystone refused the service token used to validate tokens.');
      }
      const detail = keystoneMessage(res.body);
      if (res.status === 403) {
        throw new IdentityUnavailableError(`The service account may not validate tokens (HTTP 403${detail ? `: ${detail}` : ''}); it needs the admin or service role.`);
      }
      throw new IdentityUnavailableError(`Keystone failed to validate a token (HTTP ${res.status}${detail ? `: ${detail}` : ''}).`);
    }
  }

  private accept(body: unknown): Outcome {
    let info: TokenInfo;
    try {
      info = parseTokenBody(body);
    } catch (err) {
      if (err instanceof MalformedTokenBody) throw new IdentityUnavailableError(err.message);
      throw err;
    }
    if (info.expiresAt.getTime() <= Date.now()) return { ok: false, message: 'The token has expired.' };
    if (!info.projectId && !this.options.allowUnscoped) {
      return { ok: false, message: 'The request you have made requires a project-scoped token.' };
    }
    const { catalog: _catalog, issuedAt: _issuedAt, ...token } = info;
    return { ok: true, token };
  }
}
