import { badRequest, isJsonObject, notFound } from '../common/index.js';
import { type Answer, answer } from '../gateway/index.js';
import type { Pod } from '../pods/index.js';
import { qLast, requireAdmin, type NovaCall } from './call.js';
import type { PodForwarder } from './forward.js';
import { type Gathered, type PodGather, type PodRecord, podOfHost, podOfIntId, topHost, topIntId } from './gather.js';
import { nextLink } from './links.js';
import type { PodDirectory } from './podDirectory.js';
import type { PolicyEnforcer } from '../policy/index.js';
import { UNAVAILABLE_PODS_HEADER } from './routes/reply.js';

type Json = Record<string, unknown>;

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A JSON answer, naming the pods left out. */
export function gathered(body: unknown, unavailable: string[], status = 200): Answer {
  return answer(status, body, unavailable.length > 0 ? { [UNAVAILABLE_PODS_HEADER]: unavailable.join(',') } : undefined);
}

/** The raw query without some keys. */
function queryWithout(rawQuery: string, drop: string[]): URLSearchParams {
  const q = new URLSearchParams(rawQuery);
  for (const k of drop) q.delete(k);
  return q;
}

const str = (v: unknown) => (v === undefined || v === null ? '' : String(v));

/**
 * The pods' hypervisors, compute services and hosts as one region's: every entry comes from its pod,
 * host names are prefixed by the pod's region (`<region>.<host>`), integer ids are made unique at the
 * top (UUIDs from 2.53 are already), zones are the top availability zones. Calls on one hypervisor,
 * service or host are routed to its pod.
 */
export class InfraService {
  constructor(private readonly deps: { gather: PodGather; forwarder: PodForwarder; pods: PodDirectory; policy: PolicyEnforcer; maxLimit: number }) {}

  // ------------------------------------------------------------------------------------------
  // Rewriting pod records

  private zone(pod: Pod, zone: unknown): unknown {
    return zone === 'internal' || typeof zone !== 'string' ? zone : pod.azName;
  }

  hypervisorView(pod: Pod, h: Json): Json {
    const out: Json = { ...h, id: topIntId(pod, h.id), hypervisor_hostname: topHost(pod, h.hypervisor_hostname) };
    if (isJsonObject(h.service)) out.service = { ...h.service, host: topHost(pod, h.service.host), id: topIntId(pod, h.service.id) };
    return out;
  }

  serviceView(pod: Pod, s: Json): Json {
    return { ...s, id: topIntId(pod, s.id), host: topHost(pod, s.host), zone: this.zone(pod, s.zone) };
  }

  /** The pod and pod-local id of a top hypervisor or service id (UUIDs are looked up in `find`). */
  private async podOfId(id: string, find: () => Promise<Pod | undefined>): Promise<{ pod: Pod; id: string } | undefined> {
    const pods = await this.deps.pods.bottom();
    if (UUID_RE.test(id)) {
      const pod = await find();
      return pod ? { pod, id } : undefined;
    }
    return podOfIntId(pods, id);
  }

  private async relay(
    call: NovaCall,
    pod: Pod,
    method: 'GET' | 'PUT' | 'DELETE' | 'POST',
    path: string,
    body?: unknown,
    rawQuery?: string,
  ): Promise<{ status: number; json?: Json; raw: Answer }> {
    const res = await this.deps.forwarder.send(call, pod, { method, path, ...(rawQuery ? { rawQuery } : {}), ...(body !== undefined ? { body } : {}) });
    const relayed = this.deps.forwarder.relay(res, pod);
    let json: Json | undefined;
    if (res.status < 300 && relayed.body.length > 0) {
      const parsed: unknown = JSON.parse(relayed.body.toString('utf8'));
      if (isJsonObject(parsed)) json = parsed;
    }
    return { status: res.status, json, raw: { status: relayed.status, headers: relayed.headers, body: relayed.body } };
  }

  // ------------------------------------------------------------------------------------------
  // Hypervisors

