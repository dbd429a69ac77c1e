import type { FastifyInstance } from 'fastify';

/** Version discovery: `/` answers 300 Multiple Choices, `/v3` describes Identity v3.14 (Zed). */
export function versionRoutes(app: FastifyInstance, base: () => string): void {
  const v3 = () => ({
    id: 'v3.14',
    status: 'stable',
    updated: '2020-04-07T00:00:00Z',
    links: [{ rel: 'self', href: `${base()}/v3/` }],
    'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.identity-v3+json' }],
  });
  app.get('/', async (_req, reply) =>
    reply
      .code(300)
      .header('location', `${base()}/v3/`)
      .send({ versions: { values: [v3()] } }),
  );
  app.get('/v3', async () => ({ version: v3() }));
  app.get('/v3/', async () => ({ version: v3() }));
}
