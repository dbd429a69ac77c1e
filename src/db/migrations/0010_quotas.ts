import type { Kysely } from 'kysely';

/**
 * The top's own quota state (src/quotas):
 *
 * - `quota_limits`: per-project overrides of a service's default limits (the networking service and
 *   the volume gateway; the compute gateway keeps `nova_quotas`).
 * - `quota_locks`: one row per (service, project); an admission updates it first, so concurrent
 *   admissions for the same project run one after the other until their transactions end.
 * - `quota_claims`: what servers and volumes hold (instances, cores, RAM, volumes, gigabytes), one row
 *   per resource and holder. A claim is pending (holder = the request's key) while the resource is being
 *   made in its pod, held (holder = the resource's top id) once it has a routing entry.
 */
export function quotaTables() {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('quota_limits')
        .addColumn('service', 'varchar(32)', (c) => c.notNull())
        .addColumn('project_id', 'varchar(255)', (c) => c.notNull())
        .addColumn('resource', 'varchar(64)', (c) => c.notNull())
        .addColumn('hard_limit', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('quota_limits_pk', ['service', 'project_id', 'resource'])
        .execute();
      await db.schema
        .createTable('quota_locks')
        .addColumn('service', 'varchar(32)', (c) => c.notNull())
        .addColumn('project_id', 'varchar(255)', (c) => c.notNull())
        .addColumn('version', 'bigint', (c) => c.notNull().defaultTo(0))
        .addPrimaryKeyConstraint('quota_locks_pk', ['service', 'project_id'])
        .execute();
      await db.schema
        .createTable('quota_claims')
        .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
        .addColumn('service', 'varchar(32)', (c) => c.notNull())
        .addColumn('project_id', 'varchar(255)', (c) => c.notNull())
        .addColumn('holder', 'varchar(255)', (c) => c.notNull())
        .addColumn('resource', 'varchar(64)', (c) => c.notNull())
        .addColumn('amount', 'bigint', (c) => c.notNull())
        .addColumn('pending', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('quota_claims_project_idx').on('quota_claims').columns(['service', 'project_id', 'resource']).execute();
      await db.schema.createIndex('quota_claims_holder_idx').on('quota_claims').columns(['holder']).execute();
    },
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropTable('quota_claims').execute();
      await db.schema.dropTable('quota_locks').execute();
      await db.schema.dropTable('quota_limits').execute();
    },
  };
}
