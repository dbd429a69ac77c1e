import { randomUUID } from 'node:crypto';
import { conflict, notFound, unprocessable } from '../common/index.js';
import { dbNow, isUniqueViolation, type Db, type PodsTable } from '../db/index.js';
import { RoutingTable } from '../routing/index.js';

export interface Pod {
  id: string;
  regionName: string;
  /** Empty for the top pod. */
  azName: string;
  podAzName: string;
  dcName: string;
  disabled: boolean;
  health: string;
  createdAt: number;
  updatedAt: number;
}

export interface PodInput {
  regionName?: string;
  azName?: string;
  podAzName?: string;
  dcName?: string;
  disabled?: boolean;
}

export function toPod(row: PodsTable): Pod {
  return {
    id: row.id,
    regionName: row.region_name,
    azName: row.az_name,
    podAzName: row.pod_az_name,
    dcName: row.dc_name,
    disabled: Boolean(row.disabled),
    health: row.health,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

export const isTopPod = (pod: Pod): boolean => pod.azName === '';

/** The pod table: Keystone regions Tricircle knows, the top one (empty AZ) and the bottom ones. */
export class PodRegistry {
  constructor(
    private readonly db: Db,
    private readonly routings: RoutingTable = new RoutingTable(db),
  ) {}

  async list(filter: { azName?: string } = {}): Promise<Pod[]> {
    let q = this.db.kysely.selectFrom('pods').selectAll().orderBy('region_name');
    if (filter.azName !== undefined) q = q.where('az_name', '=', filter.azName);
    return (await q.execute()).map(toPod);
  }

  async find(id: string): Promise<Pod | undefined> {
    const row = await this.db.kysely.selectFrom('pods').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toPod(row) : undefined;
  }

  async get(id: string): Promise<Pod> {
    const pod = await this.find(id);
    if (!pod) throw notFound(`Pod ${id} could not be found.`);
    return pod;
  }

  async findByRegion(regionName: string): Promise<Pod | undefined> {
    const row = await this.db.kysely.selectFrom('pods').selectAll().where('region_name', '=', regionName).executeTakeFirst();
    return row ? toPod(row) : undefined;
  }

  async topPod(): Promise<Pod | undefined> {
    const row = await this.db.kysely.selectFrom('pods').selectAll().where('az_name', '=', '').executeTakeFirst();
    return row ? toPod(row) : undefined;
  }

  async create(input: PodInput): Promise<Pod> {
    const regionName = input.regionName ?? '';
    const azName = input.azName ?? '';
    if (!regionName) {
      throw unprocessable(azName ? 'Valid region_name is required for a bottom pod' : 'Valid region_name is required for the top pod');
    }
    const id = randomUUID();
    try {
      await this.db.kysely.transaction().execute(async (trx) => {
        if (azName === '') {
          const top = await trx.selectFrom('pods').select('id').where('az_name', '=', '').executeTakeFirst();
          if (top) throw conflict('Top region already exists');
        }
        const now = dbNow(this.db.dialect);
        await trx
          .insertInto('pods')
          .values({
            id,
            region_name: regionName,
            az_name: azName,
            pod_az_name: azName === '' ? '' : (input.podAzName ?? ''),
            dc_name: input.dcName ?? '',
            disabled: input.disabled ? 1 : 0,
            health: 'unknown',
            top_marker: azName === '' ? 1 : null,
            created_at: now,
            updated_at: now,
          })
          .execute();
      });
    } catch (err) {
      if (isUniqueViolation(err)) {
        if (azName === '' && (await this.topPod())) throw conflict('Top region already exists');
        throw conflict(`Pod with region_name ${regionName} already exists`);
      }
      throw err;
    }
    return this.get(id);
  }

  async update(id: string, input: PodInput): Promise<Pod> {
    const current = await this.get(id);
    const azName = input.azName ?? current.azName;
    if (input.regionName !== undefined && input.regionName === '') throw unprocessable('Valid region_name is required');
    try {
      await this.db.kysely.transaction().execute(async (trx) => {
        if (azName === '' && current.azName !== '') {
          const top = await trx.selectFrom('pods').select('id').where('az_name', '=', '').executeTakeFirst();
          if (top) throw conflict('Top region already exists');
        }
        await trx
          .updateTable('pods')
          .set({
            region_name: input.regionName ?? current.regionName,
            az_name: azName,
            pod_az_name: azName === '' ? '' : (input.podAzName ?? current.podAzName),
            dc_name: input.dcName ?? current.dcName,
            disabled: (input.disabled ?? current.disabled) ? 1 : 0,
            top_marker: azName === '' ? 1 : null,
            updated_at: dbNow(this.db.dialect),
          })
          .where('id', '=', id)
          .execute();
      });
    } catch (err) {
      if (isUniqueViolation(err)) {
        if (azName === '' && (await this.topPod())?.id !== id) throw conflict('Top region already exists');
        throw conflict(`Pod with region_name ${input.regionName} already exists`);
      }
      throw err;
    }
    return this.get(id);
  }

  /** Refuses (409) while routing entries or tenant bindings still point at the pod. */
  async delete(id: string): Promise<void> {
    await this.get(id);
    await this.db.kysely.transaction().execute(async (trx) => {
      const routes = await this.routings.in(trx).countInPod(id);
      const bindings = await trx
        .selectFrom('pod_bindings')
        .select(({ fn }) => fn.countAll<number>().as('n'))
        .where('pod_id', '=', id)
        .executeTakeFirstOrThrow();
      if (routes > 0 || Number(bindings.n) > 0) {
        throw conflict(`Pod ${id} is in use: ${routes} routing entries and ${Number(bindings.n)} tenant bindings refer to it`);
      }
      await trx.deleteFrom('cached_endpoints').where('pod_id', '=', id).execute();
      await trx.deleteFrom('pods').where('id', '=', id).execute();
    });
  }

  async setHealth(id: string, health: 'up' | 'down' | 'unknown'): Promise<void> {
    await this.db.kysely.updateTable('pods').set({ health }).where('id', '=', id).execute();
  }
}
