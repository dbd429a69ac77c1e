import type { Generated } from 'kysely';

/** Timestamps are milliseconds since the epoch, written from the database clock (see clock.ts). Booleans are 0/1. */
export interface PodsTable {
  id: string;
  region_name: string;
  az_name: string;
  pod_az_name: string;
  dc_name: string;
  disabled: number;
  health: string;
  top_marker: number | null;
  created_at: number;
  updated_at: number;
}

export interface CachedEndpointsTable {
  id: string;
  pod_id: string;
  service_type: string;
  service_url: string;
  /** 'catalog' rows come from Keystone and are replaced on refresh; 'override' rows are set by the operator. */
  source: string;
  created_at: number;
  updated_at: number;
}

export interface PodBindingsTable {
  id: string;
  project_id: string;
  pod_id: string;
  is_current: number;
  created_at: number;
  updated_at: number;
}

export interface ResourceRoutingsTable {
  id: Generated<number>;
  top_id: string;
  bottom_id: string | null;
  pod_id: string;
  project_id: string;
  resource_type: string;
  /** JSON of a gateway's create intent (see src/routing/intents.ts); null on every other row. */
  intent: string | null;
  created_at: number;
  updated_at: number;
}

export interface AsyncJobsTable {
  id: string;
  type: string;
  resource_id: string;
  project_id: string;
  status: string;
  attempts: number;
  last_error: string | null;
  worker: string | null;
  run_after: number;
  heartbeat_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface AsyncJobLogsTable {
  id: string;
  job_id: string;
  type: string;
  resource_id: string;
  project_id: string;
  status: string;
  message: string | null;
  created_at: number;
}

export interface Database {
  pods: PodsTable;
  cached_endpoints: CachedEndpointsTable;
  pod_bindings: PodBindingsTable;
  resource_routings: ResourceRoutingsTable;
  async_jobs: AsyncJobsTable;
  async_job_logs: AsyncJobLogsTable;
}
