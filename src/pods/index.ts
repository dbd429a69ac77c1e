export { PodRegistry, isTopPod, type Pod, type PodInput } from './podRegistry.js';
export { PodBindings, type PodBinding } from './bindings.js';
export { SqlEndpointStore, type EndpointSource } from './endpointStore.js';
