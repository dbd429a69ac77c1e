import type { JsonObject } from '../../bottom/index.js';
import { type ApiError, badRequest, notFound } from '../../common/index.js';
import { listAcrossPods, pagedPodQuery, type FailedPod, type MarkerRecord, type RecordAccess, type SortKey } from '../../fanout/index.js';
import type { Pod } from '../../pods/index.js';
import type { CinderCall } from '../call.js';
import type { CinderDeps } from '../deps.js';
import type { CinderPods } from '../podCalls.js';
import { parseJson, type Relay } from '../relay.js';
import type { PodResourceKind } from './kinds.js';

/** Response header naming the pods left out of a cross-pod answer (down, timed out or failing). */
export const UNAVAILABLE_PODS_HEADER = 'x-tricircle-unavailable-pods';

export interface Listed {
  rec: JsonObject;
  pod: Pod;
}

/** Query parameters the gateway consumes itself; every other one is a filter passed to the pods. */
const OWN_PARAMS = new Set(['limit', 'marker', 'sort', 'sort_key', 'sort_dir', 'offset', 'with_count', 'all_tenants', 'project_id']);

/** Cinder's sort parameters against a set of keys: `sort=k1:d1,k2` or `sort_key`/`sort_dir`; `created_at` and `id` complete the order. */
export function parseSortKeys(
  keys: Readonly<Record<string, unknown>>,
  sort: string | undefined,
  sortKey: string | undefined,
  sortDir: string | undefined,
  aliases: Record<string, string> = {},
): SortKey[] {
  if (sort !== undefined && (sortKey !== undefined || sortDir !== undefined)) {
    throw badRequest("The 'sort_key' and 'sort_dir' parameters are deprecated and cannot be used with the 'sort' parameter.");
  }
  const pairs: [string, string][] = [];
  if (sort !== undefined) {
    for (const part of sort.split(',')) {
      if (part.trim() === '') continue;
      const [key, dir] = part.split(':', 2);
      pairs.push([key.trim(), (dir ?? '').trim() || 'desc']);
    }
  } else if (sortKey !== undefined || sortDir !== undefined) {
    pairs.push([(sortKey ?? 'created_at').trim(), (sortDir ?? 'desc').trim()]);
  }
  const out: SortKey[] = [];
  for (const [key, dir] of pairs) {
    if (!Object.hasOwn(keys, key)) throw badRequest(`Invalid input received: Invalid sort key: ${key}.`);
    const d = dir.toLowerCase();
    if (d !== 'asc' && d !== 'desc') throw badRequest("Invalid input received: Unknown sort direction, must be 'desc' or 'asc'.");
    const canonical = aliases[key] ?? key;
    if (!out.some((k) => k.key === canonical)) out.push({ key: canonical, dir: d });
  }
  const fallback = out[0]?.dir ?? 'desc';
  for (const key of ['created_at', 'id']) if (!out.some((k) => k.key === key)) out.push({ key, dir: fallback });
  return out;
}

/** `limit` as Cinder reads it, capped at max_limit; no limit means max_limit. */
export function parseLimit(text: string | undefined, maxLimit: number): number {
  if (text === undefined) return maxLimit;
  if (!/^-?\d+$/.test(text.trim())) throw badRequest('limit param must be an integer');
  const n = Number(text);
  if (n < 0) throw badRequest('limit param must be positive');
  return Math.min(n, maxLimit);
}

/** `offset` as Cinder reads it: a whole number of records to skip (0 when absent). */
export function parseOffset(text: string | undefined): number {
  if (text === undefined) return 0;
  if (!/^-?\d+$/.test(text.trim())) throw badRequest('offset param must be an integer');
  const n = Number(text);
  if (n < 0) throw badRequest('offset param must be positive');
  return n;
}

/**
 * The pods a list asks: healthy ones, and a pod marked down once every down_pod_probe_interval
 * (so its recovery is noticed); the others are left out and named in the header.
 */
export class PodPicker {
  private readonly lastAttempt = new Map<string, number>();

  constructor(private readonly deps: CinderDeps) {}

