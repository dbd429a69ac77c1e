import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copiesNamed, startPrepareHarness, type PrepareHarness } from './prepare-support.js';

/**
 * Bottom preparation against two simulated pods over real HTTP: networks and subnets stay at the top
 * until a server needs them; then each pod gets one copy, with the top's addresses and MACs.
 */
describe('server network preparation in two pods', () => {
  let h: PrepareHarness;

  before(async () => {
    h = await startPrepareHarness();
  });
  after(async () => {
    await h?.close();
  });

  test('a network and subnet at the top create nothing in the pods', async () => {
    const { net, subnet } = await h.network('10.10.0.0/24');
    for (const region of ['Pod1', 'Pod2']) {
      assert.deepEqual(await copiesNamed(h, region, 'networks', net.id), []);
      assert.deepEqual(await copiesNamed(h, region, 'subnets', subnet.id), []);
    }
    assert.deepEqual(await h.routes([net.id, subnet.id]), []);
    assert.deepEqual((await h.top('GET', `/v2.0/networks/${net.id}`)).body.network.availability_zones, []);
  });

  test('preparing in Pod1 and Pod2: one copy each, the same DHCP address and MAC, ports equal to their top ports, routes recorded', async () => {
    const { net, subnet } = await h.network('10.11.0.0/24');
    const one = await h.preparer.prepareServerNics(h.ctx, h.pods.Pod1, [{ networkId: net.id }], { serverId: 'srv-a' });
    const two = await h.preparer.prepareServerNics(h.ctx, h.pods.Pod2, [{ networkId: net.id }], { serverId: 'srv-b' });
    assert.equal(one.nics.length, 1);
    assert.equal(two.nics.length, 1);
    assert.equal(one.nics[0].createdTopPort, true);

    const topDhcp = (await h.top('GET', `/v2.0/ports?network_id=${net.id}&device_owner=network:dhcp`, undefined, h.adminToken)).body.ports;
    assert.equal(topDhcp.length, 1, 'one DHCP port at the top, shared by the pods');
    const dhcpIp = topDhcp[0].fixed_ips[0].ip_address;

    const adminNet = (await h.top('GET', `/v2.0/networks/${net.id}`, undefined, h.adminToken)).body.network;
    const gateways = new Set<string>();
    for (const [region, prepared] of [
      ['Pod1', one],
      ['Pod2', two],
    ] as const) {
      const [bnet] = await copiesNamed(h, region, 'networks', net.id);
      assert.ok(bnet, `${region} has the network`);
      assert.equal(bnet['provider:network_type'], 'vlan');
      assert.equal(bnet['provider:segmentation_id'], adminNet['provider:segmentation_id'], 'the same VLAN in every pod');
      assert.equal(bnet.project_id, h.demoProject);
      const [bsub] = await copiesNamed(h, region, 'subnets', subnet.id);
      assert.equal(bsub.cidr, '10.11.0.0/24');
      assert.equal(bsub.network_id, bnet.id);
      assert.equal(bsub.enable_dhcp, true);
      gateways.add(bsub.gateway_ip);

      const dhcp = (await h.pod(region, 'GET', `/v2.0/ports?network_id=${bnet.id}&device_owner=network:dhcp`)).body.ports;
      assert.equal(dhcp.length, 1, `${region}: the agent adopted the prepared DHCP port`);
      assert.equal(dhcp[0].fixed_ips[0].ip_address, dhcpIp);
      assert.equal(dhcp[0].mac_address, topDhcp[0].mac_address);
      assert.notEqual(dhcp[0].device_id, 'reserved_dhcp_port', 'adopted by the agent');

      const topPort = (await h.top('GET', `/v2.0/ports/${prepared.nics[0].topPortId}`)).body.port;
      const bport = (await h.pod(region, 'GET', `/v2.0/ports/${prepared.nics[0].bottomPortId}`)).body.port;
      assert.equal(bport.name, topPort.id);
      assert.equal(bport.mac_address, topPort.mac_address);
      assert.equal(bport.fixed_ips[0].ip_address, topPort.fixed_ips[0].ip_address);
      assert.equal(bport.fixed_ips[0].subnet_id, bsub.id);
      assert.equal(bport.network_id, bnet.id);

      const routes = await h.routes([net.id, subnet.id, topPort.id, topDhcp[0].id]);
      const here = routes.filter((r) => r.pod_id === h.pods[region].id);
      assert.deepEqual(here.map((r) => r.resource_type).sort(), ['network', 'port', 'port', 'subnet']);
      assert.ok(here.every((r) => r.bottom_id !== null));
      assert.equal(here.find((r) => r.resource_type === 'network')!.bottom_id, bnet.id);
      assert.equal(here.find((r) => r.resource_type === 'subnet')!.bottom_id, bsub.id);
    }
    assert.equal(gateways.size, 2, 'each pod announces its own gateway on the shared VLAN');
    assert.ok(![...gateways].includes(subnet.gateway_ip));
    const reserved = (await h.top('GET', `/v2.0/ports?network_id=${net.id}&device_owner=network:router_interface`, undefined, h.adminToken)).body.ports;
    assert.deepEqual(reserved.map((p: any) => p.fixed_ips[0].ip_address).sort(), [...gateways].sort(), 'gateway addresses are reserved at the top');
    assert.deepEqual((await h.top('GET', `/v2.0/networks/${net.id}`)).body.network.availability_zones, ['az1', 'az2']);
  });

  test('an existing port keeps its id, MAC and address in the pod; release unbinds it and removes the copy', async () => {
    const { net } = await h.network('10.12.0.0/24');
    const port = (await h.top('POST', '/v2.0/ports', { port: { network_id: net.id, name: 'mine', fixed_ips: [{ ip_address: '10.12.0.77' }] } })).body.port;
    const prepared = await h.preparer.prepareServerNics(h.ctx, h.pods.Pod1, [{ portId: port.id }], { serverId: 'srv-port' });
    assert.deepEqual(
      prepared.nics.map((n) => [n.topPortId, n.createdTopPort]),
      [[port.id, false]],
    );
    const bport = (await h.pod('Pod1', 'GET', `/v2.0/ports/${prepared.nics[0].bottomPortId}`)).body.port;
    assert.equal(bport.mac_address, port.mac_address);
    assert.equal(bport.fixed_ips[0].ip_address, '10.12.0.77');
    const claimed = (await h.top('GET', `/v2.0/ports/${port.id}`)).body.port;
    assert.equal(claimed.device_owner, 'compute:az1');

    const again = h.preparer.prepareServerNics(h.ctx, h.pods.Pod1, [{ portId: port.id }], { serverId: 'srv-other' });
    await assert.rejects(again, { status: 409, message: `Port ${port.id} is still in use.` });

    await h.preparer.releaseServerNics(h.ctx, h.pods.Pod1, prepared.nics);
    const after = (await h.top('GET', `/v2.0/ports/${port.id}`)).body.port;
    assert.equal(after.device_id, '');
    assert.equal(after.device_owner, '');
    assert.equal((await h.pod('Pod1', 'GET', `/v2.0/ports/${prepared.nics[0].bottomPortId}`)).status, 404);
    assert.deepEqual((await h.routes([port.id])).length, 0);
  });

  test("a requested fixed IP is the port's address in the pod; a taken one is refused as Nova does", async () => {
    const { net } = await h.network('10.13.0.0/24');
    const prepared = await h.preparer.prepareServerNics(h.ctx, h.pods.Pod2, [{ networkId: net.id, fixedIp: '10.13.0.50' }], { serverId: 'srv-ip' });
    const bport = (await h.pod('Pod2', 'GET', `/v2.0/ports/${prepared.nics[0].bottomPortId}`)).body.port;
    assert.equal(bport.fixed_ips[0].ip_address, '10.13.0.50');
    await assert.rejects(h.preparer.prepareServerNics(h.ctx, h.pods.Pod2, [{ networkId: net.id, fixedIp: '10.13.0.50' }], { serverId: 'srv-ip2' }), {
      status: 400,
      message: 'Fixed IP address 10.13.0.50 is already in use.',
    });
    const ports = (await h.top('GET', `/v2.0/ports?network_id=${net.id}&device_id=srv-ip2`)).body.ports;
    assert.deepEqual(ports, [], 'the refused request left no port behind');
  });

  test('release of created ports deletes them and their copies; cleanup after delete finds ports by the bound server id', async () => {
    const { net } = await h.network('10.14.0.0/24');
    const own = (await h.top('POST', '/v2.0/ports', { port: { network_id: net.id } })).body.port;
    const prepared = await h.preparer.prepareServerNics(h.ctx, h.pods.Pod1, [{ networkId: net.id }, { portId: own.id }], { serverId: 'provisional-1' });
    const [made, given] = prepared.nics;
    await h.preparer.bindServerNics(h.ctx, prepared.nics, 'server-real-1');
    assert.equal((await h.top('GET', `/v2.0/ports?device_id=server-real-1`)).body.ports.length, 2);

    await h.preparer.cleanupServerPorts(h.ctx, 'server-real-1');
    assert.equal((await h.top('GET', `/v2.0/ports/${made.topPortId}`)).status, 404, 'the port made for the server is gone');
    assert.equal((await h.pod('Pod1', 'GET', `/v2.0/ports/${made.bottomPortId}`)).status, 404);
    const kept = (await h.top('GET', `/v2.0/ports/${given.topPortId}`)).body.port;
    assert.equal(kept.device_id, '', "the user's port stays, unbound");
    assert.equal((await h.pod('Pod1', 'GET', `/v2.0/ports/${given.bottomPortId}`)).status, 404);
    assert.deepEqual(await h.routes([made.topPortId, given.topPortId]), []);

    const failed = await h.preparer.prepareServerNics(h.ctx, h.pods.Pod1, [{ networkId: net.id }], { serverId: 'provisional-2' });
    await h.preparer.releaseServerNics(h.ctx, h.pods.Pod1, failed.nics);
    assert.equal((await h.top('GET', `/v2.0/ports/${failed.nics[0].topPortId}`)).status, 404);
    assert.equal((await h.pod('Pod1', 'GET', `/v2.0/ports/${failed.nics[0].bottomPortId}`)).status, 404);
  });

  test("security groups: the server's groups are copied to the pod and put on its ports", async () => {
    const { net } = await h.network('10.15.0.0/24');
    const sg = (await h.top('POST', '/v2.0/security-groups', { security_group: { name: 'web' } })).body.security_group;
    const prepared = await h.preparer.prepareServerNics(h.ctx, h.pods.Pod2, [{ networkId: net.id }], { serverId: 'srv-sg', securityGroups: ['web', 'default'] });
    const routes = await h.tc.core.routings.findByTop(sg.id, 'security_group');
    assert.equal(routes.length, 1);
    const def = (await h.top('GET', '/v2.0/security-groups?name=default')).body.security_groups[0];
    const defRoute = (await h.tc.core.routings.findByTop(def.id, 'security_group')).find((r) => r.podId === h.pods.Pod2.id)!;
    assert.deepEqual(prepared.bottomSecurityGroupIds, [routes[0].bottomId, defRoute.bottomId]);
    const bport = (await h.pod('Pod2', 'GET', `/v2.0/ports/${prepared.nics[0].bottomPortId}`)).body.port;
    assert.deepEqual([...bport.security_groups].sort(), [routes[0].bottomId, defRoute.bottomId].sort());
    const topPort = (await h.top('GET', `/v2.0/ports/${prepared.nics[0].topPortId}`)).body.port;
    assert.deepEqual([...topPort.security_groups].sort(), [sg.id, def.id].sort());
    await assert.rejects(h.preparer.prepareServerNics(h.ctx, h.pods.Pod2, [{ networkId: net.id }], { serverId: 'srv-sg2', securityGroups: ['nope'] }), {
      status: 400,
      message: "Unable to find security_group with name or id 'nope'",
    });
  });

  test("'auto' takes the project's one network, 'none' prepares nothing, two networks are ambiguous", async () => {
    // The project has several networks by now.
    await assert.rejects(h.preparer.prepareServerNics(h.ctx, h.pods.Pod1, 'auto', { serverId: 'srv-auto' }), { status: 409 });
    assert.deepEqual(await h.preparer.prepareServerNics(h.ctx, h.pods.Pod1, 'none', { serverId: 'srv-none' }), { nics: [], bottomSecurityGroupIds: [] });
    const ctxAlone = await h.altProject();
    const net = await h.top('POST', '/v2.0/networks', { network: { name: 'only' } }, ctxAlone.token);
    assert.deepEqual(
      await h.preparer.prepareServerNics(ctxAlone.ctx, h.pods.Pod1, 'auto', { serverId: 'srv-a0' }),
      { nics: [], bottomSecurityGroupIds: [] },
      'a network without subnets is not usable',
    );
    await h.top('POST', '/v2.0/subnets', { subnet: { network_id: net.body.network.id, ip_version: 4, cidr: '10.16.0.0/24' } }, ctxAlone.token);
    const auto = await h.preparer.prepareServerNics(ctxAlone.ctx, h.pods.Pod1, 'auto', { serverId: 'srv-a1' });
    assert.equal(auto.nics.length, 1);
    const port = (await h.top('GET', `/v2.0/ports/${auto.nics[0].topPortId}`, undefined, ctxAlone.token)).body.port;
    assert.equal(port.network_id, net.body.network.id);
  });

  test("validation errors read as Nova's and make nothing", async () => {
    const missing = '7a6f0e0c-0000-4000-8000-000000000000';
    await assert.rejects(h.preparer.prepareServerNics(h.ctx, h.pods.Pod1, [{ networkId: missing }], { serverId: 's' }), {
      status: 400,
      message: `Network ${missing} could not be found.`,
    });
    const bare = (await h.top('POST', '/v2.0/networks', { network: { name: 'bare' } })).body.network;
    await assert.rejects(h.preparer.prepareServerNics(h.ctx, h.pods.Pod1, [{ networkId: bare.id }], { serverId: 's' }), {
      status: 400,
      message: `Network ${bare.id} requires a subnet in order to boot instances on.`,
    });
    const { net: hinted } = await h.network('10.17.0.0/24', { availability_zone_hints: ['az2'] });
    await assert.rejects(h.preparer.prepareServerNics(h.ctx, h.pods.Pod1, [{ networkId: hinted.id }], { serverId: 's' }), (err: any) => {
      assert.equal(err.status, 400);
      assert.match(err.message, /^Network and server not in the same availability zone/);
      return true;
    });
    await assert.rejects(h.preparer.prepareServerNics(h.ctx, h.pods.Pod1, [{ portId: missing }], { serverId: 's' }), {
      status: 400,
      message: `Port ${missing} could not be found.`,
    });
    assert.deepEqual(await h.routes([bare.id, hinted.id]), []);
    assert.equal((await h.top('GET', `/v2.0/ports?network_id=${hinted.id}`, undefined, h.adminToken)).body.ports.length, 0);
  });

  test('a local network lives in the first pod that needed it', async () => {
    const { net } = await h.network('10.18.0.0/24', { 'provider:network_type': 'local' }, h.adminToken);
    const adminCtx = await h.adminContext();
    await h.preparer.prepareServerNics(adminCtx, h.pods.Pod2, [{ networkId: net.id }], { serverId: 'srv-l1' });
    await assert.rejects(h.preparer.prepareServerNics(adminCtx, h.pods.Pod1, [{ networkId: net.id }], { serverId: 'srv-l2' }), (err: any) => {
      assert.equal(err.status, 400);
      assert.match(err.message, /^Network and server not in the same availability zone/);
      return true;
    });
    const [bsub] = await copiesNamed(h, 'Pod2', 'subnets', (await h.top('GET', `/v2.0/networks/${net.id}`, undefined, h.adminToken)).body.network.subnets[0]);
    assert.equal(bsub.gateway_ip, '10.18.0.1', 'a network in one pod keeps the top gateway');
    assert.deepEqual(await copiesNamed(h, 'Pod1', 'networks', net.id), []);
  });

  test("dual stack, and a subnet added later: every pod's DHCP port keeps the top DHCP port's addresses", async () => {
    const { net, subnet } = await h.network('10.19.0.0/24');
    const v6 = await h.top('POST', '/v2.0/subnets', {
      subnet: { network_id: net.id, ip_version: 6, cidr: '2001:db8:19::/64', ipv6_ra_mode: 'slaac', ipv6_address_mode: 'slaac' },
    });
    assert.equal(v6.status, 201, v6.text);
    const first = await h.preparer.prepareServerNics(h.ctx, h.pods.Pod1, [{ networkId: net.id }], { serverId: 'srv-ds1' });
    const later = await h.top('POST', '/v2.0/subnets', { subnet: { network_id: net.id, ip_version: 4, cidr: '10.20.0.0/24' } });
    assert.equal(later.status, 201, later.text);
    await h.preparer.prepareServerNics(h.ctx, h.pods.Pod1, [{ networkId: net.id }], { serverId: 'srv-ds2' });
    await h.preparer.prepareServerNics(h.ctx, h.pods.Pod2, [{ networkId: net.id }], { serverId: 'srv-ds3' });

    const topDhcp = (await h.top('GET', `/v2.0/ports?network_id=${net.id}&device_owner=network:dhcp`, undefined, h.adminToken)).body.ports[0];
    const topAddrs = topDhcp.fixed_ips.map((f: any) => f.ip_address).sort();
    assert.equal(topAddrs.length, 3, 'one address per DHCP-enabled subnet');
    for (const region of ['Pod1', 'Pod2']) {
      const [bnet] = await copiesNamed(h, region, 'networks', net.id);
      const subs = (await h.pod(region, 'GET', `/v2.0/subnets?network_id=${bnet.id}`)).body.subnets;
      assert.equal(subs.length, 3);
      assert.ok(subs.every((s: any) => s.enable_dhcp === true));
      const dhcp = (await h.pod(region, 'GET', `/v2.0/ports?network_id=${bnet.id}&device_owner=network:dhcp`)).body.ports;
      assert.equal(dhcp.length, 1, `${region}: one DHCP port`);
      assert.deepEqual(dhcp[0].fixed_ips.map((f: any) => f.ip_address).sort(), topAddrs, `${region}: same DHCP addresses`);
    }
    const port = (await h.top('GET', `/v2.0/ports/${first.nics[0].topPortId}`)).body.port;
    const copy = (await h.pod('Pod1', 'GET', `/v2.0/ports/${first.nics[0].bottomPortId}`)).body.port;
    assert.deepEqual(copy.fixed_ips.map((f: any) => f.ip_address).sort(), port.fixed_ips.map((f: any) => f.ip_address).sort());
    assert.ok(port.fixed_ips.some((f: any) => f.subnet_id === subnet.id));
  });
});

describe('pod subnet pools', () => {
  test('the pod gateway is cut out of the top pools; other families and a null gateway leave them', async () => {
    const { podPools } = await import('../../src/wiring/prepare/index.js');
    assert.deepEqual(podPools([{ start: '10.0.0.2', end: '10.0.0.254' }], '10.0.0.77'), [
      { start: '10.0.0.2', end: '10.0.0.76' },
      { start: '10.0.0.78', end: '10.0.0.254' },
    ]);
    assert.deepEqual(podPools([{ start: '10.0.0.2', end: '10.0.0.254' }], '10.0.0.2'), [{ start: '10.0.0.3', end: '10.0.0.254' }]);
    assert.deepEqual(podPools([{ start: '10.0.0.2', end: '10.0.0.254' }], null), [{ start: '10.0.0.2', end: '10.0.0.254' }]);
    assert.deepEqual(podPools([{ start: '2001:db8::2', end: '2001:db8::ff' }], '10.0.0.1'), [{ start: '2001:db8::2', end: '2001:db8::ff' }]);
  });
});
