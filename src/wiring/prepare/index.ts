/**
 * Server network preparation for the Nova API gateway: a pod's copies of networks, subnets, the
 * shared DHCP port, security groups and ports, made on first use through the routing lock.
 */
import type { Logger } from '../../common/logging.js';
import type { CoreServices } from '../../services.js';
import { neutronCopyDeleter } from '../../network/bottomCopies.js';
import type { NetworkDeps } from '../../network/deps.js';
import { NetworkService } from '../../network/networks/service.js';
import { PortService } from '../../network/ports/service.js';
import { buildSecurityGroups } from '../../network/securityGroups/index.js';
import { requestL3FollowUps } from '../l3/triggers.js';
import { loadNetworkSettings } from '../../network/settings.js';
import type { NeutronOf } from './bottom.js';
import type { ServerNetworkPreparer } from './contract.js';
import { NicPlanner } from './nics.js';
import { PodNetworkBuilder } from './podNetwork.js';
import { NetworkPreparer } from './preparer.js';
import { ServerPortReleaser } from './release.js';
import { TopReservedPorts } from './topPorts.js';

export type { ServerNetworkPreparer, ServerNicRequest, PreparedNic } from './contract.js';
export { nicErrors } from './errors.js';
export { bottomName, dhcpPortKey, gatewayPortKey, RESERVED_DHCP_DEVICE_ID } from './names.js';
export { podPools, bottomSubnetBody } from './subnetBody.js';
export type { NeutronCalls, NeutronOf } from './bottom.js';
export type { PodNetwork } from './podNetwork.js';
// For the pod side of routers and floating IPs (src/wiring/l3): the same copies, made the same way.
export { PodNetworkBuilder, mappedAddresses } from './podNetwork.js';
export { TopReservedPorts } from './topPorts.js';
export { ensureCopy, type CopySpec } from './copy.js';
export { BottomNeutron } from './bottom.js';

export interface PreparerOptions {
  /** Replaces the pods' Neutron clients (tests inject failures here). */
  neutronOf?: NeutronOf;
  logger?: Logger;
}

/** The preparer over the process's shared services; usable in a process that does not serve the Neutron API. */
export function createServerNetworkPreparer(core: CoreServices, opts: PreparerOptions = {}): ServerNetworkPreparer & Required<Pick<ServerNetworkPreparer, 'bindServerNics'>> {
  const logger = opts.logger ?? core.logger;
  const deleter = neutronCopyDeleter(core.podClients);
  const deps: NetworkDeps = {
    db: core.db,
    pods: core.pods,
    routings: core.routings,
    settings: loadNetworkSettings(core.config),
    logger,
    bottom: deleter,
    core,
    publicUrl: () => '',
  };
  const securityGroups = buildSecurityGroups(deps);
  const networks = new NetworkService(deps);
  const ports = new PortService(deps, networks, securityGroups.service);
  const neutronOf: NeutronOf = opts.neutronOf ?? ((pod) => core.podClients.neutron(pod));
  const lock = core.routingLock;
  const reserved = new TopReservedPorts(core.db, ports);
  return new NetworkPreparer({
    db: core.db,
    routings: core.routings,
    lock,
    neutronOf,
    ports,
    groups: securityGroups.service,
    sync: securityGroups.sync,
    planner: new NicPlanner({ db: core.db, networks, ports, routings: core.routings }),
    builder: new PodNetworkBuilder({ lock, routings: core.routings, neutronOf, reserved, logger }),
    releaser: new ServerPortReleaser({ db: core.db, pods: core.pods, deleter, ports, logger }),
    logger,
    followUps: (networkIds, portIds) => requestL3FollowUps(core.db, core.jobs, { networkIds, portIds }),
  });
}
