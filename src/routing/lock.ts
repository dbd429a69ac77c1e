import { sql, type RawBuilder } from 'kysely';
import { ApiError, type Logger } from '../common/index.js';
import { dbNow, isTransientError, isUniqueViolation, type Db } from '../db/index.js';
import { insertRow } from './rows.js';

/** No routing entry could be made for the resource (HTTP 503). */
export class RoutingCreateFail extends ApiError {
  constructor(resourceType: string, topId: string) {
    super(503, `Failed to create the ${resourceType} routing entry for ${topId}.`, 'RoutingCreateFail');
    this.name = 'RoutingCreateFail';
  }
}

/** A routing entry exists but no bottom resource could be bound to it (HTTP 503). */
export class RoutingBindFail extends ApiError {
  constructor(resourceType: string, topId: string) {
    super(503, `Failed to bind top and bottom ${resourceType} for ${topId}.`, 'RoutingBindFail');
    this.name = 'RoutingBindFail';
  }
}

export interface GetOrCreateBottomInput {
  topId: string;
  podId: string;
  projectId: string;
  resourceType: string;
  /** Creates the bottom resource (named so findByName can find it); returns its id. */
  create: () => Promise<string>;
  /** Looks for a bottom resource a crashed creator left behind. */
  findByName: () => Promise<string | undefined>;
  /** Called, best effort, with the id of a bottom resource made twice when a stalled creator lost its route. */
  discard?: (bottomId: string) => Promise<void>;
  /** An incomplete route is abandoned when not refreshed for this long (database clock). Default 30 s. */
  expireMs?: number;
  /** Lost races (insert conflicts, recoveries) tolerated before giving up. Default 5. */
  attempts?: number;
  /**
   * Longest wait for another caller's create to finish. Its claim stays young while it works, so
   * this only bounds a creator that hangs. Default 120 s (twice the default pod timeout).
   */
  maxWaitMs?: number;
}

export interface GetOrCreateBottomResult {
  bottomId: string;
  /** True only for the caller whose create() made the resource. */
  created: boolean;
}

interface RouteState {
  id: number;
  bottomId: string | null;
  /** Not refreshed for expireMs, by the database clock. */
  expired: boolean;
}

type Key = { topId: string; podId: string; resourceType: string };

/**
 * The routing table as a lock for bottom resources made on first use. A route with a null bottom_id
 * is the creator's claim; the unique key (top_id, pod_id, resource_type) makes one caller the
 * creator, the others wait for its bottom id. The creator refreshes its claim while create() runs,
 * so a claim that stops being refreshed for expireMs belongs to a crashed process and is recovered
 * by name. All times are read from the database clock, so processes on skewed hosts agree.
 */
export class RoutingLock {
  constructor(
    private readonly db: Db,
    private readonly logger?: Logger,
  ) {}

  async getOrCreateBottom(input: GetOrCreateBottomInput): Promise<GetOrCreateBottomResult> {
    const expireMs = input.expireMs ?? 30_000;
    const attempts = input.attempts ?? 5;
    const waitUntil = Date.now() + (input.maxWaitMs ?? 120_000);
    let lost = 0;
    let waits = 0;
    while (lost < attempts) {
      const route = await this.read(input, expireMs);
      if (route?.bottomId) return { bottomId: route.bottomId, created: false };
      if (!route) {
        const ownId = await this.claim(input);
        if (ownId !== undefined) return this.createAsOwner(ownId, input, expireMs, attempts);
        lost++;
        continue;
      }
      if (!route.expired) {
        if (Date.now() >= waitUntil) throw new RoutingBindFail(input.resourceType, input.topId);
        await sleep(backoff(waits++));
        continue;
      }
      const found = await input.findByName();
      if (found !== undefined) {
        if (await this.bind(route.id, found, expireMs)) {
          this.logger?.info({ ...logKey(input), bottomId: found }, 'adopted a bottom resource left by an abandoned routing entry');
          return { bottomId: found, created: false };
        }
      } else if (await this.removeStale(route.id, expireMs)) {
        this.logger?.info(logKey(input), 'removed an abandoned routing entry');
      }
      lost++;
    }
    const last = await this.read(input, expireMs);
    if (last?.bottomId) return { bottomId: last.bottomId, created: false };
    throw last ? new RoutingBindFail(input.resourceType, input.topId) : new RoutingCreateFail(input.resourceType, input.topId);
  }

