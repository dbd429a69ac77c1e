export { AutoAllocateService, DRY_RUN, type AutoAllocateParts, type TopologyView } from './service.js';
export { autoAllocateRoutes } from './routes.js';
