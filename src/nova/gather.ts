import { BottomError } from '../bottom/index.js';
import { badRequest } from '../common/index.js';
import { listAcrossPods, type SortKey } from '../fanout/index.js';
import type { Pod } from '../pods/index.js';
import type { NovaCall } from './call.js';
import type { PodForwarder } from './forward.js';
import type { PodDirectory } from './podDirectory.js';

type Json = Record<string, unknown>;

/** One record of a cross-pod gather, with the pod it came from. */
export interface PodRecord {
  pod: Pod;
  r: Json;
}

export interface GatherRequest {
  /** Below the pod's compute root. */
  path: string;
  rawQuery?: string;
  /** The pods to ask (default: every enabled bottom pod). */
  pods?: Pod[];
  /** A pod's 404 means it has nothing to match (a host-name search), not a failure. */
  allowNotFound?: boolean;
  /** The records of one pod's answer (already parsed, links rewritten). */
  extract(body: Json, pod: Pod): Json[];
  /** Merge order (an id tie-break on `id` is added). */
  sortKeys: SortKey[];
  /** The value of a sort key of a record. */
  sortValue(rec: PodRecord, key: string): unknown;
  /** A record's id for the tie-break (unique across pods). */
  id(rec: PodRecord): string;
}

export interface Gathered {
  records: PodRecord[];
  /** Regions left out (down, failed or late): for `x-tricircle-unavailable-pods`. */
  unavailablePods: string[];
}

const usable = (p: Pod) => !p.disabled;

/**
 * Operator-facing lists gathered from every pod over the fan-out engine (each pod within the list
 * deadline, disabled pods skipped, pods that are down, late, unreachable or without endpoints left
 * out and named). A 4xx every asked pod answers (a policy refusal, a bad filter) is the client's error
 * and is relayed; a 4xx of some pods while others answer leaves those pods out.
 */
export class PodGather {
  constructor(private readonly deps: { pods: PodDirectory; forwarder: PodForwarder; timeoutMs: number }) {}

  /** Enabled bottom pods, and those of them known to be down. */
  async pods(): Promise<{ up: Pod[]; down: Pod[] }> {
    const all = (await this.deps.pods.bottom()).filter(usable);
    return { up: all.filter((p) => p.health !== 'down'), down: all.filter((p) => p.health === 'down') };
  }

  async gather(call: NovaCall, req: GatherRequest): Promise<Gathered> {
    const { up, down } = req.pods ? { up: req.pods.filter((p) => p.health !== 'down'), down: req.pods.filter((p) => p.health === 'down') } : await this.pods();
    let clientError: BottomError | undefined;
    let answered = 0;
    const result = await listAcrossPods<PodRecord, Pod>({
      pods: up,
      downPods: down,
      sortKeys: req.sortKeys,
      limit: Number.MAX_SAFE_INTEGER,
      access: { id: req.id, getSortValue: req.sortValue },
      timeoutMs: this.deps.timeoutMs,
      queryPod: async (pod, q) => {
        const res = await this.deps.forwarder.send(call, pod, { method: 'GET', path: req.path, rawQuery: req.rawQuery, timeoutMs: this.deps.timeoutMs });
        if (q.signal.aborted) return [];
        if (res.status === 404 && req.allowNotFound) return [];
        if (res.status !== 200) {
          const err = BottomError.fromResponse(pod.regionName, 'compute', res.status, res.body, res.headers);
          if (res.status >= 400 && res.status < 500 && res.status !== 404) clientError ??= err;
          throw err;
        }
        const body = JSON.parse(this.deps.forwarder.rewriteLinks(res).toString('utf8')) as Json;
        const records = req.extract(body, pod).map((r) => ({ pod, r }));
        answered++;
        return records;
      },
    });
    // Every pod refusing alike is the client's error; one pod refusing what the others answered is a
    // misbehaving pod (a policy or credentials mismatch), left out and named like a pod that is down.
    if (clientError && answered === 0) throw clientError;
    return { records: result.records, unavailablePods: result.failedPods.map((f) => f.region) };
  }

  /**
   * Asks the pods in parallel for one resource and returns the first pod that has it (200), with its
   * parsed answer; undefined when none has it. A pod's other 4xx is relayed.
   */
  async findInPods(call: NovaCall, path: string, rawQuery?: string): Promise<{ pod: Pod; body: Json } | undefined> {
    const { up } = await this.pods();
    const answers = await Promise.all(
      up.map(async (pod) => {
        try {
          const res = await this.deps.forwarder.send(call, pod, { method: 'GET', path, rawQuery, timeoutMs: this.deps.timeoutMs });
          return { pod, res };
        } catch {
          return undefined;
        }
      }),
    );
    for (const a of answers) {
      if (a && a.res.status === 200) return { pod: a.pod, body: JSON.parse(this.deps.forwarder.rewriteLinks(a.res).toString('utf8')) as Json };
    }
    for (const a of answers) {
      if (a && a.res.status >= 400 && a.res.status < 500 && a.res.status !== 404)
        throw BottomError.fromResponse(a.pod.regionName, 'compute', a.res.status, a.res.body, a.res.headers);
    }
    return undefined;
  }
}

/** Host names at the top: `<region>.<pod host>`, so hosts of different pods never collide. */
export function topHost(pod: Pod, host: unknown): unknown {
  return typeof host === 'string' && host !== '' ? `${pod.regionName}.${host}` : host;
}

/** The pod and pod-local host of a top host name; undefined when no pod's prefix matches. */
export function podOfHost(pods: Pod[], host: string): { pod: Pod; host: string } | undefined {
  const match = pods.filter((p) => host.startsWith(`${p.regionName}.`)).sort((a, b) => b.regionName.length - a.regionName.length)[0];
  return match ? { pod: match, host: host.slice(match.regionName.length + 1) } : undefined;
}

/**
 * Integer ids of pod records (services, hypervisors, migrations before their UUIDs) made unique at
 * the top: `<pod number> * 10^6 + <pod id>`, the pod number a stable hash of the pod id. Stable for
 * as long as the pod is registered, and decodable without a lookup table.
 */
const SPAN = 1_000_000;

export function podNumber(pod: Pod): number {
  let h = 0;
  for (const ch of pod.id) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return (h % 2_000_000) + 1;
}

export function topIntId(pod: Pod, id: unknown): unknown {
  return typeof id === 'number' && Number.isInteger(id) && id >= 0 && id < SPAN ? podNumber(pod) * SPAN + id : id;
}

/** The pod and pod-local integer id of a top integer id. */
export function podOfIntId(pods: Pod[], id: string): { pod: Pod; id: string } | undefined {
  if (!/^\d+$/.test(id)) return undefined;
  const n = Number(id);
  const pod = pods.find((p) => podNumber(p) === Math.floor(n / SPAN));
  return pod ? { pod, id: String(n % SPAN) } : undefined;
}

/** A 400 for a target host that is not in the server's pod (moves never cross pods). */
export function crossPodHost(host: string, region: string): Error {
  return badRequest(`Host ${host} is not in pod ${region} of the server: servers move only between hosts of their own pod.`);
}
