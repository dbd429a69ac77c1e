import type { FastifyInstance } from 'fastify';
import type { AdminServices } from './deps.js';

const UPDATED = '2015-09-09T00:00:00Z';

export function versionRoutes(app: FastifyInstance, services: AdminServices): void {
  app.get('/', async () => ({ versions: [{ id: 'v1.0', status: 'CURRENT', updated: UPDATED, links: [{ rel: 'self', href: `${services.publicUrl}/v1.0/` }] }] }));
  app.get('/v1.0', async () => {
    const v1 = `${services.publicUrl}/v1.0/`;
    return {
      version: {
        id: 'v1.0',
        status: 'CURRENT',
        updated: UPDATED,
        links: [
          { rel: 'self', href: v1 },
          { rel: 'pods', href: `${v1}pods` },
          { rel: 'bindings', href: `${v1}bindings` },
          { rel: 'routings', href: `${v1}routings` },
          { rel: 'jobs', href: `${v1}jobs` },
        ],
      },
    };
  });
}

export const isPublicAdminPath = (_method: string, path: string): boolean => path === '/' || path === '/v1.0' || path === '/v1.0/';
