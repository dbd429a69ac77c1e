import { isJsonObject, badRequest, forbidden } from '../../common/index.js';
import { BottomError, PodUnreachableError, type PodClientFactory } from '../../bottom/index.js';
import { isoSeconds } from '../../db/index.js';
import { listAcrossPods, PageSizeHints, pagedPodQuery, resolveSortKeys, routedPlaceholders, type SortKey } from '../../fanout/index.js';
import type { Pod } from '../../pods/index.js';
import type { Routing, RoutingTable } from '../../routing/index.js';
import type { PodForwarder } from '../forward.js';
import { qAll, qLast, type NovaCall } from '../call.js';
import { linkPair, nextLink } from '../links.js';
import type { PodDirectory } from '../podDirectory.js';
import type { ServerPods } from '../serverPods.js';
import type { AddressLabels } from './addresses.js';
import { visibleTo, type ServerLocator } from './locator.js';

type Json = Record<string, unknown>;

/** A server of a merged list: a pod's detailed view, or a stand-in for a server in a silent pod. */
interface ListedServer {
  s: Json;
  podId: string;
  placeholder: boolean;
}

interface SortField {
  /** The top-level member of a server view holding the value. */
  member: string;
  /** Turns the member's value into the sort value. */
  map?(v: unknown): unknown;
  /** Whether the pods' views carry the field for this caller and version (else the key cannot be merged). */
  visible?(call: NovaCall): boolean;
}

const admin = (call: NovaCall) => call.ctx.isAdmin;
const admin23 = (call: NovaCall) => call.ctx.isAdmin && call.version.ge('2.3');
const field = (member: string, visible?: SortField['visible']): SortField => ({ member, visible });

/** Nova's server sort keys, and where each one's value is in a server view. */
const SORT_FIELDS: Record<string, SortField> = {
  access_ip_v4: field('accessIPv4'),
  access_ip_v6: field('accessIPv6'),
  auto_disk_config: { member: 'OS-DCF:diskConfig', map: (v) => (v === undefined ? undefined : v === 'AUTO') },
  availability_zone: field('OS-EXT-AZ:availability_zone'),
  config_drive: field('config_drive'),
  created_at: field('created'),
  display_description: field('description', (c) => c.version.ge('2.19')),
  display_name: field('name'),
  host: field('OS-EXT-SRV-ATTR:host', admin),
  hostname: field('OS-EXT-SRV-ATTR:hostname', (c) => admin23(c) || c.version.ge('2.90')),
  id: field('id'),
  image_ref: { member: 'image', map: (v) => (isJsonObject(v) ? v.id : v === undefined ? undefined : '') },
  kernel_id: field('OS-EXT-SRV-ATTR:kernel_id', admin23),
  key_name: field('key_name'),
  launch_index: field('OS-EXT-SRV-ATTR:launch_index', admin23),
  launched_at: field('OS-SRV-USG:launched_at'),
  locked: field('locked', (c) => c.version.ge('2.9')),
  node: field('OS-EXT-SRV-ATTR:hypervisor_hostname', admin),
  power_state: field('OS-EXT-STS:power_state'),
  progress: field('progress'),
  project_id: field('tenant_id'),
  ramdisk_id: field('OS-EXT-SRV-ATTR:ramdisk_id', admin23),
  root_device_name: field('OS-EXT-SRV-ATTR:root_device_name', admin23),
  task_state: field('OS-EXT-STS:task_state'),
  terminated_at: field('OS-SRV-USG:terminated_at'),
  updated_at: field('updated'),
  user_id: field('user_id'),
  uuid: field('id'),
  vm_state: field('OS-EXT-STS:vm_state'),
};

function memberOf(r: ListedServer, member: string): unknown {
  return r.s[member];
}

function sortValue(r: ListedServer, key: string): unknown {
  const f = SORT_FIELDS[key] ?? SORT_FIELDS.id;
  const v = memberOf(r, f.member);
  return f.map ? f.map(v) : v;
}

/** Sort keys Nova accepts that no server view shows: a merge across pods cannot honour them. */
const UNMERGEABLE = new Set(['instance_type_id', 'locked_by']);

/** Query parameters that are paging, not filtering. */
const PAGING = new Set(['limit', 'marker', 'sort_key', 'sort_dir']);
/** Parameters that scope a list without filtering it (Nova 2.69 still shows down-cell stand-ins). */
const SCOPING = new Set(['all_tenants', 'project_id', 'tenant_id']);

export interface ServerListerDeps {
  clients: PodClientFactory;
  forwarder: PodForwarder;
  pods: PodDirectory;
  routings: RoutingTable;
  locator: ServerLocator;
  serverPods: ServerPods;
  labels: AddressLabels;
  listPodTimeoutMs: number;
  maxLimit: number;
  downPodProbeIntervalMs: number;
}

export interface ServerListPage {
  body: string;
  /** Regions that were down or did not answer in time. */
  unavailablePods: string[];
}

