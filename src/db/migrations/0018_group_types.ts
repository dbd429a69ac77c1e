import type { Kysely } from 'kysely';

/**
 * Generic volume group types (Cinder 3.11+), owned by the top like volume types
 * (docs/cinder-api.md, "Groups"): the unique name holds under concurrent creates; the group
 * specs are one JSON object. The pods' copies are found through the routing table (`group_type`).
 */
export function groupTypeTables() {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('group_types')
        .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
        .addColumn('name', 'varchar(255)', (c) => c.notNull().unique())
        .addColumn('description', 'varchar(255)')
        .addColumn('is_public', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('group_specs', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropTable('group_types').execute();
    },
  };
}
