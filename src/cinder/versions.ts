import type { FastifyInstance } from 'fastify';
import { Microversion, answer, type GatewayRouter, type VersionRange } from '../gateway/index.js';

/** Microversions the gateway accepts on /v3 (Zed's Cinder range); pods receive the caller's choice. */
export const MIN_VERSION = '3.0';
export const MAX_VERSION = '3.70';
export const VERSION_RANGE: VersionRange = { min: Microversion.of(MIN_VERSION), max: Microversion.of(MAX_VERSION) };

const V3_UPDATED = '2022-08-31T00:00:00Z';
const V2_UPDATED = '2017-02-25T12:00:00Z';

function v3(publicUrl: string) {
  return {
    id: 'v3.0',
    links: [
      { href: 'https://docs.openstack.org/', rel: 'describedby', type: 'text/html' },
      { href: `${publicUrl}/v3/`, rel: 'self' },
    ],
    'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.volume+json;version=3' }],
    min_version: MIN_VERSION,
    status: 'CURRENT',
    updated: V3_UPDATED,
    version: MAX_VERSION,
  };
}

function v2(publicUrl: string) {
  return {
    id: 'v2.0',
    links: [
      { href: 'https://docs.openstack.org/', rel: 'describedby', type: 'text/html' },
      { href: `${publicUrl}/v2/`, rel: 'self' },
    ],
    'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.volume+json;version=2' }],
    min_version: '',
    status: 'DEPRECATED',
    updated: V2_UPDATED,
    version: '',
  };
}

/** Unauthenticated version discovery: `GET /` (300 Multiple Choices), `GET /v3/`, `GET /v2/`. */
export function versionRoutes(app: FastifyInstance, router: GatewayRouter, publicUrl: () => string): void {
  // The v3 documents carry the microversion headers and Vary, as upstream's.
  router.document('/', 'v3', () => answer(300, { versions: [v3(publicUrl()), v2(publicUrl())] }));
  router.document('/v3', 'v3', () => answer(200, { versions: [v3(publicUrl())] }));
  app.get('/v2', async () => ({ versions: [v2(publicUrl())] }));
}

/** Unauthenticated paths: the version documents. */
export function isCinderPublicPath(method: string, path: string): boolean {
  return (method === 'GET' || method === 'HEAD') && /^\/(v[23]\/?)?$/.test(path);
}
