export { groupRoutes } from './routes.js';
export { GroupService, podOfGroup } from './service.js';
