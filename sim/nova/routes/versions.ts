// Unauthenticated version discovery: GET / and GET /v2.1[/].
import type { FastifyInstance } from 'fastify';
import { NOVA_MICROVERSIONS } from '../router.js';

export function versionRoutes(app: FastifyInstance, publicUrl: () => string): void {
  const v21 = (withMedia: boolean) => ({
    id: 'v2.1',
    status: 'CURRENT',
    version: NOVA_MICROVERSIONS.max,
    min_version: NOVA_MICROVERSIONS.min,
    updated: '2013-07-23T11:33:21Z',
    links: withMedia
      ? [
          { href: `${publicUrl()}/v2.1/`, rel: 'self' },
          { href: 'http://docs.openstack.org/', rel: 'describedby', type: 'text/html' },
        ]
      : [{ href: `${publicUrl()}/v2.1/`, rel: 'self' }],
    ...(withMedia ? { 'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.compute+json;version=2.1' }] } : {}),
  });
  app.get('/', async () => ({
    versions: [
      {
        id: 'v2.0',
        status: 'SUPPORTED',
        version: '',
        min_version: '',
        updated: '2011-01-21T11:33:21Z',
        links: [{ href: `${publicUrl()}/v2/`, rel: 'self' }],
      },
      v21(false),
    ],
  }));
  app.get('/v2.1', async () => ({ version: v21(true) }));
  app.get('/v2.1/', async () => ({ version: v21(true) }));
}

/** Paths answered without a token. */
export function isNovaPublicPath(method: string, path: string): boolean {
  return (method === 'GET' || method === 'HEAD') && (path === '/' || path === '/v2.1' || path === '/v2.1/');
}