  split(pods: Pod[]): { up: Pod[]; down: Pod[] } {
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

  headers(failed: FailedPod[], what: string): Record<string, string> {
    if (failed.length === 0) return {};
    for (const f of failed) this.deps.core.logger.warn({ pod: f.region, reason: f.reason }, `pod left out of a ${what} list`);
    return { [UNAVAILABLE_PODS_HEADER]: [...new Set(failed.map((f) => f.region))].join(', ') };
  }
}

/**
 * Lists of a pod-resident resource across pods through the fan-out engine (docs/fanout.md), like
 * the volume list: the pods holding routed records of the kind are asked their detailed list with
 * the engine's sort and native paging; only routed records (of the project) are shown and hidden
 * ones never shorten or shift a page; the marker is found by value through its route; pods that
 * fail are named in `X-Tricircle-Unavailable-Pods`. Unrouted kinds (messages) show every record.
 */
export class PodResourceLister {
  constructor(
    private readonly deps: CinderDeps,
    private readonly pods: CinderPods,
    private readonly picker: PodPicker,
  ) {}

  /** `present` rewrites the gathered records in place before they are shown (pod ids → top ids). */
  async list(call: CinderCall, kind: PodResourceKind, detail: boolean, present?: (records: readonly Listed[]) => Promise<void>): Promise<Relay> {
    const params = new URLSearchParams(call.rawQuery);
    const last = (k: string) => {
      const all = params.getAll(k);
      return all.length > 0 ? all[all.length - 1] : undefined;
    };
    const limit = parseLimit(last('limit'), this.deps.settings.maxLimit);
    const offset = parseOffset(last('offset'));
    const sortKeys = parseSortKeys(kind.sort, last('sort'), last('sort_key'), last('sort_dir'), { display_name: 'name' });
    const allTenants = call.ctx.isAdmin && params.has('all_tenants') && !['false', '0', 'off', 'no', 'n', 'f'].includes((last('all_tenants') ?? '').toLowerCase());
    const filters = new URLSearchParams();
    for (const [k, v] of params) if (!OWN_PARAMS.has(k)) filters.append(k, v);
    if (allTenants) {
      filters.set('all_tenants', '1');
      const project = last('project_id');
      if (project !== undefined) filters.set('project_id', project);
    }
    const scope = allTenants ? last('project_id') : call.ctx.projectId;
    const marker = last('marker') || undefined;
    // An offset skips that many records of the merged order: the first limit + offset are gathered.
    const page = await this.collect(call, kind, { sortKeys, limit: limit + offset, marker, scope, filters });
    const records = page.records.slice(offset);
    if (present) await present(records);
    const body: JsonObject = { [kind.plural]: detail ? records.map((r) => r.rec) : records.map((r) => kind.brief(r.rec)) };
    if (page.nextMarker !== undefined && records.length > 0) {
      const next = new URLSearchParams(params);
      next.set('marker', page.nextMarker);
      next.delete('offset');
      body[`${kind.plural}_links`] = [{ href: `${call.links.versioned}/${kind.collection}${detail ? '/detail' : ''}?${next}`, rel: 'next' }];
    }
    return { status: 200, headers: this.picker.headers(page.failed, kind.member), body };
  }

  private async candidatePods(kind: PodResourceKind, scope: string | undefined): Promise<Pod[]> {
    const pods = await this.pods.bottomPods();
    if (!kind.routeType) return pods;
    const holding = new Set(await this.deps.core.routings.podIdsHolding(kind.routeType, scope !== undefined ? { projectId: scope } : {}));
    return pods.filter((p) => holding.has(p.id));
  }

