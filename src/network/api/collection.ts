/**
 * The five routes of a Neutron collection (create, possibly bulk; list; show; update; delete), thin
 * over a resource's handlers. Status codes as upstream: 201 on create, 204 on delete.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RequestContext } from '../../identity/index.js';
import { bodyItems, resourceBody, type Json } from '../input.js';
import { projectFields } from '../query.js';
import { checkIfMatch, ifMatchOf } from './ifMatch.js';

export interface CollectionHandlers {
  /** Singular and plural names, e.g. network / networks; `path` defaults to the plural. */
  resource: string;
  collection: string;
  path?: string;
  create(ctx: RequestContext, items: Json[]): Promise<Json[]>;
  /** The whole list body, `{<collection>: [...], <collection>_links?: [...]}`. */
  list(ctx: RequestContext, query: URLSearchParams): Promise<Json>;
  show(ctx: RequestContext, id: string): Promise<Json>;
  update(ctx: RequestContext, id: string, attrs: Json): Promise<Json>;
  remove(ctx: RequestContext, id: string): Promise<void>;
}

export const contextOf = (req: FastifyRequest): RequestContext => req.context;

/** The query string as received (repeated keys kept, in order). */
export function queryOf(req: FastifyRequest): URLSearchParams {
  const at = req.url.indexOf('?');
  return new URLSearchParams(at < 0 ? '' : req.url.slice(at + 1));
}

export function registerCollection(app: FastifyInstance, h: CollectionHandlers): void {
  const base = `/v2.0/${h.path ?? h.collection}`;

  app.post(base, async (req, reply) => {
    const { items, bulk } = bodyItems(req.body, h.resource, h.collection);
    const created = await h.create(contextOf(req), items);
    reply.code(201);
    return bulk ? { [h.collection]: created } : { [h.resource]: created[0] };
  });

  app.get(base, async (req) => h.list(contextOf(req), queryOf(req)));

  app.get<{ Params: { id: string } }>(`${base}/:id`, async (req) => {
    const fields = queryOf(req)
      .getAll('fields')
      .flatMap((f) => f.split(','))
      .filter((f) => f !== '');
    return { [h.resource]: projectFields(await h.show(contextOf(req), req.params.id), fields) };
  });

  // If-Match (revision-if-match): the revision is read just before the change, not inside its transaction.
  const revisionMatches = async (req: FastifyRequest<{ Params: { id: string } }>) => {
    const header = ifMatchOf(req);
    if (header === undefined) return;
    const current = await h.show(contextOf(req), req.params.id);
    if (typeof current.revision_number === 'number') checkIfMatch(header, current.revision_number);
  };

  app.put<{ Params: { id: string } }>(`${base}/:id`, async (req) => {
    const attrs = resourceBody(req.body, h.resource);
    await revisionMatches(req);
    return { [h.resource]: await h.update(contextOf(req), req.params.id, attrs) };
  });

  app.delete<{ Params: { id: string } }>(`${base}/:id`, async (req, reply) => {
    await revisionMatches(req);
    await h.remove(contextOf(req), req.params.id);
    return reply.code(204).send();
  });
}
