/**
 * The Neutron faults the top networking service raises: `type` is upstream's exception class name and
 * the message reads as upstream's, so clients that parse NeutronError bodies behave as against Neutron.
 */
import { ApiError } from '../common/index.js';

const fault = (status: number, type: string, message: string) => new ApiError(status, message, type);

/** webob-level 400 (upstream's API layer). */
export const badRequest = (message: string) => fault(400, 'HTTPBadRequest', message);
/** neutron_lib InvalidInput. */
export const invalidInput = (detail: string) => fault(400, 'InvalidInput', `Invalid input for operation: ${detail}.`);
/** Attribute validation failure in the API layer. */
export const invalidAttribute = (attr: string, reason: string) => badRequest(`Invalid input for ${attr}. Reason: ${reason}.`);
/** neutron_lib BadRequest: "Bad <resource> request: <msg>." */
export const badResourceRequest = (resource: string, msg: string) => fault(400, 'BadRequest', `Bad ${resource} request: ${msg}.`);

/** oslo.policy refusal, with the rules that were combined. */
export function policyNotAuthorized(rules: string[]): ApiError {
  const text = rules.length === 1 ? `rule:${rules[0]}` : `(${rules.map((r) => `rule:${r}`).join(' and ')})`;
  return fault(403, 'PolicyNotAuthorized', `${text} is disallowed by policy`);
}

export const notFound = {
  network: (id: string) => fault(404, 'NetworkNotFound', `Network ${id} could not be found.`),
  subnet: (id: string) => fault(404, 'SubnetNotFound', `Subnet ${id} could not be found.`),
  port: (id: string) => fault(404, 'PortNotFound', `Port ${id} could not be found.`),
  subnetpool: (id: string) => fault(404, 'SubnetPoolNotFound', `Subnet pool ${id} could not be found.`),
  securityGroup: (id: string) => fault(404, 'SecurityGroupNotFound', `Security group ${id} does not exist`),
  availabilityZone: (name: string) => fault(404, 'AvailabilityZoneNotFound', `AvailabilityZone ${name} could not be found.`),
  extension: (alias: string) => fault(404, 'HTTPNotFound', `Extension with alias ${alias} does not exist`),
  tag: (resource: string, id: string, tag: string) => fault(404, 'TagNotFound', `Tag ${tag} could not be found for ${resource} ${id}.`),
};

