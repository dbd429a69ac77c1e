import { IdentityUnavailableError } from './errors.js';
import { KeystoneClient, keystoneMessage } from './http.js';
import { MalformedTokenBody, parseTokenBody, type CatalogEntry } from './wire.js';

export interface ServiceAuthOptions {
  authUrl: string;
  username: string;
  password: string;
  /** Default `Default`. */
  userDomainName?: string;
  projectName: string;
  /** Default `Default`. */
  projectDomainName?: string;
  /** Re-authenticate this long before expiry, capped at a tenth of the token's lifetime. Default 60. */
  refreshMarginSeconds?: number;
  timeoutMs?: number;
}

export interface ServiceToken {
  token: string;
  userId: string;
  projectId: string;
  expiresAt: Date;
  catalog: CatalogEntry[];
}

/** Where service tokens come from; ServiceAuth is the implementation. */
export interface ServiceTokenSource {
  getToken(): Promise<ServiceToken>;
  /** Drops the cached token (only if it is still `token`, when given) so the next getToken re-authenticates. */
  invalidate(token?: string): void;
}

interface Cached {
  value: ServiceToken;
  /** Local clock times, so a skewed Keystone clock does not matter. */
  refreshAt: number;
  expiresAt: number;
}

/** The `[client]` service account: a project-scoped password token, cached and renewed before it expires. */
export class ServiceAuth implements ServiceTokenSource {
  /** The Keystone this account authenticates against (the catalog reader reuses it). */
  readonly keystone: KeystoneClient;
  private cached: Cached | undefined;
  private inflight: Promise<ServiceToken> | undefined;

  constructor(private readonly options: ServiceAuthOptions) {
    this.keystone = new KeystoneClient({ authUrl: options.authUrl, timeoutMs: options.timeoutMs });
  }

  async getToken(): Promise<ServiceToken> {
    const now = Date.now();
    const cached = this.cached;
    if (cached && now < cached.refreshAt) return cached.value;
    try {
      return await this.authenticateOnce();
    } catch (err) {
      // A failed early refresh is not fatal while the old token still works.
      if (cached && this.cached === cached && Date.now() < cached.expiresAt) return cached.value;
      throw err;
    }
  }

  invalidate(token?: string): void {
    if (token === undefined || this.cached?.value.token === token) this.cached = undefined;
  }

  async close(): Promise<void> {
    await this.keystone.close();
  }

  private authenticateOnce(): Promise<ServiceToken> {
    this.inflight ??= this.authenticate().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async authenticate(): Promise<ServiceToken> {
    const o = this.options;
    const sentAt = Date.now();
    const res = await this.keystone.call('POST', '/auth/tokens', {
      body: {
        auth: {
          identity: {
            methods: ['password'],
            password: { user: { name: o.username, password: o.password, domain: { name: o.userDomainName ?? 'Default' } } },
          },
          scope: { project: { name: o.projectName, domain: { name: o.projectDomainName ?? 'Default' } } },
        },
      },
    });
    if (res.status !== 201 && res.status !== 200) {
      const detail = keystoneMessage(res.body);
      throw new IdentityUnavailableError(`Service account ${o.username} could not authenticate to ${this.keystone.baseUrl} (HTTP ${res.status}${detail ? `: ${detail}` : ''}).`);
    }
    const token = res.headers['x-subject-token'];
    if (typeof token !== 'string' || token === '') {
      throw new IdentityUnavailableError('Keystone issued a service token without an X-Subject-Token header.');
    }
    let info;
    try {
      info = parseTokenBody(res.body);
    } catch (err) {
      if (err instanceof MalformedTokenBody) throw new IdentityUnavailableError(err.message);
      throw err;
    }
    const lifetime = info.expiresAt.getTime() - (info.issuedAt?.getTime() ?? sentAt);
    const margin = Math.min((o.refreshMarginSeconds ?? 60) * 1000, lifetime / 10);
    const value: ServiceToken = {
      token,
      userId: info.userId,
      projectId: info.projectId,
      expiresAt: info.expiresAt,
      catalog: info.catalog,
    };
    this.cached = { value, expiresAt: sentAt + lifetime, refreshAt: sentAt + lifetime - margin };
    return value;
  }
}
