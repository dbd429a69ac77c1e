import { EndpointNotFoundError, IdentityUnavailableError } from './errors.js';
import { keystoneMessage } from './http.js';
import type { ServiceAuth } from './serviceAuth.js';

export type ServiceType = 'compute' | 'volumev3' | 'network' | 'image' | 'identity';

export interface PodRef {
  id: string;
  regionName: string;
}

export interface EndpointStore {
  /** Cached or operator-overridden URL for a pod's service. */
  get(podId: string, serviceType: string): Promise<{ url: string; source: 'catalog' | 'override' } | undefined>;
  /** Replace the catalog-derived rows (never touches 'override' rows). */
  saveCatalog(rows: { podId: string; serviceType: string; url: string }[]): Promise<void>;
  listPods(): Promise<PodRef[]>;
}

export interface EndpointResolverOptions {
  serviceAuth: Pick<ServiceAuth, 'getToken' | 'invalidate' | 'keystone'>;
  store: EndpointStore;
  /** Read the Keystone catalog when a URL is missing or unreachable (`[client] auto_refresh_endpoint`). Default true. */
  autoRefresh?: boolean;
  /** How long a resolved URL (or a known absence) is reused without asking the store. Default 10 s. */
  memoMs?: number;
  /** Catalog reads closer together than this reuse the previous read. Default 2 s. */
  minRefreshIntervalMs?: number;
}

/** Catalog service types accepted for each of ours, best first. */
const CATALOG_TYPES: Record<ServiceType, readonly string[]> = {
  compute: ['compute'],
  volumev3: ['volumev3', 'block-storage', 'volume'],
  network: ['network'],
  image: ['image'],
  identity: ['identity'],
};

const PROJECT_PLACEHOLDER = /\$\((?:project_id|tenant_id)\)s|%\((?:project_id|tenant_id)\)s/g;

type Memo = { raw: string | undefined; expiresAt: number };

