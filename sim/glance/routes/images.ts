import type { FastifyInstance, FastifyRequest } from 'fastify';
import { callerOf } from '../../common/http.js';
import { SimServiceError } from '../../types.js';
import { setAttribute } from '../attributes.js';
import type { ImageStore, ImageViewer } from '../images.js';
import { listImages, type Query } from '../list.js';
import { applyPatch, PATCH_MEDIA_TYPES } from '../patch.js';
import { imageView } from '../views.js';

type Params = { id: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function viewerOf(req: FastifyRequest): ImageViewer {
  const caller = callerOf(req);
  return { projectId: caller.projectId, isAdmin: caller.isAdmin };
}

/** Query parameters again, without `marker` (for `first` and `next` links). */
function queryWithout(q: Query, drop: string): URLSearchParams {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) {
    if (k === drop || v === undefined) continue;
    for (const item of Array.isArray(v) ? v : [v]) params.append(k, item);
  }
  return params;
}

/** /v2/images: list, create, show, update (JSON patch), delete, deactivate/reactivate. */
export function imageRoutes(app: FastifyInstance, store: ImageStore, base: () => string): void {
  app.get('/v2/images', async (req) => {
    const q = (req.query ?? {}) as Query;
    const { images, nextMarker } = listImages(store, viewerOf(req), q);
    const params = queryWithout(q, 'marker');
    const query = params.toString();
    const body: Record<string, unknown> = {
      images: images.map(imageView),
      first: query ? `/v2/images?${query}` : '/v2/images',
      schema: '/v2/schemas/images',
    };
    if (nextMarker !== undefined) {
      params.append('marker', nextMarker);
      body.next = `/v2/images?${params.toString()}`;
    }
    return body;
  });

  app.post('/v2/images', async (req, reply) => {
    const viewer = viewerOf(req);
    const body = req.body;
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw new SimServiceError(400, 'Body expected in request.');
    }
    const fields = body as Record<string, unknown>;
    const id = fields.id;
    if (id !== undefined && (typeof id !== 'string' || !UUID.test(id))) {
      throw new SimServiceError(400, `Provided object does not match schema 'image': ${JSON.stringify(id)} is not a valid id`);
    }
    const image = store.create(viewer.projectId, id as string | undefined, (draft) => {
      for (const [key, value] of Object.entries(fields)) setAttribute(draft, key, value, viewer, true);
    });
    return reply
      .code(201)
      .header('location', `${base()}/v2/images/${image.id}`)
      .header('openstack-image-import-methods', 'glance-direct,web-download,copy-image')
      .send(imageView(image));
  });

  app.get<{ Params: Params }>('/v2/images/:id', async (req) => imageView(store.get(req.params.id, viewerOf(req))));

  app.patch<{ Params: Params }>('/v2/images/:id', async (req) => {
    const contentType = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (!PATCH_MEDIA_TYPES.includes(contentType)) throw new SimServiceError(415, `Unsupported Content-Type`);
    const viewer = viewerOf(req);
    const image = store.getOwned(req.params.id, viewer, 'modify_image');
    applyPatch(image, req.body, viewer);
    return imageView(image);
  });

  app.delete<{ Params: Params }>('/v2/images/:id', async (req, reply) => {
    store.delete(req.params.id, viewerOf(req));
    return reply.code(204).send();
  });

  for (const action of ['deactivate', 'reactivate'] as const) {
    app.post<{ Params: Params }>(`/v2/images/:id/actions/${action}`, async (req, reply) => {
      // Glance's default policy since Xena: the admin or a member of the owning project (tempest deactivates its own images).
      const image = store.getOwned(req.params.id, viewerOf(req), action);
      store.setActive(image, action === 'reactivate');
      return reply.code(204).send();
    });
  }
}
