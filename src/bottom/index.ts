export { PodClientFactory, type PodClientFactoryOptions } from './factory.js';
export { BottomClient } from './client.js';
export { BottomError, PodUnreachableError, isBottomNotFound } from './errors.js';
export {
  NeutronApi,
  type NeutronObject,
  type BottomNetwork,
  type BottomSubnet,
  type BottomPort,
  type BottomFixedIp,
  type BottomSecurityGroup,
  type BottomSecurityGroupRule,
  type BottomRouter,
  type BottomRoute,
  type BottomRouterInterface,
  type BottomFloatingIp,
  type RouterInterfaceRef,
} from './neutron.js';
export { NovaApi, type BottomServer, type BottomFlavor, type BottomKeypair, type BottomVolumeAttachment } from './nova.js';
export { CinderApi, type BottomVolume } from './cinder.js';
export { GlanceApi, type BottomImage } from './glance.js';
export type {
  BottomCallContext,
  CallOptions,
  HttpMethod,
  JsonObject,
  Query,
  QueryValue,
  RawRequest,
  RawResponse,
  ResponseHeaders,
  StreamRequest,
  StreamResponse,
} from './types.js';
