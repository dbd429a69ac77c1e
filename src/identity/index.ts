export { createRequestContext, withRequestIds, type RequestContext, type RequestContextInit } from './context.js';
export { createAuthenticator, type Authenticate, type AuthenticatorOptions, type AuthStrategy, type RequestIds } from './authenticate.js';
export { KeystoneTokenValidator, type KeystoneTokenValidatorOptions, type TokenValidator, type ValidatedToken } from './keystone.js';
export { ServiceAuth, type ServiceAuthOptions, type ServiceToken, type ServiceTokenSource } from './serviceAuth.js';
export {
  EndpointResolver,
  type EndpointResolverOptions,
  type EndpointStore,
  type PodRef,
  type ServiceType,
} from './catalog.js';
export { noauthWarning } from './noauth.js';
export { UnauthorizedError, ForbiddenError, IdentityUnavailableError, EndpointNotFoundError } from './errors.js';
export type { CatalogEntry, CatalogEndpoint } from './wire.js';
export type { Headers } from './headers.js';
export { buildIdentity, type Identity, type AuthenticatedRequest } from './setup.js';
