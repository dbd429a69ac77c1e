import { ApiError } from '../../common/index.js';

// Neutron's security group faults: status, type (the NeutronError "type") and message as upstream words them.

const bad = (type: string, message: string) => new ApiError(400, message, type);
const inUse = (type: string, message: string) => new ApiError(409, message, type);

export const sgErrors = {
  groupNotFound: (id: string) => new ApiError(404, `Security group ${id} does not exist`, 'SecurityGroupNotFound'),
  ruleNotFound: (id: string) => new ApiError(404, `Security group rule ${id} does not exist`, 'SecurityGroupRuleNotFound'),
  addressGroupNotFound: (id: string) => new ApiError(404, `Address group ${id} could not be found.`, 'AddressGroupNotFound'),
  groupInUse: (id: string) => inUse('SecurityGroupInUse', `Security Group ${id} in use.`),
  cannotRemoveDefault: () => inUse('SecurityGroupCannotRemoveDefault', 'Insufficient rights for removing default security group.'),
  cannotUpdateDefault: () => inUse('SecurityGroupCannotUpdateDefault', 'Updating default security group not allowed.'),
  defaultAlreadyExists: () => inUse('SecurityGroupDefaultAlreadyExists', 'Default security group already exists.'),
  ruleExists: (ruleId: string) => inUse('SecurityGroupRuleExists', `Security group rule already exists. Rule id is ${ruleId}.`),
  duplicateRuleInPost: () => inUse('DuplicateSecurityGroupRuleInPost', 'Duplicate Security Group Rule in POST.'),
  notSingleGroup: () => bad('SecurityGroupNotSingleGroupRules', 'Only allowed to update rules for one security profile at a time'),
  remoteGroupAndPrefix: () => bad('SecurityGroupMultipleRemoteEntites', 'Only remote_ip_prefix or remote_group_id or remote_address_group_id may be provided.'),
  protocolRequiredWithPorts: () => bad('SecurityGroupProtocolRequiredWithPorts', 'Must also specify protocol if port range is given.'),
  invalidPortRange: () => bad('SecurityGroupInvalidPortRange', 'For TCP/UDP protocols, port_range_min must be <= port_range_max'),
  invalidPortValue: (port: unknown) => bad('SecurityGroupInvalidPortValue', `Invalid value for port ${String(port)}.`),
  invalidProtocolForPort: (protocol: string, valid: readonly string[]) =>
    bad('SecurityGroupInvalidProtocolForPort', `Invalid protocol ${protocol} for port range, only supported for ${valid.join(', ')} protocols.`),
  invalidIcmpValue: (field: string, attr: string, value: number) =>
    bad('SecurityGroupInvalidIcmpValue', `Invalid value for ICMP ${field} (${attr}) ${value}. It must be 0 to 255.`),
  missingIcmpType: (value: number) => bad('SecurityGroupMissingIcmpType', `ICMP code (port-range-max) ${value} is provided but ICMP type (port-range-min) is missing.`),
  ethertypeConflictWithProtocol: (ethertype: string, protocol: string) =>
    bad('SecurityGroupEthertypeConflictWithProtocol', `Invalid ethertype ${ethertype} for protocol ${protocol}.`),
  invalidProtocol: (protocol: unknown, values: readonly string[]) =>
    bad(
      'SecurityGroupRuleInvalidProtocol',
      `Security group rule protocol ${String(protocol)} not supported. Only protocol values ${pyList(values)} and integer representations [0 to 255] are supported.`,
    ),
  invalidEthertype: (ethertype: unknown) =>
    bad('SecurityGroupRuleInvalidEtherType', `Security group rule for ethertype '${String(ethertype)}' not supported. Allowed values are ${pyList(['IPv4', 'IPv6'])}.`),
  parameterConflict: (ethertype: string, cidr: string) => bad('SecurityGroupRuleParameterConflict', `Conflicting value ethertype ${ethertype} for CIDR ${cidr}`),
  invalidCidr: (input: unknown) => bad('InvalidCIDR', `Invalid CIDR ${String(input)} given as IP prefix.`),
};

/** A list as Python prints it, the way Neutron's messages show allowed values. */
export function pyList(values: readonly string[]): string {
  return `[${values.map((v) => `'${v}'`).join(', ')}]`;
}
