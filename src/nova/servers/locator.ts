import { notFound, ExpiringLru } from '../../common/index.js';
import type { RequestContext } from '../../identity/index.js';
import type { Pod } from '../../pods/index.js';
import type { RoutingTable } from '../../routing/index.js';
import type { PodDirectory } from '../podDirectory.js';

/** Where a server lives, from its routing entry. */
export interface ServerRoute {
  routingId: number;
  serverId: string;
  /** The pod's id of the server (the same as the top id for servers booted through the gateway). */
  bottomId: string;
  podId: string;
  projectId: string;
  createdAt: number;
}

export interface LocatedServer {
  route: ServerRoute;
  pod: Pod;
}

export const instanceNotFound = (id: string) => notFound(`Instance ${id} could not be found.`);

/**
 * Finds the pod of a server through the routing table, with a bounded in-process cache (a server
 * never moves between pods; a deleted one is noticed when its pod answers 404). A caller only ever
 * finds its own project's servers, unless it is an administrator: anything else is Nova's 404.
 */
export class ServerLocator {
  private readonly cache: ExpiringLru<ServerRoute>;

  constructor(
    private readonly routings: RoutingTable,
    private readonly pods: PodDirectory,
    private readonly options: { cacheMs: number; cacheSize: number },
  ) {
    this.cache = new ExpiringLru(options.cacheSize);
  }

  async route(serverId: string): Promise<ServerRoute | undefined> {
    const cached = this.options.cacheMs > 0 ? this.cache.get(serverId) : undefined;
    if (cached) return cached;
    const rows = await this.routings.findByTop(serverId, 'server');
    const row = rows.find((r) => r.bottomId !== null);
    if (!row) return undefined;
    const route: ServerRoute = {
      routingId: row.id,
      serverId,
      bottomId: row.bottomId!,
      podId: row.podId,
      projectId: row.projectId,
      createdAt: row.createdAt,
    };
    this.remember(route);
    return route;
  }

  remember(route: ServerRoute): void {
    if (this.options.cacheMs > 0) this.cache.set(route.serverId, route, Date.now() + this.options.cacheMs);
  }

  /** The caller's server and its pod; 404 "Instance X could not be found." otherwise. */
  async locate(ctx: RequestContext, serverId: string): Promise<LocatedServer> {
    const route = await this.route(serverId);
    if (!route || !visibleTo(ctx, route)) throw instanceNotFound(serverId);
    const pod = await this.pods.get(route.podId);
    if (!pod) throw instanceNotFound(serverId);
    return { route, pod };
  }

  /** Drops a route whose server is gone from its pod. */
  async forget(route: ServerRoute): Promise<void> {
    this.cache.delete(route.serverId);
    try {
      await this.routings.delete(route.routingId);
    } catch (err) {
      // Already removed by another request or process.
      if ((err as { status?: number }).status !== 404) throw err;
    }
  }

  evict(serverId: string): void {
    this.cache.delete(serverId);
  }
}

export function visibleTo(ctx: RequestContext, route: { projectId: string }): boolean {
  return ctx.isAdmin || route.projectId === ctx.projectId;
}
