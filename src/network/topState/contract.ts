/**
 * What the pod-side wiring (src/wiring) may read and change of the top networking service: named
 * interfaces over the top's tables and services, so the wiring never reads those tables behind the
 * API's back. Implemented in this folder; built once by createNetworkModule.
 */
import type { SecurityGroup, SecurityGroupRule } from '../securityGroups/model.js';
import type { SubnetCidrSource } from '../securityGroups/subnetCidrs.js';
import type { NetworkSettings } from '../settings.js';

/** The top security groups, as a boot and the pods' copies need them. */
export interface TopSecurityGroups {
  /** The project's default group, created with its rules on first use; returns its id. */
  ensureDefaultSecurityGroup(projectId: string): Promise<string>;
  findGroup(id: string): Promise<SecurityGroup | undefined>;
  rulesOf(groupId: string): Promise<SecurityGroupRule[]>;
}

export interface TopNetworkState {
  readonly settings: NetworkSettings;
  readonly securityGroups: TopSecurityGroups;
  /** The CIDRs of a project's subnets (what remote-group rules expand to in a pod). */
  readonly subnetCidrs: SubnetCidrSource;
}
