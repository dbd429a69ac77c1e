/** The top networking service: Neutron v2.0 API with Tricircle's cross-pod semantics. */
export { createNetworkModule, neutronApiModule, type NetworkModule } from './module.js';
export type { NetworkDeps } from './deps.js';
export type { NetworkPodSide, ExternalNetworkPlacer, SecurityGroupMirror } from './podSide.js';
export type {
  TopNetworkState,
  TopSecurityGroups,
  TopCopies,
  TopIds,
  TopKind,
  L3FollowUps,
  TopNetworks,
  TopPorts,
  NetworkWithSubnets,
  ExternalNetworkRef,
  ServerPorts,
  ServerPortRef,
  ServerPortRequest,
  TopRouters,
  TopFloatingIps,
  RouterState,
  RouterPortState,
} from './topState/index.js';
export {
  bridgeAddress,
  BRIDGE_FIP_OWNER,
  BRIDGE_ROUTER_OWNER,
  EW_BRIDGE,
  NS_BRIDGE,
  fipBridgeKey,
  type BridgeKind,
  type TopBridge,
  type TopBridges,
  type ReservedPortRef,
} from './bridges/index.js';
export { ROUTER_SETUP_JOB, FIP_SETUP_JOB } from './routers/jobs.js';
export type { Route } from './routers/input.js';
export type { FloatingIp } from './floatingips/model.js';
export type { ReservedPorts } from './ports/reserved.js';
export { loadNetworkSettings, parseVlanRanges, NetworkSettingsError, type NetworkSettings, type NetworkType, type VlanRange } from './settings.js';
export { NetworkService } from './networks/service.js';
export type { Network } from './networks/model.js';
export { SubnetService } from './subnets/service.js';
export type { Subnet } from './subnets/model.js';
export { PortService } from './ports/service.js';
export type { Port } from './ports/model.js';
export { SubnetpoolService } from './subnetpools/service.js';
export { podRefusal, type Segment } from './segments.js';
export { copiesOf, deleteCopies, type BottomNetworkDeleter, type CopyKind } from './bottomCopies.js';
export type { SecurityGroupLookup, Caller } from './securityGroupLookup.js';
export { cidrWithin, diffRules, expandRulesForPod, ruleKey, sgErrors, type SubnetCidrSource, type SecurityGroup, type SecurityGroupRule, type RuleMatch, type Direction, type Ethertype } from './securityGroups/index.js';
export { canonicalIp, cidrContains, formatCidr, formatIp, parseCidr, parseIp, rangesOverlap, subtractRanges, type Cidr } from './ip.js';
export { poolRange, type Pool } from './subnets/addressing.js';
export { inTransaction, isTransient } from './tx.js';
