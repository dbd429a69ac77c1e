import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkAll, formatReport, pairResult, snapshotPods } from '../support/reachability.js';
import { describeEachDatabase } from '../support/databases.js';
import { expectStatus, startRouterEnv, type RouterEnv } from './l3-harness.js';

/**
 * Two routers of one project, each spanning both pods with a gateway on the same external network:
 * they share the project's bridges (one VLAN each) at addresses of their own, each has its own
 * north-south subnet (so each pod's copy leaves through its own router's external copy, and the
 * external pod knows which router a floating IP belongs to); an interface added by port keeps its
 * address in the pod.
 */
describeEachDatabase('two routers of one project', (dialect) => {
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
      ['net4', '10.0.4.0/24'],
    ]) {
      const net = expectStatus(await env.top('POST', '/networks', { network: { name } }), 201).body.network;
      ids[name] = net.id;
      ids[`${name}Subnet`] = expectStatus(await env.top('POST', '/subnets', { subnet: { network_id: net.id, ip_version: 4, cidr } }), 201).body.subnet.id;
    }
    for (const r of ['r1', 'r2']) {
      ids[r] = expectStatus(await env.top('POST', '/routers', { router: { name: r, external_gateway_info: { network_id: ids.ext } } }), 201).body.router.id;
    }
    expectStatus(await env.top('PUT', `/routers/${ids.r1}/add_router_interface`, { subnet_id: ids.net1Subnet }), 200);
    expectStatus(await env.top('PUT', `/routers/${ids.r1}/add_router_interface`, { subnet_id: ids.net2Subnet }), 200);
    expectStatus(await env.top('PUT', `/routers/${ids.r2}/add_router_interface`, { subnet_id: ids.net3Subnet }), 200);
    // r2 on net4 by a port of the user's at another address than the subnet's gateway.
    const p4 = expectStatus(await env.top('POST', '/ports', { port: { network_id: ids.net4, fixed_ips: [{ subnet_id: ids.net4Subnet, ip_address: '10.0.4.77' }] } }), 201).body
      .port;
    ids.r2Port4 = p4.id;
    expectStatus(await env.top('PUT', `/routers/${ids.r2}/add_router_interface`, { port_id: p4.id }), 200);
    vms.vm1 = await env.boot('vm1', 'az1', { uuid: ids.net1 });
    vms.vm2 = await env.boot('vm2', 'az2', { uuid: ids.net2 });
    vms.vm3 = await env.boot('vm3', 'az1', { uuid: ids.net3 });
    vms.vm4 = await env.boot('vm4', 'az2', { uuid: ids.net4 });
    for (const vm of ['vm2', 'vm4']) {
      ids[`fip-${vm}`] = expectStatus(await env.top('POST', '/floatingips', { floatingip: { floating_network_id: ids.ext, port_id: vms[vm].portId } }), 201).body.floatingip.id;
    }
    assert.deepEqual(await env.settle(), [], 'no job failed');
  });
  after(async () => {
    await env?.close();
  });

  const copyOf = async (region: string, routerId: string) => (expectStatus(await env.pod(region, 'GET', `/routers?name=${routerId}`), 200).body.routers as any[])[0];

  test('one bridge of each kind for the project; one north-south subnet per router, in both pods', async () => {
    const ew = (expectStatus(await env.top('GET', `/networks?name=bridge_net_${env.projects.demo}`, undefined, 'admin'), 200).body.networks as any[])[0];
    const ns = (expectStatus(await env.top('GET', `/networks?name=ns_bridge_net_${env.projects.demo}`, undefined, 'admin'), 200).body.networks as any[])[0];
    const ewSubnets = expectStatus(await env.top('GET', `/subnets?network_id=${ew.id}`, undefined, 'admin'), 200).body.subnets as any[];
    const nsSubnets = expectStatus(await env.top('GET', `/subnets?network_id=${ns.id}`, undefined, 'admin'), 200).body.subnets as any[];
    assert.equal(ewSubnets.length, 1);
    assert.deepEqual(nsSubnets.map((s) => s.name).sort(), [`ns_bridge_subnet_${ids.r1}`, `ns_bridge_subnet_${ids.r2}`].sort());
    for (const region of ['Pod1', 'Pod2']) {
      const nsCopy = (expectStatus(await env.pod(region, 'GET', `/networks?name=${ns.id}`), 200).body.networks as any[])[0];
      const copies = expectStatus(await env.pod(region, 'GET', `/subnets?network_id=${nsCopy.id}`), 200).body.subnets as any[];
      assert.deepEqual(copies.map((s) => s.cidr).sort(), nsSubnets.map((s) => s.cidr).sort(), `${region} shows every north-south subnet`);
    }
    // Each router's external copy holds its own subnet's gateway; its Pod2 copy has its gateway on that subnet.
    for (const r of ['r1', 'r2']) {
      const sub = nsSubnets.find((s) => s.name === `ns_bridge_subnet_${ids[r]}`);
      const pod1 = await copyOf('Pod1', ids[r]);
      const ports = expectStatus(await env.pod('Pod1', 'GET', `/ports?device_id=${pod1.id}`), 200).body.ports as any[];
      assert.ok(
        ports.some((p) => p.fixed_ips.some((f: any) => f.ip_address === sub.gateway_ip)),
        `${r} holds ${sub.gateway_ip} in Pod1`,
      );
      const pod2 = await copyOf('Pod2', ids[r]);
      const gwIp = pod2.external_gateway_info.external_fixed_ips[0].ip_address as string;
      assert.ok(gwIp.startsWith(sub.cidr.split('.').slice(0, 3).join('.')), `${r} Pod2 gateway ${gwIp} is on ${sub.cidr}`);
    }
  });

  test('an interface added by port is copied with its address, in the pod that holds its network', async () => {
    const pod2 = await copyOf('Pod2', ids.r2);
    const copies = expectStatus(await env.pod('Pod2', 'GET', `/ports?name=${ids.r2Port4}`), 200).body.ports as any[];
    assert.equal(copies.length, 1);
    assert.equal(copies[0].device_id, pod2.id);
    assert.equal(copies[0].fixed_ips[0].ip_address, '10.0.4.77');
    const pod1 = await copyOf('Pod1', ids.r2);
    assert.ok(
      (pod1.routes as any[]).some((r) => r.destination === '10.0.4.0/24'),
      'Pod1 copy routes net4 over the bridge',
    );
  });

  test('each router carries its own traffic; both floating IPs work from outside', async () => {
    for (const id of [ids['fip-vm2'], ids['fip-vm4']]) assert.equal(expectStatus(await env.top('GET', `/floatingips/${id}`), 200).body.floatingip.status, 'ACTIVE');
    const report = checkAll(
      await snapshotPods(
        env.cluster.pods.map((p) => ({ region: p.region, neutronUrl: p.neutronUrl })),
        env.tokens.admin,
      ),
    );
    const text = formatReport(report);
    assert.ok(pairResult(report, vms.vm1.ip, vms.vm2.ip).ok, text);
    assert.ok(pairResult(report, vms.vm2.ip, vms.vm1.ip).ok, text);
    assert.deepEqual(
      report.issues.filter((i) => i.severity === 'error' && i.code !== 'gateway-unanswered'),
      [],
      'no error but net4 (attached on .77, its VMs point at .1)',
    );
    const outer = report.fips.filter((f) => f.outer && f.associated);
    assert.equal(outer.length, 2);
    const fip2 = outer.find((f) => f.fixedIp !== null && report.fips.some((i) => !i.outer && i.address === f.fixedIp && i.fixedIp === vms.vm2.ip));
    assert.ok(fip2?.result?.ok, text);
  });
});
