/**
 * Where a top router has a copy, and what each copy is attached to. Pure: the input is the top state
 * and the routing table, the output the desired state; the jobs make the pods match it.
 *
 * - A router has a copy in every pod where one of its interface networks has a copy (a VM booted
 *   there, or the network spans that pod), and in the pod of its external network when it has a
 *   gateway. Nothing else: a router with neither interfaces in any pod nor a gateway has no copy.
 * - An interface that sits on its subnet's gateway address (the usual `add_router_interface` by
 *   subnet) is attached by subnet in every pod holding the network: the pod's copy of the subnet
 *   announces the gateway the router takes there (per-pod addresses for vlan networks).
 * - Any other interface (added by port, on some other address) is copied as a port with the same
 *   addresses, in the first pod that holds its network only: the same address in two pods of one
 *   shared VLAN would clash.
 * - Copies in two or more pods are joined by the project's bridge network.
 */

export interface PlanInterface {
  portId: string;
  networkId: string;
  fixedIps: { subnetId: string; ipAddress: string }[];
}

export interface PlanInput {
  interfaces: PlanInterface[];
  /** Gateway addresses of the interface subnets (top). */
  subnetGateways: Map<string, string | null>;
  /** Pods holding a copy of each network, first copy first. */
  networkPods: Map<string, string[]>;
  /** The pod of the router's external network, when it has a gateway whose pod is known. */
  externalPodId: string | null;
}

export type Attachment = { kind: 'subnet'; networkId: string; subnetId: string } | { kind: 'port'; networkId: string; portId: string; subnetIds: string[] };

export interface PodPlan {
  podId: string;
  attachments: Attachment[];
  /** This copy holds the router's external gateway. */
  external: boolean;
}

export interface RouterPlan {
  /** Sorted by pod id. */
  pods: PodPlan[];
  needsBridge: boolean;
  externalPodId: string | null;
}

export function planRouter(input: PlanInput): RouterPlan {
  const byPod = new Map<string, PodPlan>();
  const podPlan = (podId: string) => {
    let p = byPod.get(podId);
    if (!p) {
      p = { podId, attachments: [], external: false };
      byPod.set(podId, p);
    }
    return p;
  };
  for (const iface of input.interfaces) {
    const pods = input.networkPods.get(iface.networkId) ?? [];
    if (pods.length === 0 || iface.fixedIps.length === 0) continue;
    const onGateways = iface.fixedIps.every((f) => input.subnetGateways.get(f.subnetId) === f.ipAddress);
    if (onGateways) {
      for (const podId of pods) {
        const plan = podPlan(podId);
        for (const f of iface.fixedIps) {
          if (!plan.attachments.some((a) => a.kind === 'subnet' && a.subnetId === f.subnetId)) {
            plan.attachments.push({ kind: 'subnet', networkId: iface.networkId, subnetId: f.subnetId });
          }
        }
      }
    } else {
      podPlan(pods[0]).attachments.push({ kind: 'port', networkId: iface.networkId, portId: iface.portId, subnetIds: [...new Set(iface.fixedIps.map((f) => f.subnetId))] });
    }
  }
  if (input.externalPodId !== null) podPlan(input.externalPodId).external = true;
  const pods = [...byPod.values()].sort((a, b) => (a.podId < b.podId ? -1 : a.podId > b.podId ? 1 : 0));
  return { pods, needsBridge: pods.length >= 2, externalPodId: input.externalPodId };
}
