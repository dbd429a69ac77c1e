// The Linux networking the dataplane wants, as flat lists keyed by namespace: what `buildTopology`
// computes from the pods' Neutron state and what the reconciler makes real.

export type NamespaceRole = 'fabric' | 'outside' | 'pod' | 'router' | 'vm';

export interface NamespaceSpec {
  name: string;
  role: NamespaceRole;
  /** Written once when the namespace is made: path under /proc/sys/ → value. */
  sysctls: [string, string][];
  /** The whole nftables ruleset of the namespace ('' for none). */
  nft: string;
}

export interface BridgeSpec {
  netns: string;
  name: string;
  up: boolean;
}

/** One end of a veth pair. */
export interface LinkEnd {
  netns: string;
  name: string;
  mac?: string;
  /** A bridge in the same namespace. */
  master?: string;
  up: boolean;
}

/** A veth pair, created from `a` with `b` placed into its namespace. */
export interface VethSpec {
  a: LinkEnd;
  b: LinkEnd;
}

export interface AddressSpec {
  netns: string;
  dev: string;
  /** "10.0.1.5/24" (host address and the subnet's prefix length). */
  cidr: string;
}

export interface RouteSpec {
  netns: string;
  /** "default" or a network "10.0.2.0/24". */
  dst: string;
  via?: string;
  dev?: string;
}

/** What a VM namespace stands for (status and the verify tool). */
export interface VmView {
  region: string;
  netns: string;
  portId: string;
  portName: string;
  deviceId: string;
  networkId: string;
  projectId: string;
  mac: string;
  ips: string[];
  gateway: string | null;
  securityGroups: string[];
  portSecurity: boolean;
}

export interface RouterView {
  region: string;
  netns: string;
  routerId: string;
  name: string;
  projectId: string;
  interfaces: { dev: string; portId: string; networkId: string; addresses: string[]; gateway: boolean }[];
  routes: string[];
  /** Associated floating IPs this router translates: address → fixed address. */
  floatingIps: { address: string; fixedIp: string }[];
  snat: boolean;
}

export interface OutsideView {
  netns: string;
  /** The address the outside host tests from and that VMs reach north-south ("the internet"). */
  clientAddress: string;
  /** Its interfaces on the external networks whose gateway no port in the cloud holds. */
  interfaces: { dev: string; segment: string; addresses: string[] }[];
}

export interface TopologyView {
  fabric: string;
  /** The provider switch's bridges, one per shared segment ("vlan:<physnet>:<id>", "flat:<physnet>"). */
  switches: { dev: string; segment: string }[];
  outside: OutsideView;
  /** Each pod's namespace and its networks' bridges (segment: where the bridge's uplink goes, if anywhere). */
  pods: { region: string; netns: string; networks: { networkId: string; name: string; bridge: string; segment: string | null }[] }[];
  vms: VmView[];
  routers: RouterView[];
}

export interface Topology {
  namespaces: NamespaceSpec[];
  bridges: BridgeSpec[];
  veths: VethSpec[];
  addresses: AddressSpec[];
  routes: RouteSpec[];
  /** What the state asks for and cannot be realised (a route whose next hop is not connected, ...). */
  notes: string[];
  view: TopologyView;
}
