// Contracts between the simulated services of one pod. Services of a pod live in one process and
// call each other directly through these interfaces (real Nova calls Neutron and Cinder over HTTP;
// the simulator does not need to).

/** The caller as resolved from X-Auth-Token by the simulated Keystone. */
export interface SimCaller {
  token: string;
  userId: string;
  userName: string;
  projectId: string;
  projectName: string;
  domainId: string;
  roles: string[];
  isAdmin: boolean;
  expiresAt: Date;
}

/** Token validation offered by the shared simulated Keystone to every service. */
export interface SimTokenValidator {
  validate(token: string): SimCaller | undefined;
}

export interface SimFixedIp {
  subnet_id: string;
  ip_address: string;
}

/** A Neutron port as stored by the simulated Neutron (the wire shape of a port). */
export type SimPort = Record<string, unknown> & {
  id: string;
  network_id: string;
  mac_address: string;
  fixed_ips: SimFixedIp[];
  device_id: string;
  device_owner: string;
  project_id: string;
  status: string;
};

/** What the simulated Nova of a pod needs from the simulated Neutron of the same pod. */
export interface SimNeutronApi {
  getNetwork(id: string): Record<string, unknown> | undefined;
  getPort(id: string): SimPort | undefined;
  listPorts(filter: { device_id?: string; network_id?: string }): SimPort[];
  /** Creates a port with IPAM; throws SimNeutronError (status 400/404/409) on bad input. */
  createPort(projectId: string, body: Record<string, unknown>): SimPort;
  /** Binds/unbinds a port to a device (device_id, device_owner, binding:host_id, status). */
  updatePort(id: string, patch: Record<string, unknown>): SimPort;
  deletePort(id: string): void;
  /** Subnet lookup so Nova can build `addresses` (ip version). */
  getSubnet(id: string): Record<string, unknown> | undefined;
  /**
   * A project's security group by id or name (`default` made on first use), as Nova looks one up for
   * addSecurityGroup/removeSecurityGroup; undefined when there is none, 'ambiguous' for a shared name.
   */
  /** Floating IPs on a port, so Nova shows them in `addresses` (its network info cache has them). */
  listFloatingIps?(filter: { port_id?: string }): Array<Record<string, unknown>>;
  findSecurityGroup?(projectId: string, nameOrId: string): { id: string; name: string } | 'ambiguous' | undefined;
}

/** What the simulated Nova of a pod needs from the simulated Cinder of the same pod. */
export interface SimCinderApi {
  getVolume(id: string): Record<string, unknown> | undefined;
  /** Marks a volume in-use with an attachment; throws SimServiceError 400/404/409 if not possible. */
  attach(volumeId: string, serverId: string, device: string, hostName: string): { attachmentId: string };
  detach(volumeId: string, serverId: string): void;
}

/** Shared simulated Glance, read by Nova (imageRef checks, createImage). */
export interface SimGlanceApi {
  getImage(id: string): Record<string, unknown> | undefined;
  /** Registers an image snapshot (createImage action); returns its id. */
  createImage(projectId: string, name: string, props: Record<string, unknown>): string;
  /** Removes an image Nova made (the snapshot of a shelved server, at unshelve or delete); absent ones are ignored. */
  deleteImage(id: string): void;
}

export class SimServiceError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Neutron error type (e.g. NetworkNotFound); ignored by Nova/Cinder style faults. */
    readonly type = '',
  ) {
    super(message);
  }
}

/** Per-service fault injection state, changed through the control endpoint or CLI flags. */
export interface SimFaults {
  /** Added latency in milliseconds on every request. */
  latencyMs: number;
  /** Probability (0..1) that a request answers 500/503 instead of being served. */
  errorRate: number;
  /** Connections refused: the listener is closed while true. */
  down: boolean;
  /** Requests hang (no answer) for this many milliseconds, 0 = off. */
  hangMs: number;
  /**
   * Successful creates of servers and volumes (POST …/servers, POST …/volumes) are carried out, then
   * their answer is held this many milliseconds, 0 = off: the window between a pod's 202 and the
   * caller reading it (a crash there is what intents repair).
   */
  createAnswerDelayMs: number;
}
