/**
 * The top networking service: the Neutron v2.0 API with Tricircle's cross-pod semantics
 * (docs/network-api.md). createNetworkModule builds it once per process; the pod-side wiring
 * (src/wiring) reaches it only through TopNetworkState and the interfaces below, and is reached by it
 * only through NetworkPodSide.
 */
export { createNetworkModule, neutronApiModule, type NetworkModule } from './module.js';

// What the top needs done in the pods (implemented by src/wiring).
export type { NetworkPodSide, ExternalNetworkPlacer, SecurityGroupMirror } from './podSide.js';
export type { BottomNetworkDeleter, CopyKind } from './bottomCopies.js';

// What the pod side may read and change of the top.
export type {
  TopNetworkState,
  TopNetworks,
  NetworkWithSubnets,
  ExternalNetworkRef,
  TopPorts,
  ServerPorts,
  ServerPortRef,
  ServerPortRequest,
  TopSecurityGroups,
  TopCopies,
  TopIds,
  TopKind,
  L3FollowUps,
  TopRouters,
  RouterState,
  RouterPortState,
  TopFloatingIps,
  TopSharing,
  TopQosPolicy,
  TopQosRule,
} from './topState/index.js';
export type { ReservedPorts } from './ports/reserved.js';
export type { SubnetCidrSource } from './securityGroups/index.js';
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
export { NETWORK_SYNC_JOB, QOS_POLICY_SYNC_JOB, PORT_SYNC_JOB } from './rbac/jobs.js';

// The top's objects, and the rules both sides apply to them.
export type { NetworkSettings } from './settings.js';
export type { Network } from './networks/model.js';
export type { Subnet } from './subnets/model.js';
export type { Port } from './ports/model.js';
export type { FloatingIp } from './floatingips/model.js';
export type { Route } from './routers/input.js';
export type { Caller } from './policy.js';
export { podRefusal } from './segments.js';
export {
  cidrWithin,
  diffRules,
  expandRulesForPod,
  ruleKey,
  sgErrors,
  type SecurityGroup,
  type SecurityGroupRule,
  type RuleMatch,
  type Direction,
  type Ethertype,
} from './securityGroups/index.js';
export { canonicalIp, cidrContains, formatCidr, formatIp, parseCidr, parseIp, rangesOverlap, subtractRanges, type Cidr } from './ip.js';
export { poolRange, type Pool } from './subnets/addressing.js';
