import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDatabase } from '../support/databases.js';
import { assertSampleShape } from '../support/shapes.js';
import { ALICE, BOB, neutronError, startNeutron, type NeutronHarness } from './support.js';

const SUBNET_OPTIONAL = ['subnet.dns_publish_fixed_ip'];

describeEachDatabase('top Neutron: subnets and subnet pools', (dialect) => {
  let h: NeutronHarness;
  let net: string;
  before(async () => {
    h = await startNeutron(dialect);
    net = (await h.call('POST', '/v2.0/networks', { network: { name: 'n' } }, ALICE)).body.network.id;
  });
  after(async () => h?.close());

  const create = (subnet: Record<string, unknown>, who = ALICE) => h.call('POST', '/v2.0/subnets', { subnet: { network_id: net, ip_version: 4, ...subnet } }, who);

  describe('create', () => {
    test('defaults: gateway .1, one pool of the rest, DHCP on; nothing in any pod', async () => {
      const res = await create({ cidr: '10.0.0.0/24', name: 's1' });
      assert.equal(res.status, 201);
      assertSampleShape(res.body, 'neutron', 'subnets/subnet-create-response.json', SUBNET_OPTIONAL);
      const s = res.body.subnet;
      assert.equal(s.gateway_ip, '10.0.0.1');
      assert.deepEqual(s.allocation_pools, [{ start: '10.0.0.2', end: '10.0.0.254' }]);
      assert.equal(s.enable_dhcp, true);
      assert.equal(s.project_id, 'p-alice');
      const netNow = await h.call('GET', `/v2.0/networks/${net}`, undefined, ALICE);
      assert.deepEqual(netNow.body.network.subnets, [s.id]);
      assert.equal((await h.tc.db.kysely.selectFrom('resource_routings').selectAll().execute()).length, 0);
      const shown = await h.call('GET', `/v2.0/subnets/${s.id}`, undefined, ALICE);
      assertSampleShape(shown.body, 'neutron', 'subnets/subnet-show-response.json', SUBNET_OPTIONAL);
    });
    test('explicit gateway, pools, DNS servers and host routes', async () => {
      const res = await create({
        cidr: '10.1.0.0/24',
        gateway_ip: '10.1.0.254',
        allocation_pools: [{ start: '10.1.0.10', end: '10.1.0.20' }],
        dns_nameservers: ['8.8.8.8', '1.1.1.1'],
        host_routes: [{ destination: '192.168.0.0/16', nexthop: '10.1.0.1' }],
        enable_dhcp: false,
      });
      assert.equal(res.status, 201);
      assert.equal(res.body.subnet.gateway_ip, '10.1.0.254');
      assert.deepEqual(res.body.subnet.allocation_pools, [{ start: '10.1.0.10', end: '10.1.0.20' }]);
      assert.deepEqual(res.body.subnet.dns_nameservers, ['8.8.8.8', '1.1.1.1']);
      assert.deepEqual(res.body.subnet.host_routes, [{ destination: '192.168.0.0/16', nexthop: '10.1.0.1' }]);
      const noGw = await create({ cidr: '10.2.0.0/29', gateway_ip: null });
      assert.equal(noGw.body.subnet.gateway_ip, null);
      assert.deepEqual(noGw.body.subnet.allocation_pools, [{ start: '10.2.0.1', end: '10.2.0.6' }]);
    });
    test('IPv6 with SLAAC', async () => {
      const res = await create({ ip_version: 6, cidr: 'fd00:0:0:1::/64', ipv6_ra_mode: 'slaac', ipv6_address_mode: 'slaac' });
      assert.equal(res.status, 201);
      assert.equal(res.body.subnet.gateway_ip, 'fd00:0:0:1::1');
      assert.deepEqual(res.body.subnet.allocation_pools, [{ start: 'fd00:0:0:1::2', end: 'fd00::1:ffff:ffff:ffff:ffff' }]);
      neutronError(await create({ ip_version: 6, cidr: 'fd00:0:0:2::/80', ipv6_address_mode: 'slaac' }), 400, 'InvalidInput');
      neutronError(await create({ ip_version: 6, cidr: 'fd00:0:0:3::/64', ipv6_ra_mode: 'slaac', ipv6_address_mode: 'dhcpv6-stateful' }), 400, 'InvalidInput');
      neutronError(await create({ cidr: '10.9.0.0/24', ipv6_address_mode: 'slaac' }), 400, 'InvalidInput');
    });
    test('validation, with upstream fault types', async () => {
      neutronError(await h.call('POST', '/v2.0/subnets', { subnet: { network_id: net, cidr: '10.3.0.0/24' } }, ALICE), 400, 'HTTPBadRequest');
      neutronError(await create({ cidr: '10.3.0.0/24', ip_version: 5 }), 400, 'HTTPBadRequest');
      const host = neutronError(await create({ cidr: '10.3.0.1/24' }), 400, 'HTTPBadRequest');
      assert.match(host.message, /'10.3.0.0\/24' is recommended/);
      neutronError(await create({ cidr: 'banana' }), 400, 'HTTPBadRequest');
      neutronError(await create({ cidr: '10.3.0.0/24', ip_version: 6 }), 400, 'InvalidInput');
      const overlap = neutronError(await create({ cidr: '10.0.0.128/25' }), 400, 'InvalidInput');
      assert.match(overlap.message, /overlaps with another subnet/);
      neutronError(await create({ cidr: '10.3.0.0/24', allocation_pools: [{ start: '10.3.0.50', end: '10.3.0.40' }] }), 400, 'InvalidAllocationPool');
      neutronError(await create({ cidr: '10.3.0.0/24', allocation_pools: [{ start: '10.3.0.50', end: '10.3.1.40' }] }), 400, 'OutOfBoundsAllocationPool');
      neutronError(
        await create({
          cidr: '10.3.0.0/24',
          allocation_pools: [
            { start: '10.3.0.2', end: '10.3.0.9' },
            { start: '10.3.0.5', end: '10.3.0.20' },
          ],
        }),
        409,
        'OverlappingAllocationPools',
      );
      neutronError(
        await create({ cidr: '10.3.0.0/24', gateway_ip: '10.3.0.5', allocation_pools: [{ start: '10.3.0.2', end: '10.3.0.9' }] }),
        409,
        'GatewayConflictWithAllocationPools',
      );
      neutronError(await create({ cidr: '10.3.0.0/24', allocation_pools: [{ start: '10.3.0.1', end: '10.3.0.9' }] }), 409, 'GatewayConflictWithAllocationPools');
      neutronError(await create({ cidr: '10.3.0.0/24', dns_nameservers: ['1.1.1.1', '1.1.1.1'] }), 400, 'HTTPBadRequest');
      neutronError(await create({ cidr: '10.3.0.0/24', dns_nameservers: ['1.1.1.1', '1.1.1.2', '1.1.1.3', '1.1.1.4', '1.1.1.5', '1.1.1.6'] }), 400, 'DNSNameServersExhausted');
      neutronError(await create({ cidr: '10.3.0.0/24', host_routes: [{ destination: 'x', nexthop: '10.3.0.1' }] }), 400, 'HTTPBadRequest');
      neutronError(await create({ cidr: '10.3.0.0/24', network_id: '4e8e5957-649f-477b-9e5b-f1f75b21c03c' }), 404, 'NetworkNotFound');
      neutronError(await create({ network_id: 'not-a-uuid', cidr: '10.3.0.0/24' }), 400, 'HTTPBadRequest');
      const noCidr = neutronError(await create({}), 400, 'BadRequest');
      assert.match(noCidr.message, /a subnetpool must be specified in the absence of a cidr/);
    });
    test('others may not add subnets to a network that is not theirs', async () => {
      neutronError(await create({ cidr: '10.4.0.0/24' }, BOB), 404, 'NetworkNotFound');
      const shared = (await h.call('POST', '/v2.0/networks', { network: { shared: true } })).body.network.id;
      neutronError(await h.call('POST', '/v2.0/subnets', { subnet: { network_id: shared, ip_version: 4, cidr: '10.5.0.0/24' } }, BOB), 403, 'PolicyNotAuthorized');
      const s = await h.call('POST', '/v2.0/subnets', { subnet: { network_id: shared, ip_version: 4, cidr: '10.5.0.0/24' } });
      const seen = await h.call('GET', `/v2.0/subnets/${s.body.subnet.id}`, undefined, BOB);
      assert.equal(seen.status, 200, 'subnets of shared networks are visible');
      neutronError(await h.call('DELETE', `/v2.0/subnets/${s.body.subnet.id}`, undefined, BOB), 403, 'PolicyNotAuthorized');
      const mine = await h.call('GET', '/v2.0/subnets', undefined, BOB);
      assert.deepEqual(
        mine.body.subnets.map((x: { id: string }) => x.id),
        [s.body.subnet.id],
      );
    });
    test('bulk create is all or nothing', async () => {
      const ok = await h.call(
        'POST',
        '/v2.0/subnets',
        {
          subnets: [
            { network_id: net, ip_version: 4, cidr: '10.6.0.0/24' },
            { network_id: net, ip_version: 4, cidr: '10.7.0.0/24' },
          ],
        },
        ALICE,
      );
      assert.equal(ok.status, 201);
      assertSampleShape(ok.body, 'neutron', 'subnets/subnets-create-bulk-response.json', ['subnets[].dns_publish_fixed_ip']);
      const bad = await h.call(
        'POST',
        '/v2.0/subnets',
        {
          subnets: [
            { network_id: net, ip_version: 4, cidr: '10.8.0.0/24' },
            { network_id: net, ip_version: 4, cidr: '10.8.0.0/25' },
          ],
        },
        ALICE,
      );
      neutronError(bad, 400, 'InvalidInput');
      const left = await h.call('GET', '/v2.0/subnets?cidr=10.8.0.0/24', undefined, ALICE);
      assert.deepEqual(left.body.subnets, []);
    });
  });

  describe('update and delete', () => {
    let sid: string;
    before(async () => {
      sid = (await create({ cidr: '172.16.0.0/24', name: 'u' })).body.subnet.id;
    });
    test('update name, pools, gateway, DNS; read-only attributes are 400', async () => {
      const res = await h.call(
        'PUT',
        `/v2.0/subnets/${sid}`,
        { subnet: { name: 'u2', allocation_pools: [{ start: '172.16.0.100', end: '172.16.0.200' }], gateway_ip: '172.16.0.254', dns_nameservers: ['9.9.9.9'] } },
        ALICE,
      );
      assert.equal(res.status, 200);
      assert.equal(res.body.subnet.name, 'u2');
      assert.equal(res.body.subnet.gateway_ip, '172.16.0.254');
      assert.equal(res.body.subnet.revision_number, 2);
      assertSampleShape(res.body, 'neutron', 'subnets/subnet-update-response.json', SUBNET_OPTIONAL);
      const ro = neutronError(await h.call('PUT', `/v2.0/subnets/${sid}`, { subnet: { cidr: '172.17.0.0/24' } }, ALICE), 400, 'HTTPBadRequest');
      assert.equal(ro.message, 'Cannot update read-only attribute cidr');
      neutronError(await h.call('PUT', `/v2.0/subnets/${sid}`, { subnet: { gateway_ip: '172.16.0.150' } }, ALICE), 409, 'GatewayConflictWithAllocationPools');
    });
    test('a gateway held by a port cannot be taken', async () => {
      const port = await h.call('POST', '/v2.0/ports', { port: { network_id: net, fixed_ips: [{ subnet_id: sid, ip_address: '172.16.0.10' }] } }, ALICE);
      assert.equal(port.status, 201);
      neutronError(await h.call('PUT', `/v2.0/subnets/${sid}`, { subnet: { gateway_ip: '172.16.0.10' } }, ALICE), 409, 'GatewayIpInUse');
      const inUse = neutronError(await h.call('DELETE', `/v2.0/subnets/${sid}`, undefined, ALICE), 409, 'SubnetInUse');
      assert.match(inUse.message, /One or more ports have an IP allocation from this subnet/);
      await h.call('DELETE', `/v2.0/ports/${port.body.port.id}`, undefined, ALICE);
    });
    test('delete is 204; DHCP ports lose their address in the subnet', async () => {
      const dhcp = await h.call('POST', '/v2.0/ports', { port: { network_id: net, device_owner: 'network:dhcp', fixed_ips: [{ subnet_id: sid }] } }, ALICE);
      assert.equal(dhcp.status, 201);
      assert.equal((await h.call('DELETE', `/v2.0/subnets/${sid}`, undefined, ALICE)).status, 204);
      neutronError(await h.call('GET', `/v2.0/subnets/${sid}`, undefined, ALICE), 404, 'SubnetNotFound');
      const after = await h.call('GET', `/v2.0/ports/${dhcp.body.port.id}`, undefined, ALICE);
      assert.deepEqual(after.body.port.fixed_ips, []);
      await h.call('DELETE', `/v2.0/ports/${dhcp.body.port.id}`, undefined, ALICE);
    });
    test('list filters, sort and pagination', async () => {
      const v6 = await h.call('GET', '/v2.0/subnets?ip_version=6&fields=cidr', undefined, ALICE);
      assert.deepEqual(v6.body.subnets, [{ cidr: 'fd00:0:0:1::/64' }]);
      const page = await h.call('GET', `/v2.0/subnets?network_id=${net}&sort_key=cidr&sort_dir=asc&limit=2`, undefined, ALICE);
      assert.equal(page.body.subnets.length, 2);
      assert.ok(page.body.subnets_links.some((l: { rel: string }) => l.rel === 'next'));
      assertSampleShape({ subnets: page.body.subnets }, 'neutron', 'subnets/subnets-list-response.json', ['subnets[].dns_publish_fixed_ip']);
    });
  });

  describe('subnet pools', () => {
    let pool: string;
    test('create, with merged prefixes and default bounds', async () => {
      const res = await h.call(
        'POST',
        '/v2.0/subnetpools',
        { subnetpool: { name: 'pool', prefixes: ['10.100.0.0/25', '10.100.0.128/25', '10.101.0.0/16'], default_prefixlen: 26 } },
        ALICE,
      );
      assert.equal(res.status, 201);
      assertSampleShape(res.body, 'neutron', 'subnets/subnetpool-create-response.json');
      assert.deepEqual(res.body.subnetpool.prefixes, ['10.100.0.0/24', '10.101.0.0/16']);
      assert.equal(res.body.subnetpool.min_prefixlen, 8);
      assert.equal(res.body.subnetpool.max_prefixlen, 32);
      pool = res.body.subnetpool.id;
      neutronError(await h.call('POST', '/v2.0/subnetpools', { subnetpool: { name: 'mixed', prefixes: ['10.0.0.0/8', 'fd00::/8'] } }, ALICE), 400);
      neutronError(await h.call('POST', '/v2.0/subnetpools', { subnetpool: { prefixes: ['10.0.0.0/8'] } }, ALICE), 400, 'HTTPBadRequest');
      neutronError(await h.call('POST', '/v2.0/subnetpools', { subnetpool: { name: 'b', prefixes: ['10.0.0.0/8'], min_prefixlen: 24, default_prefixlen: 16 } }, ALICE), 400);
      neutronError(await h.call('POST', '/v2.0/subnetpools', { subnetpool: { name: 'd', prefixes: ['10.0.0.0/8'], is_default: true } }, ALICE), 403, 'PolicyNotAuthorized');
    });
    test('subnets are carved from the pool without overlap', async () => {
      const a = await create({ subnetpool_id: pool });
      assert.equal(a.status, 201);
      assert.equal(a.body.subnet.cidr, '10.100.0.0/26');
      assert.equal(a.body.subnet.subnetpool_id, pool);
      const b = await create({ subnetpool_id: pool, prefixlen: 25 });
      assert.equal(b.body.subnet.cidr, '10.100.0.128/25');
      const c = await create({ subnetpool_id: pool, prefixlen: 24 });
      assert.equal(c.body.subnet.cidr, '10.101.0.0/24');
      const d = await create({ subnetpool_id: pool, cidr: '10.101.5.0/24' });
      assert.equal(d.body.subnet.cidr, '10.101.5.0/24');
      neutronError(await create({ subnetpool_id: pool, cidr: '10.101.5.0/25' }), 409, 'SubnetAllocationError');
      neutronError(await create({ subnetpool_id: pool, cidr: '10.200.0.0/24' }), 409, 'SubnetAllocationError');
      neutronError(await create({ subnetpool_id: pool, prefixlen: 4 }), 400);
      neutronError(await h.call('DELETE', `/v2.0/subnetpools/${pool}`, undefined, ALICE), 409, 'SubnetPoolInUse');
      for (const s of [a, b, c, d]) assert.equal((await h.call('DELETE', `/v2.0/subnets/${s.body.subnet.id}`, undefined, ALICE)).status, 204);
    });
    test('add and remove prefixes; updates may only grow the prefixes', async () => {
      const add = await h.call('PUT', `/v2.0/subnetpools/${pool}/add_prefixes`, { prefixes: ['10.102.0.0/16'] }, ALICE);
      assert.deepEqual(add.body, { prefixes: ['10.100.0.0/24', '10.101.0.0/16', '10.102.0.0/16'] });
      const rm = await h.call('PUT', `/v2.0/subnetpools/${pool}/remove_prefixes`, { prefixes: ['10.101.0.0/16'] }, ALICE);
      assert.deepEqual(rm.body, { prefixes: ['10.100.0.0/24', '10.102.0.0/16'] });
      neutronError(await h.call('PUT', `/v2.0/subnetpools/${pool}`, { subnetpool: { prefixes: ['10.100.0.0/24'] } }, ALICE), 400);
      const upd = await h.call('PUT', `/v2.0/subnetpools/${pool}`, { subnetpool: { name: 'renamed' } }, ALICE);
      assert.equal(upd.body.subnetpool.name, 'renamed');
    });
    test('the default pool serves use_default_subnetpool', async () => {
      neutronError(await create({ use_default_subnetpool: true }), 400, 'BadRequest');
      const dflt = await h.call('POST', '/v2.0/subnetpools', {
        subnetpool: { name: 'default', prefixes: ['192.168.0.0/16'], default_prefixlen: 24, is_default: true, shared: true },
      });
      assert.equal(dflt.status, 201);
      neutronError(await h.call('POST', '/v2.0/subnetpools', { subnetpool: { name: 'd2', prefixes: ['192.169.0.0/16'], is_default: true } }), 400, 'InvalidInput');
      const s = await create({ use_default_subnetpool: true });
      assert.equal(s.status, 201);
      assert.equal(s.body.subnet.cidr, '192.168.0.0/24');
      const list = await h.call('GET', '/v2.0/subnetpools?is_default=true', undefined, ALICE);
      assert.deepEqual(
        list.body.subnetpools.map((p: { name: string }) => p.name),
        ['default'],
      );
      neutronError(await h.call('GET', `/v2.0/subnetpools/${pool}`, undefined, BOB), 404, 'SubnetPoolNotFound');
    });
  });
});
