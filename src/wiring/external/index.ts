/**
 * External networks: their copies (network and subnets) in the one pod that hosts each, made when
 * they are created at the top and on demand (router gateways, floating IPs, the reconciler).
 */
export {
  ensureExternalNetworkInPod,
  externalPodOf,
  readExternalNetwork,
  serviceCallContext,
  podFailure,
  NotAnExternalNetwork,
  type ExternalPlacement,
} from './place.js';
export { copyExternalOrUndo } from './hooks.js';
