// Neutron error bodies: every failure of the simulated Neutron is a SimServiceError whose `type` is the
// upstream exception class name and whose message reads as upstream's does, so that clients parsing
// NeutronError.type / message behave as against a real Zed Neutron.
import { SimServiceError } from '../types.js';

/** Renders a JSON value the way Python's repr() prints the equivalent object (upstream messages embed them). */
export function pyRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).map(([k, v]) => `${pyRepr(k)}: ${pyRepr(v)}`);
    return `{${entries.join(', ')}}`;
  }
  return String(value);
}

/** Renders a value as Python's str() of it would inside a %s format. */
export function pyStr(value: unknown): string {
  return typeof value === 'string' ? value : pyRepr(value);
}

export function err(status: number, type: string, message: string): SimServiceError {
  return new SimServiceError(status, message, type);
}

// Generic webob-level errors (type is the webob class name).
export const badRequest = (message: string): SimServiceError => err(400, 'HTTPBadRequest', message);
export const httpNotFound = (message = 'The resource could not be found.'): SimServiceError => err(404, 'HTTPNotFound', message);
export const httpConflict = (message: string): SimServiceError => err(409, 'HTTPConflict', message);

/** neutron_lib BadRequest: "Bad <resource> request: <msg>." */
export const badResourceRequest = (resource: string, msg: string): SimServiceError => err(400, 'BadRequest', `Bad ${resource} request: ${msg}.`);
export const invalidInput = (detail: string): SimServiceError => err(400, 'InvalidInput', `Invalid input for operation: ${detail}.`);
/** Attribute validation failure as produced by the API layer. */
export const invalidAttr = (attr: string, reason: string): SimServiceError => badRequest(`Invalid input for ${attr}. Reason: ${reason}.`);

/** oslo.policy refusal of one rule: "rule:update_network is disallowed by policy". */
export function policyNotAuthorized(rules: string[]): SimServiceError {
  const checks = rules.map((r) => `rule:${r}`);
  return policyNotAuthorizedText(checks.length === 1 ? checks[0] : `(${checks.join(' and ')})`);
}

/** oslo.policy refusal of a composed check, given as printed. */
export function policyNotAuthorizedText(check: string): SimServiceError {
  return err(403, 'PolicyNotAuthorized', `${check} is disallowed by policy`);
}

export const notFound = {
  network: (id: string) => err(404, 'NetworkNotFound', `Network ${id} could not be found.`),
  subnet: (id: string) => err(404, 'SubnetNotFound', `Subnet ${id} could not be found.`),
  port: (id: string) => err(404, 'PortNotFound', `Port ${id} could not be found.`),
  router: (id: string) => err(404, 'RouterNotFound', `Router ${id} could not be found`),
  floatingip: (id: string) => err(404, 'FloatingIPNotFound', `Floating IP ${id} could not be found`),
  securityGroup: (id: string) => err(404, 'SecurityGroupNotFound', `Security group ${id} does not exist`),
  securityGroupRule: (id: string) => err(404, 'SecurityGroupRuleNotFound', `Security group rule ${id} does not exist`),
  extension: (alias: string) => err(404, 'HTTPNotFound', `Extension with alias ${alias} does not exist`),
  availabilityZone: (az: string) => err(404, 'AvailabilityZoneNotFound', `AvailabilityZone ${az} could not be found.`),
  tag: (resource: string, resourceId: string, tag: string) => err(404, 'TagNotFound', `Tag ${tag} could not be found for ${resource} ${resourceId}.`),
};

