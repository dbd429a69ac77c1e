import type { FastifyInstance } from 'fastify';
import { registerCollection } from '../api/collection.js';
import type { NetworkDeps } from '../deps.js';
import { paginationLinks, parseListParams, projectFields } from '../query.js';
import { parsePortCreate, parsePortUpdate } from './input.js';
import { portView } from './model.js';
import { PORT_LIST, type PortService } from './service.js';

export function portRoutes(app: FastifyInstance, deps: NetworkDeps, ports: PortService): void {
  registerCollection(app, {
    resource: 'port',
    collection: 'ports',
    create: async (ctx, items) => (await ports.create(ctx, items.map(parsePortCreate))).map((p) => portView(p, ctx)),
    async list(ctx, query) {
      const params = parseListParams(query, PORT_LIST);
      const found = await ports.list(ctx, params);
      const links = paginationLinks(`${deps.publicUrl()}/v2.0/ports`, params, found);
      return { ports: found.map((p) => projectFields(portView(p, ctx), params.fields)), ...(links?.length ? { ports_links: links } : {}) };
    },
    show: async (ctx, id) => portView(await ports.get(ctx, id), ctx),
    update: async (ctx, id, attrs) => portView(await ports.update(ctx, id, parsePortUpdate(attrs)), ctx),
    remove: (ctx, id) => ports.delete(ctx, id),
  });
}
