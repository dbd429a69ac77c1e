import { ApiError } from '../../common/index.js';
import type { Db, Trx } from '../../db/index.js';
import { ClaimLedger, QuotaExceeded, QuotaLimits, type Claim } from '../../quotas/index.js';
import type { RoutingTable } from '../../routing/index.js';
import { VOLUME } from '../volumes/placement.js';

/** Cinder's default limits for what the top enforces. */
export const VOLUME_QUOTA_DEFAULTS: Record<string, number> = { volumes: 10, gigabytes: 1000 };

/** Cinder's built-in defaults of every quota that is not per volume type (those default to -1, unlimited). */
export const CINDER_QUOTA_DEFAULTS: Record<string, number> = {
  ...VOLUME_QUOTA_DEFAULTS,
  snapshots: 10,
  backups: 10,
  backup_gigabytes: 1000,
  groups: 10,
  per_volume_gigabytes: -1,
};

/**
 * Quota classes are stored as pseudo-projects of `quota_limits` (a key no project id takes; class
 * names reach the service through a path parameter of at most 100 characters, so the key fits).
 */
export const quotaClassKey = (name: string) => `quota-class:${name}`;

/** The longest quota name the top can store (`quota_limits.resource`). */
export const MAX_QUOTA_NAME = 64;

const pick = (from: Record<string, number>, keys: string[]) => Object.fromEntries(keys.filter((k) => k in from).map((k) => [k, from[k]]));

/**
 * Volumes and gigabytes as limits enforced at the top (src/quotas): a create claims before its pod is
 * asked, usage is what volumes with routing entries hold. The limits are the top's: set with
 * `PUT /os-quota-sets/{project}` (which also sets them in every pod), else the `default` quota class's
 * (`PUT /os-quota-class-sets/default`, top-owned), else Cinder's defaults.
 */
export class VolumeQuotas {
  private readonly ledger: ClaimLedger;
  readonly limits: QuotaLimits;

  constructor(db: Db, routings: RoutingTable) {
    this.limits = new QuotaLimits(db, 'volume', VOLUME_QUOTA_DEFAULTS);
    this.ledger = new ClaimLedger(db, 'volume', {
      alive: async (ids) => new Set((await routings.findByTops(VOLUME, ids)).map((r) => r.topId)),
    });
  }

  /** What the `default` quota class stores (only what was set; Cinder's built-in defaults are not included). */
  defaultClass(): Promise<Record<string, number>> {
    return this.limits.stored(quotaClassKey('default'));
  }

  /** The defaults of every project's volumes and gigabytes: Cinder's, overridden by the `default` quota class. */
  async defaults(): Promise<Record<string, number>> {
    return { ...VOLUME_QUOTA_DEFAULTS, ...pick(await this.defaultClass(), Object.keys(VOLUME_QUOTA_DEFAULTS)) };
  }

  /** The project's volumes and gigabytes limits: its own, else the `default` class's, else Cinder's. */
  async limitsOf(projectId: string): Promise<Record<string, number>> {
    const keys = Object.keys(VOLUME_QUOTA_DEFAULTS);
    const [defaults, own] = await Promise.all([this.defaults(), this.limits.stored(projectId)]);
    return { ...defaults, ...pick(own, keys) };
  }

  /** Claims one volume of `sizeGb`; 413 as Cinder when a limit would be passed. */
  async claimVolume(projectId: string, sizeGb: number): Promise<Claim> {
    const limits = await this.limitsOf(projectId);
    try {
      return await this.ledger.claim(projectId, { volumes: 1, gigabytes: sizeGb }, limits, { min: 1, max: 1 });
    } catch (err) {
      if (!(err instanceof QuotaExceeded)) throw err;
      if (err.resource === 'gigabytes') {
        throw new ApiError(
          413,
          `VolumeSizeExceedsAvailableQuota: Requested volume or snapshot exceeds allowed gigabytes quota. Requested ${sizeGb}G, quota is ${err.limit}G and ${err.used}G has been consumed.`,
        );
      }
      throw new ApiError(413, `VolumeLimitExceeded: Maximum number of volumes allowed (${err.limit}) exceeded for quota 'volumes'.`);
    }
  }

  /** The create made volume `id` of `sizeGb` (it holds the claim), or nothing (undefined: released). */
  async settle(projectId: string, claim: Claim, made: { id: string; sizeGb: number; claimedGb: number } | undefined): Promise<void> {
    if (!made) return this.ledger.release(claim);
    await this.ledger.hold(claim, [made.id]);
    if (made.sizeGb !== made.claimedGb) await this.ledger.adjust(projectId, made.id, 'gigabytes', made.sizeGb);
  }

  /**
   * An extend to `newSizeGb`: the volume counts its new size before its pod is asked (413 as Cinder when
   * the growth passes the gigabytes limit). Returns the undo for a pod that refuses.
   */
  async extend(projectId: string, volumeId: string, newSizeGb: number): Promise<() => Promise<void>> {
    const limits = await this.limitsOf(projectId);
    try {
      const before = await this.ledger.adjust(projectId, volumeId, 'gigabytes', newSizeGb, limits.gigabytes ?? -1);
      return async () => {
        await this.ledger.adjust(projectId, volumeId, 'gigabytes', before);
      };
    } catch (err) {
      if (!(err instanceof QuotaExceeded)) throw err;
      throw new ApiError(
        413,
        `VolumeSizeExceedsAvailableQuota: Requested volume or snapshot exceeds allowed gigabytes quota. Requested ${err.requested}G, quota is ${err.limit}G and ${err.used}G has been consumed.`,
      );
    }
  }

  /** The pod accepted the volume's deletion: it counts no more (Cinder releases at deletion too). */
  released(volumeId: string): Promise<void> {
    return this.ledger.releaseHolder(volumeId);
  }

  /** The volume was transferred: its volume and gigabytes count for the new project (in the accept's transaction). */
  transferred(volumeId: string, projectId: string, trx?: Trx): Promise<void> {
    return this.ledger.moveHolder(volumeId, projectId, trx);
  }

  /** Volumes and gigabytes in use by the project, from the top's claims. */
  usage(projectId: string): Promise<Record<string, number>> {
    return this.ledger.usage(projectId);
  }
}
