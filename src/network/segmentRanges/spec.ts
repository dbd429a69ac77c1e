/**
 * `/v2.0/network_segment_ranges` (extension network-segment-range): Tricircle's own VLAN and VXLAN id
 * ranges, which the top allocates tenant networks' segments from (segments.ts). Admin only, as
 * upstream's policy. Default ranges come from configuration and are read-only; a range cannot
 * shrink past, or be deleted while, networks hold segments in it.
 */
import { ApiError } from '../../common/index.js';
import { invalidInput } from '../errors.js';
import { toBool, toInt, toStr } from '../input.js';
import { SEGMENT_ID_MAX } from '../segments.js';
import type { NetworkSettings } from '../settings.js';
import type { Row, SimpleResourceSpec } from '../simple/spec.js';
import type { Trx } from '../tx.js';

const RANGE_TYPES = ['vlan', 'vxlan'];

const rangeFault = (status: number, type: string, message: string) => new ApiError(status, message, type);

async function allocationsIn(trx: Trx, row: Row, min: number, max: number): Promise<{ id: number; project: string }[]> {
  const rows = await trx
    .selectFrom('segment_allocations')
    .innerJoin('networks', 'networks.id', 'segment_allocations.network_id')
    .select(['segment_allocations.segmentation_id', 'networks.project_id'])
    .where('segment_allocations.network_type', '=', String(row.network_type))
    .where('segment_allocations.physical_network', '=', row.network_type === 'vxlan' ? '' : String(row.physical_network ?? ''))
    .where('segment_allocations.segmentation_id', '>=', min)
    .where('segment_allocations.segmentation_id', '<=', max)
    .execute();
  return rows.map((r) => ({ id: Number(r.segmentation_id), project: r.project_id }));
}

function checkBounds(row: Row): void {
  const [min, max] = [Number(row.minimum), Number(row.maximum)];
  const top = SEGMENT_ID_MAX[String(row.network_type)];
  if (min < 1 || min > top) throw invalidInput(`minimum out of range (1 through ${top})`);
  if (max < 1 || max > top) throw invalidInput(`maximum out of range (1 through ${top})`);
  if (min > max) throw invalidInput(`minimum ${min} is greater than maximum ${max}`);
}

export function segmentRangeSpec(settings: NetworkSettings, sync: (trx?: Trx) => Promise<void>): SimpleResourceSpec {
  return {
    resource: 'network_segment_range',
    collection: 'network_segment_ranges',
    path: 'network_segment_ranges',
    table: 'network_segment_ranges',
    policyName: 'network_segment_range',
    project: 'nullable',
    standard: true,
    tagType: 'network_segment_ranges',
    visibility: 'admin',
    create: 'admin',
    modify: 'admin',
    ready: sync,
    notFound: (id) => rangeFault(404, 'NetworkSegmentRangeNotFound', `Network Segment Range ${id} could not be found.`),
    fields: {
      name: { kind: 'string', put: true, convert: toStr(255), default: '' },
      default: { kind: 'bool', column: 'is_default', post: false, default: false },
      shared: { kind: 'bool', convert: toBool, default: true },
      network_type: { kind: 'string', required: true, convert: toStr(255) },
      physical_network: { kind: 'string', convert: (v, a) => (v === null ? null : toStr(64)(v, a)), default: null },
      minimum: { kind: 'int', required: true, put: true, convert: toInt },
      maximum: { kind: 'int', required: true, put: true, convert: toInt },
    },
    async beforeCreate(_ctx, row) {
      const type = String(row.network_type);
      if (!RANGE_TYPES.includes(type) || !(settings.typeDrivers as string[]).includes(type)) throw invalidInput(`network_type value '${type}' not supported`);
      if (type === 'vlan' && row.physical_network == null) throw invalidInput('physical_network is required for vlan provider network segment range');
      if (type !== 'vlan' && row.physical_network != null) throw invalidInput(`physical_network prohibited for ${type} provider network segment range`);
      if (row.shared === false && row.project_id == null) throw invalidInput('project_id is required for a network segment range that is not shared');
      if (row.shared !== false && row.project_id != null) throw invalidInput('project_id cannot be given for a shared network segment range');
      checkBounds(row);
    },
    async beforeUpdate({ trx }, row, before) {
      if (before.is_default)
        throw rangeFault(400, 'NetworkSegmentRangeDefaultReadOnly', `Network Segment Range ${row.id} is a default segment range which could not be updated or deleted.`);
      checkBounds(row);
      const held = await allocationsIn(trx, before, Number(before.minimum), Number(before.maximum));
      const outside = held.filter((h) => h.id < Number(row.minimum) || h.id > Number(row.maximum));
      if (outside.length) {
        throw rangeFault(409, 'NetworkSegmentRangeReferencedByProject', `Network Segment Range ${row.id} is referenced by one or more tenant networks.`);
      }
    },
    async beforeDelete({ trx }, row) {
      if (row.is_default)
        throw rangeFault(400, 'NetworkSegmentRangeDefaultReadOnly', `Network Segment Range ${row.id} is a default segment range which could not be updated or deleted.`);
      if ((await allocationsIn(trx, row, Number(row.minimum), Number(row.maximum))).length) {
        throw rangeFault(409, 'NetworkSegmentRangeReferencedByProject', `Network Segment Range ${row.id} is referenced by one or more tenant networks.`);
      }
    },
    async decorate(trx, rows) {
      const out = new Map<string, Record<string, unknown>>();
      for (const row of rows) {
        const [min, max] = [Number(row.minimum), Number(row.maximum)];
        const held = await allocationsIn(trx, row, min, max);
        const used: Record<string, string> = {};
        for (const h of held) used[String(h.id)] = h.project;
        const available: number[] = [];
        for (let v = min; v <= max; v++) if (!(String(v) in used)) available.push(v);
        out.set(row.id, { available, used });
      }
      return out;
    },
  };
}
