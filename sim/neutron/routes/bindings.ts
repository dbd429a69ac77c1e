// Port bindings (the binding-extended extension; admin-only as upstream's default policy): the active
// binding is the port's own `binding:host_id`; inactive ones (a live migration's target) are kept here.
import type { FastifyInstance } from 'fastify';
import { SimServiceError } from '../../types.js';
import { resourceBody } from '../attributes.js';
import { badRequest, policyNotAuthorized } from '../errors.js';
import type { PortRec } from '../state.js';
import { ctxOf, type RouteDeps } from './common.js';

interface Binding {
  host: string;
  vnic_type: string;
  profile: Record<string, unknown>;
}

export function registerBindingRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const n = deps.neutron;
  const inactive = new Map<string, Binding[]>();
  const view = (b: Binding, status: string) => ({
    host: b.host,
    vnic_type: b.vnic_type,
    profile: b.profile,
    vif_type: status === 'ACTIVE' ? 'ovs' : 'unbound',
    vif_details: status === 'ACTIVE' ? { port_filter: true, ovs_hybrid_plug: false } : {},
    status,
  });
  const active = (p: PortRec): Binding | undefined => (p.binding_host_id ? { host: p.binding_host_id, vnic_type: p.binding_vnic_type, profile: p.binding_profile } : undefined);
  const portOf = (req: { params: unknown }, action: string): PortRec => {
    const ctx = ctxOf(req as never);
    if (!ctx.isAdmin) throw policyNotAuthorized([action]);
    return n.port(ctx, (req.params as { id: string }).id);
  };
  const notFound = (portId: string, host: string) => new SimServiceError(404, `Binding for port ${portId} for host ${host} could not be found.`, 'PortBindingNotFound');

  app.get('/v2.0/ports/:id/bindings', async (req) => {
    const port = portOf(req, 'get_port_binding');
    const a = active(port);
    return { bindings: [...(a ? [view(a, 'ACTIVE')] : []), ...(inactive.get(port.id) ?? []).map((b) => view(b, 'INACTIVE'))] };
  });
  const create = async (req: { params: unknown; body: unknown }, reply: { code(c: number): unknown }) => {
    const port = portOf(req, 'create_port_binding');
    const body = resourceBody(req.body, 'binding');
    if (typeof body.host !== 'string' || body.host === '') throw badRequest("Failed to parse request. Required attribute 'host' not specified");
    const list = inactive.get(port.id) ?? [];
    if (active(port)?.host === body.host || list.some((b) => b.host === body.host)) {
      throw new SimServiceError(409, `Binding for port ${port.id} on host ${body.host} already exists.`, 'PortBindingAlreadyExists');
    }
    const b: Binding = {
      host: body.host,
      vnic_type: typeof body.vnic_type === 'string' ? body.vnic_type : port.binding_vnic_type,
      profile: (body.profile as Record<string, unknown>) ?? {},
    };
    reply.code(201);
    if (!active(port)) {
      port.binding_host_id = b.host;
      port.binding_profile = b.profile;
      n.state.touch(port);
      return { binding: view(b, 'ACTIVE') };
    }
    inactive.set(port.id, [...list, b]);
    return { binding: view(b, 'INACTIVE') };
  };
  app.post('/v2.0/ports/:id/bindings', create);
  app.post('/v2.0/ports/:id/bindings/', create);
  app.put('/v2.0/ports/:id/bindings/:host/activate', async (req) => {
    const port = portOf(req, 'activate');
    const { host } = req.params as { host: string };
    if (active(port)?.host === host) throw new SimServiceError(409, `Binding for port ${port.id} on host ${host} is already active.`, 'PortBindingAlreadyActive');
    const list = inactive.get(port.id) ?? [];
    const b = list.find((x) => x.host === host);
    if (!b) throw notFound(port.id, host);
    const previous = active(port);
    inactive.set(port.id, [...list.filter((x) => x !== b), ...(previous ? [previous] : [])]);
    port.binding_host_id = b.host;
    port.binding_profile = b.profile;
    n.state.touch(port);
    return { binding: view(b, 'ACTIVE') };
  });
  app.delete('/v2.0/ports/:id/bindings/:host', async (req, reply) => {
    const port = portOf(req, 'delete_port_binding');
    const { host } = req.params as { host: string };
    const list = inactive.get(port.id) ?? [];
    if (active(port)?.host === host) {
      port.binding_host_id = '';
      n.state.touch(port);
    } else if (list.some((b) => b.host === host)) {
      inactive.set(
        port.id,
        list.filter((b) => b.host !== host),
      );
    } else {
      throw notFound(port.id, host);
    }
    return reply.code(204).send();
  });
}
