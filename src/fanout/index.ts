export { listAcrossPods, DEFAULT_SORT_KEYS, type FanoutRequest, type FanoutResult } from './engine.js';
export { pagedPodQuery, PageSizeHints, type FetchPodPage, type PodPage, type PodPageRequest, type PagedQueryOptions } from './paged.js';
export { routedPlaceholders, type RouteLister } from './placeholders.js';
export { resolveSortKeys, NOVA_SORT_DEFAULTS, type SortDefaults } from './sortParams.js';
export { createRecordOrder, withIdTieBreak, binaryStringCompare, type StringCompare } from './compare.js';
export { mergeSorted } from './merge.js';
export { PodTimeoutError } from './timeout.js';
export type { SortKey, SortDirection, RecordAccess, RecordOrder, FanoutPod, PodRef, FailedPod, PodQuery, QueryPod, MarkerRecord } from './types.js';
