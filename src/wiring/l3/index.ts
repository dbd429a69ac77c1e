/**
 * The pod side of routers and floating IPs (docs/l3.md): the `router_setup` and `fip_setup` job
 * handlers (./jobs.ts, registered by the composition root), the bridge networks' copies in the pods,
 * and the pure planning both use.
 */
export { l3JobHandlers } from './jobs.js';
export { planRouter, type PlanInput, type RouterPlan, type PodPlan, type Attachment } from './plan.js';
export { computeExtraRoutes, sameRoutes, type Route, type RouteSite, type RouteInput } from './routes.js';
export { setupRouter, type SetupContext } from './routerSetup.js';
export { setupFloatingIp } from './fips.js';
export { jobCallContext, type L3Tools } from './tools.js';
export { RT_ROUTER, RT_FLOATINGIP } from './names.js';