  async listHypervisors(call: NovaCall, detail: boolean): Promise<Answer> {
    requireAdmin(this.deps.policy, call.ctx, 'os_compute_api:os-hypervisors:list');
    const q = queryWithout(call.rawQuery, ['limit', 'marker', 'hypervisor_hostname_pattern']);
    const pattern = call.version.ge('2.53') ? qLast(call.query, 'hypervisor_hostname_pattern') : undefined;
    const pods = await this.podsForPattern(pattern, q);
    const got = await this.deps.gather.gather(call, {
      path: detail ? '/os-hypervisors/detail' : '/os-hypervisors',
      rawQuery: q.toString(),
      ...(pods ? { pods: pods.pods } : {}),
      allowNotFound: pattern !== undefined,
      extract: (body) => (Array.isArray(body.hypervisors) ? (body.hypervisors as Json[]) : []),
      sortKeys: [{ key: 'name', dir: 'asc' }],
      sortValue: (rec, key) => (key === 'name' ? topHost(rec.pod, rec.r.hypervisor_hostname) : this.recId(rec)),
      id: (rec) => this.recId(rec),
    });
    if (pattern !== undefined && got.records.length === 0) throw notFound(`No hypervisor matching '${pattern}' could be found.`);
    let views = got.records.map((rec) => this.hypervisorView(rec.pod, rec.r));
    const body: Json = {};
    if (call.version.ge('2.33')) {
      const { page, next } = this.page(call, views, (v) => str(v.id));
      views = page;
      if (next !== undefined) body.hypervisors_links = [{ href: nextLink(`${call.links.versioned}/os-hypervisors${detail ? '/detail' : ''}`, call.rawQuery, next), rel: 'next' }];
    }
    return gathered({ hypervisors: views, ...body }, got.unavailablePods);
  }

  private recId(rec: PodRecord): string {
    return `${rec.pod.regionName}/${str(rec.r.id ?? rec.r.uuid)}`;
  }

  /** One pod when the pattern carries a region prefix (the pattern then loses it), else every pod. */
  private async podsForPattern(pattern: string | undefined, q: URLSearchParams): Promise<{ pods: Pod[] } | undefined> {
    if (pattern === undefined) return undefined;
    const found = podOfHost((await this.deps.gather.pods()).up, pattern);
    if (found) {
      q.set('hypervisor_hostname_pattern', found.host);
      return { pods: [found.pod] };
    }
    q.set('hypervisor_hostname_pattern', pattern);
    return undefined;
  }

  private page<T>(call: NovaCall, items: T[], id: (t: T) => string): { page: T[]; next?: string } {
    const marker = qLast(call.query, 'marker');
    const limitText = qLast(call.query, 'limit');
    let list = items;
    if (marker !== undefined) {
      const i = list.findIndex((t) => id(t) === marker);
      if (i < 0) throw badRequest(`marker [${marker}] not found`);
      list = list.slice(i + 1);
    }
    let limit = this.deps.maxLimit;
    if (limitText !== undefined) {
      if (!/^\d+$/.test(limitText)) throw badRequest(`Invalid input for query parameters limit. Value: ${limitText}. '${limitText}' does not match '^[0-9]*$'`);
      limit = Math.min(Number(limitText), this.deps.maxLimit);
    }
    const page = list.slice(0, limit);
    return { page, ...(page.length === limit && list.length > limit && limit > 0 ? { next: id(page[page.length - 1]) } : {}) };
  }

  private async hypervisorPod(call: NovaCall, id: string): Promise<{ pod: Pod; id: string }> {
    const found = await this.podOfId(id, async () => (await this.deps.gather.findInPods(call, `/os-hypervisors/${encodeURIComponent(id)}`))?.pod);
    if (!found) throw notFound(`Hypervisor with ID ${id} could not be found.`);
    return found;
  }

  async showHypervisor(call: NovaCall, id: string, sub: '' | '/uptime'): Promise<Answer> {
    requireAdmin(this.deps.policy, call.ctx, sub ? 'os_compute_api:os-hypervisors:uptime' : 'os_compute_api:os-hypervisors:show');
    const { pod, id: podId } = await this.hypervisorPod(call, id);
    const got = await this.relay(call, pod, 'GET', `/os-hypervisors/${encodeURIComponent(podId)}${sub}`, undefined, call.rawQuery);
    if (!got.json || !isJsonObject(got.json.hypervisor)) return got.raw;
    return answer(200, { hypervisor: this.hypervisorView(pod, got.json.hypervisor) });
  }

