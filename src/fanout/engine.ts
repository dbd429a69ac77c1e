import { badRequest } from '../common/index.js';
import { createRecordOrder, withIdTieBreak, type SortTuple, type StringCompare, type TupleOrder } from './compare.js';
import { locateMarker, type MarkerPosition } from './marker.js';
import { ensureSorted, mergeSorted } from './merge.js';
import { failureReason, withTimeout } from './timeout.js';
import type { FailedPod, FanoutPod, MarkerRecord, PodQuery, PodRef, QueryPod, RecordAccess, SortKey } from './types.js';

/** Nova's default list order. */
export const DEFAULT_SORT_KEYS: readonly SortKey[] = [
  { key: 'created_at', dir: 'desc' },
  { key: 'id', dir: 'desc' },
];

export interface FanoutRequest<R, P extends FanoutPod = FanoutPod> {
  /** Pods to query, in parallel. */
  pods: readonly P[];
  /** Pods known to be down: not queried, reported as failed, and asked of `placeholders`. */
  downPods?: readonly P[];
  /** Sort keys; the id tie-break is appended when missing. Default `created_at desc, id desc`. */
  sortKeys?: readonly SortKey[];
  /** The sort key naming the record id. Default `id`. */
  idKey?: string;
  /** Page size (the caller applies its maximum). 0 gives an empty page. */
  limit: number;
  /** Id of the last record of the previous page. */
  marker?: string;
  /** Finds the marker record in its pod; undefined makes a 400 "marker [X] not found". */
  findMarker?: (markerId: string) => Promise<MarkerRecord<R> | undefined>;
  queryPod: QueryPod<R, P>;
  access: RecordAccess<R>;
  /** Per-pod time limit in ms; a pod that has not answered by then is skipped and reported. */
  timeoutMs: number;
  /**
   * Stand-in records (Nova 2.69 `UNKNOWN` servers) for pods that are down or did not answer; they
   * are merged into the same order. Leave unset when the request has filters.
   */
  placeholders?: (pods: P[]) => Promise<R[]>;
  /** String collation; must match the pods' (default binary). */
  compareStrings?: StringCompare;
  signal?: AbortSignal;
}

export interface FanoutResult<R> {
  records: R[];
  /** The id of the last record when the page is full: the `marker` of the next page. */
  nextMarker?: string;
  /** The order actually used (id tie-break included). */
  sortKeys: SortKey[];
  answeredPods: PodRef[];
  failedPods: FailedPod[];
}

interface Entry<R> {
  record: R;
  key: SortTuple;
}

type PodOutcome<R, P> = { pod: P; ok: true; records: R[] } | { pod: P; ok: false; reason: string };

const ref = (pod: FanoutPod): PodRef => ({ podId: pod.id, region: pod.regionName });

/**
 * One page of a list gathered from many pods, after Nova cells v2's multi-cell list: locate the
 * marker's sort values, ask every pod in parallel for its first `limit` records after them, merge
 * the sorted answers and keep the first `limit`. See docs/fanout.md.
 */
export async function listAcrossPods<R, P extends FanoutPod = FanoutPod>(req: FanoutRequest<R, P>): Promise<FanoutResult<R>> {
  if (!Number.isInteger(req.limit) || req.limit < 0) throw badRequest('limit must be a non-negative integer');
  if (!(req.timeoutMs > 0)) throw new Error('timeoutMs must be positive');
  const idKey = req.idKey ?? 'id';
  const sortKeys = withIdTieBreak(req.sortKeys && req.sortKeys.length > 0 ? req.sortKeys : DEFAULT_SORT_KEYS, idKey);
  const order = createRecordOrder(sortKeys, req.access, { idKey, compareStrings: req.compareStrings });

  const position = req.marker === undefined ? undefined : await locateMarker(req.marker, req.findMarker, order);
  const downPods = [...(req.downPods ?? [])];
  const failedPods: FailedPod[] = downPods.map((pod) => ({ ...ref(pod), reason: 'pod is down' }));
  if (req.limit === 0) return { records: [], sortKeys, answeredPods: [], failedPods };

  const markerKey = position ? order.tupleOf(position.values) : undefined;
  const toEntry = (record: R): Entry<R> => ({ record, key: order.tuple(record) });
  const isAfterKey = (key: SortTuple): boolean => markerKey === undefined || order.compareTuples(key, markerKey) > 0;
  /** Keeps what is strictly after the marker, sorted, at most `limit`. */
  const stream = (records: readonly R[]): Entry<R>[] => {
    const entries = records.map(toEntry).filter((e) => isAfterKey(e.key));
    return ensureSorted(entries, (a, b) => order.compareTuples(a.key, b.key)).slice(0, req.limit);
  };

  const outcomes = await Promise.all(req.pods.map((pod) => queryOne(req, pod, order, position, markerKey)));
  const streams: Entry<R>[][] = [];
  const answeredPods: PodRef[] = [];
  const silent: P[] = [...downPods];
  for (const outcome of outcomes) {
    if (outcome.ok) {
      answeredPods.push(ref(outcome.pod));
      streams.push(stream(outcome.records));
    } else {
      failedPods.push({ ...ref(outcome.pod), reason: outcome.reason });
      silent.push(outcome.pod);
    }
  }
  if (req.placeholders && silent.length > 0) streams.push(stream(await req.placeholders(silent)));

  const merged = mergeSorted(streams, (a, b) => order.compareTuples(a.key, b.key), req.limit);
  const records = merged.map((e) => e.record);
  const nextMarker = records.length === req.limit ? req.access.id(records[records.length - 1]) : undefined;
  return { records, nextMarker, sortKeys, answeredPods, failedPods };
}

async function queryOne<R, P extends FanoutPod>(
  req: FanoutRequest<R, P>,
  pod: P,
  order: TupleOrder<R>,
  position: MarkerPosition | undefined,
  markerKey: SortTuple | undefined,
): Promise<PodOutcome<R, P>> {
  try {
    const records = await withTimeout(
      (signal) => {
        const query: PodQuery<R> = {
          sortKeys: order.sortKeys,
          limit: req.limit,
          markerInPod: position && position.podId === pod.id ? position.podMarker : undefined,
          after: position?.values,
          signal,
          order,
          isAfter: (r) => markerKey === undefined || order.compareTuples(order.tuple(r), markerKey) > 0,
          inMarkerGroup: (r) => markerKey !== undefined && order.compareTuples(order.tuple(r), markerKey, true) === 0,
        };
        return req.queryPod(pod, query);
      },
      req.timeoutMs,
      req.signal,
    );
    return { pod, ok: true, records };
  } catch (err) {
    return { pod, ok: false, reason: failureReason(err) };
  }
}
