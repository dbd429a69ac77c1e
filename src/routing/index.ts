export { RoutingTable, RESOURCE_TYPES, toRouting, type Routing, type RoutingFilter, type ResourceType } from './routingTable.js';
export { RoutingLock, RoutingCreateFail, RoutingBindFail, type GetOrCreateBottomInput, type GetOrCreateBottomResult } from './lock.js';
