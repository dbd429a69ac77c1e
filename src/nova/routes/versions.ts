import type { FastifyInstance } from 'fastify';
import { ok, type GatewayRouter } from '../../gateway/index.js';
import type { PodVersionRanges } from '../versionRange.js';

const UPDATED = '2013-07-23T11:33:21Z';

/**
 * Version discovery: `GET /` and `GET /v2.1` without a token (and `/v2.1/{project_id}` with one).
 * The advertised maximum is the lowest maximum across the pods. The legacy v2.0 API is not served,
 * so it is not listed.
 */
export function versionRoutes(_app: FastifyInstance, router: GatewayRouter, versions: PodVersionRanges, publicUrl: () => string): void {
  const v21 = async (full: boolean) => {
    const range = await versions.range();
    const self = { href: `${publicUrl()}/v2.1/`, rel: 'self' };
    return {
      id: 'v2.1',
      status: 'CURRENT',
      version: range.max.toString(),
      min_version: range.min.toString(),
      updated: UPDATED,
      links: full ? [self, { href: 'http://docs.openstack.org/', rel: 'describedby', type: 'text/html' }] : [self],
      ...(full ? { 'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.compute+json;version=2.1' }] } : {}),
    };
  };
  // Upstream answers its version documents with the microversion headers and Vary, like any call.
  router.document('/', 'v2.1', async () => ok({ versions: [await v21(false)] }));
  router.document('/v2.1', 'v2.1', async () => ok({ version: await v21(true) }));
  // The project form needs a token, so it is a route of the service like any other.
  router.get('', async () => ok({ version: await v21(true) }), { prefixes: ['/v2.1/:project_id'] });
}

export const isPublicNovaPath = (method: string, path: string): boolean => (method === 'GET' || method === 'HEAD') && (path === '/' || path === '/v2.1' || path === '/v2.1/');
