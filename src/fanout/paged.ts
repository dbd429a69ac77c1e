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
  /** First page size when walking backwards from the marker through its tie group. Default 10. */
  lookback?: number;
  /** Safety stop: a pod needing more pages than this for one query fails. Default 1000. */
  maxPages?: number;
  /** The pod's native marker for a record it returned; default the record id. */
  podMarker?: (record: R) => string;
  /**
   * What earlier walks of the same pod learned (how deep they read, how long the tie groups were),
   * used to size the first request of the next walk so that a long tie group costs one request
   * instead of two or three. Only sizes depend on it, never which records are returned. Keep one
   * for the life of the lister (e.g. a field of it); without one every walk starts cold.
   */
  sizeHints?: PageSizeHints;
  /** Separates hints of different listings of one pod (e.g. the project and filters). */
  hintScope?: string;
}

interface WalkHint {
  /** Records the last walk from the pod's start read before it could stop. */
  depth: number;
  /** The longest run of one tie group the last walk saw. */
  tie: number;
}

/**
 * Page-size hints per pod, sort order and scope: a small LRU (`size` entries). Shared by the
 * concurrent walks of one lister; a stale hint only makes a request larger or smaller than needed.
 */
export class PageSizeHints {
  private readonly entries = new Map<string, WalkHint>();
  constructor(private readonly size = 2048) {}

  get(key: string): WalkHint | undefined {
    const hint = this.entries.get(key);
    if (hint !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, hint);
    }
    return hint;
  }

  set(key: string, hint: WalkHint): void {
    this.entries.delete(key);
    this.entries.set(key, hint);
    if (this.entries.size > this.size) this.entries.delete(this.entries.keys().next().value as string);
  }
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
 * - marker elsewhere: pages from the start, skipping records not after the marker values;
 * - it stops only where a tie group ends (or at the pod's end), so a pod that orders ties by a
 *   finer hidden value (e.g. sub-second created_at) still yields every record once.
 *
 * Request count: the first request of a walk asks for what a page needs (`limit` + 1, or what the
 * size hints say the last walk needed); when that is not enough, the next asks for `maxPageSize`.
 * So a walk costs 1 + ceil(rest / maxPageSize) requests, whatever the length of a tie group.
 */
export function pagedPodQuery<R, P extends FanoutPod = FanoutPod>(fetchPage: FetchPodPage<R, P>, options: PagedQueryOptions<R> = {}): QueryPod<R, P> {
  const maxPageSize = Math.max(1, options.maxPageSize ?? 1000);
  const lookback = Math.max(1, Math.min(options.lookback ?? 10, maxPageSize));
  const maxPages = Math.max(1, options.maxPages ?? 1000);
  const clamp = (n: number) => Math.max(1, Math.min(maxPageSize, n));

  return async (pod: P, q: PodQuery<R>): Promise<R[]> => {
    const podMarker = options.podMarker ?? ((r: R) => q.order.id(r));
    const hintKey = `${pod.id}\u0000${q.sortKeys.map((k) => `${k.key}:${k.dir}`).join(',')}\u0000${options.hintScope ?? ''}`;
    const hint = options.sizeHints?.get(hintKey);
    let pages = 0;
    let longestTie = 0;
    const fetch = async (sortKeys: readonly SortKey[], limit: number, marker: string | undefined): Promise<{ records: R[]; more: boolean }> => {
      if (++pages > maxPages) throw new Error(`pod ${pod.regionName} needed more than ${maxPages} pages`);
      q.signal.throwIfAborted();
      const answer = await fetchPage(pod, { sortKeys, limit, marker, signal: q.signal });
      const records = Array.isArray(answer) ? answer : answer.records;
      const more = Array.isArray(answer) ? records.length >= limit : (answer.hasMore ?? records.length >= limit);
      return { records, more: more && records.length > 0 };
    };

    const fromStart = q.markerInPod === undefined;
    let depth = 0;
    // Members of the marker's tie group right after the marker, and (backward) up to it.
    let markerGroupAhead = 0;
    let markerGroupBehind = 1;
    const forward = async (): Promise<R[]> => {
      const out: R[] = [];
      const skipping = q.after !== undefined && fromStart;
      let marker = q.markerInPod;
      let previous: R | undefined;
      let run = 0;
      // A walk from the start reads past what the last one read (plus one page if the marker moved
      // on); a walk from the marker reads its tie group: ask for that much at once.
      let size = clamp(q.limit + 1);
      if (hint !== undefined) size = clamp(Math.max(q.limit + 1, fromStart ? hint.depth + (skipping ? q.limit : 0) + 1 : hint.tie + 1));
      for (;;) {
        const { records, more } = await fetch(q.sortKeys, size, marker);
        for (const r of records) {
          depth++;
          run = previous !== undefined && q.order.compareGroup(previous, r) === 0 ? run + 1 : 1;
          if (run > longestTie) longestTie = run;
          if (!fromStart && run === depth && q.inMarkerGroup(r)) markerGroupAhead = run;
          previous = r;
          if (!q.isAfter(r)) continue;
          // Enough records, and this one opens a new tie group: the last group is complete.
          if (out.length >= q.limit && q.order.compareGroup(out[out.length - 1], r) !== 0) return out;
          out.push(r);
        }
        if (!more) return out;
        marker = podMarker(records[records.length - 1]);
        size = maxPageSize;
      }
    };

    // Members of the marker's tie group that the pod put before the marker (reverse order from it).
    const backward = async (): Promise<R[]> => {
      if (q.markerInPod === undefined) return [];
      const reversed = flip(q.sortKeys);
      const out: R[] = [];
      let marker: string = q.markerInPod;
      for (let size = clamp(Math.max(lookback, (hint?.tie ?? 0) + 1)); ; size = maxPageSize) {
        const { records, more } = await fetch(reversed, size, marker);
        for (const r of records) {
          if (!q.inMarkerGroup(r)) return out;
          markerGroupBehind++;
          if (q.isAfter(r)) out.push(r);
        }
        if (!more) return out;
        marker = podMarker(records[records.length - 1]);
      }
    };

    const [ahead, behind] = await Promise.all([forward(), backward()]);
    if (options.sizeHints) {
      const tie = fromStart ? longestTie : Math.max(longestTie, markerGroupBehind + markerGroupAhead);
      options.sizeHints.set(hintKey, { depth: fromStart ? depth : (hint?.depth ?? 0), tie });
    }
    return behind.length === 0 ? ahead : behind.concat(ahead);
  };
}
