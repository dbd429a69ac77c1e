import { badRequest, forbidden } from '../common/index.js';
import type { Db } from '../db/index.js';
import type { RequestContext } from '../identity/index.js';
import type { PolicyEnforcer } from '../policy/index.js';
import { qLast, requireAdmin, type NovaCall } from './call.js';
import { Type, anyType, upTo, type Microversion, type Static } from '../gateway/index.js';
import { booleanLike } from './parameters.js';
import type { RoutingTable } from '../routing/index.js';
import { ClaimLedger, QuotaExceeded, type Claim, type Over } from '../quotas/index.js';

/** Nova's default quotas (network quotas are -1: Neutron owns them). */
export const QUOTA_DEFAULTS: Record<string, number> = {
  instances: 10,
  cores: 20,
  ram: 51200,
  metadata_items: 128,
  key_pairs: 100,
  server_groups: 10,
  server_group_members: 10,
  injected_files: 5,
  injected_file_content_bytes: 10240,
  injected_file_path_bytes: 255,
  floating_ips: -1,
  fixed_ips: -1,
  security_groups: -1,
  security_group_rules: -1,
};

/** The `nova_quotas` pseudo-project holding the `default` quota class (a key no project id takes). */
const DEFAULT_CLASS_ROW = 'quota-class:default';

const NETWORK_QUOTAS = ['floating_ips', 'fixed_ips', 'security_groups', 'security_group_rules'];
const FILE_QUOTAS = ['injected_files', 'injected_file_content_bytes', 'injected_file_path_bytes'];

/** The quota names a microversion shows (2.36 drops the network ones, 2.57 the injected-file ones). */
export function visibleQuotas(v: Microversion): string[] {
  return Object.keys(QUOTA_DEFAULTS).filter((k) => !(v.ge('2.36') && NETWORK_QUOTAS.includes(k)) && !(v.ge('2.57') && FILE_QUOTAS.includes(k)));
}

const quotaValue = anyType(['integer', 'string'], { pattern: '^-?[0-9]+$', minimum: -1 });

