import type { FastifyInstance } from 'fastify';
import { imageSchema, imagesSchema, memberSchema, membersSchema } from '../schemas.js';

export function schemaRoutes(app: FastifyInstance): void {
  app.get('/v2/schemas/image', async () => imageSchema());
  app.get('/v2/schemas/images', async () => imagesSchema());
  app.get('/v2/schemas/member', async () => memberSchema());
  app.get('/v2/schemas/members', async () => membersSchema());
}
