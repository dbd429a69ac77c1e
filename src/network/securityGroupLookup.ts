/**
 * What ports need from security groups: the project's default group and a visibility check. The
 * security-group service (src/network/securityGroups) provides it.
 */

export interface Caller {
  projectId: string;
  isAdmin: boolean;
}

export interface SecurityGroupLookup {
  /** The project's default group, created with its rules on first use; returns its id. */
  ensureDefaultSecurityGroup(projectId: string): Promise<string>;
  /** Resolves when `caller` may use the group; rejects with SecurityGroupNotFound (404) otherwise. */
  visibleGroup(caller: Caller, id: string): Promise<unknown>;
}
