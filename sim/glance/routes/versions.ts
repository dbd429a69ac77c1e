import type { FastifyInstance } from 'fastify';

const VERSIONS = ['2.16', '2.15', '2.14', '2.13', '2.12', '2.11', '2.10', '2.9', '2.8', '2.7', '2.6', '2.5', '2.4', '2.3', '2.2', '2.1', '2.0'];

/** Version discovery of Glance (Zed): `/` answers 300, `/versions` 200, same body. */
export function versionRoutes(app: FastifyInstance, base: () => string): void {
  const body = () => ({
    versions: VERSIONS.map((v, i) => ({
      id: `v${v}`,
      status: i === 0 ? 'CURRENT' : 'SUPPORTED',
      links: [{ rel: 'self', href: `${base()}/v2/` }],
    })),
  });
  app.get('/', async (_req, reply) => reply.code(300).send(body()));
  app.get('/versions', async () => body());
}
