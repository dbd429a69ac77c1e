import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startCinderEnv, type CinderEnv } from '../cinder/support.js';

const HEADER = 'x-tricircle-unavailable-pods';

/**
 * One bad pod never hurts the rest: a pod whose region has no endpoints, and a pod that hangs, are
 * left out of quota and limit answers (named in the header), within the list deadline.
 */
test('volume limits and quota sets with a pod that has no endpoints and a pod that hangs', async (t) => {
  const env: CinderEnv = await startCinderEnv({ extra: { cinder_apigw: { list_pod_timeout: 1, down_pod_probe_interval: 0 } } });
  t.after(() => env.close());
  await env.call('demo', 'POST', '/volumes', { body: { volume: { size: 2 } } });
  // A pod whose region Keystone does not know (no endpoints at all).
  const ghost = await env.tc.core.pods.create({ regionName: 'Ghost', azName: 'az3', podAzName: 'az3' });

  for (const path of ['/limits', `/os-quota-sets/${env.demo.project}`, `/os-quota-sets/${env.demo.project}?usage=true`]) {
    const res = await env.call('demo', 'GET', path);
    assert.equal(res.status, 200, `${path}: ${res.text}`);
    assert.equal(res.headers[HEADER], 'Ghost', path);
  }
  const limits = (await env.call('demo', 'GET', '/limits')).body.limits.absolute;
  assert.equal(limits.totalVolumesUsed, 1);
  assert.equal(limits.totalGigabytesUsed, 2);
  assert.equal(limits.maxTotalVolumes, 1000);

  // Disabled: not asked, not reported.
  await env.tc.core.pods.update(ghost.id, { disabled: true });
  const quiet = await env.call('demo', 'GET', '/limits');
  assert.equal(quiet.status, 200);
  assert.equal(quiet.headers[HEADER], undefined);

  // A hanging pod: answered within the list deadline without it; its volume still counts.
  await env.cluster.setFaults('Pod2', { hangMs: 5_000 });
  try {
    for (const path of ['/limits', `/os-quota-sets/${env.demo.project}?usage=true`]) {
      const res = await env.call('demo', 'GET', path);
      assert.equal(res.status, 200, res.text);
      assert.match(String(res.headers[HEADER]), /Pod2/);
    }
  } finally {
    await env.cluster.setFaults('Pod2', { hangMs: 0 });
  }
});
