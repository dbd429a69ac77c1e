import { randomUUID } from 'node:crypto';
import { dbNow, inTransaction, type Db, type Trx } from '../db/index.js';
import { checkDemands, lockProjectQuota, QuotaExceeded, type QuotaScope } from './admission.js';

/** How long a pending claim counts when its request never said how it ended (a crashed gateway). */
export const DEFAULT_PENDING_TTL_MS = 30 * 60_000;

export interface ClaimLedgerOptions {
  /** Which of `holders` (top ids) still exist at the top (have a routing entry); the others are released. */
  alive(holders: readonly string[]): Promise<Set<string>>;
  pendingTtlMs?: number;
}

/**
 * Rows of `quota_claims` whose resource starts with this hold what a change (`ClaimLedger.change`)
 * replaced, until the change is confirmed or undone; they count toward no resource.
 */
const KEPT = 'kept:';

/** What a held resource counts per resource, and what an open change kept for its undo. */
export interface HeldState {
  counted: Record<string, number>;
  kept: Record<string, number> | undefined;
}

/** A granted claim: `count` units, each holding `perUnit`, pending under `key` until `hold`. */
export interface Claim {
  key: string;
  count: number;
}

/**
 * The usage of resources that live in the pods (servers, volumes), recorded at the top: a create
 * claims before it asks its pod, in a transaction that holds the project's quota lock, so N
 * concurrent creates against a limit of Q admit exactly Q. A pod that cannot be reached never lowers
 * the count: it is read from these rows, never from the pods.
 *
 * A claim is pending while its resource is being made (it counts; a pending claim older than the
 * pending lifetime, left by a gateway that died, stops counting), held once the resource has its
 * routing entry, and released when the create fails or the resource's routing entry is gone (a
 * deleted server or volume frees its quota at the next admission or usage read).
 */
export class ClaimLedger {
  private readonly ttlMs: number;

  constructor(
    private readonly db: Db,
    private readonly scope: QuotaScope,
    private readonly opts: ClaimLedgerOptions,
  ) {
    this.ttlMs = opts.pendingTtlMs ?? DEFAULT_PENDING_TTL_MS;
  }

  /**
   * Claims between `min` and `max` units of `perUnit` (as many as the limits allow); throws
   * QuotaExceeded when not even `min` fit. Limits below zero are unlimited.
   */
  async claim(projectId: string, perUnit: Readonly<Record<string, number>>, limits: Readonly<Record<string, number>>, count: { min: number; max: number }): Promise<Claim> {
    await this.sweep(projectId);
    const key = `claim:${randomUUID()}`;
    const granted = await inTransaction(this.db, async (trx) => {
      await lockProjectQuota(this.db, trx, this.scope, projectId);
      const used = await this.usageIn(trx, projectId);
      let n = count.max;
      while (n > count.min && !fits(perUnit, limits, used, n)) n--;
      checkDemands(
        Object.entries(perUnit).map(([resource, amount]) => ({ resource, amount: amount * n, limit: limits[resource] ?? -1 })),
        used,
      );
      const rows = [];
      for (let i = 0; i < n; i++) {
        for (const [resource, amount] of Object.entries(perUnit)) {
          rows.push({ id: randomUUID(), service: this.scope, project_id: projectId, holder: `${key}:${i}`, resource, amount, pending: 1, created_at: dbNow(this.db.dialect) });
        }
      }
      if (rows.length > 0) await trx.insertInto('quota_claims').values(rows).execute();
      return n;
    });
    return { key, count: granted };
  }

  /** The claim's units now belong to `topIds` (in order); units beyond them are released. */
  async hold(claim: Claim, topIds: readonly string[]): Promise<void> {
    await inTransaction(this.db, async (trx) => {
      for (let i = 0; i < claim.count; i++) {
        const slot = `${claim.key}:${i}`;
        if (i < topIds.length) await trx.updateTable('quota_claims').set({ holder: topIds[i], pending: 0 }).where('holder', '=', slot).execute();
        else await trx.deleteFrom('quota_claims').where('holder', '=', slot).execute();
      }
    });
  }

  /** The create failed: the claim counts no more. */
  async release(claim: Claim): Promise<void> {
    await this.db.kysely.deleteFrom('quota_claims').where('service', '=', this.scope).where('holder', 'like', `${claim.key}:%`).execute();
  }

  /** A resource is gone (deleted): what it held counts no more. */
  async releaseHolder(topId: string): Promise<void> {
    await this.db.kysely.deleteFrom('quota_claims').where('service', '=', this.scope).where('holder', '=', topId).execute();
  }

