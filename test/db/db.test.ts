import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { dbNow, migrateTo, migrateToLatest, openDatabase, parseDatabaseUrl, schemaVersion, type Db } from '../../src/db/index.js';
import { createScratchDatabase, describeEachDatabase, type ScratchDatabase } from '../support/databases.js';

describe('database URLs', () => {
  test('SQLAlchemy-style URLs of the three dialects', () => {
    assert.deepEqual(parseDatabaseUrl('sqlite:///tricircle.sqlite'), { dialect: 'sqlite', filename: 'tricircle.sqlite', params: {} });
    assert.equal(parseDatabaseUrl('sqlite:////var/lib/tricircle/db.sqlite').filename, '/var/lib/tricircle/db.sqlite');
    assert.equal(parseDatabaseUrl('sqlite://').filename, ':memory:');
    const pg = parseDatabaseUrl('postgresql+psycopg2://tc:p%40ss@db.example:5433/tricircle');
    assert.deepEqual(pg, { dialect: 'postgres', host: 'db.example', port: 5433, user: 'tc', password: 'p@ss', database: 'tricircle', params: {} });
    const my = parseDatabaseUrl('mysql+pymysql://root@127.0.0.1/tricircle?charset=utf8');
    assert.equal(my.dialect, 'mysql');
    assert.equal(my.database, 'tricircle');
    assert.deepEqual(my.params, { charset: 'utf8' });
  });
  test('bad URLs are rejected with a reason', () => {
    assert.throws(() => parseDatabaseUrl('tricircle.sqlite'), /not a database URL/);
    assert.throws(() => parseDatabaseUrl('oracle://x/y'), /unsupported database scheme oracle/);
    assert.throws(() => parseDatabaseUrl('postgresql://host'), /names no database/);
    assert.throws(() => parseDatabaseUrl('sqlite://relative.db'), /three slashes/);
  });
});

