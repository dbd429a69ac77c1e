import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createScratchDatabase, type ScratchDatabase } from '../support/databases.js';
import { http } from '../support/http.js';
import { OPENSTACK_MISSING, openstack as runOpenstack, openstackCli } from '../support/openstack.js';
import { startTestTricircle } from '../support/tricircle.js';
import { startKeystoneSim } from '../../sim/keystone/index.js';
import type { RunningTricircle } from '../../src/server.js';

/** The real python-openstackclient against the top Neutron, with Keystone (simulated) for tokens and the catalog. */
describe('top Neutron: the openstack CLI', openstackCli ? {} : { skip: OPENSTACK_MISSING }, () => {
  let keystone: Awaited<ReturnType<typeof startKeystoneSim>>;
  let scratch: ScratchDatabase;
  let tc: RunningTricircle;

  const os = (...args: string[]) => runOpenstack({ authUrl: `${keystone.url}/v3` }, args, 60_000);
  const json = async (...args: string[]) => {
    const r = await os(...args, '-f', 'json');
    assert.equal(r.code, 0, `openstack ${args.join(' ')}: ${r.stderr}`);
    return JSON.parse(r.stdout);
  };

  before(async () => {
    keystone = await startKeystoneSim();
    scratch = await createScratchDatabase('sqlite');
    // No pods answer here: an external network stays at the top (its copy is tested in test/l3/external.test.ts).
    tc = await startTestTricircle({
      databaseUrl: scratch.url,
      only: ['admin-api', 'neutron-api'],
      authStrategy: 'keystone',
      keystoneUrl: keystone.url,
      extra: { tricircle: { external_network_copy_at_create: false } },
    });
    keystone.keystone.addEndpoint({ region: 'RegionOne', serviceType: 'network', serviceName: 'neutron', interface: 'public', url: tc.urls['neutron-api']! });
    const auth = await http('POST', `${keystone.url}/v3/auth/tokens`, {
      body: {
        auth: {
          identity: { methods: ['password'], password: { user: { name: 'admin', domain: { name: 'Default' }, password: 'password' } } },
          scope: { project: { name: 'admin', domain: { name: 'Default' } } },
        },
      },
    });
    const token = auth.headers['x-subject-token'] as string;
    for (const pod of [{ region_name: 'RegionOne' }, { region_name: 'Pod1', az_name: 'az1' }, { region_name: 'Pod2', az_name: 'az2' }]) {
      const res = await http('POST', `${tc.urls['admin-api']}/v1.0/pods`, { body: { pod }, token });
      assert.equal(res.status, 200, res.text);
    }
  });
  after(async () => {
    await tc?.close();
    await scratch?.drop();
    await keystone?.close();
  });

  test('network create with an AZ hint; a bad hint fails with the upstream message', async () => {
    const net = await json('network', 'create', '--availability-zone-hint', 'az1', 'net1');
    assert.equal(net.name, 'net1');
    assert.deepEqual(net.availability_zone_hints, ['az1']);
    assert.deepEqual(net.availability_zones, []);
    assert.equal(net['provider:network_type'], 'vlan');
    const bad = await os('network', 'create', '--availability-zone-hint', 'az9', 'net9');
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /AvailabilityZone az9 could not be found/);
  });

  test('subnet create, port create / list / show / delete, network delete', async () => {
    const subnet = await json('subnet', 'create', '--network', 'net1', '--subnet-range', '10.0.0.0/24', 'sub1');
    assert.equal(subnet.cidr, '10.0.0.0/24');
    assert.equal(subnet.gateway_ip, '10.0.0.1');
    const p1 = await json('port', 'create', '--network', 'net1', '--fixed-ip', 'subnet=sub1,ip-address=10.0.0.10', 'port1');
    assert.deepEqual(p1.fixed_ips, [{ subnet_id: subnet.id, ip_address: '10.0.0.10' }]);
    const p2 = await json('port', 'create', '--network', 'net1', 'port2');
    assert.equal(p2.fixed_ips[0].subnet_id, subnet.id);
    assert.notEqual(p2.mac_address, p1.mac_address);

    const list = await json('port', 'list', '--network', 'net1');
    assert.deepEqual(list.map((p: { Name: string }) => p.Name).sort(), ['port1', 'port2']);
    const shown = await json('port', 'show', 'port1');
    assert.equal(shown.id, p1.id);
    assert.equal(shown.status, 'DOWN');

    const nets = await json('network', 'list');
    assert.deepEqual(
      nets.map((n: { Name: string; Subnets: string[] }) => [n.Name, n.Subnets]),
      [['net1', [subnet.id]]],
    );
    const inUse = await os('network', 'delete', 'net1');
    assert.notEqual(inUse.code, 0, 'ports still use the network');

    assert.equal((await os('port', 'delete', 'port1', 'port2')).code, 0);
    assert.deepEqual(await json('port', 'list'), []);
    assert.equal((await os('subnet', 'delete', 'sub1')).code, 0);
    assert.equal((await os('network', 'delete', 'net1')).code, 0);
    assert.deepEqual(await json('network', 'list'), []);
  });

  test('availability zones and extensions as the CLI lists them', async () => {
    const azs = await json('availability', 'zone', 'list', '--network');
    assert.deepEqual(azs.map((z: { 'Zone Name': string }) => z['Zone Name']).sort(), ['az1', 'az2']);
    const ext = await json('extension', 'list', '--network');
    assert.ok(ext.some((e: { Alias: string }) => e.Alias === 'network_availability_zone'));
  });

  test('network auto allocated topology create / --check-resources / delete (get-me-a-network)', async () => {
    const refused = await os('network', 'auto', 'allocated', 'topology', 'create', '--check-resources');
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /No default router:external network/);
    const ext = await json('network', 'create', '--external', '--default', '--availability-zone-hint', 'Pod2', 'public');
    assert.equal(ext.is_default, true);
    await json('subnet', 'create', '--network', 'public', '--subnet-range', '172.24.9.0/24', '--no-dhcp', 'public-subnet');
    await json('subnet', 'pool', 'create', '--default', '--share', '--pool-prefix', '10.90.0.0/16', '--default-prefix-length', '26', 'default-v4');

    // The requirements are met now (exit 0). The CLI prints `dry_run` from a body key Neutron never sends
    // (it answers id "dry-run=pass", as here), so the column is empty against upstream too.
    const check = await json('network', 'auto', 'allocated', 'topology', 'create', '--check-resources');
    assert.ok('dry_run' in check);
    assert.equal((await json('network', 'list', '--name', 'auto_allocated_network')).length, 0, 'a check makes nothing');
    const made = await json('network', 'auto', 'allocated', 'topology', 'create');
    const net = await json('network', 'show', made.id);
    assert.equal(net.name, 'auto_allocated_network');
    const again = await json('network', 'auto', 'allocated', 'topology', 'create');
    assert.equal(again.id, made.id, 'the same topology on a second request');
    const router = await json('router', 'show', 'auto_allocated_router');
    assert.equal(router.external_gateway_info.network_id, ext.id);

    const gone = await os('network', 'auto', 'allocated', 'topology', 'delete');
    assert.equal(gone.code, 0, gone.stderr);
    const missing = await os('network', 'show', made.id);
    assert.notEqual(missing.code, 0);
  });
});
