import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkAll, formatReport, snapshotPods } from '../support/reachability.js';
import { describeEachDatabase } from '../support/databases.js';
import { expectStatus, startRouterEnv, type RouterEnv } from './l3-harness.js';

/**
 * A router's life: a floating IP associated before its VM boots, moved between pods, disassociated;
 * an interface removed and added again; a network spanning both pods; the gateway removed.
 */
describeEachDatabase('router and floating IP lifecycle', (dialect) => {
  let env: RouterEnv;
  const ids: Record<string, string> = {};
  const vms: Record<string, { id: string; ip: string; portId: string }> = {};

  before(async () => {
    env = await startRouterEnv({ dialect });
    const ext = expectStatus(
      await env.top(
        'POST',
        '/networks',
        { network: { name: 'ext', 'router:external': true, 'provider:network_type': 'vlan', 'provider:physical_network': 'extern', availability_zone_hints: ['Pod1'] } },
        'admin',
      ),
      201,
    ).body.network;
    ids.ext = ext.id;
    expectStatus(await env.top('POST', '/subnets', { subnet: { network_id: ext.id, ip_version: 4, cidr: '172.24.4.0/24', enable_dhcp: false } }, 'admin'), 201);
    for (const [name, cidr] of [
      ['net1', '10.0.1.0/24'],
      ['net2', '10.0.2.0/24'],
      ['net3', '10.0.3.0/24'],
    ]) {
      const net = expectStatus(await env.top('POST', '/networks', { network: { name } }), 201).body.network;
      ids[name] = net.id;
      ids[`${name}Subnet`] = expectStatus(await env.top('POST', '/subnets', { subnet: { network_id: net.id, ip_version: 4, cidr } }), 201).body.subnet.id;
    }
    ids.router = expectStatus(await env.top('POST', '/routers', { router: { name: 'r', external_gateway_info: { network_id: ids.ext } } }), 201).body.router.id;
    for (const s of [ids.net1Subnet, ids.net2Subnet]) expectStatus(await env.top('PUT', `/routers/${ids.router}/add_router_interface`, { subnet_id: s }), 200);
  });
  after(async () => {
    await env?.close();
  });

  const settled = async () => assert.deepEqual(await env.settle(), [], 'no job failed');
  const fips = async (region: string) => expectStatus(await env.pod(region, 'GET', '/floatingips'), 200).body.floatingips as any[];
  const fipStatus = async (id: string) => expectStatus(await env.top('GET', `/floatingips/${id}`), 200).body.floatingip.status;
  const bottomRouter = async (region: string) => (expectStatus(await env.pod(region, 'GET', `/routers?name=${ids.router}`), 200).body.routers as any[])[0];
  const reachable = async () => {
    const report = checkAll(
      await snapshotPods(
        env.cluster.pods.map((p) => ({ region: p.region, neutronUrl: p.neutronUrl })),
        env.tokens.admin,
      ),
    );
    assert.ok(report.ok, formatReport(report));
    return report;
  };
  const bridgeNames = () => [`bridge_net_${env.projects.demo}`, `ns_bridge_net_${env.projects.demo}`];
  const topBridges = async () => {
    const out: string[] = [];
    for (const name of bridgeNames()) if ((expectStatus(await env.top('GET', `/networks?name=${name}`, undefined, 'admin'), 200).body.networks as any[]).length) out.push(name);
    return out;
  };

  test('a floating IP associated before its VM boots stays DOWN with nothing in the pods, then goes ACTIVE', async () => {
    const port = expectStatus(await env.top('POST', '/ports', { port: { network_id: ids.net2, name: 'p2' } }), 201).body.port;
    ids.port2 = port.id;
    const fip = expectStatus(await env.top('POST', '/floatingips', { floatingip: { floating_network_id: ids.ext, port_id: port.id } }), 201).body.floatingip;
    ids.fip = fip.id;
    ids.fipAddress = fip.floating_ip_address;
    await settled();
    assert.equal(await fipStatus(fip.id), 'DOWN');
    assert.deepEqual(await fips('Pod1'), []);
    assert.deepEqual(await fips('Pod2'), []);

    vms.vm2 = await env.boot('vm2', 'az2', { port: port.id });
    await settled();
    assert.equal(await fipStatus(fip.id), 'ACTIVE');
    assert.equal((await fips('Pod1')).length, 1, 'the outer hop in Pod1');
    assert.equal((await fips('Pod2')).length, 1, 'the inner hop in Pod2');
    assert.equal((await fips('Pod1'))[0].floating_ip_address, fip.floating_ip_address);
    await reachable();
  });

  test('moving the floating IP to a VM in the external pod leaves one same-pod copy and frees the inner address', async () => {
    vms.vm1 = await env.boot('vm1', 'az1', { uuid: ids.net1 });
    expectStatus(await env.top('PUT', `/floatingips/${ids.fip}`, { floatingip: { port_id: vms.vm1.portId } }), 200);
    await settled();
    assert.equal(await fipStatus(ids.fip), 'ACTIVE');
    const p1 = await fips('Pod1');
    assert.equal(p1.length, 1);
    assert.equal(p1[0].floating_ip_address, ids.fipAddress);
    assert.equal(p1[0].fixed_ip_address, vms.vm1.ip);
    assert.deepEqual(await fips('Pod2'), []);
    const left = await env.tc.db.kysely.selectFrom('ports').select('id').where('reserved_for', '=', `ns-bridge-fip:${ids.fip}`).execute();
    assert.deepEqual(left, []);
    await reachable();
  });

  test('disassociating removes the copies; the floating IP is DOWN', async () => {
    expectStatus(await env.top('PUT', `/floatingips/${ids.fip}`, { floatingip: { port_id: null } }), 200);
    await settled();
    assert.equal(await fipStatus(ids.fip), 'DOWN');
    assert.deepEqual(await fips('Pod1'), []);
    assert.deepEqual(await fips('Pod2'), []);
  });

  test('removing the only interface in Pod2 takes the copy out of Pod2 and the bridges with it; adding it back restores them', async () => {
    expectStatus(await env.top('PUT', `/routers/${ids.router}/remove_router_interface`, { subnet_id: ids.net2Subnet }), 200);
    await settled();
    assert.equal(await bottomRouter('Pod2'), undefined);
    const r1 = await bottomRouter('Pod1');
    assert.deepEqual(r1.routes, []);
    const ifaces = (expectStatus(await env.pod('Pod1', 'GET', `/ports?device_id=${r1.id}&device_owner=network:router_interface`), 200).body.ports as any[]).length;
    assert.equal(ifaces, 1, 'only net1 is left on the Pod1 copy');
    assert.deepEqual(await topBridges(), [], 'a router in one pod needs no bridge');

    expectStatus(await env.top('PUT', `/routers/${ids.router}/add_router_interface`, { subnet_id: ids.net2Subnet }), 200);
    await settled();
    assert.ok(await bottomRouter('Pod2'));
    assert.deepEqual(await topBridges(), bridgeNames());
    const report = await reachable();
    assert.equal(report.pairs.filter((p) => p.result.ok).length, 2);
  });

  test('a network spanning both pods is attached in each pod on its own gateway and not routed over the bridge', async () => {
    expectStatus(await env.top('PUT', `/routers/${ids.router}/add_router_interface`, { subnet_id: ids.net3Subnet }), 200);
    vms.vm3a = await env.boot('vm3a', 'az1', { uuid: ids.net3 });
    vms.vm3b = await env.boot('vm3b', 'az2', { uuid: ids.net3 });
    await settled();
    const gateways: string[] = [];
    for (const region of ['Pod1', 'Pod2']) {
      const r = await bottomRouter(region);
      const sub3 = (expectStatus(await env.pod(region, 'GET', `/subnets?name=${ids.net3Subnet}`), 200).body.subnets as any[])[0];
      const onNet3 = (expectStatus(await env.pod(region, 'GET', `/ports?device_id=${r.id}`), 200).body.ports as any[]).filter((p) =>
        p.fixed_ips.some((f: any) => f.subnet_id === sub3.id),
      );
      assert.equal(onNet3.length, 1, `${region} copy is on net3`);
      assert.equal(onNet3[0].fixed_ips[0].ip_address, sub3.gateway_ip, 'on the pod copy gateway');
      gateways.push(sub3.gateway_ip);
      assert.ok(!(r.routes as any[]).some((x) => x.destination === '10.0.3.0/24'), `${region} does not route net3 over the bridge`);
    }
    assert.notEqual(gateways[0], gateways[1], 'each pod has its own gateway on the shared VLAN');
    const report = await reachable();
    assert.ok(report.pairs.length >= 12);
  });

  test('removing the gateway drops the north-south bridge; east-west stays', async () => {
    expectStatus(await env.top('DELETE', `/floatingips/${ids.fip}`), 204);
    expectStatus(await env.top('PUT', `/routers/${ids.router}`, { router: { external_gateway_info: null } }), 200);
    await settled();
    assert.equal((await bottomRouter('Pod1')).external_gateway_info, null);
    assert.equal((await bottomRouter('Pod2')).external_gateway_info, null);
    assert.deepEqual(await topBridges(), [`bridge_net_${env.projects.demo}`]);
    await reachable();
  });

  test('deleting the router (after its interfaces) removes every copy and the bridges', async () => {
    for (const s of [ids.net1Subnet, ids.net2Subnet, ids.net3Subnet]) expectStatus(await env.top('PUT', `/routers/${ids.router}/remove_router_interface`, { subnet_id: s }), 200);
    expectStatus(await env.top('DELETE', `/routers/${ids.router}`), 204);
    await settled();
    assert.equal(await bottomRouter('Pod1'), undefined);
    assert.equal(await bottomRouter('Pod2'), undefined);
    assert.deepEqual(await topBridges(), []);
    const rows = await env.tc.db.kysely.selectFrom('resource_routings').select('resource_type').where('resource_type', 'in', ['router', 'floatingip']).execute();
    assert.deepEqual(rows, []);
  });
});
