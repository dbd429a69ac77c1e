export { groupTypeRoutes } from './routes.js';
export { GroupTypeService } from './service.js';
export { GroupTypeStore, DEFAULT_GROUP_TYPE_NAME, type GroupType } from './store.js';
export { GroupTypeSync, GROUP_TYPE } from './sync.js';
