import type { Kysely } from 'kysely';
import type { Dialect } from '../url.js';

/**
 * The job engine's columns (see src/xjob and docs/xjob.md).
 *
 * async_jobs gets two nullable "key" columns, each holding a digest of (type, resource_id) and each
 * under a unique index, so that the database itself enforces the two job invariants on every dialect:
 * - pending_key is set while a row is NEW: at most one waiting job per (type, resource), which is how
 *   later requests coalesce into it;
 * - run_lock is set while a row is RUNNING: at most one running job per (type, resource).
 * NULLs never collide in a unique index on SQLite, PostgreSQL or MariaDB. claim_token identifies one
 * claim, so that a worker whose job expired and was taken over cannot finish it any more.
 *
 * The unique keys are separate indexes (not column constraints) so that `down` can drop them before
 * the columns, which SQLite requires.
 */
export function xjobTables(dialect: Dialect) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('async_jobs').addColumn('pending_key', 'varchar(64)').execute();
      await db.schema.alterTable('async_jobs').addColumn('run_lock', 'varchar(64)').execute();
      await db.schema.alterTable('async_jobs').addColumn('claim_token', 'varchar(36)').execute();
      await db.schema.alterTable('async_jobs').addColumn('started_at', 'bigint').execute();
      await db.schema.createIndex('async_jobs_pending_key_uq').on('async_jobs').column('pending_key').unique().execute();
      await db.schema.createIndex('async_jobs_run_lock_uq').on('async_jobs').column('run_lock').unique().execute();
      await db.schema.createIndex('async_jobs_created_idx').on('async_jobs').columns(['created_at', 'id']).execute();

      await db.schema
        .alterTable('async_job_logs')
        .addColumn('event', 'varchar(32)', (c) => c.notNull().defaultTo(''))
        .execute();
      await db.schema
        .alterTable('async_job_logs')
        .addColumn('attempt', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.alterTable('async_job_logs').addColumn('worker', 'varchar(255)').execute();
      await db.schema.createIndex('async_job_logs_event_created_idx').on('async_job_logs').columns(['event', 'created_at']).execute();
      await db.schema.createIndex('async_job_logs_created_idx').on('async_job_logs').column('created_at').execute();
    },
    async down(db: Kysely<any>): Promise<void> {
      // DROP INDEX names the table on MySQL only.
      const dropIndex = (name: string, table: string) => (dialect === 'mysql' ? db.schema.dropIndex(name).on(table) : db.schema.dropIndex(name)).execute();
      await dropIndex('async_job_logs_created_idx', 'async_job_logs');
      await dropIndex('async_job_logs_event_created_idx', 'async_job_logs');
      for (const column of ['worker', 'attempt', 'event']) await db.schema.alterTable('async_job_logs').dropColumn(column).execute();
      await dropIndex('async_jobs_created_idx', 'async_jobs');
      await dropIndex('async_jobs_run_lock_uq', 'async_jobs');
      await dropIndex('async_jobs_pending_key_uq', 'async_jobs');
      for (const column of ['started_at', 'claim_token', 'run_lock', 'pending_key']) await db.schema.alterTable('async_jobs').dropColumn(column).execute();
    },
  };
}
