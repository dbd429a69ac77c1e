import type { FastifyInstance } from 'fastify';
import { contextOf, queryOf } from '../api/collection.js';
import type { NetworkDeps } from '../deps.js';
import { resourceBody } from '../input.js';
import { projectFields } from '../query.js';
import type { PortForwardingService } from './service.js';

export function portForwardingRoutes(app: FastifyInstance, deps: NetworkDeps, pfs: PortForwardingService): void {
  type P = { Params: { fip: string; id: string } };
  const base = '/v2.0/floatingips/:fip/port_forwardings';
  const fields = (q: URLSearchParams) =>
    q
      .getAll('fields')
      .flatMap((f) => f.split(','))
      .filter((f) => f !== '');
  app.post<P>(base, async (req, reply) => {
    const pf = await pfs.create(contextOf(req), req.params.fip, resourceBody(req.body, 'port_forwarding'));
    reply.code(201);
    return { port_forwarding: pf };
  });
  app.get<P>(base, async (req) => pfs.list(contextOf(req), req.params.fip, queryOf(req), `${deps.publicUrl()}/v2.0/floatingips/${req.params.fip}/port_forwardings`));
  app.get<P>(`${base}/:id`, async (req) => ({ port_forwarding: projectFields(await pfs.show(contextOf(req), req.params.fip, req.params.id), fields(queryOf(req))) }));
  app.put<P>(`${base}/:id`, async (req) => ({
    port_forwarding: await pfs.update(contextOf(req), req.params.fip, req.params.id, resourceBody(req.body, 'port_forwarding')),
  }));
  app.delete<P>(`${base}/:id`, async (req, reply) => {
    await pfs.delete(contextOf(req), req.params.fip, req.params.id);
    return reply.code(204).send();
  });
}
