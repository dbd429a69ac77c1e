/**
 * Live state of ports that have a copy in a pod: status and binding are the pod's (no status is ever
 * copied to the top), device id and owner are translated back to top terms. Everything else (name,
 * addresses, MAC, groups) is the top's own, so no pod id or pod-internal name reaches the caller.
 */
import type { BottomCallContext, BottomPort, PodClientFactory } from '../../bottom/index.js';
import type { Logger } from '../../common/index.js';
import type { Pod, PodRegistry } from '../../pods/index.js';
import type { RoutingTable } from '../../routing/index.js';
import type { Port } from './model.js';

/** Attributes read live; filters on them are applied after the pods answered. */
export const LIVE_FILTERS = ['status', 'binding:host_id'] as const;

export interface LivePortsDeps {
  routings: Pick<RoutingTable, 'findByTops' | 'topIdsByBottom'>;
  pods: Pick<PodRegistry, 'find'>;
  /** Undefined when the process has no pod clients (then ports show their top rows). */
  podClients?: Pick<PodClientFactory, 'neutron'>;
  logger?: Logger;
  /** Deadline of each pod's answer (the list deadline); a pod past it is left out. */
  timeoutMs?: number;
}

/** Ids are sent to a pod in lists of at most this many. */
const CHUNK = 100;

export class LivePorts {
  constructor(private readonly deps: LivePortsDeps) {}

  /**
   * The ports with the live attributes of their pod copy. A port with no copy (or, like the shared
   * DHCP port, copies in several pods) keeps its top row; so does one whose pod does not answer.
   */
  async overlay(ports: Port[], ctx: Partial<BottomCallContext>, report?: (region: string) => void): Promise<Port[]> {
    const clients = this.deps.podClients;
    const candidates = ports.filter((p) => p.reservedFor === null);
    if (!clients || candidates.length === 0) return ports;
    const routes = await this.deps.routings.findByTops(
      'port',
      candidates.map((p) => p.id),
      { complete: true },
    );
    const count = new Map<string, number>();
    for (const r of routes) count.set(r.topId, (count.get(r.topId) ?? 0) + 1);
    const byPod = new Map<string, { topId: string; bottomId: string }[]>();
    for (const r of routes) {
      if (count.get(r.topId) !== 1) continue;
      byPod.set(r.podId, [...(byPod.get(r.podId) ?? []), { topId: r.topId, bottomId: r.bottomId! }]);
    }
    const call: BottomCallContext = { requestId: ctx.requestId ?? 'req-live-ports', ...(ctx.globalRequestId ? { globalRequestId: ctx.globalRequestId } : {}) };
    const live = new Map<string, Partial<Port>>();
    await Promise.all(
      [...byPod].map(async ([podId, pairs]) => {
        const pod = await this.deps.pods.find(podId);
        // A disabled pod is not asked: its ports show their top rows.
        if (!pod || pod.disabled) return;
        // One deadline for the pod's whole part, however many lists of ids it takes.
        const deadline = this.deps.timeoutMs === undefined ? undefined : Date.now() + this.deps.timeoutMs;
        try {
          const found = new Map<string, BottomPort>();
          for (let i = 0; i < pairs.length; i += CHUNK) {
            const ids = pairs.slice(i, i + CHUNK).map((p) => p.bottomId);
            const timeoutMs = deadline === undefined ? undefined : deadline - Date.now();
            if (timeoutMs !== undefined && timeoutMs <= 0) throw new Error(`pod ${pod.regionName} did not answer within the list deadline`);
            for (const b of await clients.neutron(pod).listPorts(call, { id: ids }, { asAdmin: true, timeoutMs })) found.set(b.id, b);
          }
          const devices = await this.topDevices(
            pod,
            [...found.values()].map((b) => b.device_id).filter((d) => d),
          );
          for (const { topId, bottomId } of pairs) {
            const b = found.get(bottomId);
            if (b) live.set(topId, liveAttributes(b, pod, devices));
          }
        } catch (err) {
          report?.(pod.regionName);
          this.deps.logger?.warn({ err, pod: pod.regionName }, 'could not read live port state from a pod; showing the top rows');
        }
      }),
    );
    return ports.map((p) => {
      const l = live.get(p.id);
      return l ? { ...p, ...l } : p;
    });
  }

  /** Bottom device ids (servers, routers) of the pod → their top ids. */
  private async topDevices(pod: Pod, bottomIds: string[]): Promise<Map<string, string>> {
    if (bottomIds.length === 0) return new Map();
    const byPod = await this.deps.routings.topIdsByBottom({ resourceTypes: ['server', 'router'], podIds: [pod.id], bottomIds });
    return byPod.get(pod.id) ?? new Map();
  }
}

function liveAttributes(b: BottomPort, pod: Pod, devices: Map<string, string>): Partial<Port> {
  const owner = typeof b.device_owner === 'string' ? b.device_owner : '';
  const out: Partial<Port> = { status: typeof b.status === 'string' ? b.status : 'DOWN' };
  // Until the pod's Nova plugs the port, the top's record of its server stands.
  if (typeof b.device_id === 'string' && b.device_id !== '') {
    out.deviceId = devices.get(b.device_id) ?? b.device_id;
    // The pod's Nova names its own AZ; the top shows the pod's AZ as users know it.
    out.deviceOwner = owner.startsWith('compute:') && pod.azName ? `compute:${pod.azName}` : owner;
  }
  const host = b['binding:host_id'];
  if (typeof host === 'string') out.bindingHostId = host;
  const vifType = b['binding:vif_type'];
  if (typeof vifType === 'string') out.vifType = vifType;
  const details = b['binding:vif_details'];
  if (details && typeof details === 'object' && !Array.isArray(details)) out.vifDetails = details as Record<string, unknown>;
  const profile = b['binding:profile'];
  if (profile && typeof profile === 'object' && !Array.isArray(profile)) out.bindingProfile = profile as Record<string, unknown>;
  return out;
}

/** Whether a port matches the list's filters on live attributes. */
export function matchesLiveFilters(p: Port, filters: Map<string, string[]>): boolean {
  const status = filters.get('status');
  if (status && !status.includes(p.status)) return false;
  const host = filters.get('binding:host_id');
  if (host && !host.includes(p.bindingHostId)) return false;
  return true;
}
