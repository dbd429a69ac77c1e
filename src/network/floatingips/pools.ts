/** Floating IP pools (floatingip-pools): the IPv4 subnets of external networks, which every project sees. */
import type { Trx } from '../tx.js';

export async function floatingIpPools(trx: Trx): Promise<Record<string, unknown>[]> {
  const rows = await trx
    .selectFrom('subnets')
    .innerJoin('networks', 'networks.id', 'subnets.network_id')
    .select(['subnets.id as id', 'subnets.name as name', 'subnets.cidr as cidr', 'subnets.project_id as project_id', 'subnets.network_id as network_id'])
    .where('networks.external', '=', 1)
    .where('subnets.ip_version', '=', 4)
    .orderBy('subnets.network_id')
    .orderBy('subnets.created_at')
    .orderBy('subnets.id')
    .execute();
  return rows.map((r) => ({
    subnet_id: r.id,
    subnet_name: r.name,
    network_id: r.network_id,
    cidr: r.cidr,
    tenant_id: r.project_id,
    project_id: r.project_id,
  }));
}
