import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSimCluster } from '../../sim/cluster.js';
import { fetchSimToken } from '../../sim/common/token.js';
import { createScratchDatabase } from '../support/databases.js';
import { http } from '../support/http.js';
import { startTestTricircle } from '../support/tricircle.js';

/** Registering a pod runs `tricircle pod check` on it: the pod is registered, and each failed check is a warning. */
test('POST /v1.0/pods warns with the failed pod checks (an unknown physnet), and registers the pod', async (t) => {
  const cluster = await startSimCluster({ pods: [{ region: 'Pod1', az: 'az1', physicalNetworks: ['bridge'] }], top: { region: 'RegionOne', endpoints: {} } });
  t.after(() => cluster.close());
  const scratch = await createScratchDatabase('sqlite');
  t.after(() => scratch.drop());
  const tc = await startTestTricircle({
    databaseUrl: scratch.url,
    authStrategy: 'keystone',
    keystoneUrl: cluster.keystoneUrl,
    only: ['admin-api'],
    extra: { tricircle: { network_vlan_ranges: ['bridge:2001:3000', 'extern:3001:4000'] } },
  });
  t.after(() => tc.close());
  await tc.core.pods.create({ regionName: 'RegionOne' });
  const token = (await fetchSimToken(cluster.keystoneUrl, { project: 'admin' })).token;

  const res = await http('POST', `${tc.urls['admin-api']}/v1.0/pods`, { token, body: { pod: { region_name: 'Pod1', az_name: 'az1', pod_az_name: 'az1' } } });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.pod.region_name, 'Pod1');
  const warnings: string[] = res.body.warnings ?? [];
  assert.ok(
    warnings.some((w) => /^pod check physnet extern 3001-4000: .*physical_network 'extern' unknown/.test(w)),
    JSON.stringify(warnings),
  );
  assert.ok(!warnings.some((w) => w.startsWith('pod check physnet bridge')), 'the known physnet passes');
  assert.equal((await tc.core.pods.list()).length, 2, 'the pod is registered all the same');
});
