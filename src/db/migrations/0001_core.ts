import type { Kysely } from 'kysely';
import type { Dialect } from '../url.js';

/** Pods, endpoint cache, tenant bindings, the routing table and the job tables. */
export function coreTables(dialect: Dialect) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('pods')
        .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
        .addColumn('region_name', 'varchar(255)', (c) => c.notNull().unique())
        .addColumn('az_name', 'varchar(255)', (c) => c.notNull().defaultTo(''))
        .addColumn('pod_az_name', 'varchar(255)', (c) => c.notNull().defaultTo(''))
        .addColumn('dc_name', 'varchar(255)', (c) => c.notNull().defaultTo(''))
        .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('health', 'varchar(16)', (c) => c.notNull().defaultTo('unknown'))
        // 1 for the top pod, NULL otherwise: the unique key allows exactly one top pod even under races.
        .addColumn('top_marker', 'integer', (c) => c.unique())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('pods_az_name_idx').on('pods').column('az_name').execute();

      await db.schema
        .createTable('cached_endpoints')
        .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
        .addColumn('pod_id', 'varchar(36)', (c) => c.notNull().references('pods.id'))
        .addColumn('service_type', 'varchar(64)', (c) => c.notNull())
        .addColumn('service_url', 'varchar(512)', (c) => c.notNull())
        .addColumn('source', 'varchar(16)', (c) => c.notNull().defaultTo('catalog'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('cached_endpoints_pod_service_uq', ['pod_id', 'service_type'])
        .execute();

      await db.schema
        .createTable('pod_bindings')
        .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
        .addColumn('project_id', 'varchar(255)', (c) => c.notNull())
        .addColumn('pod_id', 'varchar(36)', (c) => c.notNull().references('pods.id'))
        .addColumn('is_current', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('pod_bindings_project_pod_uq', ['project_id', 'pod_id'])
        .execute();

      let routings = db.schema.createTable('resource_routings');
      routings =
        dialect === 'postgres'
          ? routings.addColumn('id', 'bigserial', (c) => c.primaryKey())
          : dialect === 'mysql'
            ? routings.addColumn('id', 'bigint', (c) => c.primaryKey().autoIncrement())
            : routings.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
      await routings
        .addColumn('top_id', 'varchar(127)', (c) => c.notNull())
        .addColumn('bottom_id', 'varchar(127)')
        .addColumn('pod_id', 'varchar(36)', (c) => c.notNull().references('pods.id'))
        .addColumn('project_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('resource_type', 'varchar(64)', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('resource_routings_top_pod_type_uq', ['top_id', 'pod_id', 'resource_type'])
        .execute();
      await db.schema.createIndex('resource_routings_bottom_idx').on('resource_routings').column('bottom_id').execute();
      await db.schema.createIndex('resource_routings_project_idx').on('resource_routings').columns(['project_id', 'resource_type']).execute();
      await db.schema.createIndex('resource_routings_pod_idx').on('resource_routings').column('pod_id').execute();

      await db.schema
        .createTable('async_jobs')
        .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
        .addColumn('type', 'varchar(64)', (c) => c.notNull())
        .addColumn('resource_id', 'varchar(255)', (c) => c.notNull())
        .addColumn('project_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('status', 'varchar(16)', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('last_error', 'text')
        .addColumn('worker', 'varchar(255)')
        .addColumn('run_after', 'bigint', (c) => c.notNull())
        .addColumn('heartbeat_at', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('async_jobs_type_resource_idx').on('async_jobs').columns(['type', 'resource_id', 'status']).execute();
      await db.schema.createIndex('async_jobs_status_run_after_idx').on('async_jobs').columns(['status', 'run_after']).execute();
      await db.schema.createIndex('async_jobs_project_idx').on('async_jobs').column('project_id').execute();

      await db.schema
        .createTable('async_job_logs')
        .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
        .addColumn('job_id', 'varchar(36)', (c) => c.notNull())
        .addColumn('type', 'varchar(64)', (c) => c.notNull())
        .addColumn('resource_id', 'varchar(255)', (c) => c.notNull())
        .addColumn('project_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('status', 'varchar(16)', (c) => c.notNull())
        .addColumn('message', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('async_job_logs_job_idx').on('async_job_logs').column('job_id').execute();
      await db.schema.createIndex('async_job_logs_resource_idx').on('async_job_logs').columns(['type', 'resource_id']).execute();
    },
    async down(db: Kysely<any>): Promise<void> {
      for (const t of ['async_job_logs', 'async_jobs', 'resource_routings', 'pod_bindings', 'cached_endpoints', 'pods']) {
        await db.schema.dropTable(t).ifExists().execute();
      }
    },
  };
}
