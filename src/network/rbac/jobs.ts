/**
 * The jobs through which the pods follow the top's sharing, QoS and update changes (XJob: ids only in
 * the payload, handlers read the current top state; a newer request coalesces with a pending one):
 *
 * - `network_sync`, resource id = top network id: after a network or one of its subnets is updated
 *   (name aside: copies are named by top id) or its RBAC entries change. The handler pushes the
 *   network's and subnets' attributes to every pod copy and makes each copy's RBAC entries match.
 * - `qos_policy_sync`, resource id = top QoS policy id: after a policy or one of its rules changes, or
 *   the policy is deleted. The handler brings every pod copy's rules up to date (or deletes the copies).
 * - `port_sync`, resource id = top port id: after a port's QoS policy changes; the handler sets the
 *   policy on the port's copy.
 */
import { enqueueJob } from '../../xjob/index.js';
import type { NetworkDeps } from '../deps.js';
import type { Trx } from '../tx.js';

export const NETWORK_SYNC_JOB = 'network_sync';
export const QOS_POLICY_SYNC_JOB = 'qos_policy_sync';
export const PORT_SYNC_JOB = 'port_sync';

export interface SyncJobs {
  request(trx: Trx, type: string, resourceId: string, projectId: string): Promise<string>;
  signal(jobIds: string[]): void;
}

export function syncJobsOf(deps: Pick<NetworkDeps, 'jobs'>): SyncJobs {
  return {
    async request(trx, type, resourceId, projectId) {
      return (await enqueueJob(trx as never, { type, resourceId, projectId })).id;
    },
    signal(jobIds) {
      const ids = jobIds.filter((id) => id !== '');
      if (ids.length) deps.jobs?.signal(ids);
    },
  };
}
