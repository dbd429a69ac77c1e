import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import SqliteDatabase from 'better-sqlite3';
import { sql, type Kysely } from 'kysely';
import { dialectOf, inTransaction, isTransientError, isUniqueViolation, openDatabase, parseDatabaseUrl, type Db } from '../../src/db/index.js';
import { createScratchDatabase, describeEachDatabase, type ScratchDatabase } from '../support/databases.js';

/** pg-pool's end() resolves before its sockets close; give them a moment before a forced drop. */
const settle = (dialect: string) => (dialect === 'sqlite' ? Promise.resolve() : new Promise((r) => setTimeout(r, 200)));

/** Resolves when `n` parties have arrived. */
function barrier(n: number): () => Promise<void> {
  let arrived = 0;
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return () => {
    if (++arrived >= n) open();
    return opened;
  };
}

describeEachDatabase('transient errors and inTransaction', (dialect) => {
  let scratch: ScratchDatabase;
  /** Two handles, as two processes would have. */
  let db: Db;
  let other: Db;
  let k: Kysely<any>;
  let table = 0;

  before(async () => {
    scratch = await createScratchDatabase(dialect);
    db = openDatabase(scratch.url, { maxPoolSize: 4 });
    other = openDatabase(scratch.url, { maxPoolSize: 4 });
    k = db.kysely as unknown as Kysely<any>;
  });
  after(async () => {
    await db?.close();
    await other?.close();
    await settle(dialect);
    await scratch?.drop();
  });

  /** A fresh table `name(id int primary key, v int)` holding rows 1 and 2 with v = 0. */
  async function rows(): Promise<string> {
    const name = `t${++table}`;
    await k.schema
      .createTable(name)
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('v', 'integer', (c) => c.notNull())
      .execute();
    await k
      .insertInto(name)
      .values([
        { id: 1, v: 0 },
        { id: 2, v: 0 },
      ])
      .execute();
    return name;
  }
  const bump = (kysely: Kysely<any>, name: string, id: number) => sql`update ${sql.table(name)} set v = v + 1 where id = ${id}`.execute(kysely);
  const read = async (kysely: Kysely<any>, name: string, id: number) => Number((await kysely.selectFrom(name).select('v').where('id', '=', id).executeTakeFirstOrThrow()).v);

  /** Runs the crossing-update pattern in two transactions until one is refused; returns the refusal. */
  async function deadlockError(): Promise<unknown> {
    const name = await rows();
    const meet = barrier(2);
    const cross = (kysely: Kysely<any>, first: number, second: number) =>
      kysely.transaction().execute(async (trx) => {
        await bump(trx, name, first);
        await meet();
        await bump(trx, name, second);
      });
    const outcomes = await Promise.allSettled([cross(k, 1, 2), cross(other.kysely as unknown as Kysely<any>, 2, 1)]);
    const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    assert.equal(refused.length, 1, 'the database refuses exactly one of two deadlocked transactions');
    return refused[0].reason;
  }

  /** A transaction reads a row, another commits a change to it, then the first writes it. */
  async function snapshotConflictError(): Promise<unknown> {
    const name = await rows();
    // One connection, so that MariaDB's session setting is undone on the connection that got it.
    const refused = await k.connection().execute(async (conn) => {
      if (dialect === 'mysql') await sql`set session innodb_snapshot_isolation = ON`.execute(conn);
      try {
        const start = dialect === 'postgres' ? conn.transaction().setIsolationLevel('repeatable read') : conn.transaction();
        await start.execute(async (trx) => {
          await read(trx, name, 1);
          await bump(other.kysely as unknown as Kysely<any>, name, 1);
          await bump(trx, name, 1);
        });
        return undefined;
      } catch (err) {
        return err;
      } finally {
        if (dialect === 'mysql') await sql`set session innodb_snapshot_isolation = OFF`.execute(conn);
      }
    });
    assert.ok(refused, 'the stale write was accepted');
    return refused;
  }

  /** The driver's code (or MySQL errno) of an error, to show which refusal a scenario produced. */
  const codeOf = (err: unknown) => {
    const e = err as { code?: string; errno?: number };
    return dialect === 'mysql' ? e.errno : e.code;
  };

  if (dialect !== 'sqlite') {
    test('a real deadlock is transient', async () => {
      const err = await deadlockError();
      assert.equal(codeOf(err), dialect === 'postgres' ? '40P01' : 1213);
      assert.ok(isTransientError(err), `not transient: ${String(err)}`);
    });
  }

  test('a write over a row changed since the snapshot is transient', async () => {
    const err = await snapshotConflictError();
    assert.equal(codeOf(err), { sqlite: 'SQLITE_BUSY_SNAPSHOT', postgres: '40001', mysql: 1020 }[dialect]);
    assert.ok(isTransientError(err), `not transient: ${String(err)}`);
  });

  test('a lock-wait timeout (a busy file on SQLite) is transient', async () => {
    const name = await rows();
    let refused: unknown;
    await k.transaction().execute(async (trx) => {
      await bump(trx, name, 1);
      try {
        if (dialect === 'sqlite') {
          // A second connection that does not wait at all, so the event loop is never blocked.
          const raw = new SqliteDatabase(parseDatabaseUrl(scratch.url).filename!, { timeout: 0 });
          try {
            raw.prepare(`update ${name} set v = v + 1 where id = 1`).run();
          } finally {
            raw.close();
          }
        } else {
          await other.kysely.connection().execute(async (conn) => {
            if (dialect === 'mysql') await sql`set session innodb_lock_wait_timeout = 1`.execute(conn);
            try {
              await conn.transaction().execute(async (t2) => {
                if (dialect === 'postgres') await sql`set local lock_timeout = '200ms'`.execute(t2);
                await bump(t2 as unknown as Kysely<any>, name, 1);
              });
            } finally {
              if (dialect === 'mysql') await sql`set session innodb_lock_wait_timeout = default`.execute(conn);
            }
          });
        }
      } catch (err) {
        refused = err;
      }
    });
    assert.ok(refused, 'the second writer was not refused');
    assert.equal(codeOf(refused), { sqlite: 'SQLITE_BUSY', postgres: '55P03', mysql: 1205 }[dialect]);
    assert.ok(isTransientError(refused), `not transient: ${String(refused)}`);
  });

  test('unique and foreign-key violations and syntax errors are not transient', async () => {
    const name = await rows();
    const dup = await k
      .insertInto(name)
      .values({ id: 1, v: 0 })
      .execute()
      .catch((e: unknown) => e);
    assert.ok(isUniqueViolation(dup));
    assert.equal(isTransientError(dup), false);
    const bad = await sql`selec 1`.execute(k).catch((e: unknown) => e);
    assert.ok(bad instanceof Error);
    assert.equal(isTransientError(bad), false);
    for (const nothing of [undefined, null, 'SQLITE_BUSY', new Error('SQLITE_BUSY')]) assert.equal(isTransientError(nothing), false);
  });

  test('inTransaction runs a transaction that lost a race again, and both writers succeed', async () => {
    const name = await rows();
    const runs = { a: 0, b: 0 };
    if (dialect === 'sqlite') {
      // SQLite: the loser is the transaction whose snapshot went stale before it wrote.
      await inTransaction(db, async (trx) => {
        runs.a++;
        const seen = await read(trx as unknown as Kysely<any>, name, 1);
        if (runs.a === 1) await bump(other.kysely as unknown as Kysely<any>, name, 1);
        await sql`update ${sql.table(name)} set v = ${seen + 10} where id = 1`.execute(trx);
      });
      assert.equal(runs.a, 2);
      assert.equal(await read(k, name, 1), 11, 'the retry saw the other write');
      return;
    }
    const meet = barrier(2);
    const cross = (handle: Db, key: 'a' | 'b', first: number, second: number) =>
      inTransaction(handle, async (trx) => {
        runs[key]++;
        await bump(trx as unknown as Kysely<any>, name, first);
        await meet();
        await bump(trx as unknown as Kysely<any>, name, second);
      });
    await Promise.all([cross(db, 'a', 1, 2), cross(other, 'b', 2, 1)]);
    assert.equal(runs.a + runs.b, 3, 'exactly one of the two ran twice');
    assert.equal(await read(k, name, 1), 2);
    assert.equal(await read(k, name, 2), 2);
  });

  test('inTransaction gives up after its attempts, and rethrows other errors at once', async () => {
    const transient = await snapshotConflictError();
    let runs = 0;
    await assert.rejects(
      inTransaction(
        db,
        async () => {
          runs++;
          throw transient;
        },
        { attempts: 3 },
      ),
      (err) => err === transient,
    );
    assert.equal(runs, 3);

    const name = await rows();
    runs = 0;
    await assert.rejects(
      inTransaction(db, async (trx) => {
        runs++;
        await trx
          .insertInto(name as never)
          .values({ id: 1, v: 5 } as never)
          .execute();
      }),
      (err) => isUniqueViolation(err),
    );
    assert.equal(runs, 1);
    assert.equal(await read(k, name, 1), 0, 'nothing half-written');
  });

  test('retryUniqueViolation runs read-then-insert work again so it sees the winner', async () => {
    const name = await rows();
    let runs = 0;
    const v = await inTransaction(
      db,
      async (trx) => {
        runs++;
        const t = trx as unknown as Kysely<any>;
        const existing = await t.selectFrom(name).select('v').where('id', '=', 3).executeTakeFirst();
        if (existing) return Number(existing.v);
        // Another process inserts the same key between our read and our insert (first run only).
        if (runs === 1) await (other.kysely as unknown as Kysely<any>).insertInto(name).values({ id: 3, v: 7 }).execute();
        await t.insertInto(name).values({ id: 3, v: 1 }).execute();
        return 1;
      },
      { retryUniqueViolation: true },
    );
    assert.equal(v, 7);
    assert.equal(runs, 2);
  });

  test('a transaction reads rows other transactions committed meanwhile, except on SQLite (one snapshot)', async () => {
    const name = await rows();
    const count = async (kysely: Kysely<any>) =>
      Number(
        (
          await kysely
            .selectFrom(name)
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const seen = await inTransaction(db, async (trx) => {
      const t = trx as unknown as Kysely<any>;
      const first = await count(t);
      await (other.kysely as unknown as Kysely<any>).insertInto(name).values({ id: 4, v: 0 }).execute();
      return [first, await count(t)];
    });
    // MySQL runs read-committed here (its default would be repeatable-read, showing 2 twice).
    assert.deepEqual(seen, dialect === 'sqlite' ? [2, 2] : [2, 3]);
  });

  test('dialectOf names the dialect of a handle and of a transaction', async () => {
    assert.equal(dialectOf(db.kysely), dialect);
    assert.equal(await db.kysely.transaction().execute(async (trx) => dialectOf(trx)), dialect);
  });
});
