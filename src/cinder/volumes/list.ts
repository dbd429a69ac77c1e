import type { JsonObject } from '../../bottom/index.js';
import { type ApiError, badRequest, notFound } from '../../common/index.js';
import { listAcrossPods, pagedPodQuery, type FailedPod, type MarkerRecord, type RecordAccess, type SortKey } from '../../fanout/index.js';
import type { Pod } from '../../pods/index.js';
import type { CinderCall } from '../call.js';
import type { CinderDeps } from '../deps.js';
import type { CinderPods } from '../podCalls.js';
import { parseSortKeys, UNAVAILABLE_PODS_HEADER } from '../resources/lister.js';
import { parseJson, type Relay } from '../relay.js';
import type { VolumeTypeStore } from '../types/store.js';
import type { VolumeTypeSync } from '../types/sync.js';
import type { VolumePlacement } from './placement.js';
import { briefVolume, presentVolume } from './present.js';

/** A volume as a pod listed it, with the pod. */
interface Listed {
  vol: JsonObject;
  pod: Pod;
}

export { UNAVAILABLE_PODS_HEADER };

/** Sort keys a list may use, and how the merge reads each from a listed volume (as the pods sort it). */
const SORT_ACCESS: Record<string, (r: Listed) => unknown> = {
  id: (r) => r.vol.id,
  name: (r) => r.vol.name,
  display_name: (r) => r.vol.name,
  description: (r) => r.vol.description,
  display_description: (r) => r.vol.description,
  status: (r) => r.vol.status,
  size: (r) => r.vol.size,
  // A pod holds one AZ, so its order agrees with the top name's order.
  availability_zone: (r) => r.pod.azName,
  created_at: (r) => r.vol.created_at,
  updated_at: (r) => r.vol.updated_at,
  bootable: (r) => (r.vol.bootable === undefined ? undefined : String(r.vol.bootable).toLowerCase() === 'true'),
  multiattach: (r) => r.vol.multiattach,
  user_id: (r) => r.vol.user_id,
  project_id: (r) => r.vol['os-vol-tenant-attr:tenant_id'],
};

/** Query parameters the gateway consumes itself; every other one is a filter passed to the pods. */
const OWN_PARAMS = new Set(['limit', 'marker', 'sort', 'sort_key', 'sort_dir', 'offset', 'with_count', 'availability_zone', 'volume_type', 'all_tenants', 'project_id']);

interface ListRequest {
  sortKeys: SortKey[];
  limit: number;
  marker?: string;
  /** The project whose routed volumes are visible; undefined for an admin's all_tenants list. */
  scope: string | undefined;
  allTenants: boolean;
  azName?: string;
  /** Filters for every pod, as given (availability_zone is set per pod). */
  filters: URLSearchParams;
}

interface Collected {
  records: Listed[];
  nextMarker?: string;
  failed: FailedPod[];
}

/**
 * `GET /volumes`, `/volumes/detail` and `/volumes/summary` across pods through the fan-out engine
 * (docs/fanout.md): one sorted page with a working `next` link, pods that fail or time out left out
 * and named in a header. Only volumes with a routing entry are shown, so volumes created directly
 * in a pod stay hidden; the engine pages over everything the pods return and the gateway drops the
 * hidden ones afterwards, continuing from the last record seen until the page is full, so hidden
 * volumes never shift or shorten a page.
 */
export class VolumeLister {
  /** When each pod marked down was last asked anyway (so a recovered pod is noticed). */
  private readonly lastAttempt = new Map<string, number>();

  constructor(
    private readonly deps: CinderDeps,
    private readonly pods: CinderPods,
    private readonly placement: VolumePlacement,
    private readonly typeStore: VolumeTypeStore,
    private readonly typeSync: VolumeTypeSync,
  ) {}

  async list(call: CinderCall, detail: boolean): Promise<Relay> {
    const params = new URLSearchParams(call.rawQuery);
    const request = await this.parse(call, params);
    const page = await this.collect(call, request);
    const records = detail ? await this.present(page.records) : page.records.map((r) => briefVolume(r.vol));
    const body: JsonObject = { volumes: records };
    if (page.nextMarker !== undefined) {
      const next = new URLSearchParams(params);
      next.set('marker', page.nextMarker);
      body.volumes_links = [{ href: `${call.links.versioned}/volumes${detail ? '/detail' : ''}?${next}`, rel: 'next' }];
    }
    return { status: 200, headers: this.failureHeaders(page.failed), body };
  }

