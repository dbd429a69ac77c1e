import { badRequest, conflict, notFound } from '../common/errors.js';
import { dbNow, isForeignKeyViolation, isUniqueViolation, type Db, type ResourceRoutingsTable } from '../db/index.js';
import type { Selectable } from 'kysely';

export const RESOURCE_TYPES = [
  'network',
  'subnet',
  'port',
  'router',
  'security_group',
  'floatingip',
  'subnetpool',
  'server',
  'volume',
  'keypair',
  'flavor',
  'volume_type',
] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];

export interface Routing {
  id: number;
  topId: string;
  /** Null while the bottom resource is being created (the row then acts as a lock). */
  bottomId: string | null;
  podId: string;
  projectId: string;
  resourceType: string;
  createdAt: number;
  updatedAt: number;
}

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

export function toRouting(row: Selectable<ResourceRoutingsTable>): Routing {
  return {
    id: Number(row.id),
    topId: row.top_id,
    bottomId: row.bottom_id,
    podId: row.pod_id,
    projectId: row.project_id,
    resourceType: row.resource_type,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

/** resource_routings: where each top resource lives in the pods. The only cross-pod state. */
export class RoutingTable {
  constructor(private readonly db: Db) {}

  /** Rows in id order after `afterId`, at most `limit`. */
  async list(filter: RoutingFilter, page: { limit?: number; afterId?: number } = {}): Promise<Routing[]> {
    let q = this.db.kysely.selectFrom('resource_routings').selectAll().orderBy('id');
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
    const row = await this.db.kysely.selectFrom('resource_routings').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toRouting(row) : undefined;
  }

  async get(id: number): Promise<Routing> {
    const routing = await this.find(id);
    if (!routing) throw notFound(`Routing ${id} could not be found.`);
    return routing;
  }

  /** The route of a top resource in any pod (servers and volumes live in exactly one). */
  async findByTop(topId: string, resourceType: string, projectId?: string): Promise<Routing[]> {
    let q = this.db.kysely.selectFrom('resource_routings').selectAll().where('top_id', '=', topId).where('resource_type', '=', resourceType);
    if (projectId !== undefined) q = q.where('project_id', '=', projectId);
    return (await q.execute()).map(toRouting);
  }

  async create(input: { topId: string; bottomId: string | null; podId: string; projectId: string; resourceType: string }): Promise<Routing> {
    try {
      const now = dbNow(this.db.dialect);
      const values = {
        top_id: input.topId,
        bottom_id: input.bottomId,
        pod_id: input.podId,
        project_id: input.projectId,
        resource_type: input.resourceType,
        created_at: now,
        updated_at: now,
      };
      if (this.db.dialect === 'mysql') {
        const result = await this.db.kysely.insertInto('resource_routings').values(values).executeTakeFirstOrThrow();
        return this.get(Number(result.insertId));
      }
      const row = await this.db.kysely.insertInto('resource_routings').values(values).returningAll().executeTakeFirstOrThrow();
      return toRouting(row);
    } catch (err) {
      if (isUniqueViolation(err)) throw conflict(`A routing for ${input.resourceType} ${input.topId} in pod ${input.podId} already exists`);
      if (isForeignKeyViolation(err)) throw badRequest(`Pod ${input.podId} could not be found.`);
      throw err;
    }
  }

  async update(id: number, patch: Partial<{ topId: string; bottomId: string | null; podId: string; projectId: string; resourceType: string }>): Promise<Routing> {
    await this.get(id);
    try {
      await this.db.kysely
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

  async delete(id: number): Promise<void> {
    await this.get(id);
    await this.db.kysely.deleteFrom('resource_routings').where('id', '=', id).execute();
  }
}
