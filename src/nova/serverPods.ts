import type { Pod } from '../pods/index.js';
import type { RoutingTable } from '../routing/index.js';
import type { PodDirectory } from './podDirectory.js';

/** Which pods hold a project's servers (from the routing table), so that server lists ask only those. */
export class ServerPods {
  constructor(private readonly deps: { routings: Pick<RoutingTable, 'podIdsHolding'>; pods: PodDirectory }) {}

  /** Bottom pods holding servers of the project (of any project when undefined). */
  async podsWithServers(projectId: string | undefined): Promise<Pod[]> {
    const ids = new Set(await this.deps.routings.podIdsHolding('server', projectId !== undefined ? { projectId } : {}));
    return (await this.deps.pods.bottom()).filter((p) => ids.has(p.id));
  }
}
