/**
 * What the pod-side wiring (src/wiring) may read and change of the top networking service: named
 * interfaces over the top's tables and services, so the wiring never reads those tables behind the
 * API's back. Implemented in this folder; built once by createNetworkModule.
 */
import type { TopCopies } from '../bottomCopies.js';
import type { TopBridges } from '../bridges/store.js';
import type { ReservedPorts } from '../ports/reserved.js';
import type { SecurityGroup, SecurityGroupRule } from '../securityGroups/model.js';
import type { SubnetCidrSource } from '../securityGroups/subnetCidrs.js';
import type { NetworkSettings } from '../settings.js';
import type { TopFloatingIps, TopRouters } from './l3.js';
import type { TopNetworks, TopPorts } from './networks.js';
import type { ServerPorts } from './serverPorts.js';
import type { TopSharing } from './sharing.js';

/** The top security groups, as a boot and the pods' copies need them. */
export interface TopSecurityGroups {
  /** The project's default group, created with its rules on first use; returns its id. */
  ensureDefaultSecurityGroup(projectId: string): Promise<string>;
  findGroup(id: string): Promise<SecurityGroup | undefined>;
  rulesOf(groupId: string): Promise<SecurityGroupRule[]>;
  /** The project's groups whose id or name is `nameOrId`. */
  matching(projectId: string, nameOrId: string): Promise<{ id: string; name: string }[]>;
}

/** The L3 jobs that a change outside the router and floating IP APIs makes due. */
export interface L3FollowUps {
  /**
   * After networks and ports got copies in a pod (a boot): `router_setup` for the routers on
   * `networkIds`, `fip_setup` for the floating IPs on `portIds`.
   */
  request(input: { networkIds: string[]; portIds: string[] }): Promise<void>;
}

/** The kinds of top objects the pods hold copies of, as the routing table names them. */
export type TopKind = 'network' | 'subnet' | 'port' | 'router' | 'floatingip';

export interface TopNetworkState {
  readonly settings: NetworkSettings;
  readonly networks: TopNetworks;
  readonly ports: TopPorts;
  readonly serverPorts: ServerPorts;
  /** The reserved DHCP and gateway ports behind the pods' copies of a network. */
  readonly reservedPorts: ReservedPorts;
  readonly securityGroups: TopSecurityGroups;
  /** The CIDRs of a project's subnets (what remote-group rules expand to in a pod). */
  readonly subnetCidrs: SubnetCidrSource;
  readonly copies: TopCopies;
  readonly l3FollowUps: L3FollowUps;
  readonly routers: TopRouters;
  readonly floatingIps: TopFloatingIps;
  /** The projects' bridge networks. */
  readonly bridges: TopBridges;
  /** RBAC sharing and QoS policies (the pods' copies follow them). */
  readonly sharing: TopSharing;
  /** Which of `ids` still exist at the top. */
  existing(kind: TopKind, ids: string[]): Promise<Set<string>>;
  /** The projects that own routers, floating IPs or external networks. */
  projectsWithL3State(): Promise<string[]>;
}
