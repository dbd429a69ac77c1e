/** Shared types of the cross-pod list engine. The engine knows records only through these accessors. */

export type SortDirection = 'asc' | 'desc';

export interface SortKey {
  key: string;
  dir: SortDirection;
}

/** How the engine reads a record: its id and the value of each sort key. */
export interface RecordAccess<R> {
  id(record: R): string;
  /** The value of a sort key; `undefined` means the record does not have the key (see docs/fanout.md). */
  getSortValue(record: R, key: string): unknown;
}

/** The least the engine needs to know of a pod. `Pod` from src/pods fits. */
export interface FanoutPod {
  id: string;
  regionName: string;
}

export interface PodRef {
  podId: string;
  region: string;
}

export interface FailedPod extends PodRef {
  reason: string;
}

/**
 * The order of one list request: the sort keys with the id tie-break, so the order is total.
 * Records with equal values on the keys before the id form a *tie group*; pods are only trusted to
 * agree with this order between tie groups, not inside one (see pagedPodQuery).
 */
export interface RecordOrder<R> {
  readonly sortKeys: readonly SortKey[];
  id(record: R): string;
  /** Total order: negative when `a` comes first. */
  compare(a: R, b: R): number;
  /** The order on the keys before the id: 0 when `a` and `b` are in the same tie group. */
  compareGroup(a: R, b: R): number;
}

/** What the engine asks of one pod. */
export interface PodQuery<R> {
  /** The sort keys, id tie-break included; pass them to the pod so it sorts the same way. */
  sortKeys: readonly SortKey[];
  /** At most this many records are used from the pod (Nova: per-cell limit = limit). */
  limit: number;
  /** Set when the marker record lives in this pod: the pod's own id of it, usable as its native marker. */
  markerInPod?: string;
  /** The marker's sort-key values (in `sortKeys` order); records must come strictly after them. */
  after?: readonly unknown[];
  /** Aborted when the pod's time is up or the caller gives up. */
  signal: AbortSignal;
  order: RecordOrder<R>;
  /** True when the record comes strictly after the marker (always true without a marker). */
  isAfter(record: R): boolean;
  /** True when the record is in the marker's tie group (always false without a marker). */
  inMarkerGroup(record: R): boolean;
}

/**
 * Lists one pod. Should return the pod's first `limit` records after the position, sorted; the
 * engine filters and sorts again, so a looser answer (more records, some before the marker) is safe.
 */
export type QueryPod<R, P extends FanoutPod = FanoutPod> = (pod: P, query: PodQuery<R>) => Promise<R[]>;

/** The marker record as the caller found it (e.g. through the routing table). */
export interface MarkerRecord<R> {
  record: R;
  /** The pod the record lives in, when known. */
  podId?: string;
  /** The id that pod knows the record by; defaults to the record's id. */
  podMarker?: string;
}
