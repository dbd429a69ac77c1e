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

declare module '../../db/tables.js' {
  interface Database {
    network_segment_ranges: NetworkSegmentRangesTable;
    network_segments: NetworkSegmentsTable;
    address_scopes: AddressScopesTable;
  }
}
