import { badRequest } from '../common/index.js';
import type { TupleOrder } from './compare.js';
import type { MarkerRecord } from './types.js';

/** Where a page starts: the marker record's sort values and, when known, its pod. */
export interface MarkerPosition {
  id: string;
  values: unknown[];
  podId?: string;
  podMarker?: string;
}

/**
 * Looks the marker up through the caller (which knows its pod from the routing table) and takes
 * its sort values. A marker that cannot be found is a 400, as in Nova.
 */
export async function locateMarker<R>(
  markerId: string,
  findMarker: ((markerId: string) => Promise<MarkerRecord<R> | undefined>) | undefined,
  order: TupleOrder<R>,
): Promise<MarkerPosition> {
  const found = findMarker ? await findMarker(markerId) : undefined;
  if (!found) throw badRequest(`marker [${markerId}] not found`);
  return {
    id: order.id(found.record),
    values: order.values(found.record),
    podId: found.podId,
    podMarker: found.podId === undefined ? undefined : (found.podMarker ?? order.id(found.record)),
  };
}
