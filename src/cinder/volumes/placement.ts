import { notFound } from '../../common/index.js';
import type { Pod } from '../../pods/index.js';
import type { Routing } from '../../routing/index.js';
import type { CinderDeps } from '../deps.js';

export const VOLUME = 'volume';
const POD_TTL_MS = 2000;

/** Where a volume lives: its routing entry and pod. */
export interface PlacedVolume {
  id: string;
  bottomId: string;
  route: Routing;
  pod: Pod;
}

export const volumeNotFound = (id: string) => notFound(`Volume ${id} could not be found.`);

/**
 * Finds volumes through the routing table, scoped to a project: another project's volume, a volume
 * still being created and a volume created outside Tricircle are all "not found".
 */
export class VolumePlacement {
  /** Pods by id, read once per POD_TTL_MS (as Nova's pod directory): a volume show reads no pod row. */
  private readonly podCache = new Map<string, { pod: Pod | undefined; expiresAt: number }>();

  constructor(private readonly deps: CinderDeps) {}

  async find(id: string, projectId: string | undefined): Promise<PlacedVolume | undefined> {
    const routes = await this.deps.core.routings.findByTop(id, VOLUME, projectId);
    for (const route of routes) {
      if (!route.bottomId) continue;
      const pod = await this.pod(route.podId);
      if (pod) return { id, bottomId: route.bottomId, route, pod };
    }
    return undefined;
  }

  /** A pod change (new, disabled, deleted) is seen within POD_TTL_MS. */
  private async pod(podId: string): Promise<Pod | undefined> {
    const now = Date.now();
    const hit = this.podCache.get(podId);
    if (hit && hit.expiresAt > now) return hit.pod;
    const pod = await this.deps.core.pods.find(podId);
    if (this.podCache.size > 1000) this.podCache.clear();
    this.podCache.set(podId, { pod, expiresAt: now + POD_TTL_MS });
    return pod;
  }

  async locate(id: string, projectId: string | undefined): Promise<PlacedVolume> {
    const placed = await this.find(id, projectId);
    if (!placed) throw volumeNotFound(id);
    return placed;
  }

  /** Drops a route whose volume the pod no longer has. */
  async forget(placed: PlacedVolume): Promise<void> {
    await this.deps.core.routings.delete(placed.route.id).catch((err: unknown) => {
      if ((err as { status?: number }).status !== 404) throw err;
    });
    this.deps.core.logger.info({ volume: placed.id, pod: placed.pod.regionName }, 'volume gone from its pod; route removed');
  }

  /** The pods holding routed volumes (of the project, or of every project). */
  async podsWithVolumes(projectId: string | undefined): Promise<Set<string>> {
    return new Set(await this.deps.core.routings.podIdsHolding(VOLUME, projectId !== undefined ? { projectId } : {}));
  }

  /** Which of `ids` are routed volumes, as `podId/id` keys (of the project, or of every project). */
  async routedKeys(ids: readonly string[], projectId: string | undefined): Promise<Set<string>> {
    const routes = await this.deps.core.routings.findByTops(VOLUME, ids, { complete: true, ...(projectId !== undefined ? { projectId } : {}) });
    return new Set(routes.map((r) => `${r.podId}/${r.topId}`));
  }
}
