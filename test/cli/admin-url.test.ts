import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSimCluster, type SimCluster } from '../../sim/cluster.js';
import { adminApiRoot, adminUrl, osEnvironment } from '../../src/cli/credentials.js';
import type { RunningTricircle } from '../../src/server.js';
import { runCli } from '../support/cli.js';
import { createScratchDatabase, type ScratchDatabase } from '../support/databases.js';
import { startTestTricircle, testConfig } from '../support/tricircle.js';

describe('the Admin API URL, with or without /v1.0', () => {
  test('every source is cut back to the unversioned root', () => {
    for (const url of ['http://h:19999', 'http://h:19999/', 'http://h:19999/v1.0', 'http://h:19999/v1.0/', ' http://h:19999/v1.0// ']) {
      assert.equal(adminApiRoot(url), 'http://h:19999', url);
    }
    assert.equal(adminApiRoot('https://lb.example/tricircle/v1.0'), 'https://lb.example/tricircle');
    assert.equal(adminApiRoot('https://lb.example/v1.0x'), 'https://lb.example/v1.0x');

    const config = testConfig({ databaseUrl: 'sqlite:///:memory:', extra: { admin_api: { public_url: 'http://pub:19999/v1.0/' } } });
    assert.equal(adminUrl(osEnvironment({ TRICIRCLE_ADMIN_URL: 'http://env:1/v1.0' }), [], config), 'http://env:1');
    const catalog = [{ type: 'tricircle', endpoints: [{ interface: 'public', region_id: 'RegionOne', url: 'http://cat:2/v1.0' }] }];
    assert.equal(adminUrl(osEnvironment({ OS_REGION_NAME: 'RegionOne' }), catalog, config), 'http://cat:2');
    assert.equal(adminUrl(osEnvironment({}), [], config), 'http://pub:19999');
  });

  describe('the CLI reaches the Admin API', () => {
    let cluster: SimCluster;
    let scratch: ScratchDatabase;
    let tc: RunningTricircle;

    before(async () => {
      cluster = await startSimCluster({ pods: [{ region: 'Pod1', az: 'az1' }], top: { region: 'RegionOne', endpoints: {} } });
      scratch = await createScratchDatabase('sqlite');
      tc = await startTestTricircle({ databaseUrl: scratch.url, authStrategy: 'keystone', keystoneUrl: cluster.keystoneUrl, only: ['admin-api'] });
      cluster.keystone.addEndpoint({ region: 'RegionOne', serviceType: 'tricircle', serviceName: 'tricircle', interface: 'public', url: `${tc.urls['admin-api']}/v1.0/` });
      await tc.core.pods.create({ regionName: 'RegionOne' });
    });
    after(async () => {
      await tc?.close();
      await cluster?.close();
      await scratch?.drop();
    });

    const osEnv = () => ({
      OS_AUTH_URL: `${cluster.keystoneUrl}/v3`,
      OS_USERNAME: 'admin',
      OS_PASSWORD: 'password',
      OS_PROJECT_NAME: 'admin',
      OS_REGION_NAME: 'RegionOne',
      TRICIRCLE_DATABASE__CONNECTION: scratch.url,
    });
    const podNames = async (env: Record<string, string>) => {
      const res = await runCli(['pod', 'list', '-f', 'json'], env);
      assert.equal(res.code, 0, res.stderr);
      return (JSON.parse(res.stdout) as { region_name: string }[]).map((p) => p.region_name);
    };

    test('TRICIRCLE_ADMIN_URL as the catalog prints it, and without the version', async () => {
      assert.deepEqual(await podNames({ ...osEnv(), TRICIRCLE_ADMIN_URL: `${tc.urls['admin-api']}/v1.0` }), ['RegionOne']);
      assert.deepEqual(await podNames({ ...osEnv(), TRICIRCLE_ADMIN_URL: `${tc.urls['admin-api']}/` }), ['RegionOne']);
    });

    test('the catalog entry (with /v1.0/) when TRICIRCLE_ADMIN_URL is not set', async () => {
      assert.deepEqual(await podNames(osEnv()), ['RegionOne']);
    });
  });
});
