import type { Routing, RoutingFilter } from '../routing/index.js';
import type { FanoutPod } from './types.js';

/** What routedPlaceholders reads; RoutingTable fits. */
export interface RouteLister {
  list(filter: RoutingFilter): Promise<Routing[]>;
}

/**
 * A `placeholders` source for listAcrossPods: one stand-in record per routing row of the given
 * type (and project, unless listing every project) in each silent pod, built by `build` — e.g. a
 * Nova 2.69 `{id, status: 'UNKNOWN', tenant_id, created, links}` server. Rows still being created
 * (no bottom id yet) are left out.
 */
export function routedPlaceholders<R, P extends FanoutPod = FanoutPod>(
  routes: RouteLister,
  scope: { resourceType: string; projectId?: string },
  build: (route: Routing, pod: P) => R,
): (pods: P[]) => Promise<R[]> {
  return async (pods) => {
    const perPod = await Promise.all(
      pods.map(async (pod) => {
        const rows = await routes.list({ podId: pod.id, resourceType: scope.resourceType, ...(scope.projectId !== undefined ? { projectId: scope.projectId } : {}) });
        return rows.filter((row) => row.bottomId !== null).map((row) => build(row, pod));
      }),
    );
    return perPod.flat();
  };
}