/** `PUT /os-quota-sets/{tenant_id}`: the quotas the microversion shows, and `force`. */
export const QuotaUpdate = Type.Object(
  {
    quota_set: Type.Object(
      {
        ...Object.fromEntries(
          Object.keys(QUOTA_DEFAULTS).map((k) => [
            k,
            NETWORK_QUOTAS.includes(k) ? upTo('2.35', quotaValue) : FILE_QUOTAS.includes(k) ? upTo('2.56', quotaValue) : Type.Optional(quotaValue),
          ]),
        ),
        force: Type.Optional(booleanLike),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type QuotaUpdateBody = Static<typeof QuotaUpdate>;

/** Runs `work`; a QuotaExceeded becomes Nova's 403, naming every resource over its limit as Nova does. */
async function overQuotaAsForbidden<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (!(err instanceof QuotaExceeded)) throw err;
    // Nova names the resources in sorted order.
    const overs = [...err.overs].sort((a, b) => (a.resource < b.resource ? -1 : a.resource > b.resource ? 1 : 0));
    const list = (f: (o: Over) => string | number) => overs.map(f).join(', ');
    const names = list((o) => o.resource);
    throw forbidden(`Quota exceeded for ${names}: Requested ${list((o) => o.requested)}, but already used ${list((o) => o.used)} of ${list((o) => o.limit)} ${names}`);
  }
}

/** What a project uses of the quotas the top enforces, all counted at the top. */
interface TopUsage {
  instances: number;
  cores: number;
  ram: number;
  server_groups: number;
}

/**
 * Quotas of the top region: defaults in code, per-project overrides in `nova_quotas`. Instances,
 * cores and RAM are limits enforced at the top: a boot claims them before its pod is asked (src/quotas),
 * and their usage is what the servers with routing entries hold, never a pod's answer. Server groups
 * are the top's own. So no quota answer and no boot waits for a pod (docs/nova-api.md, "Pod isolation").
 */
export class QuotaService {
  private readonly ledger: ClaimLedger;

  constructor(
    private readonly db: Db,
    private readonly policy: PolicyEnforcer,
    routings: RoutingTable,
  ) {
    this.ledger = new ClaimLedger(db, 'compute', {
      alive: async (ids) => new Set((await routings.findByTops('server', ids)).map((r) => r.topId)),
    });
  }

  /** Instances, cores and RAM from the top's claims; server groups from the top's own groups (the pods hold copies, which would count twice). */
  private async used(projectId: string): Promise<TopUsage> {
    const [claimed, groups] = await Promise.all([
      this.ledger.usage(projectId),
      this.db.kysely
        .selectFrom('nova_server_groups')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('project_id', '=', projectId)
        .executeTakeFirst(),
    ]);
    return { instances: claimed.instances ?? 0, cores: claimed.cores ?? 0, ram: claimed.ram ?? 0, server_groups: Number(groups?.n ?? 0) };
  }

  async limits(projectId: string): Promise<Record<string, number>> {
    const rows = await this.db.kysely
      .selectFrom('nova_quotas')
      .select(['project_id', 'resource', 'hard_limit'])
      .where('project_id', 'in', [projectId, DEFAULT_CLASS_ROW])
      .execute();
    const out = { ...QUOTA_DEFAULTS };
    // The `default` quota class first, then the project's own limits.
    for (const r of rows) if (r.project_id === DEFAULT_CLASS_ROW && r.resource in out) out[r.resource] = Number(r.hard_limit);
    for (const r of rows) if (r.project_id === projectId && r.resource in out) out[r.resource] = Number(r.hard_limit);
    return out;
  }

  /** The limits of a quota class: only `default` is applied (as upstream); others show its values. */
  async classLimits(): Promise<Record<string, number>> {
    return this.limits(DEFAULT_CLASS_ROW);
  }

  /** Sets limits of the `default` quota class (stored as a pseudo-project of `nova_quotas`). */
  async setClassLimits(values: [string, number][]): Promise<void> {
    await this.db.kysely.transaction().execute(async (trx) => {
      for (const [resource, hard] of values) {
        await trx.deleteFrom('nova_quotas').where('project_id', '=', DEFAULT_CLASS_ROW).where('resource', '=', resource).execute();
        await trx.insertInto('nova_quotas').values({ project_id: DEFAULT_CLASS_ROW, resource, hard_limit: hard }).execute();
      }
    });
  }

  async limit(projectId: string, resource: string): Promise<number> {
    return (await this.limits(projectId))[resource] ?? -1;
  }

  /**
   * Claims instances, cores and RAM for between `min` and `max` servers of `flavor` (as many as fit);
   * 403 as Nova when not even `min` fit. Settle the claim with `settleClaim` whatever the boot's end.
   */
  async claimServers(ctx: RequestContext, min: number, max: number, flavor: { vcpus: number; ram: number }): Promise<Claim> {
    const limits = await this.limits(ctx.projectId);
    try {
      return await this.ledger.claim(ctx.projectId, { instances: 1, cores: flavor.vcpus, ram: flavor.ram }, limits, { min, max });
    } catch (err) {
      if (!(err instanceof QuotaExceeded)) throw err;
      const wanted = err.resource === 'instances' ? min : err.resource === 'cores' ? min * flavor.vcpus : min * flavor.ram;
      throw forbidden(`Quota exceeded for ${err.resource}: Requested ${wanted}, but already used ${err.used} of ${err.limit} ${err.resource}`);
    }
  }

  /**
   * A resize of `serverId` to `flavor`: as Nova, the server counts the new flavor's cores and RAM from
   * the resize on, checked before its pod is asked (403 naming every resource the growth passes).
   * What it counted before is kept for a revert. Returns the undo for a pod that refuses.
   */
  async resizeServer(projectId: string, serverId: string, flavor: { vcpus: number; ram: number }): Promise<() => Promise<void>> {
    const limits = await this.limits(projectId);
    const before = await overQuotaAsForbidden(() => this.ledger.change(projectId, serverId, { cores: flavor.vcpus, ram: flavor.ram }, limits));
    return () => this.ledger.restore(projectId, serverId, before);
  }

  /**
   * A confirm (`undo: false`) or revert (`undo: true`) of the server's open resize: a revert counts the
   * old flavor's cores and RAM again (403 as a resize when that growth passes a limit: a revert of a
   * downsize), a confirm keeps the new ones. Returns the undo for a pod that refuses; nothing changes
   * for a resize the top did not see.
   */
  async settleResize(projectId: string, serverId: string, undo: boolean): Promise<() => Promise<void>> {
    const limits = await this.limits(projectId);
    const before = await overQuotaAsForbidden(() => this.ledger.settleChange(projectId, serverId, undo ? 'undo' : 'keep', limits));
    return async () => {
      if (before) await this.ledger.restore(projectId, serverId, before);
    };
  }

  /** The boot made `serverIds` (they hold the claim), or nothing (undefined: the claim is released). */
  async settleClaim(claim: Claim, serverIds: readonly string[] | undefined): Promise<void> {
    if (serverIds === undefined) await this.ledger.release(claim);
    else await this.ledger.hold(claim, serverIds);
  }

  private target(call: NovaCall, tenantId: string, rule: string): void {
    if (tenantId !== call.ctx.projectId) requireAdmin(this.policy, call.ctx, rule);
  }

  async show(call: NovaCall, tenantId: string, detail: boolean): Promise<Record<string, unknown>> {
    this.target(call, tenantId, detail ? 'os_compute_api:os-quota-sets:detail' : 'os_compute_api:os-quota-sets:show');
    const limits = await this.limits(tenantId);
    const out: Record<string, unknown> = { id: tenantId };
    let used: TopUsage | undefined;
    let keypairs = 0;
    if (detail) {
      used = await this.used(tenantId);
      const userId = qLast(call.query, 'user_id') ?? call.ctx.userId;
      const n = await this.db.kysely
        .selectFrom('nova_keypairs')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('user_id', '=', userId)
        .executeTakeFirstOrThrow();
      keypairs = Number(n.n);
    }
    for (const key of visibleQuotas(call.version)) {
      if (!detail) {
        out[key] = limits[key];
        continue;
      }
      const inUse = key === 'key_pairs' ? keypairs : key in used! ? Number((used as unknown as Record<string, number>)[key]) : 0;
      out[key] = { in_use: inUse, limit: limits[key], reserved: 0 };
    }
    return out;
  }

  async defaults(call: NovaCall, tenantId: string): Promise<Record<string, unknown>> {
    const defaults = await this.classLimits();
    const out: Record<string, unknown> = { id: tenantId };
    for (const key of visibleQuotas(call.version)) out[key] = defaults[key];
    return out;
  }

  async update(call: NovaCall<QuotaUpdateBody>, tenantId: string): Promise<Record<string, unknown>> {
    requireAdmin(this.policy, call.ctx, 'os_compute_api:os-quota-sets:update');
    const keys = visibleQuotas(call.version);
    const given = call.body.quota_set;
    const values = Object.entries(given)
      .filter(([k]) => k !== 'force')
      .map(([k, v]) => [k, Number(v)] as const);
    for (const [k, v] of values) if (v < -1) throw badRequest(`Quota limit ${v} for ${k} must be -1 or greater.`);
    await this.db.kysely.transaction().execute(async (trx) => {
      for (const [resource, hard] of values) {
        await trx.deleteFrom('nova_quotas').where('project_id', '=', tenantId).where('resource', '=', resource).execute();
        await trx.insertInto('nova_quotas').values({ project_id: tenantId, resource, hard_limit: hard }).execute();
      }
    });
    const limits = await this.limits(tenantId);
    return Object.fromEntries(keys.map((k) => [k, limits[k]]));
  }

  async reset(call: NovaCall, tenantId: string): Promise<void> {
    requireAdmin(this.policy, call.ctx, 'os_compute_api:os-quota-sets:delete');
    await this.db.kysely.deleteFrom('nova_quotas').where('project_id', '=', tenantId).execute();
  }

  /** `GET /limits`: the project's absolute limits with its usage, both from the top. */
  async absoluteLimits(call: NovaCall): Promise<Record<string, number>> {
    const tenant = qLast(call.query, 'tenant_id');
    const projectId = tenant !== undefined && tenant !== call.ctx.projectId && call.ctx.isAdmin ? tenant : call.ctx.projectId;
    const limits = await this.limits(projectId);
    const used = await this.used(projectId);
    const v = call.version;
    const absolute: Record<string, number> = {};
    if (v.lt('2.39')) absolute.maxImageMeta = limits.metadata_items;
    if (v.lt('2.57')) {
      absolute.maxPersonality = limits.injected_files;
      absolute.maxPersonalitySize = limits.injected_file_content_bytes;
    }
    if (v.lt('2.36')) {
      absolute.maxSecurityGroupRules = limits.security_group_rules;
      absolute.maxSecurityGroups = limits.security_groups;
    }
    absolute.maxServerMeta = limits.metadata_items;
    absolute.maxTotalCores = limits.cores;
    if (v.lt('2.36')) absolute.maxTotalFloatingIps = limits.floating_ips;
    absolute.maxTotalInstances = limits.instances;
    absolute.maxTotalKeypairs = limits.key_pairs;
    absolute.maxTotalRAMSize = limits.ram;
    absolute.maxServerGroups = limits.server_groups;
    absolute.maxServerGroupMembers = limits.server_group_members;
    absolute.totalCoresUsed = used.cores;
    absolute.totalInstancesUsed = used.instances;
    absolute.totalRAMUsed = used.ram;
    if (v.lt('2.36')) {
      absolute.totalSecurityGroupsUsed = 0;
      absolute.totalFloatingIpsUsed = 0;
    }
    absolute.totalServerGroupsUsed = used.server_groups;
    return absolute;
  }
}
