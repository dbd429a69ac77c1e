import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { NotAnExternalNetwork } from '../../src/wiring/external/index.js';
import { expectStatus, startL3Env, type L3Env } from './external-harness.js';

/**
 * Reference §6.7 / §8.2 steps 4–5: an external network and its subnets are made in their pod when
 * they are made at the top, inside the request; a pod failure fails the request and leaves nothing.
 */
describe('external networks: copies in their pod at create', () => {
  let env: L3Env;

  before(async () => {
    env = await startL3Env();
  });
  after(async () => {
    await env?.close();
  });

  const extNetBody = (name: string, extra: Record<string, unknown> = {}) => ({
    network: {
      name,
      'router:external': true,
      'provider:network_type': 'vlan',
      'provider:physical_network': 'extern',
      availability_zone_hints: ['Pod2'],
      ...extra,
    },
  });
  const bottomNamed = async (region: string, collection: string, name: string) =>
    ((await env.pod(region, 'GET', `/v2.0/${collection}?name=${encodeURIComponent(name)}`)).body[collection] as any[]).filter((o) => o.name === name);

  test('network create makes the copy in the hinted pod at once, with its provider attributes', async () => {
    const net = expectStatus(await env.top('POST', '/v2.0/networks', extNetBody('ext-net')), 201).body.network;
    assert.equal(net['router:external'], true);
    assert.deepEqual(net.availability_zones, ['az2'], 'the network shows the AZ of the pod holding it');

    const [copy, ...more] = await bottomNamed('Pod2', 'networks', net.id);
    assert.ok(copy, 'Pod2 has the copy');
    assert.equal(more.length, 0);
    assert.equal(copy['router:external'], true);
    assert.equal(copy['provider:network_type'], 'vlan');
    assert.equal(copy['provider:physical_network'], 'extern');
    assert.equal(copy['provider:segmentation_id'], net['provider:segmentation_id']);
    assert.deepEqual(await bottomNamed('Pod1', 'networks', net.id), [], 'nothing in Pod1');

    const routes = await env.routes(net.id);
    assert.deepEqual(
      routes.map((r) => [r.resource_type, r.pod_id, r.bottom_id]),
      [['network', env.pods.Pod2.id, copy.id]],
    );

    // §8.2 step 5: the subnet appears in Pod2 at once, with the top's addressing.
    const subnet = expectStatus(
      await env.top('POST', '/v2.0/subnets', {
        subnet: {
          name: 'ext-subnet',
          network_id: net.id,
          ip_version: 4,
          cidr: '10.50.11.0/26',
          enable_dhcp: false,
          gateway_ip: '10.50.11.1',
          allocation_pools: [{ start: '10.50.11.30', end: '10.50.11.50' }],
        },
      }),
      201,
    ).body.subnet;
    const [sc] = await bottomNamed('Pod2', 'subnets', subnet.id);
    assert.ok(sc, 'Pod2 has the subnet copy');
    assert.equal(sc.network_id, copy.id);
    assert.equal(sc.cidr, '10.50.11.0/26');
    assert.equal(sc.gateway_ip, '10.50.11.1');
    assert.equal(sc.enable_dhcp, false);
    assert.equal(sc.ip_version, 4);
    assert.deepEqual(sc.allocation_pools, [{ start: '10.50.11.30', end: '10.50.11.50' }]);
    assert.deepEqual(
      (await env.routes(subnet.id)).map((r) => [r.resource_type, r.pod_id, r.bottom_id]),
      [['subnet', env.pods.Pod2.id, sc.id]],
    );

    // Idempotent: asking again finds the same copies and makes nothing more.
    const placed = await env.tc.wiring.ensureExternalNetworkInPod(net.id);
    const again = await env.tc.wiring.ensureExternalNetworkInPod(net.id, { requestId: 'req-again' });
    assert.equal(placed.pod.regionName, 'Pod2');
    assert.equal(placed.bottomNetworkId, copy.id);
    assert.equal(again.bottomNetworkId, copy.id);
    assert.equal(again.subnets.get(subnet.id), sc.id);
    assert.equal((await bottomNamed('Pod2', 'networks', net.id)).length, 1);
    assert.equal((await bottomNamed('Pod2', 'subnets', subnet.id)).length, 1);

    // Deleting at the top deletes the copies and their routes.
    expectStatus(await env.top('DELETE', `/v2.0/subnets/${subnet.id}`), 204);
    assert.deepEqual(await bottomNamed('Pod2', 'subnets', subnet.id), []);
    assert.deepEqual(await env.routes(subnet.id), []);
    expectStatus(await env.top('DELETE', `/v2.0/networks/${net.id}`), 204);
    assert.deepEqual(await bottomNamed('Pod2', 'networks', net.id), []);
    assert.deepEqual(await env.routes(net.id), []);
  });

  test('ensureExternalNetworkInPod refuses internal and unknown networks', async () => {
    const internal = expectStatus(await env.top('POST', '/v2.0/networks', { network: { name: 'inner', availability_zone_hints: ['az1'] } }), 201).body.network;
    await assert.rejects(env.tc.wiring.ensureExternalNetworkInPod(internal.id), NotAnExternalNetwork);
    await assert.rejects(env.tc.wiring.ensureExternalNetworkInPod('00000000-0000-0000-0000-000000000000'), NotAnExternalNetwork);
    assert.deepEqual(await bottomNamed('Pod1', 'networks', internal.id), [], 'an internal network stays at the top');
    expectStatus(await env.top('DELETE', `/v2.0/networks/${internal.id}`), 204);
  });

  test('a DHCP-enabled external subnet gets the top DHCP port in the pod', async () => {
    const net = expectStatus(await env.top('POST', '/v2.0/networks', extNetBody('ext-dhcp')), 201).body.network;
    const subnet = expectStatus(await env.top('POST', '/v2.0/subnets', { subnet: { network_id: net.id, ip_version: 4, cidr: '10.60.0.0/24' } }), 201).body.subnet;
    const [sc] = await bottomNamed('Pod2', 'subnets', subnet.id);
    assert.equal(sc.enable_dhcp, true);
    const topDhcp = (await env.top('GET', `/v2.0/ports?network_id=${net.id}&device_owner=network:dhcp`)).body.ports;
    const bottomDhcp = (await env.pod('Pod2', 'GET', `/v2.0/ports?network_id=${sc.network_id}&device_owner=network:dhcp`)).body.ports;
    assert.equal(bottomDhcp.length, 1);
    if (topDhcp.length === 1) assert.equal(bottomDhcp[0].fixed_ips[0].ip_address, topDhcp[0].fixed_ips[0].ip_address, 'the pod DHCP port has the top address');
    expectStatus(await env.top('DELETE', `/v2.0/networks/${net.id}`), 204);
    assert.deepEqual(await bottomNamed('Pod2', 'networks', net.id), []);
  });

  test('a pod failure fails the network create and leaves nothing, at the top or in the pod', async () => {
    const before = (await env.top('GET', '/v2.0/networks')).body.networks.length;
    await env.cluster.setFaults('Pod2', { errorRate: 1 });
    let res;
    try {
      res = await env.top('POST', '/v2.0/networks', extNetBody('ext-broken', { 'provider:segmentation_id': 3999 }));
    } finally {
      await env.cluster.setFaults('Pod2', { errorRate: 0 });
    }
    assert.ok(res.status >= 500, `expected a 5xx, got ${res.status}: ${res.text}`);
    assert.ok(res.body.NeutronError, res.text);
    assert.match(res.body.NeutronError.message, /Pod2/);
    const nets = (await env.top('GET', '/v2.0/networks')).body.networks;
    assert.equal(nets.length, before);
    assert.ok(!nets.some((n: any) => n.name === 'ext-broken'));
    assert.equal((await env.tc.db.kysely.selectFrom('segment_allocations').select('network_id').where('segmentation_id', '=', 3999).execute()).length, 0, 'the VLAN is free again');
    const stray = (await env.tc.db.kysely.selectFrom('resource_routings').selectAll().where('resource_type', '=', 'network').execute()).filter(
      (r) => !nets.some((n: any) => n.id === r.top_id),
    );
    assert.deepEqual(stray, [], 'no routing row of the failed network');
    const podNets = (await env.pod('Pod2', 'GET', '/v2.0/networks')).body.networks;
    assert.ok(!podNets.some((n: any) => n['provider:segmentation_id'] === 3999), 'no copy in Pod2');

    // The same VLAN works once the pod is back.
    const ok = expectStatus(await env.top('POST', '/v2.0/networks', extNetBody('ext-ok', { 'provider:segmentation_id': 3999 })), 201).body.network;
    assert.equal((await bottomNamed('Pod2', 'networks', ok.id)).length, 1);
    expectStatus(await env.top('DELETE', `/v2.0/networks/${ok.id}`), 204);
  });

  test('a pod failure fails the subnet create and leaves nothing; an unreachable pod answers 503', async () => {
    const net = expectStatus(await env.top('POST', '/v2.0/networks', extNetBody('ext-sub-fail')), 201).body.network;
    const body = { subnet: { name: 'doomed', network_id: net.id, ip_version: 4, cidr: '10.70.0.0/24', enable_dhcp: false } };
    await env.cluster.setFaults('Pod2', { errorRate: 1 });
    let res;
    try {
      res = await env.top('POST', '/v2.0/subnets', body);
    } finally {
      await env.cluster.setFaults('Pod2', { errorRate: 0 });
    }
    assert.ok(res.status >= 500, `expected a 5xx, got ${res.status}: ${res.text}`);
    assert.deepEqual((await env.top('GET', `/v2.0/subnets?network_id=${net.id}`)).body.subnets, []);
    assert.deepEqual((await env.pod('Pod2', 'GET', '/v2.0/subnets?name=doomed')).body.subnets, []);
    const subnetRoutes = await env.tc.db.kysely.selectFrom('resource_routings').selectAll().where('resource_type', '=', 'subnet').execute();
    assert.deepEqual(subnetRoutes, []);

    await env.cluster.setFaults('Pod2', { down: true });
    try {
      res = await env.top('POST', '/v2.0/subnets', body);
    } finally {
      await env.cluster.setFaults('Pod2', { down: false });
    }
    assert.equal(res.status, 503, res.text);
    assert.deepEqual((await env.top('GET', `/v2.0/subnets?network_id=${net.id}`)).body.subnets, []);

    const sub = expectStatus(await env.top('POST', '/v2.0/subnets', body), 201).body.subnet;
    assert.equal((await bottomNamed('Pod2', 'subnets', sub.id)).length, 1);
    expectStatus(await env.top('DELETE', `/v2.0/networks/${net.id}`), 204);
    assert.deepEqual(await bottomNamed('Pod2', 'networks', net.id), []);
  });
});
