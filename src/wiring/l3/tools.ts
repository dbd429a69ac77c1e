/**
 * What the L3 job handlers work with, built once per process from the shared services: the top
 * database and routing table, the pods' Neutron clients, and the same copy builder the server boot
 * path uses (so a network, subnet or port is never copied twice into a pod, whoever gets there first).
 */
import type { BottomCallContext, NeutronApi } from '../../bottom/index.js';
import type { Logger } from '../../common/logging.js';
import type { Db } from '../../db/index.js';
import type { Pod, PodRegistry } from '../../pods/index.js';
import type { RoutingLock, RoutingTable } from '../../routing/index.js';
import type { CoreServices } from '../../services.js';
import { neutronCopyDeleter, type BottomNetworkDeleter } from '../../network/bottomCopies.js';
import type { NetworkDeps } from '../../network/deps.js';
import { NetworkService } from '../../network/networks/service.js';
import { PodNetworkBuilder, TopReservedPorts } from '../prepare/index.js';
import { PortService } from '../../network/ports/service.js';
import { tableSecurityGroupLookup } from '../../network/securityGroupLookup.js';
import { loadNetworkSettings, type NetworkSettings } from '../../network/settings.js';
import { SubnetpoolService } from '../../network/subnetpools/service.js';

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
  deleter: BottomNetworkDeleter;
  neutron(pod: Pod): NeutronApi;
}

const cache = new WeakMap<CoreServices, L3Tools>();

export function l3Tools(core: CoreServices): L3Tools {
  const known = cache.get(core);
  if (known) return known;
  const settings = loadNetworkSettings(core.config);
  const deleter = neutronCopyDeleter(core.podClients);
  const deps: NetworkDeps = {
    db: core.db,
    pods: core.pods,
    routings: core.routings,
    settings,
    logger: core.logger,
    bottom: deleter,
    core,
    publicUrl: () => '',
  };
  const ports = new PortService(deps, new NetworkService(deps), tableSecurityGroupLookup(core.db));
  const tools: L3Tools = {
    core,
    db: core.db,
    pods: core.pods,
    routings: core.routings,
    lock: core.routingLock,
    logger: core.logger.child({ component: 'l3' }),
    settings,
    ports,
    pools: new SubnetpoolService(deps),
    builder: new PodNetworkBuilder({
      lock: core.routingLock,
      routings: core.routings,
      neutronOf: (pod) => core.podClients.neutron(pod),
      reserved: new TopReservedPorts(core.db, ports),
      logger: core.logger,
    }),
    deleter,
    neutron: (pod) => core.podClients.neutron(pod),
  };
  cache.set(core, tools);
  return tools;
}

/** The call context of a job's pod calls: the service account (every call is made `asAdmin`), the job's request id. */
export function jobCallContext(jobId: string): BottomCallContext {
  return { requestId: `req-${jobId}` };
}
