// In-memory store of the simulated Cinder: volumes, volume types and quota limits of one pod.
import { randomUUID } from 'node:crypto';
import type { SimCaller } from '../types.js';
import { SimServiceError } from '../types.js';
import { DEFAULT_CINDER_QUOTAS, DEFAULT_TYPE_NAME, type CinderQuota, type Volume, type VolumeType } from './model.js';

export class CinderState {
  readonly volumes = new Map<string, Volume>();
  readonly types = new Map<string, VolumeType>();
  readonly quotas = new Map<string, Partial<CinderQuota>>();
  readonly qosSpecs = new Map<string, { id: string; name: string; consumer: string; specs: Record<string, string> }>();
  /** Per-type quota overrides (`volumes_<type>`, ...), by project. */
  readonly typeQuotas = new Map<string, Record<string, number>>();
  readonly defaultType: VolumeType;
  private volumeSeq = 0;

  constructor() {
    this.defaultType = {
      id: randomUUID(),
      name: DEFAULT_TYPE_NAME,
      description: 'Default Volume Type',
      isPublic: true,
      extraSpecs: {},
      access: new Set(),
    };
    this.types.set(this.defaultType.id, this.defaultType);
  }

  nextVolumeSeq(): number {
    return ++this.volumeSeq;
  }

  /** A volume as the caller may see it; 404 "Volume X could not be found." */
  volumeFor(id: string, caller: SimCaller): Volume {
    const v = this.volumes.get(id);
    if (!v || (!caller.isAdmin && v.projectId !== caller.projectId)) {
      throw new SimServiceError(404, `Volume ${id} could not be found.`);
    }
    return v;
  }

  typeVisible(t: VolumeType, caller: SimCaller): boolean {
    return t.isPublic || caller.isAdmin || t.access.has(caller.projectId);
  }

  /** A type by id; 404 "Volume type X could not be found." */
  typeFor(id: string, caller: SimCaller): VolumeType {
    const t = this.types.get(id);
    if (!t || !this.typeVisible(t, caller)) throw new SimServiceError(404, `Volume type ${id} could not be found.`);
    return t;
  }

  /** A type by name or id; 404 "Volume type with name X could not be found." */
  typeByNameOrId(ref: string, caller: SimCaller): VolumeType {
    const byId = this.types.get(ref);
    if (byId && this.typeVisible(byId, caller)) return byId;
    for (const t of this.types.values()) if (t.name === ref && this.typeVisible(t, caller)) return t;
    throw new SimServiceError(404, `Volume type with name ${ref} could not be found.`);
  }

  quotaLimits(projectId: string): CinderQuota {
    return { ...DEFAULT_CINDER_QUOTAS, ...(this.quotas.get(projectId) ?? {}) };
  }

  usage(projectId: string): { volumes: number; gigabytes: number; byType: Map<string, { volumes: number; gigabytes: number }> } {
    let volumes = 0;
    let gigabytes = 0;
    const byType = new Map<string, { volumes: number; gigabytes: number }>();
    for (const v of this.volumes.values()) {
      if (v.projectId !== projectId) continue;
      volumes += 1;
      gigabytes += v.size;
      const t = byType.get(v.volumeTypeId) ?? { volumes: 0, gigabytes: 0 };
      t.volumes += 1;
      t.gigabytes += v.size;
      byType.set(v.volumeTypeId, t);
    }
    return { volumes, gigabytes, byType };
  }
}
