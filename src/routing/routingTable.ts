import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import { badRequest, conflict, notFound } from '../common/index.js';
import { dbNow, inTransaction, isForeignKeyViolation, isUniqueViolation, type Database, type Db, type Trx } from '../db/index.js';
import { INTENT_TOP_PREFIX, parseIntent, serializeIntent, type IntentInput, type RoutingIntent } from './intent.js';
import { chunks, insertRow, insertUnlessRouted, toRouting, type Routing } from './rows.js';

export interface RoutingFilter {
  id?: number;
  topId?: string;
  bottomId?: string;
  podId?: string;
  projectId?: string;
  resourceType?: string;
  createdAt?: number;
  updatedAt?: number;
}

/** A row as it was read: conditional writes apply only if it has not changed since. */
type SeenRow = Pick<Routing, 'id' | 'bottomId'>;
type SeenClaim = Pick<Routing, 'id' | 'updatedAt'>;

/**
 * resource_routings: where each top resource lives in the pods, the only cross-pod state, and the
 * only way to it. `in(trx)` gives the same API inside a caller's transaction.
 *
 * A row without a bottom id is a resource being made: a claim of the get-or-create lock
 * (RoutingLock) or a gateway's intent (see intent.ts). Both count wherever a project's resources
 * are counted (scheduling); lookups that need a copy say "complete".
 */
export class RoutingTable {
  private readonly q: Kysely<Database>;

  constructor(
    private readonly db: Db,
    executor?: Kysely<Database>,
  ) {
    this.q = executor ?? db.kysely;
  }

  /**
   * This table inside a caller's transaction: every method runs its statements in `trx`. Code that
   * holds either a transaction or the database's own handle may pass what it has; it must be a
   * handle on this table's database.
   */
  in(trx: Trx | Kysely<Database>): RoutingTable {
    return new RoutingTable(this.db, trx);
  }

  // --- rows by id (the Admin API) -------------------------------------------------------------

  /** Rows in id order after `afterId`, at most `limit`. */
  async list(filter: RoutingFilter, page: { limit?: number; afterId?: number } = {}): Promise<Routing[]> {
    let q = this.q.selectFrom('resource_routings').selectAll().orderBy('id');
    if (filter.id !== undefined) q = q.where('id', '=', filter.id);
    if (filter.topId !== undefined) q = q.where('top_id', '=', filter.topId);
    if (filter.bottomId !== undefined) q = q.where('bottom_id', '=', filter.bottomId);
    if (filter.podId !== undefined) q = q.where('pod_id', '=', filter.podId);
    if (filter.projectId !== undefined) q = q.where('project_id', '=', filter.projectId);
    if (filter.resourceType !== undefined) q = q.where('resource_type', '=', filter.resourceType);
    if (filter.createdAt !== undefined) q = q.where('created_at', '=', filter.createdAt);
    if (filter.updatedAt !== undefined) q = q.where('updated_at', '=', filter.updatedAt);
    if (page.afterId !== undefined) q = q.where('id', '>', page.afterId);
    if (page.limit !== undefined) q = q.limit(page.limit);
    return (await q.execute()).map(toRouting);
  }

  async find(id: number): Promise<Routing | undefined> {
    const row = await this.q.selectFrom('resource_routings').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toRouting(row) : undefined;
  }

  async get(id: number): Promise<Routing> {
    const routing = await this.find(id);
    if (!routing) throw notFound(`Routing ${id} could not be found.`);
    return routing;
  }

  async create(input: { topId: string; bottomId: string | null; podId: string; projectId: string; resourceType: string }): Promise<Routing> {
    try {
      const now = dbNow(this.db.dialect);
      const id = await insertRow(this.q, this.db.dialect, {
        top_id: input.topId,
        bottom_id: input.bottomId,
        pod_id: input.podId,
        project_id: input.projectId,
        resource_type: input.resourceType,
        created_at: now,
        updated_at: now,
      });
      return await this.get(id);
    } catch (err) {
      if (isUniqueViolation(err)) throw conflict(`A routing for ${input.resourceType} ${input.topId} in pod ${input.podId} already exists`);
      if (isForeignKeyViolation(err)) throw badRequest(`Pod ${input.podId} could not be found.`);
      throw err;
    }
  }

