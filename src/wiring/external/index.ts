/**
 * External networks: their copies (network and subnets) in the one pod that hosts each, made when
 * they are created at the top and on demand (router gateways, floating IPs, the reconciler).
 */
export { ExternalNetworks, serviceCallContext, NotAnExternalNetwork, type ExternalPlacement, type ExternalNetworksDeps } from './place.js';
