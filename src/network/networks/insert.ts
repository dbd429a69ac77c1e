import { randomUUID } from 'node:crypto';
import type { Insertable, RawBuilder } from 'kysely';
import type { Segment } from '../segments.js';
import type { NetworksTable } from '../tables.js';
import type { Trx } from '../tx.js';

/** A new top network's own attributes: what `insertNetwork` does not fill in. */
export type NewNetwork = Omit<Insertable<NetworksTable>, 'network_type' | 'physical_network' | 'segmentation_id' | 'revision_number' | 'created_at' | 'updated_at'>;

/** Inserts a top network on its allocated segment (with the segment's row), at revision 1, created and updated at `now`. */
export async function insertNetwork(trx: Trx, network: NewNetwork, segment: Segment, now: RawBuilder<number>): Promise<void> {
  await trx
    .insertInto('networks')
    .values({
      ...network,
      network_type: segment.networkType,
      physical_network: segment.physicalNetwork,
      segmentation_id: segment.segmentationId,
      revision_number: 1,
      created_at: now,
      updated_at: now,
    })
    .execute();
  if (segment.networkType !== null) {
    await trx
      .insertInto('network_segments')
      .values({
        id: randomUUID(),
        network_id: network.id,
        name: null,
        description: '',
        network_type: segment.networkType,
        physical_network: segment.physicalNetwork,
        segmentation_id: segment.segmentationId,
        segment_index: 0,
        revision_number: 1,
        created_at: now,
        updated_at: now,
      })
      .execute();
  }
}
