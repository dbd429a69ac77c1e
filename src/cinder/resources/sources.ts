import type { Pod } from '../../pods/index.js';
import type { CinderDeps } from '../deps.js';

/**
 * The pod of a routed snapshot, backup or group of the project — where a volume made from it must be
 * created; undefined when it has no route (the caller may still look for it in the pods).
 */
export async function podOfSource(deps: CinderDeps, routeType: 'snapshot' | 'backup' | 'group', id: string, projectId: string): Promise<Pod | undefined> {
  for (const route of await deps.core.routings.findByTop(id, routeType, projectId)) {
    if (!route.bottomId) continue;
    const pod = await deps.core.pods.find(route.podId);
    if (pod) return pod;
  }
  return undefined;
}
