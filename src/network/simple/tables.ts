/** Row types of migration 0014's tables that services query by name (the rest go through the resource kit). */

export interface NetworkSegmentRangesTable {
  id: string;
  project_id: string | null;
  name: string;
  is_default: number;
  shared: number;
  network_type: string;
  physical_network: string | null;
  minimum: number;
  maximum: number;
  revision_number: number;
  created_at: number;
  updated_at: number;
}

export interface NetworkSegmentsTable {
  id: string;
  network_id: string;
  name: string | null;
  description: string;
  network_type: string;
  physical_network: string | null;
  segmentation_id: number | null;
  segment_index: number;
  revision_number: number;
  created_at: number;
  updated_at: number;
}

export interface AddressScopesTable {
  id: string;
  project_id: string;
  name: string;
  shared: number;
  ip_version: number;
  revision_number: number;
  created_at: number;
  updated_at: number;
}

export interface LocalIpsTable {
  id: string;
  project_id: string;
  name: string;
  description: string;
  local_port_id: string;
  network_id: string;
  local_ip_address: string;
  ip_mode: string;
  revision_number: number;
  created_at: number;
  updated_at: number;
}

export interface LocalIpAssociationsTable {
  local_ip_id: string;
  /** The fixed port's id. */
  id: string;
  fixed_ip: string;
  host: string | null;
}

export interface ServiceFlavorsTable {
  id: string;
  name: string;
  description: string;
  service_type: string;
  enabled: number;
  service_profiles: string;
}

declare module '../../db/tables.js' {
  interface Database {
    network_segment_ranges: NetworkSegmentRangesTable;
    network_segments: NetworkSegmentsTable;
    address_scopes: AddressScopesTable;
    local_ips: LocalIpsTable;
    local_ip_associations: LocalIpAssociationsTable;
    service_flavors: ServiceFlavorsTable;
  }
}
