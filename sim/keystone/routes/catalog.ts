import type { FastifyInstance } from 'fastify';
import { hexId } from '../../common/ids.js';
import { SimServiceError } from '../../types.js';
import { INTERFACES, type EndpointInterface } from '../catalog.js';
import { member, optBool, optString, queryOf, reqString, requireAdmin, type KeystoneContext } from '../context.js';

type Params = { id: string };

/** /v3/regions, /v3/services, /v3/endpoints. */
export function catalogRoutes(app: FastifyInstance, ctx: KeystoneContext): void {
  const { catalog, views } = ctx;

  app.get('/v3/regions', async (req) => {
    const q = queryOf(req);
    const regions = [...catalog.regions.values()].filter((r) => q.parent_region_id === undefined || r.parentRegionId === q.parent_region_id);
    return { regions: regions.map((r) => views.region(r)), links: views.collectionLinks('/regions') };
  });
  app.get<{ Params: Params }>('/v3/regions/:id', async (req) => ({ region: views.region(catalog.region(req.params.id)) }));
  app.post('/v3/regions', async (req, reply) => {
    requireAdmin(req, 'identity:create_region');
    const r = member(req.body, 'region');
    const region = catalog.addRegion(optString(r, 'id') ?? hexId(), optString(r, 'description') ?? '', optString(r, 'parent_region_id') ?? null);
    return reply.code(201).send({ region: views.region(region) });
  });
  app.delete<{ Params: Params }>('/v3/regions/:id', async (req, reply) => {
    requireAdmin(req, 'identity:delete_region');
    catalog.deleteRegion(req.params.id);
    return reply.code(204).send();
  });

  app.get('/v3/services', async (req) => {
    requireAdmin(req, 'identity:list_services');
    const q = queryOf(req);
    const services = [...catalog.services.values()].filter((s) => (q.type === undefined || s.type === q.type) && (q.name === undefined || s.name === q.name));
    return { services: services.map((s) => views.service(s)), links: views.collectionLinks('/services') };
  });
  app.get<{ Params: Params }>('/v3/services/:id', async (req) => {
    requireAdmin(req, 'identity:get_service');
    return { service: views.service(catalog.service(req.params.id)) };
  });
  app.post('/v3/services', async (req, reply) => {
    requireAdmin(req, 'identity:create_service');
    const s = member(req.body, 'service');
    const service = catalog.addService(reqString(s, 'type'), optString(s, 'name') ?? '', optString(s, 'description') ?? '', optBool(s, 'enabled') ?? true);
    return reply.code(201).send({ service: views.service(service) });
  });
  app.delete<{ Params: Params }>('/v3/services/:id', async (req, reply) => {
    requireAdmin(req, 'identity:delete_service');
    catalog.deleteService(req.params.id);
    return reply.code(204).send();
  });

  app.get('/v3/endpoints', async (req) => {
    requireAdmin(req, 'identity:list_endpoints');
    const q = queryOf(req);
    const region = q.region_id ?? q.region;
    const endpoints = [...catalog.endpoints.values()].filter(
      (e) =>
        (q.interface === undefined || e.interface === q.interface) &&
        (q.service_id === undefined || e.serviceId === q.service_id) &&
        (region === undefined || e.regionId === region),
    );
    return { endpoints: endpoints.map((e) => views.endpoint(e)), links: views.collectionLinks('/endpoints') };
  });
  app.get<{ Params: Params }>('/v3/endpoints/:id', async (req) => {
    requireAdmin(req, 'identity:get_endpoint');
    return { endpoint: views.endpoint(catalog.endpoint(req.params.id)) };
  });
  app.post('/v3/endpoints', async (req, reply) => {
    requireAdmin(req, 'identity:create_endpoint');
    const e = member(req.body, 'endpoint');
    const regionId = optString(e, 'region_id') ?? optString(e, 'region');
    if (regionId === undefined) throw new SimServiceError(400, "Invalid input for field 'region_id': 'region_id' is a required property");
    const endpoint = catalog.addEndpoint({
      serviceId: reqString(e, 'service_id'),
      regionId: catalog.region(regionId).id,
      interface: endpointInterface(reqString(e, 'interface')),
      url: reqString(e, 'url'),
      enabled: optBool(e, 'enabled') ?? true,
    });
    return reply.code(201).send({ endpoint: views.endpoint(endpoint) });
  });
  app.patch<{ Params: Params }>('/v3/endpoints/:id', async (req) => {
    requireAdmin(req, 'identity:update_endpoint');
    const endpoint = catalog.endpoint(req.params.id);
    const e = member(req.body, 'endpoint');
    const url = optString(e, 'url');
    const iface = optString(e, 'interface');
    const regionId = optString(e, 'region_id') ?? optString(e, 'region');
    const serviceId = optString(e, 'service_id');
    const enabled = optBool(e, 'enabled');
    if (serviceId !== undefined) catalog.service(serviceId);
    if (regionId !== undefined) catalog.region(regionId);
    Object.assign(endpoint, {
      ...(url !== undefined && { url }),
      ...(iface !== undefined && { interface: endpointInterface(iface) }),
      ...(regionId !== undefined && { regionId }),
      ...(serviceId !== undefined && { serviceId }),
      ...(enabled !== undefined && { enabled }),
    });
    return { endpoint: views.endpoint(endpoint) };
  });
  app.delete<{ Params: Params }>('/v3/endpoints/:id', async (req, reply) => {
    requireAdmin(req, 'identity:delete_endpoint');
    catalog.deleteEndpoint(req.params.id);
    return reply.code(204).send();
  });
}

function endpointInterface(v: string): EndpointInterface {
  if (!(INTERFACES as readonly string[]).includes(v)) {
    throw new SimServiceError(400, `Invalid input for field 'interface': '${v}' does not match '^(admin|internal|public)$'`);
  }
  return v as EndpointInterface;
}
