import type { FastifyInstance } from 'fastify';
import { contextOf } from '../api/collection.js';
import type { NetworkQuotaService } from './service.js';

/** The quotas API (`quotas` and `quota_details` extensions): thin over NetworkQuotaService. */
export function quotaRoutes(app: FastifyInstance, quotas: NetworkQuotaService): void {
  app.get('/v2.0/quotas', async (req) => ({ quotas: await quotas.list(contextOf(req)) }));
  app.get<{ Params: { project_id: string } }>('/v2.0/quotas/:project_id/details.json', async (req) => ({
    quota: await quotas.details(contextOf(req), req.params.project_id),
  }));
  app.get<{ Params: { project_id: string } }>('/v2.0/quotas/:project_id/default', async (req) => ({ quota: quotas.defaults(contextOf(req), req.params.project_id) }));
  app.get<{ Params: { project_id: string } }>('/v2.0/quotas/:project_id', async (req) => ({ quota: await quotas.show(contextOf(req), req.params.project_id) }));
  app.put<{ Params: { project_id: string } }>('/v2.0/quotas/:project_id', async (req) => ({ quota: await quotas.update(contextOf(req), req.params.project_id, req.body) }));
  app.delete<{ Params: { project_id: string } }>('/v2.0/quotas/:project_id', async (req, reply) => {
    await quotas.reset(contextOf(req), req.params.project_id);
    return reply.code(204).send();
  });
}