describeEachDatabase('migrations', (dialect) => {
  let scratch: ScratchDatabase;
  let db: Db;
  before(async () => {
    scratch = await createScratchDatabase(dialect);
    db = openDatabase(scratch.url, { maxPoolSize: 2 });
  });
  after(async () => {
    await db?.close();
    await scratch?.drop();
  });

  test('an empty database reports no version, then migrates to the latest', async () => {
    const before = await schemaVersion(db);
    assert.equal(before.current, undefined);
    assert.equal(before.pending[0], '0001_core');
    assert.deepEqual(await migrateToLatest(db), before.pending);
    const after = await schemaVersion(db);
    assert.equal(after.current, after.latest);
    assert.deepEqual(after.pending, []);
    assert.deepEqual(await migrateToLatest(db), [], 'a second sync is a no-op');
  });

  test('unique keys of the routing table and the single top pod hold', async () => {
    const k = db.kysely;
    const now = dbNow(db.dialect);
    await k
      .insertInto('pods')
      .values({ id: 'p1', region_name: 'Pod1', az_name: 'az1', pod_az_name: '', dc_name: '', disabled: 0, health: 'unknown', top_marker: null, created_at: now, updated_at: now })
      .execute();
    await k
      .insertInto('pods')
      .values({ id: 'p2', region_name: 'Pod2', az_name: 'az1', pod_az_name: '', dc_name: '', disabled: 0, health: 'unknown', top_marker: null, created_at: now, updated_at: now })
      .execute();
    await k
      .insertInto('pods')
      .values({ id: 't1', region_name: 'Top', az_name: '', pod_az_name: '', dc_name: '', disabled: 0, health: 'unknown', top_marker: 1, created_at: now, updated_at: now })
      .execute();
    await assert.rejects(
      k
        .insertInto('pods')
        .values({ id: 't2', region_name: 'Top2', az_name: '', pod_az_name: '', dc_name: '', disabled: 0, health: 'unknown', top_marker: 1, created_at: now, updated_at: now })
        .execute(),
    );
    const route = { top_id: 'net-1', bottom_id: null, pod_id: 'p1', project_id: 'proj', resource_type: 'network', created_at: now, updated_at: now };
    await k.insertInto('resource_routings').values(route).execute();
    await k
      .insertInto('resource_routings')
      .values({ ...route, resource_type: 'subnet' })
      .execute();
    await k
      .insertInto('resource_routings')
      .values({ ...route, pod_id: 'p2' })
      .execute();
    await assert.rejects(k.insertInto('resource_routings').values(route).execute());
    await assert.rejects(
      k
        .insertInto('resource_routings')
        .values({ ...route, pod_id: 'missing' })
        .execute(),
      'foreign key to pods',
    );
  });

  test('the database clock is in epoch milliseconds and close to ours', async () => {
    const { rows } = await sql<{ now: number }>`select ${dbNow(db.dialect)} as now`.execute(db.kysely);
    const now = Number(rows[0].now);
    assert.ok(Math.abs(now - Date.now()) < 5000, `db clock ${now} vs local ${Date.now()}`);
  });

  test('0008 adds the intent column and the per-pod indexes; down and up again keeps the routes', async () => {
    const fresh = await createScratchDatabase(dialect);
    const other = openDatabase(fresh.url, { maxPoolSize: 2 });
    try {
      await migrateToLatest(other);
      assert.deepEqual(
        (await routingIndexes(other)).filter((n) => n.includes('project') || n.includes('type_pod')),
        ['resource_routings_project_type_pod_idx', 'resource_routings_type_pod_idx'],
      );
      const now = dbNow(other.dialect);
      await other.kysely
        .insertInto('pods')
        .values({ id: 'p1', region_name: 'Pod1', az_name: 'az1', pod_az_name: '', dc_name: '', disabled: 0, health: 'unknown', top_marker: null, created_at: now, updated_at: now })
        .execute();
      const row = { top_id: 'vm-1', bottom_id: 'vm-1', pod_id: 'p1', project_id: 'proj', resource_type: 'server', created_at: now, updated_at: now };
      await other.kysely
        .insertInto('resource_routings')
        .values({ ...row, intent: '{"requestId":"req-1"}' })
        .execute();
      assert.equal((await other.kysely.selectFrom('resource_routings').select('intent').executeTakeFirstOrThrow()).intent, '{"requestId":"req-1"}');

      await migrateTo(other, '0007_xjob');
      assert.deepEqual(
        (await routingIndexes(other)).filter((n) => n.includes('project') || n.includes('type_pod')),
        ['resource_routings_project_idx'],
      );
      const old = await sql<Record<string, unknown>>`select * from resource_routings`.execute(other.kysely);
      assert.equal(old.rows.length, 1);
      assert.equal('intent' in old.rows[0], false, 'the column is gone');

      await migrateToLatest(other);
      const back = await other.kysely.selectFrom('resource_routings').selectAll().execute();
      assert.deepEqual(
        back.map((r) => [r.top_id, r.intent]),
        [['vm-1', null]],
      );
    } finally {
      await other.close();
      await fresh.drop();
    }
  });

  test('migrating down to nothing drops the tables', async () => {
    const fresh = await createScratchDatabase(dialect);
    const other = openDatabase(fresh.url, { maxPoolSize: 2 });
    try {
      await migrateToLatest(other);
      await migrateTo(other, null);
      assert.equal((await schemaVersion(other)).current, undefined);
    } finally {
      await other.close();
      await fresh.drop();
    }
  });
});

/** Names of the secondary indexes of resource_routings, sorted. */
async function routingIndexes(db: Db): Promise<string[]> {
  let names: string[];
  if (db.dialect === 'sqlite') {
    const { rows } = await sql<{ name: string }>`select name from sqlite_master where type = 'index' and tbl_name = 'resource_routings'`.execute(db.kysely);
    names = rows.map((r) => r.name);
  } else if (db.dialect === 'postgres') {
    const { rows } = await sql<{ name: string }>`select indexname as name from pg_indexes where tablename = 'resource_routings'`.execute(db.kysely);
    names = rows.map((r) => r.name);
  } else {
    const { rows } = await sql<{
      name: string;
    }>`select distinct index_name as name from information_schema.statistics where table_schema = database() and table_name = 'resource_routings'`.execute(db.kysely);
    names = rows.map((r) => r.name);
  }
  return names.filter((n) => n.endsWith('_idx')).sort();
}
