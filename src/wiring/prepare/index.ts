/**
 * Server network preparation for the Nova API gateway: a pod's copies of networks, subnets, the
 * shared DHCP port, security groups and ports, made on first use through the routing lock.
 */
export type { ServerNetworkPreparer, ServerNicRequest, PreparedNic } from './contract.js';
export { nicErrors } from './errors.js';
export { bottomName, RESERVED_DHCP_DEVICE_ID } from './names.js';
export { podPools, bottomSubnetBody } from './subnetBody.js';
export type { NeutronCalls, NeutronOf } from './bottom.js';
export type { PodNetwork } from './podNetwork.js';
// For the pod side of routers and floating IPs (src/wiring/l3): the same copies, made the same way.
export { PodNetworkBuilder, mappedAddresses } from './podNetwork.js';
export { ensureCopy, type CopySpec } from './copy.js';
export { BottomNeutron } from './bottom.js';
export { NetworkPreparer } from './preparer.js';
export { NicPlanner } from './nics.js';
export { ServerPortReleaser } from './release.js';
