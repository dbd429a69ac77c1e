import type { Kysely } from 'kysely';
import type { Dialect } from '../url.js';

/**
 * Routers and floating IPs of the top networking service. A router's ports (interfaces and its
 * gateway) are rows of `ports`, tied to it by `router_ports` (keyed by port: a port serves at most one
 * router); a floating IP holds its address through its own `network:floatingip` port. Rules that must
 * hold under concurrency are keys: one floating IP per (external network, internal port, fixed IP).
 */
export function l3Tables(_dialect: Dialect) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('routers')
        .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
        .addColumn('project_id', 'varchar(255)', (c) => c.notNull())
        .addColumn('name', 'varchar(255)', (c) => c.notNull().defaultTo(''))
        .addColumn('description', 'varchar(255)', (c) => c.notNull().defaultTo(''))
        .addColumn('admin_state_up', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('status', 'varchar(16)', (c) => c.notNull().defaultTo('ACTIVE'))
        .addColumn('enable_snat', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('availability_zone_hints', 'varchar(1024)', (c) => c.notNull().defaultTo('[]'))
        .addColumn('revision_number', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('routers_project_idx').on('routers').column('project_id').execute();

      await db.schema
        .createTable('router_ports')
        .addColumn('port_id', 'varchar(36)', (c) => c.primaryKey().references('ports.id').onDelete('cascade'))
        .addColumn('router_id', 'varchar(36)', (c) => c.notNull().references('routers.id').onDelete('cascade'))
        .addColumn('port_type', 'varchar(255)', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('router_ports_router_idx').on('router_ports').column('router_id').execute();

      await db.schema
        .createTable('router_routes')
        .addColumn('router_id', 'varchar(36)', (c) => c.notNull().references('routers.id').onDelete('cascade'))
        .addColumn('destination', 'varchar(64)', (c) => c.notNull())
        .addColumn('nexthop', 'varchar(64)', (c) => c.notNull())
        .addPrimaryKeyConstraint('router_routes_pk', ['router_id', 'destination', 'nexthop'])
        .execute();

      await db.schema
        .createTable('floatingips')
        .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
        .addColumn('project_id', 'varchar(255)', (c) => c.notNull())
        .addColumn('floating_network_id', 'varchar(36)', (c) => c.notNull().references('networks.id'))
        .addColumn('floating_ip_address', 'varchar(64)', (c) => c.notNull())
        .addColumn('floating_port_id', 'varchar(36)', (c) => c.notNull().unique().references('ports.id'))
        .addColumn('fixed_port_id', 'varchar(36)', (c) => c.references('ports.id').onDelete('set null'))
        .addColumn('fixed_ip_address', 'varchar(64)')
        .addColumn('router_id', 'varchar(36)', (c) => c.references('routers.id'))
        .addColumn('description', 'varchar(255)', (c) => c.notNull().defaultTo(''))
        .addColumn('status', 'varchar(16)', (c) => c.notNull())
        .addColumn('revision_number', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('floatingips_fixed_uq', ['floating_network_id', 'fixed_port_id', 'fixed_ip_address'])
        .execute();
      await db.schema.createIndex('floatingips_project_idx').on('floatingips').column('project_id').execute();
      await db.schema.createIndex('floatingips_router_idx').on('floatingips').column('router_id').execute();
      await db.schema.createIndex('floatingips_fixed_port_idx').on('floatingips').column('fixed_port_id').execute();
    },
    async down(db: Kysely<any>): Promise<void> {
      for (const t of ['floatingips', 'router_routes', 'router_ports', 'routers']) await db.schema.dropTable(t).ifExists().execute();
    },
  };
}
