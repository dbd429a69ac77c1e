export { groupRoutes } from './routes.js';
export { GroupService } from './service.js';
