import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkAll, formatReport, snapshotPods } from '../support/reachability.js';
import { describeEachDatabase } from '../support/databases.js';
import { expectStatus, startRouterEnv, type RouterEnv } from './l3-harness.js';

/**
 * Reference §8.2 on two simulated pods: a router with a subnet in each pod, a gateway on an external
 * network in Pod1, a floating IP for a VM in Pod1 (same pod) and one for a VM in Pod2 (two hops
 * through the project's bridge network). After the jobs settle, each pod's router has the right
 * interfaces, bridge address and extra routes, and the floating IPs are in the right pods.
 */
describeEachDatabase('router setup across two pods', (dialect) => {
  let env: RouterEnv;
  const ids: Record<string, string> = {};
  const vms: Record<string, { id: string; ip: string; portId: string }> = {};

  before(async () => {
    env = await startRouterEnv({ dialect });
  });
  after(async () => {
    await env?.close();
  });

  const bottomRouter = async (region: string, topId: string) => {
    const list = expectStatus(await env.pod(region, 'GET', `/routers?name=${topId}`), 200).body.routers as any[];
    assert.ok(list.length <= 1, `at most one copy of router ${topId} in ${region}`);
    return list[0];
  };
  const routerPorts = async (region: string, routerId: string) => expectStatus(await env.pod(region, 'GET', `/ports?device_id=${routerId}`), 200).body.ports as any[];
  const subnetCopy = async (region: string, topSubnetId: string) => (expectStatus(await env.pod(region, 'GET', `/subnets?name=${topSubnetId}`), 200).body.subnets as any[])[0];
  const networkCopy = async (region: string, topNetId: string) => (expectStatus(await env.pod(region, 'GET', `/networks?name=${topNetId}`), 200).body.networks as any[])[0];
  const settleClean = async () => assert.deepEqual(await env.settle(), [], 'no job failed');
  const reachability = async () => {
    const snapshot = await snapshotPods(
      env.cluster.pods.map((p) => ({ region: p.region, neutronUrl: p.neutronUrl })),
      env.tokens.admin,
    );
    return checkAll(snapshot);
  };

  test('set up: external network in Pod1, two tenant networks, a router with both and a gateway, a VM in each pod', async () => {
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
    ids.extSubnet = expectStatus(
      await env.top('POST', '/subnets', { subnet: { network_id: ext.id, ip_version: 4, cidr: '172.24.4.0/24', enable_dhcp: false, name: 'ext-sub' } }, 'admin'),
      201,
    ).body.subnet.id;
    for (const [name, cidr] of [
      ['net1', '10.0.1.0/24'],
      ['net2', '10.0.2.0/24'],
    ]) {
      const net = expectStatus(await env.top('POST', '/networks', { network: { name } }), 201).body.network;
      ids[name] = net.id;
      ids[`${name}Subnet`] = expectStatus(await env.top('POST', '/subnets', { subnet: { network_id: net.id, ip_version: 4, cidr, name: `${name}-sub` } }), 201).body.subnet.id;
    }
    ids.router = expectStatus(await env.top('POST', '/routers', { router: { name: 'r1' } }), 201).body.router.id;
    expectStatus(await env.top('PUT', `/routers/${ids.router}/add_router_interface`, { subnet_id: ids.net1Subnet }), 200);
    expectStatus(await env.top('PUT', `/routers/${ids.router}/add_router_interface`, { subnet_id: ids.net2Subnet }), 200);
    expectStatus(await env.top('PUT', `/routers/${ids.router}`, { router: { external_gateway_info: { network_id: ids.ext } } }), 200);
    vms.vm1 = await env.boot('vm1', 'az1', { uuid: ids.net1 });
    vms.vm2 = await env.boot('vm2', 'az2', { uuid: ids.net2 });
    await settleClean();
  });

  test('each pod has one copy of the router with its subnet; Pod1 holds the gateway; both are on the two bridges', async () => {
    const top = expectStatus(await env.top('GET', `/routers/${ids.router}`), 200).body.router;
    assert.deepEqual(top.availability_zones, ['az1', 'az2']);
    const gwIp = top.external_gateway_info.external_fixed_ips[0].ip_address;

    const r1 = await bottomRouter('Pod1', ids.router);
    const r2 = await bottomRouter('Pod2', ids.router);
    assert.ok(r1 && r2, 'a copy in each pod');
    assert.equal(r1.project_id, env.projects.demo);

    // Pod1: the external gateway (SNAT as the top says), with the top's address.
    const ext1 = await networkCopy('Pod1', ids.ext);
    assert.equal(r1.external_gateway_info.network_id, ext1.id);
    assert.equal(r1.external_gateway_info.enable_snat, true);
    assert.deepEqual(
      r1.external_gateway_info.external_fixed_ips.map((f: any) => f.ip_address),
      [gwIp],
    );

    // The bridges: top networks of no project (the tenant does not see them), one VLAN and one CIDR
    // each, the same in both pods; the east-west one internal, the north-south one external there.
    const tenantNets = expectStatus(await env.top('GET', '/networks'), 200).body.networks.map((n: any) => n.id);
    const bridge: Record<string, { net: any; subnet: any; copies: any[]; subnetCopies: any[] }> = {};
    for (const [kind, name] of [
      ['ew', `bridge_net_${env.projects.demo}`],
      ['ns', `ns_bridge_net_${env.projects.demo}`],
    ]) {
      const nets = expectStatus(await env.top('GET', `/networks?name=${name}`, undefined, 'admin'), 200).body.networks;
      assert.equal(nets.length, 1, `one ${name}`);
      const net = nets[0];
      assert.equal(net['provider:network_type'], 'vlan');
      assert.ok(!tenantNets.includes(net.id), 'the tenant does not see its bridge networks');
      const subnet = expectStatus(await env.top('GET', `/subnets?network_id=${net.id}`, undefined, 'admin'), 200).body.subnets[0];
      assert.match(subnet.cidr, /^100\.\d+\.\d+\.0\/24$/);
      const copies = [await networkCopy('Pod1', net.id), await networkCopy('Pod2', net.id)];
      for (const c of copies) {
        assert.equal(c['provider:segmentation_id'], net['provider:segmentation_id']);
        assert.equal(c['provider:physical_network'], net['provider:physical_network']);
        assert.equal(c['router:external'], kind === 'ns');
      }
      const subnetCopies = [await subnetCopy('Pod1', subnet.id), await subnetCopy('Pod2', subnet.id)];
      for (const c of subnetCopies) assert.equal(c.cidr, subnet.cidr);
      bridge[kind] = { net, subnet, copies, subnetCopies };
    }
    assert.notEqual(bridge.ew.net['provider:segmentation_id'], bridge.ns.net['provider:segmentation_id']);
    assert.equal(bridge.ew.subnet.gateway_ip, null);

    // Pod1's copy: interfaces on net1, on the east-west bridge, and on the north-south bridge at its
    // gateway address (the next hop of the other pods' default route).
    const sub1 = await subnetCopy('Pod1', ids.net1Subnet);
    const ifaces1 = (await routerPorts('Pod1', r1.id)).filter((p) => p.device_owner === 'network:router_interface');
    const onSubnet = (ports: any[], subnetId: string) => ports.find((p) => p.fixed_ips[0].subnet_id === subnetId)?.fixed_ips[0].ip_address;
    assert.equal(ifaces1.length, 3);
    assert.ok(onSubnet(ifaces1, sub1.id));
    const ew1 = onSubnet(ifaces1, bridge.ew.subnetCopies[0].id);
    assert.ok(ew1, 'Pod1 copy on the east-west bridge');
    assert.equal(onSubnet(ifaces1, bridge.ns.subnetCopies[0].id), bridge.ns.subnet.gateway_ip);

    // Pod2's copy: interfaces on net2 and the east-west bridge; its gateway on the north-south bridge, SNAT off.
    const sub2 = await subnetCopy('Pod2', ids.net2Subnet);
    const ifaces2 = (await routerPorts('Pod2', r2.id)).filter((p) => p.device_owner === 'network:router_interface');
    assert.equal(ifaces2.length, 2);
    assert.ok(onSubnet(ifaces2, sub2.id));
    const ew2 = onSubnet(ifaces2, bridge.ew.subnetCopies[1].id);
    assert.ok(ew2, 'Pod2 copy on the east-west bridge');
    assert.equal(r2.external_gateway_info.network_id, bridge.ns.copies[1].id);
    assert.equal(r2.external_gateway_info.enable_snat, false);
    const ns2 = r2.external_gateway_info.external_fixed_ips[0].ip_address;
    const topBridgeIps = async (netId: string) =>
      (expectStatus(await env.top('GET', `/ports?network_id=${netId}`, undefined, 'admin'), 200).body.ports as any[]).map((p) => p.fixed_ips[0].ip_address);
    assert.ok((await topBridgeIps(bridge.ns.net.id)).includes(ns2), 'the top IPAM holds the north-south address of Pod2 copy');
    const ewIps = await topBridgeIps(bridge.ew.net.id);
    assert.ok(ewIps.includes(ew1) && ewIps.includes(ew2), 'the top IPAM holds the east-west addresses');

    // Extra routes, both ways, over the east-west bridge; no route for a local subnet; Pod2's default
    // route comes from the north-south subnet's gateway.
    assert.deepEqual(r1.routes, [{ destination: '10.0.2.0/24', nexthop: ew2 }]);
    assert.deepEqual(r2.routes, [{ destination: '10.0.1.0/24', nexthop: ew1 }]);

    const report = await reachability();
    assert.ok(report.ok, formatReport(report));
  });

  test('floating IPs: same pod in Pod1, two hops for the VM in Pod2; both ACTIVE', async () => {
    const fip1 = expectStatus(await env.top('POST', '/floatingips', { floatingip: { floating_network_id: ids.ext, port_id: vms.vm1.portId } }), 201).body.floatingip;
    const fip2 = expectStatus(await env.top('POST', '/floatingips', { floatingip: { floating_network_id: ids.ext, port_id: vms.vm2.portId } }), 201).body.floatingip;
    ids.fip1 = fip1.id;
    ids.fip2 = fip2.id;
    await settleClean();
    for (const id of [fip1.id, fip2.id]) assert.equal(expectStatus(await env.top('GET', `/floatingips/${id}`), 200).body.floatingip.status, 'ACTIVE');

    const ext1 = await networkCopy('Pod1', ids.ext);
    const fips1 = expectStatus(await env.pod('Pod1', 'GET', '/floatingips'), 200).body.floatingips as any[];
    const fips2 = expectStatus(await env.pod('Pod2', 'GET', '/floatingips'), 200).body.floatingips as any[];
    const vm1Copy = (expectStatus(await env.pod('Pod1', 'GET', `/ports?name=${vms.vm1.portId}`), 200).body.ports as any[])[0];
    const vm2Copy = (expectStatus(await env.pod('Pod2', 'GET', `/ports?name=${vms.vm2.portId}`), 200).body.ports as any[])[0];

    const same = fips1.find((f) => f.floating_ip_address === fip1.floating_ip_address);
    assert.ok(same, 'fip1 in Pod1');
    assert.equal(same.floating_network_id, ext1.id);
    assert.equal(same.port_id, vm1Copy.id);
    assert.equal(same.fixed_ip_address, vms.vm1.ip);

    const outer = fips1.find((f) => f.floating_ip_address === fip2.floating_ip_address);
    assert.ok(outer, 'fip2 has its real address in Pod1 (the external pod)');
    assert.equal(outer.floating_network_id, ext1.id);
    const inner = fips2.find((f) => f.floating_ip_address === outer.fixed_ip_address);
    assert.ok(inner, 'Pod2 has a floating IP on the north-south bridge with the inner address');
    const ns2 = await networkCopy(
      'Pod2',
      (expectStatus(await env.top('GET', `/networks?name=ns_bridge_net_${env.projects.demo}`, undefined, 'admin'), 200).body.networks as any[])[0].id,
    );
    assert.equal(inner.floating_network_id, ns2.id);
    assert.equal(inner.port_id, vm2Copy.id);
    assert.equal(inner.fixed_ip_address, vms.vm2.ip);
    assert.equal(fips2.length, 1, 'nothing else in Pod2');
    assert.equal(fips1.length, 2);

    const report = await reachability();
    assert.ok(report.ok, formatReport(report));
    assert.equal(report.fips.filter((f) => f.outer && f.associated && f.result?.ok).length, 2, 'the outside reaches both floating IPs');
  });

  test('running the jobs again changes nothing in the pods', async () => {
    const before = await reachabilityState();
    for (const [type, id] of [
      ['router_setup', ids.router],
      ['fip_setup', ids.fip1],
      ['fip_setup', ids.fip2],
    ]) {
      await env.tc.core.jobs.submit({ type: type!, projectId: env.projects.demo, resourceId: id });
    }
    await settleClean();
    assert.deepEqual(await reachabilityState(), before);
  });

  async function reachabilityState() {
    const snap = await snapshotPods(
      env.cluster.pods.map((p) => ({ region: p.region, neutronUrl: p.neutronUrl })),
      env.tokens.admin,
    );
    const strip = (o: any) => {
      const { updated_at: _u, revision_number: _r, created_at: _c, status: _s, ...rest } = o;
      return rest;
    };
    return snap.pods.map((p) => ({
      region: p.region,
      networks: p.networks.map(strip).sort((a: any, b: any) => a.id.localeCompare(b.id)),
      subnets: p.subnets.map(strip).sort((a: any, b: any) => a.id.localeCompare(b.id)),
      ports: p.ports.map(strip).sort((a: any, b: any) => a.id.localeCompare(b.id)),
      routers: p.routers.map(strip).sort((a: any, b: any) => a.id.localeCompare(b.id)),
      floatingips: p.floatingips.map(strip).sort((a: any, b: any) => String(a.id).localeCompare(String(b.id))),
    }));
  }

  test('taking everything down removes the copies, the bridge and its routing rows', async () => {
    for (const id of [ids.fip1, ids.fip2]) expectStatus(await env.top('DELETE', `/floatingips/${id}`), 204);
    await settleClean();
    for (const region of ['Pod1', 'Pod2']) assert.deepEqual(expectStatus(await env.pod(region, 'GET', '/floatingips'), 200).body.floatingips, []);
    await env.deleteServer(vms.vm1.id);
    await env.deleteServer(vms.vm2.id);
    expectStatus(await env.top('PUT', `/routers/${ids.router}/remove_router_interface`, { subnet_id: ids.net1Subnet }), 200);
    expectStatus(await env.top('PUT', `/routers/${ids.router}/remove_router_interface`, { subnet_id: ids.net2Subnet }), 200);
    expectStatus(await env.top('DELETE', `/routers/${ids.router}`), 204);
    await settleClean();
    const tenantAndExternal = new Set([ids.net1, ids.net2, ids.ext]);
    for (const region of ['Pod1', 'Pod2']) {
      assert.equal(await bottomRouter(region, ids.router), undefined, `no router copy in ${region}`);
      const nets = expectStatus(await env.pod(region, 'GET', '/networks'), 200).body.networks as any[];
      assert.deepEqual(
        nets.filter((n) => !tenantAndExternal.has(n.name)).map((n) => n.name),
        [],
        `no bridge copy in ${region}`,
      );
    }
    for (const name of [`bridge_net_${env.projects.demo}`, `ns_bridge_net_${env.projects.demo}`]) {
      const bridges = expectStatus(await env.top('GET', `/networks?name=${name}`, undefined, 'admin'), 200).body.networks;
      assert.deepEqual(bridges, [], `${name} is gone with the last router`);
    }
    const rows = await env.tc.db.kysely.selectFrom('resource_routings').select(['resource_type', 'top_id']).where('resource_type', 'in', ['router', 'floatingip']).execute();
    assert.deepEqual(rows, []);
    const reservedLeft = await env.tc.db.kysely.selectFrom('ports').select('reserved_for').where('reserved_for', 'like', '%bridge%').execute();
    assert.deepEqual(reservedLeft, []);
  });
});
