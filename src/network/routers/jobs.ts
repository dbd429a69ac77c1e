/**
 * How a top L3 change asks the pods to follow: a job row written in the same transaction as the
 * change, and a signal to the workers once it has committed (XJob's protocol: payloads are ids only,
 * handlers read the current top state and reconcile, a newer request for the same resource coalesces
 * with a pending one).
 *
 * - `router_setup`, resource id = the top router id, after a router is created with a gateway, is
 *   deleted, or has its gateway (network, addresses, enable_snat), interfaces, extra routes or admin
 *   state changed. A deleted router is gone from `routers`; the handler then removes what the pods
 *   still hold for it (routing rows of type `router` with that top id).
 * - `fip_setup`, resource id = the top floating IP id, after a floating IP is created associated,
 *   associated, re-associated, disassociated (also when its internal port is deleted) or deleted. A
 *   deleted one is gone from `floatingips`. The handler sets `floatingips.status` (ACTIVE, DOWN, ERROR)
 *   once the pods agree; the top leaves it DOWN after every association change.
 */
import type { Transaction } from 'kysely';
import type { Database, Db } from '../../db/index.js';
import { enqueueJob } from '../../xjob/index.js';
import type { NetworkDeps } from '../deps.js';
import { inTransaction } from '../tx.js';

export const ROUTER_SETUP_JOB = 'router_setup';
export const FIP_SETUP_JOB = 'fip_setup';

/** The hook the router and floating IP services call: requests inside the transaction, `signal` after it committed. */
export interface L3JobRequests {
  /** Requests `router_setup` for the router; returns the job id (to signal). */
  routerChanged(trx: Transaction<Database>, routerId: string, projectId: string): Promise<string>;
  /** Requests `fip_setup` for the floating IP; returns the job id (to signal). */
  floatingIpChanged(trx: Transaction<Database>, floatingIpId: string, projectId: string): Promise<string>;
  /** Wakes the workers for jobs whose transaction has committed. Never throws. */
  signal(jobIds: string[]): void;
}

/**
 * The production hook: XJob's `enqueueJob` (a plain row in async_jobs; resource id = the top id, so
 * the handler's resourceSchema is the default ['id']) and the process's job service for the signal.
 */
export function l3JobsOf(deps: Pick<NetworkDeps, 'jobs'>): L3JobRequests {
  return {
    async routerChanged(trx, routerId, projectId) {
      return (await enqueueJob(trx, { type: ROUTER_SETUP_JOB, resourceId: routerId, projectId })).id;
    },
    async floatingIpChanged(trx, floatingIpId, projectId) {
      return (await enqueueJob(trx, { type: FIP_SETUP_JOB, resourceId: floatingIpId, projectId })).id;
    },
    signal(jobIds) {
      // Without a job service the workers' periodic scan finds the rows.
      if (jobIds.length) deps.jobs?.signal(jobIds);
    },
  };
}

/** Requests nothing (for unit tests of the top state alone). */
export const noL3Jobs: L3JobRequests = {
  routerChanged: async () => '',
  floatingIpChanged: async () => '',
  signal: () => undefined,
};

/** The job requests of one transaction. */
export interface L3JobRecorder {
  router(routerId: string, projectId: string): Promise<void>;
  floatingIp(floatingIpId: string, projectId: string): Promise<void>;
}

/**
 * Runs `work` in one transaction (retried from the start on deadlocks, as every request of the
 * networking service); the jobs it requested are signalled once it has committed.
 */
export async function inL3Transaction<T>(db: Db, jobs: L3JobRequests, work: (trx: Transaction<Database>, request: L3JobRecorder) => Promise<T>): Promise<T> {
  let requested: string[] = [];
  const result = await inTransaction(db, (trx) => {
    requested = [];
    return work(trx, {
      router: async (routerId, projectId) => void requested.push(await jobs.routerChanged(trx, routerId, projectId)),
      floatingIp: async (floatingIpId, projectId) => void requested.push(await jobs.floatingIpChanged(trx, floatingIpId, projectId)),
    });
  });
  jobs.signal(requested.filter((id) => id !== ''));
  return result;
}
