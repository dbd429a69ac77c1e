// Simulated Neutron: version discovery, extensions, networks, subnets (IPAM), ports, collections
// (filters, fields, sorting, pagination), tenant isolation and error bodies — over real HTTP.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { assertSampleShape } from '../support/shapes.js';
import { neutronError, PROJECT, startNeutron, type NeutronUnderTest } from './neutron-support.js';

const NET_OPTIONAL = ['network.dns_domain', 'network.qos_policy_id', 'network.pvlan', 'network.vlan_transparent', 'network.qinq'];
const NETS_OPTIONAL = NET_OPTIONAL.map((k) => k.replace(/^network\./, 'networks[].'));
const SUBNET_OPTIONAL = ['subnet.dns_publish_fixed_ip'];
const PORT_OPTIONAL = [
  'data_plane_status',
  'dns_assignment',
  'dns_domain',
  'dns_name',
  'qos_network_policy_id',
  'qos_policy_id',
  'pvlan_type',
  'pvlan_community',
  'hardware_offload_type',
  'trusted',
  'resource_request',
  'hints',
  'mac_learning_enabled',
];
/** Binding details are shown to admins only. */
const BINDING_ADMIN = ['binding:host_id', 'binding:profile', 'binding:vif_details', 'binding:vif_type'];
const ISO_Z = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

let n: NeutronUnderTest;

before(async () => {
  n = await startNeutron();
});
after(async () => {
  await n.close();
});

async function createNetwork(who: 'admin' | 'alice' | 'bob', attrs: Record<string, unknown> = {}): Promise<any> {
  const res = await n.call(who, 'POST', '/v2.0/networks', { network: { name: 'net', ...attrs } });
  assert.equal(res.status, 201, res.text);
  return res.body.network;
}

async function createSubnet(who: 'admin' | 'alice' | 'bob', attrs: Record<string, unknown>): Promise<any> {
  const res = await n.call(who, 'POST', '/v2.0/subnets', { subnet: { ip_version: 4, ...attrs } });
  assert.equal(res.status, 201, res.text);
  return res.body.subnet;
}

async function createPort(who: 'admin' | 'alice' | 'bob', attrs: Record<string, unknown>): Promise<any> {
  const res = await n.call(who, 'POST', '/v2.0/ports', { port: attrs });
  assert.equal(res.status, 201, res.text);
  return res.body.port;
}

describe('version discovery and extensions', () => {
  test('GET / lists v2.0 without a token', async () => {
    const res = await n.call(null, 'GET', '/');
    assert.equal(res.status, 200);
    assertSampleShape(res.body, 'neutron', 'networks/versions-list-response.json');
    assert.equal(res.body.versions[0].id, 'v2.0');
    assert.equal(res.body.versions[0].links[0].href, `${n.url}/v2.0`);
    assert.match(String(res.headers['x-openstack-request-id']), /^req-[0-9a-f-]{36}$/);
  });

  test('GET /v2.0 needs a token and lists the core resources', async () => {
    const anon = await n.call(null, 'GET', '/v2.0');
    assert.equal(anon.status, 401);
    const res = await n.call('alice', 'GET', '/v2.0/');
    assert.equal(res.status, 200);
    assertSampleShape(res.body, 'neutron', 'networks/version-show-response.json');
    assert.deepEqual(res.body.resources.map((r: any) => r.collection).sort(), ['networks', 'ports', 'subnets']);
  });

  test('extensions list and show by alias', async () => {
    const res = await n.call('alice', 'GET', '/v2.0/extensions');
    assert.equal(res.status, 200);
    assertSampleShape(res.body, 'neutron', 'extensions/extensions-list-response.json');
    const aliases = res.body.extensions.map((e: any) => e.alias);
    for (const a of [
      'router',
      'extraroute',
      'external-net',
      'provider',
      'binding',
      'security-group',
      'availability_zone',
      'network_availability_zone',
      'standard-attr-tag',
      'standard-attr-timestamp',
      'project-id',
      'pagination',
      'sorting',
      'filter-validation',
      'net-mtu',
      'port-security',
      'allowed-address-pairs',
    ]) {
      assert.ok(aliases.includes(a), `extension ${a} advertised`);
    }
    const one = await n.call('alice', 'GET', '/v2.0/extensions/router');
    assert.equal(one.status, 200);
    assertSampleShape(one.body, 'neutron', 'extensions/extension-show-response.json');
    assert.equal(one.body.extension.name, 'Neutron L3 Router');
    const missing = await n.call('alice', 'GET', '/v2.0/extensions/no-such-thing');
    assert.equal(missing.status, 404);
    assert.equal(neutronError(missing).message, 'Extension with alias no-such-thing does not exist');
  });

  test('availability zones, with filters', async () => {
    const res = await n.call('alice', 'GET', '/v2.0/availability_zones');
    assert.equal(res.status, 200);
    assertSampleShape(res.body, 'neutron', 'availability-zones/azs-list-response.json');
    assert.equal(res.body.availability_zones.length, 2);
    const routers = await n.call('alice', 'GET', '/v2.0/availability_zones?resource=router');
    assert.deepEqual(routers.body.availability_zones, [{ name: 'nova', resource: 'router', state: 'available' }]);
  });

  test('unknown paths answer a NeutronError 404', async () => {
    const res = await n.call('alice', 'GET', '/v2.0/nothing-here');
    assert.equal(res.status, 404);
    assert.equal(neutronError(res).type, 'HTTPNotFound');
  });
});

