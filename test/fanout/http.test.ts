import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiError } from '../../src/common/errors.js';
import { createRecordOrder, listAcrossPods, pagedPodQuery, withIdTieBreak, type FanoutPod, type SortKey } from '../../src/fanout/index.js';
import { access, makeRecords, MarkerNotFound, nativePage, type Rec } from './fakePods.js';

// Three pods behind real loopback HTTP servers, each with 250 records and native limit/marker
// paging capped at 100 per request; plus one pod that errors and one that never answers in time.

interface HttpPod extends FanoutPod {
  url: string;
}

const MAX_LIMIT = 100;
const servers: Server[] = [];
let requests = 0;

async function startPod(records: Rec[], behaviour: 'normal' | 'error' | 'slow' = 'normal'): Promise<string> {
  const server = createServer((req, res) => {
    requests++;
    const url = new URL(req.url ?? '/', 'http://pod');
    if (behaviour === 'error') {
      res.writeHead(500, { 'content-type': 'application/json' }).end('{"computeFault":{"message":"boom","code":500}}');
      return;
    }
    const answer = () => {
      const keys = url.searchParams.getAll('sort_key').map((key, i) => ({ key, dir: url.searchParams.getAll('sort_dir')[i] as 'asc' | 'desc' }));
      try {
        const page = nativePage(records, keys, Number(url.searchParams.get('limit') ?? MAX_LIMIT), url.searchParams.get('marker') ?? undefined, MAX_LIMIT);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ records: page.records, next: page.more }));
      } catch (err) {
        const status = err instanceof MarkerNotFound ? 400 : 500;
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ badRequest: { message: (err as Error).message, code: status } }));
      }
    };
    if (behaviour === 'slow') setTimeout(answer, 3000).unref();
    else answer();
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const queryPod = pagedPodQuery<Rec, HttpPod>(
  async (pod, page) => {
    const qs = new URLSearchParams();
    for (const k of page.sortKeys) {
      qs.append('sort_key', k.key);
      qs.append('sort_dir', k.dir);
    }
    qs.set('limit', String(page.limit));
    if (page.marker) qs.set('marker', page.marker);
    const res = await fetch(`${pod.url}/records?${qs}`, { signal: page.signal });
    const body = (await res.json()) as { records: Rec[]; next: boolean; badRequest?: { message: string } };
    if (!res.ok) throw Object.assign(new Error(body.badRequest?.message ?? `HTTP ${res.status}`), { status: res.status });
    return { records: body.records, hasMore: body.next };
  },
  { maxPageSize: MAX_LIMIT },
);

describe('fan-out over three HTTP pods', () => {
  let pods: HttpPod[];
  let all: Rec[];
  let broken: HttpPod;
  let slow: HttpPod;

  before(async () => {
    const data = [1, 2, 3].map((i) => makeRecords(`pod-${i}`, 250, 1000 + i, 60));
    all = data.flat();
    pods = await Promise.all(data.map(async (records, i) => ({ id: `pod-${i + 1}`, regionName: `Pod${i + 1}`, url: await startPod(records) })));
    broken = { id: 'pod-x', regionName: 'PodX', url: await startPod([], 'error') };
    slow = { id: 'pod-s', regionName: 'PodSlow', url: await startPod([], 'slow') };
  });
  after(() => {
    for (const s of servers) {
      s.closeAllConnections();
      s.close();
    }
  });

  const findMarker = async (id: string) => {
    const record = all.find((r) => r.id === id);
    return record ? { record, podId: record.pod } : undefined;
  };

  const configs: SortKey[][] = [
    [
      { key: 'created_at', dir: 'desc' },
      { key: 'id', dir: 'desc' },
    ],
    [
      { key: 'created_at', dir: 'asc' },
      { key: 'id', dir: 'asc' },
    ],
    [{ key: 'name', dir: 'asc' }],
    [
      { key: 'name', dir: 'desc' },
      { key: 'created_at', dir: 'desc' },
    ],
    [{ key: 'id', dir: 'asc' }],
    [{ key: 'id', dir: 'desc' }],
  ];

  for (const keys of configs) {
    test(`limit=50 pages return all 750 records once, in global order: ${keys.map((k) => `${k.key} ${k.dir}`).join(', ')}`, async (t) => {
      const seen: Rec[] = [];
      let marker: string | undefined;
      let pages = 0;
      const before = requests;
      for (;;) {
        const page = await listAcrossPods({ pods, sortKeys: keys, limit: 50, marker, findMarker, access, queryPod, timeoutMs: 5000 });
        pages++;
        assert.deepEqual(page.failedPods, []);
        assert.equal(page.answeredPods.length, 3);
        seen.push(...page.records);
        if (!page.nextMarker) break;
        marker = page.nextMarker;
      }
      const order = createRecordOrder(withIdTieBreak(keys), access);
      assert.equal(seen.length, 750);
      assert.equal(new Set(seen.map((r) => r.id)).size, 750);
      assert.deepEqual(
        seen.map((r) => r.id),
        [...all].sort(order.compare).map((r) => r.id),
      );
      // 15 full pages, each with a next marker (as Nova links a full page), then an empty one.
      assert.equal(pages, 16);
      t.diagnostic(`${requests - before} pod requests for ${pages} pages`);
    });
  }

  test('a pod that errors and one that exceeds the timeout are skipped and reported within timeout + margin', async () => {
    const started = Date.now();
    const page = await listAcrossPods({ pods: [...pods, broken, slow], limit: 50, access, queryPod, timeoutMs: 300 });
    const elapsed = Date.now() - started;
    assert.ok(elapsed < 300 + 250, `answered in ${elapsed} ms`);
    assert.equal(page.records.length, 50);
    assert.deepEqual(
      page.answeredPods.map((p) => p.region),
      ['Pod1', 'Pod2', 'Pod3'],
    );
    assert.deepEqual(page.failedPods, [
      { podId: 'pod-x', region: 'PodX', reason: '500: HTTP 500' },
      { podId: 'pod-s', region: 'PodSlow', reason: 'timed out after 300 ms' },
    ]);
  });

  test('an unknown marker is a 400 before any pod is asked', async () => {
    const before = requests;
    await assert.rejects(
      listAcrossPods({ pods, limit: 50, marker: 'no-such-id', findMarker, access, queryPod, timeoutMs: 1000 }),
      (e: unknown) => e instanceof ApiError && e.status === 400 && e.message === 'marker [no-such-id] not found',
    );
    assert.equal(requests, before);
  });
});