export const conflict = {
  networkInUse: (netId: string, portIds: string[]) =>
    err(
      409,
      'NetworkInUse',
      `Unable to complete operation on network ${netId}. There are one or more ports still in use on the network, id for these ports is: ${portIds.join(',')}.`,
    ),
  subnetInUse: (subnetId: string, reason = 'One or more ports have an IP allocation from this subnet') =>
    err(409, 'SubnetInUse', `Unable to complete operation on subnet ${subnetId}: ${reason}.`),
  portInUse: (portId: string, netId: string, deviceId: string) =>
    err(409, 'PortInUse', `Unable to complete operation on port ${portId} for network ${netId}. Port already has an attached device ${deviceId}.`),
  servicePortInUse: (portId: string, reason: string) => err(409, 'ServicePortInUse', `Port ${portId} cannot be deleted directly via the port API: ${reason}.`),
  macInUse: (netId: string, mac: string) => err(409, 'MacAddressInUse', `Unable to complete operation for network ${netId}. The mac address ${mac} is in use.`),
  ipAlreadyAllocated: (ip: string, subnetId: string) => err(409, 'IpAddressAlreadyAllocated', `IP address ${ip} already allocated in subnet ${subnetId}`),
  ipGenerationFailureNetwork: (netId: string) => err(409, 'IpAddressGenerationFailure', `No more IP addresses available on network ${netId}.`),
  ipGenerationFailureSubnet: (subnetId: string) => err(409, 'IpAddressGenerationFailure', `No more IP addresses available for subnet ${subnetId}.`),
  vlanInUse: (vlan: number, physnet: string) => err(409, 'VlanIdInUse', `Unable to create the network. The VLAN ${vlan} on physical network ${physnet} is in use.`),
  flatInUse: (physnet: string) => err(409, 'FlatNetworkInUse', `Unable to create the flat network. Physical network ${physnet} is in use.`),
  tunnelInUse: (id: number) => err(409, 'TunnelIdInUse', `Unable to create the network. The tunnel ID ${id} is in use.`),
  routerInUse: (routerId: string, reason = 'still has ports') => err(409, 'RouterInUse', `Router ${routerId} ${reason}`),
  routerInterfaceInUseByFloatingIP: (subnetId: string, routerId: string) =>
    err(409, 'RouterInterfaceInUseByFloatingIP', `Router interface for subnet ${subnetId} on router ${routerId} cannot be deleted, as it is required by one or more floating IPs.`),
  routerInterfaceInUseByRoute: (subnetId: string, routerId: string) =>
    err(409, 'RouterInterfaceInUseByRoute', `Router interface for subnet ${subnetId} on router ${routerId} cannot be deleted, as it is required by one or more routes.`),
  gatewayInUseByFloatingIp: (routerId: string, netId: string) =>
    err(
      409,
      'RouterExternalGatewayInUseByFloatingIp',
      `Gateway cannot be updated for router ${routerId}, since a gateway to external network ${netId} is required by one or more floating IPs.`,
    ),
  fipPortAlreadyAssociated: (fipAddr: string, fipId: string, portId: string, fixedIp: string, netId: string) =>
    err(
      409,
      'FloatingIPPortAlreadyAssociated',
      `Cannot associate floating IP ${fipAddr} (${fipId}) with port ${portId} using fixed IP ${fixedIp}, as that fixed IP already has a floating IP on external network ${netId}.`,
    ),
  sgInUse: (id: string) => err(409, 'SecurityGroupInUse', `Security Group ${id} in use.`),
  sgCannotRemoveDefault: () => err(409, 'SecurityGroupCannotRemoveDefault', 'Insufficient rights for removing default security group.'),
  sgCannotUpdateDefault: () => err(409, 'SecurityGroupCannotUpdateDefault', 'Updating default security group not allowed.'),
  sgDefaultAlreadyExists: () => err(409, 'SecurityGroupDefaultAlreadyExists', 'Default security group already exists.'),
  sgRuleExists: (ruleId: string) => err(409, 'SecurityGroupRuleExists', `Security group rule already exists. Rule id is ${ruleId}.`),
  gatewayConflictWithPools: (ip: string, pool: string) => err(409, 'GatewayConflictWithAllocationPools', `Gateway ip ${ip} conflicts with allocation pool ${pool}.`),
  gatewayIpInUse: (ip: string, portId: string) => err(409, 'GatewayIpInUse', `Current gateway ip ${ip} already in use by port ${portId}. Unable to update.`),
  externalNetworkInUse: (netId: string) =>
    err(409, 'ExternalNetworkInUse', `External network ${netId} cannot be updated to be made non-external, since it has existing gateway ports.`),
  invalidSharedSetting: (netId: string) => err(409, 'InvalidSharedSetting', `Unable to reconfigure sharing settings for network ${netId}. Multiple tenants are using it.`),
  addressPairAndPortSecurityRequired: () => err(409, 'AddressPairAndPortSecurityRequired', 'Port Security must be enabled in order to have allowed address pairs on a port.'),
};