  /** `GET /volumes/summary` (3.12+): totals over every visible volume matching the filters. */
  async summary(call: CinderCall): Promise<Relay> {
    if (!call.version.ge('3.12')) throw notFound('The resource could not be found.');
    const params = new URLSearchParams(call.rawQuery);
    params.delete('limit');
    params.delete('marker');
    const request = await this.parse(call, params);
    let totalSize = 0;
    let totalCount = 0;
    const metadata: Record<string, string[]> = {};
    const failed = new Map<string, FailedPod>();
    let marker: string | undefined;
    for (;;) {
      const page = await this.collect(call, { ...request, limit: this.deps.settings.maxLimit, marker });
      for (const f of page.failed) failed.set(f.podId, f);
      for (const { vol } of page.records) {
        totalCount += 1;
        totalSize += typeof vol.size === 'number' ? vol.size : 0;
        for (const [k, v] of Object.entries((vol.metadata as Record<string, string> | undefined) ?? {})) {
          const values = (metadata[k] ??= []);
          if (!values.includes(v)) values.push(v);
        }
      }
      if (page.nextMarker === undefined) break;
      marker = page.nextMarker;
    }
    const summary: JsonObject = { total_size: totalSize, total_count: totalCount };
    if (call.version.ge('3.36')) summary.metadata = metadata;
    return { status: 200, headers: this.failureHeaders([...failed.values()]), body: { 'volume-summary': summary } };
  }

  private failureHeaders(failed: FailedPod[]): Record<string, string> {
    if (failed.length === 0) return {};
    for (const f of failed) this.deps.core.logger.warn({ pod: f.region, reason: f.reason }, 'pod left out of a volume list');
    return { [UNAVAILABLE_PODS_HEADER]: [...new Set(failed.map((f) => f.region))].join(', ') };
  }

  private async present(records: Listed[]): Promise<JsonObject[]> {
    const typeIds = await this.typeSync.topIdsByPod(records.map((r) => r.pod.id));
    return records.map((r) => presentVolume(r.vol, r.pod, typeIds.get(r.pod.id)));
  }

  private async parse(call: CinderCall, params: URLSearchParams): Promise<ListRequest> {
    const last = (k: string) => {
      const all = params.getAll(k);
      return all.length > 0 ? all[all.length - 1] : undefined;
    };
    if (params.has('offset')) throw badRequest('offset is not supported by the Tricircle volume list: page with marker instead.');
    const maxLimit = this.deps.settings.maxLimit;
    let limit = maxLimit;
    const limitText = last('limit');
    if (limitText !== undefined) {
      if (!/^-?\d+$/.test(limitText.trim())) throw badRequest('limit param must be an integer');
      const n = Number(limitText);
      if (n < 0) throw badRequest('limit param must be positive');
      limit = Math.min(n, maxLimit);
    }
    const sortKeys = parseSort(last('sort'), last('sort_key'), last('sort_dir'));
    const allTenants = call.ctx.isAdmin && params.has('all_tenants') && !['false', '0', 'off', 'no', 'n', 'f'].includes((last('all_tenants') ?? '').toLowerCase());
    const filters = new URLSearchParams();
    for (const [k, v] of params) if (!OWN_PARAMS.has(k)) filters.append(k, v);
    if (allTenants) {
      filters.set('all_tenants', '1');
      const project = last('project_id');
      if (project !== undefined) filters.set('project_id', project);
    }
    const typeRef = last('volume_type');
    if (typeRef !== undefined) {
      const type = (await this.typeStore.find(typeRef)) ?? (await this.typeStore.findByName(typeRef));
      filters.set('volume_type', type?.name ?? typeRef);
    }
    const marker = last('marker');
    return {
      sortKeys,
      limit,
      marker: marker === undefined || marker === '' ? undefined : marker,
      scope: allTenants ? last('project_id') : call.ctx.projectId,
      allTenants,
      azName: last('availability_zone'),
      filters,
    };
  }

  /** The pods to ask and those to skip as down (asked again every down_pod_probe_interval). */
  private async pick(request: ListRequest): Promise<{ up: Pod[]; down: Pod[] }> {
    const holding = await this.placement.podsWithVolumes(request.scope);
    let pods = (await this.pods.bottomPods()).filter((p) => holding.has(p.id));
    if (request.azName !== undefined) pods = pods.filter((p) => p.azName === request.azName);
    const now = Date.now();
    const up: Pod[] = [];
    const down: Pod[] = [];
    for (const pod of pods) {
      if (this.deps.core.podHealth.isHealthy(pod)) {
        this.lastAttempt.delete(pod.id);
        up.push(pod);
      } else if (now - (this.lastAttempt.get(pod.id) ?? 0) >= this.deps.settings.downPodProbeMs) {
        this.lastAttempt.set(pod.id, now);
        up.push(pod);
      } else {
        down.push(pod);
      }
    }
    return { up, down };
  }

