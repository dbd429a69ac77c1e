import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { SERVICE_NAMES } from '../../src/server.js';
import { bootServerInPod, startCinderEnv, waitForStatus, type CinderEnv } from '../cinder/support.js';

function findOpenstack(): string | undefined {
  try {
    return execFileSync('sh', ['-c', 'command -v openstack'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

const openstackBin = findOpenstack();
const withNova = SERVICE_NAMES.includes('nova-apigw');

/**
 * README step 9 through the real `openstack` CLI against two simulated pods: volume create in an AZ,
 * list, show, delete; then attach to and detach from a server booted through the Nova gateway.
 */
describe('openstack CLI against the Cinder gateway (README step 9)', { skip: openstackBin ? false : 'the openstack CLI (python3-openstackclient) is not installed' }, () => {
  let env: CinderEnv;
  let osEnv: Record<string, string>;

  function os(args: string[], json = true): Promise<any> {
    return new Promise((resolve, reject) => {
      execFile(openstackBin!, json ? [...args, '-f', 'json'] : args, { env: osEnv, timeout: 90_000 }, (err, stdout, stderr) => {
        if (err) reject(new Error(`openstack ${args.join(' ')} failed: ${stderr || err.message}`));
        else resolve(json ? JSON.parse(stdout) : stdout);
      });
    });
  }

  before(async () => {
    env = await startCinderEnv({ services: ['admin-api', 'cinder-apigw', ...(withNova ? ['nova-apigw', 'neutron-api'] : [])] });
    if (withNova) {
      for (const iface of ['public', 'internal', 'admin'] as const) {
        env.cluster.keystone.addEndpoint({ region: 'RegionOne', serviceType: 'compute', serviceName: 'nova', interface: iface, url: `${env.tc.urls['nova-apigw']}/v2.1` });
        // The CLI's server create wants a network endpoint even with --nic none.
        env.cluster.keystone.addEndpoint({ region: 'RegionOne', serviceType: 'network', serviceName: 'neutron', interface: iface, url: env.tc.urls['neutron-api']! });
      }
    }
    osEnv = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/tmp',
      OS_AUTH_URL: `${env.cluster.keystoneUrl}/v3`,
      OS_IDENTITY_API_VERSION: '3',
      OS_USERNAME: 'demo',
      OS_PASSWORD: 'password',
      OS_PROJECT_NAME: 'demo',
      OS_USER_DOMAIN_NAME: 'Default',
      OS_PROJECT_DOMAIN_NAME: 'Default',
      OS_REGION_NAME: 'RegionOne',
      OS_INTERFACE: 'public',
    };
  });
  after(async () => {
    await env?.close();
  });

  test('volume create --availability-zone az1, list, show, delete', async () => {
    const created = await os(['volume', 'create', '--size', '1', '--availability-zone', 'az1', 'vol-az1']);
    assert.equal(created.name, 'vol-az1');
    assert.equal(created.availability_zone, 'az1');
    assert.equal(created.size, 1);
    const other = await os(['volume', 'create', '--size', '2', '--availability-zone', 'az2', '--property', 'tier=gold', 'vol-az2']);
    assert.equal(other.availability_zone, 'az2');
    const routes = await env.tc.core.routings.findByTop(created.id, 'volume');
    assert.equal(routes[0].podId, env.pods.Pod1.id);
    assert.equal((await env.tc.core.routings.findByTop(other.id, 'volume'))[0].podId, env.pods.Pod2.id);

    await waitForStatus(env, 'demo', created.id, ['available']);
    const list: any[] = await os(['volume', 'list']);
    assert.deepEqual(list.map((v) => v.Name).sort(), ['vol-az1', 'vol-az2']);
    const long: any[] = await os(['volume', 'list', '--long']);
    assert.deepEqual(long.find((v) => v.Name === 'vol-az2').Properties, { tier: 'gold' });

    const shown = await os(['volume', 'show', 'vol-az1']);
    assert.equal(shown.id, created.id);
    assert.equal(shown.availability_zone, 'az1');
    assert.equal(shown.status, 'available');

    const zones: any[] = await os(['availability', 'zone', 'list', '--volume']);
    assert.deepEqual(zones.map((z) => z['Zone Name']).sort(), ['az1', 'az2']);

    await os(['volume', 'delete', 'vol-az1', 'vol-az2'], false);
    for (let i = 0; i < 100; i++) {
      if ((await os(['volume', 'list'])).length === 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.deepEqual(await os(['volume', 'list']), []);
    const missing = await os(['volume', 'show', created.id]).then(
      () => undefined,
      (err: Error) => err.message,
    );
    assert.match(missing ?? '', /No volume with a name or ID/);
  });

  test(withNova ? 'attach to and detach from a server booted through the Nova gateway' : 'attach and detach through Cinder os-attach (no Nova gateway in this build)', async () => {
    const vol = await os(['volume', 'create', '--size', '1', '--availability-zone', 'az1', 'data']);
    await waitForStatus(env, 'demo', vol.id, ['available']);
    if (!withNova) {
      // The CLI has no command for Cinder's os-attach: the same calls a client library makes, over HTTP.
      const serverId = await bootServerInPod(env, 'Pod1', 'demo');
      const attach = await env.call('demo', 'POST', `/volumes/${vol.id}/action`, { body: { 'os-attach': { instance_uuid: serverId, mountpoint: '/dev/vdb' } } });
      assert.equal(attach.status, 202, attach.text);
      assert.equal((await os(['volume', 'show', 'data'])).status, 'in-use');
      assert.equal((await env.call('demo', 'POST', `/volumes/${vol.id}/action`, { body: { 'os-detach': {} } })).status, 202);
      assert.equal((await os(['volume', 'show', 'data'])).status, 'available');
      return;
    }
    const image = (await os(['image', 'list']))[0].ID;
    const compute = ['--os-compute-api-version', '2.37'];
    const server = await os([...compute, 'server', 'create', '--flavor', 'm1.tiny', '--image', image, '--nic', 'none', '--availability-zone', 'az1', '--wait', 'vm1']);
    assert.equal(server.status, 'ACTIVE');
    await os(['server', 'add', 'volume', 'vm1', 'data'], false);
    const attached = await waitForStatus(env, 'demo', vol.id, ['in-use']);
    assert.equal(attached.attachments[0].server_id, server.id);
    const shown = await os(['volume', 'show', 'data']);
    assert.equal(shown.status, 'in-use');
    await os(['server', 'remove', 'volume', 'vm1', 'data'], false);
    await waitForStatus(env, 'demo', vol.id, ['available']);

    // Through the Cinder API too: the server's route, written by the Nova gateway, puts it in Pod1.
    const attach = await env.call('demo', 'POST', `/volumes/${vol.id}/action`, { body: { 'os-attach': { instance_uuid: server.id, mountpoint: '/dev/vdc' } } });
    assert.equal(attach.status, 202, attach.text);
    assert.equal((await os(['volume', 'show', 'data'])).status, 'in-use');
    assert.equal((await env.call('demo', 'POST', `/volumes/${vol.id}/action`, { body: { 'os-detach': {} } })).status, 202);
    assert.equal((await os(['volume', 'show', 'data'])).status, 'available');

    // A volume in az2 cannot be attached to a server in az1.
    const far = await os(['volume', 'create', '--size', '1', '--availability-zone', 'az2', 'far']);
    await waitForStatus(env, 'demo', far.id, ['available']);
    const refused = await os(['server', 'add', 'volume', 'vm1', 'far'], false).then(
      () => undefined,
      (err: Error) => err.message,
    );
    assert.match(refused ?? '', /not in the same pod/);
  });
});
