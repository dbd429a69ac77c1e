export { RoutingTable, RESOURCE_TYPES, toRouting, type Routing, type RoutingFilter, type ResourceType } from './routingTable.js';
