import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDatabase } from '../support/databases.js';
import { assertSampleShape } from '../support/shapes.js';
import { ADMIN, ALICE, BOB, neutronError, startNeutron, type NeutronHarness } from './support.js';

/** Attributes of upstream extensions Tricircle does not offer (DNS, QoS, port forwarding). */
const FIP_OPTIONAL = ['dns_domain', 'dns_name', 'qos_policy_id', 'qos_network_policy_id', 'port_forwardings'];
const one = (prefix: string) => FIP_OPTIONAL.map((k) => `${prefix}.${k}`);
const UNKNOWN = '4e8e5957-649f-477b-9e5b-f1f75b21c03c';

describeEachDatabase('top Neutron: floating IPs', (dialect) => {
  let h: NeutronHarness;
  let ext: string;
  let extSubnet: string;
  let net1: string;
  let sub1: string;
  let net2: string;
  let sub2: string;
  let routerId: string;
  let vm1: { id: string; ip: string };
  let vm2: { id: string; ip: string };

  const fipJobs = (id: string) => h.tc.db.kysely.selectFrom('async_jobs').selectAll().where('type', '=', 'fip_setup').where('resource_id', '=', id).execute();
  const createFip = async (body: Record<string, unknown>, who = ALICE) => {
    const res = await h.call('POST', '/v2.0/floatingips', { floatingip: { floating_network_id: ext, ...body } }, who);
    assert.equal(res.status, 201, res.text);
    return res.body.floatingip;
  };
  const vmPort = async (networkId: string, who = ALICE) => {
    const p = (await h.call('POST', '/v2.0/ports', { port: { network_id: networkId, device_owner: 'compute:az1', device_id: 'vm' } }, who)).body.port;
    return { id: p.id as string, ip: p.fixed_ips[0].ip_address as string };
  };

  before(async () => {
    h = await startNeutron(dialect);
    await h.addPods({ Pod1: 'az1', Pod2: 'az2' });
    ext = (await h.call('POST', '/v2.0/networks', { network: { name: 'ext-net', 'router:external': true, availability_zone_hints: ['Pod2'] } })).body.network.id;
    extSubnet = (
      await h.call('POST', '/v2.0/subnets', {
        subnet: { network_id: ext, name: 'ext-subnet', ip_version: 4, cidr: '172.24.4.0/24', enable_dhcp: false, allocation_pools: [{ start: '172.24.4.10', end: '172.24.4.99' }] },
      })
    ).body.subnet.id;
    net1 = (await h.call('POST', '/v2.0/networks', { network: { name: 'net1' } }, ALICE)).body.network.id;
    sub1 = (await h.call('POST', '/v2.0/subnets', { subnet: { network_id: net1, ip_version: 4, cidr: '10.0.1.0/24' } }, ALICE)).body.subnet.id;
    net2 = (await h.call('POST', '/v2.0/networks', { network: { name: 'net2' } }, ALICE)).body.network.id;
    sub2 = (await h.call('POST', '/v2.0/subnets', { subnet: { network_id: net2, ip_version: 4, cidr: '10.0.2.0/24' } }, ALICE)).body.subnet.id;
    routerId = (await h.call('POST', '/v2.0/routers', { router: { name: 'r', external_gateway_info: { network_id: ext } } }, ALICE)).body.router.id;
    assert.equal((await h.call('PUT', `/v2.0/routers/${routerId}/add_router_interface`, { subnet_id: sub1 }, ALICE)).status, 200);
    vm1 = await vmPort(net1);
    vm2 = await vmPort(net2);
  });
  after(async () => h?.close());

  describe('create', () => {
    test('an allocated address, DOWN, unassociated, on its own network:floatingip port', async () => {
      const res = await h.call('POST', '/v2.0/floatingips', { floatingip: { floating_network_id: ext, description: 'for test' } }, ALICE);
      assert.equal(res.status, 201, res.text);
      assertSampleShape(res.body, 'neutron', 'floatingips/floatingip-create-response.json', one('floatingip'));
      const f = res.body.floatingip;
      assert.match(f.floating_ip_address, /^172\.24\.4\.\d+$/);
      assert.equal(f.status, 'DOWN');
      assert.equal(f.port_id, null);
      assert.equal(f.fixed_ip_address, null);
      assert.equal(f.router_id, null);
      assert.equal(f.port_details, null);
      assert.equal(f.project_id, 'p-alice');
      assert.equal(f.description, 'for test');
      const port = (await h.call('GET', `/v2.0/ports?device_id=${f.id}`, undefined, ADMIN)).body.ports[0];
      assert.equal(port.device_owner, 'network:floatingip');
      assert.equal(port.network_id, ext);
      assert.deepEqual(port.fixed_ips, [{ subnet_id: extSubnet, ip_address: f.floating_ip_address }]);
      assert.deepEqual(await fipJobs(f.id), [], 'an unassociated floating IP needs nothing in the pods');
      const shown = await h.call('GET', `/v2.0/floatingips/${f.id}`, undefined, ALICE);
      assert.deepEqual(shown.body.floatingip, f);
      neutronError(await h.call('DELETE', `/v2.0/ports/${port.id}`, undefined, ADMIN), 409, 'ServicePortInUse');
      assert.equal((await h.call('DELETE', `/v2.0/floatingips/${f.id}`, undefined, ALICE)).status, 204);
      neutronError(await h.call('GET', `/v2.0/ports/${port.id}`, undefined, ADMIN), 404, 'PortNotFound');
      assert.equal((await fipJobs(f.id)).length, 1, 'a delete always asks the pods to follow');
    });

    test('a given address (admin only), a given subnet, and the errors of upstream', async () => {
      const denied = neutronError(await h.call('POST', '/v2.0/floatingips', { floatingip: { floating_network_id: ext, floating_ip_address: '172.24.4.228' } }, ALICE), 403);
      assert.equal(denied.message, '(rule:create_floatingip and rule:create_floatingip:floating_ip_address) is disallowed by policy');
      const f = await createFip({ floating_ip_address: '172.24.4.99', project_id: 'p-alice' }, ADMIN);
      assert.equal(f.floating_ip_address, '172.24.4.99');
      assert.equal(f.project_id, 'p-alice');
      neutronError(
        await h.call('POST', '/v2.0/floatingips', { floatingip: { floating_network_id: ext, floating_ip_address: '172.24.4.99' } }, ADMIN),
        409,
        'IpAddressAlreadyAllocated',
      );
      neutronError(await h.call('POST', '/v2.0/floatingips', { floatingip: { floating_network_id: ext, floating_ip_address: '10.1.1.1' } }, ADMIN), 400, 'InvalidIpForNetwork');
      const bySubnet = await createFip({ subnet_id: extSubnet });
      assert.match(bySubnet.floating_ip_address, /^172\.24\.4\./);
      neutronError(await h.call('POST', '/v2.0/floatingips', { floatingip: { floating_network_id: ext, subnet_id: sub1 } }, ALICE), 400, 'InvalidInput');
      const internal = neutronError(await h.call('POST', '/v2.0/floatingips', { floatingip: { floating_network_id: net1 } }, ALICE), 400, 'BadRequest');
      assert.equal(internal.message, `Bad floatingip request: Network ${net1} is not a valid external network.`);
      neutronError(await h.call('POST', '/v2.0/floatingips', { floatingip: { floating_network_id: UNKNOWN } }, ALICE), 404, 'NetworkNotFound');
      neutronError(await h.call('POST', '/v2.0/floatingips', { floatingip: {} }, ALICE), 400, 'HTTPBadRequest');
      neutronError(await h.call('POST', '/v2.0/floatingips', { floatingip: { floating_network_id: ext, dns_name: 'x' } }, ALICE), 400, 'HTTPBadRequest');
      neutronError(await h.call('POST', '/v2.0/floatingips', { floatingip: { floating_network_id: ext, fixed_ip_address: '10.0.1.5' } }, ALICE), 400, 'BadRequest');
      const noV4 = (await h.call('POST', '/v2.0/networks', { network: { name: 'ext6', 'router:external': true, availability_zone_hints: ['Pod2'] } })).body.network.id;
      await h.call('POST', '/v2.0/subnets', { subnet: { network_id: noV4, ip_version: 6, cidr: 'fd00:1::/64' } });
      const ex = neutronError(await h.call('POST', '/v2.0/floatingips', { floatingip: { floating_network_id: noV4 } }, ALICE), 400, 'ExternalIpAddressExhausted');
      assert.equal(ex.message, `Unable to find any IP address on external network ${noV4}.`);
      for (const x of [f, bySubnet]) await h.call('DELETE', `/v2.0/floatingips/${x.id}`, undefined, ALICE);
    });
  });

  describe('association', () => {
    test('associate (floating ip set --port), re-associate, disassociate (floating ip unset --port)', async () => {
      const f = await createFip({});
      const res = await h.call('PUT', `/v2.0/floatingips/${f.id}`, { floatingip: { port_id: vm1.id } }, ALICE);
      assert.equal(res.status, 200, res.text);
      assertSampleShape(res.body, 'neutron', 'floatingips/floatingip-update-response.json', one('floatingip'));
      const a = res.body.floatingip;
      assert.equal(a.port_id, vm1.id);
      assert.equal(a.fixed_ip_address, vm1.ip);
      assert.equal(a.router_id, routerId);
      assert.equal(a.status, 'DOWN');
      assert.equal(a.port_details.device_owner, 'compute:az1');
      assert.equal(a.port_details.network_id, net1);
      assert.equal(a.revision_number, 2);
      const jobs = await fipJobs(f.id);
      assert.equal(jobs.length, 1);
      assert.equal(jobs[0].project_id, 'p-alice');
      assert.equal(jobs[0].status, 'NEW');

      // The same association again changes nothing the pods see.
      await h.call('PUT', `/v2.0/floatingips/${f.id}`, { floatingip: { port_id: vm1.id, description: 'same' } }, ALICE);
      const second = await createFip({});
      const dup = neutronError(await h.call('PUT', `/v2.0/floatingips/${second.id}`, { floatingip: { port_id: vm1.id } }, ALICE), 409, 'FloatingIPPortAlreadyAssociated');
      assert.equal(
        dup.message,
        `Cannot associate floating IP ${second.floating_ip_address} (${second.id}) with port ${vm1.id} using fixed IP ${vm1.ip}, as that fixed IP already has a floating IP on external network ${ext}.`,
      );

      // In use: the interface and the gateway the association goes through.
      const ifInUse = neutronError(await h.call('PUT', `/v2.0/routers/${routerId}/remove_router_interface`, { subnet_id: sub1 }, ALICE), 409, 'RouterInterfaceInUseByFloatingIP');
      assert.equal(ifInUse.message, `Router interface for subnet ${sub1} on router ${routerId} cannot be deleted, as it is required by one or more floating IPs.`);
      const gwInUse = neutronError(
        await h.call('PUT', `/v2.0/routers/${routerId}`, { router: { external_gateway_info: null } }, ALICE),
        409,
        'RouterExternalGatewayInUseByFloatingIp',
      );
      assert.equal(gwInUse.message, `Gateway cannot be updated for router ${routerId}, since a gateway to external network ${ext} is required by one or more floating IPs.`);

      const un = await h.call('PUT', `/v2.0/floatingips/${f.id}`, { floatingip: { port_id: null } }, ALICE);
      assert.equal(un.status, 200, un.text);
      assertSampleShape(un.body, 'neutron', 'floatingips/floatingip-disassociate-response.json', one('floatingip'));
      assert.equal(un.body.floatingip.port_id, null);
      assert.equal(un.body.floatingip.fixed_ip_address, null);
      assert.equal(un.body.floatingip.router_id, null);
      assert.equal(un.body.floatingip.port_details, null);
      assert.equal((await fipJobs(f.id)).filter((j) => j.status === 'NEW').length, 1, 'coalesced with the pending request');

      // Now the second one may take the fixed IP.
      const moved = await h.call('PUT', `/v2.0/floatingips/${second.id}`, { floatingip: { port_id: vm1.id, fixed_ip_address: vm1.ip } }, ALICE);
      assert.equal(moved.status, 200, moved.text);
      await h.call('PUT', `/v2.0/floatingips/${second.id}`, { floatingip: { port_id: null } }, ALICE);
      for (const x of [f, second]) await h.call('DELETE', `/v2.0/floatingips/${x.id}`, undefined, ALICE);
    });

    test('create associated (the sample request), and the association rules', async () => {
      const f = await createFip({ port_id: vm1.id, fixed_ip_address: vm1.ip, description: 'floating ip for testing' });
      assert.equal(f.router_id, routerId);
      assert.equal(f.fixed_ip_address, vm1.ip);
      assert.equal((await fipJobs(f.id)).length, 1);
      const g = await createFip({});
      const unreachable = neutronError(await h.call('PUT', `/v2.0/floatingips/${g.id}`, { floatingip: { port_id: vm2.id } }, ALICE), 404, 'ExternalGatewayForFloatingIPNotFound');
      assert.equal(unreachable.message, `External network ${ext} is not reachable from subnet ${sub2}.  Therefore, cannot associate Port ${vm2.id} with a Floating IP.`);
      const notOnPort = neutronError(
        await h.call('PUT', `/v2.0/floatingips/${g.id}`, { floatingip: { port_id: vm1.id, fixed_ip_address: '10.0.1.250' } }, ALICE),
        400,
        'BadRequest',
      );
      assert.equal(notOnPort.message, `Bad floatingip request: Port ${vm1.id} does not have fixed ip 10.0.1.250.`);
      neutronError(await h.call('PUT', `/v2.0/floatingips/${g.id}`, { floatingip: { fixed_ip_address: vm1.ip } }, ALICE), 400, 'BadRequest');
      neutronError(await h.call('PUT', `/v2.0/floatingips/${g.id}`, { floatingip: { port_id: UNKNOWN } }, ALICE), 404, 'PortNotFound');
      neutronError(await h.call('PUT', `/v2.0/floatingips/${g.id}`, { floatingip: { floating_network_id: ext } }, ALICE), 400, 'HTTPBadRequest');
      const bare = (await h.call('POST', '/v2.0/ports', { port: { network_id: net1, fixed_ips: [] } }, ALICE)).body.port;
      const noV4 = neutronError(await h.call('PUT', `/v2.0/floatingips/${g.id}`, { floatingip: { port_id: bare.id } }, ALICE), 400, 'BadRequest');
      assert.equal(noV4.message, `Bad floatingip request: Cannot add floating IP to port ${bare.id} that has no fixed IPv4 addresses.`);
      const ifPort = (await h.call('GET', `/v2.0/ports?device_id=${routerId}&device_owner=network:router_interface`, undefined, ALICE)).body.ports[0];
      neutronError(await h.call('PUT', `/v2.0/floatingips/${g.id}`, { floatingip: { port_id: ifPort.id } }, ALICE), 400, 'BadRequest');
      const bobNet = (await h.call('POST', '/v2.0/networks', { network: { name: 'shared', shared: true } }, ADMIN)).body.network.id;
      await h.call('POST', '/v2.0/subnets', { subnet: { network_id: bobNet, ip_version: 4, cidr: '10.0.3.0/24' } }, ADMIN);
      const bobPort = await vmPort(bobNet, BOB);
      neutronError(await h.call('PUT', `/v2.0/floatingips/${g.id}`, { floatingip: { port_id: bobPort.id } }, ALICE), 404, 'PortNotFound');
      const theirs = neutronError(await h.call('PUT', `/v2.0/floatingips/${g.id}`, { floatingip: { port_id: bobPort.id } }, ADMIN), 404);
      assert.equal(theirs.type, 'ExternalGatewayForFloatingIPNotFound', 'admins may cross projects; the subnet has no router');
      assert.equal((await h.call('GET', `/v2.0/floatingips/${g.id}`, undefined, ALICE)).body.floatingip.revision_number, 1, 'failed updates change nothing');
      await h.call('DELETE', `/v2.0/ports/${bobPort.id}`, undefined, BOB);
      await h.call('DELETE', `/v2.0/networks/${bobNet}`, undefined, ADMIN);
      await h.call('DELETE', `/v2.0/ports/${bare.id}`, undefined, ALICE);
      for (const x of [f, g]) await h.call('DELETE', `/v2.0/floatingips/${x.id}`, undefined, ALICE);
    });

    test('deleting the internal port disassociates its floating IP', async () => {
      const vm = await vmPort(net1);
      const f = await createFip({ port_id: vm.id });
      const jobsBefore = (await fipJobs(f.id)).length;
      assert.equal((await h.call('DELETE', `/v2.0/ports/${vm.id}`, undefined, ALICE)).status, 204);
      const after = (await h.call('GET', `/v2.0/floatingips/${f.id}`, undefined, ALICE)).body.floatingip;
      assert.equal(after.port_id, null);
      assert.equal(after.fixed_ip_address, null);
      assert.equal(after.router_id, null);
      assert.ok((await fipJobs(f.id)).length >= jobsBefore);
      assert.equal((await fipJobs(f.id)).filter((j) => j.status === 'NEW').length, 1);
      await h.call('DELETE', `/v2.0/floatingips/${f.id}`, undefined, ALICE);
    });

    test('a deleted floating IP frees its address and its fixed IP', async () => {
      const f = await createFip({ port_id: vm1.id });
      assert.equal((await h.call('DELETE', `/v2.0/floatingips/${f.id}`, undefined, ALICE)).status, 204);
      neutronError(await h.call('GET', `/v2.0/floatingips/${f.id}`, undefined, ALICE), 404, 'FloatingIPNotFound');
      neutronError(await h.call('DELETE', `/v2.0/floatingips/${f.id}`, undefined, ALICE), 404, 'FloatingIPNotFound');
      const again = await createFip({ floating_ip_address: f.floating_ip_address, port_id: vm1.id, project_id: 'p-alice' }, ADMIN);
      assert.equal(again.floating_ip_address, f.floating_ip_address);
      await h.call('DELETE', `/v2.0/floatingips/${again.id}`, undefined, ALICE);
    });
  });

  describe('read', () => {
    test('tenant isolation, list filters, sorting, pagination, tags', async () => {
      const a = await createFip({ port_id: vm1.id, description: 'a' });
      const b = await createFip({ description: 'b' });
      const bobs = await createFip({ description: 'bob' }, BOB);
      neutronError(await h.call('GET', `/v2.0/floatingips/${bobs.id}`, undefined, ALICE), 404, 'FloatingIPNotFound');
      neutronError(await h.call('PUT', `/v2.0/floatingips/${bobs.id}`, { floatingip: { description: 'x' } }, ALICE), 404, 'FloatingIPNotFound');
      neutronError(await h.call('DELETE', `/v2.0/floatingips/${bobs.id}`, undefined, ALICE), 404, 'FloatingIPNotFound');
      const mine = await h.call('GET', '/v2.0/floatingips?sort_key=description&sort_dir=asc', undefined, ALICE);
      assertSampleShape(mine.body, 'neutron', 'floatingips/floating-ips-list-response.json', one('floatingips[]'));
      assert.deepEqual(
        mine.body.floatingips.map((f: { description: string }) => f.description),
        ['a', 'b'],
      );
      const all = await h.call('GET', '/v2.0/floatingips', undefined, ADMIN);
      assert.equal(all.body.floatingips.length, 3);
      const byPort = await h.call('GET', `/v2.0/floatingips?port_id=${vm1.id}&fields=id`, undefined, ALICE);
      assert.deepEqual(byPort.body.floatingips, [{ id: a.id }]);
      const byRouter = await h.call('GET', `/v2.0/floatingips?router_id=${routerId}&fields=id`, undefined, ADMIN);
      assert.deepEqual(byRouter.body.floatingips, [{ id: a.id }]);
      const byAddress = await h.call('GET', `/v2.0/floatingips?floating_ip_address=${b.floating_ip_address}&fields=id`, undefined, ALICE);
      assert.deepEqual(byAddress.body.floatingips, [{ id: b.id }]);
      const byFixed = await h.call('GET', `/v2.0/floatingips?fixed_ip_address=${vm1.ip}&status=DOWN&fields=id`, undefined, ALICE);
      assert.deepEqual(byFixed.body.floatingips, [{ id: a.id }]);
      const page = await h.call('GET', '/v2.0/floatingips?limit=2&sort_key=floating_ip_address', undefined, ADMIN);
      assert.equal(page.body.floatingips.length, 2);
      assert.ok(page.body.floatingips_links.some((l: { rel: string }) => l.rel === 'next'));
      neutronError(await h.call('GET', '/v2.0/floatingips?dns_name=x', undefined, ALICE), 400);
      assert.equal((await h.call('PUT', `/v2.0/floatingips/${b.id}/tags/web`, undefined, ALICE)).status, 201);
      assert.deepEqual((await h.call('GET', '/v2.0/floatingips?tags=web&fields=id', undefined, ALICE)).body.floatingips, [{ id: b.id }]);
      for (const f of [a, b]) await h.call('DELETE', `/v2.0/floatingips/${f.id}`, undefined, ALICE);
      await h.call('DELETE', `/v2.0/floatingips/${bobs.id}`, undefined, BOB);
    });

    test('floating IP pools: the IPv4 subnets of external networks', async () => {
      const res = await h.call('GET', '/v2.0/floatingip_pools', undefined, BOB);
      assert.equal(res.status, 200);
      assertSampleShape(res.body, 'neutron', 'floatingips/floating-ip-pools-list-response.json');
      assert.deepEqual(
        res.body.floatingip_pools.filter((p: { network_id: string }) => p.network_id === ext),
        [{ subnet_id: extSubnet, subnet_name: 'ext-subnet', network_id: ext, cidr: '172.24.4.0/24', tenant_id: 'admin', project_id: 'admin' }],
      );
      const filtered = await h.call('GET', `/v2.0/floatingip_pools?subnet_id=${UNKNOWN}`, undefined, BOB);
      assert.deepEqual(filtered.body.floatingip_pools, []);
    });
  });

  test('parallel creates never share an address; an exhausted network is 409', async () => {
    const small = (await h.call('POST', '/v2.0/networks', { network: { name: 'small-ext', 'router:external': true, availability_zone_hints: ['Pod1'] } })).body.network.id;
    await h.call('POST', '/v2.0/subnets', {
      subnet: { network_id: small, ip_version: 4, cidr: '192.0.2.0/24', allocation_pools: [{ start: '192.0.2.10', end: '192.0.2.29' }], enable_dhcp: false },
    });
    const results = await Promise.all(
      Array.from({ length: 24 }, (_, i) => h.call('POST', '/v2.0/floatingips', { floatingip: { floating_network_id: small } }, i % 2 ? ALICE : BOB)),
    );
    const ok = results.filter((r) => r.status === 201).map((r) => r.body.floatingip.floating_ip_address as string);
    const failed = results.filter((r) => r.status !== 201);
    assert.equal(ok.length, 20, results.map((r) => `${r.status}`).join(','));
    assert.equal(new Set(ok).size, 20, 'no duplicate address');
    for (const f of failed) neutronError(f, 409, 'IpAddressGenerationFailure');
    const rows = await h.tc.db.kysely.selectFrom('floatingips').select('floating_ip_address').where('floating_network_id', '=', small).execute();
    assert.equal(rows.length, 20);
  });

  test('parallel associations of one fixed IP: exactly one wins', async () => {
    const fips = await Promise.all(Array.from({ length: 6 }, () => createFip({})));
    const results = await Promise.all(fips.map((f) => h.call('PUT', `/v2.0/floatingips/${f.id}`, { floatingip: { port_id: vm1.id } }, ALICE)));
    assert.equal(results.filter((r) => r.status === 200).length, 1, results.map((r) => `${r.status} ${r.text}`).join('\n'));
    for (const r of results.filter((x) => x.status !== 200)) neutronError(r, 409, 'FloatingIPPortAlreadyAssociated');
    for (const f of fips) await h.call('DELETE', `/v2.0/floatingips/${f.id}`, undefined, ALICE);
  });

  test('deleting an external network takes its unassociated floating IPs along; an associated one keeps it in use', async () => {
    const other = (await h.call('POST', '/v2.0/networks', { network: { name: 'doomed-ext', 'router:external': true, availability_zone_hints: ['Pod1'] } })).body.network.id;
    await h.call('POST', '/v2.0/subnets', { subnet: { network_id: other, ip_version: 4, cidr: '198.51.100.0/24', enable_dhcp: false } });
    const loose = await h.call('POST', '/v2.0/floatingips', { floatingip: { floating_network_id: other } }, ALICE);
    assert.equal(loose.status, 201, loose.text);
    assert.equal((await h.call('DELETE', `/v2.0/networks/${other}`)).status, 204);
    neutronError(await h.call('GET', `/v2.0/floatingips/${loose.body.floatingip.id}`, undefined, ALICE), 404, 'FloatingIPNotFound');

    const held = await createFip({ port_id: vm1.id });
    const spare = await createFip({});
    neutronError(await h.call('DELETE', `/v2.0/networks/${ext}`), 409, 'NetworkInUse');
    assert.equal((await h.call('GET', `/v2.0/floatingips/${held.id}`, undefined, ALICE)).status, 200, 'the associated floating IP stays');
    assert.equal((await h.call('GET', `/v2.0/floatingips/${spare.id}`, undefined, ALICE)).status, 200, 'a refused delete removes nothing');
    await h.call('DELETE', `/v2.0/floatingips/${held.id}`, undefined, ALICE);
    await h.call('DELETE', `/v2.0/floatingips/${spare.id}`, undefined, ALICE);
  });
});
