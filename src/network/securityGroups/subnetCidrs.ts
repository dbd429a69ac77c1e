import type { Db } from '../../db/index.js';
import type { RoutingTable } from '../../routing/index.js';

/** Where the tenant's subnets are: the CIDRs remote-group rules expand to. */
export interface SubnetCidrSource {
  /** CIDRs of the project's subnets; only those mapped to `podId` when it is given. */
  cidrsOf(projectId: string, podId?: string): Promise<string[]>;
}

/** The project's subnet CIDRs from the top tables; with a pod, only the subnets routed to it. */
export function sqlSubnetCidrs(db: Db, routings: RoutingTable): SubnetCidrSource {
  return {
    async cidrsOf(projectId, podId) {
      let q = db.kysely.selectFrom('subnets').select('subnets.cidr').where('subnets.project_id', '=', projectId);
      if (podId !== undefined) q = q.where('subnets.id', 'in', routings.topIdsInPodQuery('subnet', podId));
      const rows = await q.orderBy('subnets.created_at').orderBy('subnets.id').execute();
      return rows.map((r) => r.cidr);
    },
  };
}
