import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkAll, formatReport, snapshotPods } from '../support/reachability.js';
import { describeEachDatabase } from '../support/databases.js';
import { expectStatus, startRouterEnv, type RouterEnv } from './l3-harness.js';

/**
 * The pods answer one request in ten with a server error while the jobs run: every job is
 * retried until it gets through, and the pods end exactly as without failures (nothing made twice,
 * nothing left behind).
 */
describeEachDatabase('router and floating IP jobs under pod failures', (dialect) => {
  let env: RouterEnv;
  const ids: Record<string, string> = {};
  const vms: Record<string, { id: string; ip: string; portId: string }> = {};
  const faults = async (errorRate: number) => {
    for (const region of ['Pod1', 'Pod2']) await env.cluster.setFaults(region, { errorRate });
  };

  before(async () => {
    env = await startRouterEnv({ dialect, xjob: { max_attempts: 200, retry_backoff_cap: 0.3 } });
    ids.ext = expectStatus(
      await env.top(
        'POST',
        '/networks',
        { network: { name: 'ext', 'router:external': true, 'provider:network_type': 'vlan', 'provider:physical_network': 'extern', availability_zone_hints: ['Pod1'] } },
        'admin',
      ),
      201,
    ).body.network.id;
    expectStatus(await env.top('POST', '/subnets', { subnet: { network_id: ids.ext, ip_version: 4, cidr: '172.24.4.0/24', enable_dhcp: false } }, 'admin'), 201);
    for (const [name, cidr] of [
      ['net1', '10.0.1.0/24'],
      ['net2', '10.0.2.0/24'],
    ]) {
      const net = expectStatus(await env.top('POST', '/networks', { network: { name } }), 201).body.network;
      ids[name] = net.id;
      ids[`${name}Subnet`] = expectStatus(await env.top('POST', '/subnets', { subnet: { network_id: net.id, ip_version: 4, cidr } }), 201).body.subnet.id;
    }
    vms.vm1 = await env.boot('vm1', 'az1', { uuid: ids.net1 });
    vms.vm2 = await env.boot('vm2', 'az2', { uuid: ids.net2 });
    assert.deepEqual(await env.settle(), []);
  });
  after(async () => {
    await env?.close();
  });

  const state = async () =>
    snapshotPods(
      env.cluster.pods.map((p) => ({ region: p.region, neutronUrl: p.neutronUrl })),
      env.tokens.admin,
    );

  test('set up while the pods fail: the same result as without failures', async () => {
    await faults(0.1);
    ids.router = expectStatus(await env.top('POST', '/routers', { router: { name: 'r', external_gateway_info: { network_id: ids.ext } } }), 201).body.router.id;
    for (const s of [ids.net1Subnet, ids.net2Subnet]) expectStatus(await env.top('PUT', `/routers/${ids.router}/add_router_interface`, { subnet_id: s }), 200);
    for (const vm of ['vm1', 'vm2']) {
      ids[`fip-${vm}`] = expectStatus(await env.top('POST', '/floatingips', { floatingip: { floating_network_id: ids.ext, port_id: vms[vm].portId } }), 201).body.floatingip.id;
    }
    const failed = await env.settle(120_000);
    await faults(0);
    assert.deepEqual(failed, []);
    for (const vm of ['vm1', 'vm2']) assert.equal(expectStatus(await env.top('GET', `/floatingips/${ids[`fip-${vm}`]}`), 200).body.floatingip.status, 'ACTIVE');
    const snap = await state();
    const report = checkAll(snap);
    assert.ok(report.ok, formatReport(report));
    for (const pod of snap.pods) {
      assert.equal(pod.routers.length, 1, `one router copy in ${pod.region}`);
      const names = pod.networks.map((n) => n.name);
      assert.equal(new Set(names).size, names.length, `no network copied twice in ${pod.region}`);
      const portNames = pod.ports.map((p) => p.name).filter((n) => n);
      assert.equal(new Set(portNames).size, portNames.length, `no port copied twice in ${pod.region}`);
    }
    assert.equal(snap.pods.find((p) => p.region === 'Pod1')!.floatingips.length, 2);
    assert.equal(snap.pods.find((p) => p.region === 'Pod2')!.floatingips.length, 1);
  });

  test('taken down while the pods fail: nothing left behind', async () => {
    await faults(0.1);
    for (const vm of ['vm1', 'vm2']) expectStatus(await env.top('DELETE', `/floatingips/${ids[`fip-${vm}`]}`), 204);
    for (const s of [ids.net1Subnet, ids.net2Subnet]) expectStatus(await env.top('PUT', `/routers/${ids.router}/remove_router_interface`, { subnet_id: s }), 200);
    expectStatus(await env.top('DELETE', `/routers/${ids.router}`), 204);
    const failed = await env.settle(120_000);
    await faults(0);
    assert.deepEqual(failed, []);
    const snap = await state();
    for (const pod of snap.pods) {
      assert.deepEqual(pod.routers, [], `no router in ${pod.region}`);
      assert.deepEqual(pod.floatingips, [], `no floating IP in ${pod.region}`);
      assert.deepEqual(
        pod.networks.filter((n) => ![ids.net1, ids.net2, ids.ext].includes(n.name ?? '')).map((n) => n.name),
        [],
        `no bridge in ${pod.region}`,
      );
    }
    const left = await env.tc.db.kysely.selectFrom('networks').select('name').where('project_id', '=', '').execute();
    assert.deepEqual(left, []);
  });
});
