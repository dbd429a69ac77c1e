// Version discovery, extensions, availability zones, floating IP pools, IP availability and the tag
// sub-resources of tagged resources.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Ctx } from '../context.js';
import { canSeeNetwork, canSeeSubnet } from '../context.js';
import { badRequest, invalidAttr, notFound, policyNotAuthorized } from '../errors.js';
import { findExtension, listExtensions } from '../extensions.js';
import { parseIp, rangeSize } from '../ipam.js';
import { listResponse, type CollectionSpec, type View } from '../query.js';
import type { StandardAttrs } from '../state.js';
import { validate } from '../attributes.js';
import { ctxOf, queryOf, type RouteDeps } from './common.js';

const AZ_SPEC: CollectionSpec = {
  collection: 'availability_zones',
  path: 'availability_zones',
  tagged: false,
  filters: { name: 'str', resource: 'str', state: 'str' },
};

const FIP_POOL_SPEC: CollectionSpec = {
  collection: 'floatingip_pools',
  path: 'floatingip_pools',
  tagged: false,
  filters: { subnet_id: 'str', subnet_name: 'str', network_id: 'str', cidr: 'str', tenant_id: 'str', project_id: 'str' },
};

const IP_AVAILABILITY_SPEC: CollectionSpec = {
  collection: 'network_ip_availabilities',
  path: 'network-ip-availabilities',
  tagged: false,
  filters: { network_id: 'str', network_name: 'str', tenant_id: 'str', project_id: 'str', ip_version: 'int' },
};

const TAG_MAX = 255;

export function registerMiscRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const n = deps.neutron;
  const s = n.state;

  app.get('/', async () => ({
    versions: [{ status: 'CURRENT', id: 'v2.0', links: [{ href: `${deps.publicUrl()}/v2.0`, rel: 'self' }] }],
  }));
  const resources = async (): Promise<unknown> => ({
    resources: [
      ['subnet', 'subnets'],
      ['network', 'networks'],
      ['port', 'ports'],
    ].map(([name, collection]) => ({
      links: [{ href: `${deps.publicUrl()}/v2.0/${collection}`, rel: 'self' }],
      name,
      collection,
    })),
  });
  // Neutron lists the resources only under `/v2.0/`; the bare `/v2.0` is a 404.
  app.get('/v2.0', async (_req, reply) => reply.code(404).send({ NeutronError: { type: 'HTTPNotFound', message: 'The resource could not be found.', detail: '' } }));
  app.get('/v2.0/', resources);

  app.get('/v2.0/extensions', async () => ({ extensions: listExtensions() }));
  app.get('/v2.0/extensions/:alias', async (req) => {
    const { alias } = req.params as { alias: string };
    const ext = findExtension(alias);
    if (!ext) throw notFound.extension(alias);
    return { extension: ext };
  });

  app.get('/v2.0/availability_zones', async (req) => {
    const items: View[] = s.config.availabilityZones.flatMap((name) => [
      { name, resource: 'network', state: 'available' },
      { name, resource: 'router', state: 'available' },
    ]);
    return listResponse(AZ_SPEC, items, queryOf(req), {
      baseUrl: `${deps.publicUrl()}/v2.0/availability_zones`,
      viewOf: (v) => v,
      findMarker: () => undefined,
      markerNotFound: () => badRequest('Pagination is not supported for availability zones'),
    });
  });

  app.get('/v2.0/floatingip_pools', async (req) => {
    const ctx = ctxOf(req);
    const items: View[] = [...s.subnets.values()]
      .filter((sub) => sub.ip_version === 4 && s.networks.get(sub.network_id)?.external && canSeeSubnet(s, ctx, sub))
      .map((sub) => ({
        subnet_id: sub.id,
        subnet_name: sub.name,
        network_id: sub.network_id,
        cidr: sub.cidr,
        project_id: sub.project_id,
        tenant_id: sub.project_id,
      }));
    return listResponse(FIP_POOL_SPEC, items, queryOf(req), {
      baseUrl: `${deps.publicUrl()}/v2.0/floatingip_pools`,
      viewOf: (v) => v,
      findMarker: () => undefined,
      markerNotFound: () => badRequest('Pagination is not supported for floating IP pools'),
    });
  });

  const availability = (networkId: string): View => {
    const net = s.networks.get(networkId)!;
    const subnets = s.subnetsOf(networkId).map((sub) => {
      const total = sub.allocation_pools.reduce((acc, p) => acc + rangeSize({ start: parseIp(p.start)!.value, end: parseIp(p.end)!.value }), 0n);
      return {
        subnet_id: sub.id,
        subnet_name: sub.name,
        cidr: sub.cidr,
        ip_version: sub.ip_version,
        total_ips: Number(total),
        used_ips: s.usedIps(sub.id).size,
      };
    });
    return {
      network_id: net.id,
      network_name: net.name,
      project_id: net.project_id,
      tenant_id: net.project_id,
      subnet_ip_availability: subnets,
      total_ips: subnets.reduce((a, x) => a + x.total_ips, 0),
      used_ips: subnets.reduce((a, x) => a + x.used_ips, 0),
    };
  };
  const requireAdmin = (ctx: Ctx, rule: string): void => {
    if (!ctx.isAdmin) throw policyNotAuthorized([rule]);
  };
  app.get('/v2.0/network-ip-availabilities', async (req) => {
    const ctx = ctxOf(req);
    requireAdmin(ctx, 'get_network_ip_availability');
    const params = queryOf(req);
    const version = params.get('ip_version');
    params.delete('ip_version');
    let items = [...s.networks.values()].map((net) => availability(net.id));
    if (version) {
      items = items.filter((i) => (i.subnet_ip_availability as View[]).some((x) => String(x.ip_version) === version));
    }
    return listResponse(IP_AVAILABILITY_SPEC, items, params, {
      baseUrl: `${deps.publicUrl()}/v2.0/network-ip-availabilities`,
      viewOf: (v) => v,
      findMarker: (id) => items.find((i) => i.network_id === id),
      markerNotFound: notFound.network,
    });
  });
  app.get('/v2.0/network-ip-availabilities/:id', async (req) => {
    const ctx = ctxOf(req);
    requireAdmin(ctx, 'get_network_ip_availability');
    const { id } = req.params as { id: string };
    const net = s.networks.get(id);
    if (!net || !canSeeNetwork(ctx, net)) throw notFound.network(id);
    return { network_ip_availability: availability(id) };
  });

  registerTagRoutes(app, deps);
}