  /** A held resource changed owner (a volume transfer): what it holds now counts for `projectId`. */
  async moveHolder(topId: string, projectId: string, trx: Trx | Db['kysely'] = this.db.kysely): Promise<void> {
    await trx.updateTable('quota_claims').set({ project_id: projectId }).where('service', '=', this.scope).where('holder', '=', topId).execute();
  }

  /**
   * Changes what a held resource counts to `amount` (a resize or an extend), under the project's quota
   * lock: growing past `limit` (negative: unlimited) throws QuotaExceeded with the growth as the
   * request. Returns what it counted before (0 for a resource that held nothing of it), so that a
   * change the pod then refuses can be undone with a second call.
   */
  async adjust(projectId: string, topId: string, resource: string, amount: number, limit = -1): Promise<number> {
    return inTransaction(this.db, async (trx) => {
      await lockProjectQuota(this.db, trx, this.scope, projectId);
      const before = (await this.heldIn(trx, topId)).counted[resource] ?? 0;
      await this.setIn(trx, projectId, topId, { [resource]: amount }, { [resource]: before }, { [resource]: limit });
      return before;
    });
  }

  /**
   * A change of what a held resource counts that may be undone later (a server resize, which a revert
   * takes back): under the project's quota lock, `topId` counts `amounts` from now on (growth past
   * `limits` throws QuotaExceeded naming every resource over), and what it counted before is kept
   * beside its claims, counting toward nothing, until `settleChange`. Returns the state before, for
   * `restore` when the pod refuses the change.
   */
  async change(projectId: string, topId: string, amounts: Readonly<Record<string, number>>, limits: Readonly<Record<string, number>>): Promise<HeldState> {
    return inTransaction(this.db, async (trx) => {
      await lockProjectQuota(this.db, trx, this.scope, projectId);
      const before = await this.heldIn(trx, topId);
      await this.setIn(trx, projectId, topId, amounts, before.counted, limits);
      await this.keepIn(trx, projectId, topId, pick(before.counted, Object.keys(amounts)));
      return before;
    });
  }

  /**
   * Ends a change made with `change`: `keep` drops what was kept (a confirm); `undo` counts the kept
   * amounts again, growth checked against `limits` as a change is (a revert). Returns the state
   * before, or undefined when nothing was kept (no change of this top's making is open).
   */
  async settleChange(projectId: string, topId: string, how: 'keep' | 'undo', limits: Readonly<Record<string, number>>): Promise<HeldState | undefined> {
    return inTransaction(this.db, async (trx) => {
      await lockProjectQuota(this.db, trx, this.scope, projectId);
      const before = await this.heldIn(trx, topId);
      if (!before.kept) return undefined;
      if (how === 'undo') await this.setIn(trx, projectId, topId, before.kept, before.counted, limits);
      await this.keepIn(trx, projectId, topId, undefined);
      return before;
    });
  }

  /** Puts a held resource back to `state` exactly (no limit applies: it counted so before). */
  async restore(projectId: string, topId: string, state: HeldState): Promise<void> {
    await inTransaction(this.db, async (trx) => {
      await lockProjectQuota(this.db, trx, this.scope, projectId);
      const now = await this.heldIn(trx, topId);
      // Rows of resources the change added go (the holder is left with the rows it had).
      const added = Object.keys(now.counted).filter((r) => !(r in state.counted));
      if (added.length > 0) await trx.deleteFrom('quota_claims').where('service', '=', this.scope).where('holder', '=', topId).where('resource', 'in', added).execute();
      await this.setIn(trx, projectId, topId, state.counted, now.counted, {});
      await this.keepIn(trx, projectId, topId, state.kept);
    });
  }

  /** What `topId` counts per resource, and what an open change kept. */
  private async heldIn(trx: Trx, topId: string): Promise<HeldState> {
    const rows = await trx.selectFrom('quota_claims').select(['resource', 'amount']).where('service', '=', this.scope).where('holder', '=', topId).execute();
    const counted: Record<string, number> = {};
    let kept: Record<string, number> | undefined;
    for (const r of rows) {
      const into = r.resource.startsWith(KEPT) ? (kept ??= {}) : counted;
      const resource = r.resource.startsWith(KEPT) ? r.resource.slice(KEPT.length) : r.resource;
      into[resource] = (into[resource] ?? 0) + Number(r.amount);
    }
    return { counted, kept };
  }