  private async collect(
    call: CinderCall,
    kind: PodResourceKind,
    request: { sortKeys: SortKey[]; limit: number; marker?: string; scope: string | undefined; filters: URLSearchParams },
  ): Promise<{ records: Listed[]; nextMarker?: string; failed: FailedPod[] }> {
    const { up, down } = this.picker.split(await this.candidatePods(kind, request.scope));
    const seen = new Map<string, Listed>();
    let clientError: ApiError | undefined;
    const access: RecordAccess<Listed> = { id: (r) => String(r.rec.id), getSortValue: (r, key) => kind.sort[key]?.(r.rec) };

    const findMarker = async (id: string): Promise<MarkerRecord<Listed> | undefined> => {
      const known = seen.get(id);
      if (known) return { record: known, podId: known.pod.id, podMarker: id };
      const candidates = kind.routeType ? await this.routedPods(kind.routeType, id, request.scope) : up;
      for (const pod of candidates) {
        const res = await this.pods.request(call, pod, { method: 'GET', path: `/${kind.collection}/${encodeURIComponent(id)}`, timeoutMs: this.deps.settings.listTimeoutMs });
        if (res.status !== 200) continue;
        const rec = (parseJson(this.pods.links(call, res).bytes(res.body)) as Record<string, JsonObject> | undefined)?.[kind.member];
        if (rec) return { record: { rec, pod }, podId: pod.id, podMarker: id };
      }
      throw notFound(`Marker ${id} could not be found.`);
    };

    const queryPod = pagedPodQuery<Listed, Pod>(
      async (pod, page) => {
        const query = new URLSearchParams(request.filters);
        query.set('sort', page.sortKeys.map((k) => `${k.key}:${k.dir}`).join(','));
        query.set('limit', String(page.limit));
        if (page.marker !== undefined) query.set('marker', page.marker);
        const res = await this.pods.request(call, pod, { method: 'GET', path: kind.detailPath, query, timeoutMs: this.deps.settings.listTimeoutMs });
        if (res.status >= 400) {
          const err = this.pods.client(pod).error(res.status, res.body, res.headers);
          if (res.status < 500 && res.status !== 408 && res.status !== 429) clientError ??= err;
          throw err;
        }
        const body = parseJson(this.pods.links(call, res).bytes(res.body)) as Record<string, unknown> | undefined;
        const records = body?.[kind.plural];
        if (!Array.isArray(records)) throw new Error(`pod ${pod.regionName} answered a ${kind.member} list without "${kind.plural}"`);
        const links = body?.[`${kind.plural}_links`] as { rel?: string }[] | undefined;
        return { records: (records as JsonObject[]).map((rec) => ({ rec, pod })), hasMore: Boolean(links?.some((l) => l.rel === 'next')) };
      },
      { maxPageSize: this.deps.settings.maxLimit },
    );

    const visible: Listed[] = [];
    const failed = new Map<string, FailedPod>();
    let asked = up;
    let skipped = down;
    let marker = request.marker;
    for (;;) {
      const page = await listAcrossPods<Listed, Pod>({
        pods: asked,
        downPods: skipped,
        sortKeys: request.sortKeys,
        limit: request.limit - visible.length,
        marker,
        findMarker,
        queryPod,
        access,
        timeoutMs: this.deps.settings.listTimeoutMs,
      });
      if (clientError) throw clientError;
      for (const f of page.failedPods) failed.set(f.podId, f);
      const routed = await this.routedKeys(kind, page.records, request.scope);
      for (const r of page.records) {
        seen.set(String(r.rec.id), r);
        if (routed === undefined || routed.has(`${r.pod.id}/${String(r.rec.id)}`)) visible.push(r);
      }
      if (page.nextMarker === undefined || visible.length >= request.limit) break;
      marker = page.nextMarker;
      asked = asked.filter((p) => !failed.has(p.id));
      skipped = [...skipped, ...up.filter((p) => failed.has(p.id) && !skipped.includes(p))];
    }
    const nextMarker = request.limit > 0 && visible.length === request.limit ? String(visible[visible.length - 1].rec.id) : undefined;
    return { records: visible, nextMarker, failed: [...failed.values()] };
  }

  /** `podId/id` keys of the routed records among `records`; undefined for unrouted kinds (all visible). */
  private async routedKeys(kind: PodResourceKind, records: Listed[], scope: string | undefined): Promise<Set<string> | undefined> {
    if (!kind.routeType) return undefined;
    const ids = [...new Set(records.map((r) => String(r.rec.id)))];
    const routes = await this.deps.core.routings.findByTops(kind.routeType, ids, { complete: true, ...(scope !== undefined ? { projectId: scope } : {}) });
    return new Set(routes.map((r) => `${r.podId}/${r.topId}`));
  }

  private async routedPods(routeType: string, id: string, scope: string | undefined): Promise<Pod[]> {
    const routes = await this.deps.core.routings.findByTop(id, routeType, scope);
    const out: Pod[] = [];
    for (const r of routes) {
      const pod = r.bottomId ? await this.deps.core.pods.find(r.podId) : undefined;
      if (pod) out.push(pod);
    }
    if (out.length === 0) throw notFound(`Marker ${id} could not be found.`);
    return out;
  }
}
