import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createScratchDatabase, type ScratchDatabase } from '../support/databases.js';
import { http } from '../support/http.js';
import { OPENSTACK_MISSING, openstack as runOpenstack, openstackCli } from '../support/openstack.js';
import { startTestTricircle } from '../support/tricircle.js';
import { startKeystoneSim } from '../../sim/keystone/index.js';
import type { RunningTricircle } from '../../src/server.js';

/** The real python-openstackclient driving routers and floating IPs of the top Neutron (§8.2 steps 4-12, top side). */
describe('top Neutron: routers and floating IPs with the openstack CLI', openstackCli ? {} : { skip: OPENSTACK_MISSING }, () => {
  let keystone: Awaited<ReturnType<typeof startKeystoneSim>>;
  let scratch: ScratchDatabase;
  let tc: RunningTricircle;

  const os = (...args: string[]) => runOpenstack({ authUrl: `${keystone.url}/v3` }, args, 60_000);
  const ok = async (...args: string[]) => {
    const r = await os(...args);
    assert.equal(r.code, 0, `openstack ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const json = async (...args: string[]) => JSON.parse(await ok(...args, '-f', 'json'));

  before(async () => {
    keystone = await startKeystoneSim();
    scratch = await createScratchDatabase('sqlite');
    tc = await startTestTricircle({
      databaseUrl: scratch.url,
      only: ['admin-api', 'neutron-api'],
      authStrategy: 'keystone',
      keystoneUrl: keystone.url,
      // No pods answer here: the external network stays at the top.
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

  test('router create, gateway, interface, routes, floating IP associate / disassociate / delete, teardown', async () => {
    const ext = await json('network', 'create', '--external', '--availability-zone-hint', 'Pod2', 'ext-net');
    assert.equal(ext['router:external'], true);
    await json(
      'subnet',
      'create',
      '--network',
      'ext-net',
      '--subnet-range',
      '10.50.11.0/26',
      '--no-dhcp',
      '--allocation-pool',
      'start=10.50.11.30,end=10.50.11.50',
      '--gateway',
      '10.50.11.1',
      'ext-subnet',
    );
    await json('network', 'create', '--availability-zone-hint', 'az1', 'net1');
    const sub1 = await json('subnet', 'create', '--network', 'net1', '--subnet-range', '10.0.1.0/24', 'sub1');

    const r = await json('router', 'create', 'router');
    assert.equal(r.name, 'router');
    assert.equal(r.status, 'ACTIVE');
    await ok('router', 'set', '--external-gateway', 'ext-net', 'router');
    let shown = await json('router', 'show', 'router');
    const gw = shown.external_gateway_info;
    assert.equal(gw.network_id, ext.id);
    assert.equal(gw.enable_snat, true);
    assert.match(gw.external_fixed_ips[0].ip_address, /^10\.50\.11\.(3\d|4\d|50)$/);

    await ok('router', 'add', 'subnet', 'router', 'sub1');
    shown = await json('router', 'show', 'router');
    assert.deepEqual(
      shown.interfaces_info.map((i: { subnet_id: string; ip_address: string }) => [i.subnet_id, i.ip_address]),
      [[sub1.id, '10.0.1.1']],
    );

    await ok('router', 'set', '--route', 'destination=10.9.0.0/16,gateway=10.0.1.50', 'router');
    await ok('router', 'add', 'route', '--route', 'destination=10.8.0.0/16,gateway=10.0.1.51', 'router');
    shown = await json('router', 'show', 'router');
    assert.deepEqual(shown.routes.map((x: { destination: string }) => x.destination).sort(), ['10.8.0.0/16', '10.9.0.0/16']);
    const bad = await os('router', 'set', '--route', 'destination=10.7.0.0/16,gateway=192.168.1.1', 'router');
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /the nexthop is not connected with router/);

    const vmPort = await json('port', 'create', '--network', 'net1', '--device-owner', 'compute:az1', 'vm-port');
    const fip = await json('floating', 'ip', 'create', 'ext-net');
    assert.equal(fip.status, 'DOWN');
    assert.match(fip.floating_ip_address, /^10\.50\.11\./);
    await ok('floating', 'ip', 'set', '--port', 'vm-port', fip.id);
    let f = await json('floating', 'ip', 'show', fip.id);
    assert.equal(f.port_id, vmPort.id);
    assert.equal(f.fixed_ip_address, vmPort.fixed_ips[0].ip_address);
    assert.equal(f.router_id, r.id);
    const listed = await json('floating', 'ip', 'list');
    assert.deepEqual(
      listed.map((x: { 'Floating IP Address': string }) => x['Floating IP Address']),
      [fip.floating_ip_address],
    );

    const busy = await os('router', 'remove', 'subnet', 'router', 'sub1');
    assert.notEqual(busy.code, 0, 'the floating IP needs the interface');
    await ok('floating', 'ip', 'unset', '--port', fip.id);
    f = await json('floating', 'ip', 'show', fip.id);
    assert.equal(f.port_id, null);
    await ok('floating', 'ip', 'delete', fip.id);
    assert.deepEqual(await json('floating', 'ip', 'list'), []);

    assert.notEqual((await os('router', 'delete', 'router')).code, 0, 'interfaces remain');
    await ok('router', 'unset', '--route', 'destination=10.9.0.0/16,gateway=10.0.1.50', '--route', 'destination=10.8.0.0/16,gateway=10.0.1.51', 'router');
    await ok('router', 'remove', 'subnet', 'router', 'sub1');
    await ok('router', 'unset', '--external-gateway', 'router');
    assert.equal((await json('router', 'show', 'router')).external_gateway_info, null);
    await ok('router', 'delete', 'router');
    assert.deepEqual(await json('router', 'list'), []);
    await ok('port', 'delete', 'vm-port');
    await ok('subnet', 'delete', 'sub1');
    await ok('network', 'delete', 'net1');
    await ok('subnet', 'delete', 'ext-subnet');
    await ok('network', 'delete', 'ext-net');
  });
});