  /** Sets the counted amounts of `topId` (one row per resource), refusing growth past `limits`. */
  private async setIn(
    trx: Trx,
    projectId: string,
    topId: string,
    amounts: Readonly<Record<string, number>>,
    before: Readonly<Record<string, number>>,
    limits: Readonly<Record<string, number>>,
  ): Promise<void> {
    const growth = Object.entries(amounts).map(([resource, amount]) => ({ resource, amount: amount - (before[resource] ?? 0), limit: limits[resource] ?? -1 }));
    if (growth.some((d) => d.amount > 0 && d.limit >= 0)) checkDemands(growth, await this.usageIn(trx, projectId));
    const resources = Object.keys(amounts);
    if (resources.length === 0) return;
    await trx.deleteFrom('quota_claims').where('service', '=', this.scope).where('holder', '=', topId).where('resource', 'in', resources).execute();
    await trx
      .insertInto('quota_claims')
      .values(resources.map((resource) => this.heldRow(projectId, topId, resource, amounts[resource]!)))
      .execute();
  }

  /** Replaces what `topId` keeps for a later undo (undefined: nothing). */
  private async keepIn(trx: Trx, projectId: string, topId: string, kept: Readonly<Record<string, number>> | undefined): Promise<void> {
    await trx.deleteFrom('quota_claims').where('service', '=', this.scope).where('holder', '=', topId).where('resource', 'like', `${KEPT}%`).execute();
    const entries = Object.entries(kept ?? {});
    if (entries.length === 0) return;
    await trx
      .insertInto('quota_claims')
      .values(entries.map(([resource, amount]) => this.heldRow(projectId, topId, `${KEPT}${resource}`, amount)))
      .execute();
  }

  private heldRow(projectId: string, topId: string, resource: string, amount: number) {
    return { id: randomUUID(), service: this.scope, project_id: projectId, holder: topId, resource, amount, pending: 0, created_at: dbNow(this.db.dialect) };
  }

  /** The project's usage per resource, after releasing what deleted resources held. */
  async usage(projectId: string): Promise<Record<string, number>> {
    await this.sweep(projectId);
    return this.usageIn(this.db.kysely, projectId);
  }

  private async usageIn(trx: Trx | Db['kysely'], projectId: string): Promise<Record<string, number>> {
    const rows = await trx
      .selectFrom('quota_claims')
      .select(['resource', (eb) => eb.fn.sum<number | string>('amount').as('total')])
      .where('service', '=', this.scope)
      .where('project_id', '=', projectId)
      .where('resource', 'not like', `${KEPT}%`)
      .where((eb) => eb.or([eb('pending', '=', 0), eb('created_at', '>', eb(dbNow(this.db.dialect), '-', this.ttlMs))]))
      .groupBy('resource')
      .execute();
    return Object.fromEntries(rows.map((r) => [r.resource, Number(r.total)]));
  }

  /** Deletes pending claims past their lifetime and held claims whose resource has no routing entry. */
  private async sweep(projectId: string): Promise<void> {
    const base = () => this.db.kysely.deleteFrom('quota_claims').where('service', '=', this.scope).where('project_id', '=', projectId);
    await base()
      .where('pending', '=', 1)
      .where((eb) => eb('created_at', '<', eb(dbNow(this.db.dialect), '-', this.ttlMs)))
      .execute();
    const held = await this.db.kysely
      .selectFrom('quota_claims')
      .select('holder')
      .distinct()
      .where('service', '=', this.scope)
      .where('project_id', '=', projectId)
      .where('pending', '=', 0)
      .execute();
    if (held.length === 0) return;
    const holders = held.map((h) => h.holder);
    const alive = await this.opts.alive(holders);
    const gone = holders.filter((h) => !alive.has(h));
    for (let i = 0; i < gone.length; i += 500)
      await base()
        .where('holder', 'in', gone.slice(i, i + 500))
        .execute();
  }
}

function fits(perUnit: Readonly<Record<string, number>>, limits: Readonly<Record<string, number>>, used: Readonly<Record<string, number>>, n: number): boolean {
  try {
    checkDemands(
      Object.entries(perUnit).map(([resource, amount]) => ({ resource, amount: amount * n, limit: limits[resource] ?? -1 })),
      used,
    );
    return true;
  } catch (err) {
    if (err instanceof QuotaExceeded) return false;
    throw err;
  }
}

function pick(amounts: Readonly<Record<string, number>>, resources: readonly string[]): Record<string, number> {
  return Object.fromEntries(resources.map((r) => [r, amounts[r] ?? 0]));
}
