import type { Kysely } from 'kysely';
import type { Dialect } from '../url.js';

/**
 * RBAC policies, QoS policies and rules, trunks and floating IP port forwardings of the top
 * networking service (docs/network-api.md). Rules that must hold under concurrency are keys:
 * one RBAC entry per (object, action, target project); one QoS rule per (policy, type, direction);
 * a port is the parent of at most one trunk and a subport of at most one; one forwarding per
 * (floating IP, external port, protocol). Networks and ports carry their QoS policy id.
 */
export function networkSharingTables(_dialect: Dialect) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('rbac_policies')
        .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
        .addColumn('project_id', 'varchar(255)', (c) => c.notNull())
        .addColumn('object_type', 'varchar(32)', (c) => c.notNull())
        .addColumn('object_id', 'varchar(36)', (c) => c.notNull())
        .addColumn('action', 'varchar(32)', (c) => c.notNull())
        .addColumn('target_project', 'varchar(255)', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('rbac_policies_uq', ['object_type', 'object_id', 'action', 'target_project'])
        .execute();
      await db.schema.createIndex('rbac_policies_target_idx').on('rbac_policies').columns(['object_type', 'target_project']).execute();

      await db.schema
        .createTable('qos_policies')
        .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
        .addColumn('project_id', 'varchar(255)', (c) => c.notNull())
        .addColumn('name', 'varchar(255)', (c) => c.notNull().defaultTo(''))
        .addColumn('description', 'varchar(255)', (c) => c.notNull().defaultTo(''))
        .addColumn('shared', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('is_default', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('revision_number', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      // One default policy per project: the key holds under races.
      await db.schema
        .createTable('qos_default_policies')
        .addColumn('project_id', 'varchar(255)', (c) => c.primaryKey())
        .addColumn('policy_id', 'varchar(36)', (c) => c.notNull().references('qos_policies.id').onDelete('cascade'))
        .execute();

      await db.schema
        .createTable('qos_rules')
        .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
        .addColumn('policy_id', 'varchar(36)', (c) => c.notNull().references('qos_policies.id').onDelete('cascade'))
        .addColumn('rule_type', 'varchar(32)', (c) => c.notNull())
        // '' for rule types without a direction (DSCP marking).
        .addColumn('direction', 'varchar(16)', (c) => c.notNull().defaultTo(''))
        /** JSON object of the type's own attributes (max_kbps, dscp_mark, min_kpps, ...). */
        .addColumn('params', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('qos_rules_uq', ['policy_id', 'rule_type', 'direction'])
        .execute();

      await db.schema.alterTable('networks').addColumn('qos_policy_id', 'varchar(36)').execute();
      await db.schema.alterTable('ports').addColumn('qos_policy_id', 'varchar(36)').execute();

      await db.schema
        .createTable('trunks')
        .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
        .addColumn('project_id', 'varchar(255)', (c) => c.notNull())
        .addColumn('name', 'varchar(255)', (c) => c.notNull().defaultTo(''))
        .addColumn('description', 'varchar(255)', (c) => c.notNull().defaultTo(''))
        .addColumn('port_id', 'varchar(36)', (c) => c.notNull().unique().references('ports.id'))
        .addColumn('admin_state_up', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('status', 'varchar(16)', (c) => c.notNull().defaultTo('DOWN'))
        .addColumn('revision_number', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('trunk_subports')
        .addColumn('port_id', 'varchar(36)', (c) => c.primaryKey().references('ports.id'))
        .addColumn('trunk_id', 'varchar(36)', (c) => c.notNull().references('trunks.id').onDelete('cascade'))
        .addColumn('segmentation_type', 'varchar(32)', (c) => c.notNull())
        .addColumn('segmentation_id', 'integer', (c) => c.notNull())
        .addUniqueConstraint('trunk_subports_segment_uq', ['trunk_id', 'segmentation_type', 'segmentation_id'])
        .execute();

      await db.schema
        .createTable('port_forwardings')
        .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
        .addColumn('floatingip_id', 'varchar(36)', (c) => c.notNull().references('floatingips.id').onDelete('cascade'))
        .addColumn('internal_port_id', 'varchar(36)', (c) => c.notNull().references('ports.id').onDelete('cascade'))
        .addColumn('internal_ip_address', 'varchar(64)', (c) => c.notNull())
        .addColumn('internal_port_start', 'integer', (c) => c.notNull())
        .addColumn('internal_port_end', 'integer', (c) => c.notNull())
        .addColumn('external_port_start', 'integer', (c) => c.notNull())
        .addColumn('external_port_end', 'integer', (c) => c.notNull())
        .addColumn('protocol', 'varchar(16)', (c) => c.notNull())
        .addColumn('description', 'varchar(255)', (c) => c.notNull().defaultTo(''))
        .addColumn('revision_number', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('port_forwardings_external_uq', ['floatingip_id', 'external_port_start', 'protocol'])
        .addUniqueConstraint('port_forwardings_internal_uq', ['internal_port_id', 'internal_ip_address', 'internal_port_start', 'protocol'])
        .execute();
      await db.schema.createIndex('port_forwardings_fip_idx').on('port_forwardings').column('floatingip_id').execute();
    },
    async down(db: Kysely<any>): Promise<void> {
      for (const t of ['port_forwardings', 'trunk_subports', 'trunks', 'qos_rules', 'qos_default_policies', 'qos_policies', 'rbac_policies'])
        await db.schema.dropTable(t).ifExists().execute();
      await db.schema.alterTable('ports').dropColumn('qos_policy_id').execute();
      await db.schema.alterTable('networks').dropColumn('qos_policy_id').execute();
    },
  };
}
