import type { Kysely } from 'kysely';
import type { Dialect } from '../url.js';

/**
 * Server groups are owned by the top region (the Nova API gateway): the group, its policy and rules,
 * and its members across pods. The pods' own copies of a group are routing entries.
 */
export function novaServerGroups(_dialect: Dialect) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('nova_server_groups')
        .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
        .addColumn('name', 'varchar(255)', (c) => c.notNull())
        .addColumn('policy', 'varchar(32)', (c) => c.notNull())
        .addColumn('rules', 'text', (c) => c.notNull())
        .addColumn('project_id', 'varchar(255)', (c) => c.notNull())
        .addColumn('user_id', 'varchar(255)', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('nova_server_groups_project_idx').on('nova_server_groups').columns(['project_id', 'created_at']).execute();
      await db.schema
        .createTable('nova_server_group_members')
        .addColumn('group_id', 'varchar(36)', (c) => c.notNull().references('nova_server_groups.id').onDelete('cascade'))
        .addColumn('server_id', 'varchar(255)', (c) => c.notNull())
        .addColumn('pod_id', 'varchar(255)', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('nova_server_group_members_pk', ['group_id', 'server_id'])
        .execute();
      await db.schema.createIndex('nova_server_group_members_server_idx').on('nova_server_group_members').columns(['server_id']).execute();
    },
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropTable('nova_server_group_members').execute();
      await db.schema.dropTable('nova_server_groups').execute();
    },
  };
}
