import { createHash } from 'node:crypto';
import { badRequest, notFound } from '../common/index.js';
import type { Pod } from '../pods/index.js';
import type { PolicyEnforcer } from '../policy/index.js';
import { requireAdmin, type NovaCall } from './call.js';
import type { PodDirectory } from './podDirectory.js';

const isoMicro = (ms: number) => new Date(ms).toISOString().replace('Z', '000');
const usable = (p: Pod) => !p.disabled && p.health !== 'down';

function byZone(pods: Pod[]): Map<string, Pod[]> {
  const zones = new Map<string, Pod[]>();
  for (const p of pods) zones.set(p.azName, [...(zones.get(p.azName) ?? []), p]);
  return new Map([...zones].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * The top region's availability zones (`os-availability-zone`) and host aggregates (`os-aggregates`),
 * both derived from the registered pods: one zone, and one aggregate, per top AZ, whose "hosts" are
 * the pods in it. Pods are managed through the Admin API, so aggregates are read-only here.
 */
export class ZoneService {
  constructor(
    private readonly pods: PodDirectory,
    private readonly policy: PolicyEnforcer,
  ) {}

  async availabilityZones(call: NovaCall, detail: boolean): Promise<Record<string, unknown>> {
    if (detail) requireAdmin(this.policy, call.ctx, 'os_compute_api:os-availability-zone:detail');
    const zones = byZone(await this.pods.bottom());
    return {
      availabilityZoneInfo: [...zones].map(([zoneName, pods]) => ({
        zoneName,
        zoneState: { available: pods.some(usable) },
        hosts: detail
          ? Object.fromEntries(pods.map((p) => [p.regionName, { 'nova-compute': { available: usable(p), active: !p.disabled, updated_at: isoMicro(p.updatedAt) } }]))
          : null,
      })),
    };
  }

  private view(call: NovaCall, az: string, pods: Pod[]): Record<string, unknown> {
    const digest = createHash('sha1').update(`tricircle-aggregate:${az}`).digest();
    const hex = digest.toString('hex');
    const out: Record<string, unknown> = {
      availability_zone: az,
      created_at: isoMicro(Math.min(...pods.map((p) => p.createdAt))),
      deleted: false,
      deleted_at: null,
      hosts: pods.map((p) => p.regionName),
      id: aggregateId(az),
      metadata: { availability_zone: az },
      name: az,
      updated_at: null,
    };
    if (call.version.ge('2.41')) {
      out.uuid = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
    }
    return out;
  }

  async listAggregates(call: NovaCall): Promise<Record<string, unknown>[]> {
    requireAdmin(this.policy, call.ctx, 'os_compute_api:os-aggregates:index');
    return [...byZone(await this.pods.bottom())].map(([az, pods]) => this.view(call, az, pods));
  }

  async getAggregate(call: NovaCall, id: string): Promise<Record<string, unknown>> {
    requireAdmin(this.policy, call.ctx, 'os_compute_api:os-aggregates:show');
    for (const [az, pods] of byZone(await this.pods.bottom())) {
      if (String(aggregateId(az)) === id) return this.view(call, az, pods);
    }
    throw notFound(`Aggregate ${id} could not be found.`);
  }

  /** Creating, changing or deleting aggregates: refused, they follow the pods. */
  async refuseChange(call: NovaCall, rule: string): Promise<never> {
    requireAdmin(this.policy, call.ctx, rule);
    throw badRequest("Aggregates are derived from the pods' availability zones: register, change or remove pods through the Tricircle Admin API.");
  }
}

/** A stable positive integer id for the aggregate of an AZ. */
export function aggregateId(az: string): number {
  return createHash('sha1').update(`tricircle-aggregate:${az}`).digest().readUInt32BE(0) & 0x7fffffff;
}
