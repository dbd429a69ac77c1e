/**
 * The gateway kit: what the Nova and Cinder gateways and the Admin API share. A service is
 * described as data (prefixes, microversions, validation style) and its routes are declared with
 * `mountService(app, service).route({...})`; handlers get a typed GatewayCall and return an Answer.
 */
export {
  Microversion,
  MicroversionNotAcceptable,
  negotiateMicroversion,
  requestedMicroversion,
  microversionHeaders,
  type MicroversionSpec,
  type VersionRange,
} from './microversion.js';
export {
  mountService,
  GatewayRouter,
  answer,
  ok,
  type Answer,
  type ApiPrefix,
  type GatewayCall,
  type GatewayLinks,
  type GatewayService,
  type Handler,
  type PathParams,
  type QueryParams,
  type RouteDefinition,
  type RouteOptions,
} from './routes.js';
export { Type, anyType, byVersion, keyedMap, nullable, since, stringEnum, upTo, type Static, type TSchema } from './schema.js';
export { BodyValidator, type BodyCheck } from './validation/validator.js';
export { CINDER_STYLE, NOVA_STYLE, type ValidationStyle } from './validation/style.js';
export { replaceAllBytes, rewritePodLinks, rewritePodUrl } from './links.js';
export { qAll, qLast } from './query.js';
