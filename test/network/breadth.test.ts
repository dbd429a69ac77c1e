import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDatabase } from '../support/databases.js';
import { http } from '../support/http.js';
import { ADMIN, ALICE, BOB, neutronError, startNeutron, type NeutronHarness } from './support.js';

describeEachDatabase('top Neutron: address scopes, address groups, local IPs, router extras, logs, metering, flavors, default rules, IP availability', (dialect) => {
  let h: NeutronHarness;
  before(async () => {
    h = await startNeutron(dialect);
  });
  after(async () => h?.close());

  describe('address scopes', () => {
    test('CRUD, sharing is admin-only, pools join a scope of their IP version, in-use scopes stay', async () => {
      neutronError(await h.call('POST', '/v2.0/address-scopes', { address_scope: { name: 's', ip_version: 5 } }, ALICE), 400);
      neutronError(await h.call('POST', '/v2.0/address-scopes', { address_scope: { name: 's', ip_version: 4, shared: true } }, ALICE), 403, 'PolicyNotAuthorized');
      const res = await h.call('POST', '/v2.0/address-scopes', { address_scope: { name: 'scope4', ip_version: 4 } }, ALICE);
      assert.equal(res.status, 201);
      const scope = res.body.address_scope;
      assert.deepEqual(Object.keys(scope).sort(), ['created_at', 'id', 'ip_version', 'name', 'project_id', 'revision_number', 'shared', 'tags', 'tenant_id', 'updated_at']);
      assert.equal(scope.shared, false);
      assert.equal(scope.project_id, 'p-alice');
      neutronError(await h.call('GET', `/v2.0/address-scopes/${scope.id}`, undefined, BOB), 404, 'AddressScopeNotFound');
      assert.equal((await h.call('GET', '/v2.0/address-scopes', undefined, BOB)).body.address_scopes.length, 0);

      const pool = await h.call('POST', '/v2.0/subnetpools', { subnetpool: { name: 'p', prefixes: ['10.10.0.0/16'], address_scope_id: scope.id } }, ALICE);
      assert.equal(pool.status, 201, pool.text);
      assert.equal(pool.body.subnetpool.address_scope_id, scope.id);
      const clash = await h.call('POST', '/v2.0/subnetpools', { subnetpool: { name: 'q', prefixes: ['10.10.5.0/24'], address_scope_id: scope.id } }, ALICE);
      neutronError(clash, 400, 'IllegalSubnetPoolAssociationToAddressScope');
      const v6 = await h.call('POST', '/v2.0/subnetpools', { subnetpool: { name: 'q', prefixes: ['fd00::/48'], address_scope_id: scope.id } }, ALICE);
      neutronError(v6, 400, 'IllegalSubnetPoolIpVersionAssociationToAddressScope');
      neutronError(
        await h.call('POST', '/v2.0/subnetpools', { subnetpool: { name: 'q', prefixes: ['10.9.0.0/16'], address_scope_id: scope.id } }, BOB),
        404,
        'AddressScopeNotFound',
      );

      neutronError(await h.call('DELETE', `/v2.0/address-scopes/${scope.id}`, undefined, ALICE), 409, 'AddressScopeInUse');
      const renamed = await h.call('PUT', `/v2.0/address-scopes/${scope.id}`, { address_scope: { name: 'renamed' } }, ALICE);
      assert.equal(renamed.body.address_scope.revision_number, 2);
      neutronError(await h.call('PUT', `/v2.0/address-scopes/${scope.id}`, { address_scope: { ip_version: 6 } }, ALICE), 400);
      const stale = await http('PUT', `${h.base}/v2.0/address-scopes/${scope.id}`, {
        body: { address_scope: { name: 'x' } },
        headers: { ...ALICE, 'if-match': 'revision_number=1' },
      });
      neutronError(stale, 412, 'RevisionNumberConstraintFailed');
      const fresh = await http('PUT', `${h.base}/v2.0/address-scopes/${scope.id}`, {
        body: { address_scope: { name: 'x' } },
        headers: { ...ALICE, 'if-match': 'revision_number=2' },
      });
      assert.equal(fresh.status, 200);

      // Shared by an admin: Bob sees it and may use it for his pool.
      assert.equal((await h.call('PUT', `/v2.0/address-scopes/${scope.id}`, { address_scope: { shared: true } })).status, 200);
      assert.equal((await h.call('GET', '/v2.0/address-scopes?shared=true', undefined, BOB)).body.address_scopes.length, 1);
      // Once shared, it stays shared (upstream: 400 on shared=false).
      neutronError(await h.call('PUT', `/v2.0/address-scopes/${scope.id}`, { address_scope: { shared: false } }), 400, 'BadRequest');
      neutronError(await h.call('PUT', `/v2.0/address-scopes/${scope.id}`, { address_scope: { name: 'b' } }, BOB), 403, 'PolicyNotAuthorized');
      const bobPool = await h.call('POST', '/v2.0/subnetpools', { subnetpool: { name: 'b', prefixes: ['10.11.0.0/16'], address_scope_id: scope.id } }, BOB);
      assert.equal(bobPool.status, 201);

      // Tags through the tag API, filters through the list.
      assert.equal((await h.call('PUT', `/v2.0/address-scopes/${scope.id}/tags`, { tags: ['red', 'blue'] }, ALICE)).status, 200);
      const added = await h.call('POST', `/v2.0/address-scopes/${scope.id}/tags`, { tags: ['green'] }, ALICE);
      assert.equal(added.status, 201);
      assert.deepEqual(added.body.tags, ['blue', 'green', 'red']);
      assert.equal((await h.call('GET', '/v2.0/address-scopes?tags=red,green', undefined, ALICE)).body.address_scopes.length, 1);
      assert.equal((await h.call('GET', '/v2.0/address-scopes?not-tags=red', undefined, ALICE)).body.address_scopes.length, 0);

      for (const p of [pool.body.subnetpool.id]) await h.call('DELETE', `/v2.0/subnetpools/${p}`, undefined, ALICE);
      await h.call('DELETE', `/v2.0/subnetpools/${bobPool.body.subnetpool.id}`, undefined, BOB);
      assert.equal((await h.call('DELETE', `/v2.0/address-scopes/${scope.id}`, undefined, ALICE)).status, 204);
      assert.equal((await h.call('GET', `/v2.0/address-scopes/${scope.id}/tags`, undefined, ALICE)).status, 404);
    });

    test('subnet onboarding: the subnets of a network join a pool, their CIDRs become its prefixes', async () => {
      const net = (await h.call('POST', '/v2.0/networks', { network: { name: 'onboard' } }, ALICE)).body.network;
      const sub = (await h.call('POST', '/v2.0/subnets', { subnet: { network_id: net.id, ip_version: 4, cidr: '10.60.0.0/24' } }, ALICE)).body.subnet;
      const pool = (await h.call('POST', '/v2.0/subnetpools', { subnetpool: { name: 'ob', prefixes: ['10.61.0.0/16'] } }, ALICE)).body.subnetpool;
      neutronError(await h.call('PUT', `/v2.0/subnetpools/${pool.id}/onboard_network_subnets`, { network_id: net.id }, BOB), 404, 'SubnetPoolNotFound');
      neutronError(await h.call('PUT', `/v2.0/subnetpools/${pool.id}/onboard_network_subnets`, {}, ALICE), 400);
      const res = await h.call('PUT', `/v2.0/subnetpools/${pool.id}/onboard_network_subnets`, { network_id: net.id }, ALICE);
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body, { network_id: net.id, subnetpool_id: pool.id, cidrs: ['10.60.0.0/24'] });
      const after = (await h.call('GET', `/v2.0/subnetpools/${pool.id}`, undefined, ALICE)).body.subnetpool;
      assert.deepEqual(after.prefixes, ['10.60.0.0/24', '10.61.0.0/16']);
      assert.equal(after.revision_number, 2);
      assert.equal((await h.call('GET', `/v2.0/subnets/${sub.id}`, undefined, ALICE)).body.subnet.subnetpool_id, pool.id);
      const again = await h.call('PUT', `/v2.0/subnetpools/${pool.id}/onboard_network_subnets`, { network_id: net.id }, ALICE);
      assert.deepEqual(again.body.cidrs, []);
      neutronError(await h.call('DELETE', `/v2.0/subnetpools/${pool.id}`, undefined, ALICE), 409, 'SubnetPoolInUse');
      assert.equal((await h.call('DELETE', `/v2.0/networks/${net.id}`, undefined, ALICE)).status, 204);
      assert.equal((await h.call('DELETE', `/v2.0/subnetpools/${pool.id}`, undefined, ALICE)).status, 204);
    });

    test('lists: sorting and pagination with links', async () => {
      const ids: string[] = [];
      for (const n of ['c', 'a', 'b']) ids.push((await h.call('POST', '/v2.0/address-scopes', { address_scope: { name: n, ip_version: 6 } }, BOB)).body.address_scope.id);
      const page1 = await h.call('GET', '/v2.0/address-scopes?sort_key=name&sort_dir=asc&limit=2', undefined, BOB);
      assert.deepEqual(
        page1.body.address_scopes.map((s: any) => s.name),
        ['a', 'b'],
      );
      const next = page1.body.address_scopes_links.find((l: any) => l.rel === 'next').href as string;
      const page2 = await h.call('GET', next.slice(next.indexOf('/v2.0')), undefined, BOB);
      assert.deepEqual(
        page2.body.address_scopes.map((s: any) => s.name),
        ['c'],
      );
      const fields = await h.call('GET', '/v2.0/address-scopes?fields=name&fields=id&name=a', undefined, BOB);
      assert.deepEqual(Object.keys(fields.body.address_scopes[0]).sort(), ['id', 'name']);
      neutronError(await h.call('GET', '/v2.0/address-scopes?sort_key=bogus', undefined, BOB), 400);
      neutronError(await h.call('GET', '/v2.0/address-scopes?bogus=1', undefined, BOB), 400);
      for (const id of ids) assert.equal((await h.call('DELETE', `/v2.0/address-scopes/${id}`, undefined, BOB)).status, 204);
    });
  });

  describe('address groups', () => {
    test('addresses are canonical; add and remove them; owner only', async () => {
      const res = await h.call('POST', '/v2.0/address-groups', { address_group: { name: 'g', addresses: ['10.0.0.1', '10.1.0.0/16', '2001:db8::1'] } }, ALICE);
      assert.equal(res.status, 201, res.text);
      const g = res.body.address_group;
      assert.deepEqual(g.addresses, ['10.0.0.1/32', '10.1.0.0/16', '2001:db8::1/128']);
      neutronError(await h.call('POST', '/v2.0/address-groups', { address_group: { addresses: ['nope'] } }, ALICE), 400);
      const add = await h.call('PUT', `/v2.0/address-groups/${g.id}/add_addresses`, { addresses: ['192.168.0.0/24'] }, ALICE);
      assert.equal(add.status, 200);
      assert.deepEqual(add.body.address_group.addresses, ['10.0.0.1/32', '10.1.0.0/16', '2001:db8::1/128', '192.168.0.0/24']);
      assert.equal(add.body.address_group.revision_number, 2);
      neutronError(await h.call('PUT', `/v2.0/address-groups/${g.id}/add_addresses`, { addresses: ['10.1.0.0/16'] }, ALICE), 400, 'AddressesAlreadyExist');
      neutronError(await h.call('PUT', `/v2.0/address-groups/${g.id}/remove_addresses`, { addresses: ['10.9.0.0/16'] }, ALICE), 404, 'AddressesNotFound');
      const rm = await h.call('PUT', `/v2.0/address-groups/${g.id}/remove_addresses`, { addresses: ['10.0.0.1'] }, ALICE);
      assert.deepEqual(rm.body.address_group.addresses, ['10.1.0.0/16', '2001:db8::1/128', '192.168.0.0/24']);
      neutronError(await h.call('PUT', `/v2.0/address-groups/${g.id}/add_addresses`, { addresses: ['10.7.0.0/16'] }, BOB), 404, 'AddressGroupNotFound');
      neutronError(await h.call('PUT', `/v2.0/address-groups/${g.id}`, { address_group: { addresses: [] } }, ALICE), 400);
      assert.equal((await h.call('PUT', `/v2.0/address-groups/${g.id}`, { address_group: { description: 'd' } }, ALICE)).body.address_group.description, 'd');
      assert.equal((await h.call('DELETE', `/v2.0/address-groups/${g.id}`, undefined, ALICE)).status, 204);
    });
  });

  describe('local IPs, conntrack helpers, NDP proxies', () => {
    let net: string;
    let port: any;
    before(async () => {
      net = (await h.call('POST', '/v2.0/networks', { network: { name: 'lip' } }, ALICE)).body.network.id;
      await h.call('POST', '/v2.0/subnets', { subnet: { network_id: net, ip_version: 4, cidr: '10.50.0.0/24' } }, ALICE);
      port = (await h.call('POST', '/v2.0/ports', { port: { network_id: net } }, ALICE)).body.port;
    });

    test('a local IP from a port; port associations', async () => {
      neutronError(await h.call('POST', '/v2.0/local_ips', { local_ip: { network_id: net } }, ALICE), 400);
      const res = await h.call('POST', '/v2.0/local_ips', { local_ip: { name: 'l', local_port_id: port.id } }, ALICE);
      assert.equal(res.status, 201, res.text);
      const lip = res.body.local_ip;
      assert.equal(lip.network_id, net);
      assert.equal(lip.local_ip_address, port.fixed_ips[0].ip_address);
      assert.equal(lip.ip_mode, 'translate');
      neutronError(await h.call('POST', '/v2.0/local_ips', { local_ip: { local_port_id: port.id } }, BOB), 404, 'PortNotFound');

      const other = (await h.call('POST', '/v2.0/ports', { port: { network_id: net } }, ALICE)).body.port;
      const assoc = await h.call('POST', `/v2.0/local_ips/${lip.id}/port_associations`, { port_association: { fixed_port_id: other.id } }, ALICE);
      assert.equal(assoc.status, 201, assoc.text);
      assert.deepEqual(assoc.body.port_association, {
        local_ip_id: lip.id,
        fixed_port_id: other.id,
        fixed_ip: other.fixed_ips[0].ip_address,
        host: null,
        local_ip_address: lip.local_ip_address,
      });
      neutronError(await h.call('POST', `/v2.0/local_ips/${lip.id}/port_associations`, { port_association: { fixed_port_id: other.id } }, ALICE), 409);
      const listed = await h.call('GET', `/v2.0/local_ips/${lip.id}/port_associations?fixed_port_id=${other.id}`, undefined, ALICE);
      assert.equal(listed.body.port_associations.length, 1);
      neutronError(await h.call('GET', `/v2.0/local_ips/${lip.id}/port_associations`, undefined, BOB), 404, 'LocalIPNotFound');
      neutronError(await h.call('DELETE', `/v2.0/local_ips/${lip.id}/port_associations/${other.id}`, undefined, BOB), 404, 'LocalIPNotFound');
      assert.equal((await h.call('DELETE', `/v2.0/local_ips/${lip.id}/port_associations/${other.id}`, undefined, ALICE)).status, 204);
      assert.equal((await h.call('GET', `/v2.0/local_ips/${lip.id}/port_associations`, undefined, ALICE)).body.port_associations.length, 0);
      assert.equal((await h.call('DELETE', `/v2.0/local_ips/${lip.id}`, undefined, ALICE)).status, 204);
      await h.call('DELETE', `/v2.0/ports/${other.id}`, undefined, ALICE);
    });

    test('conntrack helpers live under a visible router, without duplicates', async () => {
      const router = (await h.call('POST', '/v2.0/routers', { router: { name: 'r' } }, ALICE)).body.router;
      const base = `/v2.0/routers/${router.id}/conntrack_helpers`;
      const res = await h.call('POST', base, { conntrack_helper: { protocol: 'udp', port: 69, helper: 'tftp' } }, ALICE);
      assert.equal(res.status, 201, res.text);
      assert.deepEqual(Object.keys(res.body.conntrack_helper).sort(), ['helper', 'id', 'port', 'project_id', 'protocol', 'tenant_id']);
      neutronError(await h.call('POST', base, { conntrack_helper: { protocol: 'udp', port: 69, helper: 'tftp' } }, ALICE), 400);
      neutronError(await h.call('POST', base, { conntrack_helper: { protocol: 'icmp', port: 69, helper: 'tftp' } }, ALICE), 400);
      neutronError(await h.call('POST', base, { conntrack_helper: { protocol: 'tcp', port: 21, helper: 'ftp' } }, BOB), 404, 'RouterNotFound');
      const id = res.body.conntrack_helper.id;
      const upd = await h.call('PUT', `${base}/${id}`, { conntrack_helper: { port: 6969 } }, ALICE);
      assert.equal(upd.body.conntrack_helper.port, 6969);
      assert.equal((await h.call('GET', `${base}?helper=tftp`, undefined, ALICE)).body.conntrack_helpers.length, 1);
      assert.equal((await h.call('DELETE', `${base}/${id}`, undefined, ALICE)).status, 204);
      neutronError(await h.call('GET', `${base}/${id}`, undefined, ALICE), 404, 'ConntrackHelperNotFound');
      await h.call('DELETE', `/v2.0/routers/${router.id}`, undefined, ALICE);
    });

    test('NDP proxies need an IPv6 address of the port on a subnet attached to the router', async () => {
      const v6 = (await h.call('POST', '/v2.0/subnets', { subnet: { network_id: net, ip_version: 6, cidr: 'fd00:50::/64' } }, ALICE)).body.subnet;
      const router = (await h.call('POST', '/v2.0/routers', { router: { name: 'r6' } }, ALICE)).body.router;
      const p6 = (await h.call('POST', '/v2.0/ports', { port: { network_id: net, fixed_ips: [{ subnet_id: v6.id }] } }, ALICE)).body.port;
      const body = { ndp_proxy: { router_id: router.id, port_id: p6.id } };
      neutronError(await h.call('POST', '/v2.0/ndp_proxies', body, ALICE), 400);
      assert.equal((await h.call('PUT', `/v2.0/routers/${router.id}/add_router_interface`, { subnet_id: v6.id }, ALICE)).status, 200);
      const res = await h.call('POST', '/v2.0/ndp_proxies', body, ALICE);
      assert.equal(res.status, 201, res.text);
      assert.equal(res.body.ndp_proxy.ip_address, p6.fixed_ips[0].ip_address);
      neutronError(await h.call('POST', '/v2.0/ndp_proxies', body, ALICE), 409);
      assert.equal((await h.call('DELETE', `/v2.0/ndp_proxies/${res.body.ndp_proxy.id}`, undefined, ALICE)).status, 204);
      await h.call('PUT', `/v2.0/routers/${router.id}/remove_router_interface`, { subnet_id: v6.id }, ALICE);
      await h.call('DELETE', `/v2.0/routers/${router.id}`, undefined, ALICE);
      await h.call('DELETE', `/v2.0/ports/${p6.id}`, undefined, ALICE);
    });

    test('network IP availability counts the top allocations (admin only)', async () => {
      neutronError(await h.call('GET', '/v2.0/network-ip-availabilities', undefined, ALICE), 403, 'PolicyNotAuthorized');
      const shown = await h.call('GET', `/v2.0/network-ip-availabilities/${net}`);
      assert.equal(shown.status, 200);
      const a = shown.body.network_ip_availability;
      const v4 = a.subnet_ip_availability.find((s: any) => s.ip_version === 4);
      assert.equal(v4.total_ips, 253);
      assert.equal(v4.ip_availability_details.total_ips_in_subnet, 254);
      const used = await h.tc.db.kysely.selectFrom('ip_allocations').select('ip_address').where('subnet_id', '=', v4.subnet_id).execute();
      assert.equal(v4.used_ips, used.length);
      assert.ok(v4.used_ips >= 1);
      const more = (await h.call('POST', '/v2.0/ports', { port: { network_id: net } }, ALICE)).body.port;
      const again = (await h.call('GET', `/v2.0/network-ip-availabilities/${net}`)).body.network_ip_availability;
      assert.equal(again.subnet_ip_availability.find((s: any) => s.ip_version === 4).used_ips, v4.used_ips + 1);
      const listed = await h.call('GET', `/v2.0/network-ip-availabilities?network_id=${net}&ip_version=4`);
      assert.equal(listed.body.network_ip_availabilities.length, 1);
      assert.equal(listed.body.network_ip_availabilities[0].subnet_ip_availability.length, 1);
      neutronError(await h.call('GET', '/v2.0/network-ip-availabilities/00000000-0000-0000-0000-000000000000'), 404, 'NetworkNotFound');
      await h.call('DELETE', `/v2.0/ports/${more.id}`, undefined, ALICE);
    });
  });

  describe('logs, metering, flavors, default security group rules, service providers', () => {
    test('logs on a visible security group; loggable resources', async () => {
      assert.deepEqual((await h.call('GET', '/v2.0/log/loggable-resources', undefined, ALICE)).body, { loggable_resources: [{ type: 'security_group' }] });
      const sg = (await h.call('POST', '/v2.0/security-groups', { security_group: { name: 'logged' } }, ALICE)).body.security_group;
      const res = await h.call('POST', '/v2.0/log/logs', { log: { name: 'l', resource_type: 'security_group', resource_id: sg.id, event: 'DROP' } }, ALICE);
      assert.equal(res.status, 201, res.text);
      assert.equal(res.body.log.enabled, true);
      neutronError(await h.call('POST', '/v2.0/log/logs', { log: { resource_type: 'security_group', resource_id: sg.id } }, BOB), 404);
      neutronError(await h.call('POST', '/v2.0/log/logs', { log: { resource_type: 'port' } }, ALICE), 400);
      assert.equal((await h.call('PUT', `/v2.0/log/logs/${res.body.log.id}`, { log: { enabled: false } }, ALICE)).body.log.enabled, false);
      assert.equal((await h.call('GET', '/v2.0/log/logs?enabled=false', undefined, ALICE)).body.logs.length, 1);
      assert.equal((await h.call('DELETE', `/v2.0/log/logs/${res.body.log.id}`, undefined, ALICE)).status, 204);
    });

    test('metering is admin only; deleting a label deletes its rules', async () => {
      neutronError(await h.call('POST', '/v2.0/metering/metering-labels', { metering_label: { name: 'm' } }, ALICE), 403);
      const label = (await h.call('POST', '/v2.0/metering/metering-labels', { metering_label: { name: 'm' } })).body.metering_label;
      const rule = await h.call('POST', '/v2.0/metering/metering-label-rules', {
        metering_label_rule: { metering_label_id: label.id, direction: 'ingress', remote_ip_prefix: '10.0.0.0/24' },
      });
      assert.equal(rule.status, 201, rule.text);
      neutronError(
        await h.call('POST', '/v2.0/metering/metering-label-rules', {
          metering_label_rule: { metering_label_id: label.id, direction: 'ingress', remote_ip_prefix: '10.0.0.0/24' },
        }),
        409,
      );
      neutronError(await h.call('POST', '/v2.0/metering/metering-label-rules', { metering_label_rule: { metering_label_id: label.id, direction: 'egress' } }), 400);
      assert.equal((await h.call('PUT', `/v2.0/metering/metering-labels/${label.id}`, { metering_label: { name: 'x' } })).status, 405);
      assert.equal((await h.call('DELETE', `/v2.0/metering/metering-labels/${label.id}`)).status, 204);
      neutronError(await h.call('GET', `/v2.0/metering/metering-label-rules/${rule.body.metering_label_rule.id}`), 404, 'MeteringLabelRuleNotFound');
    });

    test('flavors and service profiles', async () => {
      const flavor = (await h.call('POST', '/v2.0/flavors', { flavor: { name: 'gold', service_type: 'L3_ROUTER_NAT' } })).body.flavor;
      assert.deepEqual(flavor.service_profiles, []);
      neutronError(await h.call('POST', '/v2.0/flavors', { flavor: { name: 'x', service_type: 'VPN' } }), 404);
      assert.equal((await h.call('GET', `/v2.0/flavors/${flavor.id}`, undefined, ALICE)).status, 200);
      const profile = (await h.call('POST', '/v2.0/service_profiles', { service_profile: { driver: 'tricircle', metainfo: '{}' } })).body.service_profile;
      neutronError(await h.call('GET', `/v2.0/service_profiles/${profile.id}`, undefined, ALICE), 404);
      const bind = await h.call('POST', `/v2.0/flavors/${flavor.id}/service_profiles`, { service_profile: { id: profile.id } });
      assert.equal(bind.status, 201);
      assert.deepEqual(bind.body, { service_profile: { id: profile.id } });
      neutronError(await h.call('POST', `/v2.0/flavors/${flavor.id}/service_profiles`, { service_profile: { id: profile.id } }), 409);
      assert.deepEqual((await h.call('GET', `/v2.0/flavors/${flavor.id}`)).body.flavor.service_profiles, [profile.id]);
      neutronError(await h.call('DELETE', `/v2.0/service_profiles/${profile.id}`), 409, 'ServiceProfileInUse');
      assert.equal((await h.call('DELETE', `/v2.0/flavors/${flavor.id}/service_profiles/${profile.id}`)).status, 204);
      neutronError(await h.call('DELETE', `/v2.0/flavors/${flavor.id}/service_profiles/${profile.id}`), 404);
      assert.equal((await h.call('DELETE', `/v2.0/service_profiles/${profile.id}`)).status, 204);
      assert.equal((await h.call('DELETE', `/v2.0/flavors/${flavor.id}`)).status, 204);
    });

    test('default security group rules and default statefulness; service providers', async () => {
      const body = { default_security_group_rule: { direction: 'ingress', protocol: 'tcp', port_range_min: 22, port_range_max: 22, remote_ip_prefix: '0.0.0.0/0' } };
      neutronError(await h.call('POST', '/v2.0/default-security-group-rules', body, ALICE), 403);
      const rule = (await h.call('POST', '/v2.0/default-security-group-rules', body)).body.default_security_group_rule;
      assert.equal(rule.used_in_default_sg, false);
      assert.equal(rule.used_in_non_default_sg, true);
      assert.equal((await h.call('GET', `/v2.0/default-security-group-rules/${rule.id}`, undefined, ALICE)).status, 200);
      neutronError(await h.call('POST', '/v2.0/default-security-group-rules', { default_security_group_rule: { direction: 'in' } }), 400);
      assert.equal((await h.call('DELETE', `/v2.0/default-security-group-rules/${rule.id}`)).status, 204);

      const st = await h.call('POST', '/v2.0/security-groups-default-statefulness', { security_groups_default_statefulness: { stateful: false, project_id: 'p-bob' } });
      assert.equal(st.status, 201, st.text);
      neutronError(await h.call('POST', '/v2.0/security-groups-default-statefulness', { security_groups_default_statefulness: { project_id: 'p-bob' } }), 409);
      const id = st.body.security_groups_default_statefulness.id;
      assert.equal((await h.call('PUT', `/v2.0/security-groups-default-statefulness/${id}`, { security_groups_default_statefulness: { stateful: true } })).status, 200);
      assert.equal((await h.call('DELETE', `/v2.0/security-groups-default-statefulness/${id}`)).status, 204);

      const sp = await h.call('GET', '/v2.0/service-providers', undefined, ALICE);
      assert.deepEqual(sp.body.service_providers, [{ service_type: 'L3_ROUTER_NAT', name: 'tricircle', default: true }]);
    });

    test('extensions name the described resources', async () => {
      const aliases = (await h.call('GET', '/v2.0/extensions', undefined, ADMIN)).body.extensions.map((e: any) => e.alias);
      for (const a of ['address-scope', 'address-group', 'network-segment-range', 'segment', 'local_ip', 'l3-conntrack-helper', 'logging', 'metering', 'flavors']) {
        assert.ok(aliases.includes(a), a);
      }
      assert.equal((await h.call('GET', '/v2.0/extensions/network-segment-range')).status, 200);
    });
  });
});
