/**
 * The faults of server network preparation, worded as Nova words them: the Nova API gateway relays
 * status and message to its client unchanged.
 */
import { ApiError } from '../../common/index.js';

const bad = (message: string) => new ApiError(400, message);

export const nicErrors = {
  networkNotFound: (id: string) => bad(`Network ${id} could not be found.`),
  networkRequiresSubnet: (id: string) => bad(`Network ${id} requires a subnet in order to boot instances on.`),
  notSameAz: (detail?: string) => bad(`Network and server not in the same availability zone${detail ? `: ${detail}` : ''}`),
  externalNetworkForbidden: (id: string) => new ApiError(403, `It is not allowed to create an interface on external network ${id}`),
  portNotFound: (id: string) => bad(`Port ${id} could not be found.`),
  portInUse: (id: string) => new ApiError(409, `Port ${id} is still in use.`),
  portRequiresFixedIp: (id: string) => bad(`Port ${id} requires a FixedIP in order to be used.`),
  invalidFixedIp: (ip: string) => bad(`Invalid fixed IP address (${ip})`),
  fixedIpInUse: (ip: string) => bad(`Fixed IP address ${ip} is already in use.`),
  networkAmbiguous: () => new ApiError(409, 'More than one possible network found. Specify network ID(s) to select which one(s) to connect to.'),
  securityGroupNotFound: (nameOrId: string) => bad(`Unable to find security_group with name or id '${nameOrId}'`),
  securityGroupAmbiguous: (name: string) => new ApiError(409, `Multiple security_group matches found for name '${name}', use an ID to be more specific.`),
  securityGroupCannotBeApplied: () => bad('Network requires port_security_enabled and subnet associated in order to apply security groups.'),
};
