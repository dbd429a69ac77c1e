import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { http } from '../support/http.js';
import { startPrepareHarness, type PrepareHarness } from './prepare-support.js';

/**
 * Reads of ports that have a copy in a pod: status and binding come live from the pod, every id is
 * the top's, and nothing pod-internal (bottom ids, bottom names) shows.
 */
describe('top Neutron: live reads of ports with a pod copy', () => {
  let h: PrepareHarness;
  let net: any;
  let subnet: any;
  let bound: { topPortId: string; bottomPortId: string };
  let idle: { topPortId: string; bottomPortId: string };
  let serverId: string;
  const bottomIds: string[] = [];

  before(async () => {
    h = await startPrepareHarness();
    ({ net, subnet } = await h.network('10.70.0.0/24'));
    const one = await h.preparer.prepareServerNics(h.ctx, h.pods.Pod1, [{ networkId: net.id }, { networkId: net.id }], { serverId: 'provisional' });
    [bound, idle] = one.nics;
    const images = await http('GET', `${h.cluster.glanceUrl}/v2/images`, { token: h.demoToken });
    const imageRef = images.body.images[0].id;
    const nova = h.cluster.pods.find((p) => p.region === 'Pod1')!.novaUrl;
    const boot = await http('POST', `${nova}/v2.1/servers`, {
      token: h.demoToken,
      body: { server: { name: 'vm', imageRef, flavorRef: '1', networks: [{ port: bound.bottomPortId }] } },
    });
    assert.equal(boot.status, 202, boot.text);
    serverId = boot.body.server.id;
    // The gateway records the server's route (top id = bottom id) and its id on the ports.
    await h.tc.core.routings.create({ topId: serverId, bottomId: serverId, podId: h.pods.Pod1.id, projectId: h.demoProject, resourceType: 'server' });
    await h.preparer.bindServerNics(h.ctx, [one.nics[0]], serverId);
    const bnet = (await h.pod('Pod1', 'GET', `/v2.0/networks?name=${net.id}`)).body.networks[0];
    const bsubs = (await h.pod('Pod1', 'GET', `/v2.0/subnets?network_id=${bnet.id}`)).body.subnets;
    bottomIds.push(bnet.id, ...bsubs.map((s: any) => s.id), bound.bottomPortId, idle.bottomPortId);
  });
  after(async () => {
    await h?.close();
  });

  const leaksNothing = (text: string) => {
    for (const id of bottomIds) assert.ok(!text.includes(id), `bottom id ${id} leaked`);
  };

  test('GET of a bound port: the pod status and binding, top ids and names', async () => {
    const topPort = await h.top('GET', `/v2.0/ports/${bound.topPortId}`, undefined, h.adminToken);
    assert.equal(topPort.status, 200, topPort.text);
    const p = topPort.body.port;
    assert.equal(p.id, bound.topPortId);
    assert.equal(p.status, 'ACTIVE');
    assert.match(p['binding:host_id'], /compute-\d$/);
    assert.equal(p['binding:vif_type'], 'ovs');
    assert.equal(p.device_id, serverId);
    assert.equal(p.device_owner, 'compute:az1');
    assert.equal(p.network_id, net.id);
    assert.equal(p.fixed_ips[0].subnet_id, subnet.id);
    assert.equal(p.name, '');
    assert.deepEqual(p['binding:profile'], {});
    leaksNothing(topPort.text);

    const asMember = (await h.top('GET', `/v2.0/ports/${bound.topPortId}`)).body.port;
    assert.equal(asMember.status, 'ACTIVE');
    assert.equal(asMember['binding:host_id'], undefined, 'binding details stay admin-only');
  });

  test('a copy not yet plugged reads DOWN, with the top record of its server', async () => {
    const p = (await h.top('GET', `/v2.0/ports/${idle.topPortId}`, undefined, h.adminToken)).body.port;
    assert.equal(p.status, 'DOWN');
    assert.equal(p['binding:host_id'], '');
    assert.equal(p.device_id, 'provisional');
    assert.deepEqual(p['binding:profile'], {}, 'internal markers never show');
  });

  test('lists show live state and filter on it, pages included', async () => {
    const all = await h.top('GET', `/v2.0/ports?network_id=${net.id}`, undefined, h.adminToken);
    const byId = new Map(all.body.ports.map((p: any) => [p.id, p]));
    assert.equal((byId.get(bound.topPortId) as any).status, 'ACTIVE');
    assert.equal((byId.get(idle.topPortId) as any).status, 'DOWN');
    leaksNothing(all.text);

    const active = (await h.top('GET', `/v2.0/ports?network_id=${net.id}&status=ACTIVE`)).body.ports;
    assert.deepEqual(
      active.map((p: any) => p.id),
      [bound.topPortId],
    );
    const down = (await h.top('GET', `/v2.0/ports?network_id=${net.id}&status=DOWN&device_owner=compute:az1`)).body.ports;
    assert.deepEqual(
      down.map((p: any) => p.id),
      [idle.topPortId],
    );
    const host = (await h.top('GET', `/v2.0/ports/${bound.topPortId}`, undefined, h.adminToken)).body.port['binding:host_id'];
    const onHost = (await h.top('GET', `/v2.0/ports?binding:host_id=${host}`, undefined, h.adminToken)).body.ports;
    assert.deepEqual(
      onHost.map((p: any) => p.id),
      [bound.topPortId],
    );

    const page = await h.top('GET', `/v2.0/ports?network_id=${net.id}&status=ACTIVE&limit=1`);
    assert.deepEqual(
      page.body.ports.map((p: any) => p.id),
      [bound.topPortId],
    );
    const byServer = (await h.top('GET', `/v2.0/ports?device_id=${serverId}`)).body.ports;
    assert.deepEqual(
      byServer.map((p: any) => p.id),
      [bound.topPortId],
    );
  });

  test('the shared DHCP port reads from the top, without pod-internal names or ids', async () => {
    const res = await h.top('GET', `/v2.0/ports?network_id=${net.id}&device_owner=network:dhcp`, undefined, h.adminToken);
    assert.equal(res.body.ports.length, 1);
    assert.equal(res.body.ports[0].name, '');
    leaksNothing(res.text);
  });

  test('a pod that does not answer: the top record, not an error', async () => {
    await h.cluster.setFaults('Pod1', { down: true });
    try {
      const res = await h.top('GET', `/v2.0/ports/${bound.topPortId}`);
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.port.id, bound.topPortId);
      const list = await h.top('GET', `/v2.0/ports?network_id=${net.id}`);
      assert.equal(list.status, 200);
    } finally {
      await h.cluster.setFaults('Pod1', { down: false });
    }
  });
});
