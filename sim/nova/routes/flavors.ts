// Routes: flavors, flavor extra specs and flavor access.
import { nextLink, rawQueryOf } from '../apiutil.js';
import type { NovaServices } from '../services.js';
import { params, query, type NovaRouter } from '../router.js';

export function flavorRoutes(r: NovaRouter, s: NovaServices): void {
  const { flavors, views, links } = s;

  const list = (detail: boolean) =>
    r.get(detail ? '/flavors/detail' : '/flavors', (ctx, req) => {
      const { flavors: page, full } = flavors.list(ctx, query(req));
      const body: Record<string, unknown> = { flavors: page.map((f) => views.flavor(ctx, f, detail)) };
      if (full) {
        const href = nextLink(links.versioned(ctx, detail ? 'flavors/detail' : 'flavors'), rawQueryOf(req.url), page[page.length - 1].id);
        body.flavors_links = [{ href, rel: 'next' }];
      }
      return body;
    });
  list(false);
  list(true);

  r.get('/flavors/:flavor_id', (ctx, req) => ({ flavor: views.flavor(ctx, flavors.get(ctx, params(req).flavor_id), true) }));
  r.post('/flavors', (ctx, req) => ({ flavor: views.flavor(ctx, flavors.create(ctx, req.body), true) }));
  r.put('/flavors/:flavor_id', (ctx, req) => ({ flavor: views.flavor(ctx, flavors.update(ctx, params(req).flavor_id, req.body), true) }), {
    minVersion: '2.55',
  });
  r.delete('/flavors/:flavor_id', (ctx, req, reply) => {
    flavors.delete(ctx, params(req).flavor_id);
    return reply.code(202).send();
  });

  r.get('/flavors/:flavor_id/os-extra_specs', (ctx, req) => ({ extra_specs: flavors.extraSpecs(ctx, params(req).flavor_id) }));
  r.post('/flavors/:flavor_id/os-extra_specs', (ctx, req) => ({
    extra_specs: flavors.setExtraSpecs(ctx, params(req).flavor_id, req.body),
  }));
  r.get('/flavors/:flavor_id/os-extra_specs/:key', (ctx, req) => flavors.extraSpec(ctx, params(req).flavor_id, params(req).key));
  r.put('/flavors/:flavor_id/os-extra_specs/:key', (ctx, req) => flavors.setExtraSpec(ctx, params(req).flavor_id, params(req).key, req.body));
  r.delete('/flavors/:flavor_id/os-extra_specs/:key', (ctx, req, reply) => {
    flavors.deleteExtraSpec(ctx, params(req).flavor_id, params(req).key);
    // Nova answers this delete with 200 and no body.
    return reply.code(200).send();
  });

  r.get('/flavors/:flavor_id/os-flavor-access', (ctx, req) => ({ flavor_access: flavors.access(ctx, params(req).flavor_id) }));
  r.post('/flavors/:flavor_id/action', (ctx, req) => ({ flavor_access: flavors.accessAction(ctx, params(req).flavor_id, req.body) }));
}
