/**
 * Names and keys of the top objects the pod side of L3 keeps for itself (the projects' bridge
 * networks). They belong to no project (project_id ''), so tenants never see them in their lists;
 * their names say whose they are.
 */
import { createHash } from 'node:crypto';

/** Owner of the top bridge network, subnet, pool and ports: nobody (hidden from every tenant). */
export const BRIDGE_OWNER = '';

export const BRIDGE_POOL_NAME = 'bridge_subnet_pool';

/** Prefix length of each bridge subnet, carved from `[tricircle] bridge_cidr`. */
export const BRIDGE_PREFIXLEN = 24;

/**
 * The two bridge networks of a project. East-west: every copy of a router that spans pods has an
 * interface on it (one subnet per project, no gateway: routes name their next hops). North-south:
 * one subnet per router (its gateway address is the router's copy in the external pod); the copies
 * outside the external pod have their gateway on it (it is an external network in the pods), so
 * their default route leads to the external copy, and floating IPs of VMs outside the external pod
 * take their inner address from it.
 */
export interface BridgeKind {
  kind: 'ew' | 'ns';
  netName(projectId: string): string;
  /** The subnet's name: by project (east-west) or by router (north-south). */
  subnetName(owner: string): string;
  /** Whether each router has its own subnet on this bridge. */
  subnetPerRouter: boolean;
  /** reserved_for key of a router copy's address on this bridge in a pod. */
  routerKey(routerId: string, podId: string): string;
  routerKeyPrefix(routerId: string): string;
  /** Prefix of every router key of this kind (for "is any router of the project on it in pod X"). */
  routerKeyRoot: string;
  /** Whether the subnets have a gateway address. */
  withGateway: boolean;
  /** Whether the pods' copies are router:external. */
  podExternal: boolean;
}

export const EW_BRIDGE: BridgeKind = {
  kind: 'ew',
  netName: (p) => `bridge_net_${p}`,
  subnetName: (p) => `bridge_subnet_${p}`,
  subnetPerRouter: false,
  routerKey: (r, pod) => `bridge:${r}:${pod}`,
  routerKeyPrefix: (r) => `bridge:${r}:`,
  routerKeyRoot: 'bridge:',
  withGateway: false,
  podExternal: false,
};

export const NS_BRIDGE: BridgeKind = {
  kind: 'ns',
  netName: (p) => `ns_bridge_net_${p}`,
  subnetName: (r) => `ns_bridge_subnet_${r}`,
  subnetPerRouter: true,
  routerKey: (r, pod) => `ns-bridge:${r}:${pod}`,
  routerKeyPrefix: (r) => `ns-bridge:${r}:`,
  routerKeyRoot: 'ns-bridge:',
  withGateway: true,
  podExternal: true,
};

export const bridgeNetName = EW_BRIDGE.netName;
export const nsBridgeNetName = NS_BRIDGE.netName;

/** reserved_for key of the north-south bridge address a floating IP is mapped to between the external pod and the VM's pod. */
export const fipBridgeKey = (floatingIpId: string): string => `ns-bridge-fip:${floatingIpId}`;

/** device_owner of the top ports behind those keys (they are never shown to tenants). */
export const BRIDGE_ROUTER_OWNER = 'network:router_interface';
export const BRIDGE_FIP_OWNER = 'tricircle:bridge_floatingip';

/** A UUID derived from a text (the bridge pool's id from the configured CIDR, so every process agrees). */
export function stableId(text: string): string {
  const h = createHash('sha256').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16], 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
