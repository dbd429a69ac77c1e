/**
 * Columns migration 0007_xjob adds to the job tables of 0001_core (see that migration for why they
 * exist). Timestamps are epoch milliseconds from the database clock.
 */
declare module '../db/tables.js' {
  interface AsyncJobsTable {
    /** Digest of (type, resource_id) while the row is NEW, else NULL; unique. */
    pending_key: string | null;
    /** Digest of (type, resource_id) while the row is RUNNING, else NULL; unique. */
    run_lock: string | null;
    /** Identifies the current claim of a RUNNING row; a worker acts on its job only while it matches. */
    claim_token: string | null;
    /** When the current (or last) run started. */
    started_at: number | null;
  }
  interface AsyncJobLogsTable {
    /** What happened: created, claimed, taken_over, retry, released, merged, failed, expired, succeeded, superseded, redo, deleted. */
    event: string;
    /** The run the entry belongs to (1 for the first), 0 when it concerns no run. */
    attempt: number;
    worker: string | null;
  }
}

export {};
