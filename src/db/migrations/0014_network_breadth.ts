import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Dialect } from '../url.js';

/**
 * The top networking service's further resources (docs/network-api.md): segments of networks and
 * network segment ranges, address scopes and groups, local IPs and their port associations, router
 * conntrack helpers, NDP proxies, network logs, metering labels and rules, Neutron flavors and
 * service profiles, default security group rules and security-group default statefulness.
 *
 * Existing networks with a segment get their `network_segments` row here.
 */
type Col = [name: string, type: 'varchar(36)' | 'varchar(64)' | 'varchar(255)' | 'text' | 'integer' | 'bigint', notNull?: boolean];

const STD: Col[] = [
  ['revision_number', 'integer', true],
  ['created_at', 'bigint', true],
  ['updated_at', 'bigint', true],
];

const TABLES: Record<string, Col[]> = {
  network_segments: [
    ['network_id', 'varchar(36)', true],
    ['name', 'varchar(255)'],
    ['description', 'varchar(255)', true],
    ['network_type', 'varchar(36)', true],
    ['physical_network', 'varchar(64)'],
    ['segmentation_id', 'integer'],
    ['segment_index', 'integer', true],
    ...STD,
  ],
  network_segment_ranges: [
    ['project_id', 'varchar(255)'],
    ['name', 'varchar(255)', true],
    ['is_default', 'integer', true],
    ['shared', 'integer', true],
    ['network_type', 'varchar(36)', true],
    ['physical_network', 'varchar(64)'],
    ['minimum', 'integer', true],
    ['maximum', 'integer', true],
    ...STD,
  ],
  address_scopes: [['project_id', 'varchar(255)', true], ['name', 'varchar(255)', true], ['shared', 'integer', true], ['ip_version', 'integer', true], ...STD],
  address_groups: [['project_id', 'varchar(255)', true], ['name', 'varchar(255)', true], ['description', 'varchar(255)', true], ['addresses', 'text', true], ...STD],
  local_ips: [
    ['project_id', 'varchar(255)', true],
    ['name', 'varchar(255)', true],
    ['description', 'varchar(255)', true],
    ['local_port_id', 'varchar(36)', true],
    ['network_id', 'varchar(36)', true],
    ['local_ip_address', 'varchar(64)', true],
    ['ip_mode', 'varchar(36)', true],
    ...STD,
  ],
  conntrack_helpers: [
    ['router_id', 'varchar(36)', true],
    ['project_id', 'varchar(255)', true],
    ['protocol', 'varchar(36)', true],
    ['port', 'integer', true],
    ['helper', 'varchar(64)', true],
  ],
  ndp_proxies: [
    ['project_id', 'varchar(255)', true],
    ['name', 'varchar(255)', true],
    ['description', 'varchar(255)', true],
    ['router_id', 'varchar(36)', true],
    ['port_id', 'varchar(36)', true],
    ['ip_address', 'varchar(64)', true],
    ...STD,
  ],
  network_logs: [
    ['project_id', 'varchar(255)', true],
    ['name', 'varchar(255)', true],
    ['description', 'varchar(255)', true],
    ['resource_type', 'varchar(36)', true],
    ['resource_id', 'varchar(36)'],
    ['target_id', 'varchar(36)'],
    ['event', 'varchar(36)', true],
    ['enabled', 'integer', true],
    ...STD,
  ],
  metering_labels: [
    ['project_id', 'varchar(255)', true],
    ['name', 'varchar(255)', true],
    ['description', 'varchar(255)', true],
    ['shared', 'integer', true],
  ],
  metering_label_rules: [
    ['project_id', 'varchar(255)', true],
    ['metering_label_id', 'varchar(36)', true],
    ['direction', 'varchar(36)', true],
    ['remote_ip_prefix', 'varchar(64)'],
    ['source_ip_prefix', 'varchar(64)'],
    ['destination_ip_prefix', 'varchar(64)'],
    ['excluded', 'integer', true],
  ],
  service_flavors: [
    ['name', 'varchar(255)', true],
    ['description', 'varchar(255)', true],
    ['service_type', 'varchar(36)', true],
    ['enabled', 'integer', true],
    ['service_profiles', 'text', true],
  ],
  service_profiles: [
    ['description', 'varchar(255)', true],
    ['driver', 'varchar(255)', true],
    ['enabled', 'integer', true],
    ['metainfo', 'text', true],
  ],
  default_security_group_rules: [
    ['direction', 'varchar(36)', true],
    ['ethertype', 'varchar(36)', true],
    ['protocol', 'varchar(36)'],
    ['port_range_min', 'integer'],
    ['port_range_max', 'integer'],
    ['remote_ip_prefix', 'varchar(64)'],
    ['remote_group_id', 'varchar(36)'],
    ['remote_address_group_id', 'varchar(36)'],
    ['description', 'varchar(255)', true],
    ['used_in_default_sg', 'integer', true],
    ['used_in_non_default_sg', 'integer', true],
  ],
  sg_default_statefulness: [
    ['project_id', 'varchar(255)'],
    ['stateful', 'integer', true],
  ],
};

export function networkBreadth(_dialect: Dialect) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      for (const [table, cols] of Object.entries(TABLES)) {
        let t = db.schema.createTable(table).addColumn('id', 'varchar(36)', (c) => c.primaryKey());
        for (const [name, type, notNull] of cols) t = t.addColumn(name, type, (c) => (notNull ? c.notNull() : c));
        await t.execute();
      }
      // One local IP association per port and local IP: the association's id is the fixed port's id.
      await db.schema
        .createTable('local_ip_associations')
        .addColumn('local_ip_id', 'varchar(36)', (c) => c.notNull())
        .addColumn('id', 'varchar(36)', (c) => c.notNull())
        .addColumn('fixed_ip', 'varchar(64)', (c) => c.notNull())
        .addColumn('host', 'varchar(255)')
        .addPrimaryKeyConstraint('local_ip_associations_pk', ['local_ip_id', 'id'])
        .execute();
      await db.schema.createIndex('network_segments_network_idx').on('network_segments').column('network_id').unique().execute();
      await db.schema.createIndex('address_scopes_project_idx').on('address_scopes').column('project_id').execute();
      await db.schema.createIndex('address_groups_project_idx').on('address_groups').column('project_id').execute();
      await db.schema.createIndex('conntrack_helpers_router_idx').on('conntrack_helpers').columns(['router_id', 'protocol', 'port', 'helper']).unique().execute();
      await db.schema.createIndex('ndp_proxies_router_idx').on('ndp_proxies').columns(['router_id', 'ip_address']).unique().execute();
      await db.schema.createIndex('sg_default_statefulness_project_idx').on('sg_default_statefulness').column('project_id').unique().execute();

      const networks = await db
        .selectFrom('networks')
        .select(['id', 'network_type', 'physical_network', 'segmentation_id', 'created_at'])
        .where('network_type', 'is not', null)
        .execute();
      for (const n of networks) {
        await db
          .insertInto('network_segments')
          .values({
            id: randomUUID(),
            network_id: n.id,
            name: null,
            description: '',
            network_type: n.network_type,
            physical_network: n.physical_network,
            segmentation_id: n.segmentation_id,
            segment_index: 0,
            revision_number: 1,
            created_at: n.created_at,
            updated_at: n.created_at,
          })
          .execute();
      }
    },
    async down(db: Kysely<any>): Promise<void> {
      for (const t of ['local_ip_associations', ...Object.keys(TABLES)]) await db.schema.dropTable(t).ifExists().execute();
    },
  };
}
