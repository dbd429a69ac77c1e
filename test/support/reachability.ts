// A pure model of IP reachability across pods, built from what the pods' Neutron APIs return:
// L2 domains (same VLAN or flat physnet joins networks of different pods), routers with connected
// subnets, extra routes and a default route via their gateway, floating IPs as DNAT (and SNAT on
// the way out). `canReach` walks one packet and its reply; `checkAll` checks every VM pair and the
// outside to every floating IP; `snapshotPods` reads the input over HTTP.
export type {
  ExternalGatewayInfo,
  FixedIp,
  FloatingIpView,
  Issue,
  IssueCode,
  NetworkView,
  PodSnapshot,
  PortView,
  ReachQuery,
  ReachResult,
  RouterView,
  RouteView,
  Snapshot,
  Source,
  SubnetView,
  WalkResult,
} from './reachability/types.js';
export { buildModel, type Model } from './reachability/model.js';
export { canReach } from './reachability/walk.js';
export { checkAll, formatReport, pairResult, type CheckOptions, type CheckReport, type FipCheck, type PairCheck, type VmRef } from './reachability/check.js';
export { listAll, snapshotPod, snapshotPods, type PodEndpoint, type SnapshotOptions } from './reachability/snapshot.js';
export { PodBuilder, TopologyBuilder, podOf, type NetworkOptions } from './reachability/builder.js';
