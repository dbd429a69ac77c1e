import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDatabase } from '../support/databases.js';
import { startNovaEnv, waitForStatus, type NovaEnv } from '../nova/support.js';
import { OPENSTACK_MISSING, openstack, openstackCli } from '../support/openstack.js';

/**
 * A resize moves the server's cores and RAM claims before the pod is asked (Nova counts the new flavor
 * from the resize on), a revert gives the old flavor's back, a refusal by the quota or the pod
 * changes nothing.
 */
describeEachDatabase('server resize follows the quota ledger', (dialect) => {
  let env: NovaEnv;
  let id: string;
  before(async () => {
    env = await startNovaEnv({ dialect });
    const boot = await env.call('demo', 'POST', '/servers', {
      version: '2.37',
      body: { server: { name: 'resized', imageRef: env.imageId, flavorRef: '3', networks: 'none', availability_zone: 'az1' } },
    });
    assert.equal(boot.status, 202, boot.text);
    id = boot.body.server.id;
    await waitForStatus(env, 'demo', id, ['ACTIVE']);
    // A flavor below m1.large with its disk (a resize may not shrink the disk).
    const small = await env.call('admin', 'POST', '/flavors', { body: { flavor: { name: 'small-80', id: 'small-80', vcpus: 1, ram: 1024, disk: 80 } } });
    assert.equal(small.status, 200, small.text);
  });
  after(async () => env?.close());

  const act = (body: unknown) => env.call('demo', 'POST', `/servers/${id}/action`, { body });
  const usage = async () => {
    const limits = await env.call('demo', 'GET', '/limits');
    assert.equal(limits.status, 200, limits.text);
    const detail = await env.call('demo', 'GET', `/os-quota-sets/${env.projects.demo}/detail`);
    assert.equal(detail.status, 200, detail.text);
    const a = limits.body.limits.absolute;
    assert.equal(detail.body.quota_set.cores.in_use, a.totalCoresUsed, 'limits and quota detail agree');
    assert.equal(detail.body.quota_set.ram.in_use, a.totalRAMUsed, 'limits and quota detail agree');
    return { cores: a.totalCoresUsed as number, ram: a.totalRAMUsed as number };
  };
  const setQuota = async (quota: Record<string, number>) => {
    const res = await env.call('admin', 'PUT', `/os-quota-sets/${env.projects.demo}`, { body: { quota_set: quota } });
    assert.equal(res.status, 200, res.text);
  };
  const podFlavor = async () => {
    const res = await env.pod('Pod1', 'demo', 'GET', `/servers/${id}`, { version: '2.47' });
    assert.equal(res.status, 200, res.text);
    return { status: res.body.server.status as string, name: res.body.server.flavor.original_name as string };
  };

  test('a resize within quota counts the new flavor at once; a confirm keeps it', async () => {
    const was = await usage();
    assert.deepEqual(was, { cores: 2, ram: 4096 });
    // Exactly room for m1.large (4 cores, 8192 MB): the growth is what counts, not the whole flavor.
    await setQuota({ cores: 4, ram: 8192 });
    const resize = await act({ resize: { flavorRef: '4' } });
    assert.equal(resize.status, 202, resize.text);
    assert.deepEqual(await usage(), { cores: 4, ram: 8192 });
    await waitForStatus(env, 'demo', id, ['VERIFY_RESIZE']);
    assert.equal((await act({ confirmResize: null })).status, 204);
    await waitForStatus(env, 'demo', id, ['ACTIVE']);
    assert.deepEqual(await usage(), { cores: 4, ram: 8192 });
    assert.equal((await podFlavor()).name, 'm1.large');
  });

  test('a resize over quota is 403 as Nova, naming every resource over, and changes nothing', async () => {
    // m1.xlarge needs 4 more cores and 8192 MB more.
    const both = await act({ resize: { flavorRef: '5' } });
    assert.equal(both.status, 403, both.text);
    assert.deepEqual(both.body, {
      forbidden: { code: 403, message: 'Quota exceeded for cores, ram: Requested 4, 8192, but already used 4, 8192 of 4, 8192 cores, ram' },
    });
    await setQuota({ ram: -1 });
    const cores = await act({ resize: { flavorRef: '5' } });
    assert.equal(cores.status, 403, cores.text);
    assert.equal(cores.body.forbidden.message, 'Quota exceeded for cores: Requested 4, but already used 4 of 4 cores');
    assert.deepEqual(await usage(), { cores: 4, ram: 8192 });
    assert.deepEqual(await podFlavor(), { status: 'ACTIVE', name: 'm1.large' }, 'the pod was not asked');
  });

  test('a resize the pod refuses gives the claims back', async () => {
    await setQuota({ cores: -1, ram: -1 });
    // The pod's own quota has no room for 4 more cores.
    const podQuota = await env.pod('Pod1', 'admin', 'PUT', `/os-quota-sets/${env.projects.demo}`, { body: { quota_set: { cores: 4 } } });
    assert.equal(podQuota.status, 200, podQuota.text);
    try {
      const refused = await act({ resize: { flavorRef: '5' } });
      assert.equal(refused.status, 403, refused.text);
      assert.match(refused.body.forbidden.message, /^Quota exceeded for cores/);
      assert.deepEqual(await usage(), { cores: 4, ram: 8192 });
    } finally {
      await env.pod('Pod1', 'admin', 'PUT', `/os-quota-sets/${env.projects.demo}`, { body: { quota_set: { cores: 2000 } } });
    }
    const same = await act({ resize: { flavorRef: '4' } });
    assert.equal(same.status, 400, same.text);
    assert.equal(same.body.badRequest.message, 'When resizing, instances must change flavor!');
    assert.deepEqual(await usage(), { cores: 4, ram: 8192 });
  });

  test('a revert gives the old flavor back; a revert of a downsize is checked against the quota', async () => {
    const up = await act({ resize: { flavorRef: '5' } });
    assert.equal(up.status, 202, up.text);
    assert.deepEqual(await usage(), { cores: 8, ram: 16384 });
    await waitForStatus(env, 'demo', id, ['VERIFY_RESIZE']);
    assert.equal((await act({ revertResize: null })).status, 202);
    assert.deepEqual(await usage(), { cores: 4, ram: 8192 });
    await waitForStatus(env, 'demo', id, ['ACTIVE']);
    assert.equal((await podFlavor()).name, 'm1.large');
    // A revert with no open resize is the pod's 409, and counts nothing.
    assert.equal((await act({ revertResize: null })).status, 409);
    assert.deepEqual(await usage(), { cores: 4, ram: 8192 });

    // Down to small-80 frees 3 cores and 7168 MB; with the quota lowered to that, the revert does not fit.
    const down = await act({ resize: { flavorRef: 'small-80' } });
    assert.equal(down.status, 202, down.text);
    assert.deepEqual(await usage(), { cores: 1, ram: 1024 });
    await waitForStatus(env, 'demo', id, ['VERIFY_RESIZE']);
    await setQuota({ cores: 2, ram: 1024 });
    const refused = await act({ revertResize: null });
    assert.equal(refused.status, 403, refused.text);
    assert.equal(refused.body.forbidden.message, 'Quota exceeded for cores, ram: Requested 3, 7168, but already used 1, 1024 of 2, 1024 cores, ram');
    assert.deepEqual(await usage(), { cores: 1, ram: 1024 });
    assert.equal((await podFlavor()).status, 'VERIFY_RESIZE', 'the pod was not asked');
    await setQuota({ cores: 4, ram: 8192 });
    assert.equal((await act({ revertResize: null })).status, 202);
    assert.deepEqual(await usage(), { cores: 4, ram: 8192 });
    await waitForStatus(env, 'demo', id, ['ACTIVE']);
    assert.equal((await podFlavor()).name, 'm1.large');
  });

  test(
    "the openstack CLI: a resize over quota fails with Nova's message, one within it and its revert show in the usage",
    openstackCli ? {} : { skip: OPENSTACK_MISSING },
    async () => {
      const os = (...args: string[]) => openstack({ authUrl: `${env.cluster.keystoneUrl}/v3`, username: 'demo', projectName: 'demo' }, args, 60_000);
      const over = await os('server', 'resize', '--flavor', 'm1.xlarge', id);
      assert.notEqual(over.code, 0);
      assert.match(over.stderr, /Quota exceeded for cores, ram: Requested 4, 8192, but already used 4, 8192 of 4, 8192 cores, ram \(HTTP 403\)/);
      assert.deepEqual(await usage(), { cores: 4, ram: 8192 });
      await setQuota({ cores: 8, ram: 16384 });
      const within = await os('server', 'resize', '--flavor', 'm1.xlarge', id);
      assert.equal(within.code, 0, within.stderr);
      assert.deepEqual(await usage(), { cores: 8, ram: 16384 });
      await waitForStatus(env, 'demo', id, ['VERIFY_RESIZE']);
      const revert = await os('server', 'resize', 'revert', id);
      assert.equal(revert.code, 0, revert.stderr);
      assert.deepEqual(await usage(), { cores: 4, ram: 8192 });
    },
  );
});