/** Tagged resource collections: URL path → how to find a record for the caller. */
function taggedResources(deps: RouteDeps): Record<string, { member: string; get: (ctx: Ctx, id: string) => StandardAttrs }> {
  const n = deps.neutron;
  return {
    networks: { member: 'networks', get: (ctx, id) => n.network(ctx, id) },
    subnets: { member: 'subnets', get: (ctx, id) => n.subnet(ctx, id) },
    ports: { member: 'ports', get: (ctx, id) => n.port(ctx, id) },
    routers: { member: 'routers', get: (ctx, id) => n.router(ctx, id) },
    floatingips: { member: 'floatingips', get: (ctx, id) => n.floatingip(ctx, id) },
    'security-groups': { member: 'security_groups', get: (ctx, id) => n.securityGroup(ctx, id) },
  };
}

function validTag(tag: unknown): string {
  const reason = validate.string(TAG_MAX)(tag);
  if (reason) throw invalidAttr('tags', reason);
  if ((tag as string).includes(',')) throw invalidAttr('tags', `'${tag as string}' contains ','`);
  return tag as string;
}

function registerTagRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const n = deps.neutron;
  for (const [path, res] of Object.entries(taggedResources(deps))) {
    const base = `/v2.0/${path}/:id/tags`;
    const target = (req: FastifyRequest, write: boolean): { ctx: Ctx; rec: StandardAttrs } => {
      const ctx = ctxOf(req);
      const { id } = req.params as { id: string };
      const rec = res.get(ctx, id);
      if (write && !ctx.isAdmin && rec.project_id !== ctx.projectId) throw policyNotAuthorized([`update_${res.member}_tags`]);
      return { ctx, rec };
    };

    app.get(base, async (req) => ({ tags: [...target(req, false).rec.tags] }));
    app.put(base, async (req) => {
      const { rec } = target(req, true);
      const body = req.body as { tags?: unknown } | undefined;
      if (!body || typeof body !== 'object' || !Array.isArray(body.tags)) {
        throw badRequest("Invalid input for tags. Reason: Unable to find 'tags' in request body.");
      }
      const tags = [...new Set(body.tags.map(validTag))];
      rec.tags = tags;
      n.state.touch(rec);
      return { tags: [...tags] };
    });
    app.delete(base, async (req, reply: FastifyReply) => {
      const { rec } = target(req, true);
      rec.tags = [];
      n.state.touch(rec);
      return reply.code(204).send();
    });
    app.get(`${base}/:tag`, async (req, reply: FastifyReply) => {
      const { rec } = target(req, false);
      const { tag, id } = req.params as { tag: string; id: string };
      if (!rec.tags.includes(tag)) throw notFound.tag(res.member.replace(/s$/, ''), id, tag);
      return reply.code(204).send();
    });
    app.put(`${base}/:tag`, async (req, reply: FastifyReply) => {
      const { rec } = target(req, true);
      const { tag } = req.params as { tag: string };
      validTag(tag);
      if (!rec.tags.includes(tag)) {
        rec.tags = [...rec.tags, tag];
        n.state.touch(rec);
      }
      return reply.code(201).send();
    });
    app.delete(`${base}/:tag`, async (req, reply: FastifyReply) => {
      const { rec } = target(req, true);
      const { tag, id } = req.params as { tag: string; id: string };
      if (!rec.tags.includes(tag)) throw notFound.tag(res.member.replace(/s$/, ''), id, tag);
      rec.tags = rec.tags.filter((t) => t !== tag);
      n.state.touch(rec);
      return reply.code(204).send();
    });
  }
}
