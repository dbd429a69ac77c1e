import type { JsonObject, RawResponse } from '../../bottom/index.js';
import { notFound } from '../../common/index.js';
import type { Pod } from '../../pods/index.js';
import type { Routing } from '../../routing/index.js';
import type { CinderCall } from '../call.js';
import type { CinderDeps } from '../deps.js';
import type { CinderPods, PodCall } from '../podCalls.js';
import { parseJson, relayRaw, type Relay } from '../relay.js';
import type { PodResourceKind } from './kinds.js';

const seg = (id: string) => encodeURIComponent(id);

/** A routed record: its route and pod. */
export interface Placed {
  id: string;
  bottomId: string;
  route: Routing;
  pod: Pod;
}

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/**
 * Calls on one record of a pod-resident kind (snapshot, backup, transfer, attachment), routed by
 * its routing row `(id, kind, caller's project)`: not routed, another project's or still being
 * created is "<Label> X could not be found.". Answers are relayed with the gateway's links.
 */
export class PodResources {
  constructor(
    private readonly deps: CinderDeps,
    readonly pods: CinderPods,
  ) {}

  async find(routeType: string, id: string, projectId: string | undefined): Promise<Placed | undefined> {
    for (const route of await this.deps.core.routings.findByTop(id, routeType, projectId)) {
      if (!route.bottomId) continue;
      const pod = await this.deps.core.pods.find(route.podId);
      if (pod) return { id, bottomId: route.bottomId, route, pod };
    }
    return undefined;
  }

  /**
   * The project a call on one record is limited to: the caller's; none for an administrator, who
   * acts on any project's record by id as Cinder's admin_or_owner policies allow.
   */
  static scope(call: CinderCall): string | undefined {
    return call.ctx.isAdmin ? undefined : call.ctx.projectId;
  }

  async locate(kind: PodResourceKind, id: string, projectId: string | undefined): Promise<Placed> {
    const placed = kind.routeType ? await this.find(kind.routeType, id, projectId) : undefined;
    if (!placed) throw notFound(`${kind.label} ${id} could not be found.`);
    return placed;
  }

  /** Sends one call to the record's pod and relays the answer; a pod that no longer has it drops the route. */
  async forward(
    call: CinderCall,
    kind: PodResourceKind,
    placed: Placed,
    req: Omit<PodCall, 'path'> & { subpath?: string; query?: boolean },
  ): Promise<{ res: RawResponse; relay: Relay }> {
    const qs = req.query !== false && call.rawQuery ? `?${call.rawQuery}` : '';
    const path = `/${kind.collection}/${seg(placed.bottomId)}${req.subpath ?? ''}${qs}`;
    const res = await this.pods.request(call, placed.pod, { ...req, path });
    if (res.status === 404) await this.dropIfGone(call, kind, placed);
    return { res, relay: relayRaw(res, this.pods.links(call, res)) };
  }

  /** Forwards by id: the common show/update/delete/sub-resource call. */
  async call(call: CinderCall, kind: PodResourceKind, id: string, method: Method, subpath = '', body?: unknown): Promise<Relay> {
    const placed = await this.locate(kind, id, PodResources.scope(call));
    const withBody = method === 'POST' || method === 'PUT' ? { body: body ?? {} } : {};
    const { res, relay } = await this.forward(call, kind, placed, { method, subpath, ...withBody });
    if (method === 'DELETE' && subpath === '' && kind.deletesAtOnce && res.status < 300) await this.forget(placed);
    return relay;
  }

  /** Writes the route of a record a pod just made (same id top and bottom), in the caller's project. */
  async record(routeType: string, id: string, pod: Pod, projectId: string): Promise<void> {
    await this.deps.core.routings.create({ topId: id, bottomId: id, podId: pod.id, projectId, resourceType: routeType });
  }

  async forget(placed: Placed): Promise<void> {
    await this.deps.core.routings.deleteIfExists(placed.route.id);
  }

  /** The id of the record in a pod's 2xx answer `{"<member>": {"id": ...}}`. */
  static createdId(res: RawResponse, member: string): string | undefined {
    if (res.status >= 300) return undefined;
    const id = ((parseJson(res.body) as Record<string, JsonObject> | undefined)?.[member] as JsonObject | undefined)?.id;
    return typeof id === 'string' ? id : undefined;
  }

  private async dropIfGone(call: CinderCall, kind: PodResourceKind, placed: Placed): Promise<void> {
    const answer = await this.pods.request(call, placed.pod, { method: 'GET', path: `/${kind.collection}/${seg(placed.bottomId)}` }).catch(() => undefined);
    if (answer?.status === 404 && answer.body.toString('utf8').includes(placed.bottomId)) {
      await this.forget(placed);
      this.deps.core.logger.info({ [kind.member]: placed.id, pod: placed.pod.regionName }, `${kind.member} gone from its pod; route removed`);
    }
  }
}
