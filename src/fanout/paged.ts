import type { FanoutPod, PodQuery, QueryPod, SortKey } from './types.js';

/** One native page request to a pod: its own sort keys, limit and (id) marker. */
export interface PodPageRequest {
  sortKeys: readonly SortKey[];
  limit: number;
  marker?: string;
  signal: AbortSignal;
}

/** A page as the pod answered it. `hasMore` (e.g. "the answer had a next link") beats guessing from the length. */
export interface PodPage<R> {
  records: R[];
  hasMore?: boolean;
}

export type FetchPodPage<R, P extends FanoutPod = FanoutPod> = (pod: P, page: PodPageRequest) => Promise<R[] | PodPage<R>>;

export interface PagedQueryOptions<R> {
  /**
   * The largest page asked of a pod. When `fetchPage` returns bare arrays, a short page means the
   * end, so this must not exceed the pod's own maximum (Nova and Cinder default to 1000).
   */
  maxPageSize?: number;
  /** First page size when walking backwards from the marker through its tie group (it doubles). Default 10. */
  lookback?: number;
  /** Safety stop: a pod needing more pages than this for one query fails. Default 1000. */
  maxPages?: number;
  /** The pod's native marker for a record it returned; default the record id. */
  podMarker?: (record: R) => string;
}

const flip = (keys: readonly SortKey[]): SortKey[] => keys.map((k) => ({ key: k.key, dir: k.dir === 'asc' ? 'desc' : 'asc' }));

/**
 * A `QueryPod` over a pod that only knows native limit/marker paging. It walks the pod's sorted
 * pages until it holds `limit` records strictly after the marker values, so it never depends on the
 * pod understanding a value position:
 *
 * - marker in this pod: pages forward from the pod's own marker, and in parallel backwards (sort
 *   reversed) through the marker's tie group, whose members may sit on either side of the marker
 *   in the pod's order;
 * - marker elsewhere: pages from the start, skipping records not after the marker values, with
 *   page sizes doubling up to `maxPageSize` so deep positions cost few round trips;
 * - it stops only where a tie group ends (or at the pod's end), so a pod that orders ties by a
 *   finer hidden value (e.g. sub-second created_at) still yields every record once.
 */
export function pagedPodQuery<R, P extends FanoutPod = FanoutPod>(fetchPage: FetchPodPage<R, P>, options: PagedQueryOptions<R> = {}): QueryPod<R, P> {
  const maxPageSize = Math.max(1, options.maxPageSize ?? 1000);
  const lookback = Math.max(1, Math.min(options.lookback ?? 10, maxPageSize));
  const maxPages = Math.max(1, options.maxPages ?? 1000);

  return async (pod: P, q: PodQuery<R>): Promise<R[]> => {
    const podMarker = options.podMarker ?? ((r: R) => q.order.id(r));
    let pages = 0;
    const fetch = async (sortKeys: readonly SortKey[], limit: number, marker: string | undefined): Promise<{ records: R[]; more: boolean }> => {
      if (++pages > maxPages) throw new Error(`pod ${pod.regionName} needed more than ${maxPages} pages`);
      q.signal.throwIfAborted();
      const answer = await fetchPage(pod, { sortKeys, limit, marker, signal: q.signal });
      const records = Array.isArray(answer) ? answer : answer.records;
      const more = Array.isArray(answer) ? records.length >= limit : (answer.hasMore ?? records.length >= limit);
      return { records, more: more && records.length > 0 };
    };

    const forward = async (): Promise<R[]> => {
      const out: R[] = [];
      const skipping = q.after !== undefined && q.markerInPod === undefined;
      let marker = q.markerInPod;
      let size = Math.min(maxPageSize, q.limit + 1);
      for (;;) {
        const { records, more } = await fetch(q.sortKeys, size, marker);
        for (const r of records) {
          if (!q.isAfter(r)) continue;
          // Enough records, and this one opens a new tie group: the last group is complete.
          if (out.length >= q.limit && q.order.compareGroup(out[out.length - 1], r) !== 0) return out;
          out.push(r);
        }
        if (!more) return out;
        marker = podMarker(records[records.length - 1]);
        // Still skipping, or completing a tie group whose length nobody knows: grow geometrically,
        // so a group of n records costs O(log n) requests, not n / lookback.
        const missing = q.limit + 1 - out.length;
        if ((out.length === 0 && skipping) || missing <= 0) size = Math.min(maxPageSize, size * 2);
        else size = Math.min(maxPageSize, Math.max(missing, lookback));
      }
    };

    // Members of the marker's tie group that the pod put before the marker (reverse order from it).
    const backward = async (): Promise<R[]> => {
      if (q.markerInPod === undefined) return [];
      const reversed = flip(q.sortKeys);
      const out: R[] = [];
      let marker: string = q.markerInPod;
      // As many as a page needs first (a tie group is often longer than that), then growing pages.
      for (let size = Math.min(maxPageSize, Math.max(lookback, q.limit + 1)); ; size = Math.min(maxPageSize, size * 2)) {
        const { records, more } = await fetch(reversed, size, marker);
        for (const r of records) {
          if (!q.inMarkerGroup(r)) return out;
          if (q.isAfter(r)) out.push(r);
        }
        if (!more) return out;
        marker = podMarker(records[records.length - 1]);
      }
    };

    const [ahead, behind] = await Promise.all([forward(), backward()]);
    return behind.length === 0 ? ahead : behind.concat(ahead);
  };
}
