/**
 * Transactions for the networking service: one transaction per API request (bulk creates included),
 * retried when the database reports a deadlock or a serialization failure, read-committed on MySQL so
 * that a retry after a lost race sees the winner's rows (as PostgreSQL does by default).
 */
import type { Kysely, Transaction } from 'kysely';
import { inTransaction as runInTransaction, type Database, type Db } from '../db/index.js';

export type Trx = Transaction<Database> | Kysely<Database>;

const MAX_ATTEMPTS = 10;

/** Runs `work` in a transaction, again from the start (up to 10 times) after a transient conflict (src/db owns which errors those are). */
export function inTransaction<T>(db: Db, work: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  return runInTransaction(db, work, { attempts: MAX_ATTEMPTS });
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
