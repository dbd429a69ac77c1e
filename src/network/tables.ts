import type { Generated } from 'kysely';

/**
 * Tables of the top networking service (migration 0002_network). Timestamps are epoch milliseconds
 * written from the database clock; booleans are 0/1; list- and dict-valued attributes that are only
 * ever read whole are JSON text.
 */

export interface NetworksTable {
  id: string;
  project_id: string;
  name: string;
  description: string;
  admin_state_up: number;
  shared: number;
  /** router:external */
  external: number;
  port_security_enabled: number;
  mtu: number;
  /** JSON array of AZ names (internal networks) or pod region names (external networks). */
  availability_zone_hints: string;
  /** Type driver of the network's one segment: 'local', 'vlan'; null for an external network without one. */
  network_type: string | null;
  physical_network: string | null;
  segmentation_id: number | null;
  /** The QoS policy of the network (migration 0013), or null. */
  qos_policy_id: string | null;
  /** 1 on the deployment's default external network (auto-allocated topology, migration 0016); 0 otherwise. */
  is_default: Generated<number>;
  revision_number: number;
  created_at: number;
  updated_at: number;
}

export interface SubnetsTable {
  id: string;
  project_id: string;
  network_id: string;
  name: string;
  description: string;
  ip_version: number;
  /** Canonical network address and prefix, e.g. 10.0.0.0/24. */
  cidr: string;
  gateway_ip: string | null;
  enable_dhcp: number;
  ipv6_ra_mode: string | null;
  ipv6_address_mode: string | null;
  /** JSON array of {start, end}. */
  allocation_pools: string;
  /** JSON array of IP strings, in the order given. */
  dns_nameservers: string;
  /** JSON array of {destination, nexthop}. */
  host_routes: string;
  /** JSON array of strings. */
  service_types: string;
  subnetpool_id: string | null;
  revision_number: number;
  created_at: number;
  updated_at: number;
}

export interface PortsTable {
  id: string;
  project_id: string;
  network_id: string;
  name: string;
  description: string;
  mac_address: string;
  admin_state_up: number;
  status: string;
  device_id: string;
  device_owner: string;
  port_security_enabled: number;
  binding_host_id: string;
  binding_vnic_type: string;
  /** JSON object. */
  binding_profile: string;
  /** JSON array of {ip_address, mac_address}. */
  allowed_address_pairs: string;
  /** JSON array of {opt_name, opt_value, ip_version}. */
  extra_dhcp_opts: string;
  /**
   * Key of a port Tricircle reserves for itself (a subnet's shared DHCP port, a pod's gateway port on
   * a subnet); unique, so concurrent preparations of one pod agree on one port. Null for user ports.
   */
  reserved_for: string | null;
  /** The QoS policy of the port (migration 0013), or null. */
  qos_policy_id: string | null;
  revision_number: number;
  created_at: number;
  updated_at: number;
}

/** One IP address held by one port; the primary key makes a double allocation impossible. */
export interface IpAllocationsTable {
  subnet_id: string;
  ip_address: string;
  network_id: string;
  port_id: string;
}

/** One segmentation id held by one network. */
export interface SegmentAllocationsTable {
  /** 'vlan'; the key also carries it so other segment types can share the table later. */
  network_type: string;
  physical_network: string;
  segmentation_id: number;
  network_id: string;
}

export interface SubnetpoolsTable {
  id: string;
  project_id: string;
  name: string;
  description: string;
  ip_version: number;
  /** JSON array of canonical CIDRs, merged. */
  prefixes: string;
  default_prefixlen: number;
  min_prefixlen: number;
  max_prefixlen: number;
  default_quota: number | null;
  shared: number;
  is_default: number;
  address_scope_id: string | null;
  revision_number: number;
  created_at: number;
  updated_at: number;
}

export interface SecurityGroupsTable {
  id: string;
  project_id: string;
  name: string;
  description: string;
  stateful: number;
  revision_number: number;
  created_at: number;
  updated_at: number;
}

/** The default security group of each project; the primary key keeps it to one per project. */
export interface DefaultSecurityGroupsTable {
  project_id: string;
  security_group_id: string;
}

export interface SecurityGroupRulesTable {
  id: string;
  project_id: string;
  security_group_id: string;
  remote_group_id: string | null;
  remote_address_group_id: string | null;
  direction: string;
  ethertype: string;
  protocol: string | null;
  port_range_min: number | null;
  port_range_max: number | null;
  remote_ip_prefix: string | null;
  description: string;
  revision_number: number;
  created_at: number;
  updated_at: number;
}

export interface PortSecurityGroupsTable {
  port_id: string;
  security_group_id: string;
}

/** Tags of networks, subnets, ports, subnet pools and security groups. */
export interface ResourceTagsTable {
  resource_id: string;
  resource_type: string;
  tag: string;
}

declare module '../db/tables.js' {
  interface Database {
    networks: NetworksTable;
    subnets: SubnetsTable;
    ports: PortsTable;
    ip_allocations: IpAllocationsTable;
    segment_allocations: SegmentAllocationsTable;
    subnetpools: SubnetpoolsTable;
    security_groups: SecurityGroupsTable;
    default_security_groups: DefaultSecurityGroupsTable;
    security_group_rules: SecurityGroupRulesTable;
    port_security_groups: PortSecurityGroupsTable;
    resource_tags: ResourceTagsTable;
  }
}
