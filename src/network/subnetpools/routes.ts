import type { FastifyInstance } from 'fastify';
import { contextOf, registerCollection } from '../api/collection.js';
import type { NetworkDeps } from '../deps.js';
import { paginationLinks, parseListParams, projectFields } from '../query.js';
import { subnetpoolView } from './model.js';
import { SUBNETPOOL_LIST, type SubnetpoolService } from './service.js';

export function subnetpoolRoutes(app: FastifyInstance, deps: NetworkDeps, pools: SubnetpoolService): void {
  registerCollection(app, {
    resource: 'subnetpool',
    collection: 'subnetpools',
    create: async (ctx, items) => (await pools.create(ctx, items)).map(subnetpoolView),
    async list(ctx, query) {
      const params = parseListParams(query, SUBNETPOOL_LIST);
      const found = await pools.list(ctx, params);
      const links = paginationLinks(`${deps.publicUrl()}/v2.0/subnetpools`, params, found);
      return { subnetpools: found.map((p) => projectFields(subnetpoolView(p), params.fields)), ...(links?.length ? { subnetpools_links: links } : {}) };
    },
    show: async (ctx, id) => subnetpoolView(await pools.get(ctx, id)),
    update: async (ctx, id, attrs) => subnetpoolView(await pools.update(ctx, id, attrs)),
    remove: (ctx, id) => pools.delete(ctx, id),
  });
  app.put<{ Params: { id: string } }>('/v2.0/subnetpools/:id/add_prefixes', async (req) => ({
    prefixes: await pools.changePrefixes(contextOf(req), req.params.id, req.body, 'add'),
  }));
  app.put<{ Params: { id: string } }>('/v2.0/subnetpools/:id/remove_prefixes', async (req) => ({
    prefixes: await pools.changePrefixes(contextOf(req), req.params.id, req.body, 'remove'),
  }));
}
