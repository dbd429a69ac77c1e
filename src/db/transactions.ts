import { setTimeout as sleep } from 'node:timers/promises';
import { MysqlAdapter, PostgresAdapter, SqliteAdapter, type Kysely, type Transaction } from 'kysely';
import type { Db } from './connect.js';
import { isUniqueViolation } from './errors.js';
import type { Database } from './tables.js';
import type { Dialect } from './url.js';

/** An open transaction on the Tricircle database. */
export type Trx = Transaction<Database>;

/**
 * True when the database refused a statement because of a concurrent transaction, so that running
 * the whole transaction again can succeed: deadlocks, serialization failures and lock-wait timeouts
 * (PostgreSQL, MySQL/MariaDB, Galera certification failures, which MariaDB reports as deadlocks),
 * MariaDB's snapshot-isolation "record has changed", and a busy or locked SQLite file.
 */
export function isTransientError(err: unknown): boolean {
  const e = err as { code?: unknown; errno?: unknown } | null | undefined;
  const code = typeof e?.code === 'string' ? e.code : undefined;
  return (
    code === '40001' || // PostgreSQL serialization_failure
    code === '40P01' || // PostgreSQL deadlock_detected
    code === '55P03' || // PostgreSQL lock_not_available (lock_timeout)
    e?.errno === 1213 || // MySQL ER_LOCK_DEADLOCK
    e?.errno === 1205 || // MySQL ER_LOCK_WAIT_TIMEOUT
    e?.errno === 1020 || // MariaDB ER_CHECKREAD (innodb_snapshot_isolation)
    (code !== undefined && /^SQLITE_(BUSY|LOCKED)(_|$)/.test(code))
  );
}

export interface RetryOptions {
  /** How many times `work` may run in all. Default 8. */
  attempts?: number;
  /**
   * Also run again after a unique-key violation: for work that reads before it inserts, where the
   * violation means another transaction won a race that a fresh read will see.
   */
  retryUniqueViolation?: boolean;
}

const DEFAULT_ATTEMPTS = 8;

/**
 * Runs `work` in a transaction and, when the database reports a transient conflict, runs it again
 * from the start after a short random pause. MySQL/MariaDB transactions run read-committed, as
 * PostgreSQL's do by default, so a retry sees the rows of the transaction it lost to. `work` must
 * have no effect outside the database, since it may run more than once; it must not be called
 * from inside another transaction.
 */
export async function inTransaction<T>(db: Db, work: (trx: Trx) => Promise<T>, opts: RetryOptions = {}): Promise<T> {
  const attempts = Math.max(1, opts.attempts ?? DEFAULT_ATTEMPTS);
  for (let attempt = 1; ; attempt++) {
    try {
      const builder = db.kysely.transaction();
      return await (db.dialect === 'mysql' ? builder.setIsolationLevel('read committed') : builder).execute(work);
    } catch (err) {
      const again = isTransientError(err) || (opts.retryUniqueViolation === true && isUniqueViolation(err));
      if (!again || attempt >= attempts) throw err;
      await sleep(Math.floor(Math.random() * 20 * attempt));
    }
  }
}

/** The dialect a Kysely instance or transaction talks to, for code that holds only a transaction. */
export function dialectOf(kysely: Kysely<Database>): Dialect {
  const adapter = kysely.getExecutor().adapter;
  if (adapter instanceof PostgresAdapter) return 'postgres';
  if (adapter instanceof MysqlAdapter) return 'mysql';
  if (adapter instanceof SqliteAdapter) return 'sqlite';
  throw new Error(`unsupported database adapter ${adapter.constructor.name}`);
}
