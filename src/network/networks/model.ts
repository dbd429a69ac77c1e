import type { Selectable } from 'kysely';
import type { NetworksTable } from '../tables.js';
import type { Segment } from '../segments.js';
import type { NetworkType } from '../settings.js';
import { parseJson, toBool } from '../tx.js';

/** A top network with what its views show besides its own row. */
export interface Network {
  id: string;
  projectId: string;
  name: string;
  description: string;
  adminStateUp: boolean;
  shared: boolean;
  external: boolean;
  portSecurityEnabled: boolean;
  mtu: number;
  qosPolicyId: string | null;
  /** The default external network (auto-allocated topology); only external networks are. */
  isDefault: boolean;
  azHints: string[];
  segment: Segment;
  revisionNumber: number;
  createdAt: number;
  updatedAt: number;
  subnetIds: string[];
  /** AZs of the pods holding a copy. */
  availabilityZones: string[];
  tags: string[];
}

export type NetworkRow = Selectable<NetworksTable>;

export function toNetwork(row: NetworkRow, extra: { subnetIds?: string[]; availabilityZones?: string[]; tags?: string[] } = {}): Network {
  return {
    id: row.id,
    projectId: row.project_id,
    name: row.name,
    description: row.description,
    adminStateUp: toBool(row.admin_state_up),
    shared: toBool(row.shared),
    external: toBool(row.external),
    portSecurityEnabled: toBool(row.port_security_enabled),
    mtu: Number(row.mtu),
    qosPolicyId: row.qos_policy_id ?? null,
    isDefault: toBool(row.is_default),
    azHints: parseJson<string[]>(row.availability_zone_hints, []),
    segment: {
      networkType: (row.network_type as NetworkType | null) ?? null,
      physicalNetwork: row.physical_network,
      segmentationId: row.segmentation_id === null ? null : Number(row.segmentation_id),
    },
    revisionNumber: Number(row.revision_number),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    subnetIds: extra.subnetIds ?? [],
    availabilityZones: extra.availabilityZones ?? [],
    tags: extra.tags ?? [],
  };
}
