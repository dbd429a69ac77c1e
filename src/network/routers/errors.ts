/** The L3 faults (routers, floating IPs) with upstream's types, statuses and wording. */
import { ApiError } from '../../common/index.js';
import { badResourceRequest } from '../errors.js';
import { pyRepr } from '../input.js';
import type { Route } from './input.js';

const fault = (status: number, type: string, message: string) => new ApiError(status, message, type);

export const l3NotFound = {
  router: (id: string) => fault(404, 'RouterNotFound', `Router ${id} could not be found`),
  floatingIp: (id: string) => fault(404, 'FloatingIPNotFound', `Floating IP ${id} could not be found`),
  interface: (routerId: string, portId: string) => fault(404, 'RouterInterfaceNotFound', `Router ${routerId} does not have an interface with id ${portId}`),
  interfaceForSubnet: (routerId: string, subnetId: string) => fault(404, 'RouterInterfaceNotFoundForSubnet', `Router ${routerId} has no interface on subnet ${subnetId}`),
  externalGatewayForFloatingIp: (externalNetworkId: string, subnetId: string, portId: string) =>
    fault(
      404,
      'ExternalGatewayForFloatingIPNotFound',
      `External network ${externalNetworkId} is not reachable from subnet ${subnetId}.  Therefore, cannot associate Port ${portId} with a Floating IP.`,
    ),
};

export const l3Conflict = {
  routerInUse: (id: string, reason = 'still has ports') => fault(409, 'RouterInUse', `Router ${id} ${reason}`),
  portInUse: (portId: string, networkId: string, deviceId: string) =>
    fault(409, 'PortInUse', `Unable to complete operation on port ${portId} for network ${networkId}. Port already has an attached device ${deviceId}.`),
  interfaceInUseByFloatingIp: (routerId: string, subnetId: string) =>
    fault(
      409,
      'RouterInterfaceInUseByFloatingIP',
      `Router interface for subnet ${subnetId} on router ${routerId} cannot be deleted, as it is required by one or more floating IPs.`,
    ),
  interfaceInUseByRoute: (routerId: string, subnetId: string) =>
    fault(409, 'RouterInterfaceInUseByRoute', `Router interface for subnet ${subnetId} on router ${routerId} cannot be deleted, as it is required by one or more routes.`),
  gatewayInUseByFloatingIp: (routerId: string, networkId: string) =>
    fault(
      409,
      'RouterExternalGatewayInUseByFloatingIp',
      `Gateway cannot be updated for router ${routerId}, since a gateway to external network ${networkId} is required by one or more floating IPs.`,
    ),
  floatingIpPortAlreadyAssociated: (fipAddress: string, fipId: string, portId: string, fixedIp: string, networkId: string) =>
    fault(
      409,
      'FloatingIPPortAlreadyAssociated',
      `Cannot associate floating IP ${fipAddress} (${fipId}) with port ${portId} using fixed IP ${fixedIp}, as that fixed IP already has a floating IP on external network ${networkId}.`,
    ),
  servicePortInUse: (portId: string, deviceOwner: string) =>
    fault(409, 'ServicePortInUse', `Port ${portId} cannot be deleted directly via the port API: has device owner ${deviceOwner}.`),
};

export const l3Bad = {
  router: (msg: string) => badResourceRequest('router', msg),
  floatingIp: (msg: string) => badResourceRequest('floatingip', msg),
  invalidRoutes: (routes: Route[], reason: string) =>
    fault(400, 'InvalidRoutes', `Invalid format for routes: ${pyRepr(routes.map((r) => ({ destination: r.destination, nexthop: r.nexthop })))}, ${reason}`),
  routesExhausted: (routerId: string, max: number) =>
    fault(400, 'RoutesExhausted', `Unable to complete operation for ${routerId}. The number of routes exceeds the maximum ${max}.`),
  subnetMismatchForPort: (portId: string, subnetId: string) => fault(400, 'SubnetMismatchForPort', `Subnet on port ${portId} does not match the requested subnet ${subnetId}.`),
  externalIpExhausted: (networkId: string) => fault(400, 'ExternalIpAddressExhausted', `Unable to find any IP address on external network ${networkId}.`),
};
