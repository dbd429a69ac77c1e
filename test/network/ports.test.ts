import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDatabase } from '../support/databases.js';
import { assertSampleShape } from '../support/shapes.js';
import { ADMIN, ALICE, BOB, neutronError, startNeutron, type NeutronHarness } from './support.js';

const PORT_OPTIONAL = [
  'port.data_plane_status',
  'port.dns_assignment',
  'port.dns_domain',
  'port.dns_name',
  'port.qos_network_policy_id',
  'port.qos_policy_id',
  'port.propagate_uplink_status',
  'port.hardware_offload_type',
  'port.pvlan_type',
  'port.pvlan_community',
  'port.trusted',
];

describeEachDatabase('top Neutron: ports and IPAM', (dialect) => {
  let h: NeutronHarness;
  let net: string;
  let v4: string;
  let v6: string;
  before(async () => {
    h = await startNeutron(dialect);
    net = (await h.call('POST', '/v2.0/networks', { network: { name: 'pn', shared: true } })).body.network.id;
    v4 = (await h.call('POST', '/v2.0/subnets', { subnet: { network_id: net, ip_version: 4, cidr: '10.0.0.0/28' } })).body.subnet.id;
    v6 = (await h.call('POST', '/v2.0/subnets', { subnet: { network_id: net, ip_version: 6, cidr: 'fd00::/64', ipv6_ra_mode: 'slaac', ipv6_address_mode: 'slaac' } })).body.subnet
      .id;
  });
  after(async () => h?.close());

  describe('create', () => {
    test('a port gets a MAC, an IPv4 address from the pool, its SLAAC address and the default group', async () => {
      const res = await h.call('POST', '/v2.0/ports', { port: { network_id: net, name: 'p1' } }, ALICE);
      assert.equal(res.status, 201);
      assertSampleShape(res.body, 'neutron', 'ports/port-create-response.json', PORT_OPTIONAL);
      const p = res.body.port;
      assert.match(p.mac_address, /^fa:16:3e(:[0-9a-f]{2}){3}$/);
      assert.equal(p.status, 'DOWN');
      assert.equal(p.fixed_ips.length, 2);
      const [ip4, ip6] = p.fixed_ips;
      assert.equal(ip4.subnet_id, v4);
      assert.match(ip4.ip_address, /^10\.0\.0\.([2-9]|1[0-4])$/);
      assert.equal(ip6.subnet_id, v6);
      const m = p.mac_address.split(':');
      assert.equal(ip6.ip_address, `fd00::${(parseInt(m[0], 16) ^ 2).toString(16)}${m[1]}:${m[2]}ff:fe${m[3]}:${m[4]}${m[5]}`.replace(/:0+([0-9a-f])/g, ':$1'));
      assert.equal(p.security_groups.length, 1);
      const sg = await h.tc.db.kysely.selectFrom('security_groups').selectAll().where('id', '=', p.security_groups[0]).executeTakeFirstOrThrow();
      assert.equal(sg.name, 'default');
      assert.equal(sg.project_id, 'p-alice');
      assert.ok(!('binding:host_id' in p), 'binding details are for admins');
      assert.equal((await h.tc.db.kysely.selectFrom('resource_routings').selectAll().execute()).length, 0, 'nothing in any pod');
      await h.call('DELETE', `/v2.0/ports/${p.id}`, undefined, ALICE);
    });
    test('requested addresses and MACs', async () => {
      const res = await h.call('POST', '/v2.0/ports', { port: { network_id: net, mac_address: 'FA:16:3E:00:00:01', fixed_ips: [{ ip_address: '10.0.0.5' }] } });
      assert.equal(res.status, 201);
      assert.equal(res.body.port.mac_address, 'fa:16:3e:00:00:01');
      assert.deepEqual(res.body.port.fixed_ips, [{ subnet_id: v4, ip_address: '10.0.0.5' }]);
      const dupIp = neutronError(
        await h.call('POST', '/v2.0/ports', { port: { network_id: net, fixed_ips: [{ subnet_id: v4, ip_address: '10.0.0.5' }] } }),
        409,
        'IpAddressAlreadyAllocated',
      );
      assert.equal(dupIp.message, `IP address 10.0.0.5 already allocated in subnet ${v4}`);
      const dupMac = neutronError(await h.call('POST', '/v2.0/ports', { port: { network_id: net, mac_address: 'fa:16:3e:00:00:01' } }), 409, 'MacAddressInUse');
      assert.match(dupMac.message, /The mac address fa:16:3e:00:00:01 is in use/);
      neutronError(await h.call('POST', '/v2.0/ports', { port: { network_id: net, fixed_ips: [{ ip_address: '10.9.0.5' }] } }), 400, 'InvalidIpForNetwork');
      neutronError(await h.call('POST', '/v2.0/ports', { port: { network_id: net, fixed_ips: [{ subnet_id: v4, ip_address: '10.0.0.15' }] } }), 400, 'InvalidIpForSubnet');
      neutronError(await h.call('POST', '/v2.0/ports', { port: { network_id: net, fixed_ips: [{ subnet_id: v6, ip_address: 'fd00::5' }] } }), 400, 'AllocationOnAutoAddressSubnet');
      neutronError(await h.call('POST', '/v2.0/ports', { port: { network_id: net, mac_address: '01:00:00:00:00:01' } }), 400, 'HTTPBadRequest');
      neutronError(await h.call('POST', '/v2.0/ports', { port: { network_id: net, fixed_ips: [{ subnet_id: '4e8e5957-649f-477b-9e5b-f1f75b21c03c' }] } }), 400, 'InvalidInput');
      const none = await h.call('POST', '/v2.0/ports', { port: { network_id: net, fixed_ips: [] } });
      assert.deepEqual(none.body.port.fixed_ips, []);
      await h.call('DELETE', `/v2.0/ports/${res.body.port.id}`);
      await h.call('DELETE', `/v2.0/ports/${none.body.port.id}`);
    });
    test('only admins and the network owner pick addresses, MACs and owners; binding is admin only', async () => {
      const ip = neutronError(await h.call('POST', '/v2.0/ports', { port: { network_id: net, fixed_ips: [{ ip_address: '10.0.0.6' }] } }, BOB), 403, 'PolicyNotAuthorized');
      assert.equal(ip.message, '(rule:create_port and rule:create_port:fixed_ips:ip_address) is disallowed by policy');
      neutronError(await h.call('POST', '/v2.0/ports', { port: { network_id: net, mac_address: 'fa:16:3e:00:00:09' } }, BOB), 403, 'PolicyNotAuthorized');
      neutronError(await h.call('POST', '/v2.0/ports', { port: { network_id: net, device_owner: 'network:dhcp' } }, BOB), 403, 'PolicyNotAuthorized');
      neutronError(await h.call('POST', '/v2.0/ports', { port: { network_id: net, 'binding:host_id': 'h1' } }, BOB), 403, 'PolicyNotAuthorized');
      const bound = await h.call('POST', '/v2.0/ports', { port: { network_id: net, 'binding:host_id': 'h1', 'binding:vnic_type': 'direct', 'binding:profile': { a: 1 } } });
      assert.equal(bound.body.port['binding:host_id'], 'h1');
      assert.equal(bound.body.port['binding:vnic_type'], 'direct');
      assert.deepEqual(bound.body.port['binding:profile'], { a: 1 });
      await h.call('DELETE', `/v2.0/ports/${bound.body.port.id}`);
    });
    test('port security: groups and address pairs need it', async () => {
      neutronError(
        await h.call('POST', '/v2.0/ports', { port: { network_id: net, port_security_enabled: false, security_groups: ['4e8e5957-649f-477b-9e5b-f1f75b21c03c'] } }),
        400,
        'PortSecurityAndIPRequiredForSecurityGroups',
      );
      neutronError(
        await h.call('POST', '/v2.0/ports', { port: { network_id: net, port_security_enabled: false, allowed_address_pairs: [{ ip_address: '10.0.0.100' }] } }),
        409,
        'AddressPairAndPortSecurityRequired',
      );
      neutronError(await h.call('POST', '/v2.0/ports', { port: { network_id: net, security_groups: ['4e8e5957-649f-477b-9e5b-f1f75b21c03c'] } }), 404, 'SecurityGroupNotFound');
      const open = await h.call('POST', '/v2.0/ports', { port: { network_id: net, port_security_enabled: false } });
      assert.deepEqual(open.body.port.security_groups, []);
      const pairs = await h.call('POST', '/v2.0/ports', {
        port: { network_id: net, allowed_address_pairs: [{ ip_address: '10.0.0.0/28' }], extra_dhcp_opts: [{ opt_name: 'mtu', opt_value: '1400' }] },
      });
      assert.deepEqual(pairs.body.port.allowed_address_pairs, [{ ip_address: '10.0.0.0/28', mac_address: pairs.body.port.mac_address }]);
      assert.deepEqual(pairs.body.port.extra_dhcp_opts, [{ opt_name: 'mtu', opt_value: '1400', ip_version: 4 }]);
      await h.call('DELETE', `/v2.0/ports/${open.body.port.id}`);
      await h.call('DELETE', `/v2.0/ports/${pairs.body.port.id}`);
    });
    test("ports on others' networks: 404 unless shared", async () => {
      const bobNet = (await h.call('POST', '/v2.0/networks', { network: { name: 'bobnet' } }, BOB)).body.network.id;
      neutronError(await h.call('POST', '/v2.0/ports', { port: { network_id: bobNet } }, ALICE), 404, 'NetworkNotFound');
      await h.call('DELETE', `/v2.0/networks/${bobNet}`, undefined, BOB);
    });
  });

  describe('read, update, delete', () => {
    let alicePort: string;
    let bobPort: string;
    before(async () => {
      alicePort = (await h.call('POST', '/v2.0/ports', { port: { network_id: net, name: 'a', device_id: 'vm-1' } }, ALICE)).body.port.id;
      bobPort = (await h.call('POST', '/v2.0/ports', { port: { network_id: net, name: 'b' } }, BOB)).body.port.id;
    });
    test('projects see their own ports; the network owner sees all on its network', async () => {
      neutronError(await h.call('GET', `/v2.0/ports/${bobPort}`, undefined, ALICE), 404, 'PortNotFound');
      neutronError(await h.call('DELETE', `/v2.0/ports/${bobPort}`, undefined, ALICE), 404, 'PortNotFound');
      const alices = await h.call('GET', '/v2.0/ports', undefined, ALICE);
      assert.deepEqual(
        alices.body.ports.map((p: { id: string }) => p.id),
        [alicePort],
      );
      const owner = await h.call('GET', `/v2.0/ports?network_id=${net}&sort_key=name&sort_dir=asc`, undefined, ADMIN);
      assert.deepEqual(
        owner.body.ports.map((p: { name: string }) => p.name),
        ['a', 'b'],
      );
      assertSampleShape(
        { ports: owner.body.ports },
        'neutron',
        'ports/ports-list-response.json',
        PORT_OPTIONAL.map((p) => p.replace('port.', 'ports[].')),
      );
    });
    test('filters on fixed_ips, device_id and security groups', async () => {
      const port = (await h.call('GET', `/v2.0/ports/${alicePort}`, undefined, ALICE)).body.port;
      const ip = port.fixed_ips[0].ip_address;
      const byIp = await h.call('GET', `/v2.0/ports?fixed_ips=ip_address%3D${ip}`, undefined, ADMIN);
      assert.deepEqual(
        byIp.body.ports.map((p: { id: string }) => p.id),
        [alicePort],
      );
      const bySubnet = await h.call('GET', `/v2.0/ports?fixed_ips=subnet_id%3D${v4}&fixed_ips=ip_address%3D${ip}`, undefined, ADMIN);
      assert.equal(bySubnet.body.ports.length, 1);
      // ip-substring-filtering: a part of the address, as tempest's test_port_list_filter_by_ip_substr sends it.
      const bySubstr = await h.call('GET', `/v2.0/ports?fixed_ips=ip_address_substr%3D${ip.split('.').slice(1).join('.')}`, undefined, ALICE);
      assert.ok(bySubstr.body.ports.some((p: { id: string }) => p.id === alicePort));
      const noMatch = await h.call('GET', '/v2.0/ports?fixed_ips=ip_address_substr%3D203.0.113', undefined, ALICE);
      assert.deepEqual(noMatch.body.ports, []);
      const byDevice = await h.call('GET', '/v2.0/ports?device_id=vm-1&fields=id', undefined, ALICE);
      assert.deepEqual(byDevice.body.ports, [{ id: alicePort }]);
      const bySg = await h.call('GET', `/v2.0/ports?security_groups=${port.security_groups[0]}`, undefined, ALICE);
      assert.deepEqual(
        bySg.body.ports.map((p: { id: string }) => p.id),
        [alicePort],
      );
    });
    test('update: name, fixed IPs kept, replaced and added', async () => {
      const before = (await h.call('GET', `/v2.0/ports/${alicePort}`, undefined, ALICE)).body.port;
      const renamed = await h.call('PUT', `/v2.0/ports/${alicePort}`, { port: { name: 'a2', admin_state_up: false } }, ALICE);
      assert.equal(renamed.status, 200);
      const bindings = ['port.binding:host_id', 'port.binding:profile', 'port.binding:vif_details', 'port.binding:vif_type'];
      assertSampleShape(renamed.body, 'neutron', 'ports/port-update-response.json', [...PORT_OPTIONAL, ...bindings]);
      assert.equal(renamed.body.port.revision_number, before.revision_number + 1);
      // Allocation is random among the lowest free addresses: pick one nobody holds.
      const held = new Set(
        (await h.call('GET', `/v2.0/ports?network_id=${net}`)).body.ports.flatMap((p: { fixed_ips: { ip_address: string }[] }) => p.fixed_ips.map((f) => f.ip_address)),
      );
      const target = ['10.0.0.14', '10.0.0.13', '10.0.0.12', '10.0.0.11'].find((ip) => !held.has(ip))!;
      const replaced = await h.call('PUT', `/v2.0/ports/${alicePort}`, { port: { fixed_ips: [{ subnet_id: v4, ip_address: target }] } });
      assert.deepEqual(replaced.body.port.fixed_ips, [{ subnet_id: v4, ip_address: target }]);
      // Checked before the next update, whose new address may be drawn from the freed ones.
      const released = await h.call('POST', '/v2.0/ports', { port: { network_id: net, fixed_ips: [{ ip_address: before.fixed_ips[0].ip_address }] } });
      assert.equal(released.status, 201, 'the old address was released');
      await h.call('DELETE', `/v2.0/ports/${released.body.port.id}`);
      const added = await h.call('PUT', `/v2.0/ports/${alicePort}`, { port: { fixed_ips: [{ ip_address: target }, { subnet_id: v4 }] } });
      assert.equal(added.body.port.fixed_ips.length, 2);
      neutronError(await h.call('PUT', `/v2.0/ports/${alicePort}`, { port: { network_id: net } }, ALICE), 400, 'HTTPBadRequest');
      neutronError(await h.call('PUT', `/v2.0/ports/${alicePort}`, { port: { port_security_enabled: false } }), 409, 'PortSecurityPortHasSecurityGroup');
      const off = await h.call('PUT', `/v2.0/ports/${alicePort}`, { port: { port_security_enabled: false, security_groups: [] } });
      assert.equal(off.status, 200);
      assert.deepEqual(off.body.port.security_groups, []);
    });
    test('a network with user ports cannot be deleted; its DHCP ports go with it', async () => {
      const dhcp = await h.call('POST', '/v2.0/ports', { port: { network_id: net, device_owner: 'network:dhcp' } });
      assert.equal(dhcp.status, 201);
      const err = neutronError(await h.call('DELETE', `/v2.0/networks/${net}`), 409, 'NetworkInUse');
      assert.match(err.message, new RegExp(alicePort));
      assert.ok(!err.message.includes(dhcp.body.port.id));
      neutronError(await h.call('DELETE', `/v2.0/subnets/${v4}`), 409, 'SubnetInUse');
      assert.equal((await h.call('DELETE', `/v2.0/ports/${alicePort}`, undefined, ALICE)).status, 204);
      assert.equal((await h.call('DELETE', `/v2.0/ports/${bobPort}`, undefined, ADMIN)).status, 204, 'the network owner may delete ports on its network');
      assert.equal((await h.call('DELETE', `/v2.0/networks/${net}`)).status, 204);
      neutronError(await h.call('GET', `/v2.0/ports/${dhcp.body.port.id}`), 404, 'PortNotFound');
      const left = await h.tc.db.kysely.selectFrom('ip_allocations').selectAll().execute();
      assert.deepEqual(left, []);
    });
  });

  describe('bulk create and exhaustion', () => {
    test('bulk ports are all or nothing; a full subnet is 409 IpAddressGenerationFailure', async () => {
      const n = (await h.call('POST', '/v2.0/networks', { network: { name: 'small' } })).body.network.id;
      const s = (await h.call('POST', '/v2.0/subnets', { subnet: { network_id: n, ip_version: 4, cidr: '10.1.0.0/29' } })).body.subnet.id;
      const bulk = await h.call('POST', '/v2.0/ports', { ports: [{ network_id: n }, { network_id: n }, { network_id: n }] });
      assert.equal(bulk.status, 201);
      assertSampleShape(
        bulk.body,
        'neutron',
        'ports/ports-bulk-create-response.json',
        PORT_OPTIONAL.map((p) => p.replace('port.', 'ports[].')),
      );
      const ips = bulk.body.ports.map((p: { fixed_ips: { ip_address: string }[] }) => p.fixed_ips[0].ip_address);
      assert.equal(new Set(ips).size, 3);
      const tooMany = await h.call('POST', '/v2.0/ports', { ports: [{ network_id: n }, { network_id: n }, { network_id: n }] });
      const err = neutronError(tooMany, 409, 'IpAddressGenerationFailure');
      assert.equal(err.message, `No more IP addresses available on network ${n}.`);
      assert.equal((await h.call('GET', `/v2.0/ports?network_id=${n}`)).body.ports.length, 3, 'the failed bulk left nothing');
      const two = await h.call('POST', '/v2.0/ports', { ports: [{ network_id: n }, { network_id: n }] });
      assert.equal(two.status, 201);
      neutronError(await h.call('POST', '/v2.0/ports', { port: { network_id: n, fixed_ips: [{ subnet_id: s }] } }), 409, 'IpAddressGenerationFailure');
    });
  });
});
