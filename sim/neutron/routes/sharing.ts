// Routes of RBAC policies, QoS policies and rules, trunks and floating IP port forwardings.
import type { FastifyInstance } from 'fastify';
import { resourceBody } from '../attributes.js';
import { SimServiceError } from '../../types.js';
import { listResponse, project, requestedFields, type CollectionSpec, type View } from '../query.js';
import { QOS_RULE_TYPES, sharingErrors, type PortForwardingRec, type QosPolicyRec, type QosRuleRec, type RbacRec, type TrunkRec } from '../sharing.js';
import { ctxOf, queryOf, registerResource, type RouteDeps } from './common.js';

const base = { id: 'str', tenant_id: 'str', project_id: 'str' } as const;

const RBAC_SPEC: CollectionSpec = {
  collection: 'rbac_policies',
  path: 'rbac-policies',
  tagged: false,
  filters: { ...base, object_type: 'str', object_id: 'str', action: 'str', target_tenant: 'str', target_project_id: 'str' },
};
const QOS_SPEC: CollectionSpec = {
  collection: 'policies',
  path: 'qos/policies',
  tagged: true,
  filters: { ...base, name: 'str', description: 'str', shared: 'bool', is_default: 'bool', revision_number: 'int' },
};
const TRUNK_SPEC: CollectionSpec = {
  collection: 'trunks',
  path: 'trunks',
  tagged: true,
  filters: { ...base, name: 'str', description: 'str', port_id: 'str', status: 'str', admin_state_up: 'bool', revision_number: 'int' },
};

export const rbacView = (r: RbacRec): View => ({ ...r, tenant_id: r.project_id, target_project_id: r.target_tenant });
const ruleView = (r: QosRuleRec): View => ({ id: r.id, ...r.params, ...(r.direction !== undefined ? { direction: r.direction } : {}) });
export const qosView = (p: QosPolicyRec): View => ({
  id: p.id,
  name: p.name,
  description: p.description,
  project_id: p.project_id,
  tenant_id: p.project_id,
  shared: p.shared,
  is_default: p.is_default,
  rules: p.rules.map((r) => ({ ...ruleView(r), type: r.type, qos_policy_id: p.id })),
  tags: [...p.tags],
  created_at: p.created_at,
  updated_at: p.updated_at,
  revision_number: p.revision_number,
});
export const trunkView = (t: TrunkRec): View => ({
  id: t.id,
  name: t.name,
  description: t.description,
  project_id: t.project_id,
  tenant_id: t.project_id,
  port_id: t.port_id,
  admin_state_up: t.admin_state_up,
  status: t.status,
  sub_ports: t.sub_ports.map((s) => ({ ...s })),
  tags: [...t.tags],
  created_at: t.created_at,
  updated_at: t.updated_at,
  revision_number: t.revision_number,
});
const pfView = (pf: PortForwardingRec): View => ({
  id: pf.id,
  internal_port_id: pf.internal_port_id,
  internal_ip_address: pf.internal_ip_address,
  internal_port: pf.internal_port,
  external_port: pf.external_port,
  protocol: pf.protocol,
  description: pf.description,
});

