import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { sleep, startCinderEnv, waitForStatus, type CinderEnv } from '../cinder/support.js';

function findOpenstack(): string | undefined {
  try {
    return execFileSync('sh', ['-c', 'command -v openstack'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

const openstackBin = findOpenstack();

/**
 * Issue 15's "done when" through the real `openstack` CLI against two simulated pods: snapshots,
 * a volume from a snapshot, backups and a restore, a transfer accepted by another project, QoS
 * specs associated with a type, and the volume services of both pods.
 */
describe('openstack CLI: snapshots, backups, transfers, QoS, services', { skip: openstackBin ? false : 'the openstack CLI (python3-openstackclient) is not installed' }, () => {
  let env: CinderEnv;
  const osEnv = (user: 'demo' | 'admin'): Record<string, string> => ({
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    OS_AUTH_URL: `${env.cluster.keystoneUrl}/v3`,
    OS_IDENTITY_API_VERSION: '3',
    OS_USERNAME: user,
    OS_PASSWORD: 'password',
    OS_PROJECT_NAME: user,
    OS_USER_DOMAIN_NAME: 'Default',
    OS_PROJECT_DOMAIN_NAME: 'Default',
    OS_REGION_NAME: 'RegionOne',
    OS_INTERFACE: 'public',
  });

  function os(args: string[], opts: { user?: 'demo' | 'admin'; json?: boolean } = {}): Promise<any> {
    const json = opts.json ?? true;
    return new Promise((resolve, reject) => {
      execFile(openstackBin!, json ? [...args, '-f', 'json'] : args, { env: osEnv(opts.user ?? 'demo'), timeout: 90_000 }, (err, stdout, stderr) => {
        if (err) reject(new Error(`openstack ${args.join(' ')} failed: ${stderr || err.message}`));
        else resolve(json ? JSON.parse(stdout) : stdout);
      });
    });
  }

  async function until<T>(what: string, fn: () => Promise<T | undefined>): Promise<T> {
    for (let i = 0; i < 200; i++) {
      const v = await fn();
      if (v !== undefined) return v;
      await sleep(25);
    }
    throw new Error(`timed out waiting for ${what}`);
  }

  before(async () => {
    env = await startCinderEnv();
  });
  after(async () => {
    await env?.close();
  });

  test('volume snapshot create/list/show/delete and volume create --snapshot', async () => {
    const vol = await os(['volume', 'create', '--size', '1', '--availability-zone', 'az2', 'snap-src']);
    await waitForStatus(env, 'demo', vol.id, ['available']);
    const snap = await os(['volume', 'snapshot', 'create', '--volume', 'snap-src', 'snap-1']);
    assert.equal(snap.name, 'snap-1');
    assert.equal((await env.tc.core.routings.findByTop(snap.id, 'snapshot'))[0].podId, env.pods.Pod2.id);
    await until('snapshot available', async () => ((await os(['volume', 'snapshot', 'show', snap.id])).status === 'available' ? true : undefined));
    const list: any[] = await os(['volume', 'snapshot', 'list']);
    assert.deepEqual(
      list.map((s) => s.Name),
      ['snap-1'],
    );
    const shown = await os(['volume', 'snapshot', 'show', 'snap-1']);
    assert.equal(shown.volume_id, vol.id);

    const clone = await os(['volume', 'create', '--snapshot', 'snap-1', 'from-snap']);
    assert.equal(clone.availability_zone, 'az2');
    assert.equal((await env.tc.core.routings.findByTop(clone.id, 'volume'))[0].podId, env.pods.Pod2.id);
    await waitForStatus(env, 'demo', clone.id, ['available']);
    await os(['volume', 'delete', clone.id], { json: false });
    await until('clone gone', async () => ((await env.pod('Pod2', 'demo', 'GET', `/volumes/${clone.id}`)).status === 404 ? true : undefined));
    await os(['volume', 'snapshot', 'delete', 'snap-1'], { json: false });
    await until('snapshot gone', async () => ((await os(['volume', 'snapshot', 'list'])).length === 0 ? true : undefined));
  });

  test('volume backup create/list/restore/delete', async () => {
    const vol = await os(['volume', 'create', '--size', '1', '--availability-zone', 'az1', 'bk-src']);
    await waitForStatus(env, 'demo', vol.id, ['available']);
    const backup = await os(['volume', 'backup', 'create', '--name', 'bk-1', 'bk-src']);
    assert.equal(backup.name, 'bk-1');
    await until('backup available', async () => ((await os(['volume', 'backup', 'show', backup.id])).status === 'available' ? true : undefined));
    const list: any[] = await os(['volume', 'backup', 'list']);
    assert.deepEqual(
      list.map((b) => b.Name),
      ['bk-1'],
    );
    // Restore into a new volume by name. python3-openstackclient 6.0.0 (Debian 12) makes the call and
    // then fails to print its answer ("cannot unpack non-iterable VolumeBackupsRestore object", a
    // client bug fixed upstream later); the restore is checked through the API either way.
    await os(['volume', 'backup', 'restore', 'bk-1', 'bk-restored']).catch((err: Error) => {
      if (!/cannot unpack non-iterable VolumeBackupsRestore/.test(err.message)) throw err;
    });
    const restored = await until('restored volume', async () => {
      const res = await env.call('demo', 'GET', '/volumes/detail?name=bk-restored');
      return res.body.volumes[0];
    });
    assert.equal(restored.availability_zone, 'az1');
    assert.equal((await env.tc.core.routings.findByTop(restored.id, 'volume'))[0].podId, env.pods.Pod1.id);
    await until('backup available again', async () => ((await os(['volume', 'backup', 'show', backup.id])).status === 'available' ? true : undefined));
    await os(['volume', 'backup', 'delete', 'bk-1'], { json: false });
    await until('backup gone', async () => ((await os(['volume', 'backup', 'list'])).length === 0 ? true : undefined));
  });

  test('volume transfer request create, then accept as another project: the volume is theirs, in the same pod', async () => {
    const vol = await os(['volume', 'create', '--size', '1', '--availability-zone', 'az2', 'gift']);
    await waitForStatus(env, 'demo', vol.id, ['available']);
    const request = await os(['volume', 'transfer', 'request', 'create', '--name', 'gift-transfer', 'gift']);
    assert.ok(request.auth_key);
    const accepted = await os(['volume', 'transfer', 'request', 'accept', '--auth-key', request.auth_key, request.id], { user: 'admin' });
    assert.equal(accepted.volume_id ?? accepted.id, accepted.volume_id ? vol.id : request.id);
    const route = (await env.tc.core.routings.findByTop(vol.id, 'volume'))[0];
    assert.equal(route.projectId, env.admin.project);
    assert.equal(route.podId, env.pods.Pod2.id);
    const theirs: any[] = await os(['volume', 'list'], { user: 'admin' });
    assert.ok(theirs.some((v) => v.ID === vol.id));
    const mine: any[] = await os(['volume', 'list']);
    assert.ok(!mine.some((v) => v.ID === vol.id));
  });

  test('volume qos create + associate, and volume service list showing both pods', async () => {
    const qos = await os(['volume', 'qos', 'create', '--consumer', 'back-end', '--property', 'total_iops_sec=300', 'silver'], { user: 'admin' });
    assert.equal(qos.name, 'silver');
    await os(['volume', 'type', 'create', 'silver-type'], { user: 'admin' });
    await os(['volume', 'qos', 'associate', 'silver', 'silver-type'], { user: 'admin', json: false });
    const shown = await os(['volume', 'qos', 'show', 'silver'], { user: 'admin' });
    assert.match(JSON.stringify(shown.associations), /silver-type/);
    for (const region of ['Pod1', 'Pod2']) {
      const copies = (await env.pod(region, 'admin', 'GET', '/qos-specs')).body.qos_specs;
      assert.deepEqual(
        copies.map((q: any) => q.name),
        ['silver'],
        region,
      );
    }
    const services: any[] = await os(['volume', 'service', 'list'], { user: 'admin' });
    const volumeHosts = services.filter((s) => s.Binary === 'cinder-volume').map((s) => String(s.Host).split(':')[0]);
    assert.deepEqual(volumeHosts.sort(), ['Pod1', 'Pod2']);
  });
});
