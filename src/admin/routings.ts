import { badRequest, optionalQueryInt, type Json } from '../common/index.js';
import { ok, type GatewayRouter, type QueryParams } from '../gateway/index.js';
import { RESOURCE_TYPES, type RoutingFilter } from '../routing/index.js';
import { RoutingCreateBody, RoutingUpdateBody } from './schemas.js';
import { authorize, type AdminServices } from './deps.js';
import { routingView } from './views.js';

const FIELDS = ['top_id', 'bottom_id', 'pod_id', 'project_id', 'resource_type'] as const;
const MAX_PAGE = 1000;

function routingId(raw: string): number {
  if (!/^\d{1,18}$/.test(raw)) throw badRequest(`Invalid routing id ${raw}: it must be an integer.`);
  return Number(raw);
}

function resourceType(value: string): string {
  if (!(RESOURCE_TYPES as readonly string[]).includes(value)) {
    throw badRequest(`Invalid resource_type ${value}: expected one of ${RESOURCE_TYPES.join(', ')}`);
  }
  return value;
}

function timestampFilter(value: unknown, key: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = typeof value === 'string' ? Date.parse(value.endsWith('Z') || value.includes('+') ? value : `${value.replace(' ', 'T')}Z`) : NaN;
  if (Number.isNaN(ms)) throw badRequest(`Invalid ${key}: ${JSON.stringify(value)} is not a timestamp.`);
  return ms;
}

function listFilter(q: QueryParams): RoutingFilter {
  const known = new Set(['limit', 'marker', 'id', ...FIELDS, 'created_at', 'updated_at']);
  const unknown = Object.keys(q).filter((k) => !known.has(k));
  if (unknown.length > 0) throw badRequest(`Unsupported filter(s): ${unknown.join(', ')}`);
  for (const [k, v] of Object.entries(q)) if (typeof v !== 'string') throw badRequest(`Filter ${k} may be given only once.`);
  const str = (k: string) => {
    const v = q[k];
    return typeof v === 'string' ? v : undefined;
  };
  return {
    id: q.id !== undefined ? routingId(str('id')!) : undefined,
    topId: str('top_id'),
    bottomId: str('bottom_id'),
    podId: str('pod_id'),
    projectId: str('project_id'),
    resourceType: q.resource_type !== undefined ? resourceType(str('resource_type')!) : undefined,
    createdAt: timestampFilter(q.created_at, 'created_at'),
    updatedAt: timestampFilter(q.updated_at, 'updated_at'),
  };
}

export function routingRoutes(r: GatewayRouter, services: AdminServices): void {
  const { routings } = services;

  r.post(
    '/routings',
    async (call) => {
      const values = call.body.routing;
      const routing = await routings.create({
        topId: values.top_id.trim(),
        bottomId: values.bottom_id.trim(),
        podId: values.pod_id.trim(),
        projectId: values.project_id.trim(),
        resourceType: resourceType(values.resource_type.trim()),
      });
      return ok({ routing: routingView(routing) });
    },
    { body: RoutingCreateBody, authorize: (call) => authorize(services, call.ctx, 'admin_api:routings:create') },
  );

  r.get('/routings', async (call) => {
    authorize(services, call.ctx, 'admin_api:routings:list');
    const q = call.query;
    const filter = listFilter(q);
    const limit = optionalQueryInt(q, 'limit', MAX_PAGE) ?? MAX_PAGE;
    let afterId: number | undefined;
    if (q.marker !== undefined) {
      afterId = routingId(String(q.marker));
      if (!(await routings.find(afterId))) throw badRequest(`Marker ${afterId} could not be found.`);
    }
    const rows = await routings.list(filter, { limit: limit + 1, afterId });
    const page = rows.slice(0, limit);
    const body: Json = { routings: page.map(routingView) };
    if (rows.length > limit && page.length > 0) {
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(q)) if (k !== 'marker' && k !== 'limit') params.set(k, String(v));
      params.set('limit', String(limit));
      params.set('marker', String(page[page.length - 1].id));
      body.routings_links = [{ rel: 'next', href: `${call.links.versioned}/routings?${params}` }];
    }
    return ok(body);
  });

  r.get('/routings/:id', async (call) => {
    authorize(services, call.ctx, 'admin_api:routings:show');
    return ok({ routing: routingView(await routings.get(routingId(call.params.id))) });
  });

  r.put(
    '/routings/:id',
    async (call) => {
      const id = routingId(call.params.id);
      const patch = Object.fromEntries(Object.entries(call.body.routing).map(([k, v]) => [k, v?.trim()])) as Partial<Record<(typeof FIELDS)[number], string>>;
      const routing = await routings.update(id, {
        topId: patch.top_id,
        bottomId: patch.bottom_id,
        podId: patch.pod_id,
        projectId: patch.project_id,
        resourceType: patch.resource_type !== undefined ? resourceType(patch.resource_type!) : undefined,
      });
      return ok({ routing: routingView(routing) });
    },
    { body: RoutingUpdateBody, authorize: (call) => authorize(services, call.ctx, 'admin_api:routings:put') },
  );

  r.delete('/routings/:id', async (call) => {
    authorize(services, call.ctx, 'admin_api:routings:delete');
    await routings.delete(routingId(call.params.id));
    return ok({});
  });
}