/**
 * `GET /servers` and `/servers/detail` across pods, with the fan-out engine: the pods that hold the
 * project's servers are asked in parallel (each within its own deadline), their sorted pages merged,
 * `limit` and `marker` honoured globally, and pods that are down reported, with Nova 2.69 `UNKNOWN`
 * stand-ins for their servers when the request has no filters.
 */
export class ServerLister {
  /** When each pod last failed a list (it is then skipped for the probe interval). */
  private readonly lastFailure = new Map<string, number>();
  private readonly lastAttempt = new Map<string, number>();
  /** What earlier pages learned of each pod's tie groups: sizes the next page's requests. */
  private readonly sizeHints = new PageSizeHints();

  constructor(private readonly deps: ServerListerDeps) {}

  async list(call: NovaCall, detail: boolean): Promise<ServerListPage> {
    const { ctx, query } = call;
    const limitText = qLast(query, 'limit');
    let limit = this.deps.maxLimit;
    if (limitText !== undefined) {
      if (!/^-?\d+$/.test(limitText.trim())) throw badRequest(`Invalid input for query parameters limit. Value: ${limitText}. '${limitText}' does not match '^[0-9]*$'`);
      if (Number(limitText) < 0) throw badRequest('limit param must be positive');
      limit = Math.min(Number(limitText), this.deps.maxLimit);
    }
    const marker = qLast(query, 'marker');
    const sortKeys = this.sortKeys(call);

    const allTenantsText = qLast(query, 'all_tenants');
    const allTenants = allTenantsText !== undefined && !['0', 'false', 'f', 'off', 'no', 'n'].includes(allTenantsText.toLowerCase());
    if (allTenants && !ctx.isAdmin) throw forbidden("Policy doesn't allow os_compute_api:servers:index:get_all_tenants to be performed.");
    const tenantParam = qLast(query, 'project_id') ?? qLast(query, 'tenant_id');
    const scopeProject = ctx.isAdmin && tenantParam !== undefined ? tenantParam : ctx.isAdmin && allTenants ? undefined : ctx.projectId;

    // The pods' own query: every filter but the availability zone, which picks pods instead.
    const filters = new URLSearchParams();
    let azFilter: string | undefined;
    let filtered = false;
    for (const [key, value] of Object.entries(query)) {
      if (value === undefined || PAGING.has(key)) continue;
      if (key === 'availability_zone') {
        if (ctx.isAdmin || call.version.ge('2.83')) {
          azFilter = Array.isArray(value) ? value[value.length - 1] : value;
          filtered = true;
        }
        continue;
      }
      if (!SCOPING.has(key)) filtered = true;
      for (const v of Array.isArray(value) ? value : [value]) filters.append(key, v);
    }

    const now = Date.now();
    const probe = this.deps.downPodProbeIntervalMs;
    let pods = await this.deps.serverPods.podsWithServers(scopeProject);
    if (azFilter !== undefined) pods = pods.filter((p) => p.azName === azFilter);
    const skip = (p: Pod) => {
      if (probe <= 0) return false;
      const failed = this.lastFailure.get(p.id);
      if (failed !== undefined && now - failed < probe) return true;
      const tried = this.lastAttempt.get(p.id);
      return p.health === 'down' && tried !== undefined && now - tried < probe;
    };
    const asked = pods.filter((p) => !skip(p));
    const down = pods.filter(skip);
    for (const p of asked) this.lastAttempt.set(p.id, now);

    const placeholdersWanted = !filtered && call.version.ge('2.69');
    const placeholder = (route: Routing, pod: Pod): ListedServer => ({
      s: {
        id: route.topId,
        status: 'UNKNOWN',
        tenant_id: route.projectId,
        created: isoSeconds(route.createdAt),
        links: linkPair(call.links, 'servers', route.topId),
      },
      podId: pod.id,
      placeholder: true,
    });

    let clientError: BottomError | undefined;
    const timeoutMs = this.deps.listPodTimeoutMs;
    const fetchPage = async (pod: Pod, page: { sortKeys: readonly SortKey[]; limit: number; marker?: string; signal: AbortSignal }) => {
      const q = new URLSearchParams(filters);
      for (const k of page.sortKeys) {
        q.append('sort_key', k.key === 'id' ? 'uuid' : k.key);
        q.append('sort_dir', k.dir);
      }
      q.set('limit', String(page.limit));
      if (page.marker !== undefined) q.set('marker', page.marker);
      const res = await this.deps.forwarder.send(call, pod, { method: 'GET', path: '/servers/detail', rawQuery: q.toString(), timeoutMs });
      if (res.status !== 200) {
        const err = BottomError.fromResponse(pod.regionName, 'compute', res.status, res.body, res.headers);
        if (res.status >= 400 && res.status < 500 && res.status !== 404) clientError ??= err;
        throw err;
      }
      const body = JSON.parse(this.deps.forwarder.rewriteLinks(res).toString('utf8')) as { servers?: Json[]; servers_links?: { rel?: string }[] };
      const records: ListedServer[] = (body.servers ?? []).map((s) => {
        // The top AZ, before the merge: it is also a sort key.
        if ('OS-EXT-AZ:availability_zone' in s) s['OS-EXT-AZ:availability_zone'] = pod.azName;
        return { s, podId: pod.id, placeholder: false };
      });
      return { records, hasMore: Boolean(body.servers_links?.some((l) => l.rel === 'next')) };
    };

    const result = await listAcrossPods<ListedServer, Pod>({
      pods: asked,
      downPods: down,
      sortKeys,
      limit,
      marker,
      access: {
        id: (r) => String(memberOf(r, 'id')),
        getSortValue: sortValue,
      },
      findMarker: async (id) => {
        const route = await this.deps.locator.route(id);
        if (!route || !visibleTo(ctx, route) || (scopeProject !== undefined && route.projectId !== scopeProject)) return undefined;
        const pod = await this.deps.pods.get(route.podId);
        if (!pod) return undefined;
        try {
          const res = await this.deps.forwarder.send(call, pod, { method: 'GET', path: `/servers/${encodeURIComponent(route.bottomId)}`, timeoutMs });
          if (res.status !== 200) return undefined;
          const s = (JSON.parse(this.deps.forwarder.rewriteLinks(res).toString('utf8')) as { server: Json }).server;
          if ('OS-EXT-AZ:availability_zone' in s) s['OS-EXT-AZ:availability_zone'] = pod.azName;
          return { record: { s, podId: pod.id, placeholder: false }, podId: pod.id, podMarker: route.bottomId };
        } catch (err) {
          if (!(err instanceof PodUnreachableError) || !placeholdersWanted) throw err;
          const row = (await this.deps.routings.findByTop(id, 'server')).find((r) => r.podId === pod.id);
          return row ? { record: placeholder(row, pod), podId: pod.id, podMarker: route.bottomId } : undefined;
        }
      },
      queryPod: pagedPodQuery<ListedServer, Pod>(fetchPage, {
        podMarker: (r) => String(memberOf(r, 'id')),
        sizeHints: this.sizeHints,
        hintScope: `${scopeProject ?? '*'} ${filters}`,
      }),
      placeholders: placeholdersWanted
        ? routedPlaceholders<ListedServer, Pod>(this.deps.routings, { resourceType: 'server', ...(scopeProject !== undefined ? { projectId: scopeProject } : {}) }, placeholder)
        : undefined,
      timeoutMs,
    });
    if (clientError) throw clientError;

    const failedAt = Date.now();
    for (const f of result.failedPods) if (f.reason !== 'pod is down') this.lastFailure.set(f.podId, failedAt);
    for (const a of result.answeredPods) this.lastFailure.delete(a.podId);

    const views = result.records.map((r) => ({ s: r.s, placeholder: r.placeholder }));
    if (detail) {
      const addresses = views.flatMap(({ s }) => (isJsonObject(s.addresses) && Object.keys(s.addresses).length > 0 ? [s.addresses] : []));
      if (addresses.length > 0) await this.deps.labels.relabel(addresses);
      const groups = views.flatMap(({ s }) => (Array.isArray(s.security_groups) ? [s.security_groups as { name?: unknown }[]] : []));
      if (groups.length > 0) await this.deps.labels.renameGroups(groups);
    }
    const servers = views.map(({ s, placeholder }) => {
      if (detail) return s;
      if (placeholder) return { id: s.id, status: 'UNKNOWN', links: s.links };
      return { id: s.id, links: s.links, name: s.name };
    });
    const body: Json = { servers };
    if (result.nextMarker !== undefined) {
      body.servers_links = [{ href: nextLink(`${call.links.versioned}/servers${detail ? '/detail' : ''}`, call.rawQuery, result.nextMarker), rel: 'next' }];
    }
    return { body: JSON.stringify(body), unavailablePods: result.failedPods.map((f) => f.region) };
  }

