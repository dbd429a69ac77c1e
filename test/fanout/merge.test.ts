import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../src/common/errors.js';
import {
  createRecordOrder,
  listAcrossPods,
  mergeSorted,
  PageSizeHints,
  pagedPodQuery,
  resolveSortKeys,
  routedPlaceholders,
  withIdTieBreak,
  type FanoutPod,
  type FanoutRequest,
  type PodPageRequest,
  type QueryPod,
  type SortKey,
} from '../../src/fanout/index.js';
import type { Routing } from '../../src/routing/index.js';
import { parseTimestamp } from '../../src/fanout/compare.js';
import { access, makeRecords, nativePage, rng, type Rec } from './fakePods.js';

interface FakePod extends FanoutPod {
  records: Rec[];
  maxLimit: number;
  calls: PodPageRequest[];
}

function fakePods(count: number, perPod: number, maxLimit = 100, seed = 1): FakePod[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `pod-${i + 1}`,
    regionName: `Pod${i + 1}`,
    records: makeRecords(`pod-${i + 1}`, perPod, seed * 100 + i),
    maxLimit,
    calls: [],
  }));
}

/** Native paging over a fake pod; bare arrays (length tells the end) or pages with hasMore. */
function fakeQuery(withHasMore: boolean, pageSize?: number): QueryPod<Rec, FakePod> {
  return pagedPodQuery<Rec, FakePod>(
    async (pod, page) => {
      pod.calls.push(page);
      const { records, more } = nativePage(pod.records, page.sortKeys, page.limit, page.marker, pod.maxLimit);
      return withHasMore ? { records, hasMore: more } : records;
    },
    { maxPageSize: pageSize ?? 100 },
  );
}

function findMarkerIn(pods: FakePod[]) {
  return async (id: string) => {
    for (const pod of pods) {
      const record = pod.records.find((r) => r.id === id);
      if (record) return { record, podId: pod.id };
    }
    return undefined;
  };
}

/** Walks every page and returns the concatenation. */
async function walk(base: Omit<FanoutRequest<Rec, FakePod>, 'marker'>): Promise<{ all: Rec[]; pages: number }> {
  const all: Rec[] = [];
  let marker: string | undefined;
  let pages = 0;
  for (;;) {
    const page = await listAcrossPods({ ...base, marker });
    pages++;
    assert.deepEqual(page.failedPods, []);
    all.push(...page.records);
    if (!page.nextMarker) return { all, pages };
    assert.equal(page.nextMarker, page.records[page.records.length - 1].id);
    marker = page.nextMarker;
    assert.ok(pages < 1000, 'walk does not end');
  }
}

function expectedOrder(records: Rec[], keys: SortKey[]): string[] {
  const order = createRecordOrder(withIdTieBreak(keys), access);
  return [...records].sort(order.compare).map((r) => r.id);
}

