import type { Kysely } from 'kysely';
import type { Dialect } from '../url.js';

/**
 * The flavors DevStack (and Nova's own early migrations) create, so a fresh top region can boot
 * servers with the usual names (`m1.tiny` ...). Operators change them through the flavor API.
 */
const SEED_FLAVORS = [
  { id: '1', name: 'm1.tiny', vcpus: 1, memory_mb: 512, root_gb: 1 },
  { id: '2', name: 'm1.small', vcpus: 1, memory_mb: 2048, root_gb: 20 },
  { id: '3', name: 'm1.medium', vcpus: 2, memory_mb: 4096, root_gb: 40 },
  { id: '4', name: 'm1.large', vcpus: 4, memory_mb: 8192, root_gb: 80 },
  { id: '5', name: 'm1.xlarge', vcpus: 8, memory_mb: 16384, root_gb: 160 },
  { id: '42', name: 'm1.nano', vcpus: 1, memory_mb: 128, root_gb: 1 },
  { id: '84', name: 'm1.micro', vcpus: 1, memory_mb: 192, root_gb: 1 },
];

/** The Nova API gateway's own tables: top flavors and their access lists, key pairs, quota overrides. */
export function novaTables(_dialect: Dialect) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('nova_flavors')
        .addColumn('id', 'varchar(255)', (c) => c.primaryKey())
        .addColumn('name', 'varchar(255)', (c) => c.notNull().unique())
        .addColumn('vcpus', 'integer', (c) => c.notNull())
        .addColumn('memory_mb', 'integer', (c) => c.notNull())
        .addColumn('root_gb', 'integer', (c) => c.notNull())
        .addColumn('ephemeral_gb', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('swap', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('rxtx_factor', 'double precision', (c) => c.notNull().defaultTo(1))
        .addColumn('is_public', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('description', 'text')
        .addColumn('extra_specs', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('nova_flavor_projects')
        .addColumn('flavor_id', 'varchar(255)', (c) => c.notNull().references('nova_flavors.id').onDelete('cascade'))
        .addColumn('project_id', 'varchar(255)', (c) => c.notNull())
        .addPrimaryKeyConstraint('nova_flavor_projects_pk', ['flavor_id', 'project_id'])
        .execute();

      await db.schema
        .createTable('nova_keypairs')
        .addColumn('user_id', 'varchar(255)', (c) => c.notNull())
        .addColumn('name', 'varchar(255)', (c) => c.notNull())
        .addColumn('type', 'varchar(16)', (c) => c.notNull().defaultTo('ssh'))
        .addColumn('public_key', 'text', (c) => c.notNull())
        .addColumn('fingerprint', 'varchar(255)', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('nova_keypairs_pk', ['user_id', 'name'])
        .execute();

      await db.schema
        .createTable('nova_quotas')
        .addColumn('project_id', 'varchar(255)', (c) => c.notNull())
        .addColumn('resource', 'varchar(64)', (c) => c.notNull())
        .addColumn('hard_limit', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('nova_quotas_pk', ['project_id', 'resource'])
        .execute();

      const now = Date.now();
      await db
        .insertInto('nova_flavors')
        .values(
          SEED_FLAVORS.map((f) => ({
            ...f,
            ephemeral_gb: 0,
            swap: 0,
            rxtx_factor: 1,
            is_public: 1,
            disabled: 0,
            description: null,
            extra_specs: '{}',
            created_at: now,
            updated_at: now,
          })),
        )
        .execute();
    },
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropTable('nova_quotas').execute();
      await db.schema.dropTable('nova_keypairs').execute();
      await db.schema.dropTable('nova_flavor_projects').execute();
      await db.schema.dropTable('nova_flavors').execute();
    },
  };
}
