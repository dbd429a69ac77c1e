import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startCinderEnv } from '../cinder/support.js';
import { startPrepareHarness } from '../network/prepare-support.js';

const HEADER = 'x-tricircle-unavailable-pods';

/**
 * Issue 12, pod isolation: the networking and block-storage reads that gather from every pod (live port
 * status, agents, Cinder's admin views) answer without a pod whose region has no endpoints and without
 * a pod that hangs (a small list deadline), naming each in the header; a disabled pod is not asked.
 */
test('Neutron gathers (live port status, agents) with a pod that has no endpoints and a pod that hangs', async (t) => {
  const h = await startPrepareHarness('sqlite', { neutron: { list_pod_timeout: 0.5 } });
  t.after(() => h.close());
  const { net } = await h.network('10.72.0.0/24');
  const prepared = await h.preparer.prepareServerNics(h.ctx, h.pods.Pod1, [{ networkId: net.id }], { serverId: 'provisional' });
  const portId = prepared.nics[0].topPortId;
  // A pod whose region Keystone does not know, holding a copy of a second port.
  const ghost = await h.tc.core.pods.create({ regionName: 'Ghost', azName: 'az9', podAzName: 'az9' });
  const other = await h.top('POST', '/v2.0/ports', { port: { network_id: net.id } }, h.demoToken);
  assert.equal(other.status, 201, other.text);
  await h.tc.core.routings.create({ topId: other.body.port.id, bottomId: other.body.port.id, podId: ghost.id, projectId: h.demoProject, resourceType: 'port' });

  const list = await h.top('GET', `/v2.0/ports?network_id=${net.id}`, undefined, h.adminToken);
  assert.equal(list.status, 200, list.text);
  assert.equal(list.headers[HEADER], 'Ghost');
  assert.ok(
    list.body.ports.some((p: { id: string }) => p.id === other.body.port.id),
    'the port of the pod left out shows its top row',
  );
  const agents = await h.top('GET', '/v2.0/agents', undefined, h.adminToken);
  assert.equal(agents.status, 200, agents.text);
  assert.equal(agents.headers[HEADER], 'Ghost');
  assert.ok(
    agents.body.agents.some((a: { 'tricircle:region': string }) => a['tricircle:region'] === 'Pod1'),
    'the other pods answer',
  );

  await h.cluster.setFaults('Pod1', { hangMs: 5_000 });
  try {
    const both = await h.top('GET', `/v2.0/ports?network_id=${net.id}`, undefined, h.adminToken);
    assert.equal(both.status, 200, both.text);
    assert.equal(both.headers[HEADER], 'Ghost, Pod1');
    assert.ok(both.body.ports.some((p: { id: string }) => p.id === portId));
    const agentsHanging = await h.top('GET', '/v2.0/agents', undefined, h.adminToken);
    assert.equal(agentsHanging.status, 200, agentsHanging.text);
    assert.equal(agentsHanging.headers[HEADER], 'Ghost, Pod1');
    assert.ok(agentsHanging.body.agents.every((a: { 'tricircle:region': string }) => a['tricircle:region'] === 'Pod2'));
  } finally {
    await h.cluster.setFaults('Pod1', { hangMs: 0 });
  }

  // Disabled: not asked, not named.
  await h.tc.core.pods.update(ghost.id, { disabled: true });
  for (const path of [`/v2.0/ports?network_id=${net.id}`, '/v2.0/agents']) {
    const quiet = await h.top('GET', path, undefined, h.adminToken);
    assert.equal(quiet.status, 200, quiet.text);
    assert.equal(quiet.headers[HEADER], undefined, path);
  }
});

test("Cinder's admin views (services, pools, hosts, clusters) with a pod that has no endpoints and a pod that hangs", async (t) => {
  const env = await startCinderEnv({ extra: { cinder_apigw: { list_pod_timeout: 0.5, down_pod_probe_interval: 0 } } });
  t.after(() => env.close());
  const ghost = await env.tc.core.pods.create({ regionName: 'Ghost', azName: 'az9', podAzName: 'az9' });
  const paths = ['/os-services', '/scheduler-stats/get_pools', '/os-hosts'];
  for (const path of paths) {
    const res = await env.call('admin', 'GET', path);
    assert.equal(res.status, 200, `${path}: ${res.text}`);
    assert.equal(res.headers[HEADER], 'Ghost', path);
  }
  await env.cluster.setFaults('Pod2', { hangMs: 5_000 });
  try {
    for (const path of paths) {
      const res = await env.call('admin', 'GET', path);
      assert.equal(res.status, 200, `${path}: ${res.text}`);
      assert.equal(res.headers[HEADER], 'Ghost, Pod2', path);
    }
  } finally {
    await env.cluster.setFaults('Pod2', { hangMs: 0 });
  }
  await env.tc.core.pods.update(ghost.id, { disabled: true });
  for (const path of paths) {
    const res = await env.call('admin', 'GET', path);
    assert.equal(res.status, 200, `${path}: ${res.text}`);
    assert.equal(res.headers[HEADER], undefined, path);
  }
});
