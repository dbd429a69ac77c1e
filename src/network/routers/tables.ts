/**
 * Tables of routers and floating IPs (migration 0003_l3), merged into the Database type. Timestamps are
 * epoch milliseconds from the database clock; booleans are 0/1.
 */

export interface RoutersTable {
  id: string;
  project_id: string;
  name: string;
  description: string;
  admin_state_up: number;
  status: string;
  /** enable_snat of the external gateway (kept, as upstream, while there is no gateway: true). */
  enable_snat: number;
  /** JSON array of AZ names. */
  availability_zone_hints: string;
  revision_number: number;
  created_at: number;
  updated_at: number;
}

/** A port serving a router: an interface (network:router_interface) or its gateway (network:router_gateway). */
export interface RouterPortsTable {
  port_id: string;
  router_id: string;
  /** The port's device_owner when it was attached. */
  port_type: string;
}

/** One extra route of a router. */
export interface RouterRoutesTable {
  router_id: string;
  destination: string;
  nexthop: string;
}

export interface FloatingIpsTable {
  id: string;
  project_id: string;
  floating_network_id: string;
  floating_ip_address: string;
  /** The network:floatingip port on the external network that holds the address. */
  floating_port_id: string;
  /** The associated internal port, its fixed IP and the router between them; null when not associated. */
  fixed_port_id: string | null;
  fixed_ip_address: string | null;
  router_id: string | null;
  description: string;
  /** DOWN until the pod side reports the floating IP in place. */
  status: string;
  revision_number: number;
  created_at: number;
  updated_at: number;
}

declare module '../../db/tables.js' {
  interface Database {
    routers: RoutersTable;
    router_ports: RouterPortsTable;
    router_routes: RouterRoutesTable;
    floatingips: FloatingIpsTable;
  }
}
