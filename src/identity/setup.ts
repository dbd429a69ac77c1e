import type { Logger } from '../common/index.js';
import type { Config } from '../config/index.js';
import { createAuthenticator } from './authenticate.js';
import { EndpointResolver, type EndpointStore } from './catalog.js';
import type { RequestContext } from './context.js';
import type { Headers } from './headers.js';
import { KeystoneTokenValidator } from './keystone.js';
import { noauthWarning } from './noauth.js';
import { ServiceAuth } from './serviceAuth.js';

/** The parts of an HTTP request authentication reads (a FastifyRequest fits). */
export interface AuthenticatedRequest {
  id: string;
  headers: Headers;
  context?: { globalRequestId?: string };
}

export interface Identity {
  /**
   * Resolves the caller of a request. Use the returned object as the request's context as it is:
   * spreading it (`{ ...ctx }`) drops the hidden `authToken`.
   */
  authenticate(req: AuthenticatedRequest): Promise<RequestContext>;
  /** The `[client]` service account (admin token for pod-side admin work). */
  serviceAuth: ServiceAuth;
  /** Pod endpoint discovery. */
  endpoints: EndpointResolver;
  close(): Promise<void>;
}

/** Wires the identity layer from `[DEFAULT] auth_strategy`, `[keystone_authtoken]` and `[client]`. */
export function buildIdentity(config: Config, deps: { logger: Logger; endpointStore: EndpointStore }): Identity {
  const { keystone_authtoken: authtoken, client } = config;
  const timeoutMs = authtoken.http_timeout * 1000;
  const serviceAuth = new ServiceAuth({
    authUrl: client.auth_url || authtoken.auth_url,
    username: client.admin_username,
    password: client.admin_password,
    userDomainName: client.admin_user_domain_name,
    projectName: client.admin_tenant,
    projectDomainName: client.admin_tenant_domain_name,
    timeoutMs,
  });
  const strategy = config.DEFAULT.auth_strategy === 'noauth' ? 'noauth' : 'keystone';
  let validator: KeystoneTokenValidator | undefined;
  if (strategy === 'noauth') {
    deps.logger.warn(noauthWarning());
  } else {
    if (!client.admin_password) {
      deps.logger.warn('[client] admin_password is empty: tokens validate themselves and pod endpoints cannot be read from Keystone');
    }
    validator = new KeystoneTokenValidator({
      authUrl: authtoken.auth_url,
      serviceAuth: client.admin_password ? serviceAuth : undefined,
      cacheSeconds: authtoken.token_cache_time,
      cacheSize: authtoken.token_cache_size,
      timeoutMs,
    });
  }
  const authenticate = createAuthenticator({ strategy, validator });
  const endpoints = new EndpointResolver({ serviceAuth, store: deps.endpointStore, autoRefresh: client.auto_refresh_endpoint });

  return {
    authenticate: (req) =>
      authenticate(req.headers, {
        requestId: req.id,
        ...(req.context?.globalRequestId !== undefined ? { globalRequestId: req.context.globalRequestId } : {}),
      }),
    serviceAuth,
    endpoints,
    async close() {
      await Promise.allSettled([serviceAuth.close(), validator?.close()]);
    },
  };
}
