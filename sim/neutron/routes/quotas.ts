// Quota routes: GET /v2.0/quotas, GET/PUT/DELETE /v2.0/quotas/{project_id}, its /default and /details.json.
import type { FastifyInstance } from 'fastify';
import type { Ctx } from '../context.js';
import { policyNotAuthorized } from '../errors.js';
import { ctxOf, type RouteDeps } from './common.js';

export function registerQuotaRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const quotas = deps.neutron.quotas;
  const readable = (ctx: Ctx, projectId: string): void => {
    if (!ctx.isAdmin && ctx.projectId !== projectId) throw policyNotAuthorized(['get_quota']);
  };
  const admin = (ctx: Ctx, rule: string): void => {
    if (!ctx.isAdmin) throw policyNotAuthorized([rule]);
  };
  const projectOf = (params: unknown): string => (params as { project_id: string }).project_id;

  app.get('/v2.0/quotas', async (req) => {
    const ctx = ctxOf(req);
    const projects = ctx.isAdmin ? quotas.projects() : quotas.projects().filter((p) => p === ctx.projectId);
    return { quotas: projects.map((p) => ({ ...quotas.get(p), project_id: p, tenant_id: p })) };
  });
  app.get('/v2.0/quotas/:project_id', async (req) => {
    const projectId = projectOf(req.params);
    readable(ctxOf(req), projectId);
    return { quota: quotas.get(projectId) };
  });
  app.get('/v2.0/quotas/:project_id/default', async (req) => {
    const projectId = projectOf(req.params);
    readable(ctxOf(req), projectId);
    return { quota: quotas.defaults() };
  });
  app.get('/v2.0/quotas/:project_id/details.json', async (req) => {
    const projectId = projectOf(req.params);
    readable(ctxOf(req), projectId);
    return { quota: quotas.details(projectId) };
  });
  app.put('/v2.0/quotas/:project_id', async (req) => {
    admin(ctxOf(req), 'update_quota');
    return { quota: quotas.update(projectOf(req.params), req.body) };
  });
  app.delete('/v2.0/quotas/:project_id', async (req, reply) => {
    admin(ctxOf(req), 'delete_quota');
    quotas.reset(projectOf(req.params));
    return reply.code(204).send();
  });
}
