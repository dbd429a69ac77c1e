export { novaApiGatewayModule, buildNovaGateway } from './module.js';
export { serverCleanupJobHandlers, SERVER_CLEANUP_JOB } from './servers/cleanupJob.js';
export { serverIntentFinder } from './servers/intentFinder.js';
export { GATEWAY_MAX_VERSION } from './versionRange.js';
export { computeRoot, replaceJsonStringMember } from './links.js';
export type { NovaDeps, NovaSettings } from './deps.js';
export type * from './tables.js';
