import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDatabase } from '../support/databases.js';
import { expectStatus, startRouterEnv, type RouterEnv } from './l3-harness.js';

/**
 * Issue 12 item 5: a router with subnet S1 of network N; a second subnet S2 on N is added to the router
 * and removed again. No interface on S2 stays, at the top or in the pod; what the pod's copy of S2
 * needs (its gateway reservation, a DHCP address) is named for what it is and goes with S2; a
 * reconcile changes nothing.
 */
describeEachDatabase('a second subnet of a network on a router, added and removed', (dialect) => {
  let env: RouterEnv;
  const ids: Record<string, string> = {};

  before(async () => {
    env = await startRouterEnv({ dialect });
    ids.net = expectStatus(await env.top('POST', '/networks', { network: { name: 'n' } }), 201).body.network.id;
    ids.s1 = expectStatus(await env.top('POST', '/subnets', { subnet: { network_id: ids.net, ip_version: 4, cidr: '10.0.1.0/24' } }), 201).body.subnet.id;
    await env.boot('vm1', 'az1', { uuid: ids.net });
    ids.router = expectStatus(await env.top('POST', '/routers', { router: { name: 'r' } }), 201).body.router.id;
    expectStatus(await env.top('PUT', `/routers/${ids.router}/add_router_interface`, { subnet_id: ids.s1 }), 200);
    assert.deepEqual(await env.settle(), []);
  });
  after(async () => {
    await env?.close();
  });

  type Port = { device_owner: string; device_id: string; fixed_ips: { ip_address: string }[] };

  /** Every port of N at the top and in Pod1 (owner, device, addresses), the router copy's id written as such. */
  const portsOfN = async () => {
    const bottomRouter = (expectStatus(await env.pod('Pod1', 'GET', `/routers?name=${ids.router}`), 200).body.routers as { id: string }[])[0];
    assert.ok(bottomRouter, 'the router has a copy in Pod1');
    const bottomNet = (expectStatus(await env.pod('Pod1', 'GET', `/networks?name=${ids.net}`), 200).body.networks as { id: string }[])[0];
    const show = (ports: Port[]) =>
      ports
        .map((p) => `${p.device_owner}@${p.device_id.replace(bottomRouter.id, 'router').replace(ids.router, 'router') || '-'}:${p.fixed_ips.map((f) => f.ip_address).join('+')}`)
        .sort();
    return {
      top: show(expectStatus(await env.top('GET', `/ports?network_id=${ids.net}`), 200).body.ports),
      pod: show(expectStatus(await env.pod('Pod1', 'GET', `/ports?network_id=${bottomNet.id}`), 200).body.ports),
    };
  };
  let beforeS2: Awaited<ReturnType<typeof portsOfN>>;
  let afterRemoval: Awaited<ReturnType<typeof portsOfN>>;

  test('S2 added to the router and removed: the ports of N at the top and in the pod are as before', async () => {
    ids.s2 = expectStatus(await env.top('POST', '/subnets', { subnet: { network_id: ids.net, ip_version: 4, cidr: '10.0.2.0/24' } }), 201).body.subnet.id;
    assert.deepEqual(await env.settle(), []);
    beforeS2 = await portsOfN();
    expectStatus(await env.top('PUT', `/routers/${ids.router}/add_router_interface`, { subnet_id: ids.s2 }), 200);
    assert.deepEqual(await env.settle(), []);
    const attached = await portsOfN();
    assert.ok(attached.top.includes('network:router_interface@router:10.0.2.1'), `S2's interface at the top: ${attached.top.join(' ')}`);
    expectStatus(await env.top('PUT', `/routers/${ids.router}/remove_router_interface`, { subnet_id: ids.s2 }), 200);
    assert.deepEqual(await env.settle(), []);
    afterRemoval = await portsOfN();
    // Pod1 now holds a copy of S2 (the router needed one): its DHCP address and its gateway reservation
    // stay with it, the reservation named for what it is; no interface on S2 is left, anywhere.
    assert.deepEqual(
      afterRemoval.top.filter((p) => !beforeS2.top.includes(p)).map((p) => p.replace(/:10\.0\.2\.\d+$/, ':S2').replace(/\+10\.0\.2\.\d+$/, '+S2')),
      ['network:router_interface@reserved_gateway_port:S2', ...beforeS2.top.filter((p) => p.startsWith('network:dhcp')).map((p) => `${p}+S2`)].sort(),
    );
    for (const where of ['top', 'pod'] as const) {
      assert.deepEqual(
        afterRemoval[where].filter((p) => p.startsWith('network:router_interface@router:')),
        beforeS2[where].filter((p) => p.startsWith('network:router_interface@router:')),
        `${where}: the router's interfaces are S1's only`,
      );
      assert.deepEqual(
        afterRemoval[where].filter((p) => p.startsWith('network:router_interface@-')),
        [],
        `${where}: no router interface port without a device`,
      );
    }
    // The reservation is nobody's to attach.
    const reservation = (
      expectStatus(await env.top('GET', `/ports?network_id=${ids.net}&device_id=reserved_gateway_port`), 200).body.ports as { id: string; fixed_ips: { subnet_id: string }[] }[]
    ).find((p) => p.fixed_ips.some((f) => f.subnet_id === ids.s2));
    assert.ok(reservation, 'the pod gateway reservation on S2');
    expectStatus(await env.top('PUT', `/routers/${ids.router}/add_router_interface`, { port_id: reservation.id }), 409);
  });

  test('a reconcile afterwards changes nothing', async () => {
    await env.tc.core.jobs.submit({ type: 'reconcile', projectId: 'all', resource: { project_id: 'all' } });
    assert.deepEqual(await env.settle(), []);
    assert.deepEqual(await portsOfN(), afterRemoval);
  });

  test('the subnet S2 can be deleted (no port holds it)', async () => {
    expectStatus(await env.top('DELETE', `/subnets/${ids.s2}`), 204);
    assert.deepEqual(await env.settle(), []);
    const after = await portsOfN();
    assert.ok(!after.top.some((p) => p.includes(':10.0.2.')), `no port left on S2 at the top: ${after.top.join(' ')}`);
    assert.ok(!after.pod.some((p) => p.includes(':10.0.2.')), `no port left on S2 in Pod1: ${after.pod.join(' ')}`);
  });
});