  async update(id: number, patch: Partial<{ topId: string; bottomId: string | null; podId: string; projectId: string; resourceType: string }>): Promise<Routing> {
    await this.get(id);
    try {
      await this.q
        .updateTable('resource_routings')
        .set({
          ...(patch.topId !== undefined ? { top_id: patch.topId } : {}),
          ...(patch.bottomId !== undefined ? { bottom_id: patch.bottomId } : {}),
          ...(patch.podId !== undefined ? { pod_id: patch.podId } : {}),
          ...(patch.projectId !== undefined ? { project_id: patch.projectId } : {}),
          ...(patch.resourceType !== undefined ? { resource_type: patch.resourceType } : {}),
          updated_at: dbNow(this.db.dialect),
        })
        .where('id', '=', id)
        .execute();
    } catch (err) {
      if (isUniqueViolation(err)) throw conflict('Another routing already maps that top id in that pod');
      if (isForeignKeyViolation(err)) throw badRequest(`Pod ${patch.podId} could not be found.`);
      throw err;
    }
    return this.get(id);
  }

  /** Deletes a row; 404 when there is none. */
  async delete(id: number): Promise<void> {
    await this.get(id);
    await this.q.deleteFrom('resource_routings').where('id', '=', id).execute();
  }

  /** Deletes a row if it is still there; false when another caller removed it first. */
  async deleteIfExists(id: number): Promise<boolean> {
    const result = await this.q.deleteFrom('resource_routings').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** Deletes a row if it still has the bottom id it was read with; false when it changed or is gone. */
  async deleteIfUnchanged(row: SeenRow): Promise<boolean> {
    let q = this.q.deleteFrom('resource_routings').where('id', '=', row.id);
    q = row.bottomId === null ? q.where('bottom_id', 'is', null) : q.where('bottom_id', '=', row.bottomId);
    return Number((await q.executeTakeFirst()).numDeletedRows) > 0;
  }

  // --- by top id ----------------------------------------------------------------------------------

  /** The routes of a top resource in every pod (servers and volumes live in exactly one). */
  async findByTop(topId: string, resourceType: string, projectId?: string): Promise<Routing[]> {
    let q = this.q.selectFrom('resource_routings').selectAll().where('top_id', '=', topId).where('resource_type', '=', resourceType);
    if (projectId !== undefined) q = q.where('project_id', '=', projectId);
    return (await q.orderBy('id').execute()).map(toRouting);
  }

  /**
   * The routes of many top resources of one type, in id order (creation order); narrowed to a pod,
   * a project, or complete routes (with a bottom id) when asked.
   */
  async findByTops(resourceType: string, topIds: readonly string[], opts: { podId?: string; projectId?: string; complete?: boolean } = {}): Promise<Routing[]> {
    const out: Routing[] = [];
    for (const ids of chunks(topIds)) {
      let q = this.q.selectFrom('resource_routings').selectAll().where('resource_type', '=', resourceType).where('top_id', 'in', ids);
      if (opts.podId !== undefined) q = q.where('pod_id', '=', opts.podId);
      if (opts.projectId !== undefined) q = q.where('project_id', '=', opts.projectId);
      if (opts.complete) q = q.where('bottom_id', 'is not', null);
      out.push(...(await q.execute()).map(toRouting));
    }
    return out.sort((a, b) => a.id - b.id);
  }

  /** The bottom id of a top resource's copy in a pod; undefined when there is no complete route. */
  async bottomIdOf(resourceType: string, topId: string, podId: string): Promise<string | undefined> {
    const row = await this.q
      .selectFrom('resource_routings')
      .select('bottom_id')
      .where('top_id', '=', topId)
      .where('pod_id', '=', podId)
      .where('resource_type', '=', resourceType)
      .executeTakeFirst();
    return row?.bottom_id ?? undefined;
  }

  /** For each top id, the pods holding a complete copy, in the order the copies were made. */
  async podsOfCopies(resourceType: string, topIds: readonly string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    for (const r of await this.findByTops(resourceType, topIds, { complete: true })) out.set(r.topId, [...(out.get(r.topId) ?? []), r.podId]);
    return out;
  }

  /**
   * For each top id, the availability zones of the bottom pods holding a complete copy (sorted,
   * distinct; the top pod has no AZ and never appears). Top ids without copies are absent.
   */
  async availabilityZonesOfCopies(resourceType: string, topIds: readonly string[]): Promise<Map<string, string[]>> {
    const zones = new Map<string, Set<string>>();
    for (const ids of chunks(topIds)) {
      const rows = await this.q
        .selectFrom('resource_routings as r')
        .innerJoin('pods as p', 'p.id', 'r.pod_id')
        .select(['r.top_id as top_id', 'p.az_name as az_name'])
        .where('r.resource_type', '=', resourceType)
        .where('r.top_id', 'in', ids)
        .where('r.bottom_id', 'is not', null)
        .where('p.az_name', '<>', '')
        .execute();
      for (const r of rows) zones.set(r.top_id, (zones.get(r.top_id) ?? new Set()).add(r.az_name));
    }
    return new Map([...zones].map(([top, set]) => [top, [...set].sort()]));
  }

  /** Which of `topIds` have a route in the pod, complete or being made. */
  async topIdsRoutedInPod(resourceType: string, podId: string, topIds: readonly string[]): Promise<Set<string>> {
    const out = new Set<string>();
    for (const ids of chunks(topIds)) {
      const rows = await this.q
        .selectFrom('resource_routings')
        .select('top_id')
        .where('resource_type', '=', resourceType)
        .where('pod_id', '=', podId)
        .where('top_id', 'in', ids)
        .execute();
      for (const r of rows) out.add(r.top_id);
    }
    return out;
  }

  /**
   * A subquery of the top ids of a type with a row (complete or not) in a pod, for a caller's query
   * on its own tables (`where('subnets.id', 'in', routings.topIdsInPodQuery('subnet', podId))`): one
   * statement, compiled into the caller's, which runs it on its own handle.
   */
  topIdsInPodQuery(resourceType: string, podId: string) {
    return this.q
      .selectFrom('resource_routings')
      .select('resource_routings.top_id')
      .where('resource_routings.resource_type', '=', resourceType)
      .where('resource_routings.pod_id', '=', podId);
  }

  /** Deletes the routes of top resources (in one pod when given); returns how many went. */
  async deleteByTop(resourceType: string, topIds: readonly string[], opts: { podId?: string } = {}): Promise<number> {
    let deleted = 0;
    for (const ids of chunks(topIds)) {
      let q = this.q.deleteFrom('resource_routings').where('resource_type', '=', resourceType).where('top_id', 'in', ids);
      if (opts.podId !== undefined) q = q.where('pod_id', '=', opts.podId);
      deleted += Number((await q.executeTakeFirst()).numDeletedRows);
    }
    return deleted;
  }

  /**
   * Deletes, in one statement, the rows in a pod of several groups of top resources (a network's
   * copy with its subnets' copies); returns how many went. Groups with more ids than a chunk are
   * sent in further statements.
   */
  async deleteInPod(podId: string, groups: readonly { resourceType: string; topIds: readonly string[] }[]): Promise<number> {
    const parts = groups.flatMap((g) => chunks(g.topIds).map((ids) => ({ resourceType: g.resourceType, ids })));
    let deleted = 0;
    for (let i = 0; i < parts.length; i += 2) {
      const batch = parts.slice(i, i + 2);
      const result = await this.q
        .deleteFrom('resource_routings')
        .where('pod_id', '=', podId)
        .where((eb) => eb.or(batch.map((p) => eb.and([eb('resource_type', '=', p.resourceType), eb('top_id', 'in', p.ids)]))))
        .executeTakeFirst();
      deleted += Number(result.numDeletedRows);
    }
    return deleted;
  }

  // --- by bottom id -------------------------------------------------------------------------------

  /**
   * Per pod, the top id of each routed bottom id of the given types (restricted to `bottomIds` when
   * given). Bottom ids are the pods' UUIDs, so several types can share one map.
   */
  async topIdsByBottom(filter: { resourceTypes: readonly string[]; podIds: readonly string[]; bottomIds?: readonly string[] }): Promise<Map<string, Map<string, string>>> {
    const out = new Map<string, Map<string, string>>();
    if (filter.resourceTypes.length === 0 || filter.podIds.length === 0) return out;
    const base = () =>
      this.q
        .selectFrom('resource_routings')
        .select(['top_id', 'bottom_id', 'pod_id'])
        .where('resource_type', 'in', [...new Set(filter.resourceTypes)])
        .where('pod_id', 'in', [...new Set(filter.podIds)])
        .where('bottom_id', 'is not', null);
    const batches = filter.bottomIds === undefined ? [base()] : chunks(filter.bottomIds).map((ids) => base().where('bottom_id', 'in', ids));
    for (const q of batches) {
      for (const r of await q.execute()) {
        let map = out.get(r.pod_id);
        if (!map) out.set(r.pod_id, (map = new Map()));
        map.set(r.bottom_id!, r.top_id);
      }
    }
    return out;
  }

  /** Whether a pod's resource is already the copy of some top resource of the type. */
  async isBottomRouted(resourceType: string, podId: string, bottomId: string): Promise<boolean> {
    const row = await this.q
      .selectFrom('resource_routings')
      .select('id')
      .where('bottom_id', '=', bottomId)
      .where('pod_id', '=', podId)
      .where('resource_type', '=', resourceType)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Deletes the routes pointing at a pod's resource (after it was deleted there); returns how many went. */
  async deleteByBottom(resourceType: string, podId: string, bottomId: string): Promise<number> {
    const result = await this.q
      .deleteFrom('resource_routings')
      .where('bottom_id', '=', bottomId)
      .where('pod_id', '=', podId)
      .where('resource_type', '=', resourceType)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  // --- by pod and project -------------------------------------------------------------------------

  /** How many routes of any type point at the pod. */
  async countInPod(podId: string): Promise<number> {
    const row = await this.q
      .selectFrom('resource_routings')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('pod_id', '=', podId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Per pod, how many of the project's resources of the given types it holds or is receiving; pods with none are absent. */
  async countsByPod(projectId: string, resourceTypes: readonly string[], podIds: readonly string[]): Promise<Map<string, number>> {
    if (resourceTypes.length === 0 || podIds.length === 0) return new Map();
    const rows = await this.q
      .selectFrom('resource_routings')
      .select(['pod_id', (eb) => eb.fn.countAll<number | string>().as('n')])
      .where('project_id', '=', projectId)
      .where('resource_type', 'in', [...new Set(resourceTypes)])
      .where('pod_id', 'in', [...new Set(podIds)])
      .groupBy('pod_id')
      .execute();
    return new Map(rows.map((r) => [r.pod_id, Number(r.n)]));
  }

  /** The pods holding (or receiving) resources of a type, of one project or of all; sorted. */
  async podIdsHolding(resourceType: string, opts: { projectId?: string } = {}): Promise<string[]> {
    // A skip scan: one index probe per pod found ((project_id, resource_type, pod_id) or
    // (resource_type, pod_id)), instead of a DISTINCT that reads every row of the tenant's type
    // (6 ms at 100k rows, bench/routing-table.ts).
    const out: string[] = [];
    for (;;) {
      let q = this.q.selectFrom('resource_routings').select('pod_id').where('resource_type', '=', resourceType);
      if (opts.projectId !== undefined) q = q.where('project_id', '=', opts.projectId);
      if (out.length > 0) q = q.where('pod_id', '>', out[out.length - 1]);
      const row = await q.orderBy('pod_id').limit(1).executeTakeFirst();
      if (!row) return out.sort();
      out.push(row.pod_id);
    }
  }

  /** Every route of the project, and every route of `alsoTopIds` whatever its project; in id order. */
  async routesOfProject(projectId: string, opts: { alsoTopIds?: readonly string[] } = {}): Promise<Routing[]> {
    // One statement for the project and the first chunk of top ids; more only past a chunk.
    const [first = [], ...rest] = chunks(opts.alsoTopIds ?? []);
    const byId = new Map<number, Routing>();
    const own = await this.q
      .selectFrom('resource_routings')
      .selectAll()
      .where((eb) => (first.length ? eb.or([eb('project_id', '=', projectId), eb('top_id', 'in', first)]) : eb('project_id', '=', projectId)))
      .execute();
    for (const r of own.map(toRouting)) byId.set(r.id, r);
    for (const ids of rest) {
      for (const r of (await this.q.selectFrom('resource_routings').selectAll().where('top_id', 'in', ids).execute()).map(toRouting)) byId.set(r.id, r);
    }
    return [...byId.values()].sort((a, b) => a.id - b.id);
  }

  /** The projects that have routes of the given types; sorted. */
  async projectsWithRoutes(resourceTypes: readonly string[]): Promise<string[]> {
    if (resourceTypes.length === 0) return [];
    const rows = await this.q
      .selectFrom('resource_routings')
      .select('project_id')
      .distinct()
      .where('resource_type', 'in', [...new Set(resourceTypes)])
      .execute();
    return rows.map((r) => r.project_id).sort();
  }

  // --- claims of the get-or-create lock -----------------------------------------------------------

  /** Lock claims (incomplete rows that are not intents) of the project not refreshed for `olderThanMs` (database clock). */
  async staleClaims(projectId: string, olderThanMs: number): Promise<Routing[]> {
    const rows = await this.q
      .selectFrom('resource_routings')
      .selectAll()
      .where('project_id', '=', projectId)
      .where('bottom_id', 'is', null)
      .where('intent', 'is', null)
      .where('updated_at', '<=', this.msAgo(olderThanMs))
      .orderBy('id')
      .execute();
    return rows.map(toRouting);
  }

  /** Completes a claim with a bottom id, if nobody completed, refreshed or removed it since it was read. */
  async completeClaim(claim: SeenClaim, bottomId: string): Promise<boolean> {
    const result = await this.q
      .updateTable('resource_routings')
      .set({ bottom_id: bottomId, updated_at: dbNow(this.db.dialect) })
      .where('id', '=', claim.id)
      .where('bottom_id', 'is', null)
      .where('updated_at', '=', claim.updatedAt)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Removes a claim, if nobody completed, refreshed or removed it since it was read. */
  async deleteClaim(claim: SeenClaim): Promise<boolean> {
    const result = await this.q
      .deleteFrom('resource_routings')
      .where('id', '=', claim.id)
      .where('bottom_id', 'is', null)
      .where('updated_at', '=', claim.updatedAt)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  // --- intents of the gateways ----------------------------------------------------------------------

  /**
   * Records, before the pod is asked to create a server or volume, that it is being asked: a row
   * with no bottom id (counted by the scheduler like the resource itself) carrying what a repair
   * needs to find the resource in the pod should the caller never complete the intent.
   */
  async recordIntent(input: IntentInput): Promise<RoutingIntent> {
    const now = dbNow(this.db.dialect);
    try {
      const id = await insertRow(this.q, this.db.dialect, {
        top_id: `${INTENT_TOP_PREFIX}${randomUUID()}`,
        bottom_id: null,
        pod_id: input.podId,
        project_id: input.projectId,
        resource_type: input.resourceType,
        intent: serializeIntent(input),
        created_at: now,
        updated_at: now,
      });
      const intent = await this.findIntent(id);
      if (!intent) throw new Error(`intent ${id} vanished after its insert`);
      return intent;
    } catch (err) {
      if (isForeignKeyViolation(err)) throw badRequest(`Pod ${input.podId} could not be found.`);
      throw err;
    }
  }

  /** The intent of a routing row, or undefined when the row is gone or is no intent. */
  async findIntent(id: number): Promise<RoutingIntent | undefined> {
    const row = await this.q.selectFrom('resource_routings').selectAll().where('id', '=', id).where('intent', 'is not', null).where('bottom_id', 'is', null).executeTakeFirst();
    return row ? parseIntent(row) : undefined;
  }

  /**
   * Replaces the intent by the routes of what the pod made (`topId` = `bottomId` for servers and
   * volumes), atomically. Idempotent, and also right when the intent is already gone: a repair that
   * completed it leaves the same routes, one that dropped it (nothing in the pod yet) is corrected.
   */
  async completeIntent(intent: RoutingIntent, resources: readonly { topId: string; bottomId: string }[]): Promise<Routing[]> {
    if (resources.length === 0) throw new Error('completeIntent needs at least one resource; use dropIntent');
    if (!this.q.isTransaction) return inTransaction(this.db, (trx) => this.in(trx).completeIntent(intent, resources));
    await this.q.deleteFrom('resource_routings').where('id', '=', intent.id).where('intent', 'is not', null).where('bottom_id', 'is', null).execute();
    const now = dbNow(this.db.dialect);
    await insertUnlessRouted(
      this.q,
      this.db.dialect,
      resources.map((r) => ({
        top_id: r.topId,
        bottom_id: r.bottomId,
        pod_id: intent.podId,
        project_id: intent.projectId,
        resource_type: intent.resourceType,
        created_at: now,
        updated_at: now,
      })),
    );
    return this.findByTops(
      intent.resourceType,
      resources.map((r) => r.topId),
      { podId: intent.podId },
    );
  }

  /** Drops an intent the pod refused (or a repair found nothing for); false when it is already gone. */
  async dropIntent(intent: Pick<RoutingIntent, 'id'>): Promise<boolean> {
    const result = await this.q.deleteFrom('resource_routings').where('id', '=', intent.id).where('intent', 'is not', null).where('bottom_id', 'is', null).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** Intents older than `olderThanMs` by the database clock, oldest first: their callers are gone or gave up. */
  async staleIntents(opts: { olderThanMs: number; resourceTypes?: readonly string[]; projectId?: string; limit?: number }): Promise<RoutingIntent[]> {
    let q = this.q
      .selectFrom('resource_routings')
      .selectAll()
      .where('bottom_id', 'is', null)
      .where('intent', 'is not', null)
      .where('created_at', '<=', this.msAgo(opts.olderThanMs));
    if (opts.resourceTypes !== undefined) q = q.where('resource_type', 'in', opts.resourceTypes.length ? [...opts.resourceTypes] : ['']);
    if (opts.projectId !== undefined) q = q.where('project_id', '=', opts.projectId);
    const rows = await q
      .orderBy('id')
      .limit(opts.limit ?? 100)
      .execute();
    return rows.map(parseIntent);
  }

  private msAgo(ms: number): RawBuilder<number> {
    return sql<number>`(${dbNow(this.db.dialect)} - ${Math.max(0, Math.floor(ms))})`;
  }
}
