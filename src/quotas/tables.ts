/** Tables of the top's quota state (migration 0010_quotas). Amounts and timestamps are integers. */

export interface QuotaLimitsTable {
  service: string;
  project_id: string;
  resource: string;
  hard_limit: number;
}

export interface QuotaLocksTable {
  service: string;
  project_id: string;
  version: number;
}

export interface QuotaClaimsTable {
  id: string;
  service: string;
  project_id: string;
  /** The request's key while pending; the resource's top id once held. */
  holder: string;
  resource: string;
  amount: number;
  /** 1 while the resource is being made; 0 once it exists at the top. */
  pending: number;
  created_at: number;
}

declare module '../db/tables.js' {
  interface Database {
    quota_limits: QuotaLimitsTable;
    quota_locks: QuotaLocksTable;
    quota_claims: QuotaClaimsTable;
  }
}
