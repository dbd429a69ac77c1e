export { PodRegistry, isTopPod, type Pod, type PodInput } from './podRegistry.js';
export { PodBindings, type PodBinding } from './bindings.js';
export { SqlEndpointStore, type EndpointSource } from './endpointStore.js';
export { PodHealer, type PodHealerOptions } from './healer.js';
export { PodHealth, type PodHealthOptions, type PodHealthReporter, type PodHealthState } from './health.js';
export { PodScheduler, fewestResourcesPolicy, isSchedulable, type PodChoicePolicy, type PodCandidate, type ScheduleRequest, type PodSchedulerOptions } from './scheduler.js';
