import { inTransaction, type Db, type Trx } from '../db/index.js';

/** Which service's quotas: each keeps its own limits, locks and claims. */
export type QuotaScope = 'compute' | 'volume' | 'network';

/** More of a resource than the project's limit allows. Each API turns it into its own fault. */
export class QuotaExceeded extends Error {
  /** Every resource the request would take past its limit (this one first), for faults that name them all. */
  readonly overs: readonly Over[];

  constructor(
    readonly resource: string,
    readonly requested: number,
    readonly used: number,
    readonly limit: number,
    overs?: readonly Over[],
  ) {
    super(`Quota exceeded for ${resource}: requested ${requested}, already used ${used} of ${limit}`);
    this.name = 'QuotaExceeded';
    this.overs = overs ?? [{ resource, requested, used, limit }];
  }
}

/** One resource a request would take past its limit. */
export interface Over {
  resource: string;
  requested: number;
  used: number;
  limit: number;
}

/** What one admission asks for: `amount` more of `resource`, against `limit` (negative: unlimited). */
export interface Demand {
  resource: string;
  amount: number;
  limit: number;
}

/**
 * Takes the project's quota lock for the rest of `trx`: concurrent admissions for the same (scope,
 * project) run one after the other, so each counts what the ones before it wrote. The lock is a row
 * update, which every database holds until the transaction ends (SQLite transactions are serial).
 */
export async function lockProjectQuota(db: Db, trx: Trx, scope: QuotaScope, projectId: string): Promise<void> {
  const bumped = await trx
    .updateTable('quota_locks')
    .set((eb) => ({ version: eb('version', '+', 1) }))
    .where('service', '=', scope)
    .where('project_id', '=', projectId)
    .executeTakeFirst();
  if (Number(bumped.numUpdatedRows) > 0) return;
  const insert = trx.insertInto('quota_locks').values({ service: scope, project_id: projectId, version: 0 });
  if (db.dialect === 'mysql') await insert.ignore().execute();
  else await insert.onConflict((oc) => oc.doNothing()).execute();
  await trx
    .updateTable('quota_locks')
    .set((eb) => ({ version: eb('version', '+', 1) }))
    .where('service', '=', scope)
    .where('project_id', '=', projectId)
    .execute();
}

/**
 * Throws QuotaExceeded for the demands (in the order given) that `used` plus their amounts would take
 * past their limits: the first is the error's own resource, all are in its `overs`.
 */
export function checkDemands(demands: readonly Demand[], used: Readonly<Record<string, number>>): void {
  const overs: Over[] = [];
  for (const d of demands) {
    const inUse = used[d.resource] ?? 0;
    if (d.limit >= 0 && d.amount > 0 && inUse + d.amount > d.limit) overs.push({ resource: d.resource, requested: d.amount, used: inUse, limit: d.limit });
  }
  const [first] = overs;
  if (first) throw new QuotaExceeded(first.resource, first.requested, first.used, first.limit, overs);
}

/**
 * Admission inside the caller's transaction, for resources whose top rows are their usage (the
 * networking service): lock the project, count with `usage` (reading through `trx`), refuse what
 * would pass a limit. The caller inserts its rows in the same transaction, so the count the next
 * admission makes includes them.
 */
export async function admitInTransaction(
  db: Db,
  trx: Trx,
  scope: QuotaScope,
  projectId: string,
  demands: readonly Demand[],
  usage: (trx: Trx) => Promise<Record<string, number>>,
): Promise<void> {
  if (demands.every((d) => d.limit < 0 || d.amount <= 0)) return;
  await lockProjectQuota(db, trx, scope, projectId);
  checkDemands(demands, await usage(trx));
}

/** Runs `work` in a retried transaction (see src/db inTransaction). */
export function quotaTransaction<T>(db: Db, work: (trx: Trx) => Promise<T>): Promise<T> {
  return inTransaction(db, work);
}