describe('networks', () => {
  test('create as a project member: defaults, timestamps, no provider attributes', async () => {
    const res = await n.call('alice', 'POST', '/v2.0/networks', { network: { name: 'net1', description: 'd' } });
    assert.equal(res.status, 201);
    assertSampleShape(res.body, 'neutron', 'networks/network-create-response.json', NET_OPTIONAL);
    const net = res.body.network;
    assert.equal(net.project_id, PROJECT.alice);
    assert.equal(net.tenant_id, PROJECT.alice);
    assert.equal(net.status, 'ACTIVE');
    assert.equal(net.admin_state_up, true);
    assert.equal(net.shared, false);
    assert.equal(net['router:external'], false);
    assert.equal(net.mtu, 1450);
    assert.equal(net.revision_number, 1);
    assert.equal(net.port_security_enabled, true);
    assert.deepEqual(net.subnets, []);
    assert.deepEqual(net.availability_zones, ['nova']);
    assert.match(net.created_at, ISO_Z);
    assert.match(net.updated_at, ISO_Z);
    assert.ok(!('provider:network_type' in net), 'provider attributes are admin-only');
  });

  test('provider networks: admin only, VLAN ids unique per physnet and allocated when omitted', async () => {
    const denied = await n.call('alice', 'POST', '/v2.0/networks', {
      network: { name: 'x', 'provider:network_type': 'vlan', 'provider:physical_network': 'physnet1' },
    });
    assert.equal(denied.status, 403);
    assert.deepEqual(neutronError(denied), {
      type: 'PolicyNotAuthorized',
      message: '((rule:create_network and rule:create_network:provider:network_type) and rule:create_network:provider:physical_network) is disallowed by policy',
      detail: '',
    });
    const internal = await n.call('alice', 'POST', '/v2.0/networks', { network: { 'router:external': false } });
    assert.equal(internal.status, 403, 'router:external has no default upstream: even false needs the rule');
    assert.equal(neutronError(internal).message, '(rule:create_network and rule:create_network:router:external) is disallowed by policy');
    const notShared = await n.call('alice', 'POST', '/v2.0/networks', { network: { shared: false } });
    assert.equal(notShared.status, 201, 'shared defaults to false: giving false is not setting it');
    const shared = await n.call('alice', 'POST', '/v2.0/networks', { network: { shared: true } });
    assert.equal(shared.status, 403);
    assert.equal(neutronError(shared).message, '(rule:create_network and rule:create_network:shared) is disallowed by policy');

    const res = await n.call('admin', 'POST', '/v2.0/networks', {
      network: { name: 'net1', admin_state_up: true, 'provider:network_type': 'vlan', 'provider:physical_network': 'public', 'provider:segmentation_id': 2 },
    });
    assert.equal(res.status, 201);
    assertSampleShape(res.body, 'neutron', 'networks/network-provider-create-response.json', NET_OPTIONAL);
    assert.equal(res.body.network.mtu, 1500);
    assert.equal(res.body.network['provider:segmentation_id'], 2);

    const again = await n.call('admin', 'POST', '/v2.0/networks', {
      network: { 'provider:network_type': 'vlan', 'provider:physical_network': 'public', 'provider:segmentation_id': 2 },
    });
    assert.equal(again.status, 409);
    assert.deepEqual(neutronError(again), {
      type: 'VlanIdInUse',
      message: 'Unable to create the network. The VLAN 2 on physical network public is in use.',
      detail: '',
    });
    const otherPhysnet = await n.call('admin', 'POST', '/v2.0/networks', {
      network: { 'provider:network_type': 'vlan', 'provider:physical_network': 'physnet2', 'provider:segmentation_id': 2 },
    });
    assert.equal(otherPhysnet.status, 201);

    const allocated = await createNetwork('admin', { 'provider:network_type': 'vlan', 'provider:physical_network': 'physnet1' });
    const allocated2 = await createNetwork('admin', { 'provider:network_type': 'vlan', 'provider:physical_network': 'physnet1' });
    assert.ok(allocated['provider:segmentation_id'] >= 1000 && allocated['provider:segmentation_id'] <= 1999);
    assert.notEqual(allocated['provider:segmentation_id'], allocated2['provider:segmentation_id']);

    const outOfRange = await n.call('admin', 'POST', '/v2.0/networks', {
      network: { 'provider:network_type': 'vlan', 'provider:physical_network': 'physnet1', 'provider:segmentation_id': 4095 },
    });
    assert.equal(outOfRange.status, 400);
    assert.equal(neutronError(outOfRange).message, 'Invalid input for operation: segmentation_id out of range (1 through 4094).');

    const flat = await createNetwork('admin', { 'provider:network_type': 'flat', 'provider:physical_network': 'flatnet' });
    assert.equal(flat['provider:segmentation_id'], null);
    const flat2 = await n.call('admin', 'POST', '/v2.0/networks', {
      network: { 'provider:network_type': 'flat', 'provider:physical_network': 'flatnet' },
    });
    assert.equal(flat2.status, 409);
    assert.equal(neutronError(flat2).type, 'FlatNetworkInUse');

    const local = await createNetwork('admin', { 'provider:network_type': 'local' });
    assert.equal(local['provider:physical_network'], null);

    const bogus = await n.call('admin', 'POST', '/v2.0/networks', { network: { 'provider:network_type': 'frobnicate' } });
    assert.equal(bogus.status, 400);
    assert.deepEqual(neutronError(bogus), {
      type: 'InvalidInput',
      message: "Invalid input for operation: network_type value 'frobnicate' not supported.",
      detail: '',
    });
    // The provider view is hidden from the owner when the owner is not an admin.
    const forAlice = await createNetwork('admin', { project_id: PROJECT.alice, 'provider:network_type': 'vxlan', 'provider:segmentation_id': 4242 });
    const seen = await n.call('alice', 'GET', `/v2.0/networks/${forAlice.id}`);
    assert.equal(seen.status, 200);
    assert.equal(seen.body.network.project_id, PROJECT.alice);
    assert.ok(!('provider:segmentation_id' in seen.body.network));
  });

  test('show, update (revision), delete; others get 404', async () => {
    const net = await createNetwork('alice', { name: 'before' });
    const shown = await n.call('alice', 'GET', `/v2.0/networks/${net.id}`);
    assert.equal(shown.status, 200);
    assertSampleShape(shown.body, 'neutron', 'networks/network-show-response.json', NET_OPTIONAL);

    const upd = await n.call('alice', 'PUT', `/v2.0/networks/${net.id}`, { network: { name: 'after', mtu: 1300 } });
    assert.equal(upd.status, 200);
    assertSampleShape(upd.body, 'neutron', 'networks/network-update-response.json', NET_OPTIONAL);
    assert.equal(upd.body.network.name, 'after');
    assert.equal(upd.body.network.mtu, 1300);
    assert.equal(upd.body.network.revision_number, 2);

    const big = await n.call('alice', 'PUT', `/v2.0/networks/${net.id}`, { network: { mtu: 9000 } });
    assert.equal(big.status, 400);
    assert.equal(neutronError(big).message, 'Invalid input for operation: Requested MTU is too big, maximum is 1450.');

    const bobGet = await n.call('bob', 'GET', `/v2.0/networks/${net.id}`);
    assert.equal(bobGet.status, 404);
    assert.deepEqual(neutronError(bobGet), { type: 'NetworkNotFound', message: `Network ${net.id} could not be found.`, detail: '' });
    assert.equal((await n.call('bob', 'PUT', `/v2.0/networks/${net.id}`, { network: { name: 'x' } })).status, 404);
    assert.equal((await n.call('bob', 'DELETE', `/v2.0/networks/${net.id}`)).status, 404);

    const readOnly = await n.call('alice', 'PUT', `/v2.0/networks/${net.id}`, { network: { id: 'x' } });
    assert.equal(readOnly.status, 400);
    assert.equal(neutronError(readOnly).message, 'Cannot update read-only attribute id');

    const del = await n.call('alice', 'DELETE', `/v2.0/networks/${net.id}`);
    assert.equal(del.status, 204);
    assert.equal(del.text, '');
    assert.equal((await n.call('alice', 'GET', `/v2.0/networks/${net.id}`)).status, 404);
  });

  test('shared and external networks are visible to everyone but changed only by their owner', async () => {
    const shared = await createNetwork('admin', { name: 'shared-net', shared: true });
    const external = await createNetwork('admin', { name: 'ext-net', 'router:external': true });
    const list = await n.call('bob', 'GET', '/v2.0/networks');
    const ids = list.body.networks.map((x: any) => x.id);
    assert.ok(ids.includes(shared.id));
    assert.ok(ids.includes(external.id));
    const upd = await n.call('bob', 'PUT', `/v2.0/networks/${shared.id}`, { network: { name: 'mine' } });
    assert.equal(upd.status, 403);
    assert.deepEqual(neutronError(upd), { type: 'PolicyNotAuthorized', message: 'rule:update_network is disallowed by policy', detail: '' });
    const del = await n.call('bob', 'DELETE', `/v2.0/networks/${external.id}`);
    assert.equal(del.status, 403);
    assert.equal(neutronError(del).message, 'rule:delete_network is disallowed by policy');
  });

  test('delete refuses networks with ports, but removes the DHCP port itself', async () => {
    const net = await createNetwork('alice');
    await createSubnet('alice', { network_id: net.id, cidr: '10.9.0.0/24' });
    const port = await createPort('alice', { network_id: net.id });
    const busy = await n.call('alice', 'DELETE', `/v2.0/networks/${net.id}`);
    assert.equal(busy.status, 409);
    assert.deepEqual(neutronError(busy), {
      type: 'NetworkInUse',
      message: `Unable to complete operation on network ${net.id}. There are one or more ports still in use on the network, id for these ports is: ${port.id}.`,
      detail: '',
    });
    assert.equal((await n.call('alice', 'DELETE', `/v2.0/ports/${port.id}`)).status, 204);
    assert.equal((await n.call('alice', 'DELETE', `/v2.0/networks/${net.id}`)).status, 204);
    const left = await n.call('admin', 'GET', `/v2.0/ports?network_id=${net.id}`);
    assert.deepEqual(left.body.ports, []);
    const subnets = await n.call('admin', 'GET', `/v2.0/subnets?network_id=${net.id}`);
    assert.deepEqual(subnets.body.subnets, []);
  });

  test('bulk create is all or nothing', async () => {
    const res = await n.call('alice', 'POST', '/v2.0/networks', {
      networks: [
        { admin_state_up: true, name: 'bulk3' },
        { admin_state_up: true, name: 'bulk4' },
      ],
    });
    assert.equal(res.status, 201);
    assertSampleShape(res.body, 'neutron', 'networks/networks-bulk-create-response.json', NETS_OPTIONAL);
    assert.deepEqual(
      res.body.networks.map((x: any) => x.name),
      ['bulk3', 'bulk4'],
    );
    const bad = await n.call('alice', 'POST', '/v2.0/networks', { networks: [{ name: 'bulk5' }, { name: 'bulk6', mtu: 'big' }] });
    assert.equal(bad.status, 400);
    const after = await n.call('alice', 'GET', '/v2.0/networks?name=bulk5');
    assert.deepEqual(after.body.networks, []);
  });

  test('bad bodies answer 400 with upstream messages', async () => {
    const cases: [unknown, string | undefined, string][] = [
      [undefined, '{not json', 'Body contains invalid data'],
      [undefined, '', 'Resource body required'],
      [{ net: {} }, undefined, "Unable to find 'network' in request body"],
      [{ network: { foo: 1, bar: 2 } }, undefined, "Unrecognized attribute(s) 'foo, bar'"],
      [{ network: { id: 'abc' } }, undefined, "Attribute 'id' not allowed in POST"],
      [{ network: { admin_state_up: 'maybe' } }, undefined, "Invalid input for operation: 'maybe' cannot be converted to boolean."],
      [{ network: { name: 42 } }, undefined, "Invalid input for name. Reason: '42' is not a valid string."],
      [{ network: { availability_zone_hints: 'nova' } }, undefined, "Invalid input for availability_zone_hints. Reason: ''nova'' is not a list."],
    ];
    for (const [body, raw, message] of cases) {
      const res = await n.call('alice', 'POST', '/v2.0/networks', body, raw);
      assert.equal(res.status, 400, `${raw ?? JSON.stringify(body)}: ${res.text}`);
      assert.equal(neutronError(res).message, message);
    }
    const az = await n.call('alice', 'POST', '/v2.0/networks', { network: { availability_zone_hints: ['az-nope'] } });
    assert.equal(az.status, 404);
    assert.deepEqual(neutronError(az), { type: 'AvailabilityZoneNotFound', message: 'AvailabilityZone az-nope could not be found.', detail: '' });
    const otherProject = await n.call('alice', 'POST', '/v2.0/networks', { network: { project_id: PROJECT.bob } });
    assert.equal(otherProject.status, 400);
  });
});

