import type { RawResponse } from '../../bottom/index.js';
import { PodUnreachableError } from '../../bottom/index.js';
import { ApiError, isJsonObject } from '../../common/index.js';
import type { Pod } from '../../pods/index.js';
import type { CinderCall } from '../call.js';
import type { CinderDeps } from '../deps.js';
import type { CinderPods } from '../podCalls.js';
import { parseJson, relayRaw, type Relay } from '../relay.js';
import { UNAVAILABLE_PODS_HEADER } from '../volumes/list.js';
import type { VolumeQuotas } from './admission.js';
import { VOLUME_QUOTA_DEFAULTS } from './admission.js';
import type { CinderQuotaClasses } from './classes.js';
import { mergeAbsoluteLimits, mergeQuotaSets } from './merge.js';

interface Answer {
  pod: Pod;
  res: RawResponse;
}

interface Gathered {
  answers: Answer[];
  failed: { pod: Pod; reason: string }[];
}

const seg = (id: string) => encodeURIComponent(id);

/**
 * Limits, quota sets and availability zones of the top. Each pod enforces its own quotas, so reads
 * gather every pod: usage is summed, limits are the tightest pod's (the top sets the same limits in
 * every pod, so they normally agree). Writes go to every pod.
 */
export class CinderQuotaService {
  constructor(
    private readonly deps: CinderDeps,
    private readonly pods: CinderPods,
    private readonly quotas: VolumeQuotas,
    private readonly classes: CinderQuotaClasses,
  ) {}

