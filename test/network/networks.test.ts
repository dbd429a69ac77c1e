import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDatabase } from '../support/databases.js';
import { http } from '../support/http.js';
import { assertSampleShape } from '../support/shapes.js';
import { ADMIN, ALICE, BOB, neutronError, startNeutron, type NeutronHarness } from './support.js';

/** Extension attributes of upstream's samples that Tricircle does not implement. */
const NET_OPTIONAL = ['network.dns_domain', 'network.qos_policy_id', 'network.pvlan', 'network.vlan_transparent', 'network.qinq', 'network.is_default'];

describeEachDatabase('top Neutron: networks', (dialect) => {
  let h: NeutronHarness;
  before(async () => {
    h = await startNeutron(dialect);
    await h.addPods({ Pod1: 'az1', Pod2: 'az2', Pod3: 'az2' });
  });
  after(async () => h?.close());

  describe('discovery', () => {
    test('GET / lists v2.0 without a token; GET /v2.0 lists the resources', async () => {
      const root = await http('GET', `${h.base}/`);
      assert.equal(root.status, 200);
      assertSampleShape(root.body, 'neutron', 'networks/versions-list-response.json');
      assert.equal(root.body.versions[0].links[0].href, `${h.base}/v2.0`);
      const v2 = await h.call('GET', '/v2.0/');
      assert.equal(v2.status, 200);
      assertSampleShape(v2.body, 'neutron', 'networks/version-show-response.json');
      assert.ok(v2.body.resources.some((r: { collection: string }) => r.collection === 'ports'));
      const bare = await h.call('GET', '/v2.0');
      assert.equal(bare.status, 404, 'upstream lists the resources only under /v2.0/');
      assert.equal(bare.body.NeutronError.type, 'HTTPNotFound');
    });
    test('extensions list and show; unknown alias is 404', async () => {
      const list = await h.call('GET', '/v2.0/extensions');
      assert.equal(list.status, 200);
      assertSampleShape(list.body, 'neutron', 'extensions/extensions-list-response.json');
      const aliases = list.body.extensions.map((e: { alias: string }) => e.alias);
      for (const a of ['provider', 'availability_zone', 'network_availability_zone', 'external-net', 'pagination', 'sorting', 'subnet_allocation'])
        assert.ok(aliases.includes(a), a);
      const one = await h.call('GET', '/v2.0/extensions/provider');
      assert.equal(one.status, 200);
      assertSampleShape(one.body, 'neutron', 'extensions/extension-show-response.json');
      neutronError(await h.call('GET', '/v2.0/extensions/nope'), 404);
    });
    test("availability zones are the pods' AZs", async () => {
      const res = await h.call('GET', '/v2.0/availability_zones');
      assert.equal(res.status, 200);
      assertSampleShape(res.body, 'neutron', 'availability-zones/azs-list-response.json');
      assert.deepEqual(res.body.availability_zones, [
        { name: 'az1', resource: 'network', state: 'available' },
        { name: 'az2', resource: 'network', state: 'available' },
      ]);
      const filtered = await h.call('GET', '/v2.0/availability_zones?name=az2&fields=name');
      assert.deepEqual(filtered.body.availability_zones, [{ name: 'az2' }]);
    });
  });

  describe('create and show', () => {
    let netId: string;
    test('a network is created at the top only, with its VLAN allocated', async () => {
      const res = await h.call('POST', '/v2.0/networks', { network: { name: 'net1', availability_zone_hints: ['az1'] } });
      assert.equal(res.status, 201);
      assertSampleShape(res.body, 'neutron', 'networks/network-create-response.json', NET_OPTIONAL);
      assertSampleShape(res.body, 'neutron', 'networks/network-provider-create-response.json', NET_OPTIONAL);
      const net = res.body.network;
      netId = net.id;
      assert.equal(net.name, 'net1');
      assert.equal(net.status, 'ACTIVE');
      assert.deepEqual(net.availability_zone_hints, ['az1']);
      assert.deepEqual(net.availability_zones, [], 'in no pod yet');
      assert.deepEqual(net.subnets, []);
      assert.equal(net['provider:network_type'], 'vlan');
      assert.equal(net['provider:physical_network'], 'bridge');
      assert.ok(net['provider:segmentation_id'] >= 2001 && net['provider:segmentation_id'] <= 3000);
      assert.match(net.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      const routes = await h.tc.db.kysely.selectFrom('resource_routings').selectAll().execute();
      assert.equal(routes.length, 0, 'nothing is created in any pod');
    });
    test('show, with fields', async () => {
      const res = await h.call('GET', `/v2.0/networks/${netId}`);
      assert.equal(res.status, 200);
      assertSampleShape(res.body, 'neutron', 'networks/network-show-response.json', NET_OPTIONAL);
      const some = await h.call('GET', `/v2.0/networks/${netId}?fields=id&fields=name`);
      assert.deepEqual(some.body, { network: { id: netId, name: 'net1' } });
    });
    test('unknown network is 404 NetworkNotFound', async () => {
      const err = neutronError(await h.call('GET', '/v2.0/networks/4e8e5957-649f-477b-9e5b-f1f75b21c03c'), 404, 'NetworkNotFound');
      assert.equal(err.message, 'Network 4e8e5957-649f-477b-9e5b-f1f75b21c03c could not be found.');
    });
    test('update name and description; revision goes up', async () => {
      const res = await h.call('PUT', `/v2.0/networks/${netId}`, { network: { name: 'renamed', description: 'd' } });
      assert.equal(res.status, 200);
      assert.equal(res.body.network.name, 'renamed');
      assert.equal(res.body.network.revision_number, 2);
      neutronError(await h.call('PUT', `/v2.0/networks/${netId}`, { network: { availability_zone_hints: ['az2'] } }), 400, 'HTTPBadRequest');
      const prov = neutronError(await h.call('PUT', `/v2.0/networks/${netId}`, { network: { 'provider:segmentation_id': 2999 } }), 400, 'InvalidInput');
      assert.match(prov.message, /does not support updating provider attributes/);
    });
    test('delete is 204, then 404', async () => {
      const res = await h.call('DELETE', `/v2.0/networks/${netId}`);
      assert.equal(res.status, 204);
      assert.equal(res.text, '');
      neutronError(await h.call('DELETE', `/v2.0/networks/${netId}`), 404, 'NetworkNotFound');
    });
  });

  describe('request validation', () => {
    test('bodies that are not {"network": {...}}', async () => {
      neutronError(await h.call('POST', '/v2.0/networks', { net: {} }), 400, 'HTTPBadRequest');
      neutronError(await h.call('POST', '/v2.0/networks', { network: 'x' }), 400, 'HTTPBadRequest');
      neutronError(await h.call('POST', '/v2.0/networks', { networks: [] }), 400, 'HTTPBadRequest');
      const raw = await http('POST', `${h.base}/v2.0/networks`, { raw: '{"network": ', headers: { ...ADMIN, 'content-type': 'application/json' } });
      neutronError(raw, 400, 'HTTPBadRequest');
    });
    test('unknown attributes, wrong types, too long', async () => {
      const unknown = neutronError(await h.call('POST', '/v2.0/networks', { network: { name: 'x', colour: 'red' } }), 400, 'HTTPBadRequest');
      assert.equal(unknown.message, "Unrecognized attribute(s) 'colour'");
      const bool = neutronError(await h.call('POST', '/v2.0/networks', { network: { admin_state_up: 'maybe' } }), 400, 'InvalidInput');
      assert.equal(bool.message, "Invalid input for operation: 'maybe' cannot be converted to boolean.");
      neutronError(await h.call('POST', '/v2.0/networks', { network: { name: 5 } }), 400, 'HTTPBadRequest');
      neutronError(await h.call('POST', '/v2.0/networks', { network: { name: 'x'.repeat(256) } }), 400, 'HTTPBadRequest');
      neutronError(await h.call('POST', '/v2.0/networks', { network: { availability_zone_hints: 'az1' } }), 400, 'HTTPBadRequest');
      neutronError(await h.call('POST', '/v2.0/networks', { network: { mtu: 10 } }), 400, 'HTTPBadRequest');
    });
    test('only admins name another project', async () => {
      const err = neutronError(await h.call('POST', '/v2.0/networks', { network: { tenant_id: 'p-bob' } }, ALICE), 400, 'HTTPBadRequest');
      assert.match(err.message, /requires admin privileges/);
      const ok = await h.call('POST', '/v2.0/networks', { network: { project_id: 'p-bob', name: 'for-bob' } });
      assert.equal(ok.status, 201);
      assert.equal(ok.body.network.tenant_id, 'p-bob');
      await h.call('DELETE', `/v2.0/networks/${ok.body.network.id}`);
    });
    test('nothing is left behind by a failed request', async () => {
      const before = (await h.call('GET', '/v2.0/networks')).body.networks.length;
      const bulk = await h.call('POST', '/v2.0/networks', { networks: [{ name: 'ok' }, { name: 'bad', availability_zone_hints: ['nowhere'] }] });
      neutronError(bulk, 404, 'AvailabilityZoneNotFound');
      assert.equal((await h.call('GET', '/v2.0/networks')).body.networks.length, before);
      const held = await h.tc.db.kysely.selectFrom('segment_allocations').select('network_id').execute();
      const nets = new Set((await h.tc.db.kysely.selectFrom('networks').select('id').execute()).map((n) => n.id));
      assert.ok(
        held.every((x) => nets.has(x.network_id)),
        'no VLAN held by a network that was not created',
      );
    });
  });

  describe('availability zone hints', () => {
    test('internal networks: hints must be AZs of pods', async () => {
      const err = neutronError(await h.call('POST', '/v2.0/networks', { network: { availability_zone_hints: ['az1', 'az9'] } }), 404, 'AvailabilityZoneNotFound');
      assert.equal(err.message, 'AvailabilityZone az9 could not be found.');
      const pod = neutronError(await h.call('POST', '/v2.0/networks', { network: { availability_zone_hints: ['Pod1'] } }), 404, 'AvailabilityZoneNotFound');
      assert.match(pod.message, /Pod1/);
      const ok = await h.call('POST', '/v2.0/networks', { network: { availability_zone_hints: ['az2', 'az1'] } });
      assert.equal(ok.status, 201);
      assert.deepEqual(ok.body.network.availability_zone_hints, ['az2', 'az1']);
      await h.call('DELETE', `/v2.0/networks/${ok.body.network.id}`);
    });
    test('external networks: one hint naming a pod region, admin only, no segment', async () => {
      neutronError(await h.call('POST', '/v2.0/networks', { network: { 'router:external': true, availability_zone_hints: ['az1'] } }), 404, 'AvailabilityZoneNotFound');
      neutronError(await h.call('POST', '/v2.0/networks', { network: { 'router:external': true, availability_zone_hints: ['Pod1', 'Pod2'] } }), 400, 'InvalidInput');
      neutronError(await h.call('POST', '/v2.0/networks', { network: { 'router:external': true } }), 400, 'InvalidInput');
      const denied = neutronError(
        await h.call('POST', '/v2.0/networks', { network: { 'router:external': true, availability_zone_hints: ['Pod2'] } }, ALICE),
        403,
        'PolicyNotAuthorized',
      );
      assert.equal(denied.message, '(rule:create_network and rule:create_network:router:external) is disallowed by policy');
      const ext = await h.call('POST', '/v2.0/networks', { network: { name: 'ext', 'router:external': true, availability_zone_hints: ['Pod2'] } });
      assert.equal(ext.status, 201);
      assert.equal(ext.body.network['router:external'], true);
      assert.deepEqual(ext.body.network.availability_zone_hints, ['Pod2']);
      assert.equal(ext.body.network['provider:network_type'], null);
      const seen = await h.call('GET', `/v2.0/networks/${ext.body.network.id}`, undefined, ALICE);
      assert.equal(seen.status, 200, 'external networks are visible to every project');
      neutronError(await h.call('PUT', `/v2.0/networks/${ext.body.network.id}`, { network: { 'router:external': false } }), 400, 'InvalidInput');
      const sub = neutronError(
        await h.call('POST', '/v2.0/subnets', { subnet: { network_id: ext.body.network.id, ip_version: 4, cidr: '203.0.113.0/24' } }, ALICE),
        404,
        'HTTPNotFound',
      );
      assert.equal(sub.message, 'Tenant p-alice not allowed to create subnet on this network');
      // The network is visible to every project, its subnets are not (it is not shared): tempest's test_external_network_visibility.
      const extSubnet = await h.call('POST', '/v2.0/subnets', { subnet: { network_id: ext.body.network.id, ip_version: 4, cidr: '203.0.113.0/24' } });
      assert.equal(extSubnet.status, 201);
      assert.deepEqual((await h.call('GET', `/v2.0/subnets?network_id=${ext.body.network.id}`, undefined, ALICE)).body.subnets, []);
      neutronError(await h.call('GET', `/v2.0/subnets/${extSubnet.body.subnet.id}`, undefined, ALICE), 404, 'SubnetNotFound');
      assert.equal((await h.call('GET', `/v2.0/subnets?network_id=${ext.body.network.id}`)).body.subnets.length, 1, 'the admin sees it');
      neutronError(await h.call('POST', '/v2.0/ports', { port: { network_id: ext.body.network.id } }, ALICE), 404, 'HTTPNotFound');
      assert.equal((await h.call('DELETE', `/v2.0/networks/${ext.body.network.id}`)).status, 204);
    });
    test('an external network without a hint goes to the pod hosting its physnet, else the configured default', async () => {
      const provider = (physnet: string) => ({ 'provider:network_type': 'vlan', 'provider:physical_network': physnet });
      const vlans = await startNeutron(dialect, { tricircle: { network_vlan_ranges: ['extern:3001:4000', 'other:4001:4090'] } });
      try {
        await vlans.addPods({ Pod1: 'az1', Pod2: 'az2' });
        const first = await vlans.call('POST', '/v2.0/networks', { network: { name: 'ext-a', 'router:external': true, availability_zone_hints: ['Pod2'], ...provider('extern') } });
        assert.equal(first.status, 201, first.text);
        // No hint, as tempest, Terraform and Horizon send: the pod whose networks carry `extern`.
        const second = await vlans.call('POST', '/v2.0/networks', { network: { name: 'ext-b', 'router:external': true, ...provider('extern') } });
        assert.equal(second.status, 201, second.text);
        assert.deepEqual(second.body.network.availability_zone_hints, ['Pod2']);
        // A physnet no pod hosts yet, and no default configured: still refused with a clear 400.
        neutronError(await vlans.call('POST', '/v2.0/networks', { network: { 'router:external': true, ...provider('other') } }), 400, 'InvalidInput');
      } finally {
        await vlans.close();
      }
      const withDefault = await startNeutron(dialect, { tricircle: { default_region_for_external_network: 'Pod1' } });
      try {
        await withDefault.addPods({ Pod1: 'az1', Pod2: 'az2' });
        const placed = await withDefault.call('POST', '/v2.0/networks', { network: { name: 'ext-c', 'router:external': true } });
        assert.equal(placed.status, 201, placed.text);
        assert.deepEqual(placed.body.network.availability_zone_hints, ['Pod1']);
        // An internal network with no copy in a pod may become external (tempest's test_update_external_network):
        // it is placed as a new one would be; one with a copy may not; external never becomes internal.
        const internal = (await withDefault.call('POST', '/v2.0/networks', { network: { name: 'later-ext' } })).body.network;
        assert.equal(internal['router:external'], false);
        const made = await withDefault.call('PUT', `/v2.0/networks/${internal.id}`, { network: { 'router:external': true } });
        assert.equal(made.status, 200, made.text);
        assert.equal(made.body.network['router:external'], true);
        assert.deepEqual(made.body.network.availability_zone_hints, ['Pod1']);
        assert.equal((await withDefault.call('GET', `/v2.0/networks/${internal.id}`, undefined, ALICE)).status, 200, 'now visible to every project');
        neutronError(await withDefault.call('PUT', `/v2.0/networks/${internal.id}`, { network: { 'router:external': false } }), 400, 'InvalidInput');
        const copied = (await withDefault.call('POST', '/v2.0/networks', { network: { name: 'has-copy' } })).body.network;
        const pod = (await withDefault.tc.core.pods.list()).find((p) => p.regionName === 'Pod2')!;
        await withDefault.tc.core.routings.create({ topId: copied.id, bottomId: 'b-copy', podId: pod.id, projectId: 'admin', resourceType: 'network' });
        const refused = neutronError(await withDefault.call('PUT', `/v2.0/networks/${copied.id}`, { network: { 'router:external': true } }), 400, 'InvalidInput');
        assert.match(refused.message, /no copy in a pod/);
        assert.equal((await withDefault.call('GET', `/v2.0/networks/${copied.id}`)).body.network['router:external'], false);
      } finally {
        await withDefault.close();
      }
    });
    test('availability_zones show the AZs of the pods holding a copy', async () => {
      const net = (await h.call('POST', '/v2.0/networks', { network: { name: 'spread' } })).body.network;
      const pods = await h.tc.core.pods.list();
      for (const region of ['Pod1', 'Pod3']) {
        const pod = pods.find((p) => p.regionName === region)!;
        await h.tc.core.routings.create({ topId: net.id, bottomId: `b-${region}`, podId: pod.id, projectId: 'admin', resourceType: 'network' });
      }
      const res = await h.call('GET', `/v2.0/networks/${net.id}`);
      assert.deepEqual(res.body.network.availability_zones, ['az1', 'az2']);
      await h.tc.db.kysely.deleteFrom('resource_routings').where('top_id', '=', net.id).execute();
      await h.call('DELETE', `/v2.0/networks/${net.id}`);
    });
  });

  describe('provider attributes and type drivers', () => {
    test('admins choose the segment; the same VLAN twice is 409 VlanIdInUse', async () => {
      const res = await h.call('POST', '/v2.0/networks', {
        network: { name: 'pv', 'provider:network_type': 'vlan', 'provider:physical_network': 'bridge', 'provider:segmentation_id': 2500 },
      });
      assert.equal(res.status, 201);
      assertSampleShape(res.body, 'neutron', 'networks/network-provider-create-response.json', NET_OPTIONAL);
      assert.equal(res.body.network['provider:segmentation_id'], 2500);
      const dup = neutronError(
        await h.call('POST', '/v2.0/networks', { network: { 'provider:network_type': 'vlan', 'provider:physical_network': 'bridge', 'provider:segmentation_id': 2500 } }),
        409,
        'VlanIdInUse',
      );
      assert.equal(dup.message, 'Unable to create the network. The VLAN 2500 on physical network bridge is in use.');
      await h.call('DELETE', `/v2.0/networks/${res.body.network.id}`);
      const again = await h.call('POST', '/v2.0/networks', {
        network: { 'provider:network_type': 'vlan', 'provider:physical_network': 'bridge', 'provider:segmentation_id': 2500 },
      });
      assert.equal(again.status, 201, 'released on delete');
      await h.call('DELETE', `/v2.0/networks/${again.body.network.id}`);
    });
    test('local networks have no segmentation id; unknown types and physnets are 400', async () => {
      const local = await h.call('POST', '/v2.0/networks', { network: { 'provider:network_type': 'local' } });
      assert.equal(local.status, 201);
      assert.equal(local.body.network['provider:network_type'], 'local');
      assert.equal(local.body.network['provider:segmentation_id'], null);
      await h.call('DELETE', `/v2.0/networks/${local.body.network.id}`);
      const vx = neutronError(await h.call('POST', '/v2.0/networks', { network: { 'provider:network_type': 'vxlan' } }), 400, 'InvalidInput');
      assert.equal(vx.message, "Invalid input for operation: network_type value 'vxlan' not supported.");
      neutronError(await h.call('POST', '/v2.0/networks', { network: { 'provider:network_type': 'vlan', 'provider:physical_network': 'physX' } }), 400, 'InvalidInput');
      neutronError(await h.call('POST', '/v2.0/networks', { network: { 'provider:segmentation_id': 'ten' } }), 400, 'HTTPBadRequest');
    });
    test('non-admins may not set provider attributes and do not see them', async () => {
      const denied = neutronError(await h.call('POST', '/v2.0/networks', { network: { 'provider:network_type': 'local' } }, ALICE), 403, 'PolicyNotAuthorized');
      assert.equal(denied.message, '(rule:create_network and rule:create_network:provider:network_type) is disallowed by policy');
      const mine = await h.call('POST', '/v2.0/networks', { network: { name: 'alice-net' } }, ALICE);
      assert.equal(mine.status, 201);
      assert.ok(!('provider:network_type' in mine.body.network));
      const asAdmin = await h.call('GET', `/v2.0/networks/${mine.body.network.id}`);
      assert.equal(asAdmin.body.network['provider:network_type'], 'vlan', 'tenant networks get the first tenant_network_types type');
      neutronError(await h.call('PUT', `/v2.0/networks/${mine.body.network.id}`, { network: { shared: true } }, ALICE), 403, 'PolicyNotAuthorized');
      await h.call('DELETE', `/v2.0/networks/${mine.body.network.id}`, undefined, ALICE);
    });
  });

  describe('tenant scoping', () => {
    let shared: string;
    let bobs: string;
    before(async () => {
      shared = (await h.call('POST', '/v2.0/networks', { network: { name: 'shared-net', shared: true } })).body.network.id;
      bobs = (await h.call('POST', '/v2.0/networks', { network: { name: 'bob-net' } }, BOB)).body.network.id;
    });
    after(async () => {
      await h.call('DELETE', `/v2.0/networks/${shared}`);
      await h.call('DELETE', `/v2.0/networks/${bobs}`, undefined, BOB);
    });
    test("others' networks are 404 for every verb", async () => {
      neutronError(await h.call('GET', `/v2.0/networks/${bobs}`, undefined, ALICE), 404, 'NetworkNotFound');
      neutronError(await h.call('PUT', `/v2.0/networks/${bobs}`, { network: { name: 'x' } }, ALICE), 404, 'NetworkNotFound');
      neutronError(await h.call('DELETE', `/v2.0/networks/${bobs}`, undefined, ALICE), 404, 'NetworkNotFound');
      const list = await h.call('GET', '/v2.0/networks', undefined, ALICE);
      assert.ok(!list.body.networks.some((n: { id: string }) => n.id === bobs));
    });
    test('shared networks are visible to all but changed only by their owner', async () => {
      const list = await h.call('GET', '/v2.0/networks', undefined, BOB);
      const ids = list.body.networks.map((n: { id: string }) => n.id);
      assert.ok(ids.includes(shared) && ids.includes(bobs));
      const upd = neutronError(await h.call('PUT', `/v2.0/networks/${shared}`, { network: { name: 'x' } }, BOB), 403, 'PolicyNotAuthorized');
      assert.equal(upd.message, 'rule:update_network is disallowed by policy');
      neutronError(await h.call('DELETE', `/v2.0/networks/${shared}`, undefined, BOB), 403, 'PolicyNotAuthorized');
      const onlyShared = await h.call('GET', '/v2.0/networks?shared=true', undefined, BOB);
      assert.deepEqual(
        onlyShared.body.networks.map((n: { id: string }) => n.id),
        [shared],
      );
      const sharedDenied = neutronError(await h.call('POST', '/v2.0/networks', { network: { shared: true } }, BOB), 403, 'PolicyNotAuthorized');
      assert.equal(sharedDenied.message, '(rule:create_network and rule:create_network:shared) is disallowed by policy');
      assert.equal((await h.call('POST', '/v2.0/networks', { network: { shared: false, name: 'explicit-default' } }, BOB)).status, 201, 'a default value needs no rights');
    });
    test('admins see everything', async () => {
      const list = await h.call('GET', `/v2.0/networks?id=${bobs}&id=${shared}`);
      assert.equal(list.body.networks.length, 2);
    });
  });

  describe('lists: filters, fields, sorting, pagination, bulk create', () => {
    const names = ['pg-a', 'pg-b', 'pg-c', 'pg-d', 'pg-e'];
    let created: { id: string; name: string }[];
    before(async () => {
      const res = await h.call('POST', '/v2.0/networks', { networks: names.map((name, i) => ({ name, description: 'page', admin_state_up: i % 2 === 0 })) }, ALICE);
      assert.equal(res.status, 201);
      created = res.body.networks;
    });
    test('bulk create answers every network, in order', async () => {
      assert.deepEqual(
        created.map((n) => n.name),
        names,
      );
      assertSampleShape(created[0], 'neutron', 'networks/network-show-response.json', NET_OPTIONAL.map((p) => p.replace('network.', '')).concat(['network']));
    });
    test('filters: equality, repeated keys, booleans; unknown filters are 400', async () => {
      const one = await h.call('GET', '/v2.0/networks?name=pg-c', undefined, ALICE);
      assert.deepEqual(
        one.body.networks.map((n: { name: string }) => n.name),
        ['pg-c'],
      );
      const two = await h.call('GET', '/v2.0/networks?name=pg-a&name=pg-e', undefined, ALICE);
      assert.equal(two.body.networks.length, 2);
      const down = await h.call('GET', '/v2.0/networks?description=page&admin_state_up=False', undefined, ALICE);
      assert.deepEqual(down.body.networks.map((n: { name: string }) => n.name).sort(), ['pg-b', 'pg-d']);
      neutronError(await h.call('GET', '/v2.0/networks?admin_state_up=perhaps', undefined, ALICE), 400, 'InvalidInput');
      const unknown = neutronError(await h.call('GET', '/v2.0/networks?colour=red', undefined, ALICE), 400, 'HTTPBadRequest');
      assert.equal(unknown.message, "['colour'] is invalid attribute for filtering");
      const none = await h.call('GET', '/v2.0/networks?status=DOWN', undefined, ALICE);
      assert.deepEqual(none.body.networks, []);
    });
    test('fields', async () => {
      const res = await h.call('GET', '/v2.0/networks?description=page&fields=name&fields=id', undefined, ALICE);
      for (const n of res.body.networks) assert.deepEqual(Object.keys(n).sort(), ['id', 'name']);
    });
    test('sorting by name both ways; bad sort keys are 400', async () => {
      const desc = await h.call('GET', '/v2.0/networks?description=page&sort_key=name&sort_dir=desc', undefined, ALICE);
      assert.deepEqual(
        desc.body.networks.map((n: { name: string }) => n.name),
        [...names].reverse(),
      );
      const asc = await h.call('GET', '/v2.0/networks?description=page&sort_key=admin_state_up&sort_dir=asc&sort_key=name&sort_dir=asc', undefined, ALICE);
      assert.deepEqual(
        asc.body.networks.map((n: { name: string }) => n.name),
        ['pg-b', 'pg-d', 'pg-a', 'pg-c', 'pg-e'],
      );
      neutronError(await h.call('GET', '/v2.0/networks?sort_key=colour&sort_dir=asc', undefined, ALICE), 400, 'HTTPBadRequest');
    });
    test('limit and marker with next/previous links that work', async () => {
      const seen: string[] = [];
      let url = `/v2.0/networks?description=page&sort_key=name&sort_dir=asc&limit=2`;
      let pages = 0;
      for (;;) {
        const res = await h.call('GET', url, undefined, ALICE);
        assert.equal(res.status, 200);
        pages++;
        seen.push(...res.body.networks.map((n: { name: string }) => n.name));
        const next = (res.body.networks_links ?? []).find((l: { rel: string }) => l.rel === 'next');
        if (!next) break;
        assert.ok(next.href.startsWith(`${h.base}/v2.0/networks?`));
        url = next.href.slice(h.base.length);
        assert.ok(pages < 10);
      }
      assert.deepEqual(seen, names);
      const second = await h.call('GET', `/v2.0/networks?description=page&sort_key=name&sort_dir=asc&limit=2&marker=${created[1].id}`, undefined, ALICE);
      assert.deepEqual(
        second.body.networks.map((n: { name: string }) => n.name),
        ['pg-c', 'pg-d'],
      );
      const prev = second.body.networks_links.find((l: { rel: string }) => l.rel === 'previous');
      assert.match(prev.href, /page_reverse=True/);
      const back = await h.call('GET', prev.href.slice(h.base.length), undefined, ALICE);
      assert.deepEqual(
        back.body.networks.map((n: { name: string }) => n.name),
        ['pg-a', 'pg-b'],
      );
      neutronError(await h.call('GET', '/v2.0/networks?limit=2&marker=4e8e5957-649f-477b-9e5b-f1f75b21c03c', undefined, ALICE), 400);
      neutronError(await h.call('GET', '/v2.0/networks?limit=two', undefined, ALICE), 400, 'BadRequest');
    });
    test('tags: set, filter, remove', async () => {
      const id = created[0].id;
      assert.equal((await h.call('PUT', `/v2.0/networks/${id}/tags/red`, undefined, ALICE)).status, 201);
      const put = await h.call('PUT', `/v2.0/networks/${id}/tags`, { tags: ['blue', 'red'] }, ALICE);
      assert.deepEqual(put.body, { tags: ['blue', 'red'] });
      assert.deepEqual((await h.call('GET', `/v2.0/networks/${id}`, undefined, ALICE)).body.network.tags, ['blue', 'red']);
      const tagged = await h.call('GET', '/v2.0/networks?tags=red,blue', undefined, ALICE);
      assert.deepEqual(
        tagged.body.networks.map((n: { id: string }) => n.id),
        [id],
      );
      const notTagged = await h.call('GET', '/v2.0/networks?description=page&not-tags-any=red', undefined, ALICE);
      assert.equal(notTagged.body.networks.length, 4);
      assert.equal((await h.call('GET', `/v2.0/networks/${id}/tags/blue`, undefined, ALICE)).status, 204);
      assert.equal((await h.call('DELETE', `/v2.0/networks/${id}/tags/blue`, undefined, ALICE)).status, 204);
      neutronError(await h.call('GET', `/v2.0/networks/${id}/tags/blue`, undefined, ALICE), 404, 'TagNotFound');
      neutronError(await h.call('PUT', `/v2.0/networks/${id}/tags/x`, undefined, BOB), 404, 'NetworkNotFound');
      // A collection named like an Object member is no collection (the fuzz test found a 500 here).
      for (const name of ['toString', 'constructor', '__proto__']) neutronError(await h.call('DELETE', `/v2.0/${name}/${id}/tags/x`, undefined, ALICE), 404, 'HTTPNotFound');
    });
    test('the collection rejects other methods with 405', async () => {
      const res = await h.call('PATCH', '/v2.0/networks', {});
      neutronError(res, 405);
    });
  });
});
