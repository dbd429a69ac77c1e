import type { FastifyInstance } from 'fastify';
import { contextOf, queryOf } from '../api/collection.js';
import type { AutoAllocateService } from './service.js';

/** `/v2.0/auto-allocated-topology/{project_id}` (auto-allocated-topology extension): thin over AutoAllocateService. */
export function autoAllocateRoutes(app: FastifyInstance, service: AutoAllocateService): void {
  type P = { Params: { project_id: string } };
  app.get<P>('/v2.0/auto-allocated-topology/:project_id', async (req) => {
    const fields = queryOf(req)
      .getAll('fields')
      .flatMap((f) => f.split(','))
      .filter((f) => f !== '');
    return { auto_allocated_topology: await service.get(contextOf(req), req.params.project_id, fields) };
  });
  app.delete<P>('/v2.0/auto-allocated-topology/:project_id', async (req, reply) => {
    await service.delete(contextOf(req), req.params.project_id);
    return reply.code(204).send();
  });
}
