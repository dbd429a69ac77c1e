import type { FastifyInstance } from 'fastify';
import { registerCollection } from '../api/collection.js';
import type { NetworkDeps } from '../deps.js';
import { paginationLinks, parseListParams, projectFields } from '../query.js';
import { RBAC_LIST, rbacView, type RbacService } from './service.js';

export function rbacRoutes(app: FastifyInstance, deps: NetworkDeps, rbac: RbacService): void {
  registerCollection(app, {
    resource: 'rbac_policy',
    collection: 'rbac_policies',
    path: 'rbac-policies',
    create: async (ctx, items) => (await rbac.create(ctx, items)).map(rbacView),
    async list(ctx, query) {
      const params = parseListParams(query, RBAC_LIST);
      const rows = await rbac.list(ctx, params);
      const links = paginationLinks(`${deps.publicUrl()}/v2.0/rbac-policies`, params, rows);
      return { rbac_policies: rows.map((r) => projectFields(rbacView(r), params.fields)), ...(links?.length ? { rbac_policies_links: links } : {}) };
    },
    show: async (ctx, id) => rbacView(await rbac.get(ctx, id)),
    update: async (ctx, id, attrs) => rbacView(await rbac.update(ctx, id, attrs)),
    remove: (ctx, id) => rbac.delete(ctx, id),
  });
}