  /**
   * Marks the route incomplete and abandoned now, so the next getOrCreateBottom re-checks the pod
   * (adopting the resource found by name, or creating it again). False when there is no such route.
   */
  async forceRedo(topId: string, podId: string, resourceType: string): Promise<boolean> {
    const result = await this.db.kysely
      .updateTable('resource_routings')
      .set({ bottom_id: null, updated_at: 0 })
      .where('top_id', '=', topId)
      .where('pod_id', '=', podId)
      .where('resource_type', '=', resourceType)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  private async createAsOwner(routeId: number, input: GetOrCreateBottomInput, expireMs: number, attempts: number): Promise<GetOrCreateBottomResult> {
    const heartbeat = setInterval(
      () => {
        this.touch(routeId).catch((err: unknown) => this.logger?.warn({ err, ...logKey(input) }, 'could not refresh a routing claim'));
      },
      Math.max(10, Math.floor(expireMs / 3)),
    );
    heartbeat.unref();
    let bottomId: string;
    try {
      bottomId = await input.create();
    } catch (err) {
      clearInterval(heartbeat);
      await this.release(routeId).catch((e: unknown) => this.logger?.error({ err: e, ...logKey(input) }, 'could not remove a routing claim after a failed create'));
      throw err;
    }
    clearInterval(heartbeat);
    if (await this.bind(routeId, bottomId)) return { bottomId, created: true };
    return this.settleAfterStall(input, bottomId, attempts);
  }

  /**
   * The claim was taken over while create() ran (this process stalled past expireMs). Bind the new
   * resource to whatever route is there now, or yield to one already bound.
   */
  private async settleAfterStall(input: GetOrCreateBottomInput, bottomId: string, attempts: number): Promise<GetOrCreateBottomResult> {
    for (let i = 0; i < attempts; i++) {
      const route = await this.read(input, 0);
      if (!route) {
        if ((await this.claim(input, bottomId)) !== undefined) return { bottomId, created: true };
      } else if (route.bottomId === null) {
        if (await this.bind(route.id, bottomId)) return { bottomId, created: true };
      } else if (route.bottomId === bottomId) {
        return { bottomId, created: true };
      } else {
        this.logger?.warn({ ...logKey(input), duplicate: bottomId, bottomId: route.bottomId }, 'a bottom resource was created twice; keeping the routed one');
        await input.discard?.(bottomId).catch((err: unknown) => this.logger?.error({ err, ...logKey(input), duplicate: bottomId }, 'could not remove a duplicate bottom resource'));
        return { bottomId: route.bottomId, created: false };
      }
    }
    throw new RoutingBindFail(input.resourceType, input.topId);
  }

  private async read(key: Key, expireMs: number): Promise<RouteState | undefined> {
    const row = await this.db.kysely
      .selectFrom('resource_routings')
      .select(['id', 'bottom_id'])
      .select(sql<number>`case when updated_at <= ${this.expiredBefore(expireMs)} then 1 else 0 end`.as('expired'))
      .where('top_id', '=', key.topId)
      .where('pod_id', '=', key.podId)
      .where('resource_type', '=', key.resourceType)
      .executeTakeFirst();
    return row ? { id: Number(row.id), bottomId: row.bottom_id, expired: Number(row.expired) === 1 } : undefined;
  }

  /** Inserts the route (incomplete unless bottomId is given); undefined when another caller has one. */
  private async claim(input: GetOrCreateBottomInput, bottomId: string | null = null): Promise<number | undefined> {
    const now = dbNow(this.db.dialect);
    const values = {
      top_id: input.topId,
      bottom_id: bottomId,
      pod_id: input.podId,
      project_id: input.projectId,
      resource_type: input.resourceType,
      created_at: now,
      updated_at: now,
    };
    try {
      return await insertRow(this.db.kysely, this.db.dialect, values);
    } catch (err) {
      if (isUniqueViolation(err) || isTransientError(err)) return undefined;
      throw err;
    }
  }

  /** Sets the bottom id if the route is still incomplete (and, with expireMs, still abandoned). */
  private async bind(routeId: number, bottomId: string, expireMs?: number): Promise<boolean> {
    let q = this.db.kysely
      .updateTable('resource_routings')
      .set({ bottom_id: bottomId, updated_at: dbNow(this.db.dialect) })
      .where('id', '=', routeId)
      .where('bottom_id', 'is', null);
    if (expireMs !== undefined) q = q.where('updated_at', '<=', this.expiredBefore(expireMs));
    try {
      return Number((await q.executeTakeFirst()).numUpdatedRows) > 0;
    } catch (err) {
      if (isTransientError(err)) return false;
      throw err;
    }
  }

  private async removeStale(routeId: number, expireMs: number): Promise<boolean> {
    try {
      const result = await this.db.kysely
        .deleteFrom('resource_routings')
        .where('id', '=', routeId)
        .where('bottom_id', 'is', null)
        .where('updated_at', '<=', this.expiredBefore(expireMs))
        .executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    } catch (err) {
      if (isTransientError(err)) return false;
      throw err;
    }
  }

  private async release(routeId: number): Promise<void> {
    await this.db.kysely.deleteFrom('resource_routings').where('id', '=', routeId).where('bottom_id', 'is', null).execute();
  }

  private async touch(routeId: number): Promise<void> {
    await this.db.kysely
      .updateTable('resource_routings')
      .set({ updated_at: dbNow(this.db.dialect) })
      .where('id', '=', routeId)
      .where('bottom_id', 'is', null)
      .execute();
  }

  private expiredBefore(expireMs: number): RawBuilder<number> {
    return sql<number>`(${dbNow(this.db.dialect)} - ${Math.max(0, Math.floor(expireMs))})`;
  }
}

/** 20 ms growing to 500 ms, each scaled by a random factor in [0.5, 1.5) so waiters spread out. */
function backoff(n: number): number {
  return Math.min(500, 20 * 1.5 ** n) * (0.5 + Math.random());
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const logKey = (k: Key) => ({ topId: k.topId, podId: k.podId, resourceType: k.resourceType });
