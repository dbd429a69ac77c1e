// Shared HTTP plumbing of the Neutron routes: caller context, query parsing, and the standard
// collection/member routes (list, bulk or single create, show, update, delete) of one resource.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { callerOf } from '../../common/http.js';
import { bulkBody, resourceBody, type Body } from '../attributes.js';
import type { Ctx } from '../context.js';
import type { Neutron } from '../core.js';
import { listResponse, project, requestedFields, type CollectionSpec, type View } from '../query.js';
import type { QuotaResource } from '../quotas.js';

export interface RouteDeps {
  neutron: Neutron;
  publicUrl: () => string;
}

export function ctxOf(req: FastifyRequest): Ctx {
  const caller = callerOf(req);
  return { projectId: caller.projectId, isAdmin: caller.isAdmin };
}

/** The query string in request order (repeated keys kept), as webob's request.GET sees it. */
export function queryOf(req: FastifyRequest): URLSearchParams {
  const url = req.raw.url ?? '';
  const q = url.indexOf('?');
  return new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
}

export interface ResourceDef<R extends { id: string; project_id: string }> {
  spec: CollectionSpec;
  /** Singular name used in bodies, e.g. "network", "security_group". */
  member: string;
  /** Every record the caller may see. */
  visible: (ctx: Ctx) => R[];
  /** One record, or the resource's NotFound error. */
  get: (ctx: Ctx, id: string) => R;
  notFound: (id: string) => Error;
  view: (ctx: Ctx, rec: R) => View;
  create?: (ctx: Ctx, body: Body) => R;
  /** Whether POST accepts the plural form (default true). */
  bulk?: boolean;
  /** Bulk create of already unwrapped items, when it differs from creating each in turn. */
  createBulk?: (ctx: Ctx, bodies: Body[]) => R[];
  /** Quota counted against the owner of what the POST creates. */
  quota?: QuotaResource;
  update?: (ctx: Ctx, id: string, body: Body) => R;
  remove?: (ctx: Ctx, id: string) => void;
}

/** Registers GET/POST on the collection and GET/PUT/DELETE on members of one resource. */
export function registerResource<R extends { id: string; project_id: string }>(app: FastifyInstance, deps: RouteDeps, def: ResourceDef<R>): void {
  const { neutron } = deps;
  const base = `/v2.0/${def.spec.path}`;
  const enforceQuota = (created: R[]): void => {
    if (!def.quota) return;
    for (const project of new Set(created.map((r) => r.project_id))) neutron.quotas.enforce(project, def.quota);
  };

  const list = async (req: FastifyRequest): Promise<unknown> => {
    const ctx = ctxOf(req);
    const recs = def.visible(ctx);
    return listResponse(def.spec, recs, queryOf(req), {
      baseUrl: `${deps.publicUrl()}${base}`,
      viewOf: (rec) => def.view(ctx, rec),
      findMarker: (id) => recs.find((r) => r.id === id),
      markerNotFound: def.notFound,
    });
  };
  app.get(base, list);
  app.get(`${base}/`, list);

  if (def.create) {
    const create = def.create;
    const post = async (req: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
      const ctx = ctxOf(req);
      const collection = def.spec.collection;
      const bodies = def.bulk === false ? undefined : bulkBody(req.body, collection);
      if (bodies) {
        const recs = neutron.tx(() => {
          const created = def.createBulk ? def.createBulk(ctx, bodies) : bodies.map((b) => create(ctx, resourceBody({ [def.member]: b }, def.member)));
          enforceQuota(created);
          return created;
        });
        reply.code(201);
        return { [collection]: recs.map((r) => def.view(ctx, r)) };
      }
      const body = resourceBody(req.body, def.member);
      const rec = neutron.tx(() => {
        const created = create(ctx, body);
        enforceQuota([created]);
        return created;
      });
      reply.code(201);
      return { [def.member]: def.view(ctx, rec) };
    };
    app.post(base, post);
    app.post(`${base}/`, post);
  }

  app.get(`${base}/:id`, async (req) => {
    const ctx = ctxOf(req);
    const { id } = req.params as { id: string };
    const rec = def.get(ctx, id);
    return { [def.member]: project(def.view(ctx, rec), requestedFields(queryOf(req))) };
  });

  if (def.update) {
    const update = def.update;
    app.put(`${base}/:id`, async (req) => {
      const ctx = ctxOf(req);
      const { id } = req.params as { id: string };
      def.get(ctx, id);
      const body = resourceBody(req.body, def.member);
      const rec = neutron.tx(() => update(ctx, id, body));
      return { [def.member]: def.view(ctx, rec) };
    });
  }

  if (def.remove) {
    const remove = def.remove;
    app.delete(`${base}/:id`, async (req, reply) => {
      const ctx = ctxOf(req);
      const { id } = req.params as { id: string };
      neutron.tx(() => remove(ctx, id));
      return reply.code(204).send();
    });
  }
}
