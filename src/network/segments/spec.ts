/**
 * `/v2.0/segments` (extension segment): the segment of each top network, as a resource. A Tricircle
 * network has at most one segment (the same in every pod it spans), so a segment can be created only
 * on a network without one (an external network made without provider attributes); multi-segment
 * (routed) networks are refused with 400. Creating allocates the segment as provider attributes would;
 * deleting gives it back, refused (409 SegmentInUse) while the network has ports. Admin only, as
 * upstream's policy.
 */
import { ApiError } from '../../common/index.js';
import type { Db } from '../../db/index.js';
import { badRequest, notFound } from '../errors.js';
import { toInt, toStr, toUuid } from '../input.js';
import { allocateSegment, releaseSegments } from '../segments.js';
import type { NetworkSettings } from '../settings.js';
import type { SimpleResourceSpec } from '../simple/spec.js';

const nullableStr = (max: number) => (v: unknown, a: string) => (v === null ? null : toStr(max)(v, a));

export function segmentSpec(db: Db, settings: NetworkSettings): SimpleResourceSpec {
  return {
    resource: 'segment',
    collection: 'segments',
    path: 'segments',
    table: 'network_segments',
    policyName: 'segment',
    project: false,
    standard: true,
    tagType: 'segments',
    visibility: 'admin',
    create: 'admin',
    modify: 'admin',
    notFound: (id) => new ApiError(404, `Segment ${id} could not be found.`, 'SegmentNotFound'),
    fields: {
      network_id: { kind: 'string', required: true, convert: toUuid },
      name: { kind: 'string', put: true, convert: nullableStr(255), default: null },
      description: { kind: 'string', put: true, convert: toStr(255), default: '' },
      network_type: { kind: 'string', required: true, convert: toStr(32) },
      physical_network: { kind: 'string', convert: nullableStr(64), default: null },
      segmentation_id: { kind: 'int', convert: (v, a) => (v === null ? null : toInt(v, a)), default: null },
      segment_index: { kind: 'int', post: false, hidden: true, default: 0 },
    },
    async beforeCreate({ trx }, row) {
      const networkId = String(row.network_id);
      const network = await trx.selectFrom('networks').select(['id', 'project_id', 'network_type']).where('id', '=', networkId).executeTakeFirst();
      if (!network) throw notFound.network(networkId);
      if (network.network_type !== null) {
        throw badRequest(`Network ${networkId} already has a segment; Tricircle networks carry one segment (multi-segment routed networks are not supported)`);
      }
      const seg = await allocateSegment(
        db,
        trx,
        settings,
        networkId,
        { networkType: String(row.network_type), physicalNetwork: (row.physical_network as string | null) ?? null, segmentationId: (row.segmentation_id as number | null) ?? null },
        network.project_id,
      );
      row.network_type = seg.networkType;
      row.physical_network = seg.physicalNetwork;
      row.segmentation_id = seg.segmentationId;
      await trx
        .updateTable('networks')
        .set({ network_type: seg.networkType, physical_network: seg.physicalNetwork, segmentation_id: seg.segmentationId })
        .where('id', '=', networkId)
        .execute();
    },
    async beforeDelete({ trx }, row) {
      const networkId = String(row.network_id);
      const port = await trx.selectFrom('ports').select('id').where('network_id', '=', networkId).executeTakeFirst();
      if (port) throw new ApiError(409, `Segment '${row.id}' cannot be deleted while it is in use by ports of network ${networkId}.`, 'SegmentInUse');
      await releaseSegments(trx, networkId);
      await trx.updateTable('networks').set({ network_type: null, physical_network: null, segmentation_id: null }).where('id', '=', networkId).execute();
    },
  };
}
