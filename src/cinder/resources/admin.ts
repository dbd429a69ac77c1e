import type { JsonObject, RawResponse } from '../../bottom/index.js';
import { badRequest, isJsonObject, notFound } from '../../common/index.js';
import type { FailedPod } from '../../fanout/index.js';
import type { Pod } from '../../pods/index.js';
import type { CinderCall } from '../call.js';
import { HOST_SEPARATOR, tagHost } from '../hosts.js';
import type { CinderDeps } from '../deps.js';
import type { CinderPods } from '../podCalls.js';
import { parseJson, relayedHeaders, relayRaw, type Relay } from '../relay.js';
import { VOLUME, type VolumePlacement } from '../volumes/placement.js';
import type { PodPicker } from './lister.js';
import type { PodResources } from './service.js';

/** Service verbs Cinder resolves through the host's replication services (an unknown host is 400). */
const REPLICATION_VERBS = new Set(['freeze', 'thaw', 'failover_host', 'failover']);

interface Gathered {
  answers: { pod: Pod; body: JsonObject }[];
  failed: FailedPod[];
}

/**
 * The admin views of the pods, merged (docs/cinder-api.md, "Admin views"): every entry names its
 * pod by prefixing its host (or cluster, or pool) with the pod's region and `:`, zones are the top
 * AZ names, and a call naming such a host goes to that pod with the pod's own name.
 */
export class AdminViews {
  constructor(
    private readonly deps: CinderDeps,
    private readonly pods: CinderPods,
    private readonly picker: PodPicker,
    private readonly resources: PodResources,
    private readonly volumes: VolumePlacement,
  ) {}

