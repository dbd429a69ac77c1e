import { randomUUID } from 'node:crypto';
import { dbNow, type Db } from '../db/index.js';

export type EndpointSource = 'catalog' | 'override';

/** cached_endpoints: URLs of each pod's services, from the Keystone catalog or set by the operator. */
export class SqlEndpointStore {
  constructor(private readonly db: Db) {}

  async get(podId: string, serviceType: string): Promise<{ url: string; source: EndpointSource } | undefined> {
    const row = await this.db.kysely
      .selectFrom('cached_endpoints')
      .select(['service_url', 'source'])
      .where('pod_id', '=', podId)
      .where('service_type', '=', serviceType)
      .executeTakeFirst();
    return row ? { url: row.service_url, source: row.source as EndpointSource } : undefined;
  }

  async listPods(): Promise<{ id: string; regionName: string }[]> {
    const rows = await this.db.kysely.selectFrom('pods').select(['id', 'region_name']).execute();
    return rows.map((r) => ({ id: r.id, regionName: r.region_name }));
  }

  async listForPod(podId: string): Promise<{ serviceType: string; url: string; source: EndpointSource }[]> {
    const rows = await this.db.kysely.selectFrom('cached_endpoints').selectAll().where('pod_id', '=', podId).orderBy('service_type').execute();
    return rows.map((r) => ({ serviceType: r.service_type, url: r.service_url, source: r.source as EndpointSource }));
  }

  /** Replaces every catalog-derived row (a service gone from Keystone goes here too); operator overrides are left alone. */
  async saveCatalog(rows: { podId: string; serviceType: string; url: string }[]): Promise<void> {
    await this.db.kysely.transaction().execute(async (trx) => {
      await trx.deleteFrom('cached_endpoints').where('source', '=', 'catalog').execute();
      const overrides = new Set(
        (await trx.selectFrom('cached_endpoints').select(['pod_id', 'service_type']).where('source', '=', 'override').execute()).map((r) => `${r.pod_id}/${r.service_type}`),
      );
      const fresh = rows.filter((r) => !overrides.has(`${r.podId}/${r.serviceType}`));
      const now = dbNow(this.db.dialect);
      for (const r of fresh) {
        await trx
          .insertInto('cached_endpoints')
          .values({ id: randomUUID(), pod_id: r.podId, service_type: r.serviceType, service_url: r.url, source: 'catalog', created_at: now, updated_at: now })
          .execute();
      }
    });
  }

  /** Sets (url) or clears (null) an operator override for one service of a pod. */
  async setOverride(podId: string, serviceType: string, url: string | null): Promise<void> {
    await this.db.kysely.transaction().execute(async (trx) => {
      await trx.deleteFrom('cached_endpoints').where('pod_id', '=', podId).where('service_type', '=', serviceType).execute();
      if (url === null) return;
      const now = dbNow(this.db.dialect);
      await trx
        .insertInto('cached_endpoints')
        .values({ id: randomUUID(), pod_id: podId, service_type: serviceType, service_url: url, source: 'override', created_at: now, updated_at: now })
        .execute();
    });
  }
}
