import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startNovaEnv, waitForStatus, type NovaEnv } from './support.js';

const HEADER = 'x-tricircle-unavailable-pods';

/** Admin views gathered from every pod: each must answer without the bad pod and name it. */
const GATHERS = ['/os-simple-tenant-usage?detailed=1', '/os-hypervisors/detail', '/os-hypervisors/statistics', '/os-services', '/os-migrations', '/os-instance_usage_audit_log'];

/**
 * One bad pod never hurts the rest (issue 12): with a pod whose region has no endpoints, and with a
 * pod that hangs, the cross-pod views answer from the other pods within the list deadline and name
 * the bad pod in `x-tricircle-unavailable-pods`; quotas and limits are counted at the top and never
 * ask a pod; a boot in az1 does not wait for a hanging pod in az2. No timing is asserted: a call that
 * waited for the hanging pod would outlast the test's own timeout.
 */
describe('Nova API gateway: a pod without endpoints and a pod that hangs', () => {
  let env: NovaEnv;
  const ids: Record<string, string> = {};
  const boot = (name: string, az: string) =>
    env.call('demo', 'POST', '/servers', { version: '2.37', body: { server: { name, imageRef: env.imageId, flavorRef: '1', networks: 'none', availability_zone: az } } });

  before(async () => {
    env = await startNovaEnv({ extra: { nova_apigw: { list_pod_timeout: 1, down_pod_probe_interval: 0 } } });
    for (const [region, az] of [
      ['Pod1', 'az1'],
      ['Pod2', 'az2'],
    ]) {
      const res = await boot(`bad-pods-${region}`, az);
      assert.equal(res.status, 202, res.text);
      ids[region] = res.body.server.id;
    }
    for (const id of Object.values(ids)) await waitForStatus(env, 'demo', id, ['ACTIVE']);
  });
  after(async () => {
    await env?.close();
  });

  /** The gateway reads the pod table through a cache of a moment: a pod change shows after it. */
  const afterPodChange = async (expected: string | undefined) => {
    for (let i = 0; i < 100; i++) {
      if ((await env.call('admin', 'GET', GATHERS[0])).headers[HEADER] === expected) return;
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  const quotasFromTheTop = async () => {
    const limits = await env.call('demo', 'GET', '/limits');
    assert.equal(limits.status, 200, limits.text);
    assert.equal(limits.headers[HEADER], undefined, 'limits never ask a pod');
    assert.equal(limits.body.limits.absolute.totalInstancesUsed, Object.keys(ids).length);
    const detail = await env.call('demo', 'GET', `/os-quota-sets/${env.projects.demo}/detail`);
    assert.equal(detail.status, 200, detail.text);
    assert.equal(detail.body.quota_set.instances.in_use, Object.keys(ids).length);
  };

  test('a registered pod whose region has no endpoints is left out and named; disabled, it is not asked', async () => {
    const ghost = await env.tc.core.pods.create({ regionName: 'Ghost', azName: 'az3', podAzName: 'az3' });
    try {
      await afterPodChange('Ghost');
      for (const path of GATHERS) {
        const res = await env.call('admin', 'GET', path);
        assert.equal(res.status, 200, `${path}: ${res.text}`);
        assert.equal(res.headers[HEADER], 'Ghost', path);
      }
      const usage = await env.call('admin', 'GET', '/os-simple-tenant-usage?detailed=1');
      const servers = usage.body.tenant_usages.flatMap((u: { server_usages: { instance_id: string }[] }) => u.server_usages.map((s) => s.instance_id));
      for (const id of Object.values(ids)) assert.ok(servers.includes(id), 'the usage of the good pods is all there');
      const hypervisors = await env.call('admin', 'GET', '/os-hypervisors/detail');
      assert.equal(hypervisors.body.hypervisors.length > 0, true);
      const zones = await env.call('admin', 'GET', '/os-availability-zone/detail');
      assert.equal(zones.status, 200, zones.text);
      await quotasFromTheTop();
      const boot1 = await boot('beside-the-ghost', 'az1');
      assert.equal(boot1.status, 202, boot1.text);
      ids.ghostly = boot1.body.server.id;

      await env.tc.core.pods.update(ghost.id, { disabled: true });
      await afterPodChange(undefined);
      for (const path of GATHERS) {
        const res = await env.call('admin', 'GET', path);
        assert.equal(res.status, 200, `${path}: ${res.text}`);
        assert.equal(res.headers[HEADER], undefined, `${path}: a disabled pod is not asked`);
      }
    } finally {
      await env.tc.core.pods.delete(ghost.id).catch(() => undefined);
    }
  });

  test('a pod that answers every call with a server error is left out and named', async () => {
    await env.cluster.setFaults('Pod2', { errorRate: 1 });
    try {
      for (const path of GATHERS) {
        const res = await env.call('admin', 'GET', path);
        assert.equal(res.status, 200, `${path}: ${res.text}`);
        assert.equal(res.headers[HEADER], 'Pod2', path);
      }
      await quotasFromTheTop();
    } finally {
      await env.cluster.setFaults('Pod2', { errorRate: 0 });
    }
  });

  test('a hanging pod is cut off at the list deadline and named; a boot elsewhere does not wait for it', async () => {
    await env.cluster.setFaults('Pod2', { hangMs: 8_000 });
    try {
      for (const path of GATHERS) {
        const res = await env.call('admin', 'GET', path);
        assert.equal(res.status, 200, `${path}: ${res.text}`);
        assert.equal(res.headers[HEADER], 'Pod2', path);
      }
      const usage = await env.call('admin', 'GET', `/os-simple-tenant-usage/${env.projects.demo}`);
      assert.equal(usage.status, 200, usage.text);
      assert.equal(usage.headers[HEADER], 'Pod2');
      const servers = usage.body.tenant_usage.server_usages.map((s: { instance_id: string }) => s.instance_id);
      assert.ok(servers.includes(ids.Pod1));
      assert.ok(!servers.includes(ids.Pod2));
      await quotasFromTheTop();

      const res = await boot('beside-the-hang', 'az1');
      assert.equal(res.status, 202, res.text);
      ids.beside = res.body.server.id;
      const [route] = await env.tc.core.routings.findByTop(res.body.server.id, 'server');
      assert.equal(route.podId, env.pods.Pod1.id);
      await quotasFromTheTop();
    } finally {
      await env.cluster.setFaults('Pod2', { hangMs: 0 });
    }
  });
});
