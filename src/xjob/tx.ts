import { setTimeout as sleep } from 'node:timers/promises';
import { MysqlAdapter, PostgresAdapter, SqliteAdapter, type Kysely, type Transaction } from 'kysely';
import type { Database, Db, Dialect } from '../db/index.js';
import { isUniqueViolation } from '../db/index.js';

/** Deadlock, lock wait timeout, serialization failure or a busy SQLite file: worth running again. */
export function isTransient(err: unknown): boolean {
  const e = err as { code?: string; errno?: number };
  return (
    e?.code === '40001' ||
    e?.code === '40P01' ||
    e?.errno === 1213 ||
    e?.errno === 1205 ||
    e?.code === 'SQLITE_BUSY' ||
    e?.code === 'SQLITE_BUSY_SNAPSHOT' ||
    e?.code === 'SQLITE_LOCKED'
  );
}

/**
 * Runs `work` in a transaction (read committed on MySQL, as PostgreSQL's default), again from the
 * start when the database reports a transient conflict or, when `retryUnique` is set, a unique-key
 * race that a fresh read resolves.
 */
export async function inTransaction<T>(db: Db, work: (trx: Transaction<Database>) => Promise<T>, opts: { retryUnique?: boolean; attempts?: number } = {}): Promise<T> {
  const attempts = opts.attempts ?? 8;
  for (let attempt = 1; ; attempt++) {
    try {
      const builder = db.kysely.transaction();
      return await (db.dialect === 'mysql' ? builder.setIsolationLevel('read committed') : builder).execute(work);
    } catch (err) {
      const retry = isTransient(err) || (opts.retryUnique === true && isUniqueViolation(err));
      if (!retry || attempt >= attempts) throw err;
      await sleep(Math.floor(Math.random() * 15 * attempt));
    }
  }
}

/** The dialect a Kysely instance or transaction talks to (for callers that hold only a transaction). */
export function dialectOf(db: Kysely<Database>): Dialect {
  const adapter = db.getExecutor().adapter;
  if (adapter instanceof PostgresAdapter) return 'postgres';
  if (adapter instanceof MysqlAdapter) return 'mysql';
  if (adapter instanceof SqliteAdapter) return 'sqlite';
  throw new Error(`unsupported database adapter ${adapter.constructor.name}`);
}
