import type { JsonObject, RawResponse } from '../../bottom/index.js';
import type { CinderCall } from '../call.js';
import type { CinderPods, PodCall } from '../podCalls.js';
import { parseJson, relayedHeaders, relayRaw, type Relay } from '../relay.js';
import type { VolumeTypeSync } from '../types/sync.js';
import type { PlacedVolume, VolumePlacement } from './placement.js';
import { presentVolume } from './present.js';

const seg = (id: string) => encodeURIComponent(id);

/** True when a pod's answer says the volume itself does not exist (not, say, a missing metadata key). */
function saysVolumeGone(res: RawResponse, bottomId: string): boolean {
  return res.status === 404 && res.body.toString('utf8').includes(bottomId);
}

/**
 * Calls on one volume, routed to its pod: show, update, delete, metadata and (through
 * VolumeActions) actions. A pod that no longer has the volume makes the route go away.
 */
export class VolumeService {
  constructor(
    private readonly pods: CinderPods,
    readonly placement: VolumePlacement,
    private readonly typeSync: VolumeTypeSync,
    /** Called when a pod accepted a volume's deletion (its quota is released). */
    private readonly onDeleteAccepted: (id: string) => Promise<void> = async () => {},
  ) {}

  locate(call: CinderCall, id: string): Promise<PlacedVolume> {
    return this.placement.locate(id, call.ctx.projectId);
  }

  /**
   * Forwards one call about a placed volume and relays the answer. On a 404, the route is dropped
   * when the pod confirms the volume is gone (a GET on it says so).
   */
  async forward(call: CinderCall, placed: PlacedVolume, req: Omit<PodCall, 'path'> & { subpath?: string }): Promise<{ res: RawResponse; relay: Relay }> {
    const path = `/volumes/${seg(placed.bottomId)}${req.subpath ?? ''}${call.rawQuery ? `?${call.rawQuery}` : ''}`;
    const res = await this.pods.request(call, placed.pod, { ...req, path });
    if (res.status === 404) await this.dropIfGone(call, placed, req.method === 'GET' && !req.subpath ? res : undefined);
    return { res, relay: relayRaw(res, this.pods.links(call, res)) };
  }

  private async dropIfGone(call: CinderCall, placed: PlacedVolume, showAnswer: RawResponse | undefined): Promise<void> {
    const answer = showAnswer ?? (await this.pods.request(call, placed.pod, { method: 'GET', path: `/volumes/${seg(placed.bottomId)}` }).catch(() => undefined));
    if (answer && saysVolumeGone(answer, placed.bottomId)) await this.placement.forget(placed);
  }

  /** A 200 answer holding `{"volume": ...}` shown the top's way; anything else relayed. */
  private async volumeAnswer(_call: CinderCall, placed: PlacedVolume, res: RawResponse, relay: Relay): Promise<Relay> {
    if (res.status !== 200) return relay;
    const body = parseJson(relay.body as Buffer) as { volume?: JsonObject } | undefined;
    if (!body?.volume) return relay;
    const typeIds = (await this.typeSync.topIdsByPod([placed.pod.id])).get(placed.pod.id);
    presentVolume(body.volume, placed.pod, typeIds);
    return { status: 200, headers: relayedHeaders(res.headers), body };
  }

  async show(call: CinderCall, id: string): Promise<Relay> {
    const placed = await this.locate(call, id);
    const { res, relay } = await this.forward(call, placed, { method: 'GET' });
    return this.volumeAnswer(call, placed, res, relay);
  }

  async update(call: CinderCall, id: string, body: unknown): Promise<Relay> {
    const placed = await this.locate(call, id);
    const { res, relay } = await this.forward(call, placed, { method: 'PUT', body: body ?? {} });
    return this.volumeAnswer(call, placed, res, relay);
  }

  /** The route stays until the pod stops knowing the volume (deletion is asynchronous). */
  async remove(call: CinderCall, id: string): Promise<Relay> {
    const placed = await this.locate(call, id);
    const { res, relay } = await this.forward(call, placed, { method: 'DELETE' });
    if (res.status >= 200 && res.status < 300) await this.onDeleteAccepted(id);
    return relay;
  }

  /** Every metadata call: GET/POST/PUT `/metadata`, GET/PUT/DELETE `/metadata/{key}`. */
  async metadata(call: CinderCall, id: string, method: 'GET' | 'POST' | 'PUT' | 'DELETE', key: string | undefined, body: unknown): Promise<Relay> {
    const placed = await this.locate(call, id);
    const subpath = key === undefined ? '/metadata' : `/metadata/${seg(key)}`;
    return (await this.forward(call, placed, { method, subpath, ...(method === 'POST' || method === 'PUT' ? { body: body ?? {} } : {}) })).relay;
  }
}
