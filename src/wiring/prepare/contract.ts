import type { RequestContext } from '../../identity/index.js';
import type { SecurityGroup, SecurityGroupRule } from '../../network/index.js';
import type { Pod } from '../../pods/index.js';

/** One entry of a server create's `networks`, as the Nova API gateway parsed it. */
export interface ServerNicRequest {
  /** `{"uuid": net}`: a new top port on this top network. */
  networkId?: string;
  /** `{"port": id}`: an existing top port. */
  portId?: string;
  /** `{"uuid": net, "fixed_ip": ip}`. */
  fixedIp?: string;
  tag?: string;
}

export interface PreparedNic {
  topPortId: string;
  /** The port's copy in the pod, to pass to the pod's Nova as `{"port": id}`. */
  bottomPortId: string;
  /** True when the preparation created the top port (so deleting the server deletes it). */
  createdTopPort: boolean;
}

/**
 * What the Nova API gateway needs from the top networking service to boot a server in a pod: the
 * bottom network, subnets, DHCP port and VM ports made (idempotently) before the pod's Nova is called,
 * and undone when the boot fails or the server is deleted. Implemented in src/wiring/prepare/.
 */
export interface ServerNetworkPreparer {
  /**
   * Validates the requested networks for the server's AZ (400 with Nova's messages: unknown network,
   * network without subnets, network and server not in the same availability zone, port in use) and
   * prepares every NIC in `pod`, with the top security groups named in `securityGroups` (names or ids;
   * default ['default']) mirrored there. `'auto'` picks the project's only usable network; `'none'` none.
   */
  prepareServerNics(
    ctx: RequestContext,
    pod: Pod,
    nics: ServerNicRequest[] | 'auto' | 'none',
    opts: { securityGroups?: string[]; serverId: string },
  ): Promise<{ nics: PreparedNic[]; bottomSecurityGroupIds: string[] }>;

  /** Undoes prepareServerNics for a failed boot: deletes the top ports it created and their bottom copies, unbinds the others. */
  releaseServerNics(ctx: RequestContext, pod: Pod, nics: PreparedNic[]): Promise<void>;

  /** After a server is deleted: deletes the top ports created for it (device_id = server id) and their bottom copies. */
  cleanupServerPorts(ctx: RequestContext, serverId: string): Promise<void>;

  /**
   * After one interface is detached: deletes the top port (and its copies) when it was created for the
   * server, otherwise removes its pod copy and unbinds it.
   */
  releaseServerPort(ctx: RequestContext, topPortId: string): Promise<void>;

  /**
   * Records the server's real id on prepared top ports (their device_id) when prepareServerNics was
   * given a provisional one because the pod's Nova picks the id. cleanupServerPorts and port lists
   * filtered by device_id find the ports by this id. Optional for compatibility.
   */
  bindServerNics?(ctx: RequestContext, nics: PreparedNic[], serverId: string): Promise<void>;

  /**
   * For the server actions addSecurityGroup/removeSecurityGroup: the id of `pod`'s copy of the
   * project's top group named (or with the id) `nameOrId` (`default` is the project's default group).
   * With `create` a missing copy is made with its rules; without, undefined when the pod has none.
   * 404 with Nova's message for a group the project does not have, 409 for a shared name.
   */
  podSecurityGroup?(ctx: RequestContext, pod: Pod, nameOrId: string, opts: { create: boolean }): Promise<string | undefined>;

  /** A top security group the caller may see (its project's, any for an admin), with its rules (Nova's proxy API). */
  securityGroup?(ctx: RequestContext, id: string): Promise<{ group: SecurityGroup; rules: SecurityGroupRule[] } | undefined>;
}