describe('subnets and IPAM', () => {
  test('IPv4: CIDR normalised, first host as gateway, pools around it, DHCP port on the first free address', async () => {
    const net = await createNetwork('alice');
    const res = await n.call('alice', 'POST', '/v2.0/subnets', { subnet: { network_id: net.id, ip_version: 4, cidr: '192.168.199.77/24' } });
    assert.equal(res.status, 201, res.text);
    assertSampleShape(res.body, 'neutron', 'subnets/subnet-create-response.json', SUBNET_OPTIONAL);
    const s = res.body.subnet;
    assert.equal(s.cidr, '192.168.199.0/24');
    assert.equal(s.gateway_ip, '192.168.199.1');
    assert.deepEqual(s.allocation_pools, [{ start: '192.168.199.2', end: '192.168.199.254' }]);
    assert.equal(s.enable_dhcp, true);
    assert.equal(s.subnetpool_id, null);
    assert.equal(s['router:external'], false);
    const dhcp = await n.call('admin', 'GET', `/v2.0/ports?network_id=${net.id}&device_owner=network:dhcp`);
    assert.equal(dhcp.body.ports.length, 1);
    assert.deepEqual(dhcp.body.ports[0].fixed_ips, [{ subnet_id: s.id, ip_address: '192.168.199.2' }]);
    assert.equal(dhcp.body.ports[0].status, 'ACTIVE');
    assert.equal(dhcp.body.ports[0].project_id, PROJECT.alice);
    const port = await createPort('alice', { network_id: net.id });
    assert.deepEqual(port.fixed_ips, [{ subnet_id: s.id, ip_address: '192.168.199.3' }]);
    const shownNet = await n.call('alice', 'GET', `/v2.0/networks/${net.id}`);
    assert.deepEqual(shownNet.body.network.subnets, [s.id]);

    const list = await n.call('alice', 'GET', `/v2.0/subnets?network_id=${net.id}`);
    assertSampleShape(list.body, 'neutron', 'subnets/subnets-list-response.json', ['subnets[].dns_publish_fixed_ip']);
    const shown = await n.call('alice', 'GET', `/v2.0/subnets/${s.id}`);
    assertSampleShape(shown.body, 'neutron', 'subnets/subnet-show-response.json', SUBNET_OPTIONAL);
  });

  test('gateway_ip null leaves the whole range to the pools; DHCP off creates no port', async () => {
    const net = await createNetwork('alice');
    const s = await createSubnet('alice', { network_id: net.id, cidr: '10.20.0.0/28', gateway_ip: null, enable_dhcp: false });
    assert.equal(s.gateway_ip, null);
    assert.deepEqual(s.allocation_pools, [{ start: '10.20.0.1', end: '10.20.0.14' }]);
    const ports = await n.call('admin', 'GET', `/v2.0/ports?network_id=${net.id}`);
    assert.deepEqual(ports.body.ports, []);
  });

  test('allocation pool validation', async () => {
    const net = await createNetwork('alice');
    const base = { network_id: net.id, ip_version: 4, cidr: '10.30.0.0/24' };
    const cases: [Record<string, unknown>, number, string, string][] = [
      [
        { allocation_pools: [{ start: '10.30.0.10', end: '10.30.1.5' }] },
        400,
        'OutOfBoundsAllocationPool',
        'The allocation pool 10.30.0.10-10.30.1.5 spans beyond the subnet cidr 10.30.0.0/24.',
      ],
      [
        {
          allocation_pools: [
            { start: '10.30.0.10', end: '10.30.0.20' },
            { start: '10.30.0.15', end: '10.30.0.30' },
          ],
        },
        409,
        'OverlappingAllocationPools',
        'Found overlapping allocation pools: 10.30.0.10-10.30.0.20 10.30.0.15-10.30.0.30 for subnet 10.30.0.0/24.',
      ],
      [
        { allocation_pools: [{ start: '10.30.0.1', end: '10.30.0.20' }] },
        409,
        'GatewayConflictWithAllocationPools',
        'Gateway ip 10.30.0.1 conflicts with allocation pool 10.30.0.1-10.30.0.20.',
      ],
      [
        { allocation_pools: [{ start: '10.30.0.20', end: '10.30.0.10' }] },
        400,
        'InvalidAllocationPool',
        "The allocation pool {'start': '10.30.0.20', 'end': '10.30.0.10'} is not valid.",
      ],
      [{ gateway_ip: '10.30.0.255' }, 400, 'InvalidInput', 'Invalid input for operation: Gateway is not valid on subnet.'],
      [{ gateway_ip: 'fe80::1' }, 400, 'InvalidInput', "Invalid input for operation: gateway_ip 'fe80::1' does not match the ip_version '4'."],
      [{ cidr: '2001:db8::/64' }, 400, 'InvalidInput', "Invalid input for operation: cidr '2001:db8::/64' does not match the ip_version '4'."],
      [{ cidr: '10.30.0.0' }, 400, 'HTTPBadRequest', "Invalid input for cidr. Reason: '10.30.0.0' isn't a recognized IP subnet cidr, '10.30.0.0/32' is recommended."],
      [{ cidr: 'banana' }, 400, 'HTTPBadRequest', "Invalid input for cidr. Reason: 'banana' is not a valid IP subnet."],
      [{ ipv6_ra_mode: 'slaac' }, 400, 'InvalidInput', 'Invalid input for operation: ipv6_ra_mode is not valid when ip_version is 4.'],
      [{ dns_nameservers: ['1.1.1.1', 'x'] }, 400, 'HTTPBadRequest', "Invalid input for dns_nameservers. Reason: 'x' is not a valid nameserver. 'x' is not a valid IP address."],
    ];
    for (const [extra, status, type, message] of cases) {
      const res = await n.call('alice', 'POST', '/v2.0/subnets', { subnet: { ...base, ...extra } });
      assert.equal(res.status, status, `${JSON.stringify(extra)}: ${res.text}`);
      assert.deepEqual(neutronError(res), { type, message, detail: '' });
    }
    const missing = await n.call('alice', 'POST', '/v2.0/subnets', { subnet: { network_id: net.id, cidr: '10.30.0.0/24' } });
    assert.equal(missing.status, 400);
    assert.equal(neutronError(missing).message, "Failed to parse request. Required attribute 'ip_version' not specified");

    const ok = await createSubnet('alice', {
      ...base,
      allocation_pools: [
        { start: '10.30.0.100', end: '10.30.0.110' },
        { start: '10.30.0.200', end: '10.30.0.210' },
      ],
      dns_nameservers: ['8.8.8.8'],
      host_routes: [{ destination: '10.99.0.0/16', nexthop: '10.30.0.254' }],
    });
    assert.deepEqual(ok.allocation_pools, [
      { start: '10.30.0.100', end: '10.30.0.110' },
      { start: '10.30.0.200', end: '10.30.0.210' },
    ]);
    assert.deepEqual(ok.host_routes, [{ destination: '10.99.0.0/16', nexthop: '10.30.0.254' }]);
    const overlap = await n.call('alice', 'POST', '/v2.0/subnets', { subnet: { network_id: net.id, ip_version: 4, cidr: '10.30.0.128/25' } });
    assert.equal(overlap.status, 400);
    assert.equal(neutronError(overlap).message, `Invalid input for operation: Requested subnet with cidr: 10.30.0.128/25 for network: ${net.id} overlaps with another subnet.`);
    // The same CIDR on another network is fine (overlapping IPs across networks).
    const net2 = await createNetwork('alice');
    await createSubnet('alice', { network_id: net2.id, cidr: '10.30.0.0/24' });
  });

  test('IPv6: default gateway and pool, SLAAC addresses from the MAC (EUI-64), mode validation', async () => {
    const net = await createNetwork('alice');
    const stateful = await createSubnet('alice', { network_id: net.id, ip_version: 6, cidr: '2001:DB8:0:1::/64' });
    assert.equal(stateful.cidr, '2001:db8:0:1::/64');
    assert.equal(stateful.gateway_ip, '2001:db8:0:1::1');
    assert.deepEqual(stateful.allocation_pools, [{ start: '2001:db8:0:1::2', end: '2001:db8:0:1:ffff:ffff:ffff:ffff' }]);

    const slaacNet = await createNetwork('alice');
    const slaac = await createSubnet('alice', {
      network_id: slaacNet.id,
      ip_version: 6,
      cidr: '2001:db8:0:2::/64',
      ipv6_ra_mode: 'slaac',
      ipv6_address_mode: 'slaac',
    });
    const port = await createPort('alice', { network_id: slaacNet.id, mac_address: 'fa:16:3e:12:34:56' });
    assert.deepEqual(port.fixed_ips, [{ subnet_id: slaac.id, ip_address: '2001:db8:0:2:f816:3eff:fe12:3456' }]);
    const specific = await n.call('alice', 'POST', '/v2.0/ports', {
      port: { network_id: slaacNet.id, fixed_ips: [{ subnet_id: slaac.id, ip_address: '2001:db8:0:2::99' }] },
    });
    assert.equal(specific.status, 400);
    assert.equal(neutronError(specific).type, 'AllocationOnAutoAddressSubnet');

    const mismatch = await n.call('alice', 'POST', '/v2.0/subnets', {
      subnet: { network_id: net.id, ip_version: 6, cidr: '2001:db8:0:3::/64', ipv6_ra_mode: 'slaac', ipv6_address_mode: 'dhcpv6-stateful' },
    });
    assert.equal(mismatch.status, 400);
    assert.equal(
      neutronError(mismatch).message,
      "Invalid input for operation: ipv6_ra_mode set to 'slaac' with ipv6_address_mode set to 'dhcpv6-stateful' is not valid. If both attributes are set, they must be the same value.",
    );
    const notSlash64 = await n.call('alice', 'POST', '/v2.0/subnets', {
      subnet: { network_id: net.id, ip_version: 6, cidr: '2001:db8:0:4::/80', ipv6_address_mode: 'slaac' },
    });
    assert.equal(notSlash64.status, 400);
    assert.equal(neutronError(notSlash64).type, 'InvalidInput');

    // A dual-stack port gets one address of each family.
    await createSubnet('alice', { network_id: net.id, cidr: '10.40.0.0/24' });
    const dual = await createPort('alice', { network_id: net.id });
    assert.deepEqual(
      dual.fixed_ips.map((f: any) => f.ip_address),
      ['10.40.0.3', '2001:db8:0:1::3'],
    );
  });

  test('update: gateway and pools checked, DHCP toggled, routes and DNS replaced', async () => {
    const net = await createNetwork('alice');
    const s = await createSubnet('alice', { network_id: net.id, cidr: '10.50.0.0/24' });
    const inPool = await n.call('alice', 'PUT', `/v2.0/subnets/${s.id}`, { subnet: { gateway_ip: '10.50.0.100' } });
    assert.equal(inPool.status, 409);
    assert.equal(neutronError(inPool).type, 'GatewayConflictWithAllocationPools');
    const res = await n.call('alice', 'PUT', `/v2.0/subnets/${s.id}`, {
      subnet: { name: 'renamed', allocation_pools: [{ start: '10.50.0.10', end: '10.50.0.50' }], gateway_ip: '10.50.0.254', dns_nameservers: ['9.9.9.9'], enable_dhcp: false },
    });
    assert.equal(res.status, 200, res.text);
    assertSampleShape(res.body, 'neutron', 'subnets/subnet-update-response.json', SUBNET_OPTIONAL);
    assert.equal(res.body.subnet.gateway_ip, '10.50.0.254');
    assert.deepEqual(res.body.subnet.dns_nameservers, ['9.9.9.9']);
    assert.equal(res.body.subnet.revision_number, 2);
    const dhcp = await n.call('admin', 'GET', `/v2.0/ports?network_id=${net.id}`);
    assert.deepEqual(dhcp.body.ports, [], 'DHCP port removed with DHCP disabled');
    const readOnly = await n.call('alice', 'PUT', `/v2.0/subnets/${s.id}`, { subnet: { cidr: '10.51.0.0/24' } });
    assert.equal(readOnly.status, 400);
    assert.equal(neutronError(readOnly).message, 'Cannot update read-only attribute cidr');
  });

  test('delete: SubnetInUse while ports hold addresses; others cannot touch it', async () => {
    const net = await createNetwork('alice');
    const s = await createSubnet('alice', { network_id: net.id, cidr: '10.60.0.0/24' });
    const port = await createPort('alice', { network_id: net.id });
    const busy = await n.call('alice', 'DELETE', `/v2.0/subnets/${s.id}`);
    assert.equal(busy.status, 409);
    assert.deepEqual(neutronError(busy), {
      type: 'SubnetInUse',
      message: `Unable to complete operation on subnet ${s.id}: One or more ports have an IP allocation from this subnet.`,
      detail: '',
    });
    const bob = await n.call('bob', 'DELETE', `/v2.0/subnets/${s.id}`);
    assert.equal(bob.status, 404);
    assert.deepEqual(neutronError(bob), { type: 'SubnetNotFound', message: `Subnet ${s.id} could not be found.`, detail: '' });
    await n.call('alice', 'DELETE', `/v2.0/ports/${port.id}`);
    assert.equal((await n.call('alice', 'DELETE', `/v2.0/subnets/${s.id}`)).status, 204);
    const ports = await n.call('admin', 'GET', `/v2.0/ports?network_id=${net.id}`);
    assert.deepEqual(ports.body.ports, [], 'the DHCP port goes with the last DHCP subnet');
  });

  test('the DHCP agent adopts a reserved DHCP port made in advance (same IP and MAC)', async () => {
    const net = await createNetwork('alice');
    const s = await createSubnet('alice', {
      network_id: net.id,
      cidr: '10.77.0.0/24',
      gateway_ip: '10.77.0.10',
      enable_dhcp: false,
      allocation_pools: [
        { start: '10.77.0.2', end: '10.77.0.9' },
        { start: '10.77.0.11', end: '10.77.0.254' },
      ],
    });
    const reserved = await createPort('alice', {
      network_id: net.id,
      name: 'dhcp_port',
      device_id: 'reserved_dhcp_port',
      device_owner: 'network:dhcp',
      mac_address: 'fa:16:3e:77:77:77',
      fixed_ips: [{ subnet_id: s.id, ip_address: '10.77.0.5' }],
    });
    const enabled = await n.call('alice', 'PUT', `/v2.0/subnets/${s.id}`, { subnet: { enable_dhcp: true } });
    assert.equal(enabled.status, 200, enabled.text);
    const dhcp = await n.call('admin', 'GET', `/v2.0/ports?network_id=${net.id}&device_owner=network:dhcp`);
    assert.equal(dhcp.body.ports.length, 1);
    const port = dhcp.body.ports[0];
    assert.equal(port.id, reserved.id);
    assert.equal(port.mac_address, 'fa:16:3e:77:77:77');
    assert.deepEqual(port.fixed_ips, [{ subnet_id: s.id, ip_address: '10.77.0.5' }]);
    assert.match(port.device_id, /^dhcp[0-9a-f-]+-/);
    assert.equal(port.status, 'ACTIVE');
    const vm = await createPort('alice', { network_id: net.id });
    assert.equal(vm.fixed_ips[0].ip_address, '10.77.0.2');
  });

  test('subnets on networks of other projects: 404 when hidden, 403 on a shared one', async () => {
    const aliceNet = await createNetwork('alice');
    const hidden = await n.call('bob', 'POST', '/v2.0/subnets', { subnet: { network_id: aliceNet.id, ip_version: 4, cidr: '10.70.0.0/24' } });
    assert.equal(hidden.status, 404);
    assert.equal(neutronError(hidden).type, 'NetworkNotFound');
    const shared = await createNetwork('admin', { shared: true });
    const denied = await n.call('bob', 'POST', '/v2.0/subnets', { subnet: { network_id: shared.id, ip_version: 4, cidr: '10.70.0.0/24' } });
    assert.equal(denied.status, 403);
    assert.equal(neutronError(denied).message, 'rule:create_subnet is disallowed by policy');
  });
});

