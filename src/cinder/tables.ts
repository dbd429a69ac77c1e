/**
 * Tables of the Cinder API gateway (migration 0006_cinder). Timestamps are epoch milliseconds from
 * the database clock; booleans are 0/1; extra specs are a JSON object read and written whole.
 */

export interface VolumeTypesTable {
  id: string;
  name: string;
  description: string | null;
  is_public: number;
  extra_specs: string;
  created_at: number;
  updated_at: number;
}

/** Projects a private volume type is shared with (os-volume-type-access). */
export interface VolumeTypeProjectsTable {
  volume_type_id: string;
  project_id: string;
  created_at: number;
}

/** QoS specs (migration 0012_cinder_breadth), owned by the top; `specs` is a JSON object. */
export interface QosSpecsTable {
  id: string;
  name: string;
  consumer: string;
  specs: string;
  created_at: number;
  updated_at: number;
}

/** The QoS spec of a volume type (at most one). */
export interface QosTypeAssociationsTable {
  volume_type_id: string;
  qos_specs_id: string;
  created_at: number;
}

/** A project's default volume type (3.62). */
export interface ProjectDefaultTypesTable {
  project_id: string;
  volume_type_id: string;
  created_at: number;
  updated_at: number;
}

/** A volume type's encryption spec (migration 0012). */
export interface VolumeTypeEncryptionTable {
  volume_type_id: string;
  encryption_id: string;
  provider: string;
  cipher: string | null;
  key_size: number | null;
  control_location: string;
  created_at: number;
  updated_at: number | null;
}

/** A generic volume group type (3.11+), top-owned (migration 0016). */
export interface GroupTypesTable {
  id: string;
  name: string;
  description: string | null;
  is_public: number;
  /** JSON object of the group specs. */
  group_specs: string;
  created_at: number;
  updated_at: number;
}

declare module '../db/tables.js' {
  interface Database {
    volume_types: VolumeTypesTable;
    volume_type_projects: VolumeTypeProjectsTable;
    qos_specs: QosSpecsTable;
    qos_type_associations: QosTypeAssociationsTable;
    project_default_types: ProjectDefaultTypesTable;
    volume_type_encryption: VolumeTypeEncryptionTable;
    group_types: GroupTypesTable;
  }
}
