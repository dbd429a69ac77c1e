import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSimCluster, type SimCluster } from '../../sim/cluster.js';
import { fetchSimToken } from '../../sim/common/token.js';
import { createScratchDatabase, type ScratchDatabase } from '../support/databases.js';
import { http } from '../support/http.js';
import { startTestTricircle } from '../support/tricircle.js';
import type { RunningTricircle } from '../../src/server.js';
import { neutronError } from './support.js';

/**
 * Deletes at the top remove the pods' copies: copies are made here by hand in simulated pods and
 * recorded in the routing table, as the boot path will make them.
 */
describe('top Neutron: deletes reach the pods', () => {
  let cluster: SimCluster;
  let scratch: ScratchDatabase;
  let tc: RunningTricircle;
  let token: string;
  const pods: Record<string, string> = {};

  const top = (method: string, path: string, body?: unknown) => http(method, `${tc.urls['neutron-api']}${path}`, { body, token });
  const pod = (region: string, method: string, path: string, body?: unknown) =>
    http(method, `${cluster.pods.find((p) => p.region === region)!.neutronUrl}${path}`, { body, token });
  const route = async (topId: string, bottomId: string, region: string, type: string) => {
    const res = await http('POST', `${tc.urls['admin-api']}/v1.0/routings`, {
      body: { routing: { top_id: topId, bottom_id: bottomId, pod_id: pods[region], project_id: 'admin', resource_type: type } },
      token,
    });
    assert.equal(res.status, 200, res.text);
  };
  const routesOf = (topIds: string[]) => tc.db.kysely.selectFrom('resource_routings').selectAll().where('top_id', 'in', topIds).execute();

  /** A top network with a subnet and a port, copied into `regions`. */
  async function spread(regions: string[], withPort = true) {
    const net = (await top('POST', '/v2.0/networks', { network: { name: 'spread' } })).body.network;
    const subnet = (await top('POST', '/v2.0/subnets', { subnet: { network_id: net.id, ip_version: 4, cidr: '10.0.0.0/24' } })).body.subnet;
    const port = withPort ? (await top('POST', '/v2.0/ports', { port: { network_id: net.id } })).body.port : undefined;
    const bottom: Record<string, { net: string; subnet: string; port?: string }> = {};
    // Pod subnets without DHCP, so no pod DHCP port can take the address the top gave the port.
    for (const region of regions) {
      const bn = (await pod(region, 'POST', '/v2.0/networks', { network: { name: net.id } })).body.network.id;
      const bs = (await pod(region, 'POST', '/v2.0/subnets', { subnet: { name: subnet.id, network_id: bn, ip_version: 4, cidr: '10.0.0.0/24', enable_dhcp: false } })).body.subnet
        .id;
      await route(net.id, bn, region, 'network');
      await route(subnet.id, bs, region, 'subnet');
      bottom[region] = { net: bn, subnet: bs };
      if (port) {
        const bp = (
          await pod(region, 'POST', '/v2.0/ports', {
            port: { name: port.id, network_id: bn, mac_address: port.mac_address, fixed_ips: [{ subnet_id: bs, ip_address: port.fixed_ips[0].ip_address }] },
          })
        ).body.port.id;
        await route(port.id, bp, region, 'port');
        bottom[region].port = bp;
      }
    }
    return { net, subnet, port, bottom };
  }

  before(async () => {
    cluster = await startSimCluster({
      pods: [
        { region: 'Pod1', az: 'az1' },
        { region: 'Pod2', az: 'az2' },
      ],
    });
    scratch = await createScratchDatabase('sqlite');
    tc = await startTestTricircle({ databaseUrl: scratch.url, only: ['admin-api', 'neutron-api'], authStrategy: 'keystone', keystoneUrl: cluster.keystoneUrl });
    token = (await fetchSimToken(cluster.keystoneUrl, { project: 'admin' })).token;
    for (const p of [{ region_name: 'RegionOne' }, { region_name: 'Pod1', az_name: 'az1' }, { region_name: 'Pod2', az_name: 'az2' }]) {
      const res = await http('POST', `${tc.urls['admin-api']}/v1.0/pods`, { body: { pod: p }, token });
      pods[p.region_name] = res.body.pod.pod_id;
    }
  });
  after(async () => {
    await tc?.close();
    await scratch?.drop();
    await cluster?.close();
  });

  test('a network in two pods: availability_zones, port delete, then network delete remove every copy and route', async () => {
    const { net, subnet, port, bottom } = await spread(['Pod1', 'Pod2']);
    assert.deepEqual((await top('GET', `/v2.0/networks/${net.id}`)).body.network.availability_zones, ['az1', 'az2']);

    assert.equal((await top('DELETE', `/v2.0/ports/${port.id}`)).status, 204);
    for (const region of ['Pod1', 'Pod2']) assert.equal((await pod(region, 'GET', `/v2.0/ports/${bottom[region].port}`)).status, 404);
    assert.equal((await routesOf([port.id])).length, 0);

    assert.equal((await top('DELETE', `/v2.0/networks/${net.id}`)).status, 204);
    for (const region of ['Pod1', 'Pod2']) {
      assert.equal((await pod(region, 'GET', `/v2.0/subnets/${bottom[region].subnet}`)).status, 404);
      assert.equal((await pod(region, 'GET', `/v2.0/networks/${bottom[region].net}`)).status, 404);
    }
    assert.equal((await routesOf([net.id, subnet.id])).length, 0);
  });

  test('a copy already gone from its pod counts as deleted', async () => {
    const { net, subnet, bottom } = await spread(['Pod1'], false);
    await pod('Pod1', 'DELETE', `/v2.0/subnets/${bottom.Pod1.subnet}`);
    assert.equal((await top('DELETE', `/v2.0/subnets/${subnet.id}`)).status, 204);
    assert.equal((await routesOf([subnet.id])).length, 0);
    assert.equal((await top('DELETE', `/v2.0/networks/${net.id}`)).status, 204);
    assert.equal((await pod('Pod1', 'GET', `/v2.0/networks/${bottom.Pod1.net}`)).status, 404);
  });

  test('a pod that is down fails the delete (503) and leaves the top network; a retry finishes', async () => {
    const { net, bottom } = await spread(['Pod1', 'Pod2'], false);
    await cluster.setFaults('Pod2', { down: true });
    try {
      neutronError(await top('DELETE', `/v2.0/networks/${net.id}`), 503);
      assert.equal((await top('GET', `/v2.0/networks/${net.id}`)).status, 200, 'the top network is still there');
      assert.equal((await pod('Pod1', 'GET', `/v2.0/networks/${bottom.Pod1.net}`)).status, 404, 'the reachable pod was cleaned');
    } finally {
      await cluster.setFaults('Pod2', { down: false });
    }
    assert.equal((await top('DELETE', `/v2.0/networks/${net.id}`)).status, 204);
    assert.equal((await pod('Pod2', 'GET', `/v2.0/networks/${bottom.Pod2.net}`)).status, 404);
    assert.equal((await routesOf([net.id])).length, 0);
  });
});
