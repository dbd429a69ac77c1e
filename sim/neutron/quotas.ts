// Quotas of the quotasv2 extension. The simulated pod is deployed with every default at -1
// (unlimited, as `quota_* = -1` in neutron.conf); limits set per project through the API are enforced
// when resources are created through the API, with upstream's OverQuota error.
import type { Body } from './attributes.js';
import type { Neutron } from './core.js';
import { badRequest, invalidAttr, pyRepr } from './errors.js';
import { toInt } from './query.js';
import { SimServiceError } from '../types.js';

export const QUOTA_RESOURCES = ['floatingip', 'network', 'port', 'rbac_policy', 'router', 'security_group', 'security_group_rule', 'subnet', 'subnetpool'] as const;

export type QuotaResource = (typeof QUOTA_RESOURCES)[number];
export type Quota = Record<QuotaResource, number>;

export class QuotaService {
  /** Limits set through the API, by project. */
  private readonly overrides = new Map<string, Partial<Quota>>();

  constructor(private readonly n: Neutron) {}

  defaults(): Quota {
    return Object.fromEntries(QUOTA_RESOURCES.map((r) => [r, -1])) as Quota;
  }

  get(projectId: string): Quota {
    return { ...this.defaults(), ...(this.overrides.get(projectId) ?? {}) };
  }

  /** Projects with limits set (GET /v2.0/quotas lists only these, as upstream). */
  projects(): string[] {
    return [...this.overrides.keys()];
  }

  update(projectId: string, body: unknown): Quota {
    const quota = (body as Body | null)?.quota;
    if (typeof quota !== 'object' || quota === null || Array.isArray(quota)) {
      throw badRequest("Unable to find 'quota' in request body");
    }
    const changes: Partial<Quota> = {};
    for (const [key, value] of Object.entries(quota as Body)) {
      if (key === 'force' || key === 'check_limit') continue;
      if (!(QUOTA_RESOURCES as readonly string[]).includes(key)) throw badRequest(`Unrecognized attribute(s) '${key}'`);
      const limit = toInt(value);
      if (limit < -1) throw invalidAttr(key, `'${limit}' is too small - must be at least '-1'`);
      changes[key as QuotaResource] = limit;
    }
    this.overrides.set(projectId, { ...(this.overrides.get(projectId) ?? {}), ...changes });
    return this.get(projectId);
  }

  reset(projectId: string): void {
    this.overrides.delete(projectId);
  }

  used(projectId: string, resource: QuotaResource): number {
    const s = this.n.state;
    const count = (m: Map<string, { project_id: string }>): number => {
      let c = 0;
      for (const rec of m.values()) if (rec.project_id === projectId) c++;
      return c;
    };
    switch (resource) {
      case 'network':
        return count(s.networks);
      case 'subnet':
        return count(s.subnets);
      case 'port':
        return count(s.ports);
      case 'router':
        return count(s.routers);
      case 'floatingip':
        return count(s.floatingips);
      case 'security_group':
        return count(s.securityGroups);
      case 'security_group_rule':
        return count(s.securityGroupRules);
      default:
        return 0;
    }
  }

  details(projectId: string): Record<QuotaResource, { limit: number; used: number; reserved: number }> {
    const q = this.get(projectId);
    return Object.fromEntries(QUOTA_RESOURCES.map((r) => [r, { limit: q[r], used: this.used(projectId, r), reserved: 0 }])) as Record<
      QuotaResource,
      { limit: number; used: number; reserved: number }
    >;
  }

  /** Refuses a creation that took a project beyond its limit (called inside the creating transaction). */
  enforce(projectId: string, resource: QuotaResource): void {
    const limit = this.get(projectId)[resource];
    if (limit >= 0 && this.used(projectId, resource) > limit) {
      throw new SimServiceError(409, `Quota exceeded for resources: ${pyRepr([resource])}.`, 'OverQuota');
    }
  }
}
