// Unauthenticated version discovery: GET / (300 Multiple Choices) and GET /v3/.
import type { FastifyInstance } from 'fastify';
import { CINDER_MICROVERSIONS } from '../router.js';

export function versionRoutes(app: FastifyInstance, publicUrl: () => string): void {
  const v3 = () => ({
    id: 'v3.0',
    links: [
      { href: 'https://docs.openstack.org/', rel: 'describedby', type: 'text/html' },
      { href: `${publicUrl()}/v3/`, rel: 'self' },
    ],
    'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.volume+json;version=3' }],
    min_version: CINDER_MICROVERSIONS.min,
    status: 'CURRENT',
    updated: '2022-08-31T00:00:00Z',
    version: CINDER_MICROVERSIONS.max,
  });
  app.get('/', async (_req, reply) => reply.code(300).send({ versions: [v3()] }));
  app.get('/v3', async () => ({ versions: [v3()] }));
  app.get('/v3/', async () => ({ versions: [v3()] }));
}

export function isCinderPublicPath(method: string, path: string): boolean {
  return (method === 'GET' || method === 'HEAD') && (path === '/' || path === '/v3' || path === '/v3/');
}
