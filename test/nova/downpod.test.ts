import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startNovaEnv, waitForStatus, type NovaEnv } from './support.js';

const TIMEOUT_S = 1;
const MARGIN_MS = 1500;

describe('Nova API gateway: a pod that is down', () => {
  let env: NovaEnv;
  const ids: Record<string, string[]> = { Pod1: [], Pod2: [] };
  const boot = (name: string, az: string) =>
    env.call('demo', 'POST', '/servers', { version: '2.37', body: { server: { name, imageRef: env.imageId, flavorRef: '1', networks: 'none', availability_zone: az } } });

  before(async () => {
    // Skipping a failed pod between lists is off, so every list below really asks the pod.
    env = await startNovaEnv({ extra: { nova_apigw: { list_pod_timeout: TIMEOUT_S, down_pod_probe_interval: 0 } } });
    for (const [region, az] of [
      ['Pod1', 'az1'],
      ['Pod2', 'az2'],
    ]) {
      for (let i = 0; i < 3; i++) {
        const res = await boot(`${region}-vm${i}`, az);
        assert.equal(res.status, 202, res.text);
        ids[region].push(res.body.server.id);
      }
    }
    for (const id of [...ids.Pod1, ...ids.Pod2]) await waitForStatus(env, 'demo', id, ['ACTIVE']);
  });
  after(async () => {
    await env?.close();
  });

  test('lists answer with the other pods and name the missing one (connection refused)', async () => {
    await env.cluster.setFaults('Pod2', { down: true });
    try {
      const started = Date.now();
      const res = await env.call('demo', 'GET', '/servers/detail');
      const took = Date.now() - started;
      assert.equal(res.status, 200, res.text);
      assert.ok(took < TIMEOUT_S * 1000 + MARGIN_MS, `took ${took} ms`);
      assert.equal(res.headers['x-tricircle-unavailable-pods'], 'Pod2');
      assert.deepEqual(res.body.servers.map((s: { id: string }) => s.id).sort(), [...ids.Pod1].sort(), "before 2.69 the down pod's servers are left out");

      const unknown = await env.call('demo', 'GET', '/servers/detail', { version: '2.69' });
      assert.equal(unknown.status, 200);
      const byId = new Map(unknown.body.servers.map((s: { id: string }) => [s.id, s]));
      assert.equal(byId.size, 6);
      for (const id of ids.Pod2) {
        const s = byId.get(id) as Record<string, unknown>;
        assert.equal(s.status, 'UNKNOWN');
        assert.equal(s.tenant_id, env.projects.demo);
        assert.deepEqual(Object.keys(s).sort(), ['created', 'id', 'links', 'status', 'tenant_id']);
      }
      const brief = await env.call('demo', 'GET', '/servers', { version: '2.69' });
      const entry = brief.body.servers.find((s: { id: string }) => s.id === ids.Pod2[0]);
      assert.deepEqual(Object.keys(entry).sort(), ['id', 'links', 'status']);
      const filtered = await env.call('demo', 'GET', '/servers/detail?name=vm', { version: '2.69' });
      assert.equal(filtered.body.servers.length, 3, 'with filters, no stand-ins');
      assert.equal(filtered.headers['x-tricircle-unavailable-pods'], 'Pod2');

      const shown = await env.call('demo', 'GET', `/servers/${ids.Pod2[0]}`, { version: '2.69' });
      assert.equal(shown.status, 200);
      assert.equal(shown.body.server.status, 'UNKNOWN');
      assert.equal(shown.body.server['OS-EXT-AZ:availability_zone'], 'az2');
      const old = await env.call('demo', 'GET', `/servers/${ids.Pod2[0]}`);
      assert.equal(old.status, 503);

      const created = await boot('while-pod2-is-down', 'az1');
      assert.equal(created.status, 202, created.text);
      ids.Pod1.push(created.body.server.id);
      const unreachable = await boot('into-the-down-pod', 'az2');
      assert.ok(unreachable.status === 400 || unreachable.status === 503, unreachable.text);
    } finally {
      await env.cluster.setFaults('Pod2', { down: false });
    }
  });

  test('a pod that hangs is cut off at the list timeout', async () => {
    await env.cluster.setFaults('Pod1', { hangMs: 3000 });
    try {
      const started = Date.now();
      const res = await env.call('demo', 'GET', '/servers/detail?limit=2');
      const took = Date.now() - started;
      assert.equal(res.status, 200, res.text);
      assert.ok(took >= TIMEOUT_S * 1000 - 50 && took < TIMEOUT_S * 1000 + MARGIN_MS, `took ${took} ms`);
      assert.equal(res.headers['x-tricircle-unavailable-pods'], 'Pod1');
      assert.equal(res.body.servers.length, 2);
      assert.ok(res.body.servers.every((s: { id: string }) => ids.Pod2.includes(s.id)));
    } finally {
      await env.cluster.setFaults('Pod1', { hangMs: 0 });
    }
  });

  test('once the pod is back, lists are whole again', async () => {
    const res = await env.call('demo', 'GET', '/servers/detail');
    assert.equal(res.status, 200);
    assert.equal(res.headers['x-tricircle-unavailable-pods'], undefined);
    assert.equal(res.body.servers.length, ids.Pod1.length + ids.Pod2.length);
  });
});
