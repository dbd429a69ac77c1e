import type { FastifyInstance } from 'fastify';
import { contextOf, registerCollection } from '../api/collection.js';
import type { NetworkDeps } from '../deps.js';
import { paginationLinks, parseListParams, projectFields } from '../query.js';
import { parseExtraRoutesBody, parseInterfaceRequest, parseRouterCreate, parseRouterUpdate } from './input.js';
import { interfaceInfoView, routerView } from './model.js';
import { ROUTER_LIST, type RouterService } from './service.js';

/** /v2.0/routers and its member actions (interfaces, extraroute-atomic). */
export function routerRoutes(app: FastifyInstance, deps: NetworkDeps, routers: RouterService): void {
  registerCollection(app, {
    resource: 'router',
    collection: 'routers',
    create: async (ctx, items) => (await routers.create(ctx, items.map(parseRouterCreate))).map((r) => routerView(r, ctx)),
    async list(ctx, query) {
      const params = parseListParams(query, ROUTER_LIST);
      const found = await routers.list(ctx, params);
      const links = paginationLinks(`${deps.publicUrl()}/v2.0/routers`, params, found);
      return { routers: found.map((r) => projectFields(routerView(r, ctx), params.fields)), ...(links?.length ? { routers_links: links } : {}) };
    },
    show: async (ctx, id) => routerView(await routers.get(ctx, id), ctx),
    update: async (ctx, id, attrs) => routerView(await routers.update(ctx, id, parseRouterUpdate(attrs)), ctx),
    remove: (ctx, id) => routers.delete(ctx, id),
  });

  type P = { Params: { id: string } };
  app.put<P>('/v2.0/routers/:id/add_router_interface', async (req) =>
    interfaceInfoView(await routers.addInterface(contextOf(req), req.params.id, parseInterfaceRequest(req.body, false))),
  );
  app.put<P>('/v2.0/routers/:id/remove_router_interface', async (req) =>
    interfaceInfoView(await routers.removeInterface(contextOf(req), req.params.id, parseInterfaceRequest(req.body, true))),
  );
  app.put<P>('/v2.0/routers/:id/add_extraroutes', async (req) => {
    const ctx = contextOf(req);
    return { router: routerView(await routers.addExtraRoutes(ctx, req.params.id, parseExtraRoutesBody(req.body)), ctx) };
  });
  app.put<P>('/v2.0/routers/:id/remove_extraroutes', async (req) => {
    const ctx = contextOf(req);
    return { router: routerView(await routers.removeExtraRoutes(ctx, req.params.id, parseExtraRoutesBody(req.body)), ctx) };
  });
}
