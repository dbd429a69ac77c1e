/**
 * The routes of a described resource: POST (bulk too) 201, GET list and show, PUT (unless the
 * resource has none), DELETE 204. Nested resources take their parent's id from the URL.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ifMatchOf } from '../api/ifMatch.js';
import { contextOf, queryOf } from '../api/collection.js';
import { bodyItems, resourceBody } from '../input.js';
import { projectFields } from '../query.js';
import type { SimpleResourceService } from './service.js';

type Req = FastifyRequest<{ Params: { id?: string; child?: string } }>;

const fieldsOf = (req: FastifyRequest) =>
  queryOf(req)
    .getAll('fields')
    .flatMap((f) => f.split(','))
    .filter((f) => f !== '');

export function simpleResourceRoutes(app: FastifyInstance, service: SimpleResourceService, publicUrl: () => string): void {
  const spec = service.spec;
  const nested = spec.parent !== undefined;
  // Top-level: /v2.0/<path>/:id; nested: /v2.0/<parent>/:id/<sub>/:child.
  const base = `/v2.0/${spec.path}`;
  const item = nested ? `${base}/:child` : `${base}/:id`;
  const parentOf = (req: Req) => (nested ? req.params.id : undefined);
  const itemOf = (req: Req) => (nested ? req.params.child : req.params.id) ?? '';
  const url = (req: Req) => `${publicUrl()}${base.replace(':id', req.params.id ?? '')}`;

  app.post(base, async (req: Req, reply) => {
    const { items, bulk } = bodyItems(req.body, spec.resource, spec.collection);
    const created = await service.create(contextOf(req), items, parentOf(req));
    reply.code(201);
    return bulk ? { [spec.collection]: created } : { [spec.resource]: created[0] };
  });
  app.get(base, async (req: Req) => service.listBody(contextOf(req), queryOf(req), url(req), parentOf(req)));
  app.get(item, async (req: Req) => ({ [spec.resource]: projectFields(await service.show(contextOf(req), itemOf(req), parentOf(req)), fieldsOf(req)) }));
  if (!spec.noUpdate) {
    app.put(item, async (req: Req) => ({
      [spec.resource]: await service.update(contextOf(req), itemOf(req), resourceBody(req.body, spec.resource), parentOf(req), ifMatchOf(req)),
    }));
  }
  app.delete(item, async (req: Req, reply) => {
    await service.remove(contextOf(req), itemOf(req), parentOf(req));
    return reply.code(204).send();
  });
}
