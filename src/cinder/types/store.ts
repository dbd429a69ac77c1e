import { randomUUID } from 'node:crypto';
import { conflict } from '../../common/index.js';
import { dbNow, isUniqueViolation, type Db } from '../../db/index.js';
import type { VolumeTypesTable } from '../tables.js';

/** Cinder's built-in type, present in every Cinder since Train; the top has its own. */
export const DEFAULT_TYPE_NAME = '__DEFAULT__';

export interface VolumeType {
  id: string;
  name: string;
  description: string | null;
  isPublic: boolean;
  extraSpecs: Record<string, string>;
  createdAt: number;
  updatedAt: number;
}

export interface VolumeTypeInput {
  name: string;
  description: string | null;
  isPublic: boolean;
  extraSpecs: Record<string, string>;
}

function toType(row: VolumeTypesTable): VolumeType {
  let specs: Record<string, string> = {};
  try {
    specs = JSON.parse(row.extra_specs) as Record<string, string>;
  } catch {
    specs = {};
  }
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    isPublic: Boolean(row.is_public),
    extraSpecs: specs,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

const exists = (name: string) => conflict(`Volume Type ${name} already exists.`);

/** The top's volume types (`volume_types`) and who may see the private ones (`volume_type_projects`). */
export class VolumeTypeStore {
  constructor(private readonly db: Db) {}

  async list(): Promise<VolumeType[]> {
    const rows = await this.db.kysely.selectFrom('volume_types').selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').execute();
    return rows.map(toType);
  }

  async find(id: string): Promise<VolumeType | undefined> {
    const row = await this.db.kysely.selectFrom('volume_types').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toType(row) : undefined;
  }

  async findByName(name: string): Promise<VolumeType | undefined> {
    const row = await this.db.kysely.selectFrom('volume_types').selectAll().where('name', '=', name).executeTakeFirst();
    return row ? toType(row) : undefined;
  }

  async create(input: VolumeTypeInput): Promise<VolumeType> {
    const id = randomUUID();
    const now = dbNow(this.db.dialect);
    try {
      await this.db.kysely
        .insertInto('volume_types')
        .values({
          id,
          name: input.name,
          description: input.description,
          is_public: input.isPublic ? 1 : 0,
          extra_specs: JSON.stringify(input.extraSpecs),
          created_at: now,
          updated_at: now,
        })
        .execute();
    } catch (err) {
      if (isUniqueViolation(err)) throw exists(input.name);
      throw err;
    }
    return (await this.find(id))!;
  }

  /** The top's `__DEFAULT__` type, made on first use (concurrent first uses agree through the unique name). */
  async ensureDefault(): Promise<VolumeType> {
    const found = await this.findByName(DEFAULT_TYPE_NAME);
    if (found) return found;
    try {
      return await this.create({ name: DEFAULT_TYPE_NAME, description: 'Default Volume Type', isPublic: true, extraSpecs: {} });
    } catch (err) {
      const again = await this.findByName(DEFAULT_TYPE_NAME);
      if (again) return again;
      throw err;
    }
  }

  async update(id: string, patch: { name?: string; description?: string | null; isPublic?: boolean }): Promise<VolumeType | undefined> {
    try {
      await this.db.kysely
        .updateTable('volume_types')
        .set({
          ...(patch.name !== undefined ? { name: patch.name } : {}),
          ...(patch.description !== undefined ? { description: patch.description } : {}),
          ...(patch.isPublic !== undefined ? { is_public: patch.isPublic ? 1 : 0 } : {}),
          updated_at: dbNow(this.db.dialect),
        })
        .where('id', '=', id)
        .execute();
    } catch (err) {
      if (isUniqueViolation(err) && patch.name !== undefined) throw exists(patch.name);
      throw err;
    }
    return this.find(id);
  }

  /** Merges (`set`) or removes (`unset`) extra specs in one transaction. */
  async changeExtraSpecs(id: string, change: { set?: Record<string, string>; unset?: string }): Promise<VolumeType | undefined> {
    await this.db.kysely.transaction().execute(async (trx) => {
      let read = trx.selectFrom('volume_types').select('extra_specs').where('id', '=', id);
      // SQLite has no FOR UPDATE; its transactions hold the database's single write lock.
      if (this.db.dialect !== 'sqlite') read = read.forUpdate();
      const row = await read.executeTakeFirst();
      if (!row) return;
      const specs = (JSON.parse(row.extra_specs) as Record<string, string>) ?? {};
      Object.assign(specs, change.set ?? {});
      if (change.unset !== undefined) delete specs[change.unset];
      await trx
        .updateTable('volume_types')
        .set({ extra_specs: JSON.stringify(specs), updated_at: dbNow(this.db.dialect) })
        .where('id', '=', id)
        .execute();
    });
    return this.find(id);
  }

  async delete(id: string): Promise<void> {
    await this.db.kysely.transaction().execute(async (trx) => {
      await trx.deleteFrom('volume_type_projects').where('volume_type_id', '=', id).execute();
      await trx.deleteFrom('volume_types').where('id', '=', id).execute();
    });
  }

  /** The QoS spec associated with each of the types that have one (type id → spec id). */
  async qosSpecsOf(): Promise<Map<string, string>> {
    const rows = await this.db.kysely.selectFrom('qos_type_associations').select(['volume_type_id', 'qos_specs_id']).execute();
    return new Map(rows.map((r) => [r.volume_type_id, r.qos_specs_id]));
  }

  async projects(id: string): Promise<string[]> {
    const rows = await this.db.kysely.selectFrom('volume_type_projects').select('project_id').where('volume_type_id', '=', id).orderBy('project_id').execute();
    return rows.map((r) => r.project_id);
  }

  /** Ids of the private types shared with the project. */
  async sharedWith(projectId: string): Promise<Set<string>> {
    const rows = await this.db.kysely.selectFrom('volume_type_projects').select('volume_type_id').where('project_id', '=', projectId).execute();
    return new Set(rows.map((r) => r.volume_type_id));
  }

  /** False when the project already had access. */
  async addProject(id: string, projectId: string): Promise<boolean> {
    try {
      await this.db.kysely
        .insertInto('volume_type_projects')
        .values({ volume_type_id: id, project_id: projectId, created_at: dbNow(this.db.dialect) })
        .execute();
      return true;
    } catch (err) {
      if (isUniqueViolation(err)) return false;
      throw err;
    }
  }

  /** False when the project had no access. */
  async removeProject(id: string, projectId: string): Promise<boolean> {
    const result = await this.db.kysely.deleteFrom('volume_type_projects').where('volume_type_id', '=', id).where('project_id', '=', projectId).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  // Per-project default types (3.62), table project_default_types.

  async projectDefault(projectId: string): Promise<string | undefined> {
    return (await this.db.kysely.selectFrom('project_default_types').select('volume_type_id').where('project_id', '=', projectId).executeTakeFirst())?.volume_type_id;
  }

  async projectDefaults(): Promise<{ projectId: string; typeId: string }[]> {
    const rows = await this.db.kysely.selectFrom('project_default_types').select(['project_id', 'volume_type_id']).orderBy('project_id').execute();
    return rows.map((r) => ({ projectId: r.project_id, typeId: r.volume_type_id }));
  }

  async setProjectDefault(projectId: string, typeId: string): Promise<void> {
    const now = dbNow(this.db.dialect);
    await this.db.kysely.transaction().execute(async (trx) => {
      const updated = await trx.updateTable('project_default_types').set({ volume_type_id: typeId, updated_at: now }).where('project_id', '=', projectId).executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 0) {
        await trx.insertInto('project_default_types').values({ project_id: projectId, volume_type_id: typeId, created_at: now, updated_at: now }).execute();
      }
    });
  }

  /** False when the project had no default type. */
  async deleteProjectDefault(projectId: string): Promise<boolean> {
    const result = await this.db.kysely.deleteFrom('project_default_types').where('project_id', '=', projectId).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}
