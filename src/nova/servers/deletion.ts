import type { PodClientFactory } from '../../bottom/index.js';
import { isBottomNotFound } from '../../bottom/index.js';
import type { Logger } from '../../common/index.js';
import type { RequestContext } from '../../identity/index.js';
import type { ServerNetworkPreparer } from '../../wiring/index.js';
import type { Pod } from '../../pods/index.js';
import type { JobService } from '../../xjob/index.js';
import type { ServerLocator, ServerRoute } from './locator.js';
import { SERVER_CLEANUP_JOB } from './cleanupJob.js';

const FIRST_POLL_MS = 250;
const MAX_POLL_MS = 5000;
const GIVE_UP_MS = 10 * 60_000;
const MAX_WATCHED = 10_000;

/**
 * After a delete is accepted by a pod, waits (in the background) until the pod no longer knows the
 * server, then deletes the ports the gateway created for it and the routing entry. Until then the
 * server stays routable, so `GET` keeps showing its `deleting` state as Nova does. A `server_cleanup`
 * job is requested as well, so the work is finished by a job worker if this process dies or gives up.
 */
export class DeletionWatcher {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly watched = new Set<string>();
  private closed = false;

  constructor(private readonly deps: { clients: PodClientFactory; locator: ServerLocator; networks?: ServerNetworkPreparer; jobs?: JobService; logger?: Logger }) {}

  watch(ctx: RequestContext, pod: Pod, route: ServerRoute): void {
    this.deps.jobs?.submit({ type: SERVER_CLEANUP_JOB, projectId: route.projectId, resource: { id: route.serverId } }).catch((err: unknown) => {
      this.deps.logger?.error({ err, server: route.serverId }, 'could not request the cleanup job of a deleted server');
    });
    if (this.closed || this.watched.has(route.serverId) || this.watched.size >= MAX_WATCHED) return;
    this.watched.add(route.serverId);
    const started = Date.now();
    let delay = FIRST_POLL_MS;
    const poll = async () => {
      if (this.closed) return;
      let gone = false;
      try {
        await this.deps.clients
          .nova(pod)
          .getServer({ requestId: ctx.requestId, ...(ctx.globalRequestId ? { globalRequestId: ctx.globalRequestId } : {}) }, route.bottomId, { asAdmin: true });
      } catch (err) {
        gone = isBottomNotFound(err);
      }
      if (gone) {
        this.watched.delete(route.serverId);
        await this.finish(ctx, route);
        return;
      }
      if (Date.now() - started > GIVE_UP_MS) {
        this.watched.delete(route.serverId);
        this.deps.logger?.warn({ server: route.serverId, pod: pod.regionName }, 'server still present in its pod long after its delete; keeping its route');
        return;
      }
      delay = Math.min(delay * 2, MAX_POLL_MS);
      this.schedule(poll, delay);
    };
    this.schedule(poll, FIRST_POLL_MS);
  }

  /** The server is gone from its pod: its ports and its routing entry go too. */
  async finish(ctx: RequestContext, route: ServerRoute): Promise<void> {
    try {
      await this.deps.networks?.cleanupServerPorts(ctx, route.serverId);
    } catch (err) {
      this.deps.logger?.error({ err, server: route.serverId }, 'could not delete the ports of a deleted server');
    }
    try {
      await this.deps.locator.forget(route);
    } catch (err) {
      this.deps.logger?.error({ err, server: route.serverId }, 'could not remove the routing entry of a deleted server');
    }
  }

  private schedule(fn: () => Promise<void>, ms: number): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      void fn();
    }, ms);
    t.unref();
    this.timers.add(t);
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