describe('ports', () => {
  let net: any;
  let subnet: any;
  before(async () => {
    net = await createNetwork('alice', { name: 'port-net' });
    subnet = await createSubnet('alice', { network_id: net.id, cidr: '10.80.0.0/24' });
  });

  test('create: generated MAC, next free address, default security group, DOWN', async () => {
    const res = await n.call('alice', 'POST', '/v2.0/ports', { port: { network_id: net.id, name: 'p1', admin_state_up: true } });
    assert.equal(res.status, 201, res.text);
    assertSampleShape(
      res.body,
      'neutron',
      'ports/port-create-response.json',
      PORT_OPTIONAL.map((k) => `port.${k}`),
    );
    const p = res.body.port;
    assert.match(p.mac_address, /^fa:16:3e(:[0-9a-f]{2}){3}$/);
    assert.equal(p.status, 'DOWN');
    assert.equal(p.device_owner, '');
    assert.equal(p['binding:vnic_type'], 'normal');
    assert.ok(!('binding:host_id' in p), 'binding details are admin-only');
    assert.equal(p.fixed_ips[0].subnet_id, subnet.id);
    const sgs = await n.call('alice', 'GET', '/v2.0/security-groups?name=default');
    assert.deepEqual(p.security_groups, [sgs.body.security_groups[0].id]);
    const shown = await n.call('alice', 'GET', `/v2.0/ports/${p.id}`);
    assertSampleShape(
      shown.body,
      'neutron',
      'ports/port-show-response.json',
      PORT_OPTIONAL.map((k) => `port.${k}`),
    );
  });

  test('requested addresses: in use, outside the subnet, unknown subnets', async () => {
    const p = await createPort('alice', { network_id: net.id, fixed_ips: [{ ip_address: '10.80.0.50' }] });
    assert.deepEqual(p.fixed_ips, [{ subnet_id: subnet.id, ip_address: '10.80.0.50' }]);
    const taken = await n.call('alice', 'POST', '/v2.0/ports', { port: { network_id: net.id, fixed_ips: [{ subnet_id: subnet.id, ip_address: '10.80.0.50' }] } });
    assert.equal(taken.status, 409);
    assert.deepEqual(neutronError(taken), {
      type: 'IpAddressAlreadyAllocated',
      message: `IP address 10.80.0.50 already allocated in subnet ${subnet.id}`,
      detail: '',
    });
    const outside = await n.call('alice', 'POST', '/v2.0/ports', { port: { network_id: net.id, fixed_ips: [{ subnet_id: subnet.id, ip_address: '10.81.0.5' }] } });
    assert.equal(outside.status, 400);
    assert.deepEqual(neutronError(outside), {
      type: 'InvalidIpForSubnet',
      message: 'IP address 10.81.0.5 is not a valid IP for the specified subnet.',
      detail: '',
    });
    const broadcast = await n.call('alice', 'POST', '/v2.0/ports', { port: { network_id: net.id, fixed_ips: [{ subnet_id: subnet.id, ip_address: '10.80.0.255' }] } });
    assert.equal(broadcast.status, 400);
    const noSubnet = await n.call('alice', 'POST', '/v2.0/ports', { port: { network_id: net.id, fixed_ips: [{ ip_address: '172.16.0.1' }] } });
    assert.equal(noSubnet.status, 400);
    assert.equal(neutronError(noSubnet).type, 'InvalidIpForNetwork');
    const other = await createNetwork('alice');
    const otherSubnet = await createSubnet('alice', { network_id: other.id, cidr: '10.82.0.0/24' });
    const wrong = await n.call('alice', 'POST', '/v2.0/ports', { port: { network_id: net.id, fixed_ips: [{ subnet_id: otherSubnet.id }] } });
    assert.equal(wrong.status, 400);
    assert.equal(
      neutronError(wrong).message,
      `Invalid input for operation: Failed to create port on network ${other.id}, because fixed_ips included invalid subnet ${otherSubnet.id}.`,
    );
    const badIp = await n.call('alice', 'POST', '/v2.0/ports', { port: { network_id: net.id, fixed_ips: [{ ip_address: '10.80.0.300' }] } });
    assert.equal(badIp.status, 400);
    assert.equal(neutronError(badIp).message, "Invalid input for fixed_ips. Reason: '10.80.0.300' is not a valid IP address.");
    // Requested addresses outside the pools but inside the CIDR are allowed (as upstream).
    const gw = await createPort('alice', { network_id: net.id, fixed_ips: [{ ip_address: '10.80.0.1' }] });
    assert.equal(gw.fixed_ips[0].ip_address, '10.80.0.1');
  });

  test('MAC addresses: given, canonicalised, unique per network', async () => {
    const p = await createPort('alice', { network_id: net.id, mac_address: 'FA:16:3E:AA:BB:CC' });
    assert.equal(p.mac_address, 'fa:16:3e:aa:bb:cc');
    const dup = await n.call('alice', 'POST', '/v2.0/ports', { port: { network_id: net.id, mac_address: 'fa:16:3e:aa:bb:cc' } });
    assert.equal(dup.status, 409);
    assert.deepEqual(neutronError(dup), {
      type: 'MacAddressInUse',
      message: `Unable to complete operation for network ${net.id}. The mac address fa:16:3e:aa:bb:cc is in use.`,
      detail: '',
    });
    const invalid = await n.call('alice', 'POST', '/v2.0/ports', { port: { network_id: net.id, mac_address: 'zz:16:3e:aa:bb:cc' } });
    assert.equal(invalid.status, 400);
    assert.equal(neutronError(invalid).message, "Invalid input for mac_address. Reason: 'zz:16:3e:aa:bb:cc' is not a valid MAC address.");
  });

  test('exhaustion answers IpAddressGenerationFailure', async () => {
    const small = await createNetwork('alice');
    const s = await createSubnet('alice', { network_id: small.id, cidr: '10.90.0.0/29' });
    // .1 gateway, .2 DHCP, .3-.6 for ports.
    for (let i = 0; i < 4; i++) await createPort('alice', { network_id: small.id });
    const full = await n.call('alice', 'POST', '/v2.0/ports', { port: { network_id: small.id } });
    assert.equal(full.status, 409);
    assert.deepEqual(neutronError(full), {
      type: 'IpAddressGenerationFailure',
      message: `No more IP addresses available on network ${small.id}.`,
      detail: '',
    });
    const bySubnet = await n.call('alice', 'POST', '/v2.0/ports', { port: { network_id: small.id, fixed_ips: [{ subnet_id: s.id }] } });
    assert.equal(bySubnet.status, 409);
    assert.equal(neutronError(bySubnet).message, `No more IP addresses available for subnet ${s.id}.`);
  });

  test('update: fixed IPs re-run IPAM and release the old address', async () => {
    const p = await createPort('alice', { network_id: net.id, fixed_ips: [{ ip_address: '10.80.0.60' }] });
    const res = await n.call('alice', 'PUT', `/v2.0/ports/${p.id}`, { port: { name: 'moved', fixed_ips: [{ subnet_id: subnet.id, ip_address: '10.80.0.61' }] } });
    assert.equal(res.status, 200, res.text);
    assertSampleShape(
      res.body,
      'neutron',
      'ports/port-update-response.json',
      [...PORT_OPTIONAL, ...BINDING_ADMIN].map((k) => `port.${k}`),
    );
    assert.deepEqual(res.body.port.fixed_ips, [{ subnet_id: subnet.id, ip_address: '10.80.0.61' }]);
    assert.equal(res.body.port.revision_number, 2);
    const reuse = await createPort('alice', { network_id: net.id, fixed_ips: [{ ip_address: '10.80.0.60' }] });
    assert.equal(reuse.fixed_ips[0].ip_address, '10.80.0.60');
    const keepAndAdd = await n.call('alice', 'PUT', `/v2.0/ports/${p.id}`, {
      port: { fixed_ips: [{ subnet_id: subnet.id, ip_address: '10.80.0.61' }, { subnet_id: subnet.id }] },
    });
    assert.equal(keepAndAdd.body.port.fixed_ips.length, 2);
    assert.equal(keepAndAdd.body.port.fixed_ips[0].ip_address, '10.80.0.61');
    const network = await n.call('alice', 'PUT', `/v2.0/ports/${p.id}`, { port: { network_id: net.id } });
    assert.equal(network.status, 400);
    assert.equal(neutronError(network).message, 'Cannot update read-only attribute network_id');
  });

  test('binding: admin only; bound to a device and host the port turns ACTIVE', async () => {
    const p = await createPort('alice', { network_id: net.id });
    const denied = await n.call('alice', 'PUT', `/v2.0/ports/${p.id}`, { port: { 'binding:host_id': 'compute1' } });
    assert.equal(denied.status, 403);
    assert.equal(neutronError(denied).message, '(rule:update_port and rule:update_port:binding:host_id) is disallowed by policy');
    const bound = await n.call('admin', 'PUT', `/v2.0/ports/${p.id}`, {
      port: { 'binding:host_id': 'compute1', device_id: 'a3f1c3f8-9a57-4c7e-9d0c-0d1c7f1a2b3c', device_owner: 'compute:nova' },
    });
    assert.equal(bound.status, 200, bound.text);
    assert.equal(bound.body.port.status, 'ACTIVE');
    assert.equal(bound.body.port['binding:vif_type'], 'ovs');
    assert.equal(bound.body.port['binding:host_id'], 'compute1');
    assert.equal(bound.body.port['binding:vif_details'].port_filter, true);
    const list = await n.call('admin', 'GET', `/v2.0/ports?id=${p.id}`);
    assertSampleShape(
      list.body,
      'neutron',
      'ports/ports-bind-list-response.json',
      PORT_OPTIONAL.map((k) => `ports[].${k}`),
    );
    const show = await n.call('admin', 'GET', `/v2.0/ports/${p.id}`);
    assertSampleShape(
      show.body,
      'neutron',
      'ports/port-bind-show-response.json',
      PORT_OPTIONAL.map((k) => `port.${k}`),
    );
    const unbound = await n.call('admin', 'PUT', `/v2.0/ports/${p.id}`, { port: { 'binding:host_id': '', device_id: '' } });
    assert.equal(unbound.body.port.status, 'DOWN');
    assert.equal(unbound.body.port['binding:vif_type'], 'unbound');
    assert.deepEqual(unbound.body.port['binding:vif_details'], {});
  });

  test('port security, security groups and allowed address pairs', async () => {
    const plain = await createPort('alice', { network_id: net.id, port_security_enabled: false });
    assert.deepEqual(plain.security_groups, []);
    const sgs = await n.call('alice', 'GET', '/v2.0/security-groups?name=default');
    const sgId = sgs.body.security_groups[0].id;
    const conflicting = await n.call('alice', 'POST', '/v2.0/ports', { port: { network_id: net.id, port_security_enabled: false, security_groups: [sgId] } });
    assert.equal(conflicting.status, 400);
    assert.equal(neutronError(conflicting).type, 'PortSecurityAndIPRequiredForSecurityGroups');
    const p = await createPort('alice', {
      network_id: net.id,
      allowed_address_pairs: [{ ip_address: '10.80.0.200' }, { ip_address: '10.85.0.0/24', mac_address: 'fa:16:3e:00:00:01' }],
    });
    assert.deepEqual(p.allowed_address_pairs, [
      { ip_address: '10.80.0.200', mac_address: p.mac_address },
      { ip_address: '10.85.0.0/24', mac_address: 'fa:16:3e:00:00:01' },
    ]);
    const disable = await n.call('alice', 'PUT', `/v2.0/ports/${p.id}`, { port: { port_security_enabled: false } });
    assert.equal(disable.status, 409);
    assert.equal(neutronError(disable).type, 'PortSecurityPortHasSecurityGroup');
    const clear = await n.call('alice', 'PUT', `/v2.0/ports/${p.id}`, { port: { port_security_enabled: false, security_groups: [], allowed_address_pairs: [] } });
    assert.equal(clear.status, 200, clear.text);
    assert.equal(clear.body.port.port_security_enabled, false);
    const unknownSg = await n.call('alice', 'POST', '/v2.0/ports', { port: { network_id: net.id, security_groups: ['9b6a1a57-f7a5-4f0d-a0d4-6a2a3a5a1c00'] } });
    assert.equal(unknownSg.status, 404);
    assert.equal(neutronError(unknownSg).message, 'Security group 9b6a1a57-f7a5-4f0d-a0d4-6a2a3a5a1c00 does not exist');
    const pairsNoSec = await n.call('alice', 'POST', '/v2.0/ports', {
      port: { network_id: net.id, port_security_enabled: false, allowed_address_pairs: [{ ip_address: '10.1.1.1' }] },
    });
    assert.equal(pairsNoSec.status, 409);
    assert.equal(neutronError(pairsNoSec).type, 'AddressPairAndPortSecurityRequired');
  });

  test('visibility: own ports, network owner sees ports on its network, others get 404', async () => {
    const p = await createPort('alice', { network_id: net.id });
    const bob = await n.call('bob', 'GET', `/v2.0/ports/${p.id}`);
    assert.equal(bob.status, 404);
    assert.deepEqual(neutronError(bob), { type: 'PortNotFound', message: `Port ${p.id} could not be found.`, detail: '' });
    assert.equal((await n.call('bob', 'PUT', `/v2.0/ports/${p.id}`, { port: { name: 'x' } })).status, 404);
    assert.equal((await n.call('bob', 'DELETE', `/v2.0/ports/${p.id}`)).status, 404);
    const bobPorts = await n.call('bob', 'GET', '/v2.0/ports');
    assert.ok(!bobPorts.body.ports.some((x: any) => x.id === p.id));

    const shared = await createNetwork('admin', { shared: true });
    await createSubnet('admin', { network_id: shared.id, cidr: '10.86.0.0/24' });
    const bobsPort = await createPort('bob', { network_id: shared.id });
    const fixed = await n.call('bob', 'POST', '/v2.0/ports', { port: { network_id: shared.id, fixed_ips: [{ ip_address: '10.86.0.99' }] } });
    assert.equal(fixed.status, 403, 'only the network owner picks addresses');
    assert.equal(neutronError(fixed).message, '(rule:create_port and (rule:create_port:fixed_ips and (rule:create_port:fixed_ips:ip_address))) is disallowed by policy');
    const aliceView = await n.call('alice', 'GET', `/v2.0/ports/${bobsPort.id}`);
    assert.equal(aliceView.status, 404);

    const ext = await createNetwork('admin', { 'router:external': true });
    const onExternal = await n.call('alice', 'POST', '/v2.0/ports', { port: { network_id: ext.id } });
    assert.equal(onExternal.status, 404);
    assert.deepEqual(neutronError(onExternal), { type: 'HTTPNotFound', message: 'The resource could not be found.', detail: '' });
  });

  test('bulk create and delete', async () => {
    const res = await n.call('alice', 'POST', '/v2.0/ports', {
      ports: [
        { network_id: net.id, name: 'b1' },
        { network_id: net.id, name: 'b2' },
      ],
    });
    assert.equal(res.status, 201, res.text);
    assertSampleShape(
      res.body,
      'neutron',
      'ports/ports-bulk-create-response.json',
      PORT_OPTIONAL.map((k) => `ports[].${k}`),
    );
    for (const p of res.body.ports) assert.equal((await n.call('alice', 'DELETE', `/v2.0/ports/${p.id}`)).status, 204);
    // A failing item undoes the whole request, addresses included.
    const failing = await n.call('alice', 'POST', '/v2.0/ports', {
      ports: [
        { network_id: net.id, name: 'keep-out', fixed_ips: [{ ip_address: '10.80.0.150' }] },
        { network_id: net.id, fixed_ips: [{ ip_address: '10.80.0.150' }] },
      ],
    });
    assert.equal(failing.status, 409);
    assert.equal(neutronError(failing).type, 'IpAddressAlreadyAllocated');
    assert.deepEqual((await n.call('alice', 'GET', '/v2.0/ports?name=keep-out')).body.ports, []);
    const free = await createPort('alice', { network_id: net.id, fixed_ips: [{ ip_address: '10.80.0.150' }] });
    assert.equal(free.fixed_ips[0].ip_address, '10.80.0.150');
    const gone = await n.call('alice', 'GET', `/v2.0/ports/${res.body.ports[0].id}`);
    assert.equal(gone.status, 404);
  });
});