describe('comparator', () => {
  const order = (keys: SortKey[]) => createRecordOrder(withIdTieBreak(keys), { id: (r: Record<string, unknown>) => String(r.id), getSortValue: (r, k) => r[k] });

  test('nulls are smallest, numbers before timestamps before strings, missing keys last in both directions', () => {
    const rows = [{ id: 'a', v: 'zeta' }, { id: 'b', v: null }, { id: 'c', v: 3 }, { id: 'd', v: '2024-01-01T00:00:00Z' }, { id: 'e' }, { id: 'f', v: 1 }, { id: 'g', v: 'Alpha' }];
    const asc = [...rows].sort(order([{ key: 'v', dir: 'asc' }]).compare).map((r) => r.id);
    assert.deepEqual(asc, ['b', 'f', 'c', 'd', 'g', 'a', 'e']);
    const desc = [...rows].sort(order([{ key: 'v', dir: 'desc' }]).compare).map((r) => r.id);
    assert.deepEqual(desc, ['a', 'g', 'd', 'c', 'f', 'b', 'e']);
  });

  test('ISO timestamps compare as instants whatever their zone or precision', () => {
    const o = order([{ key: 't', dir: 'asc' }]);
    const cmp = (x: string, y: string) => Math.sign(o.compare({ id: '1', t: x }, { id: '1', t: y }));
    assert.equal(cmp('2024-01-01T01:00:00+02:00', '2024-01-01T00:00:00Z'), -1);
    assert.equal(cmp('2024-01-01T00:00:00', '2024-01-01T00:00:00Z'), 0);
    assert.equal(cmp('2024-01-01T00:00:00.000001', '2024-01-01T00:00:00Z'), 1);
    assert.equal(cmp('2024-01-01 00:00:00.5', '2024-01-01T00:00:00.499999Z'), 1);
    assert.equal(cmp('2024-01-01T00:00:00.000000', '2024-01-01T00:00:00Z'), 0);
  });

  test('the timestamp parser agrees with Date.parse and rejects what is not a timestamp', () => {
    for (const t of [
      '2024-01-01T00:00:00Z',
      '1969-12-31T23:59:59Z',
      '2024-02-29T23:59:59.123Z',
      '2024-01-01T01:00:00+02:00',
      '2024-01-01T01:00:00-05:30',
      '2000-03-01T00:00:00.5Z',
    ]) {
      assert.equal(parseTimestamp(t), Date.parse(t) * 1000, t);
    }
    assert.equal(parseTimestamp('2024-01-01 00:00'), Date.parse('2024-01-01T00:00:00Z') * 1000);
    assert.equal(parseTimestamp('2024-02-29T23:59:59.123456'), Date.parse('2024-02-29T23:59:59.123Z') * 1000 + 456);
    for (const bad of [
      '2024-13-01T00:00:00Z',
      'hello world 12345',
      '2024-01-01T00:00:00ZZ',
      '2024-01-01T00:00:00+0',
      'vm-2024-01-01T00:00',
      '2024-01-01T00:00:00.Z',
      '2024-01-01',
    ]) {
      assert.equal(parseTimestamp(bad), undefined, bad);
    }
  });

  test('the id tie-break is appended in the first key direction unless present', () => {
    assert.deepEqual(withIdTieBreak([{ key: 'name', dir: 'asc' }]), [
      { key: 'name', dir: 'asc' },
      { key: 'id', dir: 'asc' },
    ]);
    assert.deepEqual(
      withIdTieBreak([
        { key: 'id', dir: 'asc' },
        { key: 'name', dir: 'desc' },
      ]).length,
      2,
    );
  });

  test('sort parameters pair as in Nova', () => {
    assert.deepEqual(resolveSortKeys([], []), [
      { key: 'created_at', dir: 'desc' },
      { key: 'id', dir: 'desc' },
    ]);
    assert.deepEqual(resolveSortKeys(['name', 'created_at'], ['asc']), [
      { key: 'name', dir: 'asc' },
      { key: 'created_at', dir: 'asc' },
      { key: 'id', dir: 'asc' },
    ]);
    assert.throws(() => resolveSortKeys(['name'], ['asc', 'desc']), /exceeds sort key size/);
    assert.throws(
      () => resolveSortKeys(['name'], ['up']),
      (e: unknown) => e instanceof ApiError && e.status === 400,
    );
  });
});

describe('k-way merge', () => {
  test('merges random sorted streams like a full sort, stable, honouring the limit', () => {
    const rand = rng(7);
    for (let round = 0; round < 50; round++) {
      const streams = Array.from({ length: 1 + Math.floor(rand() * 10) }, () =>
        Array.from({ length: Math.floor(rand() * 30) }, () => Math.floor(rand() * 20)).sort((a, b) => a - b),
      );
      const all = streams.flat().sort((a, b) => a - b);
      assert.deepEqual(
        mergeSorted(streams, (a, b) => a - b),
        all,
      );
      assert.deepEqual(
        mergeSorted(streams, (a, b) => a - b, 7),
        all.slice(0, 7),
      );
    }
    const tagged = mergeSorted([[{ v: 1, s: 'a' }], [{ v: 1, s: 'b' }]], (x, y) => x.v - y.v);
    assert.deepEqual(
      tagged.map((t) => t.s),
      ['a', 'b'],
    );
  });
});

