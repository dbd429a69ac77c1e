export { RoutingTable, type RoutingFilter } from './routingTable.js';
export { RESOURCE_TYPES, toRouting, type Routing, type ResourceType } from './rows.js';
export { intentSearch, INTENT_CLOCK_SLACK_MS, type RoutingIntent, type IntentInput } from './intent.js';
export { repairStaleIntents, type IntentFinder, type FoundResource, type IntentRepairOptions, type IntentRepairReport } from './intentRepair.js';
export { RoutingLock, RoutingCreateFail, RoutingBindFail, type GetOrCreateBottomInput, type GetOrCreateBottomResult } from './lock.js';
