/**
 * Transactions for the networking service: one transaction per API request (bulk creates included),
 * retried when the database reports a deadlock or a serialization failure, read-committed on MySQL so
 * that a retry after a lost race sees the winner's rows (as PostgreSQL does by default).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Kysely, Transaction } from 'kysely';
import type { Database, Db } from '../db/index.js';

export type Trx = Transaction<Database> | Kysely<Database>;

const MAX_ATTEMPTS = 10;

/** Deadlock, lock wait timeout, serialization failure or a busy SQLite file: worth running again. */
export function isTransient(err: unknown): boolean {
  const e = err as { code?: string; errno?: number };
  return (
    e?.code === '40001' || // PostgreSQL serialization_failure
    e?.code === '40P01' || // PostgreSQL deadlock_detected
    e?.errno === 1213 || // MySQL ER_LOCK_DEADLOCK
    e?.errno === 1205 || // MySQL ER_LOCK_WAIT_TIMEOUT
    e?.code === 'SQLITE_BUSY' ||
    e?.code === 'SQLITE_BUSY_SNAPSHOT'
  );
}

/** Runs `work` in a transaction, again from the start (up to 10 times) when the failure is transient. */
export async function inTransaction<T>(db: Db, work: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      const builder = db.kysely.transaction();
      return await (db.dialect === 'mysql' ? builder.setIsolationLevel('read committed') : builder).execute(work);
    } catch (err) {
      if (!isTransient(err) || attempt >= MAX_ATTEMPTS) throw err;
      await sleep(Math.floor(Math.random() * 20 * attempt));
    }
  }
}

/** Locks a row until the transaction ends (SELECT ... FOR UPDATE; SQLite transactions are already serial). */
export async function lockRow(db: Db, trx: Trx, table: 'networks' | 'subnetpools' | 'subnets' | 'ports', id: string): Promise<boolean> {
  let q = trx.selectFrom(table).select('id').where('id', '=', id);
  if (db.dialect !== 'sqlite') q = q.forUpdate();
  return (await q.executeTakeFirst()) !== undefined;
}

/**
 * Inserts a row unless its key is taken, without aborting the transaction (a unique violation would
 * abort a PostgreSQL transaction). Waits for a concurrent uncommitted insert of the same key to end.
 * The caller then reads the row back to learn whether it is its own.
 */
export async function insertUnlessTaken<T extends 'ip_allocations' | 'segment_allocations'>(db: Db, trx: Trx, table: T, values: Database[T]): Promise<void> {
  const q = trx.insertInto(table).values(values as never);
  if (db.dialect === 'mysql') await q.ignore().execute();
  else await q.onConflict((oc) => oc.doNothing()).execute();
}

export const toBool = (v: number | boolean | null | undefined): boolean => Boolean(v);
export const fromBool = (v: boolean): number => (v ? 1 : 0);

export function parseJson<T>(text: string | null | undefined, fallback: T): T {
  if (text === null || text === undefined || text === '') return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}
