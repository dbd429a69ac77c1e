// Routes: os-keypairs.
import { nextLink, rawQueryOf } from '../apiutil.js';
import type { NovaServices } from '../services.js';
import { params, query, type NovaRouter } from '../router.js';

export function keypairRoutes(r: NovaRouter, s: NovaServices): void {
  const { keypairs, views, links } = s;

  r.get('/os-keypairs', (ctx, req) => {
    const { keypairs: page, full } = keypairs.list(ctx, query(req));
    const body: Record<string, unknown> = { keypairs: page.map((k) => ({ keypair: views.keypairBrief(ctx, k) })) };
    if (full) {
      body.keypairs_links = [{ href: nextLink(links.versioned(ctx, 'os-keypairs'), rawQueryOf(req.url), page[page.length - 1].name), rel: 'next' }];
    }
    return body;
  });

  r.post('/os-keypairs', async (ctx, req, reply) => {
    const { keypair, privateKey } = await keypairs.create(ctx, req.body);
    const body: Record<string, unknown> = { ...views.keypairBrief(ctx, keypair), user_id: keypair.userId };
    if (privateKey !== undefined) body.private_key = privateKey;
    return reply.code(ctx.version.ge('2.2') ? 201 : 200).send({ keypair: body });
  });

  r.get('/os-keypairs/:keypair_name', (ctx, req) => ({
    keypair: views.keypairFull(ctx, keypairs.get(ctx, params(req).keypair_name, query(req))),
  }));

  r.delete('/os-keypairs/:keypair_name', (ctx, req, reply) => {
    keypairs.delete(ctx, params(req).keypair_name, query(req));
    return reply.code(ctx.version.ge('2.2') ? 204 : 202).send();
  });
}
