export { novaApiGatewayModule, buildNovaGateway } from './module.js';
export { ApiVersion, GATEWAY_MAX_VERSION, negotiateVersion, type VersionRange } from './microversion.js';
export { computeRoot, replaceAllBytes, rewritePodLinks, replaceJsonStringMember } from './links.js';
export type { NovaDeps, NovaSettings } from './deps.js';
export type * from './tables.js';
