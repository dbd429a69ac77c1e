import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createScratchDatabase, type ScratchDatabase } from '../support/databases.js';
import { OPENSTACK_MISSING, openstack as runOpenstack, openstackCli } from '../support/openstack.js';
import { startTestTricircle } from '../support/tricircle.js';
import { startKeystoneSim } from '../../sim/keystone/index.js';
import type { RunningTricircle } from '../../src/server.js';

/** The real openstack CLI sets networking quotas at the top, and the top refuses what passes them. */
describe('networking quotas: the openstack CLI', openstackCli ? {} : { skip: OPENSTACK_MISSING }, () => {
  let keystone: Awaited<ReturnType<typeof startKeystoneSim>>;
  let scratch: ScratchDatabase;
  let tc: RunningTricircle;
  const os = (...args: string[]) => runOpenstack({ authUrl: `${keystone.url}/v3` }, args, 60_000);

  before(async () => {
    keystone = await startKeystoneSim();
    scratch = await createScratchDatabase('sqlite');
    tc = await startTestTricircle({ databaseUrl: scratch.url, only: ['neutron-api', 'nova-apigw', 'cinder-apigw'], authStrategy: 'keystone', keystoneUrl: keystone.url });
    keystone.keystone.addEndpoint({ region: 'RegionOne', serviceType: 'network', serviceName: 'neutron', interface: 'public', url: tc.urls['neutron-api']! });
    // The CLI's quota commands look up every service's endpoint.
    keystone.keystone.addEndpoint({ region: 'RegionOne', serviceType: 'compute', serviceName: 'nova', interface: 'public', url: `${tc.urls['nova-apigw']}/v2.1` });
    for (const serviceType of ['volumev3', 'block-storage']) {
      keystone.keystone.addEndpoint({ region: 'RegionOne', serviceType, serviceName: 'cinderv3', interface: 'public', url: `${tc.urls['cinder-apigw']}/v3/$(project_id)s` });
    }
  });
  after(async () => {
    await tc?.close();
    await scratch?.drop();
    await keystone?.close();
  });

  test('quota set --networks 3 --ports 5: the 4th network is refused with OverQuota', async () => {
    const set = await os('quota', 'set', '--networks', '3', '--ports', '5', 'admin');
    assert.equal(set.code, 0, set.stderr);
    const shown = await os('quota', 'show', '-f', 'json', 'admin');
    assert.equal(shown.code, 0, shown.stderr);
    const quota = JSON.parse(shown.stdout);
    const networks = Array.isArray(quota) ? quota.find((r: { Resource: string }) => r.Resource === 'networks')?.Limit : quota.networks;
    assert.equal(Number(networks), 3);
    for (const name of ['n1', 'n2', 'n3']) {
      const r = await os('network', 'create', name);
      assert.equal(r.code, 0, r.stderr);
    }
    const fourth = await os('network', 'create', 'n4');
    assert.notEqual(fourth.code, 0);
    assert.match(fourth.stderr, /Quota exceeded for resources: \['network'\]/);
  });
});