export const conflict = {
  networkInUse: (id: string, portIds: string[]) =>
    fault(
      409,
      'NetworkInUse',
      `Unable to complete operation on network ${id}. There are one or more ports still in use on the network` +
        (portIds.length ? `, id for these ports is: ${portIds.join(',')}.` : '.'),
    ),
  subnetInUse: (id: string, reason = 'One or more ports have an IP allocation from this subnet') =>
    fault(409, 'SubnetInUse', `Unable to complete operation on subnet ${id}: ${reason}.`),
  subnetpoolInUse: (id: string) => fault(409, 'SubnetPoolInUse', `Unable to complete operation on subnet pool ${id}. Subnets are using the subnet pool.`),
  macInUse: (networkId: string, mac: string) => fault(409, 'MacAddressInUse', `Unable to complete operation for network ${networkId}. The mac address ${mac} is in use.`),
  ipAlreadyAllocated: (ip: string, subnetId: string) => fault(409, 'IpAddressAlreadyAllocated', `IP address ${ip} already allocated in subnet ${subnetId}`),
  ipExhaustedOnNetwork: (networkId: string) => fault(409, 'IpAddressGenerationFailure', `No more IP addresses available on network ${networkId}.`),
  ipExhaustedOnSubnet: (subnetId: string) => fault(409, 'IpAddressGenerationFailure', `No more IP addresses available for subnet ${subnetId}.`),
  flatInUse: (physnet: string) => fault(409, 'FlatNetworkInUse', `Unable to create the flat network. Physical network ${physnet} is in use.`),
  tunnelIdInUse: (id: number) => fault(409, 'TunnelIdInUse', `Unable to create the network. The tunnel ID ${id} is in use.`),
  vlanInUse: (vlan: number, physnet: string) => fault(409, 'VlanIdInUse', `Unable to create the network. The VLAN ${vlan} on physical network ${physnet} is in use.`),
  gatewayConflictsWithPools: (ip: string, pool: string) => fault(409, 'GatewayConflictWithAllocationPools', `Gateway ip ${ip} conflicts with allocation pool ${pool}.`),
  gatewayIpInUse: (ip: string, portId: string) => fault(409, 'GatewayIpInUse', `Current gateway ip ${ip} already in use by port ${portId}. Unable to update.`),
  overlappingPools: (a: string, b: string, cidr: string) => fault(409, 'OverlappingAllocationPools', `Found overlapping allocation pools: ${a} ${b} for subnet ${cidr}.`),
  invalidSharedSetting: (networkId: string) =>
    fault(409, 'InvalidSharedSetting', `Unable to reconfigure sharing settings for network ${networkId}. Multiple tenants are using it.`),
  addressPairsNeedPortSecurity: () => fault(409, 'AddressPairAndPortSecurityRequired', 'Port Security must be enabled in order to have allowed address pairs on a port.'),
  subnetAllocationFailed: (reason: string) => fault(409, 'SubnetAllocationError', `Failed to allocate subnet: ${reason}.`),
  defaultExternalNetworkExists: (networkId: string) => fault(409, 'DefaultExternalNetworkExists', `A default external network already exists: ${networkId}.`),
  autoAllocationFailure: (reason: string) => fault(409, 'AutoAllocationFailure', `Deployment error: ${reason}.`),
};

export const bad = {
  invalidIpForSubnet: (ip: string) => fault(400, 'InvalidIpForSubnet', `IP address ${ip} is not a valid IP for the specified subnet.`),
  invalidIpForNetwork: (ip: string) => fault(400, 'InvalidIpForNetwork', `IP address ${ip} is not a valid IP for any of the subnets on the specified network.`),
  invalidAllocationPool: (pool: string) => fault(400, 'InvalidAllocationPool', `The allocation pool ${pool} is not valid.`),
  outOfBoundsPool: (pool: string, cidr: string) => fault(400, 'OutOfBoundsAllocationPool', `The allocation pool ${pool} spans beyond the subnet cidr ${cidr}.`),
  autoAddressSubnet: (ip: string, subnetId: string) =>
    fault(
      400,
      'AllocationOnAutoAddressSubnet',
      `IPv6 address ${ip} cannot be directly assigned to a port on subnet ${subnetId} as the subnet is configured for automatic addresses`,
    ),
  securityGroupsNeedPortSecurity: () =>
    fault(400, 'PortSecurityAndIPRequiredForSecurityGroups', 'Port security must be enabled and port must have an IP address in order to use security groups.'),
  addressPairsExhausted: (max: number) => fault(400, 'AllowedAddressPairExhausted', `The number of allowed address pair exceeds the maximum ${max}.`),
  duplicateAddressPair: (mac: string | undefined, ip: string) =>
    fault(400, 'DuplicateAddressPairInRequest', `Request contains duplicate address pair: mac_address ${mac ?? 'None'} ip_address ${ip}.`),
  dnsNameserversExhausted: (subnetId: string, max: number) =>
    fault(400, 'DNSNameServersExhausted', `Unable to complete operation for ${subnetId}. The number of DNS nameservers exceeds the limit ${max}.`),
  hostRoutesExhausted: (subnetId: string, max: number) =>
    fault(400, 'HostRoutesExhausted', `Unable to complete operation for ${subnetId}. The number of host routes exceeds the limit ${max}.`),
};

/** neutron_lib NoNetworkAvailable is a ResourceExhausted: upstream answers 503. */
export const noNetworkAvailable = () => fault(503, 'NoNetworkAvailable', 'Unable to create the network. No tenant network is available for allocation.');
