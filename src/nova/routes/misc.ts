import { answer, ok, type GatewayRouter } from '../../gateway/index.js';
import { ImageMetadata, ImageMetadataItem, type ImageService } from '../images.js';
import { QuotaUpdate, type QuotaService } from '../quotas.js';
import type { ZoneService } from '../zones.js';

/** Availability zones and aggregates (derived from the pods). */
export function zoneRoutes(r: GatewayRouter, zones: ZoneService): void {
  r.get('/os-availability-zone', async (call) => ok(await zones.availabilityZones(call, false)));
  r.get('/os-availability-zone/detail', async (call) => ok(await zones.availabilityZones(call, true)));
  r.get('/os-aggregates', async (call) => ok({ aggregates: await zones.listAggregates(call) }));
  r.get('/os-aggregates/:aggregate_id', async (call) => ok({ aggregate: await zones.getAggregate(call, call.params.aggregate_id) }));
  r.post('/os-aggregates', (call) => zones.refuseChange(call, 'os_compute_api:os-aggregates:create'));
  r.put('/os-aggregates/:aggregate_id', (call) => zones.refuseChange(call, 'os_compute_api:os-aggregates:update'));
  r.delete('/os-aggregates/:aggregate_id', (call) => zones.refuseChange(call, 'os_compute_api:os-aggregates:delete'));
  r.post('/os-aggregates/:aggregate_id/action', (call) => zones.refuseChange(call, 'os_compute_api:os-aggregates:add_host'));
}

/** `/limits` and `/os-quota-sets`. */
export function quotaRoutes(r: GatewayRouter, quotas: QuotaService): void {
  r.get('/limits', async (call) => {
    return ok({ limits: { absolute: await quotas.absoluteLimits(call), rate: [] } });
  });
  r.get('/os-quota-sets/:tenant_id', async (call) => ok({ quota_set: await quotas.show(call, call.params.tenant_id, false) }));
  r.get('/os-quota-sets/:tenant_id/detail', async (call) => ok({ quota_set: await quotas.show(call, call.params.tenant_id, true) }));
  r.get('/os-quota-sets/:tenant_id/defaults', async (call) => ok({ quota_set: await quotas.defaults(call, call.params.tenant_id) }));
  r.put('/os-quota-sets/:tenant_id', async (call) => ok({ quota_set: await quotas.update(call, call.params.tenant_id) }), { body: QuotaUpdate });
  r.delete('/os-quota-sets/:tenant_id', async (call) => {
    await quotas.reset(call, call.params.tenant_id);
    return answer(202);
  });
}

/** Nova's image proxy over Glance (until 2.35). */
export function imageRoutes(r: GatewayRouter, images: ImageService, maxLimit: number): void {
  const upTo = { maxVersion: '2.35' };
  r.get('/images', async (call) => ok(await images.list(call, false, maxLimit)), upTo);
  r.get('/images/detail', async (call) => ok(await images.list(call, true, maxLimit)), upTo);
  r.get('/images/:image_id', async (call) => ok({ image: await images.get(call, call.params.image_id) }), upTo);
  r.delete(
    '/images/:image_id',
    async (call) => {
      await images.delete(call, call.params.image_id);
      return answer(204);
    },
    upTo,
  );
  r.get('/images/:image_id/metadata', async (call) => ok({ metadata: await images.metadata(call, call.params.image_id) }), upTo);
  r.post('/images/:image_id/metadata', async (call) => ok({ metadata: await images.setMetadata(call, call.params.image_id, false) }), { ...upTo, body: ImageMetadata });
  r.put('/images/:image_id/metadata', async (call) => ok({ metadata: await images.setMetadata(call, call.params.image_id, true) }), { ...upTo, body: ImageMetadata });
  r.get('/images/:image_id/metadata/:key', async (call) => ok({ meta: await images.metadataItem(call, call.params.image_id, call.params.key) }), upTo);
  r.put('/images/:image_id/metadata/:key', async (call) => ok({ meta: await images.setMetadataItem(call, call.params.image_id, call.params.key) }), {
    ...upTo,
    body: ImageMetadataItem,
  });
  r.delete(
    '/images/:image_id/metadata/:key',
    async (call) => {
      await images.deleteMetadataItem(call, call.params.image_id, call.params.key);
      return answer(204);
    },
    upTo,
  );
}
