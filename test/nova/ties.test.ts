import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Counter } from 'prom-client';
import { http } from '../support/http.js';
import { startNovaEnv, type NovaEnv } from './support.js';

const PODS = ['Pod1', 'Pod2', 'Pod3'];
const PER_POD = 300;
const LIMIT = 100;

/**
 * Servers booted in bulk share their creation second: each pod below holds 300 servers made by one
 * multi-create, so the default order (created_at desc, id desc) is one long tie group per pod, which
 * the pods order by a finer hidden value. The merged list must still give every server once in the
 * global order, with a bounded number of pod requests per page (counted, not timed).
 */
describe('Nova API gateway: pages over servers that share one creation second', () => {
  let env: NovaEnv;
  const all: { id: string; created: string }[] = [];

  const podGets = async (): Promise<number> => {
    const metric = env.tc.core.metrics.registry.getSingleMetric('tricircle_pod_requests_total') as Counter | undefined;
    if (!metric) return 0;
    const { values } = await metric.get();
    return values.filter((v) => v.labels.service === 'compute' && v.labels.method === 'GET').reduce((n, v) => n + v.value, 0);
  };

  before(async () => {
    env = await startNovaEnv({ pods: PODS.map((region, i) => ({ region, az: `az${i + 1}` })) });
    for (const region of PODS) {
      const res = await env.pod(region, 'demo', 'POST', '/servers', {
        version: '2.37',
        body: { server: { name: `bulk-${region}`, imageRef: env.imageId, flavorRef: '1', networks: 'none', min_count: PER_POD, max_count: PER_POD } },
      });
      assert.equal(res.status, 202, res.text);
      const listed = await env.pod(region, 'demo', 'GET', '/servers/detail?limit=1000');
      assert.equal(listed.body.servers.length, PER_POD);
      assert.equal(new Set(listed.body.servers.map((s: { created: string }) => s.created)).size, 1, 'one creation second per pod');
      for (const s of listed.body.servers) {
        await env.tc.core.routings.create({ topId: s.id, bottomId: s.id, podId: env.pods[region].id, projectId: env.projects.demo, resourceType: 'server' });
        all.push({ id: s.id, created: s.created });
      }
    }
  });
  after(async () => {
    await env?.close();
  });

  test('every server once, in global order, with a bounded number of pod requests per page', async () => {
    const want = [...all].sort((a, b) => (a.created !== b.created ? (a.created < b.created ? 1 : -1) : a.id < b.id ? 1 : a.id > b.id ? -1 : 0)).map((s) => s.id);
    const ids: string[] = [];
    let url: string | undefined = `${env.gw}/v2.1/servers/detail?limit=${LIMIT}`;
    let pages = 0;
    const perPage: number[] = [];
    while (url) {
      const before = await podGets();
      const res: { status: number; text: string; body: any } = await http('GET', url, { token: env.tokens.demo });
      perPage.push((await podGets()) - before);
      assert.equal(res.status, 200, res.text);
      pages++;
      ids.push(...res.body.servers.map((s: { id: string }) => s.id));
      url = (res.body.servers_links ?? []).find((l: { rel: string }) => l.rel === 'next')?.href;
      assert.ok(pages <= 12, 'the walk ends');
    }
    assert.equal(ids.length, PODS.length * PER_POD);
    assert.equal(new Set(ids).size, ids.length, 'no server twice');
    assert.deepEqual(ids, want);
    const worst = Math.max(...perPage);
    const mean = perPage.reduce((a, b) => a + b, 0) / perPage.length;
    console.log(`# pod GETs per page (${PODS.length} pods): ${perPage.join(' ')}; mean ${mean.toFixed(1)}, worst ${worst}`);
    assert.ok(worst <= PODS.length * 2, `at most 2 requests per pod per page (the marker lookup included; it was ~91 before any bound), not ${worst} for ${PODS.length} pods`);
  });
});
