import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDatabase } from '../support/databases.js';
import { startNovaEnv, type NovaEnv } from '../nova/support.js';

/** Server quotas are limits: concurrent boots are admitted under one per-project lock, usage is the top's own. */
describeEachDatabase('compute quotas are limits', (dialect) => {
  let env: NovaEnv;
  before(async () => {
    env = await startNovaEnv({ dialect });
  });
  after(async () => env?.close());

  const boot = (name: string, az: string, flavorRef = '1') =>
    env.call('demo', 'POST', '/servers', { version: '2.37', body: { server: { name, imageRef: env.imageId, flavorRef, networks: 'none', availability_zone: az } } });

  test('50 parallel boots against instances=10 admit exactly 10', async () => {
    const set = await env.call('admin', 'PUT', `/os-quota-sets/${env.projects.demo}`, { body: { quota_set: { instances: 10 } } });
    assert.equal(set.status, 200, set.text);
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => boot(`par-${i}`, i % 2 ? 'az1' : 'az2')));
    const codes = answers.map((a) => a.status);
    assert.equal(codes.filter((c) => c === 202).length, 10, `codes: ${codes.join(',')}`);
    assert.equal(codes.filter((c) => c === 403).length, 40, `codes: ${codes.join(',')}`);
    const refused = answers.find((a) => a.status === 403)!;
    assert.match(refused.body.forbidden.message, /^Quota exceeded for instances: Requested 1, but already used 10 of 10 instances$/);
    const detail = await env.call('demo', 'GET', `/os-quota-sets/${env.projects.demo}/detail`);
    assert.equal(detail.body.quota_set.instances.in_use, 10);
    // The pods hold exactly the admitted servers.
    let inPods = 0;
    for (const region of ['Pod1', 'Pod2']) inPods += (await env.pod(region, 'admin', 'GET', `/servers?all_tenants=1&project_id=${env.projects.demo}`)).body.servers.length;
    assert.equal(inPods, 10);
  });

  test('a server in a pod that does not answer still counts; deleting one frees its quota', async () => {
    await env.cluster.setFaults('Pod2', { down: true });
    try {
      const limits = await env.call('demo', 'GET', '/limits');
      assert.equal(limits.status, 200);
      assert.equal(limits.body.limits.absolute.totalInstancesUsed, 10, 'the down pod does not lower the usage');
      assert.equal((await boot('while-down', 'az1')).status, 403);
    } finally {
      await env.cluster.setFaults('Pod2', { down: false });
    }
    const list = await env.call('demo', 'GET', '/servers');
    const victim = list.body.servers[0].id;
    assert.equal((await env.call('demo', 'DELETE', `/servers/${victim}`)).status, 204);
    const until = Date.now() + 10_000;
    let status = 0;
    while (Date.now() < until) {
      status = (await boot('after-delete', 'az1')).status;
      if (status === 202) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(status, 202, 'the deleted server freed its instance');
  });

  test('cores and RAM: a multi-create gets what fits between min_count and max_count', async () => {
    await env.call('admin', 'PUT', `/os-quota-sets/${env.projects.demo}`, { body: { quota_set: { instances: 100, cores: -1, ram: -1 } } });
    const used = (await env.call('demo', 'GET', '/limits')).body.limits.absolute;
    // Flavor 1 has 512 MB: room for exactly three more.
    await env.call('admin', 'PUT', `/os-quota-sets/${env.projects.demo}`, { body: { quota_set: { ram: used.totalRAMUsed + 3 * 512 } } });
    const tooMany = await env.call('demo', 'POST', '/servers', {
      version: '2.37',
      body: { server: { name: 'multi', imageRef: env.imageId, flavorRef: '1', networks: 'none', availability_zone: 'az1', min_count: 4 } },
    });
    assert.equal(tooMany.status, 403);
    assert.match(tooMany.body.forbidden.message, /Quota exceeded for ram: Requested 2048, but already used \d+ of \d+ ram/);
    const some = await env.call('demo', 'POST', '/servers', {
      version: '2.37',
      body: { server: { name: 'multi', imageRef: env.imageId, flavorRef: '1', networks: 'none', availability_zone: 'az1', min_count: 1, max_count: 5 } },
    });
    assert.equal(some.status, 202, some.text);
    const after = (await env.call('demo', 'GET', '/limits')).body.limits.absolute;
    assert.equal(after.totalInstancesUsed, used.totalInstancesUsed + 3);
    assert.equal(after.totalRAMUsed, used.totalRAMUsed + 3 * 512);
  });
});
