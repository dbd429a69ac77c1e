import { isoMicro, randomUrlSafe } from '../common/ids.js';
import type { SimCaller } from '../types.js';
import type { CatalogStore } from './catalog.js';
import type { IdentityStore, Role } from './identity.js';

export type TokenScope = { kind: 'project'; projectId: string } | { kind: 'domain'; domainId: string } | { kind: 'unscoped' };

export interface TokenRecord {
  id: string;
  userId: string;
  methods: string[];
  scope: TokenScope;
  roles: Role[];
  issuedAt: Date;
  expiresAt: Date;
  auditIds: string[];
}

/** Issued tokens: lookup by id, expiry, revocation, and the wire body of a token. */
export class TokenStore {
  private readonly tokens = new Map<string, TokenRecord>();
  private readonly revoked = new Set<string>();
  private lastSweep = 0;

  constructor(
    private readonly identity: IdentityStore,
    private readonly catalog: CatalogStore,
    private readonly ttlSeconds: number,
  ) {}

  /**
   * Issues a token. A rescoped token keeps its parent's expiry and audit chain, as Keystone does.
   */
  issue(userId: string, methods: string[], scope: TokenScope, parent?: TokenRecord): TokenRecord {
    const now = new Date();
    const roles =
      scope.kind === 'project'
        ? this.identity.effectiveRoles(userId, { projectId: scope.projectId })
        : scope.kind === 'domain'
          ? this.identity.effectiveRoles(userId, { domainId: scope.domainId })
          : [];
    const auditId = randomUrlSafe(16);
    const record: TokenRecord = {
      // Opaque, but as long as a Fernet token so clients that size buffers see the usual shape.
      id: `gAAAAAB${randomUrlSafe(135)}`,
      userId,
      methods,
      scope,
      roles,
      issuedAt: now,
      expiresAt: parent ? parent.expiresAt : new Date(now.getTime() + this.ttlSeconds * 1000),
      auditIds: parent ? [auditId, parent.auditIds[0]] : [auditId],
    };
    this.tokens.set(record.id, record);
    this.sweep(now);
    return record;
  }

  /** A live token (not expired, not revoked, user still present), or undefined. */
  lookup(id: string, allowExpired = false): TokenRecord | undefined {
    const t = this.tokens.get(id);
    if (!t || this.revoked.has(id) || !this.identity.users.has(t.userId)) return undefined;
    if (!allowExpired && t.expiresAt.getTime() <= Date.now()) return undefined;
    return t;
  }

  revoke(id: string): void {
    this.revoked.add(id);
  }

  toCaller(t: TokenRecord): SimCaller {
    const user = this.identity.users.get(t.userId)!;
    const project = t.scope.kind === 'project' ? this.identity.projects.get(t.scope.projectId) : undefined;
    const roles = t.roles.map((r) => r.name);
    return {
      token: t.id,
      userId: user.id,
      userName: user.name,
      projectId: project?.id ?? '',
      projectName: project?.name ?? '',
      domainId: project?.domainId ?? (t.scope.kind === 'domain' ? t.scope.domainId : user.domainId),
      roles,
      isAdmin: roles.includes('admin'),
      expiresAt: t.expiresAt,
    };
  }

  /** The `{"token": {...}}` body of POST/GET /v3/auth/tokens. */
  render(t: TokenRecord, withCatalog: boolean): { token: Record<string, unknown> } {
    const user = this.identity.users.get(t.userId)!;
    const body: Record<string, unknown> = {
      methods: t.methods,
      user: {
        domain: this.domainRef(user.domainId),
        id: user.id,
        name: user.name,
        password_expires_at: null,
      },
      audit_ids: t.auditIds,
      expires_at: isoMicro(t.expiresAt),
      issued_at: isoMicro(t.issuedAt),
    };
    if (t.scope.kind === 'project') {
      const project = this.identity.projects.get(t.scope.projectId);
      body.project = project ? { domain: this.domainRef(project.domainId), id: project.id, name: project.name } : { id: t.scope.projectId };
      body.is_domain = false;
    } else if (t.scope.kind === 'domain') {
      body.domain = this.domainRef(t.scope.domainId);
    }
    if (t.scope.kind !== 'unscoped') {
      body.roles = t.roles.map((r) => ({ id: r.id, name: r.name }));
      if (withCatalog) body.catalog = this.catalog.render(t.scope.kind === 'project' ? t.scope.projectId : undefined);
    }
    return { token: body };
  }

  private domainRef(id: string): { id: string; name: string } {
    return { id, name: this.identity.domains.get(id)?.name ?? id };
  }

  private sweep(now: Date): void {
    if (now.getTime() - this.lastSweep < 60_000) return;
    this.lastSweep = now.getTime();
    for (const [id, t] of this.tokens) {
      // Keep expired tokens a while so `allow_expired` validation still finds them.
      if (t.expiresAt.getTime() + 2 * 86_400_000 < now.getTime()) {
        this.tokens.delete(id);
        this.revoked.delete(id);
      }
    }
  }
}
