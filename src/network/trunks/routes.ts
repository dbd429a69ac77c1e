import type { FastifyInstance } from 'fastify';
import { contextOf, registerCollection } from '../api/collection.js';
import type { NetworkDeps } from '../deps.js';
import { paginationLinks, parseListParams, projectFields } from '../query.js';
import { TRUNK_LIST, type TrunkService } from './service.js';

export function trunkRoutes(app: FastifyInstance, deps: NetworkDeps, trunks: TrunkService): void {
  registerCollection(app, {
    resource: 'trunk',
    collection: 'trunks',
    create: (ctx, items) => trunks.create(ctx, items),
    async list(ctx, query) {
      const params = parseListParams(query, TRUNK_LIST);
      const rows = await trunks.list(ctx, params);
      const links = paginationLinks(`${deps.publicUrl()}/v2.0/trunks`, params, rows);
      return { trunks: (await trunks.views(rows)).map((v) => projectFields(v, params.fields)), ...(links?.length ? { trunks_links: links } : {}) };
    },
    show: (ctx, id) => trunks.show(ctx, id),
    update: (ctx, id, attrs) => trunks.update(ctx, id, attrs),
    remove: (ctx, id) => trunks.delete(ctx, id),
  });
  // As upstream, the subport actions answer the trunk itself, not wrapped in {"trunk": ...}.
  app.put<{ Params: { id: string } }>('/v2.0/trunks/:id/add_subports', async (req) => trunks.changeSubports(contextOf(req), req.params.id, req.body, 'add'));
  app.put<{ Params: { id: string } }>('/v2.0/trunks/:id/remove_subports', async (req) => trunks.changeSubports(contextOf(req), req.params.id, req.body, 'remove'));
  app.get<{ Params: { id: string } }>('/v2.0/trunks/:id/get_subports', async (req) => ({ sub_ports: await trunks.subports(contextOf(req), req.params.id) }));
}