export function registerSharingRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const n = deps.neutron;
  const s = n.sharing;

  registerResource(app, deps, {
    spec: RBAC_SPEC,
    member: 'rbac_policy',
    visible: (ctx) => s.rbacVisible(ctx),
    get: (ctx, id) => s.rbacGet(ctx, id),
    notFound: sharingErrors.rbacNotFound,
    view: (_ctx, r) => rbacView(r),
    create: (ctx, body) => s.rbacCreate(ctx, body),
    update: (ctx, id, body) => s.rbacUpdate(ctx, id, body),
    remove: (ctx, id) => s.rbacDelete(ctx, id),
  });

  registerResource(app, deps, {
    spec: QOS_SPEC,
    member: 'policy',
    visible: (ctx) => [...s.qos.values()].filter((p) => s.qosVisible(ctx, p)),
    get: (ctx, id) => s.qosGet(ctx, id),
    notFound: sharingErrors.qosNotFound,
    view: (_ctx, p) => qosView(p),
    create: (ctx, body) => s.qosCreate(ctx, body),
    update: (ctx, id, body) => s.qosUpdate(ctx, id, body),
    remove: (ctx, id) => s.qosDelete(ctx, id),
  });

  type P = { Params: { policy: string; rule: string } };
  for (const [collection, def] of Object.entries(QOS_RULE_TYPES)) {
    const path = `/v2.0/qos/policies/:policy/${collection}`;
    app.post<P>(path, async (req, reply) => {
      const rule = n.tx(() => s.ruleCreate(ctxOf(req), req.params.policy, collection, resourceBody(req.body, def.member)));
      reply.code(201);
      return { [def.member]: ruleView(rule) };
    });
    app.get<P>(path, async (req) => ({
      [collection]: s
        .qosGet(ctxOf(req), req.params.policy)
        .rules.filter((r) => `${r.type}_rules` === collection)
        .map(ruleView),
    }));
    app.get<P>(`${path}/:rule`, async (req) => ({
      [def.member]: project(ruleView(s.ruleGet(ctxOf(req), req.params.policy, collection, req.params.rule).rule), requestedFields(queryOf(req))),
    }));
    app.put<P>(`${path}/:rule`, async (req) => ({
      [def.member]: ruleView(n.tx(() => s.ruleUpdate(ctxOf(req), req.params.policy, collection, req.params.rule, resourceBody(req.body, def.member)))),
    }));
    app.delete<P>(`${path}/:rule`, async (req, reply) => {
      n.tx(() => s.ruleDelete(ctxOf(req), req.params.policy, collection, req.params.rule));
      return reply.code(204).send();
    });
  }
  app.get('/v2.0/qos/rule-types', async () => ({ rule_types: Object.keys(QOS_RULE_TYPES).map((c) => ({ type: c.replace(/_rules$/, '') })) }));

  registerResource(app, deps, {
    spec: TRUNK_SPEC,
    member: 'trunk',
    visible: (ctx) => [...s.trunks.values()].filter((t) => ctx.isAdmin || t.project_id === ctx.projectId),
    get: (ctx, id) => s.trunkGet(ctx, id),
    notFound: sharingErrors.trunkNotFound,
    view: (_ctx, t) => trunkView(t),
    create: (ctx, body) => s.trunkCreate(ctx, body),
    update: (ctx, id, body) => {
      const t = s.trunkGet(ctx, id);
      if (typeof body.name === 'string') t.name = body.name;
      if (typeof body.description === 'string') t.description = body.description;
      if (typeof body.admin_state_up === 'boolean') t.admin_state_up = body.admin_state_up;
      t.revision_number += 1;
      return t;
    },
    remove: (ctx, id) => {
      const t = s.trunkGet(ctx, id);
      const parent = n.state.ports.get(t.port_id);
      if (parent?.device_id && t.status === 'ACTIVE' && parent.binding_host_id !== '') {
        throw new SimServiceError(409, `Trunk ${id} is currently in use.`, 'TrunkInUse');
      }
      s.trunks.delete(id);
    },
  });
  app.put<{ Params: { id: string } }>('/v2.0/trunks/:id/add_subports', async (req) => {
    const ctx = ctxOf(req);
    const t = s.trunkGet(ctx, req.params.id);
    const body = req.body as { sub_ports?: unknown };
    const added = s.checkSubports(ctx, t.port_id, t.sub_ports, body?.sub_ports ?? []);
    t.sub_ports.push(...added);
    t.revision_number += 1;
    return trunkView(t);
  });
  app.put<{ Params: { id: string } }>('/v2.0/trunks/:id/remove_subports', async (req) => {
    const t = s.trunkGet(ctxOf(req), req.params.id);
    const body = req.body as { sub_ports?: { port_id?: string }[] };
    const gone = new Set((body?.sub_ports ?? []).map((x) => x.port_id));
    t.sub_ports = t.sub_ports.filter((x) => !gone.has(x.port_id));
    t.revision_number += 1;
    return trunkView(t);
  });
  app.get<{ Params: { id: string } }>('/v2.0/trunks/:id/get_subports', async (req) => ({ sub_ports: trunkView(s.trunkGet(ctxOf(req), req.params.id)).sub_ports }));

  type F = { Params: { fip: string; id: string } };
  const PF_SPEC: CollectionSpec = {
    collection: 'port_forwardings',
    path: 'port_forwardings',
    tagged: false,
    filters: { id: 'str', internal_port_id: 'str', external_port: 'int', protocol: 'str' },
  };
  app.post<F>('/v2.0/floatingips/:fip/port_forwardings', async (req, reply) => {
    const pf = n.tx(() => s.pfCreate(ctxOf(req), req.params.fip, resourceBody(req.body, 'port_forwarding')));
    reply.code(201);
    return { port_forwarding: pfView(pf) };
  });
  app.get<F>('/v2.0/floatingips/:fip/port_forwardings', async (req) => {
    n.floatingip(ctxOf(req), req.params.fip);
    const items = [...s.forwardings.values()].filter((pf) => pf.floatingip_id === req.params.fip);
    return listResponse(PF_SPEC, items, queryOf(req), {
      baseUrl: `${deps.publicUrl()}/v2.0/floatingips/${req.params.fip}/port_forwardings`,
      viewOf: pfView,
      findMarker: (id) => items.find((i) => i.id === id),
      markerNotFound: sharingErrors.pfNotFound,
    });
  });
  app.get<F>('/v2.0/floatingips/:fip/port_forwardings/:id', async (req) => ({ port_forwarding: pfView(s.pfGet(ctxOf(req), req.params.fip, req.params.id)) }));
  app.put<F>('/v2.0/floatingips/:fip/port_forwardings/:id', async (req) => {
    const pf = s.pfGet(ctxOf(req), req.params.fip, req.params.id);
    const body = resourceBody(req.body, 'port_forwarding');
    if (typeof body.description === 'string') pf.description = body.description;
    if (typeof body.external_port === 'number') pf.external_port = body.external_port;
    if (typeof body.internal_port === 'number') pf.internal_port = body.internal_port;
    return { port_forwarding: pfView(pf) };
  });
  app.delete<F>('/v2.0/floatingips/:fip/port_forwardings/:id', async (req, reply) => {
    s.pfGet(ctxOf(req), req.params.fip, req.params.id);
    s.forwardings.delete(req.params.id);
    return reply.code(204).send();
  });
}
