/**
 * Tables the Nova API gateway owns (migration 0005_nova): top flavors with their access lists, key
 * pairs per user, and per-project quota overrides. Timestamps are epoch milliseconds from the
 * database clock; booleans are 0/1; extra specs are JSON text (always read whole).
 */

export interface NovaFlavorsTable {
  /** The flavor id clients use (Nova's `flavorid`); the same id is used in every pod. */
  id: string;
  name: string;
  vcpus: number;
  memory_mb: number;
  root_gb: number;
  ephemeral_gb: number;
  swap: number;
  rxtx_factor: number;
  is_public: number;
  disabled: number;
  description: string | null;
  /** JSON object of extra specs. */
  extra_specs: string;
  created_at: number;
  updated_at: number;
}

export interface NovaFlavorProjectsTable {
  flavor_id: string;
  project_id: string;
}

export interface NovaKeypairsTable {
  user_id: string;
  name: string;
  /** 'ssh' or 'x509'. */
  type: string;
  public_key: string;
  fingerprint: string;
  created_at: number;
}

export interface NovaQuotasTable {
  project_id: string;
  resource: string;
  hard_limit: number;
}

/** A server group (migration 0011): top-owned; `policy` is Nova's, `rules` a JSON object. */
export interface NovaServerGroupsTable {
  id: string;
  name: string;
  policy: string;
  rules: string;
  project_id: string;
  user_id: string;
  created_at: number;
}

/** A member of a server group, with the pod that holds it. */
export interface NovaServerGroupMembersTable {
  group_id: string;
  server_id: string;
  pod_id: string;
  created_at: number;
}

declare module '../db/tables.js' {
  interface Database {
    nova_flavors: NovaFlavorsTable;
    nova_flavor_projects: NovaFlavorProjectsTable;
    nova_keypairs: NovaKeypairsTable;
    nova_quotas: NovaQuotasTable;
    nova_server_groups: NovaServerGroupsTable;
    nova_server_group_members: NovaServerGroupMembersTable;
  }
}
