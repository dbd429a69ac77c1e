import { headerValue, type Headers } from './headers.js';
import type { ValidatedToken } from './keystone.js';

/**
 * The caller under `auth_strategy = noauth`, trusted from the request headers:
 * `X-Auth-Token: user:project` (as Nova's noauth2), else `X-User-Id` / `X-Project-Id` / `X-Roles`,
 * each defaulting to `admin`. Roles default to `admin` for the user `admin`, `member` otherwise.
 */
export function noauthIdentity(headers: Headers): ValidatedToken {
  const token = headerValue(headers, 'x-auth-token') ?? '';
  let userId: string;
  let projectId: string;
  const colon = token.indexOf(':');
  if (colon > 0) {
    userId = token.slice(0, colon);
    projectId = token.slice(colon + 1) || userId;
  } else {
    userId = headerValue(headers, 'x-user-id') || 'admin';
    projectId = headerValue(headers, 'x-project-id') || headerValue(headers, 'x-tenant-id') || 'admin';
  }
  const listed = (headerValue(headers, 'x-roles') ?? '')
    .split(',')
    .map((r) => r.trim())
    .filter((r) => r !== '');
  const roles = listed.length > 0 ? listed : userId === 'admin' ? ['admin'] : ['member'];
  return {
    userId,
    userName: headerValue(headers, 'x-user-name') || userId,
    domainId: 'default',
    projectId,
    projectName: headerValue(headers, 'x-project-name') || projectId,
    projectDomainId: 'default',
    roles,
    expiresAt: new Date(Date.now() + 3_600_000),
  };
}

/** What to log at start-up when noauth is on. */
export function noauthWarning(service = 'Tricircle'): string {
  return (
    `${service} is running with auth_strategy = noauth: tokens are NOT validated and every caller is ` +
    'trusted as whoever its headers claim (admin by default). Use this for development and tests only, ' +
    'never on a network others can reach.'
  );
}
