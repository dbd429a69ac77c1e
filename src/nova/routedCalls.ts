import { badRequest, isJsonObject, notFound } from '../common/index.js';
import { type Answer, answer } from '../gateway/index.js';
import type { PolicyEnforcer } from '../policy/index.js';
import type { RoutingTable } from '../routing/index.js';
import { qLast, requireAdmin, type NovaCall } from './call.js';
import type { PodForwarder } from './forward.js';
import type { PodGather } from './gather.js';
import type { PodDirectory } from './podDirectory.js';

/**
 * Admin calls that belong to one pod and are routed there: assisted volume snapshots (by the
 * volume's pod, with the pod's volume id) and console auth tokens (by the pod that issued the token).
 */
export class RoutedCalls {
  constructor(private readonly deps: { routings: RoutingTable; pods: PodDirectory; forwarder: PodForwarder; gather: PodGather; policy: PolicyEnforcer }) {}

  private async volumePod(volumeId: string) {
    const row = (await this.deps.routings.findByTop(volumeId, 'volume')).find((r) => r.bottomId !== null);
    const pod = row ? await this.deps.pods.get(row.podId) : undefined;
    if (!row || !pod) throw notFound(`Volume ${volumeId} could not be found.`);
    return { pod, bottomId: row.bottomId! };
  }

  /** `POST /os-assisted-volume-snapshots`. */
  async createAssistedSnapshot(call: NovaCall<{ snapshot: { volume_id: string; create_info: object } }>): Promise<Answer> {
    requireAdmin(this.deps.policy, call.ctx, 'os_compute_api:os-assisted-volume-snapshots:create');
    const { volume_id: volumeId } = call.body.snapshot;
    const { pod, bottomId } = await this.volumePod(volumeId);
    const res = await this.deps.forwarder.send(call, pod, {
      method: 'POST',
      path: '/os-assisted-volume-snapshots',
      body: { snapshot: { ...call.body.snapshot, volume_id: bottomId } },
    });
    const relayed = this.deps.forwarder.relay(res, pod);
    if (res.status !== 200) return relayed;
    const body: unknown = JSON.parse(relayed.body.toString('utf8'));
    if (isJsonObject(body) && isJsonObject(body.snapshot)) body.snapshot.volumeId = volumeId;
    return answer(200, body);
  }

  /** `DELETE /os-assisted-volume-snapshots/{id}?delete_info={"volume_id": ...}`. */
  async deleteAssistedSnapshot(call: NovaCall, snapshotId: string): Promise<Answer> {
    requireAdmin(this.deps.policy, call.ctx, 'os_compute_api:os-assisted-volume-snapshots:delete');
    const text = qLast(call.query, 'delete_info');
    if (text === undefined) throw badRequest('Missing delete_info parameter');
    let info: unknown;
    try {
      info = JSON.parse(text);
    } catch {
      throw badRequest(`Invalid delete_info parameter: ${text}`);
    }
    if (!isJsonObject(info) || typeof info.volume_id !== 'string') throw badRequest("delete_info must be a JSON object with 'volume_id'");
    const { pod, bottomId } = await this.volumePod(info.volume_id);
    const q = new URLSearchParams(call.rawQuery);
    q.set('delete_info', JSON.stringify({ ...info, volume_id: bottomId }));
    const res = await this.deps.forwarder.send(call, pod, { method: 'DELETE', path: `/os-assisted-volume-snapshots/${encodeURIComponent(snapshotId)}`, rawQuery: q.toString() });
    return this.deps.forwarder.relay(res, pod);
  }

  /** `GET /os-console-auth-tokens/{token}` (admin): asked of the pods in parallel, answered by the one that knows it. */
  async consoleToken(call: NovaCall, token: string): Promise<Answer> {
    requireAdmin(this.deps.policy, call.ctx, 'os_compute_api:os-console-auth-tokens:show');
    const found = await this.deps.gather.findInPods(call, `/os-console-auth-tokens/${encodeURIComponent(token)}`);
    if (!found) throw notFound(`The token '${token}' is invalid or has expired`);
    return answer(200, found.body);
  }
}