describe('listAcrossPods over fake pods', () => {
  const configs: SortKey[][] = [
    [
      { key: 'created_at', dir: 'desc' },
      { key: 'id', dir: 'desc' },
    ],
    [{ key: 'created_at', dir: 'asc' }],
    [{ key: 'name', dir: 'asc' }],
    [
      { key: 'name', dir: 'desc' },
      { key: 'created_at', dir: 'asc' },
    ],
    [{ key: 'id', dir: 'asc' }],
    [{ key: 'id', dir: 'desc' }],
  ];

  for (const keys of configs) {
    const label = keys.map((k) => `${k.key} ${k.dir}`).join(', ');
    for (const limit of [1, 7, 50]) {
      test(`every record once, in global order: ${label}, limit ${limit}`, async () => {
        const pods = fakePods(3, limit === 1 ? 40 : 120, 25, limit);
        const { all } = await walk({ pods, sortKeys: keys, limit, access, queryPod: fakeQuery(limit !== 7, 25), findMarker: findMarkerIn(pods), timeoutMs: 5000 });
        assert.deepEqual(
          all.map((r) => r.id),
          expectedOrder(
            pods.flatMap((p) => p.records),
            keys,
          ),
        );
      });
    }
  }

  test('the default order is created_at desc, id desc, and the result says so', async () => {
    const pods = fakePods(2, 10);
    const page = await listAcrossPods({ pods, limit: 100, access, queryPod: fakeQuery(true), timeoutMs: 1000 });
    assert.deepEqual(page.sortKeys, [
      { key: 'created_at', dir: 'desc' },
      { key: 'id', dir: 'desc' },
    ]);
    assert.equal(page.records.length, 20);
    assert.equal(page.nextMarker, undefined, 'no next marker when the page is not full');
    assert.deepEqual(page.answeredPods, [
      { podId: 'pod-1', region: 'Pod1' },
      { podId: 'pod-2', region: 'Pod2' },
    ]);
  });

  test('a missing marker is a 400 "marker [X] not found"', async () => {
    const pods = fakePods(2, 10);
    await assert.rejects(
      listAcrossPods({ pods, limit: 5, marker: 'nope', access, queryPod: fakeQuery(true), findMarker: findMarkerIn(pods), timeoutMs: 1000 }),
      (e: unknown) => e instanceof ApiError && e.status === 400 && e.message === 'marker [nope] not found',
    );
  });

  test('limit 0 gives an empty page without asking the pods', async () => {
    const pods = fakePods(2, 10);
    const page = await listAcrossPods({ pods, limit: 0, access, queryPod: fakeQuery(true), timeoutMs: 1000 });
    assert.deepEqual(page.records, []);
    assert.equal(page.nextMarker, undefined);
    assert.equal(pods[0].calls.length, 0);
  });

  test('the marker pod is asked with its own marker; other pods walk by value', async () => {
    const pods = fakePods(2, 30, 100);
    const first = await listAcrossPods({ pods, limit: 5, access, queryPod: fakeQuery(true), timeoutMs: 1000 });
    const markerPod = pods.find((p) => p.records.some((r) => r.id === first.nextMarker))!;
    for (const p of pods) p.calls.length = 0;
    await listAcrossPods({ pods, limit: 5, marker: first.nextMarker, access, queryPod: fakeQuery(true), findMarker: findMarkerIn(pods), timeoutMs: 1000 });
    assert.ok(markerPod.calls.some((c) => c.marker === first.nextMarker));
    const other = pods.find((p) => p !== markerPod)!;
    assert.equal(other.calls[0].marker, undefined);
  });

  for (const hinted of [true, false]) {
    test(`3 pods × 300 records of one second: every record once, in order, ${hinted ? '≤ 2' : '≤ 4'} requests per pod per page (${hinted ? 'size hints' : 'cold'})`, async () => {
      // One creation second for all 900 records: one tie group spanning every pod, which each pod
      // orders by its hidden sub-second value, not by id.
      const pods: FakePod[] = ['pod-1', 'pod-2', 'pod-3'].map((id, i) => ({ id, regionName: id, records: makeRecords(id, 300, 700 + i, 1), maxLimit: 1000, calls: [] }));
      const sizeHints = hinted ? new PageSizeHints() : undefined;
      const queryPod = pagedPodQuery<Rec, FakePod>(
        async (pod, page) => {
          pod.calls.push(page);
          const { records, more } = nativePage(pod.records, page.sortKeys, page.limit, page.marker, pod.maxLimit);
          return { records, hasMore: more };
        },
        { maxPageSize: 1000, sizeHints },
      );
      const all: Rec[] = [];
      const worstPerPod: number[] = [];
      let marker: string | undefined;
      for (let pages = 0; ; pages++) {
        assert.ok(pages < 20, 'the walk ends');
        for (const pod of pods) pod.calls = [];
        const page = await listAcrossPods({ pods, limit: 100, marker, access, queryPod, findMarker: findMarkerIn(pods), timeoutMs: 5000 });
        worstPerPod.push(Math.max(...pods.map((p) => p.calls.length)));
        all.push(...page.records);
        if (!page.nextMarker) break;
        marker = page.nextMarker;
      }
      assert.deepEqual(
        all.map((r) => r.id),
        expectedOrder(
          pods.flatMap((p) => p.records),
          [{ key: 'created_at', dir: 'desc' }],
        ),
      );
      assert.ok(Math.max(...worstPerPod) <= (hinted ? 2 : 4), `requests per pod per page: ${worstPerPod.join(' ')}`);
    });
  }

  test('loose pod answers (unsorted, before the marker, too many) are cleaned up by the engine', async () => {
    const pods = fakePods(2, 40);
    const keys: SortKey[] = [{ key: 'name', dir: 'asc' }];
    const sloppy: QueryPod<Rec, FakePod> = async (pod) => [...pod.records].reverse();
    const { all } = await walk({ pods, sortKeys: keys, limit: 9, access, queryPod: sloppy, findMarker: findMarkerIn(pods), timeoutMs: 1000 });
    assert.deepEqual(
      all.map((r) => r.id),
      expectedOrder(
        pods.flatMap((p) => p.records),
        keys,
      ),
    );
  });

  test('a pod that fails or exceeds the timeout is skipped and reported, within the timeout', async () => {
    const pods = fakePods(4, 20);
    const [good, failing, hanging, deaf] = pods;
    const query = fakeQuery(true);
    let aborted = false;
    const queryPod: QueryPod<Rec, FakePod> = async (pod, q) => {
      if (pod === failing) throw Object.assign(new Error('compute API said no'), { status: 503 });
      if (pod === hanging)
        return new Promise<Rec[]>((_, reject) =>
          q.signal.addEventListener('abort', () => {
            aborted = true;
            reject(q.signal.reason);
          }),
        );
      if (pod === deaf) return new Promise<Rec[]>(() => {}); // ignores its signal
      return query(pod, q);
    };
    const started = Date.now();
    const page = await listAcrossPods({ pods, limit: 100, access, queryPod, timeoutMs: 150 });
    const elapsed = Date.now() - started;
    assert.ok(elapsed < 150 + 200, `answered in ${elapsed} ms`);
    assert.ok(aborted, 'the slow pod request was aborted');
    assert.deepEqual(
      page.records.map((r) => r.pod),
      Array(20).fill(good.id),
    );
    assert.deepEqual(page.answeredPods, [{ podId: good.id, region: good.regionName }]);
    assert.deepEqual(page.failedPods, [
      { podId: failing.id, region: failing.regionName, reason: '503: compute API said no' },
      { podId: hanging.id, region: hanging.regionName, reason: 'timed out after 150 ms' },
      { podId: deaf.id, region: deaf.regionName, reason: 'timed out after 150 ms' },
    ]);
  });

  describe('UNKNOWN records for pods that are down', () => {
    const pods = fakePods(3, 30, 100, 9);
    const [up1, up2, down] = pods;
    // Routing rows of the down pod's servers: created_at from the routing table, as epoch ms.
    const routes: Routing[] = down.records.map((r, i) => ({
      id: i + 1,
      topId: r.id,
      bottomId: i === 0 ? null : r.id,
      podId: down.id,
      projectId: 'p1',
      resourceType: 'server',
      createdAt: Date.parse(r.created_at),
      updatedAt: Date.parse(r.created_at),
    }));
    const inFlight = routes[0].topId;
    const lister = {
      async list(filter: { podId?: string; resourceType?: string; projectId?: string }) {
        return routes.filter((r) => r.podId === filter.podId && r.resourceType === filter.resourceType && r.projectId === filter.projectId);
      },
    };
    interface Server {
      id: string;
      status?: string;
      name?: string | null;
      created?: string;
      tenant_id?: string;
    }
    const serverAccess = {
      id: (s: Server) => s.id,
      getSortValue: (s: Server, key: string) => (key === 'created_at' ? s.created : (s as unknown as Record<string, unknown>)[key]),
    };
    const toServer = (r: Rec): Server => ({ id: r.id, status: 'ACTIVE', name: r.name, created: r.created_at });
    const serverQuery = pagedPodQuery<Server, FakePod>(async (pod, page) => {
      const { records, more } = nativePage(pod.records, page.sortKeys, page.limit, page.marker, pod.maxLimit);
      return { records: records.map(toServer), hasMore: more };
    });
    const placeholders = routedPlaceholders<Server, FakePod>(lister, { resourceType: 'server', projectId: 'p1' }, (route) => ({
      id: route.topId,
      status: 'UNKNOWN',
      tenant_id: route.projectId,
      created: new Date(route.createdAt).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    }));
    const findMarker = async (id: string) => {
      for (const pod of [up1, up2]) {
        const r = pod.records.find((x) => x.id === id);
        if (r) return { record: toServer(r), podId: pod.id };
      }
      const route = routes.find((r) => r.topId === id);
      return route ? { record: (await placeholders([down])).find((s) => s.id === id)!, podId: down.id } : undefined;
    };

    async function walkServers(sortKeys: SortKey[], limit: number): Promise<{ all: Server[]; failed: string[] }> {
      const all: Server[] = [];
      const failed = new Set<string>();
      let marker: string | undefined;
      for (;;) {
        const page = await listAcrossPods({
          pods: [up1, up2],
          downPods: [down],
          sortKeys,
          limit,
          marker,
          findMarker,
          access: serverAccess,
          queryPod: serverQuery,
          placeholders,
          timeoutMs: 1000,
        });
        for (const f of page.failedPods) failed.add(`${f.region}: ${f.reason}`);
        all.push(...page.records);
        if (!page.nextMarker) return { all, failed: [...failed] };
        marker = page.nextMarker;
      }
    }

    test('merged in created_at order with the others, every one once, in-flight rows left out', async () => {
      const { all, failed } = await walkServers([{ key: 'created_at', dir: 'desc' }], 8);
      assert.deepEqual(failed, ['Pod3: pod is down']);
      const expected = expectedOrder([...up1.records, ...up2.records, ...down.records.filter((r) => r.id !== inFlight)], [{ key: 'created_at', dir: 'desc' }]);
      assert.deepEqual(
        all.map((s) => s.id),
        expected,
      );
      const unknown = all.filter((s) => s.status === 'UNKNOWN');
      assert.equal(unknown.length, 29);
      assert.ok(unknown.every((s) => s.tenant_id === 'p1' && s.name === undefined));
    });

    test('sorted by a key they lack, they come after every other record, in both directions', async () => {
      for (const dir of ['asc', 'desc'] as const) {
        const { all } = await walkServers([{ key: 'name', dir }], 11);
        assert.equal(all.length, 89);
        assert.equal(new Set(all.map((s) => s.id)).size, 89);
        const firstUnknown = all.findIndex((s) => s.status === 'UNKNOWN');
        assert.equal(firstUnknown, 60);
        const ids = all.slice(60).map((s) => s.id);
        assert.deepEqual(ids, [...ids].sort(dir === 'asc' ? undefined : (a, b) => (a < b ? 1 : -1)));
      }
    });

    test('a pod that fails during the request also gets stand-ins', async () => {
      const failing: QueryPod<Server, FakePod> = async (pod, q) => {
        if (pod === down) throw new Error('connection refused');
        return serverQuery(pod, q);
      };
      const page = await listAcrossPods({ pods: [up1, up2, down], limit: 200, findMarker, access: serverAccess, queryPod: failing, placeholders, timeoutMs: 1000 });
      assert.equal(page.records.length, 89);
      assert.deepEqual(page.failedPods, [{ podId: down.id, region: down.regionName, reason: 'connection refused' }]);
    });
  });
});
