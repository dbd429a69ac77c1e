import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describeEachDatabase } from '../support/databases.js';
import { http } from '../support/http.js';
import { startCinderEnv, type CinderEnv } from './support.js';

/**
 * Cross-pod volume lists over three pods holding a few hundred volumes each. To keep the test fast
 * the volumes are created straight in the pods (as the demo user) and given routing rows, exactly
 * what the gateway's create records; a few more are created in the pods without routes: volumes made
 * outside Tricircle, which must stay hidden.
 */
const PER_POD = 200;
const HIDDEN_PER_POD = 15;
const MAX_LIMIT = 250;

interface Vol {
  id: string;
  name: string;
  size: number;
  created_at: string;
  region: string;
}

describeEachDatabase('Cinder gateway: volume lists across pods', (dialect) => {
  let env: CinderEnv;
  const routed: Vol[] = [];
  const hidden = new Set<string>();

  before(async () => {
    env = await startCinderEnv({
      dialect,
      pods: [
        { region: 'Pod1', az: 'az1' },
        { region: 'Pod2', az: 'az2' },
        { region: 'Pod3', az: 'az1' },
      ],
      extra: { cinder_apigw: { list_pod_timeout: 2, max_limit: MAX_LIMIT, down_pod_probe_interval: 0 } },
    });
    // Quotas through the gateway: written to every pod.
    const quotas = await env.call('admin', 'PUT', `/os-quota-sets/${env.demo.project}`, { body: { quota_set: { volumes: -1, gigabytes: -1 } } });
    assert.equal(quotas.status, 200, quotas.text);
    for (const region of ['Pod1', 'Pod2', 'Pod3']) {
      const jobs: Promise<void>[] = [];
      for (let i = 0; i < PER_POD + HIDDEN_PER_POD; i++) {
        jobs.push(
          (async () => {
            const res = await env.pod(region, 'demo', 'POST', '/volumes', { volume: { size: 1 + (i % 5), name: `vol-${i % 13}` } });
            assert.equal(res.status, 202, res.text);
            const v = res.body.volume;
            if (i < PER_POD) {
              await env.tc.core.routings.create({ topId: v.id, bottomId: v.id, podId: env.pods[region].id, projectId: env.demo.project, resourceType: 'volume' });
              routed.push({ id: v.id, name: v.name, size: v.size, created_at: v.created_at, region });
            } else {
              hidden.add(v.id);
            }
          })(),
        );
        if (jobs.length >= 25) await Promise.all(jobs.splice(0));
      }
      await Promise.all(jobs);
    }
    // Another project's routed volume, never in demo's lists.
    const other = await env.call('admin', 'POST', '/volumes', { body: { volume: { size: 1, availability_zone: 'az2' } } });
    assert.equal(other.status, 202);
  });
  after(async () => {
    await env?.close();
  });

  const cmp = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0);
  const sorted = (vols: Vol[], keys: [keyof Vol, 'asc' | 'desc'][]) =>
    [...vols].sort((x, y) => {
      for (const [k, d] of keys) {
        const c = cmp(x[k], y[k]);
        if (c !== 0) return d === 'asc' ? c : -c;
      }
      return 0;
    });

  /** Follows next links from `first`, returning every page. */
  async function walk(first: string): Promise<{ ids: string[]; pages: any[] }> {
    const ids: string[] = [];
    const pages: any[] = [];
    let url: string | undefined = `${env.gw}/v3/${env.demo.project}${first}`;
    while (url) {
      assert.ok(url.startsWith(env.gw), url);
      const res: { status: number; headers: Record<string, unknown>; body: any; text: string } = await http('GET', url, { token: env.demo.token });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.headers['x-tricircle-unavailable-pods'], undefined);
      pages.push(res.body);
      ids.push(...res.body.volumes.map((v: any) => v.id));
      url = res.body.volumes_links?.find((l: any) => l.rel === 'next')?.href;
      assert.ok(pages.length < 100, 'too many pages');
    }
    return { ids, pages };
  }

  test('default order (created_at desc, id desc), pages of 37, next links that work, hidden volumes left out', async () => {
    const { ids, pages } = await walk('/volumes/detail?limit=37');
    const expected = sorted(routed, [
      ['created_at', 'desc'],
      ['id', 'desc'],
    ]).map((v) => v.id);
    assert.equal(ids.length, expected.length);
    assert.deepEqual(ids, expected);
    for (const page of pages.slice(0, -1)) assert.equal(page.volumes.length, 37, 'every page but the last is full despite hidden volumes');
    assert.ok(!ids.some((id) => hidden.has(id)));
    const first = pages[0];
    assert.ok(first.volumes.every((v: any) => ['az1', 'az2'].includes(v.availability_zone)));
    const next = new URL(first.volumes_links[0].href);
    assert.equal(next.searchParams.get('limit'), '37');
    assert.equal(next.searchParams.get('marker'), first.volumes[36].id);
    for (const v of first.volumes) for (const l of v.links) assert.ok(l.href.startsWith(env.gw));
  });

  test('sort=name:asc,size:desc in pages of 50', async () => {
    const { ids } = await walk('/volumes/detail?limit=50&sort=name:asc,size:desc');
    // created_at and id follow in the first key's direction.
    assert.deepEqual(
      ids,
      sorted(routed, [
        ['name', 'asc'],
        ['size', 'desc'],
        ['created_at', 'asc'],
        ['id', 'asc'],
      ]).map((v) => v.id),
    );
  });

  test('legacy sort_key/sort_dir, and the brief list', async () => {
    const { ids, pages } = await walk('/volumes?limit=101&sort_key=size&sort_dir=asc');
    assert.deepEqual(
      ids,
      sorted(routed, [
        ['size', 'asc'],
        ['created_at', 'asc'],
        ['id', 'asc'],
      ]).map((v) => v.id),
    );
    assert.deepEqual(Object.keys(pages[0].volumes[0]).sort(), ['id', 'links', 'name']);
  });

  test('no limit: max_limit records and a next link', async () => {
    const res = await env.call('demo', 'GET', '/volumes/detail');
    assert.equal(res.body.volumes.length, MAX_LIMIT);
    assert.ok(res.body.volumes_links);
    const capped = await env.call('demo', 'GET', '/volumes?limit=100000');
    assert.equal(capped.body.volumes.length, MAX_LIMIT);
  });

  test('filters reach the pods; availability_zone picks the pods of that AZ', async () => {
    const byName = await env.call('demo', 'GET', '/volumes/detail?name=vol-3');
    assert.deepEqual(
      byName.body.volumes.map((v: any) => v.id).sort(),
      routed
        .filter((v) => v.name === 'vol-3')
        .map((v) => v.id)
        .sort(),
    );
    const az1 = await walk('/volumes/detail?availability_zone=az1&limit=100');
    assert.deepEqual(
      az1.ids.sort(),
      routed
        .filter((v) => v.region !== 'Pod2')
        .map((v) => v.id)
        .sort(),
    );
    assert.ok(az1.pages.every((p) => p.volumes.every((v: any) => v.availability_zone === 'az1')));
    const none = await env.call('demo', 'GET', '/volumes?availability_zone=az9');
    assert.deepEqual(none.body.volumes, []);
  });

  test('bad list parameters are 400; an unknown marker 404', async () => {
    for (const q of ['limit=-1', 'limit=abc', 'sort=bogus:asc', 'sort=name:sideways', 'sort=name&sort_key=size', 'offset=5']) {
      const res = await env.call('demo', 'GET', `/volumes?${q}`);
      assert.equal(res.status, 400, `${q}: ${res.text}`);
      assert.ok(res.body.badRequest, q);
    }
    const id = randomUUID();
    const marker = await env.call('demo', 'GET', `/volumes?marker=${id}`);
    assert.equal(marker.status, 404);
    assert.equal(marker.body.itemNotFound.message, `Marker ${id} could not be found.`);
    const hiddenMarker = await env.call('demo', 'GET', `/volumes?marker=${[...hidden][0]}`);
    assert.equal(hiddenMarker.status, 404);
  });

  test('summary totals every visible volume', async () => {
    const res = await env.call('demo', 'GET', '/volumes/summary', { headers: { 'openstack-api-version': 'volume 3.36' } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body['volume-summary'].total_count, routed.length);
    assert.equal(
      res.body['volume-summary'].total_size,
      routed.reduce((n, v) => n + v.size, 0),
    );
    assert.equal((await env.call('demo', 'GET', '/volumes/summary')).status, 404, 'before 3.12 there is no summary');
  });

  test('limits and quota usage are summed across pods', async () => {
    const limits = await env.call('demo', 'GET', '/limits');
    assert.equal(limits.status, 200);
    const all = routed.length + hidden.size;
    assert.equal(limits.body.limits.absolute.totalVolumesUsed, all);
    assert.equal(limits.body.limits.absolute.maxTotalVolumes, -1);
    assert.equal(limits.body.limits.absolute.maxTotalSnapshots, 10);
    const usage = await env.call('demo', 'GET', `/os-quota-sets/${env.demo.project}?usage=true`);
    assert.equal(usage.status, 200, usage.text);
    assert.deepEqual(usage.body.quota_set.volumes, { in_use: all, limit: -1, reserved: 0 });
    assert.equal(usage.body.quota_set.id, env.demo.project);
    const plain = await env.call('demo', 'GET', `/os-quota-sets/${env.demo.project}`);
    assert.equal(plain.body.quota_set.volumes, -1);
    assert.equal(plain.body.quota_set.snapshots, 10);
    const defaults = await env.call('demo', 'GET', `/os-quota-sets/${env.demo.project}/defaults`);
    assert.equal(defaults.body.quota_set.volumes, 10);
    const denied = await env.call('demo', 'PUT', `/os-quota-sets/${env.demo.project}`, { body: { quota_set: { volumes: 5 } } });
    assert.equal(denied.status, 403);
    // A body that is no quota set is a 400 at the top, never relayed (the fuzz test found a 503 for one nested 5,000 deep).
    for (const raw of [`{"quota_set": ${'['.repeat(5000)}${']'.repeat(5000)}}`, '{"quota_set": {"volumes": [[1]]}}', '{"os_quota_set": {"volumes": 1}}', '{}']) {
      const bad = await env.call('admin', 'PUT', `/os-quota-sets/${env.demo.project}`, { raw, headers: { 'content-type': 'application/json' } });
      assert.equal(bad.status, 400, `${raw.slice(0, 40)}: ${bad.text.slice(0, 200)}`);
      assert.equal(typeof bad.body.badRequest?.message, 'string', bad.text.slice(0, 200));
    }
  });

  test('a pod that is down is left out and named in a header', async () => {
    await env.cluster.setFaults('Pod3', { down: true });
    try {
      const started = Date.now();
      const res = await env.call('demo', 'GET', '/volumes/detail?limit=60&sort=size:asc');
      assert.equal(res.status, 200, res.text);
      assert.ok(Date.now() - started < 5000, `answered in ${Date.now() - started} ms`);
      assert.equal(res.headers['x-tricircle-unavailable-pods'], 'Pod3');
      const expected = sorted(
        routed.filter((v) => v.region !== 'Pod3'),
        [
          ['size', 'asc'],
          ['created_at', 'asc'],
          ['id', 'asc'],
        ],
      ).slice(0, 60);
      assert.deepEqual(
        res.body.volumes.map((v: any) => v.id),
        expected.map((v) => v.id),
      );
      const limits = await env.call('demo', 'GET', '/limits');
      assert.equal(limits.status, 200);
      assert.equal(limits.headers['x-tricircle-unavailable-pods'], 'Pod3');
    } finally {
      await env.cluster.setFaults('Pod3', { down: false });
    }
    // Back: asked again (down_pod_probe_interval is 0 here) and complete.
    const res = await env.call('demo', 'GET', '/volumes?limit=1000');
    assert.equal(res.headers['x-tricircle-unavailable-pods'], undefined);
  });

  test('a pod that hangs is cut off at list_pod_timeout (2 s) plus a margin', async () => {
    await env.cluster.setFaults('Pod2', { hangMs: 10_000 });
    try {
      const started = Date.now();
      const res = await env.call('demo', 'GET', '/volumes?limit=20');
      const elapsed = Date.now() - started;
      assert.equal(res.status, 200);
      // Not a speed check: the answer must come long before the pod's 10 s hang ends (CI shares two cores).
      assert.ok(elapsed < 5000, `answered in ${elapsed} ms`);
      assert.equal(res.headers['x-tricircle-unavailable-pods'], 'Pod2');
      assert.equal(res.body.volumes.length, 20);
      const allowed = new Set(routed.filter((v) => v.region !== 'Pod2').map((v) => v.id));
      assert.ok(res.body.volumes.every((v: any) => allowed.has(v.id)));
    } finally {
      await env.cluster.setFaults('Pod2', { hangMs: 0 });
    }
  });
});