  /** One page of visible volumes. */
  private async collect(call: CinderCall, request: ListRequest): Promise<Collected> {
    const { up, down } = await this.pick(request);
    const seen = new Map<string, Listed>();
    let clientError: ApiError | undefined;

    const access: RecordAccess<Listed> = {
      id: (r) => String(r.vol.id),
      getSortValue: (r, key) => SORT_ACCESS[key]?.(r),
    };

    const findMarker = async (id: string): Promise<MarkerRecord<Listed> | undefined> => {
      const known = seen.get(id);
      if (known) return { record: known, podId: known.pod.id, podMarker: id };
      const placed = await this.placement.find(id, request.scope);
      if (!placed) throw notFound(`Marker ${id} could not be found.`);
      const res = await this.pods.request(call, placed.pod, {
        method: 'GET',
        path: `/volumes/${encodeURIComponent(placed.bottomId)}`,
        timeoutMs: this.deps.settings.listTimeoutMs,
      });
      if (res.status === 404) throw notFound(`Marker ${id} could not be found.`);
      if (res.status !== 200) throw this.pods.client(placed.pod).error(res.status, res.body, res.headers);
      const vol = (parseJson(this.pods.links(call, res).bytes(res.body)) as { volume?: JsonObject } | undefined)?.volume;
      if (!vol) throw notFound(`Marker ${id} could not be found.`);
      return { record: { vol, pod: placed.pod }, podId: placed.pod.id, podMarker: placed.bottomId };
    };

    const queryPod = pagedPodQuery<Listed, Pod>(
      async (pod, page) => {
        const query = new URLSearchParams(request.filters);
        if (request.azName !== undefined && pod.podAzName) query.set('availability_zone', pod.podAzName);
        query.set('sort', page.sortKeys.map((k) => `${k.key}:${k.dir}`).join(','));
        query.set('limit', String(page.limit));
        if (page.marker !== undefined) query.set('marker', page.marker);
        const res = await this.pods.request(call, pod, { method: 'GET', path: '/volumes/detail', query, timeoutMs: this.deps.settings.listTimeoutMs });
        if (res.status >= 400) {
          const err = this.pods.client(pod).error(res.status, res.body, res.headers);
          // The request itself is wrong (a bad filter, say): that is the client's answer, not a pod outage.
          if (res.status < 500 && res.status !== 408 && res.status !== 429) clientError ??= err;
          throw err;
        }
        const body = parseJson(this.pods.links(call, res).bytes(res.body)) as { volumes?: JsonObject[]; volumes_links?: { rel?: string }[] } | undefined;
        if (!Array.isArray(body?.volumes)) throw new Error(`pod ${pod.regionName} answered a volume list without "volumes"`);
        return {
          records: body.volumes.map((vol) => ({ vol, pod })),
          hasMore: Boolean(body.volumes_links?.some((l) => l.rel === 'next')),
        };
      },
      { maxPageSize: this.deps.settings.maxLimit },
    );

    const visible: Listed[] = [];
    const failed = new Map<string, FailedPod>();
    let asked = up;
    let skipped = down;
    let marker = request.marker;
    for (;;) {
      const remaining = request.limit - visible.length;
      const page = await listAcrossPods<Listed, Pod>({
        pods: asked,
        downPods: skipped,
        sortKeys: request.sortKeys,
        limit: remaining,
        marker,
        findMarker,
        queryPod,
        access,
        timeoutMs: this.deps.settings.listTimeoutMs,
      });
      if (clientError) throw clientError;
      for (const f of page.failedPods) failed.set(f.podId, f);
      const routed = await this.placement.routedKeys(
        page.records.map((r) => String(r.vol.id)),
        request.scope,
      );
      for (const r of page.records) {
        seen.set(String(r.vol.id), r);
        if (routed.has(`${r.pod.id}/${String(r.vol.id)}`)) visible.push(r);
      }
      if (page.nextMarker === undefined || visible.length >= request.limit) break;
      // The page held hidden volumes: go on after the last record seen, without the pods that failed.
      marker = page.nextMarker;
      asked = asked.filter((p) => !failed.has(p.id));
      skipped = [...skipped, ...up.filter((p) => failed.has(p.id) && !skipped.includes(p))];
    }
    const nextMarker = request.limit > 0 && visible.length === request.limit ? String(visible[visible.length - 1].vol.id) : undefined;
    return { records: visible, nextMarker, failed: [...failed.values()] };
  }
}

/** Cinder's sort parameters over the volume keys: `sort=k1:d1,k2` or the older `sort_key`/`sort_dir`; `created_at` and `id` complete the order. */
export function parseSort(sort: string | undefined, sortKey: string | undefined, sortDir: string | undefined): SortKey[] {
  return parseSortKeys(SORT_ACCESS, sort, sortKey, sortDir, { display_name: 'name', display_description: 'description' });
}
