import type { FastifyInstance, FastifyRequest } from 'fastify';
import { SimServiceError } from '../../types.js';
import type { ImageStore } from '../images.js';
import { viewerOf } from './images.js';

type Params = { id: string };

/** /v2/images/{id}/file: upload (PUT, octet-stream) and download. */
export function dataRoutes(app: FastifyInstance, store: ImageStore): void {
  const octetStreamOnly = async (req: FastifyRequest) => {
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (type !== 'application/octet-stream') throw new SimServiceError(415, `Content-Type must be application/octet-stream`);
  };
  app.put<{ Params: Params }>('/v2/images/:id/file', { onRequest: octetStreamOnly }, async (req, reply) => {
    const viewer = viewerOf(req);
    const image = store.getOwned(req.params.id, viewer, 'upload_image');
    if (!Buffer.isBuffer(req.body)) throw new SimServiceError(415, `Content-Type must be application/octet-stream`);
    store.upload(image, req.body);
    return reply.code(204).send();
  });

  app.get<{ Params: Params }>('/v2/images/:id/file', async (req, reply) => {
    const viewer = viewerOf(req);
    const image = store.get(req.params.id, viewer);
    const bytes = store.download(image, viewer);
    if (!bytes) return reply.code(204).send();
    return reply
      .header('content-type', 'application/octet-stream')
      .header('content-md5', image.checksum ?? '')
      .header('content-length', bytes.length)
      .send(bytes);
  });
}
