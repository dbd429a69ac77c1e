/**
 * Routers and floating IPs of the top networking service: what the pod side (XJob handlers) and
 * other parts may use.
 */
export { ROUTER_SETUP_JOB, FIP_SETUP_JOB, l3JobsOf, noL3Jobs, inL3Transaction, type L3JobRequests, type L3JobRecorder } from './jobs.js';
export { RouterService, routerPortsOf, routerAvailabilityZones, lockRouter, visibleRouter, MAX_ROUTES, type RouterPort } from './service.js';
export { ROUTER_INTERFACE, ROUTER_GATEWAY, FLOATINGIP, L3_OWNERS } from './l3ports.js';
export type { Router, RouterGateway, RouterInterfaceInfo } from './model.js';
export type { Route, GatewayRequest } from './input.js';
export type { RoutersTable, RouterPortsTable, RouterRoutesTable, FloatingIpsTable } from './tables.js';
export { FloatingIpService, visibleFloatingIp } from '../floatingips/service.js';
export type { FloatingIp } from '../floatingips/model.js';
