/**
 * What the L3 job handlers work with, built once per process by the wiring's composition root: the
 * top networking service's state, the routing table, the pods' Neutron clients, and the same copy
 * builder the server boot path uses (so a network, subnet or port is never copied twice into a pod,
 * whoever gets there first).
 */
import type { BottomCallContext, NeutronApi } from '../../bottom/index.js';
import type { Logger } from '../../common/index.js';
import type { Db } from '../../db/index.js';
import type { TopNetworkState } from '../../network/index.js';
import type { Pod, PodRegistry } from '../../pods/index.js';
import type { RoutingLock, RoutingTable } from '../../routing/index.js';
import type { ExternalNetworks } from '../external/index.js';
import type { PodNetworkBuilder } from '../prepare/index.js';

export interface L3Tools {
  /** The top routers, floating IPs, networks, ports and bridges. */
  top: TopNetworkState;
  /** The routing rows of the copies (the database the routing table is in). */
  db: Db;
  pods: PodRegistry;
  routings: RoutingTable;
  lock: RoutingLock;
  logger: Logger;
  builder: PodNetworkBuilder;
  external: ExternalNetworks;
  neutron(pod: Pod): NeutronApi;
}

/** The call context of a job's pod calls: the service account (every call is made `asAdmin`), the job's request id. */
export function jobCallContext(jobId: string): BottomCallContext {
  return { requestId: `req-${jobId}` };
}
