import type { FastifyInstance } from 'fastify';
import { registerCollection } from '../api/collection.js';
import type { NetworkDeps } from '../deps.js';
import { paginationLinks, parseListParams, projectFields } from '../query.js';
import { parseNetworkCreate, parseNetworkUpdate } from './input.js';
import { NETWORK_LIST, type NetworkService } from './service.js';
import { networkView } from './view.js';

export function networkRoutes(app: FastifyInstance, deps: NetworkDeps, networks: NetworkService): void {
  registerCollection(app, {
    resource: 'network',
    collection: 'networks',
    async create(ctx, items) {
      const inputs = items.map(parseNetworkCreate);
      return (await networks.create(ctx, inputs)).map((n) => networkView(n, ctx));
    },
    async list(ctx, query) {
      const params = parseListParams(query, NETWORK_LIST);
      const found = await networks.list(ctx, params);
      const links = paginationLinks(`${deps.publicUrl()}/v2.0/networks`, params, found);
      return {
        networks: found.map((n) => projectFields(networkView(n, ctx), params.fields)),
        ...(links?.length ? { networks_links: links } : {}),
      };
    },
    show: async (ctx, id) => networkView(await networks.get(ctx, id), ctx),
    update: async (ctx, id, attrs) => networkView(await networks.update(ctx, id, parseNetworkUpdate(attrs)), ctx),
    remove: (ctx, id) => networks.delete(ctx, id),
  });
}
