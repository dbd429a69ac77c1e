/**
 * What the top networking service needs done in the pods while it serves a request: its own
 * interfaces, implemented by the pod-side wiring (src/wiring) and connected by the composition root
 * (src/server.ts). The services call them through the socket below, so the API is built before the
 * wiring it is connected to, and never imports it.
 */
import type { BottomCallContext } from '../bottom/index.js';
import type { BottomNetworkDeleter } from './bottomCopies.js';

/** Makes an external network's copies (the network and its subnets) in the one pod that hosts it. */
export interface ExternalNetworkPlacer {
  placeInPod(networkId: string, ctx: Partial<BottomCallContext>): Promise<void>;
}

export interface NetworkPodSide {
  /** Deletes the pods' copies of deleted top networks, subnets and ports. */
  copies: BottomNetworkDeleter;
  /** Copies external networks into their pod when they (or their subnets) are created. */
  externalNetworks: ExternalNetworkPlacer;
}

/** The pod side as the services hold it, and the one call that connects the real one. */
export interface PodSideSocket {
  podSide: NetworkPodSide;
  connect(podSide: NetworkPodSide): void;
}

export function podSideSocket(): PodSideSocket {
  let connected: NetworkPodSide | undefined;
  const target = (): NetworkPodSide => {
    if (!connected) throw new Error('the pod side of the networking service (src/wiring) is not connected');
    return connected;
  };
  return {
    podSide: {
      copies: { deleteCopy: (pod, kind, bottomId, ctx) => target().copies.deleteCopy(pod, kind, bottomId, ctx) },
      externalNetworks: { placeInPod: (networkId, ctx) => target().externalNetworks.placeInPod(networkId, ctx) },
    },
    connect(podSide) {
      connected = podSide;
    },
  };
}
