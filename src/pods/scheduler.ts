import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { badRequest } from '../common/index.js';
import { dbNow, inTransaction, type Db, type Trx } from '../db/index.js';
import { RoutingTable } from '../routing/index.js';
import { toPod, type Pod } from './podRegistry.js';

export interface ScheduleRequest {
  projectId: string;
  /** Top availability zone; empty or absent means any bottom pod. */
  azName?: string;
}

/** A pod that may receive the resource, with how many of the project's resources it already holds. */
export interface PodCandidate {
  pod: Pod;
  resources: number;
}

/** Picks one pod among eligible candidates (never empty). Pure and deterministic, so every process agrees. */
export interface PodChoicePolicy {
  choose(candidates: readonly PodCandidate[], request: ScheduleRequest): PodCandidate;
}

/** Default policy: the fewest of the project's resources, ties by region name. */
export const fewestResourcesPolicy: PodChoicePolicy = {
  choose(candidates) {
    return [...candidates].sort((a, b) => a.resources - b.resources || (a.pod.regionName < b.pod.regionName ? -1 : a.pod.regionName > b.pod.regionName ? 1 : 0))[0];
  },
};

export interface PodSchedulerOptions {
  policy?: PodChoicePolicy;
  /** Routing types counted as the project's resources in a pod. Default server and volume. */
  countedTypes?: readonly string[];
  /** Where the counts come from. Default: the routing table of `db`. */
  routings?: RoutingTable;
}

/** A bottom pod that may receive new resources: not the top pod, not disabled, not down. */
export const isSchedulable = (pod: Pod): boolean => pod.azName !== '' && !pod.disabled && pod.health !== 'down';

type Reader = Db['kysely'] | Trx;

/**
 * Chooses the bottom pod for a new server or volume and keeps the project's binding to it: the
 * current binding in the AZ when its pod can take resources, else a pod chosen by the policy,
 * which becomes the current binding (replacing one to a disabled or down pod). See docs/scheduling.md.
 */
export class PodScheduler {
  private readonly policy: PodChoicePolicy;
  private readonly countedTypes: readonly string[];
  private readonly routings: RoutingTable;

  constructor(
    private readonly db: Db,
    options: PodSchedulerOptions = {},
  ) {
    this.policy = options.policy ?? fewestResourcesPolicy;
    this.countedTypes = options.countedTypes ?? ['server', 'volume'];
    this.routings = options.routings ?? new RoutingTable(db);
  }

  async schedule(request: ScheduleRequest): Promise<Pod> {
    if (!request.projectId) throw badRequest('A project is required to schedule a resource');
    const azName = request.azName || undefined;
    // Fast path, no lock: a usable current binding.
    const bound = await this.boundPod(this.db.kysely, this.routings, request.projectId, azName);
    if (bound) return bound;
    // A unique violation means another scheduler bound the project first: a fresh read sees it.
    return inTransaction(this.db, (trx) => this.chooseAndBind(trx, request.projectId, azName, request), { retryUniqueViolation: true });
  }

  private async chooseAndBind(trx: Trx, projectId: string, azName: string | undefined, request: ScheduleRequest): Promise<Pod> {
    await this.lockBottomPods(trx);
    const routings = this.routings.in(trx);
    // Another scheduler may have bound the project while this one waited for the lock.
    const bound = await this.boundPod(trx, routings, projectId, azName);
    if (bound) return bound;

    let q = trx.selectFrom('pods').selectAll().where('az_name', '<>', '').where('disabled', '=', 0).where('health', '<>', 'down');
    if (azName !== undefined) q = q.where('az_name', '=', azName);
    const pods = (await q.orderBy('region_name').execute()).map(toPod);
    if (pods.length === 0) {
      throw badRequest(azName !== undefined ? `No available pod in availability zone ${azName}` : 'No bottom pod is available');
    }
    const chosen = this.policy.choose(await this.withCounts(routings, projectId, pods), request).pod;
    await this.makeCurrent(trx, projectId, chosen);
    return chosen;
  }

  /** The pod of the project's current binding that can take resources, in the AZ or in any AZ. */
  private async boundPod(db: Reader, routings: RoutingTable, projectId: string, azName: string | undefined): Promise<Pod | undefined> {
    let q = db
      .selectFrom('pod_bindings as b')
      .innerJoin('pods as p', 'p.id', 'b.pod_id')
      .selectAll('p')
      .where('b.project_id', '=', projectId)
      .where('b.is_current', '=', 1)
      .where('p.az_name', '<>', '');
    if (azName !== undefined) q = q.where('p.az_name', '=', azName);
    const pods = (await q.execute()).map(toPod).filter(isSchedulable);
    if (pods.length === 0) return undefined;
    if (pods.length === 1) return pods[0];
    return this.policy.choose(await this.withCounts(routings, projectId, pods), { projectId, azName }).pod;
  }

  /** The pods with the project's resources in each, intents of creates under way included. */
  private async withCounts(routings: RoutingTable, projectId: string, pods: Pod[]): Promise<PodCandidate[]> {
    const counts = await routings.countsByPod(
      projectId,
      this.countedTypes,
      pods.map((p) => p.id),
    );
    return pods.map((pod) => ({ pod, resources: counts.get(pod.id) ?? 0 }));
  }

  /**
   * Serialises first-time scheduling: every scheduler that has to write a binding first locks the
   * bottom pod rows (in id order, so lockers never deadlock each other); SQLite takes its single
   * write lock. Held only for the few statements of the choice, never during a pod call.
   */
  private async lockBottomPods(trx: Trx): Promise<void> {
    if (this.db.dialect === 'sqlite') {
      await trx.updateTable('pods').set({ updated_at: sql<number>`updated_at` }).where('az_name', '<>', '').execute();
      return;
    }
    await trx.selectFrom('pods').select('id').where('az_name', '<>', '').orderBy('id').forUpdate().execute();
  }

  /** The project's bindings in the pod's AZ stop being current; the one to `pod` becomes current. */
  private async makeCurrent(trx: Trx, projectId: string, pod: Pod): Promise<void> {
    const now = dbNow(this.db.dialect);
    const sameAz = trx.selectFrom('pods').select('id').where('az_name', '=', pod.azName);
    await trx
      .updateTable('pod_bindings')
      .set({ is_current: 0, updated_at: now })
      .where('project_id', '=', projectId)
      .where('is_current', '=', 1)
      .where('pod_id', '<>', pod.id)
      .where('pod_id', 'in', sameAz)
      .execute();
    const existing = await trx.selectFrom('pod_bindings').select('id').where('project_id', '=', projectId).where('pod_id', '=', pod.id).executeTakeFirst();
    if (existing) {
      await trx.updateTable('pod_bindings').set({ is_current: 1, updated_at: now }).where('id', '=', existing.id).execute();
    } else {
      await trx.insertInto('pod_bindings').values({ id: randomUUID(), project_id: projectId, pod_id: pod.id, is_current: 1, created_at: now, updated_at: now }).execute();
    }
  }
}
