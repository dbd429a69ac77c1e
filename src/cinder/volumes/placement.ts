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
    let q = this.deps.core.db.kysely.selectFrom('resource_routings').select('pod_id').distinct().where('resource_type', '=', VOLUME);
    if (projectId !== undefined) q = q.where('project_id', '=', projectId);
    return new Set((await q.execute()).map((r) => r.pod_id));
  }

  /** Which of `ids` are routed volumes, as `podId/id` keys (of the project, or of every project). */
  async routedKeys(ids: readonly string[], projectId: string | undefined): Promise<Set<string>> {
    const out = new Set<string>();
    const unique = [...new Set(ids)];
    for (let i = 0; i < unique.length; i += 500) {
      let q = this.deps.core.db.kysely
        .selectFrom('resource_routings')
        .select(['top_id', 'pod_id', 'bottom_id'])
        .where('resource_type', '=', VOLUME)
        .where('top_id', 'in', unique.slice(i, i + 500));
      if (projectId !== undefined) q = q.where('project_id', '=', projectId);
      for (const row of await q.execute()) if (row.bottom_id) out.add(`${row.pod_id}/${row.top_id}`);
    }
    return out;
  }
}