describe('collections: filters, fields, sorting, pagination', () => {
  const names = ['pg-e', 'pg-a', 'pg-d', 'pg-b', 'pg-c'];
  before(async () => {
    for (const name of names) await createNetwork('bob', { name, admin_state_up: name !== 'pg-c' });
  });

  test('filters: equality, repeated keys are OR, booleans converted, unknown keys refused', async () => {
    const one = await n.call('bob', 'GET', '/v2.0/networks?name=pg-a');
    assert.deepEqual(
      one.body.networks.map((x: any) => x.name),
      ['pg-a'],
    );
    const two = await n.call('bob', 'GET', '/v2.0/networks?name=pg-a&name=pg-b');
    assert.deepEqual(two.body.networks.map((x: any) => x.name).sort(), ['pg-a', 'pg-b']);
    const down = await n.call('bob', 'GET', '/v2.0/networks?admin_state_up=False');
    assert.deepEqual(
      down.body.networks.map((x: any) => x.name),
      ['pg-c'],
    );
    const badBool = await n.call('bob', 'GET', '/v2.0/networks?admin_state_up=perhaps');
    assert.equal(badBool.status, 400);
    assert.equal(neutronError(badBool).message, "Invalid input for operation: 'perhaps' cannot be converted to boolean.");
    const unknown = await n.call('bob', 'GET', '/v2.0/networks?colour=red&shape=round');
    assert.equal(unknown.status, 400);
    assert.deepEqual(neutronError(unknown), {
      type: 'HTTPBadRequest',
      message: "['colour', 'shape'] is invalid attribute for filtering",
      detail: '',
    });
  });

  test('fields= projects (repeatable)', async () => {
    const res = await n.call('bob', 'GET', '/v2.0/networks?name=pg-a&fields=id&fields=name');
    assert.deepEqual(Object.keys(res.body.networks[0]).sort(), ['id', 'name']);
    const one = await n.call('bob', 'GET', `/v2.0/networks/${res.body.networks[0].id}?fields=status`);
    assert.deepEqual(one.body, { network: { status: 'ACTIVE' } });
  });

  test('sort_key / sort_dir, validated', async () => {
    const desc = await n.call('bob', 'GET', `/v2.0/networks?project_id=${PROJECT.bob}&sort_key=name&sort_dir=desc`);
    assert.deepEqual(
      desc.body.networks.map((x: any) => x.name),
      ['pg-e', 'pg-d', 'pg-c', 'pg-b', 'pg-a'],
    );
    const multi = await n.call('bob', 'GET', `/v2.0/networks?project_id=${PROJECT.bob}&sort_key=admin_state_up&sort_dir=asc&sort_key=name&sort_dir=asc`);
    assert.deepEqual(
      multi.body.networks.map((x: any) => x.name),
      ['pg-c', 'pg-a', 'pg-b', 'pg-d', 'pg-e'],
    );
    const uneven = await n.call('bob', 'GET', '/v2.0/networks?sort_key=name');
    assert.equal(uneven.status, 400);
    assert.equal(neutronError(uneven).message, 'The number of sort_keys and sort_dirs must be same');
    const badKey = await n.call('bob', 'GET', '/v2.0/networks?sort_key=colour&sort_dir=asc');
    assert.equal(badKey.status, 400);
    assert.equal(neutronError(badKey).message, "['colour'] is invalid attribute for sort_keys");
    const badDir = await n.call('bob', 'GET', '/v2.0/networks?sort_key=name&sort_dir=up');
    assert.equal(badDir.status, 400);
    assert.equal(neutronError(badDir).message, "['up'] is invalid value for sort_dirs, valid value is 'asc' and 'desc'");
  });

  test('limit / marker with next and previous links', async () => {
    const q = `project_id=${PROJECT.bob}&sort_key=name&sort_dir=asc&limit=2`;
    const first = await n.call('bob', 'GET', `/v2.0/networks?${q}`);
    assert.equal(first.status, 200);
    assert.deepEqual(
      first.body.networks.map((x: any) => x.name),
      ['pg-a', 'pg-b'],
    );
    const links = first.body.networks_links;
    assert.deepEqual(
      links.map((l: any) => l.rel),
      ['next', 'previous'],
    );
    const lastId = first.body.networks[1].id;
    assert.equal(links[0].href, `${n.url}/v2.0/networks?${q}&marker=${lastId}`);
    assert.equal(links[1].href, `${n.url}/v2.0/networks?${q}&marker=${first.body.networks[0].id}&page_reverse=True`);

    const second = await n.call('bob', 'GET', links[0].href.slice(n.url.length));
    assert.deepEqual(
      second.body.networks.map((x: any) => x.name),
      ['pg-c', 'pg-d'],
    );
    const back = second.body.networks_links.find((l: any) => l.rel === 'previous');
    const previous = await n.call('bob', 'GET', back.href.slice(n.url.length));
    assert.deepEqual(
      previous.body.networks.map((x: any) => x.name),
      ['pg-a', 'pg-b'],
    );

    const third = await n.call('bob', 'GET', second.body.networks_links[0].href.slice(n.url.length));
    assert.deepEqual(
      third.body.networks.map((x: any) => x.name),
      ['pg-e'],
    );
    assert.deepEqual(
      third.body.networks_links.map((l: any) => l.rel),
      ['previous'],
      'a short last page has no next link',
    );

    const noLimit = await n.call('bob', 'GET', '/v2.0/networks');
    assert.ok(!('networks_links' in noLimit.body));
    const badMarker = await n.call('bob', 'GET', '/v2.0/networks?limit=2&marker=6d5f1a3e-0000-4000-8000-000000000000');
    assert.equal(badMarker.status, 404);
    assert.equal(neutronError(badMarker).type, 'NetworkNotFound');
    const badLimit = await n.call('bob', 'GET', '/v2.0/networks?limit=abc');
    assert.equal(badLimit.status, 400);
    assert.deepEqual(neutronError(badLimit), {
      type: 'BadRequest',
      message: "Bad limit request: Limit must be an integer 0 or greater and not 'abc'.",
      detail: '',
    });
  });

  test('port filters on fixed_ips and tags', async () => {
    const net = await createNetwork('bob');
    const s = await createSubnet('bob', { network_id: net.id, cidr: '10.95.0.0/24' });
    const p = await createPort('bob', { network_id: net.id, fixed_ips: [{ ip_address: '10.95.0.77' }] });
    const byIp = await n.call('bob', 'GET', '/v2.0/ports?fixed_ips=ip_address%3D10.95.0.77');
    assert.deepEqual(
      byIp.body.ports.map((x: any) => x.id),
      [p.id],
    );
    const bySubnet = await n.call('bob', 'GET', `/v2.0/ports?fixed_ips=subnet_id%3D${s.id}&device_owner=`);
    assert.deepEqual(
      bySubnet.body.ports.map((x: any) => x.id),
      [p.id],
    );
    const bySubstr = await n.call('bob', 'GET', '/v2.0/ports?fixed_ips=ip_address_substr%3D95.0.7');
    assert.deepEqual(
      bySubstr.body.ports.map((x: any) => x.id),
      [p.id],
    );

    const put = await n.call('bob', 'PUT', `/v2.0/networks/${net.id}/tags`, { tags: ['red', 'blue'] });
    assert.equal(put.status, 200);
    const tagged = await n.call('bob', 'GET', '/v2.0/networks?tags=red,blue');
    assert.deepEqual(
      tagged.body.networks.map((x: any) => x.id),
      [net.id],
    );
    const any = await n.call('bob', 'GET', '/v2.0/networks?tags-any=blue,green');
    assert.deepEqual(
      any.body.networks.map((x: any) => x.id),
      [net.id],
    );
    const not = await n.call('bob', 'GET', '/v2.0/networks?not-tags=red');
    assert.ok(!not.body.networks.some((x: any) => x.id === net.id));
  });
});
