import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createScratchDatabase, type ScratchDatabase } from '../support/databases.js';
import { OPENSTACK_MISSING, openstack as runOpenstack, openstackCli } from '../support/openstack.js';
import { startTestTricircle } from '../support/tricircle.js';
import { startKeystoneSim } from '../../sim/keystone/index.js';
import type { RunningTricircle } from '../../src/server.js';

/** The real python-openstackclient: network segment ranges, segments and the described resources through the top Neutron. */
describe('top Neutron: segment ranges and more through the openstack CLI', openstackCli ? {} : { skip: OPENSTACK_MISSING }, () => {
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
    tc = await startTestTricircle({
      databaseUrl: scratch.url,
      only: ['admin-api', 'neutron-api'],
      authStrategy: 'keystone',
      keystoneUrl: keystone.url,
      extra: { tricircle: { type_drivers: 'local,vlan,vxlan', tenant_network_types: 'vxlan,vlan' } },
    });
    keystone.keystone.addEndpoint({ region: 'RegionOne', serviceType: 'network', serviceName: 'neutron', interface: 'public', url: tc.urls['neutron-api']! });
  });
  after(async () => {
    await tc?.close();
    await scratch?.drop();
    await keystone?.close();
  });

  test('network segment range create, then a tenant network takes its VNI; show, set, list, delete', async () => {
    const range = await json('network', 'segment', 'range', 'create', '--network-type', 'vxlan', '--minimum', '4000', '--maximum', '4001', '--shared', 'vx');
    assert.equal(range.name, 'vx');
    assert.equal(range.network_type, 'vxlan');
    assert.equal(range.minimum, 4000);
    const net = await json('network', 'create', 'tenant-net');
    const shown = await json('network', 'show', net.id);
    assert.equal(shown['provider:network_type'], 'vxlan');
    assert.ok([4000, 4001].includes(shown['provider:segmentation_id']));
    const again = await json('network', 'segment', 'range', 'show', range.id);
    // The CLI shows `used` turned around: project → the ranges of ids it holds.
    assert.deepEqual(Object.values(again.used ?? {}), [[String(shown['provider:segmentation_id'])]]);
    const segments = await json('network', 'segment', 'list', '--network', net.id);
    assert.equal(segments.length, 1);
    assert.equal(segments[0]['Network Type'], 'vxlan');

    assert.equal((await os('network', 'segment', 'range', 'set', '--name', 'vx2', range.id)).code, 0);
    const listed = await json('network', 'segment', 'range', 'list');
    assert.ok(listed.some((r: any) => r.Name === 'vx2'));
    const busy = await os('network', 'segment', 'range', 'delete', range.id);
    assert.notEqual(busy.code, 0, 'a range in use is not deleted');
    assert.match(busy.stderr, /referenced by one or more tenant networks/);
    assert.equal((await os('network', 'delete', net.id)).code, 0);
    assert.equal((await os('network', 'segment', 'range', 'delete', range.id)).code, 0);
  });

  test('address scope and address group', async () => {
    const scope = await json('address', 'scope', 'create', '--ip-version', '4', 'scope-a');
    const pool = await json('subnet', 'pool', 'create', '--pool-prefix', '10.200.0.0/16', '--address-scope', scope.id, 'pool-a');
    assert.equal(pool.address_scope_id, scope.id);
    const group = await json('address', 'group', 'create', '--address', '10.0.0.1', 'group-a');
    assert.deepEqual(group.addresses, ['10.0.0.1/32']);
    assert.equal((await os('address', 'group', 'set', '--address', '10.0.0.2', group.id)).code, 0);
    assert.deepEqual((await json('address', 'group', 'show', group.id)).addresses, ['10.0.0.1/32', '10.0.0.2/32']);
    assert.equal((await os('address', 'group', 'delete', group.id)).code, 0);
    assert.equal((await os('subnet', 'pool', 'delete', pool.id)).code, 0);
    assert.equal((await os('address', 'scope', 'delete', scope.id)).code, 0);
  });
});
