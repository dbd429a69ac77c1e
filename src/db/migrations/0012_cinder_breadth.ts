import type { Kysely } from 'kysely';
import type { Dialect } from '../url.js';

/**
 * What the Cinder gateway owns beyond volume types: QoS specs (copied into the pods that hold an
 * associated type), the volume types each is associated with, per-project default types (3.62) and
 * volume-type encryption specs (copied with the type).
 */
export function cinderBreadthTables(_dialect: Dialect) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('qos_specs')
        .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
        .addColumn('name', 'varchar(255)', (c) => c.notNull().unique())
        .addColumn('consumer', 'varchar(255)', (c) => c.notNull())
        // JSON object of key to value, always read and written whole.
        .addColumn('specs', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();

      // A volume type has at most one QoS spec.
      await db.schema
        .createTable('qos_type_associations')
        .addColumn('volume_type_id', 'varchar(36)', (c) => c.primaryKey().references('volume_types.id').onDelete('cascade'))
        .addColumn('qos_specs_id', 'varchar(36)', (c) => c.notNull().references('qos_specs.id').onDelete('cascade'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('project_default_types')
        .addColumn('project_id', 'varchar(255)', (c) => c.primaryKey())
        .addColumn('volume_type_id', 'varchar(36)', (c) => c.notNull().references('volume_types.id').onDelete('cascade'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();

      // At most one encryption spec per volume type.
      await db.schema
        .createTable('volume_type_encryption')
        .addColumn('volume_type_id', 'varchar(36)', (c) => c.primaryKey().references('volume_types.id').onDelete('cascade'))
        .addColumn('encryption_id', 'varchar(36)', (c) => c.notNull().unique())
        .addColumn('provider', 'varchar(255)', (c) => c.notNull())
        .addColumn('cipher', 'varchar(255)')
        .addColumn('key_size', 'integer')
        .addColumn('control_location', 'varchar(255)', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint')
        .execute();
    },
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropTable('volume_type_encryption').ifExists().execute();
      await db.schema.dropTable('project_default_types').ifExists().execute();
      await db.schema.dropTable('qos_type_associations').ifExists().execute();
      await db.schema.dropTable('qos_specs').ifExists().execute();
    },
  };
}
