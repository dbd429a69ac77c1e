// Routes: /servers collection, one server, and /servers/{id}/action.
import { nextLink, rawQueryOf } from '../apiutil.js';
import type { NovaServices } from '../services.js';
import { LookupCache } from '../views.js';
import { params, query, type NovaRouter } from '../router.js';

export function serverRoutes(r: NovaRouter, s: NovaServices): void {
  const { servers, views, links, actions } = s;

  const list = (detail: boolean) =>
    r.get(detail ? '/servers/detail' : '/servers', (ctx, req) => {
      const { servers: page, full } = servers.list(ctx, query(req));
      const cache = new LookupCache();
      const body: Record<string, unknown> = {
        servers: page.map((srv) => (detail ? views.server(ctx, srv, { cache }) : views.serverBrief(ctx, srv))),
      };
      if (full) {
        const href = nextLink(links.versioned(ctx, detail ? 'servers/detail' : 'servers'), rawQueryOf(req.url), page[page.length - 1].id);
        body.servers_links = [{ href, rel: 'next' }];
      }
      return body;
    });
  list(false);
  list(true);

  r.post('/servers', (ctx, req, reply) => {
    const result = servers.create(ctx, req.body);
    if (result.returnReservationId) return reply.code(202).send({ reservation_id: result.reservationId });
    const first = result.servers[0];
    reply.header('location', links.versioned(ctx, `servers/${first.id}`));
    const body: Record<string, unknown> = {
      id: first.id,
      links: links.pair(ctx, 'servers', first.id),
      'OS-DCF:diskConfig': first.diskConfig,
      adminPass: first.adminPass,
    };
    if (first.securityGroups.length > 0) body.security_groups = first.securityGroups.map((name) => ({ name }));
    return reply.code(202).send({ server: body });
  });

  r.get('/servers/:server_id', (ctx, req) => ({
    server: views.server(ctx, servers.get(ctx, params(req).server_id), { show: true }),
  }));

  r.put('/servers/:server_id', (ctx, req) => ({
    server: views.server(ctx, servers.update(ctx, params(req).server_id, req.body), { show: true, plain: !ctx.version.ge('2.75') }),
  }));

  r.delete('/servers/:server_id', (ctx, req, reply) => {
    servers.delete(ctx, params(req).server_id);
    return reply.code(204).send();
  });

  r.post('/servers/:server_id/action', (ctx, req, reply) => {
    const result = actions.perform(ctx, params(req).server_id, req.body);
    for (const [k, v] of Object.entries(result.headers ?? {})) reply.header(k, v);
    reply.code(result.status);
    return result.body === undefined ? reply.send() : reply.send(result.body);
  });
}
