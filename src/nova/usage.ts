import type { PodClientFactory } from '../bottom/index.js';
import type { Db } from '../db/index.js';
import type { RequestContext } from '../identity/index.js';
import type { Pod } from '../pods/index.js';
import type { RoutingTable } from '../routing/index.js';
import type { PodDirectory } from './podDirectory.js';

export interface ComputeUsage {
  instances: number;
  cores: number;
  ram: number;
  server_groups: number;
  /** Regions that did not answer (their usage is missing from the sums). */
  failedPods: string[];
}

/**
 * A project's compute usage, summed over the pods that hold its servers (each pod's own `/limits`
 * counts), read live: the top keeps no copy of pod state.
 */
export class UsageCollector {
  constructor(private readonly deps: { db: Db; routings: Pick<RoutingTable, 'podIdsHolding'>; pods: PodDirectory; clients: PodClientFactory; timeoutMs: number }) {}

  /** Bottom pods holding servers of the project (of any project when undefined). */
  async podsWithServers(projectId: string | undefined): Promise<Pod[]> {
    const ids = new Set(await this.deps.routings.podIdsHolding('server', projectId !== undefined ? { projectId } : {}));
    return (await this.deps.pods.bottom()).filter((p) => ids.has(p.id));
  }

  async usage(ctx: RequestContext, projectId: string): Promise<ComputeUsage> {
    const pods = await this.podsWithServers(projectId);
    const total: ComputeUsage = { instances: 0, cores: 0, ram: 0, server_groups: 0, failedPods: [] };
    const answers = await Promise.all(
      pods.map(async (pod) => {
        try {
          const body = await this.deps.clients.client(pod, 'compute').json<{ limits?: { absolute?: Record<string, number> } }>(ctx, 'GET', '/limits', {
            query: projectId !== ctx.projectId ? { tenant_id: projectId } : undefined,
            timeoutMs: this.deps.timeoutMs,
          });
          return body?.limits?.absolute ?? {};
        } catch {
          total.failedPods.push(pod.regionName);
          return undefined;
        }
      }),
    );
    for (const a of answers) {
      if (!a) continue;
      total.instances += Number(a.totalInstancesUsed ?? 0);
      total.cores += Number(a.totalCoresUsed ?? 0);
      total.ram += Number(a.totalRAMUsed ?? 0);
    }
    // Server groups are the top's own (the pods hold copies of them, which would count twice).
    const groups = await this.deps.db.kysely
      .selectFrom('nova_server_groups')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('project_id', '=', projectId)
      .executeTakeFirst();
    total.server_groups = Number(groups?.n ?? 0);
    return total;
  }
}
