/**
 * Type drivers: the one segment of each top network. `local` networks have no segmentation id and live
 * in one pod; `vlan` networks hold one VLAN id on one physical network, the same in every pod they
 * span; `flat` networks hold a whole physical network (spanning pods like vlan); `vxlan` networks hold
 * one VNI and live in one pod (no L2 gateway joins VXLAN segments across pods). Held segments are rows
 * of segment_allocations, whose key makes a double allocation impossible; the ids are drawn from the
 * network segment ranges (segmentRanges/).
 */
import type { Db } from '../db/index.js';
import { conflict, invalidInput, noNetworkAvailable } from './errors.js';
import type { NetworkSettings, NetworkType } from './settings.js';
import { segmentRanges, type UsableRange } from './segmentRanges/ranges.js';
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

/** The largest segmentation id of each segmented type. */
export const SEGMENT_ID_MAX: Record<string, number> = { vlan: 4094, vxlan: 2 ** 24 - 1 };

/** Checks a provider request against the configured drivers, as ML2's type drivers do. `physnets`: the known physical networks. */
export function validateProviderRequest(settings: NetworkSettings, req: ProviderRequest, physnets: Set<string>): ProviderRequest {
  const physnet = req.physicalNetwork ?? null;
  const segId = req.segmentationId ?? null;
  const type = req.networkType;
  if (type === undefined) throw invalidInput('network_type required');
  if (!(settings.typeDrivers as string[]).includes(type)) throw invalidInput(`network_type value '${type}' not supported`);
  if (type === 'local') {
    if (physnet !== null) throw invalidInput('physical_network prohibited for local provider network');
    if (segId !== null) throw invalidInput('segmentation_id prohibited for local provider network');
  } else if (type === 'flat') {
    if (segId !== null) throw invalidInput('segmentation_id prohibited for flat provider network');
    if (physnet === null) throw invalidInput('physical_network required for flat provider network');
    if (!settings.flatNetworks.includes('*') && !settings.flatNetworks.includes(physnet)) throw invalidInput(`physical_network '${physnet}' unknown for flat provider network`);
  } else if (type === 'vlan') {
    if (physnet !== null && !physnets.has(physnet)) throw invalidInput(`physical_network '${physnet}' unknown for VLAN provider network`);
    if (segId !== null) {
      if (physnet === null) throw invalidInput('segmentation_id requires physical_network for VLAN provider network');
      if (segId < 1 || segId > 4094) throw invalidInput('segmentation_id out of range (1 through 4094)');
    }
  } else if (type === 'vxlan') {
    if (physnet !== null) throw invalidInput('provider:physical_network specified for VXLAN network');
    if (segId !== null && (segId < 1 || segId > SEGMENT_ID_MAX.vxlan)) throw invalidInput(`segmentation_id out of range (1 through ${SEGMENT_ID_MAX.vxlan})`);
  }
  return { networkType: type, physicalNetwork: physnet, segmentationId: segId };
}

/** How many candidates an allocation picks among at random, to keep concurrent creates apart. */
const SPREAD = 16;

/** The key column of a type's allocations: VXLAN has no physical network, flat no id. */
const keyPhysnet = (type: string, physnet: string | null) => (type === 'vxlan' ? '' : (physnet ?? ''));

/**
 * Reserves the segment of a new network: the requested one (admin provider attributes), or one of
 * the first tenant network type that has a free segment. `projectId`: the network's project, whose
 * own segment ranges are tried before the shared ones.
 */
export async function allocateSegment(db: Db, trx: Trx, settings: NetworkSettings, networkId: string, req: ProviderRequest | undefined, projectId?: string): Promise<Segment> {
  if (req && hasProviderAttributes(req)) {
    const ranges = await segmentRanges(db, trx, settings, req.networkType ?? '', projectId);
    const r = validateProviderRequest(settings, req, new Set([...settings.vlanRanges.keys(), ...ranges.map((x) => x.physnet ?? '')]));
    const type = r.networkType as NetworkType;
    if (type === 'local') return { networkType: 'local', physicalNetwork: null, segmentationId: null };
    if (type === 'flat') return reserve(db, trx, networkId, 'flat', r.physicalNetwork!, 0);
    if (r.segmentationId != null) return reserve(db, trx, networkId, type, r.physicalNetwork ?? null, r.segmentationId);
    const seg = await allocateFromRanges(
      db,
      trx,
      networkId,
      type,
      ranges.filter((x) => r.physicalNetwork == null || x.physnet === r.physicalNetwork),
    );
    if (!seg) throw noNetworkAvailable();
    return seg;
  }
  for (const type of settings.tenantNetworkTypes) {
    if (type === 'local') return { networkType: 'local', physicalNetwork: null, segmentationId: null };
    if (type === 'flat') continue;
    const seg = await allocateFromRanges(db, trx, networkId, type, await segmentRanges(db, trx, settings, type, projectId));
    if (seg) return seg;
  }
  throw noNetworkAvailable();
}

