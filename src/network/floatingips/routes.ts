import type { FastifyInstance } from 'fastify';
import { queryOf, registerCollection } from '../api/collection.js';
import { applyListInMemory } from '../api/memoryList.js';
import type { NetworkDeps } from '../deps.js';
import { paginationLinks, parseListParams, projectFields } from '../query.js';
import { parseFloatingIpCreate, parseFloatingIpUpdate } from './input.js';
import { floatingIpView } from './model.js';
import { floatingIpPools } from './pools.js';
import { FLOATINGIP_LIST, type FloatingIpService } from './service.js';

/** /v2.0/floatingips and /v2.0/floatingip_pools. */
export function floatingIpRoutes(app: FastifyInstance, deps: NetworkDeps, fips: FloatingIpService): void {
  registerCollection(app, {
    resource: 'floatingip',
    collection: 'floatingips',
    create: async (ctx, items) => (await fips.create(ctx, items.map(parseFloatingIpCreate))).map(floatingIpView),
    async list(ctx, query) {
      const params = parseListParams(query, FLOATINGIP_LIST);
      const found = await fips.list(ctx, params);
      const links = paginationLinks(`${deps.publicUrl()}/v2.0/floatingips`, params, found);
      return { floatingips: found.map((f) => projectFields(floatingIpView(f), params.fields)), ...(links?.length ? { floatingips_links: links } : {}) };
    },
    show: async (ctx, id) => floatingIpView(await fips.get(ctx, id)),
    update: async (ctx, id, attrs) => floatingIpView(await fips.update(ctx, id, parseFloatingIpUpdate(attrs))),
    remove: (ctx, id) => fips.delete(ctx, id),
  });

  app.get('/v2.0/floatingip_pools', async (req) => ({
    floatingip_pools: applyListInMemory(await floatingIpPools(deps.db.kysely), queryOf(req), ['subnet_id', 'subnet_name', 'network_id', 'cidr', 'project_id', 'tenant_id']),
  }));
}
