import type { Kysely } from 'kysely';
import type { Dialect } from '../url.js';

/**
 * The top networking service's tables: networks, subnets, ports with their IP allocations, segment
 * (VLAN) allocations, subnet pools, security groups and rules, port-to-group bindings and tags.
 * Uniqueness that must hold under concurrency is a key here, never a check in code:
 * (subnet_id, ip_address), (network_id, mac_address), (network_type, physical_network, segmentation_id).
 */
export function networkTables(_dialect: Dialect) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('networks')
        .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
        .addColumn('project_id', 'varchar(255)', (c) => c.notNull())
        .addColumn('name', 'varchar(255)', (c) => c.notNull().defaultTo(''))
        .addColumn('description', 'varchar(255)', (c) => c.notNull().defaultTo(''))
        .addColumn('admin_state_up', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('shared', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('external', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('port_security_enabled', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('mtu', 'integer', (c) => c.notNull().defaultTo(1500))
        .addColumn('availability_zone_hints', 'varchar(1024)', (c) => c.notNull().defaultTo('[]'))
        .addColumn('network_type', 'varchar(32)')
        .addColumn('physical_network', 'varchar(64)')
        .addColumn('segmentation_id', 'integer')
        .addColumn('revision_number', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('networks_project_idx').on('networks').column('project_id').execute();

      await db.schema
        .createTable('subnetpools')
        .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
        .addColumn('project_id', 'varchar(255)', (c) => c.notNull())
        .addColumn('name', 'varchar(255)', (c) => c.notNull().defaultTo(''))
        .addColumn('description', 'varchar(255)', (c) => c.notNull().defaultTo(''))
        .addColumn('ip_version', 'integer', (c) => c.notNull())
        .addColumn('prefixes', 'text', (c) => c.notNull())
        .addColumn('default_prefixlen', 'integer', (c) => c.notNull())
        .addColumn('min_prefixlen', 'integer', (c) => c.notNull())
        .addColumn('max_prefixlen', 'integer', (c) => c.notNull())
        .addColumn('default_quota', 'integer')
        .addColumn('shared', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('is_default', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('address_scope_id', 'varchar(36)')
        .addColumn('revision_number', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('subnetpools_project_idx').on('subnetpools').column('project_id').execute();

      await db.schema
        .createTable('subnets')
        .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
        .addColumn('project_id', 'varchar(255)', (c) => c.notNull())
        .addColumn('network_id', 'varchar(36)', (c) => c.notNull().references('networks.id'))
        .addColumn('name', 'varchar(255)', (c) => c.notNull().defaultTo(''))
        .addColumn('description', 'varchar(255)', (c) => c.notNull().defaultTo(''))
        .addColumn('ip_version', 'integer', (c) => c.notNull())
        .addColumn('cidr', 'varchar(64)', (c) => c.notNull())
        .addColumn('gateway_ip', 'varchar(64)')
        .addColumn('enable_dhcp', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('ipv6_ra_mode', 'varchar(32)')
        .addColumn('ipv6_address_mode', 'varchar(32)')
        .addColumn('allocation_pools', 'text', (c) => c.notNull())
        .addColumn('dns_nameservers', 'text', (c) => c.notNull())
        .addColumn('host_routes', 'text', (c) => c.notNull())
        .addColumn('service_types', 'text', (c) => c.notNull())
        .addColumn('subnetpool_id', 'varchar(36)', (c) => c.references('subnetpools.id'))
        .addColumn('revision_number', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('subnets_network_idx').on('subnets').column('network_id').execute();
      await db.schema.createIndex('subnets_project_idx').on('subnets').column('project_id').execute();
      await db.schema.createIndex('subnets_subnetpool_idx').on('subnets').column('subnetpool_id').execute();

      await db.schema
        .createTable('ports')
        .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
        .addColumn('project_id', 'varchar(255)', (c) => c.notNull())
        .addColumn('network_id', 'varchar(36)', (c) => c.notNull().references('networks.id'))
        .addColumn('name', 'varchar(255)', (c) => c.notNull().defaultTo(''))
        .addColumn('description', 'varchar(255)', (c) => c.notNull().defaultTo(''))
        .addColumn('mac_address', 'varchar(32)', (c) => c.notNull())
        .addColumn('admin_state_up', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('status', 'varchar(16)', (c) => c.notNull())
        .addColumn('device_id', 'varchar(255)', (c) => c.notNull().defaultTo(''))
        .addColumn('device_owner', 'varchar(255)', (c) => c.notNull().defaultTo(''))
        .addColumn('port_security_enabled', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('binding_host_id', 'varchar(255)', (c) => c.notNull().defaultTo(''))
        .addColumn('binding_vnic_type', 'varchar(64)', (c) => c.notNull().defaultTo('normal'))
        .addColumn('binding_profile', 'text', (c) => c.notNull())
        .addColumn('allowed_address_pairs', 'text', (c) => c.notNull())
        .addColumn('extra_dhcp_opts', 'text', (c) => c.notNull())
        .addColumn('reserved_for', 'varchar(255)', (c) => c.unique())
        .addColumn('revision_number', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('ports_network_mac_uq', ['network_id', 'mac_address'])
        .execute();
      await db.schema.createIndex('ports_project_idx').on('ports').column('project_id').execute();
      await db.schema.createIndex('ports_device_idx').on('ports').column('device_id').execute();

      await db.schema
        .createTable('ip_allocations')
        .addColumn('subnet_id', 'varchar(36)', (c) => c.notNull().references('subnets.id'))
        .addColumn('ip_address', 'varchar(64)', (c) => c.notNull())
        .addColumn('network_id', 'varchar(36)', (c) => c.notNull())
        .addColumn('port_id', 'varchar(36)', (c) => c.notNull().references('ports.id').onDelete('cascade'))
        .addPrimaryKeyConstraint('ip_allocations_pk', ['subnet_id', 'ip_address'])
        .execute();
      await db.schema.createIndex('ip_allocations_port_idx').on('ip_allocations').column('port_id').execute();
      await db.schema.createIndex('ip_allocations_network_idx').on('ip_allocations').column('network_id').execute();

      await db.schema
        .createTable('segment_allocations')
        .addColumn('network_type', 'varchar(32)', (c) => c.notNull())
        .addColumn('physical_network', 'varchar(64)', (c) => c.notNull())
        .addColumn('segmentation_id', 'integer', (c) => c.notNull())
        .addColumn('network_id', 'varchar(36)', (c) => c.notNull())
        .addPrimaryKeyConstraint('segment_allocations_pk', ['network_type', 'physical_network', 'segmentation_id'])
        .execute();
      await db.schema.createIndex('segment_allocations_network_idx').on('segment_allocations').column('network_id').execute();

      await db.schema
        .createTable('security_groups')
        .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
        .addColumn('project_id', 'varchar(255)', (c) => c.notNull())
        .addColumn('name', 'varchar(255)', (c) => c.notNull().defaultTo(''))
        .addColumn('description', 'varchar(255)', (c) => c.notNull().defaultTo(''))
        .addColumn('stateful', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('revision_number', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('security_groups_project_idx').on('security_groups').column('project_id').execute();

      await db.schema
        .createTable('default_security_groups')
        .addColumn('project_id', 'varchar(255)', (c) => c.primaryKey())
        .addColumn('security_group_id', 'varchar(36)', (c) => c.notNull().references('security_groups.id').onDelete('cascade'))
        .execute();

      await db.schema
        .createTable('security_group_rules')
        .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
        .addColumn('project_id', 'varchar(255)', (c) => c.notNull())
        .addColumn('security_group_id', 'varchar(36)', (c) => c.notNull().references('security_groups.id').onDelete('cascade'))
        .addColumn('remote_group_id', 'varchar(36)', (c) => c.references('security_groups.id').onDelete('cascade'))
        .addColumn('remote_address_group_id', 'varchar(36)')
        .addColumn('direction', 'varchar(16)', (c) => c.notNull())
        .addColumn('ethertype', 'varchar(40)', (c) => c.notNull().defaultTo('IPv4'))
        .addColumn('protocol', 'varchar(40)')
        .addColumn('port_range_min', 'integer')
        .addColumn('port_range_max', 'integer')
        .addColumn('remote_ip_prefix', 'varchar(255)')
        .addColumn('description', 'varchar(255)', (c) => c.notNull().defaultTo(''))
        .addColumn('revision_number', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('security_group_rules_group_idx').on('security_group_rules').column('security_group_id').execute();
      await db.schema.createIndex('security_group_rules_project_idx').on('security_group_rules').column('project_id').execute();

      await db.schema
        .createTable('port_security_groups')
        .addColumn('port_id', 'varchar(36)', (c) => c.notNull().references('ports.id').onDelete('cascade'))
        .addColumn('security_group_id', 'varchar(36)', (c) => c.notNull().references('security_groups.id'))
        .addPrimaryKeyConstraint('port_security_groups_pk', ['port_id', 'security_group_id'])
        .execute();
      await db.schema.createIndex('port_security_groups_group_idx').on('port_security_groups').column('security_group_id').execute();

      await db.schema
        .createTable('resource_tags')
        .addColumn('resource_id', 'varchar(36)', (c) => c.notNull())
        .addColumn('resource_type', 'varchar(32)', (c) => c.notNull())
        .addColumn('tag', 'varchar(255)', (c) => c.notNull())
        .addPrimaryKeyConstraint('resource_tags_pk', ['resource_id', 'tag'])
        .execute();
      await db.schema.createIndex('resource_tags_tag_idx').on('resource_tags').columns(['resource_type', 'tag']).execute();
    },
    async down(db: Kysely<any>): Promise<void> {
      for (const t of [
        'resource_tags',
        'port_security_groups',
        'security_group_rules',
        'default_security_groups',
        'security_groups',
        'segment_allocations',
        'ip_allocations',
        'ports',
        'subnets',
        'subnetpools',
        'networks',
      ]) {
        await db.schema.dropTable(t).ifExists().execute();
      }
    },
  };
}
