import type { FastifyInstance } from 'fastify';
import { registerCollection } from '../api/collection.js';
import type { NetworkDeps } from '../deps.js';
import { paginationLinks, parseListParams, projectFields } from '../query.js';
import { parseSubnetCreate, parseSubnetUpdate } from './input.js';
import { subnetView } from './model.js';
import { SUBNET_LIST, type SubnetService } from './service.js';

export function subnetRoutes(app: FastifyInstance, deps: NetworkDeps, subnets: SubnetService): void {
  registerCollection(app, {
    resource: 'subnet',
    collection: 'subnets',
    create: async (ctx, items) => (await subnets.create(ctx, items.map(parseSubnetCreate))).map(subnetView),
    async list(ctx, query) {
      const params = parseListParams(query, SUBNET_LIST);
      const found = await subnets.list(ctx, params);
      const links = paginationLinks(`${deps.publicUrl()}/v2.0/subnets`, params, found);
      return { subnets: found.map((s) => projectFields(subnetView(s), params.fields)), ...(links?.length ? { subnets_links: links } : {}) };
    },
    show: async (ctx, id) => subnetView(await subnets.get(ctx, id)),
    update: async (ctx, id, attrs) => subnetView(await subnets.update(ctx, id, parseSubnetUpdate(attrs))),
    remove: (ctx, id) => subnets.delete(ctx, id),
  });
}
