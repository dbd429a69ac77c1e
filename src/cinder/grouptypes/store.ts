import { randomUUID } from 'node:crypto';
import { conflict } from '../../common/index.js';
import { dbNow, isUniqueViolation, type Db } from '../../db/index.js';
import type { GroupTypesTable } from '../tables.js';

/** The group type Cinder's own database migration makes; the top has its own, made on first use. */
export const DEFAULT_GROUP_TYPE_NAME = 'default_group_type';

export interface GroupType {
  id: string;
  name: string;
  description: string | null;
  isPublic: boolean;
  groupSpecs: Record<string, string>;
  createdAt: number;
}

function toType(row: GroupTypesTable): GroupType {
  let specs: Record<string, string> = {};
  try {
    specs = (JSON.parse(row.group_specs) as Record<string, string>) ?? {};
  } catch {
    specs = {};
  }
  return { id: row.id, name: row.name, description: row.description, isPublic: Boolean(row.is_public), groupSpecs: specs, createdAt: Number(row.created_at) };
}

const exists = (name: string) => conflict(`Group Type ${name} already exists.`);

/** The top's group types (table `group_types`, migration 0016). */
export class GroupTypeStore {
  constructor(private readonly db: Db) {}

  async list(): Promise<GroupType[]> {
    const rows = await this.db.kysely.selectFrom('group_types').selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').execute();
    return rows.map(toType);
  }

  async find(id: string): Promise<GroupType | undefined> {
    const row = await this.db.kysely.selectFrom('group_types').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toType(row) : undefined;
  }

  async findByName(name: string): Promise<GroupType | undefined> {
    const row = await this.db.kysely.selectFrom('group_types').selectAll().where('name', '=', name).executeTakeFirst();
    return row ? toType(row) : undefined;
  }

  async create(input: Omit<GroupType, 'id' | 'createdAt'>): Promise<GroupType> {
    const id = randomUUID();
    const now = dbNow(this.db.dialect);
    try {
      await this.db.kysely
        .insertInto('group_types')
        .values({
          id,
          name: input.name,
          description: input.description,
          is_public: input.isPublic ? 1 : 0,
          group_specs: JSON.stringify(input.groupSpecs),
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

  /** The top's default group type; concurrent first uses agree through the unique name. */
  async ensureDefault(): Promise<GroupType> {
    const found = await this.findByName(DEFAULT_GROUP_TYPE_NAME);
    if (found) return found;
    try {
      return await this.create({ name: DEFAULT_GROUP_TYPE_NAME, description: 'Default group type', isPublic: true, groupSpecs: {} });
    } catch (err) {
      const again = await this.findByName(DEFAULT_GROUP_TYPE_NAME);
      if (again) return again;
      throw err;
    }
  }

  async update(id: string, patch: { name?: string; description?: string | null; isPublic?: boolean }): Promise<GroupType | undefined> {
    try {
      await this.db.kysely
        .updateTable('group_types')
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

  /** Merges (`set`) or removes (`unset`) group specs in one transaction. */
  async changeSpecs(id: string, change: { set?: Record<string, string>; unset?: string }): Promise<GroupType | undefined> {
    await this.db.kysely.transaction().execute(async (trx) => {
      let read = trx.selectFrom('group_types').select('group_specs').where('id', '=', id);
      if (this.db.dialect !== 'sqlite') read = read.forUpdate();
      const row = await read.executeTakeFirst();
      if (!row) return;
      const specs = (JSON.parse(row.group_specs) as Record<string, string>) ?? {};
      Object.assign(specs, change.set ?? {});
      if (change.unset !== undefined) delete specs[change.unset];
      await trx
        .updateTable('group_types')
        .set({ group_specs: JSON.stringify(specs), updated_at: dbNow(this.db.dialect) })
        .where('id', '=', id)
        .execute();
    });
    return this.find(id);
  }

  async delete(id: string): Promise<void> {
    await this.db.kysely.deleteFrom('group_types').where('id', '=', id).execute();
  }
}