  /** `GET /os-hypervisors/{pattern}/search` and `/servers` (until 2.52). */
  async searchHypervisors(call: NovaCall, pattern: string, withServers: boolean): Promise<Answer> {
    requireAdmin(this.deps.policy, call.ctx, withServers ? 'os_compute_api:os-hypervisors:servers' : 'os_compute_api:os-hypervisors:search');
    const found = podOfHost((await this.deps.gather.pods()).up, pattern);
    const local = found ? found.host : pattern;
    const got = await this.deps.gather.gather(call, {
      path: `/os-hypervisors/${encodeURIComponent(local)}/${withServers ? 'servers' : 'search'}`,
      ...(found ? { pods: [found.pod] } : {}),
      allowNotFound: true,
      extract: (body) => (Array.isArray(body.hypervisors) ? (body.hypervisors as Json[]) : []),
      sortKeys: [{ key: 'name', dir: 'asc' }],
      sortValue: (rec, key) => (key === 'name' ? topHost(rec.pod, rec.r.hypervisor_hostname) : this.recId(rec)),
      id: (rec) => this.recId(rec),
    });
    if (got.records.length === 0) throw notFound(`No hypervisor matching '${pattern}' could be found.`);
    return gathered({ hypervisors: got.records.map((rec) => this.hypervisorView(rec.pod, rec.r)) }, got.unavailablePods);
  }

  /** `GET /os-hypervisors/statistics` (until 2.87): the pods' statistics summed. */
  async statistics(call: NovaCall): Promise<Answer> {
    requireAdmin(this.deps.policy, call.ctx, 'os_compute_api:os-hypervisors:statistics');
    const got = await this.deps.gather.gather(call, {
      path: '/os-hypervisors/statistics',
      extract: (body) => (isJsonObject(body.hypervisor_statistics) ? [body.hypervisor_statistics] : []),
      sortKeys: [],
      sortValue: () => undefined,
      id: (rec) => rec.pod.id,
    });
    const sum: Record<string, number> = {};
    const keys = [
      'count',
      'vcpus_used',
      'local_gb_used',
      'memory_mb',
      'current_workload',
      'vcpus',
      'running_vms',
      'free_disk_gb',
      'disk_available_least',
      'local_gb',
      'free_ram_mb',
      'memory_mb_used',
    ];
    for (const k of keys) sum[k] = 0;
    for (const { r } of got.records) for (const [k, v] of Object.entries(r)) if (typeof v === 'number') sum[k] = (sum[k] ?? 0) + v;
    return gathered({ hypervisor_statistics: sum }, got.unavailablePods);
  }

  // ------------------------------------------------------------------------------------------
  // Services

  private async allServices(call: NovaCall, rawQuery = '', pods?: Pod[]): Promise<Gathered> {
    return this.deps.gather.gather(call, {
      path: '/os-services',
      rawQuery,
      ...(pods ? { pods } : {}),
      extract: (body) => (Array.isArray(body.services) ? (body.services as Json[]) : []),
      sortKeys: [{ key: 'host', dir: 'asc' }],
      sortValue: (rec, key) => (key === 'host' ? `${str(topHost(rec.pod, rec.r.host))} ${str(rec.r.binary)}` : this.recId(rec)),
      id: (rec) => this.recId(rec),
    });
  }

  async listServices(call: NovaCall): Promise<Answer> {
    requireAdmin(this.deps.policy, call.ctx, 'os_compute_api:os-services:list');
    const q = queryWithout(call.rawQuery, ['host']);
    const host = qLast(call.query, 'host');
    let pods: Pod[] | undefined;
    if (host !== undefined) {
      const found = podOfHost((await this.deps.gather.pods()).up, host);
      if (!found) return answer(200, { services: [] });
      q.set('host', found.host);
      pods = [found.pod];
    }
    const got = await this.allServices(call, q.toString(), pods);
    return gathered({ services: got.records.map((rec) => this.serviceView(rec.pod, rec.r)) }, got.unavailablePods);
  }

  private async servicePod(call: NovaCall, id: string): Promise<{ pod: Pod; id: string }> {
    const found = await this.podOfId(id, async () => (await this.allServices(call)).records.find((rec) => str(rec.r.id) === id)?.pod);
    if (!found) throw notFound(`Service ${id} not found.`);
    return found;
  }