  private sortKeys(call: NovaCall): SortKey[] {
    const keys = qAll(call.query, 'sort_key');
    const dirs = qAll(call.query, 'sort_dir');
    for (const k of keys) {
      if (UNMERGEABLE.has(k)) throw badRequest(`Sort key ${k} is not supported across pods: servers of different pods cannot be ordered by it.`);
      const f = SORT_FIELDS[k];
      if (!f || k === 'id' || (k === 'locked' && call.version.lt('2.73'))) {
        throw badRequest(`Invalid input for query parameters sort_key. Value: ${k}. '${k}' is not one of the valid sort keys`);
      }
      if ((k === 'host' || k === 'node') && !call.ctx.isAdmin) throw forbidden('Only administrators can sort servers by host or node');
      if (f.visible && !f.visible(call)) throw badRequest(`Sort key ${k} is not supported across pods for this request: the servers' views do not show it.`);
    }
    for (const d of dirs) {
      if (d !== 'asc' && d !== 'desc') throw badRequest(`Invalid input for query parameters sort_dir. Value: ${d}. '${d}' is not one of ['asc', 'desc']`);
    }
    // `uuid` is the id itself: the engine's tie-break key (sent to the pods as `uuid` again).
    return resolveSortKeys(
      keys.map((k) => (k === 'uuid' ? 'id' : k)),
      dirs,
    );
  }
}
