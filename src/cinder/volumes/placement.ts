import { notFound } from '../../common/index.js';
import type { Pod } from '../../pods/index.js';
import type { Routing } from '../../routing/index.js';
import type { CinderDeps } from '../deps.js';

export const VOLUME = 'volume';

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
  constructor(private readonly deps: CinderDeps) {}

  async find(id: string, projectId: string | undefined): Promise<PlacedVolume | undefined> {
    const routes = await this.deps.core.routings.findByTop(id, VOLUME, projectId);
    for (const route of routes) {
      if (!route.bottomId) continue;
      const pod = await this.deps.core.pods.find(route.podId);
      if (pod) return { id, bottomId: route.bottomId, route, pod };
    }
    return undefined;
  }

  async locate(id: string, projectId: string): Promise<PlacedVolume> {
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
