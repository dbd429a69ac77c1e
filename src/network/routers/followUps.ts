/**
 * Requests for the L3 jobs from outside the router and floating IP APIs: after a server's ports and
 * their networks got copies in a pod (the boot path), the routers on those networks must attach them
 * there and the floating IPs on those ports can be made. The pod side calls this through
 * TopNetworkState.l3FollowUps; only job rows are written, the handlers are not involved.
 */
import { PORT_FORWARDING_SYNC_JOB, TRUNK_SYNC_JOB } from '../rbac/jobs.js';
import type { Db } from '../../db/index.js';
import { enqueueJob } from '../../xjob/index.js';
import { FIP_SETUP_JOB, ROUTER_SETUP_JOB } from './jobs.js';
import { ROUTER_INTERFACE } from './l3ports.js';
import { inTransaction } from '../tx.js';

/**
 * Requests `router_setup` for every router with an interface on `networkIds` and `fip_setup` for every
 * floating IP associated with one of `portIds`, in one transaction; signals the workers after it.
 */
export async function requestL3FollowUps(db: Db, jobs: { signal(ids: string[]): void } | undefined, input: { networkIds: string[]; portIds: string[] }): Promise<void> {
  const networkIds = [...new Set(input.networkIds)];
  const portIds = [...new Set(input.portIds)];
  if (networkIds.length === 0 && portIds.length === 0) return;
  const ids = await inTransaction(db, async (trx) => {
    const out: string[] = [];
    if (networkIds.length) {
      const routers = await trx
        .selectFrom('router_ports')
        .innerJoin('ports', 'ports.id', 'router_ports.port_id')
        .innerJoin('routers', 'routers.id', 'router_ports.router_id')
        .select(['routers.id as id', 'routers.project_id as project_id'])
        .distinct()
        .where('ports.network_id', 'in', networkIds)
        .where('router_ports.port_type', '=', ROUTER_INTERFACE)
        .execute();
      for (const r of routers) out.push((await enqueueJob(trx, { type: ROUTER_SETUP_JOB, resourceId: r.id, projectId: r.project_id })).id);
    }
    if (portIds.length) {
      const fips = await trx.selectFrom('floatingips').select(['id', 'project_id']).where('fixed_port_id', 'in', portIds).execute();
      for (const f of fips) out.push((await enqueueJob(trx, { type: FIP_SETUP_JOB, resourceId: f.id, projectId: f.project_id })).id);
      // Trunks follow their parent port into its pod; port forwardings their internal port.
      const trunks = await trx.selectFrom('trunks').select(['id', 'project_id']).where('port_id', 'in', portIds).execute();
      for (const t of trunks) out.push((await enqueueJob(trx, { type: TRUNK_SYNC_JOB, resourceId: t.id, projectId: t.project_id })).id);
      const forwarded = await trx
        .selectFrom('port_forwardings')
        .innerJoin('floatingips', 'floatingips.id', 'port_forwardings.floatingip_id')
        .select(['floatingips.id as id', 'floatingips.project_id as project_id'])
        .distinct()
        .where('port_forwardings.internal_port_id', 'in', portIds)
        .execute();
      for (const f of forwarded) out.push((await enqueueJob(trx, { type: PORT_FORWARDING_SYNC_JOB, resourceId: f.id, projectId: f.project_id })).id);
    }
    return out;
  });
  if (ids.length) jobs?.signal(ids);
}
