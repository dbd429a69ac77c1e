/**
 * What the L3 job handlers work with, built once per process by the wiring's composition root: the
 * top database and routing table, the pods' Neutron clients, and the same copy builder the server boot
 * path uses (so a network, subnet or port is never copied twice into a pod, whoever gets there first).
 */
import type { BottomCallContext, NeutronApi } from '../../bottom/index.js';
import type { Logger } from '../../common/logging.js';
import type { Db } from '../../db/index.js';
import type { Pod, PodRegistry } from '../../pods/index.js';
import type { RoutingLock, RoutingTable } from '../../routing/index.js';
import type { CoreServices } from '../../services.js';
import type { BottomNetworkDeleter } from '../../network/bottomCopies.js';
import type { NetworkSettings } from '../../network/settings.js';
import type { PortService } from '../../network/ports/service.js';
import type { SubnetpoolService } from '../../network/subnetpools/service.js';
import type { ExternalNetworks } from '../external/index.js';
import type { PodNetworkBuilder } from '../prepare/index.js';

export interface L3Tools {
  core: CoreServices;
  db: Db;
  pods: PodRegistry;
  routings: RoutingTable;
  lock: RoutingLock;
  logger: Logger;
  settings: NetworkSettings;
  ports: PortService;
  pools: SubnetpoolService;
  builder: PodNetworkBuilder;
  external: ExternalNetworks;
  deleter: BottomNetworkDeleter;
  neutron(pod: Pod): NeutronApi;
}

/** The call context of a job's pod calls: the service account (every call is made `asAdmin`), the job's request id. */
export function jobCallContext(jobId: string): BottomCallContext {
  return { requestId: `req-${jobId}` };
}
