import type { Db, Trx } from '../db/index.js';
import type { QuotaScope } from './admission.js';

/** Per-project overrides of a service's default limits, in `quota_limits`. */
export class QuotaLimits {
  constructor(
    private readonly db: Db,
    private readonly scope: QuotaScope,
    private readonly defaults: Readonly<Record<string, number>>,
  ) {}

  /** The project's limits: the defaults with its overrides. */
  async of(projectId: string, trx: Trx | Db['kysely'] = this.db.kysely): Promise<Record<string, number>> {
    const rows = await trx.selectFrom('quota_limits').select(['resource', 'hard_limit']).where('service', '=', this.scope).where('project_id', '=', projectId).execute();
    const out = { ...this.defaults };
    for (const r of rows) if (r.resource in out) out[r.resource] = Number(r.hard_limit);
    return out;
  }

  /** Only what is stored for the key (any resource name, defaults left out). */
  async stored(projectId: string): Promise<Record<string, number>> {
    const rows = await this.db.kysely.selectFrom('quota_limits').select(['resource', 'hard_limit']).where('service', '=', this.scope).where('project_id', '=', projectId).execute();
    return Object.fromEntries(rows.map((r) => [r.resource, Number(r.hard_limit)]));
  }

  /** Projects that have overrides, with them. */
  async overridden(): Promise<Map<string, Record<string, number>>> {
    const rows = await this.db.kysely.selectFrom('quota_limits').select(['project_id', 'resource', 'hard_limit']).where('service', '=', this.scope).orderBy('project_id').execute();
    const out = new Map<string, Record<string, number>>();
    for (const r of rows) {
      if (!(r.resource in this.defaults)) continue;
      const limits = out.get(r.project_id) ?? { ...this.defaults };
      limits[r.resource] = Number(r.hard_limit);
      out.set(r.project_id, limits);
    }
    return out;
  }

  /** Sets some of the project's limits (in the caller's transaction, or one of its own). */
  async set(projectId: string, values: Readonly<Record<string, number>>, trx?: Trx): Promise<void> {
    const write = async (t: Trx) => {
      for (const [resource, hard] of Object.entries(values)) {
        await t.deleteFrom('quota_limits').where('service', '=', this.scope).where('project_id', '=', projectId).where('resource', '=', resource).execute();
        await t.insertInto('quota_limits').values({ service: this.scope, project_id: projectId, resource, hard_limit: hard }).execute();
      }
    };
    if (trx) await write(trx);
    else await this.db.kysely.transaction().execute(write);
  }

  /** Back to the defaults. */
  async reset(projectId: string): Promise<void> {
    await this.db.kysely.deleteFrom('quota_limits').where('service', '=', this.scope).where('project_id', '=', projectId).execute();
  }
}
