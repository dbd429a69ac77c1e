import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startPrepareHarness } from '../network/prepare-support.js';

const HEADER = 'x-tricircle-unavailable-pods';

/** The live status of ports is read within the list deadline; a pod that hangs is left out and named. */
test('port list and show with a hanging pod: top rows, within the deadline, the pod named', async (t) => {
  const h = await startPrepareHarness('sqlite', { neutron: { list_pod_timeout: 0.5 } });
  t.after(() => h.close());
  const { net } = await h.network('10.71.0.0/24');
  const prepared = await h.preparer.prepareServerNics(h.ctx, h.pods.Pod1, [{ networkId: net.id }], { serverId: 'provisional' });
  const portId = prepared.nics[0].topPortId;
  const healthy = await h.top('GET', `/v2.0/ports?network_id=${net.id}`, undefined, h.adminToken);
  assert.equal(healthy.status, 200);
  assert.equal(healthy.headers[HEADER], undefined);

  await h.cluster.setFaults('Pod1', { hangMs: 5_000 });
  try {
    const list = await h.top('GET', `/v2.0/ports?network_id=${net.id}`, undefined, h.adminToken);
    assert.equal(list.status, 200, list.text);
    assert.equal(list.headers[HEADER], 'Pod1');
    assert.ok(list.body.ports.some((p: { id: string }) => p.id === portId));
    const one = await h.top('GET', `/v2.0/ports/${portId}`, undefined, h.adminToken);
    assert.equal(one.status, 200);
    assert.equal(one.headers[HEADER], 'Pod1');
    // A disabled pod is not asked, and not reported.
    await h.tc.core.pods.update(h.pods.Pod1.id, { disabled: true });
    const quiet = await h.top('GET', `/v2.0/ports?network_id=${net.id}`, undefined, h.adminToken);
    assert.equal(quiet.status, 200);
    assert.equal(quiet.headers[HEADER], undefined);
  } finally {
    await h.cluster.setFaults('Pod1', { hangMs: 0 });
  }
});
