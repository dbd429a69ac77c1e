// Routes: QoS specs (admin): create, list, show, set keys, delete keys, delete, and their
// associations with volume types.
import { randomUUID } from 'node:crypto';
import { SimServiceError } from '../../types.js';
import type { CinderCtx } from '../context.js';
import type { CinderServices } from '../services.js';
import { params, query, type CinderRouter } from '../router.js';

interface QosSpec {
  id: string;
  name: string;
  consumer: string;
  specs: Record<string, string>;
}

const CONSUMERS = ['front-end', 'back-end', 'both'];

function admin(ctx: CinderCtx, rule: string): void {
  if (!ctx.caller.isAdmin) throw new SimServiceError(403, `Policy doesn't allow volume_extension:${rule} to be performed.`);
}

function object(body: unknown, key: string): Record<string, unknown> {
  const inner = (body as Record<string, unknown> | null)?.[key];
  if (typeof inner !== 'object' || inner === null || Array.isArray(inner)) throw new SimServiceError(400, `Missing required element '${key}' in request body.`);
  return inner as Record<string, unknown>;
}

function stringSpecs(input: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(input)) {
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') throw new SimServiceError(400, `Invalid input received: Invalid QoS specs value for ${k}.`);
    out[k] = String(v);
  }
  return out;
}

export function qosRoutes(r: CinderRouter, s: CinderServices): void {
  const specs = s.state.qosSpecs;
  const find = (id: string): QosSpec => {
    const q = specs.get(id);
    if (!q) throw new SimServiceError(404, `QoS spec ${id} could not be found.`);
    return q;
  };
  const view = (q: QosSpec) => ({ id: q.id, name: q.name, consumer: q.consumer, specs: { ...q.specs } });
  const typesOf = (id: string) => [...s.state.types.values()].filter((t) => t.qosSpecsId === id);
  const typeArg = (ctx: CinderCtx, req: Parameters<Parameters<CinderRouter['get']>[1]>[1]) => {
    const ref = query(req).vol_type_id;
    if (typeof ref !== 'string' || ref === '') throw new SimServiceError(400, 'Invalid input received: Volume Type id must not be None.');
    return s.state.typeFor(ref, ctx.caller);
  };

  r.post('/qos-specs', (ctx, req) => {
    admin(ctx, 'qos_specs_manage:create');
    const given = object(req.body, 'qos_specs');
    const name = given.name;
    if (typeof name !== 'string' || name.trim() === '') throw new SimServiceError(400, 'Please specify a name for QoS specs.');
    if ([...specs.values()].some((q) => q.name === name)) throw new SimServiceError(409, `QoS Specs ${name} already exists.`);
    const consumer = given.consumer === undefined ? 'back-end' : String(given.consumer);
    if (!CONSUMERS.includes(consumer)) throw new SimServiceError(400, `Invalid input received: Valid consumer of QoS specs are: ${CONSUMERS.join(', ')}`);
    const { name: _n, consumer: _c, ...rest } = given;
    const q: QosSpec = { id: randomUUID(), name, consumer, specs: stringSpecs(rest) };
    specs.set(q.id, q);
    return { qos_specs: view(q), links: s.links.pair(ctx, 'qos-specs', q.id) };
  });
  r.get('/qos-specs', (ctx) => {
    admin(ctx, 'qos_specs_manage:get_all');
    return { qos_specs: [...specs.values()].map(view) };
  });
  r.get('/qos-specs/:id', (ctx, req) => {
    admin(ctx, 'qos_specs_manage:get');
    const q = find(params(req).id);
    return { qos_specs: view(q), links: s.links.pair(ctx, 'qos-specs', q.id) };
  });
  r.put('/qos-specs/:id', (ctx, req) => {
    admin(ctx, 'qos_specs_manage:update');
    const q = find(params(req).id);
    const given = stringSpecs(object(req.body, 'qos_specs'));
    if ('consumer' in given) {
      if (!CONSUMERS.includes(given.consumer)) throw new SimServiceError(400, `Invalid input received: Valid consumer of QoS specs are: ${CONSUMERS.join(', ')}`);
      q.consumer = given.consumer;
      delete given.consumer;
    }
    Object.assign(q.specs, given);
    return { qos_specs: object(req.body, 'qos_specs') };
  });
  r.put('/qos-specs/:id/delete_keys', (ctx, req, reply) => {
    admin(ctx, 'qos_specs_manage:delete_keys');
    const q = find(params(req).id);
    const keys = (req.body as { keys?: unknown } | null)?.keys;
    if (!Array.isArray(keys)) throw new SimServiceError(400, "Missing required element 'keys' in request body.");
    for (const k of keys) {
      if (!Object.hasOwn(q.specs, String(k))) throw new SimServiceError(400, `Invalid input received: QoS spec ${q.id} has no key ${String(k)}.`);
    }
    for (const k of keys) delete q.specs[String(k)];
    return reply.code(202).send();
  });
  r.delete('/qos-specs/:id', (ctx, req, reply) => {
    admin(ctx, 'qos_specs_manage:delete');
    const q = find(params(req).id);
    const force = String(query(req).force ?? 'false').toLowerCase() === 'true';
    const inUse = typesOf(q.id);
    if (inUse.length > 0 && !force) throw new SimServiceError(400, `QoS Specs ${q.id} is still associated with entities.`);
    for (const t of inUse) t.qosSpecsId = null;
    specs.delete(q.id);
    return reply.code(202).send();
  });
  r.get('/qos-specs/:id/associations', (ctx, req) => {
    admin(ctx, 'qos_specs_manage:get_all');
    const q = find(params(req).id);
    return { qos_associations: typesOf(q.id).map((t) => ({ association_type: 'volume_type', name: t.name, id: t.id })) };
  });
  r.get('/qos-specs/:id/associate', (ctx, req, reply) => {
    admin(ctx, 'qos_specs_manage:update');
    const q = find(params(req).id);
    const t = typeArg(ctx, req);
    if (t.qosSpecsId && t.qosSpecsId !== q.id) throw new SimServiceError(400, `Invalid input received: Type ${t.id} is already associated with another qos specs: ${t.qosSpecsId}`);
    t.qosSpecsId = q.id;
    return reply.code(202).send();
  });
  r.get('/qos-specs/:id/disassociate', (ctx, req, reply) => {
    admin(ctx, 'qos_specs_manage:update');
    const q = find(params(req).id);
    const t = typeArg(ctx, req);
    if (t.qosSpecsId === q.id) t.qosSpecsId = null;
    return reply.code(202).send();
  });
  r.get('/qos-specs/:id/disassociate_all', (ctx, req, reply) => {
    admin(ctx, 'qos_specs_manage:update');
    for (const t of typesOf(find(params(req).id).id)) t.qosSpecsId = null;
    return reply.code(202).send();
  });
}
