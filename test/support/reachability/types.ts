// Input of the reachability model: what each pod's Neutron API returns (admin view), per region.
// Field names are Neutron's wire names, so list responses can be used as they are; only the
// fields the model reads are declared, extra fields are allowed.

export interface NetworkView {
  id: string;
  name?: string;
  project_id?: string;
  'provider:network_type'?: string | null;
  'provider:physical_network'?: string | null;
  'provider:segmentation_id'?: number | null;
  'router:external'?: boolean;
  shared?: boolean;
  admin_state_up?: boolean;
  [key: string]: unknown;
}

export interface SubnetView {
  id: string;
  name?: string;
  network_id: string;
  cidr: string;
  gateway_ip: string | null;
  ip_version: number;
  [key: string]: unknown;
}

export interface FixedIp {
  subnet_id?: string;
  ip_address: string;
}

export interface PortView {
  id: string;
  name?: string;
  project_id?: string;
  network_id: string;
  fixed_ips: FixedIp[];
  device_owner?: string;
  device_id?: string;
  mac_address?: string;
  admin_state_up?: boolean;
  [key: string]: unknown;
}

export interface ExternalGatewayInfo {
  network_id: string;
  external_fixed_ips?: FixedIp[];
  enable_snat?: boolean;
}

export interface RouteView {
  destination: string;
  nexthop: string;
}

export interface RouterView {
  id: string;
  name?: string;
  project_id?: string;
  admin_state_up?: boolean;
  external_gateway_info?: ExternalGatewayInfo | null;
  routes?: RouteView[];
  [key: string]: unknown;
}

export interface FloatingIpView {
  id?: string;
  project_id?: string;
  floating_ip_address: string;
  floating_network_id: string;
  port_id: string | null;
  fixed_ip_address: string | null;
  router_id: string | null;
  [key: string]: unknown;
}

/** Everything one pod's Neutron knows that matters for forwarding. */
export interface PodSnapshot {
  region: string;
  networks: NetworkView[];
  subnets: SubnetView[];
  ports: PortView[];
  routers: RouterView[];
  floatingips: FloatingIpView[];
}

export interface Snapshot {
  pods: PodSnapshot[];
}

export type IssueCode =
  | 'l2-subnet-mismatch'
  | 'duplicate-ip'
  | 'missing-provider-attributes'
  | 'port-subnet-missing'
  | 'route-invalid'
  | 'route-nexthop-not-connected'
  | 'route-nexthop-unanswered'
  | 'route-nexthop-not-router'
  | 'gateway-unanswered'
  | 'gateway-not-router'
  | 'router-gateway-invalid'
  | 'router-no-cross-pod-port'
  | 'fip-invalid'
  | 'fip-inner-orphan';

export interface Issue {
  code: IssueCode;
  severity: 'error' | 'warning';
  region?: string;
  message: string;
}

/** Where a packet starts: a port's address in a pod, or the world outside an external network. */
export type Source =
  | { region: string; ip: string; portId?: string }
  | {
      external: true;
      /** The external network the packet arrives on (default: the upstream external network holding `to`). */
      networkId?: string;
      region?: string;
      /** Picks the external network by one of its subnets' CIDR. */
      cidr?: string;
      /** The client's address (default 203.0.113.1, off every cloud subnet, i.e. beyond the upstream gateway). */
      ip?: string;
    };

export interface ReachQuery {
  from: Source;
  to: string;
  /** Also walk the reply back through the same NAT routers (default true). */
  reply?: boolean;
}

export interface WalkResult {
  ok: boolean;
  path: string[];
  reason?: string;
}

export interface ReachResult extends WalkResult {
  /** The source address the destination sees (after SNAT / floating IP translation). */
  sourceSeenAs?: string;
  /** Where the packet ended: a VM port (region, port id, address). */
  deliveredTo?: { region: string; portId: string; ip: string };
  /** The reply's walk, when checked. */
  reply?: WalkResult;
}
