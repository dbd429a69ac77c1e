import { Migrator, NO_MIGRATIONS, type Migration, type MigrationProvider, type MigrationResultSet } from 'kysely';
import type { Db } from './connect.js';
import type { Dialect } from './url.js';
import { coreTables } from './migrations/0001_core.js';
import { networkTables } from './migrations/0002_network.js';
import { l3Tables } from './migrations/0003_l3.js';
import { novaTables } from './migrations/0005_nova.js';
import { cinderTables } from './migrations/0006_cinder.js';
import { xjobTables } from './migrations/0007_xjob.js';
import { routingIntents } from './migrations/0008_routing_intents.js';
import { quotaTables } from './migrations/0010_quotas.js';
import { novaServerGroups } from './migrations/0011_nova_server_groups.js';
import { cinderBreadthTables } from './migrations/0012_cinder_breadth.js';
import { networkSharingTables } from './migrations/0013_network_sharing.js';
import { networkBreadth } from './migrations/0014_network_breadth.js';
import { routingTopIndex } from './migrations/0015_routing_top_index.js';
import { autoAllocatedTopology } from './migrations/0016_auto_allocated_topology.js';
import { defaultSecurityGroupRules } from './migrations/0017_default_security_group_rules.js';
import { groupTypeTables } from './migrations/0018_group_types.js';

/** Numbered migrations, in order. Names sort lexically; never rename or edit a released one. */
function migrations(dialect: Dialect): Record<string, Migration> {
  return {
    '0001_core': coreTables(dialect),
    '0002_network': networkTables(dialect),
    '0003_l3': l3Tables(dialect),
    '0005_nova': novaTables(dialect),
    '0006_cinder': cinderTables(dialect),
    '0007_xjob': xjobTables(dialect),
    '0008_routing_intents': routingIntents(dialect),
    '0010_quotas': quotaTables(),
    '0011_nova_server_groups': novaServerGroups(dialect),
    '0012_cinder_breadth': cinderBreadthTables(dialect),
    '0013_network_sharing': networkSharingTables(dialect),
    '0014_network_breadth': networkBreadth(dialect),
    '0015_routing_top_index': routingTopIndex(dialect),
    '0016_auto_allocated_topology': autoAllocatedTopology(dialect),
    '0017_default_security_group_rules': defaultSecurityGroupRules(),
    '0018_group_types': groupTypeTables(),
  };
}

class InCodeProvider implements MigrationProvider {
  constructor(private readonly dialect: Dialect) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    return migrations(this.dialect);
  }
}

function migrator(db: Db): Migrator {
  return new Migrator({
    db: db.kysely,
    provider: new InCodeProvider(db.dialect),
    migrationTableName: 'tricircle_migrations',
    migrationLockTableName: 'tricircle_migrations_lock',
  });
}

export class MigrationError extends Error {}

/** Brings the schema to the latest version; safe to run from several processes at once. */
export async function migrateToLatest(db: Db): Promise<string[]> {
  const { error, results } = await migrator(db).migrateToLatest();
  return finish(error, results);
}

/** Migrates up or down to `target`; `null` undoes every migration. */
export async function migrateTo(db: Db, target: string | null): Promise<string[]> {
  const { error, results } = await migrator(db).migrateTo(target ?? NO_MIGRATIONS);
  return finish(error, results);
}

function finish(error: unknown, results: MigrationResultSet['results']): string[] {
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new MigrationError(`migration ${failed?.migrationName ?? ''} failed: ${(error as Error).message ?? String(error)}`);
  }
  return (results ?? []).map((r) => r.migrationName);
}

/** The newest applied migration name (e.g. '0001_core'), or undefined for an empty database; and the newest available. */
export async function schemaVersion(db: Db): Promise<{ current?: string; latest: string; pending: string[] }> {
  const all = await migrator(db).getMigrations();
  const applied = all.filter((m) => m.executedAt);
  return {
    current: applied.at(-1)?.name,
    latest: all.at(-1)!.name,
    pending: all.filter((m) => !m.executedAt).map((m) => m.name),
  };
}
