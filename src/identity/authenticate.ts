import { acceptGlobalRequestId, newRequestId } from '../common/index.js';
import { createRequestContext, type RequestContext } from './context.js';
import { UnauthorizedError } from './errors.js';
import { headerValue, type Headers } from './headers.js';
import type { TokenValidator } from './keystone.js';
import { noauthIdentity } from './noauth.js';

export type AuthStrategy = 'keystone' | 'noauth';

export interface AuthenticatorOptions {
  strategy: AuthStrategy;
  /** Required for `keystone`. */
  validator?: TokenValidator;
}

export interface RequestIds {
  /** This request's id; a new `req-<uuid>` when absent. */
  requestId?: string;
  /** The caller's id for the whole operation; taken from a well-formed X-OpenStack-Request-ID header when absent. */
  globalRequestId?: string;
}

export type Authenticate = (headers: Headers, ids?: RequestIds) => Promise<RequestContext>;

/**
 * Builds the function that turns request headers into a RequestContext. It throws UnauthorizedError (401)
 * for a missing or bad token and IdentityUnavailableError (503) when Keystone cannot answer.
 */
export function createAuthenticator(options: AuthenticatorOptions): Authenticate {
  const { strategy, validator } = options;
  if (strategy === 'keystone' && !validator) throw new TypeError('auth_strategy keystone needs a token validator');

  return async (headers, ids = {}) => {
    const token = headerValue(headers, 'x-auth-token') ?? '';
    const requestId = ids.requestId ?? newRequestId();
    const globalRequestId = ids.globalRequestId ?? acceptGlobalRequestId(headerValue(headers, 'x-openstack-request-id'));
    const identity = strategy === 'noauth' ? noauthIdentity(headers) : token === '' ? missingToken() : await validator!.validate(token);
    return createRequestContext({
      ...identity,
      authToken: token || `${identity.userId}:${identity.projectId}`,
      requestId,
      ...(globalRequestId !== undefined ? { globalRequestId } : {}),
    });
  };
}

function missingToken(): never {
  throw new UnauthorizedError('The request you have made requires authentication.');
}