async function owner(trx: Trx, type: string, physnet: string, id: number): Promise<string | undefined> {
  const row = await trx
    .selectFrom('segment_allocations')
    .select('network_id')
    .where('network_type', '=', type)
    .where('physical_network', '=', physnet)
    .where('segmentation_id', '=', id)
    .executeTakeFirst();
  return row?.network_id;
}

async function reserve(db: Db, trx: Trx, networkId: string, type: NetworkType, physnet: string | null, id: number): Promise<Segment> {
  const key = keyPhysnet(type, physnet);
  await insertUnlessTaken(db, trx, 'segment_allocations', { network_type: type, physical_network: key, segmentation_id: id, network_id: networkId });
  if ((await owner(trx, type, key, id)) !== networkId) {
    if (type === 'flat') throw conflict.flatInUse(physnet!);
    if (type === 'vxlan') throw conflict.tunnelIdInUse(id);
    throw conflict.vlanInUse(id, physnet!);
  }
  return { networkType: type, physicalNetwork: type === 'vxlan' ? null : physnet, segmentationId: type === 'flat' ? null : id };
}

/** A free segment of `type` from `ranges` (in order); undefined when none is left. */
async function allocateFromRanges(db: Db, trx: Trx, networkId: string, type: NetworkType, ranges: UsableRange[]): Promise<Segment | undefined> {
  if (ranges.length === 0) return undefined;
  const physnets = [...new Set(ranges.map((r) => keyPhysnet(type, r.physnet)))];
  const lost = new Set<string>();
  for (;;) {
    const rows = await trx
      .selectFrom('segment_allocations')
      .select(['physical_network', 'segmentation_id'])
      .where('network_type', '=', type)
      .where('physical_network', 'in', physnets)
      .execute();
    const taken = new Set(rows.map((r) => `${r.physical_network}:${Number(r.segmentation_id)}`));
    const candidates: [string, number][] = [];
    // Ranges are tried in order (a project's own before the shared ones): candidates come from the
    // first range with a free id only.
    for (const range of ranges) {
      const p = keyPhysnet(type, range.physnet);
      for (let v = range.min; v <= range.max && candidates.length < SPREAD; v++) {
        const key = `${p}:${v}`;
        if (!taken.has(key) && !lost.has(key)) candidates.push([p, v]);
      }
      if (candidates.length) break;
    }
    if (candidates.length === 0) return undefined;
    const [p, v] = candidates[Math.floor(Math.random() * candidates.length)];
    await insertUnlessTaken(db, trx, 'segment_allocations', { network_type: type, physical_network: p, segmentation_id: v, network_id: networkId });
    if ((await owner(trx, type, p, v)) === networkId) return { networkType: type, physicalNetwork: type === 'vxlan' ? null : p, segmentationId: v };
    lost.add(`${p}:${v}`);
  }
}

/** Gives back the segments a deleted network held, and drops its segment rows. */
export async function releaseSegments(trx: Trx, networkId: string): Promise<void> {
  await trx.deleteFrom('segment_allocations').where('network_id', '=', networkId).execute();
  await trx.deleteFrom('network_segments').where('network_id', '=', networkId).execute();
}

/** Network types whose networks live in one pod only: `local`, and `vxlan` (no L2 gateway between pods). */
export const isPodLocalType = (networkType: string | null): boolean => networkType === 'local' || networkType === 'vxlan';

/**
 * Whether a network may be created in `podId` given the pods it already lives in: a local network
 * stays in its first pod. Returns the reason when it may not.
 */
export function podRefusal(networkType: string | null, presentInPods: string[], podId: string): string | undefined {
  if (isPodLocalType(networkType) && presentInPods.length > 0 && !presentInPods.includes(podId)) {
    return `a ${networkType} network lives in one pod only, and this one already exists in another pod`;
  }
  return undefined;
}
