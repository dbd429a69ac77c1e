import type { Kysely } from 'kysely';
import type { Dialect } from '../url.js';

/**
 * Auto-allocated topology (get-me-a-network, docs/network-api.md): `is_default` on networks marks the
 * deployment's default external network; `auto_allocated_topologies` remembers, per project, the
 * network and router made for it. The project is the key, so two concurrent first requests of one
 * project cannot both record a topology.
 */
export function autoAllocatedTopology(_dialect: Dialect) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .alterTable('networks')
        .addColumn('is_default', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .createTable('auto_allocated_topologies')
        .addColumn('project_id', 'varchar(255)', (c) => c.primaryKey())
        .addColumn('network_id', 'varchar(36)', (c) => c.notNull())
        .addColumn('router_id', 'varchar(36)')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropTable('auto_allocated_topologies').execute();
      await db.schema.alterTable('networks').dropColumn('is_default').execute();
    },
  };
}
