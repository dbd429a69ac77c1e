import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { OPENSTACK_MISSING, openstack, openstackCli } from '../support/openstack.js';
import { startNovaEnv, type NovaEnv } from '../nova/support.js';

/**
 * The original README's steps 7–8 (boot servers in two AZs, list them, show, stop/start, delete)
 * through the real `openstack` CLI against Tricircle with two simulated pods: one server without a
 * NIC, one on a top network. `--nic none` needs compute API 2.37 (the CLI refuses it below).
 */
describe('openstack CLI against the Nova API gateway (README steps 7-8)', { skip: openstackCli ? false : OPENSTACK_MISSING }, () => {
  let env: NovaEnv;
  const cli = async (args: string[], json = true): Promise<any> => {
    const res = await openstack({ authUrl: `${env.cluster.keystoneUrl}/v3`, username: 'demo', projectName: 'demo' }, [
      '--os-compute-api-version',
      '2.37',
      ...args,
      ...(json ? ['-f', 'json'] : []),
    ]);
    if (res.code !== 0) throw new Error(`openstack ${args.join(' ')} failed (${res.code}): ${res.stderr}`);
    return json ? JSON.parse(res.stdout) : res.stdout;
  };
  const waitFor = async (name: string, status: string) => {
    for (let i = 0; i < 100; i++) {
      const s = await cli(['server', 'show', name]);
      if (s.status === status) return s;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`${name} never reached ${status}`);
  };

  before(async () => {
    // The CLI's server create asks for RegionOne's network endpoint even with --nic none: run the top Neutron too.
    env = await startNovaEnv({ buildDelayMs: 100, withNeutron: true });
  });
  after(async () => {
    await env?.close();
  });

  test('boot in az1 and az2, list both, show, stop/start, delete', async () => {
    const flavors = await cli(['flavor', 'list']);
    assert.ok(flavors.some((f: { Name: string }) => f.Name === 'm1.tiny'));
    const zones = await cli(['availability', 'zone', 'list', '--compute']);
    assert.deepEqual(zones.map((z: { 'Zone Name': string }) => z['Zone Name']).sort(), ['az1', 'az2']);

    const key = await cli(['keypair', 'create', 'kp1'], false);
    assert.match(key, /BEGIN RSA PRIVATE KEY/);
    const vm1 = await cli(['server', 'create', '--flavor', 'm1.tiny', '--image', env.imageId, '--availability-zone', 'az1', '--nic', 'none', '--key-name', 'kp1', '--wait', 'vm1']);
    assert.equal(vm1.status, 'ACTIVE');
    assert.equal(vm1.key_name, 'kp1');
    assert.equal(vm1['OS-EXT-AZ:availability_zone'], 'az1');
    // vm2 on a top network: the networking service makes the pod's copies and the port first.
    await cli(['network', 'create', 'net1']);
    await cli(['subnet', 'create', '--network', 'net1', '--subnet-range', '10.0.2.0/24', 'sub1']);
    const vm2 = await cli(['server', 'create', '--flavor', 'm1.tiny', '--image', env.imageId, '--availability-zone', 'az2', '--network', 'net1', '--wait', 'vm2']);
    assert.equal(vm2.status, 'ACTIVE');
    assert.equal(vm2['OS-EXT-AZ:availability_zone'], 'az2');
    assert.match(JSON.stringify(vm2.addresses), /net1.*10\.0\.2\./);
    assert.equal((await env.pod('Pod1', 'demo', 'GET', `/servers/${vm1.id}`)).status, 200, 'vm1 is in Pod1');
    assert.equal((await env.pod('Pod2', 'demo', 'GET', `/servers/${vm2.id}`)).status, 200, 'vm2 is in Pod2');

    const list = await cli(['server', 'list']);
    assert.deepEqual(list.map((s: { Name: string }) => s.Name).sort(), ['vm1', 'vm2']);
    assert.ok(list.every((s: { Status: string; Flavor: string }) => s.Status === 'ACTIVE' && s.Flavor === 'm1.tiny'));
    assert.match(JSON.stringify(list.find((s: { Name: string }) => s.Name === 'vm2').Networks), /net1/);

    const shown = await cli(['server', 'show', 'vm1']);
    assert.equal(shown.id, vm1.id);
    assert.equal(shown.flavor, 'm1.tiny (1)');

    await cli(['server', 'stop', 'vm1'], false);
    await waitFor('vm1', 'SHUTOFF');
    await cli(['server', 'start', 'vm1'], false);
    await waitFor('vm1', 'ACTIVE');

    await cli(['server', 'delete', '--wait', 'vm1', 'vm2'], false);
    assert.deepEqual(await cli(['server', 'list']), []);
    assert.equal((await env.pod('Pod1', 'demo', 'GET', `/servers/${vm1.id}`)).status, 404);
    for (let i = 0; i < 50 && (await cli(['port', 'list', '--device-id', vm2.id])).length > 0; i++) await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(await cli(['port', 'list', '--device-id', vm2.id]), [], 'the port made for vm2 is gone with it');
  });

  test('server create --min 2 --max 3 on a top network: three servers, each on its own port', async () => {
    await cli(['network', 'create', 'net-many']);
    await cli(['subnet', 'create', '--network', 'net-many', '--subnet-range', '10.0.3.0/24', 'sub-many']);
    const first = await cli([
      'server',
      'create',
      '--flavor',
      'm1.tiny',
      '--image',
      env.imageId,
      '--availability-zone',
      'az1',
      '--network',
      'net-many',
      '--min',
      '2',
      '--max',
      '3',
      'many',
    ]);
    assert.equal(typeof first.id, 'string');
    const names = ['many-1', 'many-2', 'many-3'];
    const servers = [];
    for (const name of names) servers.push(await waitFor(name, 'ACTIVE'));
    const ports = new Set<string>();
    for (const s of servers) {
      const own = await cli(['port', 'list', '--device-id', s.id]);
      assert.equal(own.length, 1, `one port for ${s.name}`);
      ports.add(own[0].ID);
      assert.match(JSON.stringify(s.addresses), /net-many.*10\.0\.3\./);
    }
    assert.equal(ports.size, 3);
    await cli(['server', 'delete', '--wait', ...names], false);
    assert.deepEqual(await cli(['server', 'list']), []);
  });
});
