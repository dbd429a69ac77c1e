export { novaApiGatewayModule, buildNovaGateway } from './module.js';
export { serverCleanupJobHandlers, SERVER_CLEANUP_JOB } from './servers/cleanupJob.js';
export { ApiVersion, GATEWAY_MAX_VERSION, negotiateVersion, type VersionRange } from './microversion.js';
export { computeRoot, replaceAllBytes, rewritePodLinks, replaceJsonStringMember } from './links.js';
export type { NovaDeps, NovaSettings } from './deps.js';
export type * from './tables.js';
