/**
 * Type drivers: the one segment of each top network. `local` networks have no segmentation id and live
 * in one pod; `vlan` networks hold one VLAN id on one physical network, the same in every pod they
 * span. VLAN ids are rows of segment_allocations, whose key makes a double allocation impossible.
 */
import type { Db } from '../db/index.js';
import { conflict, invalidInput, noNetworkAvailable } from './errors.js';
import type { NetworkSettings, NetworkType } from './settings.js';
import { insertUnlessTaken, type Trx } from './tx.js';

export interface Segment {
  networkType: NetworkType | null;
  physicalNetwork: string | null;
  segmentationId: number | null;
}

/** The provider attributes of a create request; `undefined` = not given. */
export interface ProviderRequest {
  networkType?: string;
  physicalNetwork?: string | null;
  segmentationId?: number | null;
}

export const NO_SEGMENT: Segment = { networkType: null, physicalNetwork: null, segmentationId: null };

export const hasProviderAttributes = (req: ProviderRequest): boolean =>
  req.networkType !== undefined || (req.physicalNetwork ?? null) !== null || (req.segmentationId ?? null) !== null;

/** Checks a provider request against the configured drivers, as ML2's type drivers do. */
export function validateProviderRequest(settings: NetworkSettings, req: ProviderRequest): ProviderRequest {
  const physnet = req.physicalNetwork ?? null;
  const segId = req.segmentationId ?? null;
  if (req.networkType === undefined) throw invalidInput('network_type required');
  if (!(settings.typeDrivers as string[]).includes(req.networkType)) throw invalidInput(`network_type value '${req.networkType}' not supported`);
  if (req.networkType === 'local') {
    if (physnet !== null) throw invalidInput('physical_network prohibited for local provider network');
    if (segId !== null) throw invalidInput('segmentation_id prohibited for local provider network');
  } else if (req.networkType === 'vlan') {
    if (physnet !== null && !settings.vlanRanges.has(physnet)) throw invalidInput(`physical_network '${physnet}' unknown for VLAN provider network`);
    if (segId !== null) {
      if (physnet === null) throw invalidInput('segmentation_id requires physical_network for VLAN provider network');
      if (segId < 1 || segId > 4094) throw invalidInput('segmentation_id out of range (1 through 4094)');
    }
  }
  return { networkType: req.networkType, physicalNetwork: physnet, segmentationId: segId };
}

/** How many candidates a VLAN allocation picks among at random, to keep concurrent creates apart. */
const SPREAD = 16;

/**
 * Reserves the segment of a new network: the requested one (admin provider attributes), or one of
 * the first tenant network type that has a free segment.
 */
export async function allocateSegment(db: Db, trx: Trx, settings: NetworkSettings, networkId: string, req: ProviderRequest | undefined): Promise<Segment> {
  if (req && hasProviderAttributes(req)) {
    const r = validateProviderRequest(settings, req);
    if (r.networkType === 'local') return { networkType: 'local', physicalNetwork: null, segmentationId: null };
    if (r.segmentationId != null) return reserveVlan(db, trx, networkId, r.physicalNetwork!, r.segmentationId);
    const vlan = await allocateVlan(db, trx, settings, networkId, r.physicalNetwork ?? undefined);
    if (!vlan) throw noNetworkAvailable();
    return vlan;
  }
  for (const type of settings.tenantNetworkTypes) {
    if (type === 'local') return { networkType: 'local', physicalNetwork: null, segmentationId: null };
    const vlan = await allocateVlan(db, trx, settings, networkId);
    if (vlan) return vlan;
  }
  throw noNetworkAvailable();
}

async function owner(trx: Trx, physnet: string, vlan: number): Promise<string | undefined> {
  const row = await trx
    .selectFrom('segment_allocations')
    .select('network_id')
    .where('network_type', '=', 'vlan')
    .where('physical_network', '=', physnet)
    .where('segmentation_id', '=', vlan)
    .executeTakeFirst();
  return row?.network_id;
}

async function reserveVlan(db: Db, trx: Trx, networkId: string, physnet: string, vlan: number): Promise<Segment> {
  await insertUnlessTaken(db, trx, 'segment_allocations', { network_type: 'vlan', physical_network: physnet, segmentation_id: vlan, network_id: networkId });
  if ((await owner(trx, physnet, vlan)) !== networkId) throw conflict.vlanInUse(vlan, physnet);
  return { networkType: 'vlan', physicalNetwork: physnet, segmentationId: vlan };
}

/** A free VLAN from the configured ranges (of one physical network, or of all in order); undefined when none is left. */
async function allocateVlan(db: Db, trx: Trx, settings: NetworkSettings, networkId: string, physnet?: string): Promise<Segment | undefined> {
  const physnets = physnet !== undefined ? [physnet] : [...settings.vlanRanges.keys()];
  const lost = new Set<string>();
  for (;;) {
    const rows = physnets.length
      ? await trx
          .selectFrom('segment_allocations')
          .select(['physical_network', 'segmentation_id'])
          .where('network_type', '=', 'vlan')
          .where('physical_network', 'in', physnets)
          .execute()
      : [];
    const taken = new Set(rows.map((r) => `${r.physical_network}:${Number(r.segmentation_id)}`));
    const candidates: [string, number][] = [];
    outer: for (const p of physnets) {
      for (const range of settings.vlanRanges.get(p) ?? []) {
        for (let v = range.min; v <= range.max; v++) {
          const key = `${p}:${v}`;
          if (taken.has(key) || lost.has(key)) continue;
          candidates.push([p, v]);
          if (candidates.length >= SPREAD) break outer;
        }
      }
    }
    if (candidates.length === 0) return undefined;
    const [p, v] = candidates[Math.floor(Math.random() * candidates.length)];
    await insertUnlessTaken(db, trx, 'segment_allocations', { network_type: 'vlan', physical_network: p, segmentation_id: v, network_id: networkId });
    if ((await owner(trx, p, v)) === networkId) return { networkType: 'vlan', physicalNetwork: p, segmentationId: v };
    lost.add(`${p}:${v}`);
  }
}

/** Gives back the segments a deleted network held. */
export async function releaseSegments(trx: Trx, networkId: string): Promise<void> {
  await trx.deleteFrom('segment_allocations').where('network_id', '=', networkId).execute();
}

/**
 * Whether a network may be created in `podId` given the pods it already lives in: a local network
 * stays in its first pod. Returns the reason when it may not.
 */
export function podRefusal(networkType: string | null, presentInPods: string[], podId: string): string | undefined {
  if (networkType === 'local' && presentInPods.length > 0 && !presentInPods.includes(podId)) {
    return 'a local network lives in one pod only, and this one already exists in another pod';
  }
  return undefined;
}
