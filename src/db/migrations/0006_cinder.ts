import type { Kysely } from 'kysely';
import type { Dialect } from '../url.js';

/**
 * The Cinder API gateway's own tables: volume types, which the top owns and copies into the pods,
 * and the projects a private type is shared with. Volumes themselves are only routing entries.
 */
export function cinderTables(_dialect: Dialect) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('volume_types')
        .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
        .addColumn('name', 'varchar(255)', (c) => c.notNull().unique())
        .addColumn('description', 'varchar(255)')
        .addColumn('is_public', 'integer', (c) => c.notNull().defaultTo(1))
        // JSON object of extra spec key to value, always read and written whole.
        .addColumn('extra_specs', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('volume_type_projects')
        .addColumn('volume_type_id', 'varchar(36)', (c) => c.notNull().references('volume_types.id').onDelete('cascade'))
        .addColumn('project_id', 'varchar(255)', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('volume_type_projects_pk', ['volume_type_id', 'project_id'])
        .execute();
    },
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropTable('volume_type_projects').ifExists().execute();
      await db.schema.dropTable('volume_types').ifExists().execute();
    },
  };
}
