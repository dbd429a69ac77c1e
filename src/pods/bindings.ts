import { randomUUID } from 'node:crypto';
import { conflict, notFound, unprocessable } from '../common/index.js';
import { dbNow, isUniqueViolation, type Db, type PodBindingsTable } from '../db/index.js';
import { type PodRegistry, isTopPod } from './podRegistry.js';

export interface PodBinding {
  id: string;
  projectId: string;
  podId: string;
  isCurrent: boolean;
  createdAt: number;
  updatedAt: number;
}

function toBinding(row: PodBindingsTable): PodBinding {
  return {
    id: row.id,
    projectId: row.project_id,
    podId: row.pod_id,
    isCurrent: Boolean(row.is_current),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

/** Which bottom pod a project uses in each availability zone. One current binding per (project, AZ). */
export class PodBindings {
  constructor(
    private readonly db: Db,
    private readonly pods: PodRegistry,
  ) {}

  async list(filter: { projectId?: string; podId?: string } = {}): Promise<PodBinding[]> {
    let q = this.db.kysely.selectFrom('pod_bindings').selectAll().orderBy('created_at').orderBy('id');
    if (filter.projectId) q = q.where('project_id', '=', filter.projectId);
    if (filter.podId) q = q.where('pod_id', '=', filter.podId);
    return (await q.execute()).map(toBinding);
  }

  async get(id: string): Promise<PodBinding> {
    const row = await this.db.kysely.selectFrom('pod_bindings').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw notFound(`Pod binding ${id} could not be found.`);
    return toBinding(row);
  }

  /** Binds a project to a bottom pod; an earlier current binding in the same AZ stops being current. */
  async bind(projectId: string, podId: string): Promise<PodBinding> {
    if (!projectId) throw unprocessable('tenant_id is required');
    if (!podId) throw unprocessable('pod_id is required');
    const pod = await this.pods.find(podId);
    if (!pod) throw unprocessable(`pod_id ${podId} not found in pod`);
    if (isTopPod(pod)) throw unprocessable('Top region can not be bound');
    const id = randomUUID();
    try {
      await this.db.kysely.transaction().execute(async (trx) => {
        const sameAz = trx.selectFrom('pods').select('id').where('az_name', '=', pod.azName);
        const now = dbNow(this.db.dialect);
        await trx.updateTable('pod_bindings').set({ is_current: 0, updated_at: now }).where('project_id', '=', projectId).where('pod_id', 'in', sameAz).execute();
        await trx.insertInto('pod_bindings').values({ id, project_id: projectId, pod_id: podId, is_current: 1, created_at: now, updated_at: now }).execute();
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw conflict(`Project ${projectId} is already bound to pod ${podId}`);
      throw err;
    }
    return this.get(id);
  }

  async delete(id: string): Promise<void> {
    await this.get(id);
    await this.db.kysely.deleteFrom('pod_bindings').where('id', '=', id).execute();
  }
}
