export type Direction = 'ingress' | 'egress';
export type Ethertype = 'IPv4' | 'IPv6';

export const DEFAULT_GROUP_NAME = 'default';
export const DEFAULT_GROUP_DESCRIPTION = 'Default security group';

/** A top security group. Timestamps are epoch milliseconds. */
export interface SecurityGroup {
  id: string;
  projectId: string;
  name: string;
  description: string;
  stateful: boolean;
  tags: string[];
  revisionNumber: number;
  createdAt: number;
  updatedAt: number;
}

/** What a rule matches: the fields two rules are compared on (besides the group). */
export interface RuleMatch {
  direction: Direction;
  ethertype: Ethertype;
  /** A protocol name, a decimal number as a string, or null for any protocol. */
  protocol: string | null;
  portRangeMin: number | null;
  portRangeMax: number | null;
  /** Canonical CIDR (host bits cleared) or null. */
  remoteIpPrefix: string | null;
  remoteGroupId: string | null;
}

/** A top security group rule. */
export interface SecurityGroupRule extends RuleMatch {
  id: string;
  securityGroupId: string;
  projectId: string;
  remoteAddressGroupId: string | null;
  description: string;
  revisionNumber: number;
  createdAt: number;
  updatedAt: number;
}

/** A validated request to create a rule (before ids and timestamps exist). */
export interface RuleInput extends RuleMatch {
  securityGroupId: string;
  /** Set when the body named a project; otherwise the group's owner. */
  projectId?: string;
  remoteAddressGroupId: string | null;
  description: string;
}

export interface GroupInput {
  name: string;
  description: string;
  stateful: boolean;
  tags: string[];
  projectId?: string;
}

export interface GroupPatch {
  name?: string;
  description?: string;
  stateful?: boolean;
}
