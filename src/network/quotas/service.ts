import { ApiError } from '../../common/index.js';
import type { Db, Trx } from '../../db/index.js';
import { admitInTransaction, QuotaExceeded, QuotaLimits } from '../../quotas/index.js';
import { badRequest, policyNotAuthorized } from '../errors.js';
import type { Caller } from '../policy.js';

/** Neutron's default quotas (its `[quotas]` defaults). */
export const NETWORK_QUOTA_DEFAULTS: Record<string, number> = {
  floatingip: 50,
  network: 100,
  port: 500,
  rbac_policy: 10,
  router: 10,
  security_group: 10,
  security_group_rule: 100,
  subnet: 100,
  subnetpool: -1,
};

/** The top table that holds each counted resource (its rows with the project's id are the usage). */
const TABLES = {
  floatingip: 'floatingips',
  network: 'networks',
  port: 'ports',
  router: 'routers',
  security_group: 'security_groups',
  security_group_rule: 'security_group_rules',
  subnet: 'subnets',
  subnetpool: 'subnetpools',
} as const;

export type CountedResource = keyof typeof TABLES;

/**
 * Quotas of the top networking service: the top owns them (the pods' own Neutron quotas are not
 * consulted) and enforces them for every project across all pods. Usage is the project's rows in the
 * top's tables, counted in the transaction that inserts the new rows under the project's quota lock
 * (src/quotas), so concurrent creates never pass a limit.
 */
export class NetworkQuotaService {
  readonly limits: QuotaLimits;

  constructor(private readonly db: Db) {
    this.limits = new QuotaLimits(db, 'network', NETWORK_QUOTA_DEFAULTS);
  }

  /**
   * Inside a create's transaction: refuses (409 OverQuota, as Neutron) when the projects' rows of
   * `resource` plus the new ones would pass a limit. `perProject`: how many new rows each project gets.
   */
  async admit(trx: Trx, resource: CountedResource, perProject: ReadonlyMap<string, number> | readonly { projectId: string }[]): Promise<void> {
    const counts = new Map<string, number>();
    if (Array.isArray(perProject)) for (const p of perProject as { projectId: string }[]) counts.set(p.projectId, (counts.get(p.projectId) ?? 0) + 1);
    else for (const [k, v] of perProject as ReadonlyMap<string, number>) counts.set(k, v);
    for (const projectId of [...counts.keys()].sort()) {
      const limit = (await this.limits.of(projectId, trx))[resource] ?? -1;
      try {
        await admitInTransaction(this.db, trx, 'network', projectId, [{ resource, amount: counts.get(projectId)!, limit }], async (t) => ({
          [resource]: await this.countIn(t, resource, projectId),
        }));
      } catch (err) {
        if (err instanceof QuotaExceeded) throw new ApiError(409, `Quota exceeded for resources: ['${resource}'].`, 'OverQuota');
        throw err;
      }
    }
  }

  private async countIn(trx: Trx | Db['kysely'], resource: CountedResource, projectId: string): Promise<number> {
    const table = TABLES[resource];
    const row = await (trx as Db['kysely'])
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('project_id', '=', projectId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  private async usage(projectId: string): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const key of Object.keys(NETWORK_QUOTA_DEFAULTS)) out[key] = key in TABLES ? await this.countIn(this.db.kysely, key as CountedResource, projectId) : 0;
    return out;
  }

  private checkTarget(caller: Caller, projectId: string, action: string): void {
    if (!caller.isAdmin && caller.projectId !== projectId) throw policyNotAuthorized([`${action}`]);
  }

  /** `GET /v2.0/quotas`: the projects with limits of their own (admin). */
  async list(caller: Caller): Promise<Record<string, unknown>[]> {
    if (!caller.isAdmin) throw policyNotAuthorized(['get_quota']);
    return [...(await this.limits.overridden()).entries()].map(([projectId, limits]) => ({ ...sorted(limits), project_id: projectId, tenant_id: projectId }));
  }

  /** `GET /v2.0/quotas/{project}`. */
  async show(caller: Caller, projectId: string): Promise<Record<string, number>> {
    this.checkTarget(caller, projectId, 'get_quota');
    return sorted(await this.limits.of(projectId));
  }

  /** `GET /v2.0/quotas/{project}/default`. */
  defaults(caller: Caller, projectId: string): Record<string, number> {
    this.checkTarget(caller, projectId, 'get_quota');
    return sorted(NETWORK_QUOTA_DEFAULTS);
  }

  /** `GET /v2.0/quotas/{project}/details.json`: limit, used and reserved (always 0) of each resource. */
  async details(caller: Caller, projectId: string): Promise<Record<string, { limit: number; used: number; reserved: number }>> {
    this.checkTarget(caller, projectId, 'get_quota');
    const [limits, used] = await Promise.all([this.limits.of(projectId), this.usage(projectId)]);
    const out: Record<string, { limit: number; used: number; reserved: number }> = {};
    for (const key of Object.keys(sorted(limits))) out[key] = { limit: limits[key], used: used[key] ?? 0, reserved: 0 };
    return out;
  }

  /** `PUT /v2.0/quotas/{project}` (admin): integers ≥ -1; with `check_limit`, never below what is used. */
  async update(caller: Caller, projectId: string, body: unknown): Promise<Record<string, number>> {
    if (!caller.isAdmin) throw policyNotAuthorized(['update_quota']);
    const quota = isObject(body) ? body.quota : undefined;
    if (!isObject(quota)) throw badRequest('Resource body required');
    const values: Record<string, number> = {};
    let checkLimit = false;
    for (const [key, raw] of Object.entries(quota)) {
      if (key === 'force') continue;
      if (key === 'check_limit') {
        checkLimit = raw === true || (typeof raw === 'string' && raw.toLowerCase() === 'true');
        continue;
      }
      if (!Object.hasOwn(NETWORK_QUOTA_DEFAULTS, key)) throw badRequest(`Unrecognized attribute(s) '${key}'`);
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN;
      if (!Number.isSafeInteger(n)) throw badRequest(`Invalid input for ${key}. Reason: '${String(raw).slice(0, 255)}' is not an integer.`);
      if (n < -1) throw badRequest(`Invalid input for ${key}. Reason: '${n}' should be greater than or equal to -1.`);
      values[key] = n;
    }
    if (checkLimit) {
      const used = await this.usage(projectId);
      for (const [key, n] of Object.entries(values)) {
        if (n >= 0 && (used[key] ?? 0) > n) throw badRequest(`Quota limit ${n} for ${key} must be greater than or equal to already used ${used[key]} and reserved 0.`);
      }
    }
    if (Object.keys(values).length > 0) await this.limits.set(projectId, values);
    return sorted(await this.limits.of(projectId));
  }

  /** `DELETE /v2.0/quotas/{project}` (admin): back to the defaults. */
  async reset(caller: Caller, projectId: string): Promise<void> {
    if (!caller.isAdmin) throw policyNotAuthorized(['delete_quota']);
    await this.limits.reset(projectId);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function sorted(limits: Readonly<Record<string, number>>): Record<string, number> {
  return Object.fromEntries(
    Object.keys(limits)
      .sort()
      .map((k) => [k, limits[k]]),
  );
}
