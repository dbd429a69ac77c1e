// Routes: volumes, volume metadata, volume actions and the volume summary.
import { nextLink, rawQueryOf } from '../../nova/apiutil.js';
import type { CinderServices } from '../services.js';
import { params, query, type CinderRouter } from '../router.js';

export function volumeRoutes(r: CinderRouter, s: CinderServices): void {
  const { volumes, views, links, actions } = s;

  const list = (detail: boolean) =>
    r.get(detail ? '/volumes/detail' : '/volumes', (ctx, req) => {
      const q = query(req);
      const { volumes: page, full, count } = volumes.list(ctx, q);
      const body: Record<string, unknown> = { volumes: page.map((v) => (detail ? views.volume(ctx, v) : views.volumeBrief(ctx, v))) };
      if (full) {
        const href = nextLink(links.versioned(ctx, detail ? 'volumes/detail' : 'volumes'), rawQueryOf(req.url), page[page.length - 1].id);
        body.volumes_links = [{ href, rel: 'next' }];
      }
      if (ctx.version.ge('3.45') && q.with_count !== undefined && String(q.with_count).toLowerCase() !== 'false') body.count = count;
      return body;
    });
  list(false);
  list(true);

  r.get(
    '/volumes/summary',
    (ctx, req) => {
      const { volumes: all } = volumes.list(ctx, { ...query(req), limit: undefined, marker: undefined });
      const summary: Record<string, unknown> = { total_size: all.reduce((n, v) => n + v.size, 0), total_count: all.length };
      if (ctx.version.ge('3.36')) {
        const meta: Record<string, string[]> = {};
        for (const v of all) for (const [k, x] of Object.entries(v.metadata)) if (!(meta[k] ??= []).includes(x)) meta[k].push(x);
        summary.metadata = meta;
      }
      return { 'volume-summary': summary };
    },
    { minVersion: '3.12' },
  );

  r.post('/volumes', (ctx, req, reply) => reply.code(202).send({ volume: views.volume(ctx, volumes.create(ctx, req.body), false) }));
  r.get('/volumes/:volume_id', (ctx, req) => ({ volume: views.volume(ctx, volumes.get(ctx, params(req).volume_id)) }));
  // Cinder's update answer is the plain detail view: the os-vol-* and volume_image_metadata extensions decorate show and list only.
  r.put('/volumes/:volume_id', (ctx, req) => ({ volume: views.volume(ctx, volumes.update(ctx, params(req).volume_id, req.body), false) }));
  r.delete('/volumes/:volume_id', (ctx, req, reply) => {
    const q = query(req);
    const force = q.force !== undefined && String(q.force).toLowerCase() !== 'false';
    if (force && !ctx.caller.isAdmin) {
      return reply.code(403).send({ forbidden: { message: "Policy doesn't allow volume:force_delete to be performed.", code: 403 } });
    }
    const cascade = q.cascade !== undefined && String(q.cascade).toLowerCase() !== 'false';
    volumes.delete(ctx, params(req).volume_id, force, cascade);
    return reply.code(202).send();
  });

  r.get('/volumes/:volume_id/metadata', (ctx, req) => ({ metadata: { ...volumes.get(ctx, params(req).volume_id).metadata } }));
  r.post('/volumes/:volume_id/metadata', (ctx, req) => ({ metadata: volumes.setMetadata(ctx, params(req).volume_id, req.body, false) }));
  r.put('/volumes/:volume_id/metadata', (ctx, req) => ({ metadata: volumes.setMetadata(ctx, params(req).volume_id, req.body, true) }));
  r.get('/volumes/:volume_id/metadata/:key', (ctx, req) => ({ meta: volumes.metadataItem(ctx, params(req).volume_id, params(req).key) }));
  r.put('/volumes/:volume_id/metadata/:key', (ctx, req) => ({
    meta: volumes.setMetadataItem(ctx, params(req).volume_id, params(req).key, req.body),
  }));
  r.delete('/volumes/:volume_id/metadata/:key', (ctx, req, reply) => {
    volumes.deleteMetadataItem(ctx, params(req).volume_id, params(req).key);
    return reply.code(200).send();
  });

  r.post('/volumes/:volume_id/action', (ctx, req, reply) => {
    const result = actions.perform(ctx, params(req).volume_id, req.body);
    reply.code(result.status);
    return result.body === undefined ? reply.send() : reply.send(result.body);
  });
}
