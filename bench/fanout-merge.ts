// Merge cost of one cross-pod list page: 10 pods × 100 records each, limit 100, default order
// (created_at desc, id desc). Measures (1) the k-way merge alone over pre-sorted streams and (2) the
// whole in-memory engine path (normalising sort values, marker filter, sortedness check, merge),
// with pods that answer instantly, so no I/O is timed.
//   node --import tsx bench/fanout-merge.ts [iterations]
import { availableParallelism } from 'node:os';
import { createRecordOrder, listAcrossPods, mergeSorted, withIdTieBreak, type FanoutPod, type RecordAccess } from '../src/fanout/index.js';

interface Server {
  id: string;
  name: string;
  created: string;
}

const PODS = 10;
const PER_POD = 100;
const LIMIT = 100;
const iterations = Number(process.argv[2] ?? 2000);

let seed = 42;
const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
const hex = (n: number) => Array.from({ length: n }, () => Math.floor(rand() * 16).toString(16)).join('');
const base = Date.UTC(2024, 0, 1);

const access: RecordAccess<Server> = { id: (s) => s.id, getSortValue: (s, k) => (k === 'created_at' ? s.created : (s as unknown as Record<string, unknown>)[k]) };
const keys = withIdTieBreak([{ key: 'created_at', dir: 'desc' }]);
const order = createRecordOrder(keys, access);

const pods: (FanoutPod & { records: Server[] })[] = Array.from({ length: PODS }, (_, p) => ({
  id: `pod-${p}`,
  regionName: `Pod${p}`,
  records: Array.from({ length: PER_POD }, () => ({
    id: `${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}`,
    name: `vm-${hex(4)}`,
    created: new Date(base + Math.floor(rand() * 86_400) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
  })).sort(order.compare),
}));

function time(label: string, fn: () => unknown | Promise<unknown>): Promise<number> {
  return (async () => {
    for (let i = 0; i < Math.min(200, iterations); i++) await fn(); // warm-up
    const started = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) await fn();
    const us = Number(process.hrtime.bigint() - started) / 1000 / iterations;
    console.log(`${label.padEnd(58)} ${us.toFixed(1).padStart(8)} µs/page`);
    return us;
  })();
}

const tuples = pods.map((p) => p.records.map((r) => ({ r, k: order.tuple(r) })));
console.log(`fanout merge: ${PODS} pods × ${PER_POD} records, limit ${LIMIT}, ${iterations} iterations; node ${process.version}, ${availableParallelism()} CPUs`);
await time('k-way merge, pre-normalised keys', () => mergeSorted(tuples, (a, b) => order.compareTuples(a.k, b.k), LIMIT));
await time('k-way merge, comparing raw records', () =>
  mergeSorted(
    pods.map((p) => p.records),
    order.compare,
    LIMIT,
  ),
);
await time('listAcrossPods, first page (no marker)', () =>
  listAcrossPods({ pods, limit: LIMIT, access, queryPod: async (pod) => (pod as (typeof pods)[number]).records, timeoutMs: 10_000 }),
);
const marker = pods[3].records[40];
await time('listAcrossPods, with a marker', () =>
  listAcrossPods({
    pods,
    limit: LIMIT,
    marker: marker.id,
    findMarker: async () => ({ record: marker, podId: pods[3].id }),
    access,
    queryPod: async (pod) => (pod as (typeof pods)[number]).records,
    timeoutMs: 10_000,
  }),
);