  private async gather(call: CinderCall, method: 'GET' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<Gathered> {
    // Disabled pods take no part; any failure of one pod (unreachable, no endpoint, a bad answer)
    // leaves that pod out, named in the answer's header, and never fails the others.
    const pods = (await this.pods.bottomPods()).filter((p) => !p.disabled);
    const gathered: Gathered = { answers: [], failed: [] };
    await Promise.all(
      pods.map(async (pod) => {
        try {
          const res = await this.pods.request(call, pod, { method, path, body, timeoutMs: this.deps.settings.listTimeoutMs });
          if (res.status >= 500) gathered.failed.push({ pod, reason: `HTTP ${res.status}` });
          else if (res.status < 300 && method !== 'DELETE' && res.body.length > 0 && !isJsonObject(parseJson(res.body))) gathered.failed.push({ pod, reason: 'malformed answer' });
          else gathered.answers.push({ pod, res });
        } catch (err) {
          gathered.failed.push({ pod, reason: err instanceof PodUnreachableError ? err.reason : err instanceof Error ? err.message : String(err) });
        }
      }),
    );
    gathered.answers.sort((a, b) => (a.pod.regionName < b.pod.regionName ? -1 : 1));
    return gathered;
  }

  /** The first client error among the answers, relayed (e.g. 403 for another project's quotas). */
  private refusal(call: CinderCall, g: Gathered): Relay | undefined {
    const refused = g.answers.find((a) => a.res.status >= 400);
    return refused ? relayRaw(refused.res, this.pods.links(call, refused.res)) : undefined;
  }

  private headers(g: Gathered): Record<string, string> {
    if (g.failed.length === 0) return {};
    for (const f of g.failed) this.deps.core.logger.warn({ pod: f.pod.regionName, reason: f.reason }, 'pod left out of a quota answer');
    return {
      [UNAVAILABLE_PODS_HEADER]: g.failed
        .map((f) => f.pod.regionName)
        .sort()
        .join(', '),
    };
  }

  private bodies<T>(g: Gathered, key: string): T[] {
    return g.answers.map((a) => (parseJson(a.res.body) as Record<string, T> | undefined)?.[key]).filter((v): v is T => v !== undefined && v !== null);
  }

  async limits(call: CinderCall): Promise<Relay> {
    const g = await this.gather(call, 'GET', '/limits');
    const refused = this.refusal(call, g);
    if (refused) return refused;
    const limits = this.bodies<{ absolute?: Record<string, unknown> }>(g, 'limits');
    const absolute = mergeAbsoluteLimits(limits.map((l) => l.absolute ?? {}));
    // What the top enforces: its limits, and never less usage than its own claims.
    const project = call.ctx.projectId;
    const [top, used] = await Promise.all([this.quotas.limitsOf(project), this.quotas.usage(project)]);
    absolute.maxTotalVolumes = top.volumes;
    absolute.maxTotalVolumeGigabytes = top.gigabytes;
    absolute.totalVolumesUsed = Math.max(absolute.totalVolumesUsed ?? 0, used.volumes ?? 0);
    absolute.totalGigabytesUsed = Math.max(absolute.totalGigabytesUsed ?? 0, used.gigabytes ?? 0);
    return { status: 200, headers: this.headers(g), body: { limits: { rate: [], absolute: sortKeys(absolute) } } };
  }

  async showQuotas(call: CinderCall, project: string, defaults: boolean): Promise<Relay> {
    const path = `/os-quota-sets/${seg(project)}${defaults ? '/defaults' : ''}${call.rawQuery ? `?${call.rawQuery}` : ''}`;
    const g = await this.gather(call, 'GET', path);
    const refused = this.refusal(call, g);
    if (refused) return refused;
    const set = mergeQuotaSets(this.bodies(g, 'quota_set'), project);
    // Every project's defaults are the top's `default` quota class (types a pod has not seen yet included).
    if (defaults) Object.assign(set, await this.classes.defaults());
    // The limits the top enforces are its own; usage never below the top's claims (a pod left out
    // does not lower it).
    const top = defaults ? await this.quotas.defaults() : await this.quotas.limitsOf(project);
    const used = defaults ? {} : await this.quotas.usage(project);
    for (const key of Object.keys(VOLUME_QUOTA_DEFAULTS)) {
      const shown = set[key];
      if (shown !== null && typeof shown === 'object') {
        const u = shown as Record<string, number>;
        set[key] = { ...u, limit: top[key], in_use: Math.max(u.in_use ?? 0, used[key] ?? 0) };
      } else if (!defaults && /(^|&)usage=(true|1|yes)(&|$)/i.test(call.rawQuery ?? '')) {
        set[key] = { limit: top[key], in_use: used[key] ?? 0, reserved: 0, allocated: 0 };
      } else set[key] = top[key];
    }
    return { status: 200, headers: this.headers(g), body: { quota_set: set } };
  }

  /** PUT or DELETE in every pod; a pod that cannot be reached makes it 503 (repeat the request to finish). */
  async changeQuotas(call: CinderCall, project: string, method: 'PUT' | 'DELETE', body?: unknown): Promise<Relay> {
    const g = await this.gather(call, method, `/os-quota-sets/${seg(project)}`, method === 'PUT' ? (body ?? {}) : undefined);
    const refused = this.refusal(call, g);
    if (refused) return refused;
    if (g.failed.length > 0) {
      throw new ApiError(
        503,
        `Quotas of ${project} were not changed in pod(s) ${g.failed.map((f) => `${f.pod.regionName} (${f.reason})`).join(', ')}` +
          `${g.answers.length > 0 ? `; pod(s) ${g.answers.map((a) => a.pod.regionName).join(', ')} were changed` : ''}. Repeat the request when the pods are back.`,
      );
    }
    await this.recordTopLimits(project, method, body);
    if (method === 'DELETE') return { status: g.answers[0]?.res.status ?? 200, headers: {} };
    const sets = this.bodies<Record<string, unknown>>(g, 'quota_set');
    return { status: 200, headers: {}, body: { quota_set: mergeQuotaSets(sets) } };
  }

  /** The limits the top enforces (volumes, gigabytes) follow what was set in the pods. */
  private async recordTopLimits(project: string, method: 'PUT' | 'DELETE', body: unknown): Promise<void> {
    if (method === 'DELETE') return this.quotas.limits.reset(project);
    const set = (body as { quota_set?: Record<string, unknown> } | undefined)?.quota_set;
    if (!set || typeof set !== 'object') return;
    const values: Record<string, number> = {};
    for (const key of Object.keys(VOLUME_QUOTA_DEFAULTS)) {
      const v = Number(set[key]);
      if (set[key] !== undefined && Number.isInteger(v) && v >= -1) values[key] = v;
    }
    if (Object.keys(values).length > 0) await this.quotas.limits.set(project, values);
  }

  /** The top's availability zones: the pods' `az_name`s; available while one of its pods can take volumes. */
  async availabilityZones(): Promise<Relay> {
    const zones = new Map<string, boolean>();
    for (const pod of await this.pods.bottomPods()) {
      const usable = !pod.disabled && this.deps.core.podHealth.isHealthy(pod);
      zones.set(pod.azName, (zones.get(pod.azName) ?? false) || usable);
    }
    const availabilityZoneInfo = [...zones.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([zoneName, available]) => ({ zoneName, zoneState: { available } }));
    return { status: 200, headers: {}, body: { availabilityZoneInfo } };
  }
}

function sortKeys(o: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
