import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { http } from '../support/http.js';
import { startNovaEnv, type NovaEnv } from './support.js';

const PODS = ['Pod1', 'Pod2', 'Pod3'];
const PER_POD = 250;
const BATCH = 50;

interface Row {
  id: string;
  name: string;
  created: string;
  vm_state: string;
}

type Dir = 'asc' | 'desc';

/**
 * 3 pods × 250 servers, walked through the gateway in pages of 50. The servers are booted directly
 * in the pods (multi-create, 50 at a time, so many share a creation second and a name across pods)
 * and given routing entries, as if the gateway had booted them: creating 750 servers through the
 * gateway would only make the test slower, not different.
 */
describe('Nova API gateway: pagination across pods', () => {
  let env: NovaEnv;
  const all: Row[] = [];

  before(async () => {
    env = await startNovaEnv({ pods: PODS.map((region, i) => ({ region, az: `az${i + 1}` })) });
    for (const region of PODS) {
      for (let b = 1; b <= PER_POD / BATCH; b++) {
        const res = await env.pod(region, 'demo', 'POST', '/servers', {
          version: '2.37',
          body: { server: { name: `b${b}`, imageRef: env.imageId, flavorRef: '1', networks: 'none', min_count: BATCH, max_count: BATCH } },
        });
        assert.equal(res.status, 202, res.text);
      }
      let listed = await env.pod(region, 'demo', 'GET', '/servers/detail?limit=1000');
      // Wait for the builds to finish, so vm_state (a sort key below) no longer changes.
      for (let i = 0; i < 200 && listed.body.servers.some((s: Record<string, unknown>) => s['OS-EXT-STS:vm_state'] !== 'active'); i++) {
        await new Promise((r) => setTimeout(r, 10));
        listed = await env.pod(region, 'demo', 'GET', '/servers/detail?limit=1000');
      }
      assert.equal(listed.body.servers.length, PER_POD);
      for (const s of listed.body.servers) {
        await env.tc.core.routings.create({ topId: s.id, bottomId: s.id, podId: env.pods[region].id, projectId: env.projects.demo, resourceType: 'server' });
        all.push({ id: s.id, name: s.name, created: s.created, vm_state: s['OS-EXT-STS:vm_state'] });
      }
    }
  });
  after(async () => {
    await env?.close();
  });

  /** The global order Nova defines: the given keys, then created_at and id in the first direction. */
  function expected(keys: [keyof Row, Dir][]): string[] {
    const full = [...keys];
    const fallback = keys[0]?.[1] ?? 'desc';
    if (!full.some(([k]) => k === 'created')) full.push(['created', fallback]);
    if (!full.some(([k]) => k === 'id')) full.push(['id', fallback]);
    return [...all]
      .sort((a, b) => {
        for (const [k, dir] of full) {
          const c = a[k] < b[k] ? -1 : a[k] > b[k] ? 1 : 0;
          if (c !== 0) return dir === 'asc' ? c : -c;
        }
        return 0;
      })
      .map((r) => r.id);
  }

  async function walk(path: string, query: string): Promise<{ ids: string[]; pages: number }> {
    const ids: string[] = [];
    let url: string | undefined = `${env.gw}/v2.1${path}?limit=50${query}`;
    let pages = 0;
    while (url) {
      const res: { status: number; text: string; body: any } = await http('GET', url, { token: env.tokens.demo });
      assert.equal(res.status, 200, res.text);
      pages++;
      assert.ok(res.body.servers.length <= 50);
      ids.push(...res.body.servers.map((s: { id: string }) => s.id));
      const next = (res.body.servers_links ?? []).find((l: { rel: string }) => l.rel === 'next');
      url = next?.href;
      if (url) assert.ok(url.startsWith(`${env.gw}/v2.1${path}?`), url);
      assert.ok(pages <= 20, 'the walk ends');
    }
    return { ids, pages };
  }

  const orders: { name: string; query: string; keys: [keyof Row, Dir][] }[] = [
    { name: 'default (created_at desc, id desc)', query: '', keys: [] },
    { name: 'created_at asc', query: '&sort_key=created_at&sort_dir=asc', keys: [['created', 'asc']] },
    { name: 'display_name asc', query: '&sort_key=display_name&sort_dir=asc', keys: [['name', 'asc']] },
    { name: 'display_name desc', query: '&sort_key=display_name&sort_dir=desc', keys: [['name', 'desc']] },
    { name: 'uuid asc', query: '&sort_key=uuid&sort_dir=asc', keys: [['id', 'asc']] },
    {
      name: 'vm_state asc, display_name desc',
      query: '&sort_key=vm_state&sort_dir=asc&sort_key=display_name&sort_dir=desc',
      keys: [
        ['vm_state', 'asc'],
        ['name', 'desc'],
      ],
    },
  ];

  for (const order of orders) {
    test(`pages of 50 give every server exactly once, in global order: ${order.name}`, async () => {
      const { ids, pages } = await walk('/servers/detail', order.query);
      assert.equal(ids.length, PODS.length * PER_POD);
      assert.equal(new Set(ids).size, ids.length, 'no server twice');
      assert.deepEqual(ids, expected(order.keys));
      assert.equal(pages, 16, '15 full pages, and the empty page the last full one links to');
    });
  }

  test('the brief list pages the same way', async () => {
    const { ids } = await walk('/servers', '&sort_key=display_name&sort_dir=asc');
    assert.deepEqual(ids, expected([['name', 'asc']]));
  });

  test('filters go to every pod and paging still holds', async () => {
    const { ids } = await walk('/servers/detail', '&name=^b3-&sort_key=uuid&sort_dir=desc');
    const want = expected([['id', 'desc']]).filter((id) => all.find((r) => r.id === id)!.name.startsWith('b3-'));
    assert.equal(want.length, PODS.length * BATCH);
    assert.deepEqual(ids, want);
  });
});
