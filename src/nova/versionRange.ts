import type { PodClientFactory } from '../bottom/index.js';
import type { Logger } from '../common/index.js';
import type { Pod } from '../pods/index.js';
import { Microversion, type VersionRange } from '../gateway/index.js';

export const MIN_VERSION = Microversion.of('2.1');
/**
 * The newest microversion the gateway itself implements (what it owns: flavors, key pairs, aggregates,
 * limits, quota sets, server create and lists). The advertised maximum is the lowest of this and every
 * pod's maximum, so a request never asks a pod for a version it does not speak.
 */
export const GATEWAY_MAX_VERSION = Microversion.of('2.93');

export interface VersionRangeOptions {
  pods: () => Promise<Pod[]>;
  clients: PodClientFactory;
  /** How long a computed range is served before it is recomputed (in the background). */
  cacheMs: number;
  /** Deadline of one pod's version document. */
  timeoutMs: number;
  logger?: Logger;
}

/**
 * The microversion range the gateway advertises and accepts: from the highest minimum to the lowest
 * maximum among the pods that answer (and the gateway's own maximum), so a negotiated version is one
 * every pod speaks. Pods' version documents are cached; after expiry the old range is served while a
 * refresh runs, so requests never wait for it once the first one is known.
 */
export class PodVersionRanges {
  private current: { range: VersionRange; expiresAt: number; pods: Record<string, string> } | undefined;
  private refreshing: Promise<VersionRange> | undefined;

  constructor(private readonly options: VersionRangeOptions) {}

  async range(): Promise<VersionRange> {
    const c = this.current;
    if (c) {
      if (c.expiresAt <= Date.now()) void this.refresh().catch(() => undefined);
      return c.range;
    }
    return this.refresh();
  }

  /** What each pod advertised at the last refresh (region → max), for diagnostics. */
  podMaxima(): Record<string, string> {
    return { ...(this.current?.pods ?? {}) };
  }

  refresh(): Promise<VersionRange> {
    this.refreshing ??= this.compute().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async compute(): Promise<VersionRange> {
    const pods = (await this.options.pods()).filter((p) => p.azName !== '');
    let min = MIN_VERSION;
    let max = GATEWAY_MAX_VERSION;
    const seen: Record<string, string> = {};
    const answers = await Promise.all(pods.map((pod) => this.podRange(pod)));
    for (const [i, r] of answers.entries()) {
      if (!r) continue;
      seen[pods[i].regionName] = r.max.toString();
      if (r.min.compare(min) > 0) min = r.min;
      if (r.max.compare(max) < 0) max = r.max;
    }
    // Pods with disjoint ranges cannot all be served; fall back to the lowest maximum.
    if (min.compare(max) > 0) min = max;
    const range = { min, max };
    const anyAnswered = answers.some((a) => a !== undefined);
    // Without any answer, keep trying soon instead of pinning the gateway's own range for long.
    const ttl = anyAnswered ? this.options.cacheMs : Math.min(this.options.cacheMs, 5000);
    this.current = { range, expiresAt: Date.now() + ttl, pods: seen };
    return range;
  }

  private async podRange(pod: Pod): Promise<VersionRange | undefined> {
    try {
      const res = await this.options.clients
        .client(pod, 'compute')
        .request({ requestId: 'nova-apigw-version-discovery' }, { method: 'GET', path: '/', timeoutMs: this.options.timeoutMs });
      if (res.status !== 200) return undefined;
      const doc = JSON.parse(res.body.toString('utf8')) as { version?: { version?: string; min_version?: string } };
      const max = Microversion.parse(doc.version?.version ?? '');
      // A pod without microversions (plain v2.1) speaks exactly 2.1.
      if (!max) return { min: MIN_VERSION, max: MIN_VERSION };
      return { min: Microversion.parse(doc.version?.min_version ?? '') ?? MIN_VERSION, max };
    } catch (err) {
      this.options.logger?.debug({ err, pod: pod.regionName }, 'pod compute version document unavailable');
      return undefined;
    }
  }
}