  /**
   * `PUT /os-services/{id}` (2.53+: status, disabled reason, forced down), and before 2.53
   * `PUT /os-services/{enable,disable,disable-log-reason,force-down}` with the host in the body.
   */
  async updateService(call: NovaCall, id: string): Promise<Answer> {
    requireAdmin(this.deps.policy, call.ctx, 'os_compute_api:os-services:update');
    if (call.version.lt('2.53')) {
      if (!['enable', 'disable', 'disable-log-reason', 'force-down'].includes(id)) throw notFound('Unknown action');
      const body = isJsonObject(call.body) ? call.body : {};
      const host = typeof body.host === 'string' ? body.host : '';
      const found = podOfHost((await this.deps.gather.pods()).up, host);
      if (!found) throw notFound('Host not found');
      const got = await this.relay(call, found.pod, 'PUT', `/os-services/${id}`, { ...body, host: found.host });
      if (!got.json || !isJsonObject(got.json.service)) return got.raw;
      return answer(200, { service: { ...got.json.service, host: topHost(found.pod, got.json.service.host) } });
    }
    const { pod, id: podId } = await this.servicePod(call, id);
    const got = await this.relay(call, pod, 'PUT', `/os-services/${encodeURIComponent(podId)}`, call.body ?? {});
    if (!got.json || !isJsonObject(got.json.service)) return got.raw;
    return answer(200, { service: this.serviceView(pod, got.json.service) });
  }

  async deleteService(call: NovaCall, id: string): Promise<Answer> {
    requireAdmin(this.deps.policy, call.ctx, 'os_compute_api:os-services:delete');
    const { pod, id: podId } = await this.servicePod(call, id);
    return (await this.relay(call, pod, 'DELETE', `/os-services/${encodeURIComponent(podId)}`)).raw;
  }

  // ------------------------------------------------------------------------------------------
  // Hosts (until 2.42)

  async listHosts(call: NovaCall): Promise<Answer> {
    requireAdmin(this.deps.policy, call.ctx, 'os_compute_api:os-hosts:list');
    const zone = qLast(call.query, 'zone');
    const { up } = await this.deps.gather.pods();
    const pods = zone !== undefined && zone !== 'internal' ? up.filter((p) => p.azName === zone) : up;
    if (pods.length === 0) return answer(200, { hosts: [] });
    const q = new URLSearchParams();
    if (zone === 'internal') q.set('zone', zone);
    const got = await this.deps.gather.gather(call, {
      path: '/os-hosts',
      rawQuery: q.toString(),
      pods,
      extract: (body) => (Array.isArray(body.hosts) ? (body.hosts as Json[]) : []),
      sortKeys: [{ key: 'host', dir: 'asc' }],
      sortValue: (rec, key) => (key === 'host' ? `${str(topHost(rec.pod, rec.r.host_name))} ${str(rec.r.service)}` : this.recId(rec)),
      id: (rec) => `${rec.pod.regionName}/${str(rec.r.host_name)}/${str(rec.r.service)}`,
    });
    const hosts = got.records.map(({ pod, r }) => ({ ...r, host_name: topHost(pod, r.host_name), zone: this.zone(pod, r.zone) }));
    return gathered({ hosts }, got.unavailablePods);
  }

  /** `GET`/`PUT /os-hosts/{host}` and its power actions, in the host's pod. */
  async host(call: NovaCall, host: string, method: 'GET' | 'PUT', sub = ''): Promise<Answer> {
    requireAdmin(this.deps.policy, call.ctx, method === 'GET' && sub === '' ? 'os_compute_api:os-hosts:show' : 'os_compute_api:os-hosts:update');
    const found = podOfHost(
      (await this.deps.pods.bottom()).filter((p) => !p.disabled),
      host,
    );
    if (!found) throw notFound(`Compute host ${host} could not be found.`);
    const got = await this.relay(call, found.pod, method, `/os-hosts/${encodeURIComponent(found.host)}${sub}`, method === 'PUT' ? (call.body ?? {}) : undefined);
    if (!got.json) return got.raw;
    const body = got.json;
    if (Array.isArray(body.host)) {
      return answer(200, { host: (body.host as Json[]).map((e) => (isJsonObject(e.resource) ? { resource: { ...e.resource, host: topHost(found.pod, e.resource.host) } } : e)) });
    }
    return answer(got.status, { ...body, ...(body.host !== undefined ? { host: topHost(found.pod, body.host) } : {}) });
  }
}
