import { inTransaction as runInTransaction, type Db, type Trx } from '../db/index.js';

export { dialectOf } from '../db/index.js';

/**
 * Runs `work` in a transaction, again from the start after a transient conflict (src/db owns which
 * errors those are) or, when `retryUnique` is set, after a unique-key race that a fresh read resolves.
 */
export function inTransaction<T>(db: Db, work: (trx: Trx) => Promise<T>, opts: { retryUnique?: boolean; attempts?: number } = {}): Promise<T> {
  return runInTransaction(db, work, { ...(opts.attempts !== undefined ? { attempts: opts.attempts } : {}), retryUniqueViolation: opts.retryUnique === true });
}