/** Where each pod's services live: operator override, else the DB cache, else the Keystone catalog. */
export class EndpointResolver {
  private readonly memo = new Map<string, Memo>();
  private readonly memoMs: number;
  private readonly minRefreshMs: number;
  private refreshing: Promise<void> | undefined;
  private lastRefreshAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: EndpointResolverOptions) {
    this.memoMs = options.memoMs ?? 10_000;
    this.minRefreshMs = options.minRefreshIntervalMs ?? 2_000;
  }

  /**
   * The pod's public URL for `serviceType`, with `$(project_id)s`-style placeholders replaced by
   * `projectId` (or, without one, dropped with their leading slash). Throws EndpointNotFoundError.
   */
  async resolve(pod: PodRef, serviceType: ServiceType, projectId?: string): Promise<string> {
    const key = memoKey(pod.id, serviceType);
    let raw: string | undefined;
    const memo = this.memo.get(key);
    if (memo && memo.expiresAt > Date.now()) {
      raw = memo.raw;
    } else {
      raw = await this.lookup(pod.id, serviceType);
      if (raw === undefined && this.autoRefresh) {
        await this.refresh();
        raw = await this.lookup(pod.id, serviceType);
      }
      this.memo.set(key, { raw, expiresAt: Date.now() + this.memoMs });
    }
    if (raw === undefined) throw notFound(pod, serviceType);
    return substituteProject(raw, projectId);
  }

  /**
   * After a connection failure to `failedUrl` (or to the URL currently known), re-reads the catalog and
   * returns the pod's new URL if it changed; undefined means "nothing better known, do not retry".
   */
  async refreshAfterConnectionFailure(pod: PodRef, serviceType: ServiceType, options: { projectId?: string; failedUrl?: string } = {}): Promise<string | undefined> {
    if (!this.autoRefresh) return undefined;
    const key = memoKey(pod.id, serviceType);
    const before = options.failedUrl ?? this.memo.get(key)?.raw ?? (await this.lookup(pod.id, serviceType));
    await this.refresh();
    const raw = await this.lookup(pod.id, serviceType);
    this.memo.set(key, { raw, expiresAt: Date.now() + this.memoMs });
    if (raw === undefined) return undefined;
    const url = substituteProject(raw, options.projectId);
    if (before === undefined) return url;
    return url === substituteProject(before, options.projectId) ? undefined : url;
  }

  /** Forget memoised URLs (e.g. after an operator changed an override). */
  forget(podId?: string): void {
    if (podId === undefined) this.memo.clear();
    else for (const key of this.memo.keys()) if (key.startsWith(`${podId}\u0000`)) this.memo.delete(key);
  }

  private get autoRefresh(): boolean {
    return this.options.autoRefresh ?? true;
  }

  private async lookup(podId: string, serviceType: ServiceType): Promise<string | undefined> {
    return (await this.options.store.get(podId, serviceType))?.url;
  }

  /** One catalog read at a time, and a read that just finished is as good as a new one. */
  private async refresh(): Promise<void> {
    if (this.refreshing) return this.refreshing;
    if (Date.now() - this.lastRefreshAt < this.minRefreshMs) return;
    this.refreshing = this.readCatalog().finally(() => {
      this.lastRefreshAt = Date.now();
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async readCatalog(): Promise<void> {
    const endpoints = await this.publicEndpoints();
    const pods = await this.options.store.listPods();
    const rows: { podId: string; serviceType: string; url: string }[] = [];
    for (const pod of pods) {
      for (const [ours, theirs] of Object.entries(CATALOG_TYPES)) {
        for (const type of theirs) {
          const hit = endpoints.find((e) => e.region === pod.regionName && e.type === type);
          if (hit) {
            rows.push({ podId: pod.id, serviceType: ours, url: hit.url.replace(/\/+$/, '') });
            break;
          }
        }
      }
    }
    await this.options.store.saveCatalog(rows);
    this.memo.clear();
  }

  /**
   * Public endpoints of enabled services, read from `/v3/endpoints` and `/v3/services` (always current);
   * if the service account may not list them, from a freshly issued token's catalog.
   */
  private async publicEndpoints(): Promise<{ region: string; type: string; url: string }[]> {
    const auth = this.options.serviceAuth;
    for (let attempt = 0; attempt < 2; attempt++) {
      const { token } = await auth.getToken();
      const [endpoints, services] = await Promise.all([auth.keystone.call('GET', '/endpoints?interface=public', { token }), auth.keystone.call('GET', '/services', { token })]);
      if (endpoints.status === 401 || services.status === 401) {
        auth.invalidate(token);
        continue;
      }
      if (endpoints.status === 403 || services.status === 403) return this.tokenCatalogEndpoints();
      if (endpoints.status !== 200 || services.status !== 200) {
        const failed = endpoints.status !== 200 ? endpoints : services;
        const detail = keystoneMessage(failed.body);
        throw new IdentityUnavailableError(`Keystone failed to list the catalog (HTTP ${failed.status}${detail ? `: ${detail}` : ''}).`);
      }
      return joinEndpoints(endpoints.body, services.body);
    }
    throw new IdentityUnavailableError('Keystone refused the service token while listing the catalog.');
  }

  private async tokenCatalogEndpoints(): Promise<{ region: string; type: string; url: string }[]> {
    this.options.serviceAuth.invalidate();
    const { catalog, projectId } = await this.options.serviceAuth.getToken();
    // Keystone filled `$(project_id)s` with the service project; put the placeholder back.
    const unscope = (url: string): string =>
      projectId
        ? url
            .split('/')
            .map((part) => (part === projectId ? '$(project_id)s' : part))
            .join('/')
        : url;
    return catalog.flatMap((entry) => entry.endpoints.filter((e) => e.interface === 'public').map((e) => ({ region: e.region, type: entry.type, url: unscope(e.url) })));
  }
}

function joinEndpoints(endpointsBody: unknown, servicesBody: unknown): { region: string; type: string; url: string }[] {
  const list = (body: unknown, key: string): Record<string, unknown>[] => {
    const items = (body as Record<string, unknown> | undefined)?.[key];
    return Array.isArray(items) ? items.filter((i): i is Record<string, unknown> => i !== null && typeof i === 'object') : [];
  };
  const typeOf = new Map<string, string>();
  for (const s of list(servicesBody, 'services')) {
    if (s.enabled !== false && typeof s.id === 'string' && typeof s.type === 'string') typeOf.set(s.id, s.type);
  }
  const rows: { region: string; type: string; url: string }[] = [];
  for (const e of list(endpointsBody, 'endpoints')) {
    if (e.enabled === false || e.interface !== 'public' || typeof e.url !== 'string') continue;
    const type = typeof e.service_id === 'string' ? typeOf.get(e.service_id) : undefined;
    const region = typeof e.region_id === 'string' && e.region_id ? e.region_id : typeof e.region === 'string' ? e.region : '';
    if (type && region) rows.push({ region, type, url: e.url });
  }
  return rows;
}

function memoKey(podId: string, serviceType: string): string {
  return `${podId}\u0000${serviceType}`;
}

function substituteProject(url: string, projectId: string | undefined): string {
  if (projectId !== undefined && projectId !== '') return url.replace(PROJECT_PLACEHOLDER, encodeURIComponent(projectId));
  return url.replace(new RegExp(`/?(?:${PROJECT_PLACEHOLDER.source})`, 'g'), '');
}

function notFound(pod: PodRef, serviceType: ServiceType): EndpointNotFoundError {
  return new EndpointNotFoundError(pod.id, serviceType, `No public ${serviceType} endpoint is known for pod ${pod.regionName}.`);
}
