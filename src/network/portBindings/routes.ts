/**
 * Port bindings (`/v2.0/ports/{id}/bindings`, admin-only as upstream's default policy): routed to the
 * pod that holds the port's copy, where Nova and the agents bind it. A port without a copy has at most
 * the binding the top records (`binding:host_id`), which the list shows; the other actions need the
 * copy (400 until a boot has made it).
 */
import type { FastifyInstance } from 'fastify';
import type { JsonObject, NeutronApi } from '../../bottom/index.js';
import { contextOf } from '../api/collection.js';
import type { NetworkDeps } from '../deps.js';
import { badResourceRequest, notFound, policyNotAuthorized } from '../errors.js';
import { isObject, resourceBody, toStr } from '../input.js';
import type { Caller } from '../policy.js';
import { findVisiblePort } from '../ports/service.js';
import { parseJson } from '../tx.js';

const ADMIN = { asAdmin: true } as const;

export function portBindingRoutes(app: FastifyInstance, deps: NetworkDeps): void {
  /** The port's row and its copy (pod and bottom id), after the admin check. */
  const resolve = async (caller: Caller, portId: string, action: string) => {
    if (!caller.isAdmin) throw policyNotAuthorized([action]);
    const port = await findVisiblePort(deps.db.kysely, caller, portId);
    if (!port) throw notFound.port(portId);
    for (const r of await deps.routings.findByTop(portId, 'port')) {
      if (!r.bottomId) continue;
      const pod = await deps.pods.find(r.podId);
      if (pod && deps.podClients) return { port, copy: { neutron: deps.podClients.neutron(pod) as PodBindings, bottomId: r.bottomId } };
    }
    return { port, copy: undefined };
  };
  const needCopy = (portId: string) => badResourceRequest('port_binding', `port ${portId} has no copy in a pod yet: its bindings are made where a server uses it`);
  type P = { Params: { id: string; host: string } };

  app.get<P>('/v2.0/ports/:id/bindings', async (req) => {
    const ctx = contextOf(req);
    const { port, copy } = await resolve(ctx, req.params.id, 'get_port_binding');
    if (copy) return { bindings: await copy.neutron.listPortBindings(ctx, copy.bottomId, ADMIN) };
    if (port.binding_host_id === '') return { bindings: [] };
    return {
      bindings: [
        {
          host: port.binding_host_id,
          vnic_type: port.binding_vnic_type,
          profile: parseJson<JsonObject>(port.binding_profile, {}),
          vif_type: 'unbound',
          vif_details: {},
          status: 'ACTIVE',
        },
      ],
    };
  });
  const create = async (req: { params: { id: string }; body: unknown }, ctx: Caller & Parameters<PodBindings['createPortBinding']>[0]) => {
    const body = resourceBody(req.body, 'binding');
    if (!isObject(body) || body.host === undefined) throw badResourceRequest('port_binding', "'host' is required");
    toStr(255)(body.host, 'host');
    const { copy } = await resolve(ctx, req.params.id, 'create_port_binding');
    if (!copy) throw needCopy(req.params.id);
    return copy.neutron.createPortBinding(ctx, copy.bottomId, body, ADMIN);
  };
  // The listener ignores a trailing slash (the CLI posts to `.../bindings/`).
  app.post<P>('/v2.0/ports/:id/bindings', async (req, reply) => {
    const binding = await create(req, contextOf(req));
    reply.code(201);
    return { binding };
  });
  app.put<P>('/v2.0/ports/:id/bindings/:host/activate', async (req) => {
    const ctx = contextOf(req);
    const { copy } = await resolve(ctx, req.params.id, 'activate');
    if (!copy) throw needCopy(req.params.id);
    return { binding: await copy.neutron.activatePortBinding(ctx, copy.bottomId, req.params.host, ADMIN) };
  });
  app.delete<P>('/v2.0/ports/:id/bindings/:host', async (req, reply) => {
    const ctx = contextOf(req);
    const { copy } = await resolve(ctx, req.params.id, 'delete_port_binding');
    if (!copy) throw needCopy(req.params.id);
    await copy.neutron.deletePortBinding(ctx, copy.bottomId, req.params.host, ADMIN);
    return reply.code(204).send();
  });
}

type PodBindings = Pick<NeutronApi, 'listPortBindings' | 'createPortBinding' | 'activatePortBinding' | 'deletePortBinding'>;
