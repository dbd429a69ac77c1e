import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSimCluster, type SimCluster } from '../../sim/cluster.js';
import { OPENSTACK_MISSING, openstack, openstackCli } from '../support/openstack.js';

/** The real openstack CLI against the simulated Keystone and one simulated pod. */
describe('openstack CLI against the simulator (--os-region-name Pod1)', { skip: openstackCli ? false : OPENSTACK_MISSING }, () => {
  let cluster: SimCluster;
  const os = (args: string[]) => openstack({ authUrl: `${cluster.keystoneUrl}/v3`, regionName: 'Pod1' }, args);
  const json = async (args: string[]) => {
    const res = await os([...args, '-f', 'json']);
    assert.equal(res.code, 0, `openstack ${args.join(' ')}: ${res.stderr}`);
    return JSON.parse(res.stdout);
  };
  const ok = async (args: string[]) => {
    const res = await os(args);
    assert.equal(res.code, 0, `openstack ${args.join(' ')}: ${res.stderr}`);
  };

  before(async () => {
    cluster = await startSimCluster({ pods: [{ region: 'Pod1', az: 'az1' }], buildDelayMs: 200 });
  });
  after(async () => {
    await cluster?.close();
  });

  let serverId: string;
  let volumeId: string;

  test('network and subnet', async () => {
    const net = await json(['network', 'create', 'net1']);
    assert.equal(net.name, 'net1');
    const subnet = await json(['subnet', 'create', '--network', 'net1', '--subnet-range', '10.0.1.0/24', 'subnet1']);
    assert.equal(subnet.cidr, '10.0.1.0/24');
    assert.equal(subnet.gateway_ip, '10.0.1.1');
    const nets = await json(['network', 'list']);
    assert.ok(nets.some((n: { Name: string }) => n.Name === 'net1'));
  });

  test('server boot waits for ACTIVE, then list and show', async () => {
    const flavors = await json(['flavor', 'list']);
    assert.ok(flavors.some((f: { Name: string }) => f.Name === 'm1.tiny'));
    const images = await json(['image', 'list']);
    assert.ok(images.length > 0, 'Glance has an image');
    const server = await json(['server', 'create', '--flavor', 'm1.tiny', '--image', images[0].ID, '--network', 'net1', '--availability-zone', 'az1', '--wait', 'vm1']);
    assert.equal(server.status, 'ACTIVE');
    serverId = server.id;
    assert.match(JSON.stringify(server.addresses), /10\.0\.1\./);
    const list = await json(['server', 'list']);
    assert.deepEqual(
      list.map((s: { ID: string }) => s.ID),
      [serverId],
    );
    const shown = await json(['server', 'show', serverId]);
    assert.equal(shown['OS-EXT-AZ:availability_zone'], 'az1');
  });

  test('volume create, attach, detach', async () => {
    const volume = await json(['volume', 'create', '--size', '1', '--availability-zone', 'az1', 'vol1']);
    volumeId = volume.id;
    for (let i = 0; i < 50 && (await json(['volume', 'show', volumeId])).status !== 'available'; i++) await new Promise((r) => setTimeout(r, 200));
    await ok(['server', 'add', 'volume', serverId, volumeId]);
    const attached = await json(['volume', 'show', volumeId]);
    assert.equal(attached.status, 'in-use');
    assert.equal(attached.attachments[0].server_id, serverId);
    await ok(['server', 'remove', 'volume', serverId, volumeId]);
    assert.equal((await json(['volume', 'show', volumeId])).status, 'available');
    const volumes = await json(['volume', 'list']);
    assert.ok(volumes.some((v: { ID: string }) => v.ID === volumeId));
  });

  test('delete everything', async () => {
    await ok(['server', 'delete', '--wait', serverId]);
    await ok(['volume', 'delete', volumeId]);
    for (let i = 0; i < 50 && (await json(['volume', 'list'])).length > 0; i++) await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(await json(['volume', 'list']), []);
    assert.deepEqual(await json(['server', 'list']), []);
    await ok(['subnet', 'delete', 'subnet1']);
    await ok(['network', 'delete', 'net1']);
    assert.ok(!(await json(['network', 'list'])).some((n: { Name: string }) => n.Name === 'net1'));
  });
});
