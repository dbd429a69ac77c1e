import type { EndpointStore } from '../identity/index.js';

/**
 * Endpoint store for a check: operator overrides from the database, everything else from the
 * Keystone catalog as it is now (read on first use), never from the database's cached copy, which
 * may predate a catalog change. Nothing is written back.
 */
export class CurrentCatalogStore implements EndpointStore {
  private catalog = new Map<string, string>();

  constructor(private readonly store: Pick<EndpointStore, 'get' | 'listPods'>) {}

  async get(podId: string, serviceType: string): Promise<{ url: string; source: 'catalog' | 'override' } | undefined> {
    const stored = await this.store.get(podId, serviceType);
    if (stored?.source === 'override') return stored;
    const url = this.catalog.get(key(podId, serviceType));
    return url === undefined ? undefined : { url, source: 'catalog' };
  }

  async saveCatalog(rows: { podId: string; serviceType: string; url: string }[]): Promise<void> {
    this.catalog = new Map(rows.map((r) => [key(r.podId, r.serviceType), r.url]));
  }

  listPods(): ReturnType<EndpointStore['listPods']> {
    return this.store.listPods();
  }
}

const key = (podId: string, serviceType: string) => `${podId}\u0000${serviceType}`;