  /** Asks every bottom pod `path`; a pod's client error (403 to a member, a bad filter) is the answer. */
  private async gather(call: CinderCall, path: string, query?: URLSearchParams): Promise<Gathered> {
    // Disabled pods take no part (and are not reported: they are out of service on purpose).
    const { up, down } = this.picker.split((await this.pods.bottomPods()).filter((p) => !p.disabled));
    const failed: FailedPod[] = down.map((p) => ({ podId: p.id, region: p.regionName, reason: 'marked down' }));
    const answers: Gathered['answers'] = [];
    const results = await Promise.all(
      up.map(async (pod) => {
        try {
          return { pod, res: await this.pods.request(call, pod, { method: 'GET', path, query, timeoutMs: this.deps.settings.listTimeoutMs }) };
        } catch (err) {
          return { pod, err };
        }
      }),
    );
    for (const r of results) {
      if ('err' in r) {
        failed.push({ podId: r.pod.id, region: r.pod.regionName, reason: String((r.err as Error)?.message ?? r.err) });
        continue;
      }
      const { pod, res } = r;
      if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) throw this.pods.client(pod).error(res.status, res.body, res.headers);
      const body = res.status < 300 ? parseJson(this.pods.links(call, res).bytes(res.body)) : undefined;
      if (!isJsonObject(body)) {
        failed.push({ podId: pod.id, region: pod.regionName, reason: `answered ${res.status}` });
        continue;
      }
      answers.push({ pod, body });
    }
    return { answers, failed };
  }

  private merged(key: string, g: Gathered, each: (pod: Pod, e: JsonObject) => void, what: string): Relay {
    const out: JsonObject[] = [];
    for (const { pod, body } of g.answers) {
      const list = body[key];
      if (!Array.isArray(list)) continue;
      for (const e of list as JsonObject[]) {
        each(pod, e);
        out.push(e);
      }
    }
    return { status: 200, headers: this.picker.headers(g.failed, what), body: { [key]: out } };
  }

  /**
   * `Pod1:host` → the pod and its own host name; 400 without one; an unknown host is 404, or 400 for
   * the replication verbs (freeze, thaw, failover), which Cinder answers with invalid input.
   */
  async podOfHost(tagged: unknown, what = 'host', unknownIsInvalid = false): Promise<{ pod: Pod; host: string }> {
    if (typeof tagged !== 'string' || tagged === '') throw badRequest(`Missing required element '${what}' in request body.`);
    const at = tagged.indexOf(HOST_SEPARATOR);
    const pod = at > 0 ? (await this.pods.bottomPods()).find((p) => p.regionName === tagged.slice(0, at)) : undefined;
    if (!pod && unknownIsInvalid) throw badRequest(`Invalid input received: No service found with host=${tagged}`);
    if (!pod) throw notFound(`Host ${tagged} could not be found: hosts are named <pod region>${HOST_SEPARATOR}<host> by Tricircle.`);
    return { pod, host: tagged.slice(at + 1) };
  }

  private relayTagged(call: CinderCall, res: RawResponse, fix: (body: JsonObject) => void): Relay {
    const relay = relayRaw(res, this.pods.links(call, res));
    const body = res.status < 300 ? parseJson(relay.body as Buffer) : undefined;
    if (!isJsonObject(body)) return relay;
    fix(body);
    return { status: res.status, headers: relayedHeaders(res.headers), body };
  }

  // ---- os-services --------------------------------------------------------------------------

  async services(call: CinderCall): Promise<Relay> {
    const params = new URLSearchParams(call.rawQuery);
    const host = params.get('host');
    let pods: Pod[] | undefined;
    if (host !== null) {
      const found = await this.podOfHost(host);
      params.set('host', found.host);
      pods = [found.pod];
    }
    const g = await this.gather(call, '/os-services', params);
    if (pods) g.answers = g.answers.filter((a) => a.pod.id === pods![0].id);
    return this.merged(
      'services',
      g,
      (pod, e) => {
        e.host = tagHost(pod, e.host);
        if ('cluster' in e) e.cluster = tagHost(pod, e.cluster);
        if (pod.azName) e.zone = pod.azName;
      },
      'service',
    );
  }

  /** `PUT /os-services/{verb}`: routed by the body's host; set-log/get-log without a host go to every pod. */
  async serviceAction(call: CinderCall, verb: string): Promise<Relay> {
    const body: JsonObject = isJsonObject(call.body) ? { ...call.body } : {};
    if ((verb === 'set-log' || verb === 'get-log') && (typeof body.server !== 'string' || body.server === '')) {
      return this.everyPodLog(call, verb, body);
    }
    const field = verb === 'set-log' || verb === 'get-log' ? 'server' : 'host';
    const { pod, host } = await this.podOfHost(body[field], field, REPLICATION_VERBS.has(verb));
    body[field] = host;
    const res = await this.pods.request(call, pod, { method: 'PUT', path: `/os-services/${encodeURIComponent(verb)}`, body });
    return this.relayTagged(call, res, (b) => {
      if ('host' in b) b.host = tagHost(pod, b.host);
      if (Array.isArray(b.log_levels)) for (const l of b.log_levels as JsonObject[]) l.host = tagHost(pod, l.host);
    });
  }

  private async everyPodLog(call: CinderCall, verb: string, body: JsonObject): Promise<Relay> {
    const { up, down } = this.picker.split(await this.pods.bottomPods());
    const failed: FailedPod[] = down.map((p) => ({ podId: p.id, region: p.regionName, reason: 'marked down' }));
    const levels: JsonObject[] = [];
    for (const pod of up) {
      let res: RawResponse;
      try {
        res = await this.pods.request(call, pod, { method: 'PUT', path: `/os-services/${verb}`, body, timeoutMs: this.deps.settings.listTimeoutMs });
      } catch (err) {
        failed.push({ podId: pod.id, region: pod.regionName, reason: String(err) });
        continue;
      }
      if (res.status >= 400) return relayRaw(res, this.pods.links(call, res));
      const b = parseJson(res.body) as { log_levels?: JsonObject[] } | undefined;
      for (const l of b?.log_levels ?? []) levels.push({ ...l, host: tagHost(pod, l.host) });
    }
    return { status: 200, headers: this.picker.headers(failed, 'service'), body: verb === 'get-log' ? { log_levels: levels } : {} };
  }

  // ---- pools, capabilities, hosts, clusters --------------------------------------------------

  async pools(call: CinderCall): Promise<Relay> {
    const g = await this.gather(call, '/scheduler-stats/get_pools', new URLSearchParams(call.rawQuery));
    return this.merged('pools', g, (pod, e) => void (e.name = tagHost(pod, e.name)), 'pool');
  }

  async capabilities(call: CinderCall, tagged: string): Promise<Relay> {
    const { pod, host } = await this.podOfHost(tagged);
    const res = await this.pods.request(call, pod, { method: 'GET', path: `/capabilities/${encodeURIComponent(host)}` });
    return relayRaw(res, this.pods.links(call, res));
  }

  async hosts(call: CinderCall): Promise<Relay> {
    const g = await this.gather(call, '/os-hosts');
    return this.merged(
      'hosts',
      g,
      (pod, e) => {
        e.host_name = tagHost(pod, e.host_name);
        if (pod.azName) e.zone = pod.azName;
      },
      'host',
    );
  }

  async host(call: CinderCall, tagged: string): Promise<Relay> {
    const { pod, host } = await this.podOfHost(tagged);
    const res = await this.pods.request(call, pod, { method: 'GET', path: `/os-hosts/${encodeURIComponent(host)}` });
    return this.relayTagged(call, res, (b) => {
      for (const r of (Array.isArray(b.host) ? b.host : []) as JsonObject[]) if (isJsonObject(r.resource)) r.resource.host = tagHost(pod, r.resource.host);
    });
  }

  async clusters(call: CinderCall, detail: boolean): Promise<Relay> {
    const g = await this.gather(call, detail ? '/clusters/detail' : '/clusters', new URLSearchParams(call.rawQuery));
    return this.merged('clusters', g, (pod, e) => void (e.name = tagHost(pod, e.name)), 'cluster');
  }

  async cluster(call: CinderCall, tagged: string): Promise<Relay> {
    const { pod, host } = await this.podOfHost(tagged, 'name');
    const res = await this.pods.request(call, pod, { method: 'GET', path: `/clusters/${encodeURIComponent(host)}${call.rawQuery ? `?${call.rawQuery}` : ''}` });
    return this.relayTagged(call, res, (b) => {
      if (isJsonObject(b.cluster)) b.cluster.name = tagHost(pod, b.cluster.name);
    });
  }

  async clusterAction(call: CinderCall, verb: 'enable' | 'disable'): Promise<Relay> {
    const body: JsonObject = isJsonObject(call.body) ? { ...call.body } : {};
    const { pod, host } = await this.podOfHost(body.name, 'name');
    body.name = host;
    const res = await this.pods.request(call, pod, { method: 'PUT', path: `/clusters/${verb}`, body });
    return this.relayTagged(call, res, (b) => {
      if (isJsonObject(b.cluster)) b.cluster.name = tagHost(pod, b.cluster.name);
    });
  }

  // ---- manageable volumes and snapshots ------------------------------------------------------

  /** `GET /manageable_<kind>[/detail]?host=Pod1:h` (or `cluster=`): the named pod's list. */
  async manageable(call: CinderCall, kind: 'volumes' | 'snapshots', detail: boolean): Promise<Relay> {
    const params = new URLSearchParams(call.rawQuery);
    const field = params.has('host') ? 'host' : params.has('cluster') ? 'cluster' : undefined;
    if (!field) throw badRequest("Invalid input received: Either 'host' or 'cluster' must be specified: name a pod's host as <pod region>:<host>.");
    const { pod, host } = await this.podOfHost(params.get(field), field);
    params.set(field, host);
    const res = await this.pods.request(call, pod, { method: 'GET', path: `/manageable_${kind}${detail ? '/detail' : ''}`, query: params });
    return relayRaw(res, this.pods.links(call, res));
  }

  /**
   * `POST /manageable_volumes` (the pod named by `volume.host`) and `POST /manageable_snapshots`
   * (the pod of `snapshot.volume_id`): the managed record is routed there.
   */
  async manage(call: CinderCall, kind: 'volumes' | 'snapshots'): Promise<Relay> {
    const member = kind === 'volumes' ? 'volume' : 'snapshot';
    const body = isJsonObject(call.body) ? call.body : {};
    const rec = isJsonObject(body[member]) ? { ...(body[member] as JsonObject) } : undefined;
    if (!rec) throw badRequest(`Missing required element '${member}' in request body.`);
    let pod: Pod;
    if (kind === 'volumes') {
      const found = await this.podOfHost(rec.host ?? rec.cluster, rec.host !== undefined ? 'host' : 'cluster');
      pod = found.pod;
      if (rec.host !== undefined) rec.host = found.host;
      else rec.cluster = found.host;
    } else {
      pod = (await this.volumes.locate(String(rec.volume_id), call.ctx.projectId)).pod;
    }
    const res = await this.pods.request(call, pod, { method: 'POST', path: `/manageable_${kind}`, body: { ...body, [member]: rec } });
    const id = res.status < 300 ? ((parseJson(res.body) as Record<string, JsonObject> | undefined)?.[member] as JsonObject | undefined)?.id : undefined;
    if (typeof id === 'string') await this.resources.record(kind === 'volumes' ? VOLUME : 'snapshot', id, pod, call.ctx.projectId);
    return relayRaw(res, this.pods.links(call, res));
  }

  // ---- documents every pod serves alike ------------------------------------------------------

  /** `GET /extensions`, `GET /resource_filters`: the first healthy pod's answer. */
  async fromOnePod(call: CinderCall, path: string): Promise<Relay> {
    const { up } = this.picker.split((await this.pods.bottomPods()).filter((p) => !p.disabled));
    for (const pod of up) {
      const res = await this.pods
        .request(call, pod, { method: 'GET', path, query: new URLSearchParams(call.rawQuery), timeoutMs: this.deps.settings.listTimeoutMs })
        .catch(() => undefined);
      if (res && res.status < 500) return relayRaw(res, this.pods.links(call, res));
    }
    throw notFound('The resource could not be found.');
  }
}