export const bad = {
  invalidIpForSubnet: (ip: string) => err(400, 'InvalidIpForSubnet', `IP address ${ip} is not a valid IP for the specified subnet.`),
  invalidIpForNetwork: (ip: string) => err(400, 'InvalidIpForNetwork', `IP address ${ip} is not a valid IP for any of the subnets on the specified network.`),
  invalidAllocationPool: (pool: string) => err(400, 'InvalidAllocationPool', `The allocation pool ${pool} is not valid.`),
  outOfBoundsAllocationPool: (pool: string, cidr: string) => err(400, 'OutOfBoundsAllocationPool', `The allocation pool ${pool} spans beyond the subnet cidr ${cidr}.`),
  overlappingAllocationPools: (p1: string, p2: string, cidr: string) =>
    err(409, 'OverlappingAllocationPools', `Found overlapping allocation pools: ${p1} ${p2} for subnet ${cidr}.`),
  invalidRoutes: (routes: unknown, reason: string) => err(400, 'InvalidRoutes', `Invalid format for routes: ${pyRepr(routes)}, ${reason}`),
  routesExhausted: (routerId: string, quota: number) =>
    err(400, 'RoutesExhausted', `Unable to complete operation for ${routerId}. The number of routes exceeds the maximum ${quota}.`),
  allocationOnAutoAddressSubnet: (ip: string, subnetId: string) =>
    err(400, 'AllocationOnAutoAddressSubnet', `IPv6 address ${ip} cannot be directly assigned to a port on subnet ${subnetId} as the subnet is configured for automatic addresses`),
  portSecurityRequiredForSg: () =>
    err(400, 'PortSecurityAndIPRequiredForSecurityGroups', 'Port security must be enabled and port must have an IP address in order to use security groups.'),
  sgInvalidPortRange: () => err(400, 'SecurityGroupInvalidPortRange', 'For TCP/UDP protocols, port_range_min must be <= port_range_max'),
  sgInvalidPortValue: (port: unknown) => err(400, 'SecurityGroupInvalidPortValue', `Invalid value for port ${pyStr(port)}`),
  sgInvalidIcmpValue: (field: string, attr: string, value: unknown) =>
    err(400, 'SecurityGroupInvalidIcmpValue', `Invalid value for ICMP ${field} (${attr}) ${pyStr(value)}. It must be 0 to 255.`),
  sgMissingIcmpType: (value: unknown) =>
    err(400, 'SecurityGroupMissingIcmpType', `ICMP code (port-range-max) ${pyStr(value)} is provided but ICMP type (port-range-min) is missing.`),
  sgProtocolRequiredWithPorts: () => err(400, 'SecurityGroupProtocolRequiredWithPorts', 'Must also specify protocol if port range is given.'),
  sgInvalidProtocolForPortRange: (protocol: string) =>
    err(400, 'SecurityGroupInvalidProtocolForPortRange', `Invalid protocol ${protocol} for port range, only supported for TCP, UDP, UDPLITE, SCTP and DCCP.`),
  sgRuleInvalidProtocol: (protocol: unknown, values: (string | null)[]) =>
    err(
      400,
      'SecurityGroupRuleInvalidProtocol',
      `Security group rule protocol ${pyStr(protocol)} not supported. Only protocol values ${pyRepr(values)} and integer representations [0 to 255] are supported.`,
    ),
  sgRuleInvalidEtherType: (ethertype: unknown) =>
    err(400, 'SecurityGroupRuleInvalidEtherType', `Security group rule for ethertype '${pyStr(ethertype)}' not supported. Allowed values are ['IPv4', 'IPv6'].`),
  sgRemoteGroupAndRemoteIpPrefix: () => err(400, 'SecurityGroupRemoteGroupAndRemoteIpPrefix', 'Only remote_ip_prefix or remote_group_id may be provided.'),
  sgRuleParameterConflict: (ethertype: string, cidr: string) => err(400, 'SecurityGroupRuleParameterConflict', `Conflicting value ethertype ${ethertype} for CIDR ${cidr}`),
  sgEthertypeConflictWithProtocol: (ethertype: string, protocol: string) =>
    err(400, 'SecurityGroupEthertypeConflictWithProtocol', `Invalid ethertype ${ethertype} for protocol ${protocol}.`),
};

export const unavailable = {
  noNetworkAvailable: () => err(503, 'NoNetworkAvailable', 'Unable to create the network. No tenant network is available for allocation.'),
};
