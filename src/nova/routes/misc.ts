import type { FastifyRequest } from 'fastify';
import type { NovaRouter } from '../http.js';
import type { ImageService } from '../images.js';
import type { QuotaService } from '../quotas.js';
import type { ZoneService } from '../zones.js';
import { UNAVAILABLE_PODS_HEADER } from './reply.js';

const p = (req: FastifyRequest) => req.params as Record<string, string>;

/** Availability zones and aggregates (derived from the pods). */
export function zoneRoutes(r: NovaRouter, zones: ZoneService): void {
  r.get('/os-availability-zone', (call) => zones.availabilityZones(call, false));
  r.get('/os-availability-zone/detail', (call) => zones.availabilityZones(call, true));
  r.get('/os-aggregates', async (call) => ({ aggregates: await zones.listAggregates(call) }));
  r.get('/os-aggregates/:aggregate_id', async (call, req) => ({ aggregate: await zones.getAggregate(call, p(req).aggregate_id) }));
  r.post('/os-aggregates', (call) => zones.refuseChange(call, 'os_compute_api:os-aggregates:create'));
  r.put('/os-aggregates/:aggregate_id', (call) => zones.refuseChange(call, 'os_compute_api:os-aggregates:update'));
  r.delete('/os-aggregates/:aggregate_id', (call) => zones.refuseChange(call, 'os_compute_api:os-aggregates:delete'));
  r.post('/os-aggregates/:aggregate_id/action', (call) => zones.refuseChange(call, 'os_compute_api:os-aggregates:add_host'));
}

/** `/limits` and `/os-quota-sets`. */
export function quotaRoutes(r: NovaRouter, quotas: QuotaService): void {
  r.get('/limits', async (call, _req, reply) => {
    const { absolute, failedPods } = await quotas.absoluteLimits(call);
    if (failedPods.length > 0) reply.header(UNAVAILABLE_PODS_HEADER, failedPods.join(','));
    return { limits: { absolute, rate: [] } };
  });
  r.get('/os-quota-sets/:tenant_id', async (call, req) => ({ quota_set: await quotas.show(call, p(req).tenant_id, false) }));
  r.get('/os-quota-sets/:tenant_id/detail', async (call, req) => ({ quota_set: await quotas.show(call, p(req).tenant_id, true) }));
  r.get('/os-quota-sets/:tenant_id/defaults', async (call, req) => ({ quota_set: quotas.defaults(call, p(req).tenant_id) }));
  r.put('/os-quota-sets/:tenant_id', async (call, req) => ({ quota_set: await quotas.update(call, p(req).tenant_id, req.body) }));
  r.delete('/os-quota-sets/:tenant_id', async (call, req, reply) => {
    await quotas.reset(call, p(req).tenant_id);
    return reply.code(202).send();
  });
}

/** Nova's image proxy over Glance (until 2.35). */
export function imageRoutes(r: NovaRouter, images: ImageService, maxLimit: number): void {
  const upTo = { maxVersion: '2.35' };
  r.get('/images', (call) => images.list(call, false, maxLimit), upTo);
  r.get('/images/detail', (call) => images.list(call, true, maxLimit), upTo);
  r.get('/images/:image_id', async (call, req) => ({ image: await images.get(call, p(req).image_id) }), upTo);
  r.delete(
    '/images/:image_id',
    async (call, req, reply) => {
      await images.delete(call, p(req).image_id);
      return reply.code(204).send();
    },
    upTo,
  );
  r.get('/images/:image_id/metadata', async (call, req) => ({ metadata: await images.metadata(call, p(req).image_id) }), upTo);
  r.post('/images/:image_id/metadata', async (call, req) => ({ metadata: await images.setMetadata(call, p(req).image_id, req.body, false) }), upTo);
  r.put('/images/:image_id/metadata', async (call, req) => ({ metadata: await images.setMetadata(call, p(req).image_id, req.body, true) }), upTo);
  r.get('/images/:image_id/metadata/:key', async (call, req) => ({ meta: await images.metadataItem(call, p(req).image_id, p(req).key) }), upTo);
  r.put('/images/:image_id/metadata/:key', async (call, req) => ({ meta: await images.setMetadataItem(call, p(req).image_id, p(req).key, req.body) }), upTo);
  r.delete(
    '/images/:image_id/metadata/:key',
    async (call, req, reply) => {
      await images.deleteMetadataItem(call, p(req).image_id, p(req).key);
      return reply.code(204).send();
    },
    upTo,
  );
}
