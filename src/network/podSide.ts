/**
 * What the top networking service needs done in the pods while it serves a request: its own
 * interfaces, implemented by the pod-side wiring (src/wiring) and connected by the composition root
 * (src/server.ts). The services call them through the socket below, so the API is built before the
 * wiring it is connected to, and never imports it.
 */
import type { BottomCallContext } from '../bottom/index.js';
import type { RequestContext } from '../identity/index.js';
import type { BottomNetworkDeleter } from './bottomCopies.js';
import type { SecurityGroup, SecurityGroupRule } from './securityGroups/model.js';

/** Makes an external network's copies (the network and its subnets) in the one pod that hosts it. */
export interface ExternalNetworkPlacer {
  placeInPod(networkId: string, ctx: Partial<BottomCallContext>): Promise<void>;
}

/**
 * Keeps the pods' copies of a security group equal to the top group as its rules and description
 * change. Each call either finishes in every pod holding the group or puts back what it did and
 * throws the pod's error (the service then undoes the top change).
 */
export interface SecurityGroupMirror {
  /** `created` are new rules of `group`, `before` its rules without them. */
  mirrorRulesCreated(group: SecurityGroup, created: readonly SecurityGroupRule[], before: readonly SecurityGroupRule[], ctx: RequestContext): Promise<void>;
  mirrorRuleDeleted(group: SecurityGroup, deleted: SecurityGroupRule, remaining: readonly SecurityGroupRule[], ctx: RequestContext): Promise<void>;
  mirrorGroupUpdated(group: SecurityGroup, previous: SecurityGroup, ctx: RequestContext): Promise<void>;
  /** Deletes the group's copies (and their routes); stops at the first pod that refuses. */
  deleteBottomGroups(groupId: string, ctx: RequestContext): Promise<void>;
  /** Reconciles every pod copy of the group with the top. */
  resyncGroup(groupId: string, ctx: RequestContext): Promise<void>;
}

/** Copies a top network (with its subnets) into one pod, as a server's boot would; idempotent. */
export interface NetworkCopier {
  copyIntoPod(networkId: string, podId: string, ctx: BottomCallContext): Promise<void>;
}

export interface NetworkPodSide {
  /** Deletes the pods' copies of deleted top networks, subnets and ports. */
  copies: BottomNetworkDeleter;
  /** Copies external networks into their pod when they (or their subnets) are created. */
  externalNetworks: ExternalNetworkPlacer;
  /** Copies a network into a pod that is asked to serve it (a DHCP agent it is added to). */
  networks: NetworkCopier;
  /** Mirrors security group changes to the pods holding the group. */
  securityGroups: SecurityGroupMirror;
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
      networks: { copyIntoPod: (networkId, podId, ctx) => target().networks.copyIntoPod(networkId, podId, ctx) },
      securityGroups: {
        mirrorRulesCreated: (group, created, before, ctx) => target().securityGroups.mirrorRulesCreated(group, created, before, ctx),
        mirrorRuleDeleted: (group, deleted, remaining, ctx) => target().securityGroups.mirrorRuleDeleted(group, deleted, remaining, ctx),
        mirrorGroupUpdated: (group, previous, ctx) => target().securityGroups.mirrorGroupUpdated(group, previous, ctx),
        deleteBottomGroups: (groupId, ctx) => target().securityGroups.deleteBottomGroups(groupId, ctx),
        resyncGroup: (groupId, ctx) => target().securityGroups.resyncGroup(groupId, ctx),
      },
    },
    connect(podSide) {
      connected = podSide;
    },
  };
}
