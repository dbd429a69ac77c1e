/**
 * External networks live in exactly one pod: the region their single availability-zone hint names
 * (checkAzHints settles it when the network is created). Their copy in that pod, and the copies of
 * their subnets, are made as soon as they exist at the top, so router gateways and floating IPs find
 * them there. Copies are made through the routing lock by the same builder the server boot path
 * uses, so the two can never make two copies of one object, and every step can be run again.
 */
import { randomUUID } from 'node:crypto';
import type { BottomCallContext } from '../../bottom/index.js';
import { ApiError } from '../../common/index.js';
import type { Network, TopNetworkState } from '../../network/index.js';
import type { Pod, PodRegistry } from '../../pods/index.js';
import type { PodNetwork, PodNetworkBuilder } from '../prepare/podNetwork.js';

/** Where an external network's copy is: the pod, the copy's id, and its subnets' copies (top id → bottom id). */
export interface ExternalPlacement extends PodNetwork {
  network: Network;
}

/** The external network `id` is not (or no longer) at the top, or is not external. */
export class NotAnExternalNetwork extends ApiError {
  constructor(id: string, why: string) {
    super(404, `External network ${id} ${why}.`, 'ExternalNetworkNotFound');
    this.name = 'NotAnExternalNetwork';
  }
}

/** A call context for work done with the service account on behalf of no particular request. */
export function serviceCallContext(ctx?: Partial<BottomCallContext>): BottomCallContext {
  return {
    requestId: ctx?.requestId ?? `req-${randomUUID()}`,
    ...(ctx?.globalRequestId !== undefined ? { globalRequestId: ctx.globalRequestId } : {}),
  };
}

export interface ExternalNetworksDeps {
  top: Pick<TopNetworkState, 'networks'>;
  pods: Pick<PodRegistry, 'findByRegion'>;
  /** The process's one copy builder (the boot path's). */
  builder: PodNetworkBuilder;
}

/** The external networks' copies in their pods. */
export class ExternalNetworks {
  constructor(private readonly deps: ExternalNetworksDeps) {}

  /** The top row of an external network, or undefined when it is gone or not external. */
  async read(networkId: string): Promise<Network | undefined> {
    const network = await this.deps.top.networks.get(networkId);
    return network?.external ? network : undefined;
  }

  /** The pod that hosts an external network: the region its hint names. */
  async podOf(network: Pick<Network, 'id' | 'azHints'>): Promise<Pod> {
    const region = network.azHints[0];
    const pod = region === undefined ? undefined : await this.deps.pods.findByRegion(region);
    if (!pod) throw new NotAnExternalNetwork(network.id, region === undefined ? 'names no pod' : `names pod ${region}, which is not registered`);
    return pod;
  }

  /**
   * Makes sure the external network `topNetId` and all its subnets have their copies in the network's
   * pod (service account), and returns where they are. Idempotent and safe to call concurrently: each
   * copy is made once through the routing lock, and a copy a crashed attempt left is adopted by name.
   * Throws NotAnExternalNetwork (404) when the network is gone or not external, and the pod's error when
   * the pod refuses or cannot be reached.
   */
  async ensureInPod(topNetId: string, ctx?: Partial<BottomCallContext>): Promise<ExternalPlacement> {
    const network = await this.read(topNetId);
    if (!network) throw new NotAnExternalNetwork(topNetId, 'could not be found');
    const pod = await this.podOf(network);
    const subnets = await this.deps.top.networks.subnetsOf(network.id);
    const placed = await this.deps.builder.ensure(serviceCallContext(ctx), pod, network, subnets);
    return { ...placed, network };
  }
}
