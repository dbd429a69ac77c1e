/**
 * Who is calling, as resolved from the request's token. Immutable.
 *
 * `authToken` is a non-enumerable property: JSON.stringify, pino and util.inspect never show it, and
 * neither does an object spread (`{ ...ctx }` drops it) — pass the context itself, or use
 * `withRequestIds` to derive a copy.
 */
export type RequestContext = {
  readonly userId: string;
  readonly userName: string;
  readonly projectId: string;
  readonly projectName: string;
  /** The user's domain. */
  readonly domainId: string;
  readonly projectDomainId: string;
  readonly roles: readonly string[];
  /** True when the roles include `admin` (any case). */
  readonly isAdmin: boolean;
  /** The caller's token, forwarded to pods. Never log it. */
  readonly authToken: string;
  readonly requestId: string;
  readonly globalRequestId?: string;
  readonly expiresAt?: Date;
};

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * The caller, set by the authentication hook (src/common/http.ts) before any handler of a route
     * that needs a token runs. Public routes (version documents, health, metrics) have no caller and
     * must not read it.
     */
    context: RequestContext;
  }
}

export type RequestContextInit = Omit<RequestContext, 'isAdmin' | 'userName' | 'projectName' | 'domainId' | 'projectDomainId'> &
  Partial<Pick<RequestContext, 'userName' | 'projectName' | 'domainId' | 'projectDomainId'>>;

export function hasAdminRole(roles: readonly string[]): boolean {
  return roles.some((role) => role.toLowerCase() === 'admin');
}

export function createRequestContext(init: RequestContextInit): RequestContext {
  const roles = Object.freeze([...init.roles]);
  const context = {
    userId: init.userId,
    userName: init.userName ?? '',
    projectId: init.projectId,
    projectName: init.projectName ?? '',
    domainId: init.domainId ?? '',
    projectDomainId: init.projectDomainId ?? '',
    roles,
    isAdmin: hasAdminRole(roles),
    requestId: init.requestId,
    ...(init.globalRequestId !== undefined ? { globalRequestId: init.globalRequestId } : {}),
    ...(init.expiresAt !== undefined ? { expiresAt: init.expiresAt } : {}),
  };
  Object.defineProperty(context, 'authToken', { value: init.authToken, enumerable: false, writable: false });
  return Object.freeze(context) as RequestContext;
}

/** A copy of `context` carrying other request ids (and the same hidden token). */
export function withRequestIds(context: RequestContext, ids: { requestId: string; globalRequestId?: string }): RequestContext {
  return createRequestContext({ ...context, authToken: context.authToken, ...ids });
}
