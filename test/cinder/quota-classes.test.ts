import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDatabase } from '../support/databases.js';
import { startCinderEnv, waitForStatus, type CinderEnv } from './support.js';

describeEachDatabase('Cinder gateway: os-quota-class-sets (top-owned)', (dialect) => {
  let env: CinderEnv;

  before(async () => {
    env = await startCinderEnv({ dialect });
  });
  after(async () => {
    await env?.close();
  });

  test('the default class shows every quota (per-type ones too), admin only', async () => {
    const type = await env.call('admin', 'POST', '/types', { body: { volume_type: { name: 'qc-shown' } } });
    assert.equal(type.status, 200, type.text);
    const shown = await env.call('admin', 'GET', '/os-quota-class-sets/default');
    assert.equal(shown.status, 200, shown.text);
    const set = shown.body.quota_class_set;
    assert.equal(set.id, 'default');
    assert.equal(set.volumes, 10);
    assert.equal(set.gigabytes, 1000);
    assert.equal(set.snapshots, 10);
    assert.equal(set.backups, 10);
    assert.equal(set.backup_gigabytes, 1000);
    assert.equal(set.groups, 10);
    assert.equal(set.per_volume_gigabytes, -1);
    for (const res of ['volumes', 'gigabytes', 'snapshots']) assert.equal(set[`${res}_qc-shown`], -1, res);
    assert.equal((await env.call('demo', 'GET', '/os-quota-class-sets/default')).status, 403);
    assert.equal((await env.call('demo', 'PUT', '/os-quota-class-sets/default', { body: { quota_class_set: { volumes: 3 } } })).status, 403);
  });

  test('PUT: upstream body rules; 400 for bad values, unknown quota names ignored', async () => {
    const put = (body: unknown) => env.call('admin', 'PUT', '/os-quota-class-sets/gold', { body });
    for (const bad of [
      {},
      { quota_class_set: { volumes: -2 } },
      { quota_class_set: { volumes: 'ten' } },
      { quota_class_set: { volumes: 2 ** 31 } },
      { quota_class_set: { 'bad/key': 1 } },
      { quota_class_set: { volumes: 1 }, extra: 1 },
    ]) {
      const res = await put(bad);
      assert.equal(res.status, 400, `${JSON.stringify(bad)}: ${res.text}`);
      assert.ok(res.body.badRequest?.message, res.text);
    }
    const res = await put({ quota_class_set: { volumes: '7', snapshots: 3, no_such_quota: 5 } });
    assert.equal(res.status, 200, res.text);
    const set = res.body.quota_class_set;
    assert.equal(set.volumes, 7);
    assert.equal(set.snapshots, 3);
    assert.equal(set.gigabytes, 1000);
    assert.equal(set.id, undefined, 'the update answer carries no id (as upstream)');
    assert.equal(set.no_such_quota, undefined);
    const shown = (await env.call('admin', 'GET', '/os-quota-class-sets/gold')).body.quota_class_set;
    assert.equal(shown.volumes, 7);
    assert.equal(shown.id, 'gold');
    // The top stores what fits its table: the longest class name a path parameter takes (100
    // characters) works, a quota named after a very long type name is a clear 400 (never a 500).
    const longName = 'c'.repeat(100);
    const long = await env.call('admin', 'PUT', `/os-quota-class-sets/${longName}`, { body: { quota_class_set: { backups: 4 } } });
    assert.equal(long.status, 200, long.text);
    assert.equal((await env.call('admin', 'GET', `/os-quota-class-sets/${longName}`)).body.quota_class_set.backups, 4);
    const typeName = 't'.repeat(100);
    assert.equal((await env.call('admin', 'POST', '/types', { body: { volume_type: { name: typeName } } })).status, 200);
    const longKey = await put({ quota_class_set: { [`volumes_${typeName}`]: 3 } });
    assert.equal(longKey.status, 400, longKey.text);
    assert.equal((await env.call('admin', 'GET', '/os-quota-class-sets/gold')).body.quota_class_set[`volumes_${typeName}`], -1);
    // A class other than `default` applies to no project.
    assert.equal((await env.call('admin', 'GET', '/os-quota-class-sets/default')).body.quota_class_set.volumes, 10);
    assert.equal((await env.call('admin', 'GET', `/os-quota-sets/${env.demo.project}/defaults`)).body.quota_set.volumes, 10);
  });

  test("the default class is every project's defaults, and the top enforces it for projects without limits of their own", async () => {
    const type = await env.call('admin', 'POST', '/types', { body: { volume_type: { name: 'qc-default' } } });
    assert.equal(type.status, 200, type.text);
    const update = { volumes: 1, gigabytes: 900, snapshots: 11, backups: 12, 'volumes_qc-default': 4 };
    const res = await env.call('admin', 'PUT', '/os-quota-class-sets/default', { body: { quota_class_set: update } });
    assert.equal(res.status, 200, res.text);
    for (const [k, v] of Object.entries(update)) assert.equal(res.body.quota_class_set[k], v, k);
    try {
      for (const project of [env.demo.project, env.admin.project]) {
        const defaults = await env.call('admin', 'GET', `/os-quota-sets/${project}/defaults`);
        assert.equal(defaults.status, 200, defaults.text);
        for (const [k, v] of Object.entries(update)) assert.equal(defaults.body.quota_set[k], v, `${project} ${k}`);
      }
      // demo's own limits (set by the test env) win over the class; without them the class applies.
      assert.equal((await env.call('admin', 'GET', `/os-quota-sets/${env.demo.project}`)).body.quota_set.volumes, 1000);
      assert.equal((await env.call('admin', 'DELETE', `/os-quota-sets/${env.demo.project}`)).status, 200);
      const shown = await env.call('demo', 'GET', `/os-quota-sets/${env.demo.project}`);
      assert.equal(shown.body.quota_set.volumes, 1);
      assert.equal(shown.body.quota_set.gigabytes, 900);
      const limits = await env.call('demo', 'GET', '/limits');
      assert.equal(limits.body.limits.absolute.maxTotalVolumes, 1);
      const first = await env.call('demo', 'POST', '/volumes', { body: { volume: { size: 1, availability_zone: 'az1' } } });
      assert.equal(first.status, 202, first.text);
      await waitForStatus(env, 'demo', first.body.volume.id, ['available']);
      const second = await env.call('demo', 'POST', '/volumes', { body: { volume: { size: 1, availability_zone: 'az2' } } });
      assert.equal(second.status, 413, second.text);
      assert.match(second.text, /VolumeLimitExceeded: Maximum number of volumes allowed \(1\)/);
      assert.equal((await env.call('demo', 'DELETE', `/volumes/${first.body.volume.id}`)).status, 202);
    } finally {
      await env.call('admin', 'PUT', '/os-quota-class-sets/default', { body: { quota_class_set: { volumes: 10, gigabytes: 1000, snapshots: 10, backups: 10 } } });
    }
  });
});
