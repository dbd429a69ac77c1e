import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDatabase } from '../support/databases.js';
import { ALICE, BOB, neutronError, startNeutron, type NeutronHarness } from './support.js';

describeEachDatabase('top Neutron: trunks and floating IP port forwarding', (dialect) => {
  let h: NeutronHarness;
  let net: string;
  let net2: string;
  let ext: string;
  let sub: string;

  const port = async (networkId = net, who = ALICE) => {
    const res = await h.call('POST', '/v2.0/ports', { port: { network_id: networkId } }, who);
    assert.equal(res.status, 201, res.text);
    return res.body.port as { id: string; fixed_ips: { ip_address: string }[] };
  };
  const jobs = (type: string, id: string) => h.tc.db.kysely.selectFrom('async_jobs').selectAll().where('type', '=', type).where('resource_id', '=', id).execute();

  before(async () => {
    h = await startNeutron(dialect);
    await h.addPods({ Pod1: 'az1', Pod2: 'az2' });
    net = (await h.call('POST', '/v2.0/networks', { network: { name: 'parent-net' } }, ALICE)).body.network.id;
    sub = (await h.call('POST', '/v2.0/subnets', { subnet: { network_id: net, ip_version: 4, cidr: '10.7.0.0/24' } }, ALICE)).body.subnet.id;
    net2 = (await h.call('POST', '/v2.0/networks', { network: { name: 'sub-net' } }, ALICE)).body.network.id;
    await h.call('POST', '/v2.0/subnets', { subnet: { network_id: net2, ip_version: 4, cidr: '10.8.0.0/24' } }, ALICE);
    ext = (await h.call('POST', '/v2.0/networks', { network: { name: 'ext', 'router:external': true, availability_zone_hints: ['Pod2'] } })).body.network.id;
    await h.call('POST', '/v2.0/subnets', { subnet: { network_id: ext, ip_version: 4, cidr: '172.30.0.0/24', enable_dhcp: false } });
  });
  after(() => h?.close());

  test('a trunk with subports: create, add, remove, list, refuse what upstream refuses', async () => {
    const parent = await port();
    const s1 = await port(net2);
    const s2 = await port(net2);
    const created = await h.call(
      'POST',
      '/v2.0/trunks',
      { trunk: { name: 't1', port_id: parent.id, sub_ports: [{ port_id: s1.id, segmentation_type: 'vlan', segmentation_id: 101 }] } },
      ALICE,
    );
    assert.equal(created.status, 201, created.text);
    const trunk = created.body.trunk;
    assert.equal(trunk.port_id, parent.id);
    assert.equal(trunk.status, 'DOWN');
    assert.equal(trunk.admin_state_up, true);
    assert.deepEqual(trunk.sub_ports, [{ port_id: s1.id, segmentation_type: 'vlan', segmentation_id: 101 }]);
    assert.ok((await jobs('trunk_sync', trunk.id)).length >= 1);

    neutronError(await h.call('POST', '/v2.0/trunks', { trunk: { port_id: parent.id } }, ALICE), 409, 'TrunkPortInUse');
    neutronError(await h.call('POST', '/v2.0/trunks', { trunk: { port_id: s1.id } }, ALICE), 409, 'PortInUseAsSubPort');
    neutronError(await h.call('POST', '/v2.0/trunks', { trunk: { port_id: parent.id } }, BOB), 404, 'PortNotFound');
    neutronError(
      await h.call('PUT', `/v2.0/trunks/${trunk.id}/add_subports`, { sub_ports: [{ port_id: s2.id, segmentation_type: 'vlan', segmentation_id: 101 }] }, ALICE),
      409,
      'DuplicateSubPort',
    );
    neutronError(await h.call('PUT', `/v2.0/trunks/${trunk.id}/add_subports`, { sub_ports: [{ port_id: s2.id, segmentation_type: 'vlan', segmentation_id: 5000 }] }, ALICE), 400);

    const added = await h.call('PUT', `/v2.0/trunks/${trunk.id}/add_subports`, { sub_ports: [{ port_id: s2.id, segmentation_type: 'vlan', segmentation_id: 102 }] }, ALICE);
    assert.equal(added.status, 200, added.text);
    assert.equal(added.body.sub_ports.length, 2);
    assert.equal(added.body.id, trunk.id, 'the subport actions answer the trunk itself');
    const details = (await h.call('GET', `/v2.0/ports/${parent.id}`, undefined, ALICE)).body.port.trunk_details;
    assert.equal(details.trunk_id, trunk.id);
    assert.deepEqual(
      details.sub_ports.map((s: any) => [s.port_id, s.segmentation_id]),
      [
        [s1.id, 101],
        [s2.id, 102],
      ],
    );
    assert.equal(typeof details.sub_ports[0].mac_address, 'string');
    assert.equal((await h.call('GET', `/v2.0/ports/${s1.id}`, undefined, ALICE)).body.port.trunk_details, undefined);
    const tagged = await h.call('PUT', `/v2.0/trunks/${trunk.id}/tags/blue`, undefined, ALICE);
    assert.equal(tagged.status, 201, tagged.text);
    assert.deepEqual((await h.call('GET', `/v2.0/trunks/${trunk.id}`, undefined, ALICE)).body.trunk.tags, ['blue']);
    assert.equal((await h.call('GET', '/v2.0/trunks?tags=blue', undefined, ALICE)).body.trunks.length, 1);
    const subs = await h.call('GET', `/v2.0/trunks/${trunk.id}/get_subports`, undefined, ALICE);
    assert.deepEqual(
      subs.body.sub_ports.map((s: any) => s.segmentation_id),
      [101, 102],
    );

    // Ports in a trunk cannot be deleted.
    neutronError(await h.call('DELETE', `/v2.0/ports/${parent.id}`, undefined, ALICE), 409, 'PortInUseAsTrunkParent');
    neutronError(await h.call('DELETE', `/v2.0/ports/${s2.id}`, undefined, ALICE), 409, 'PortInUseAsSubPort');

    const removed = await h.call('PUT', `/v2.0/trunks/${trunk.id}/remove_subports`, { sub_ports: [{ port_id: s2.id }] }, ALICE);
    assert.equal(removed.body.sub_ports.length, 1);
    neutronError(await h.call('PUT', `/v2.0/trunks/${trunk.id}/remove_subports`, { sub_ports: [{ port_id: s2.id }] }, ALICE), 404, 'SubPortNotFound');
    assert.equal((await h.call('DELETE', `/v2.0/ports/${s2.id}`, undefined, ALICE)).status, 204);

    const renamed = await h.call('PUT', `/v2.0/trunks/${trunk.id}`, { trunk: { name: 'renamed' } }, ALICE);
    assert.equal(renamed.body.trunk.name, 'renamed');
    assert.equal((await h.call('GET', `/v2.0/trunks?port_id=${parent.id}`, undefined, ALICE)).body.trunks.length, 1);
    assert.equal((await h.call('GET', '/v2.0/trunks', undefined, BOB)).body.trunks.length, 0);
    neutronError(await h.call('GET', `/v2.0/trunks/${trunk.id}`, undefined, BOB), 404, 'TrunkNotFound');

    assert.equal((await h.call('DELETE', `/v2.0/trunks/${trunk.id}`, undefined, ALICE)).status, 204);
    assert.equal((await h.call('DELETE', `/v2.0/ports/${parent.id}`, undefined, ALICE)).status, 204);
  });

  test('a disabled trunk keeps its subports and is not deleted; sub_ports are checked as a whole first', async () => {
    const parent = await port();
    const s1 = await port(net2);
    const s2 = await port(net2);
    const seg = (id: string, n: number) => ({ port_id: id, segmentation_type: 'vlan', segmentation_id: n });
    // Checked before any port is looked up: the parent here is no port at all.
    const noPort = '00000000-0000-4000-8000-000000000000';
    neutronError(await h.call('POST', '/v2.0/trunks', { trunk: { port_id: noPort, sub_ports: [seg(s1.id, 5), seg(s2.id, 5)] } }, ALICE), 400, 'HTTPBadRequest');
    neutronError(await h.call('POST', '/v2.0/trunks', { trunk: { port_id: noPort, sub_ports: [{ port_id: s1.id, segmentation_id: 5 }] } }, ALICE), 400, 'HTTPBadRequest');
    neutronError(await h.call('POST', '/v2.0/trunks', { trunk: { port_id: noPort, sub_ports: [seg(s1.id, 5), seg(s1.id, 6)] } }, ALICE), 400, 'HTTPBadRequest');

    const trunk = (await h.call('POST', '/v2.0/trunks', { trunk: { port_id: parent.id, admin_state_up: false, sub_ports: [seg(s1.id, 7)] } }, ALICE)).body.trunk;
    assert.equal(trunk.admin_state_up, false);
    neutronError(await h.call('PUT', `/v2.0/trunks/${trunk.id}/add_subports`, { sub_ports: [seg(s2.id, 8)] }, ALICE), 409, 'TrunkDisabled');
    neutronError(await h.call('PUT', `/v2.0/trunks/${trunk.id}/remove_subports`, { sub_ports: [{ port_id: s1.id }] }, ALICE), 409, 'TrunkDisabled');
    neutronError(await h.call('DELETE', `/v2.0/trunks/${trunk.id}`, undefined, ALICE), 409, 'TrunkDisabled');
    assert.equal((await h.call('GET', `/v2.0/trunks/${trunk.id}`, undefined, ALICE)).body.trunk.sub_ports.length, 1);
    // Enabling it again is an update like any other; then it may be deleted.
    assert.equal((await h.call('PUT', `/v2.0/trunks/${trunk.id}`, { trunk: { admin_state_up: true } }, ALICE)).status, 200);
    assert.equal((await h.call('DELETE', `/v2.0/trunks/${trunk.id}`, undefined, ALICE)).status, 204);
  });

  test('port forwardings of a floating IP', async () => {
    const router = (await h.call('POST', '/v2.0/routers', { router: { name: 'r', external_gateway_info: { network_id: ext } } }, ALICE)).body.router.id;
    const fip = (await h.call('POST', '/v2.0/floatingips', { floatingip: { floating_network_id: ext } }, ALICE)).body.floatingip.id;
    const vm = await port();
    const body = (extra: Record<string, unknown> = {}) => ({
      port_forwarding: { protocol: 'tcp', internal_ip_address: vm.fixed_ips[0].ip_address, internal_port: 22, internal_port_id: vm.id, external_port: 2222, ...extra },
    });
    // No router between the port's subnet and the floating IP's network yet.
    neutronError(await h.call('POST', `/v2.0/floatingips/${fip}/port_forwardings`, body(), ALICE), 404, 'ExternalGatewayForFloatingIPNotFound');
    assert.equal((await h.call('PUT', `/v2.0/routers/${router}/add_router_interface`, { subnet_id: sub }, ALICE)).status, 200);

    const created = await h.call('POST', `/v2.0/floatingips/${fip}/port_forwardings`, body({ description: 'ssh' }), ALICE);
    assert.equal(created.status, 201, created.text);
    const pf = created.body.port_forwarding;
    assert.deepEqual(
      { ...pf, id: undefined },
      {
        id: undefined,
        protocol: 'tcp',
        internal_ip_address: vm.fixed_ips[0].ip_address,
        internal_port: 22,
        internal_port_id: vm.id,
        external_port: 2222,
        internal_port_range: '22',
        external_port_range: '2222',
        description: 'ssh',
      },
    );
    assert.ok((await jobs('port_forwarding_sync', fip)).length >= 1);
    neutronError(await h.call('POST', `/v2.0/floatingips/${fip}/port_forwardings`, body({ internal_port: 23 }), ALICE), 400, 'BadRequest');
    neutronError(await h.call('POST', `/v2.0/floatingips/${fip}/port_forwardings`, body({ protocol: 'icmp', external_port: 1 }), ALICE), 400);
    neutronError(await h.call('POST', `/v2.0/floatingips/${fip}/port_forwardings`, body({ internal_ip_address: '10.7.0.250', external_port: 3 }), ALICE), 400);
    neutronError(await h.call('GET', `/v2.0/floatingips/${fip}/port_forwardings`, undefined, BOB), 404);

    const ranged = await h.call(
      'POST',
      `/v2.0/floatingips/${fip}/port_forwardings`,
      {
        port_forwarding: {
          protocol: 'udp',
          internal_port_id: vm.id,
          internal_ip_address: vm.fixed_ips[0].ip_address,
          internal_port_range: '5000:5010',
          external_port_range: '6000:6010',
        },
      },
      ALICE,
    );
    assert.equal(ranged.status, 201, ranged.text);
    assert.equal(ranged.body.port_forwarding.internal_port, null);
    assert.equal(ranged.body.port_forwarding.external_port_range, '6000:6010');

    const list = await h.call('GET', `/v2.0/floatingips/${fip}/port_forwardings?protocol=tcp`, undefined, ALICE);
    assert.deepEqual(
      list.body.port_forwardings.map((p: any) => p.id),
      [pf.id],
    );
    const upd = await h.call('PUT', `/v2.0/floatingips/${fip}/port_forwardings/${pf.id}`, { port_forwarding: { external_port: 2200 } }, ALICE);
    assert.equal(upd.status, 200, upd.text);
    assert.equal(upd.body.port_forwarding.external_port, 2200);
    // A floating IP with forwardings cannot be associated; a deleted internal port takes its forwardings along.
    neutronError(await h.call('PUT', `/v2.0/floatingips/${fip}`, { floatingip: { port_id: vm.id } }, ALICE), 409, 'FipInUseByPortForwarding');
    const other = await port();
    const third = await h.call(
      'POST',
      `/v2.0/floatingips/${fip}/port_forwardings`,
      { port_forwarding: { protocol: 'tcp', internal_port_id: other.id, internal_ip_address: other.fixed_ips[0].ip_address, internal_port: 80, external_port: 8080 } },
      ALICE,
    );
    assert.equal(third.status, 201, third.text);
    assert.equal((await h.call('DELETE', `/v2.0/ports/${other.id}`, undefined, ALICE)).status, 204);
    assert.equal((await h.call('GET', `/v2.0/floatingips/${fip}/port_forwardings`, undefined, ALICE)).body.port_forwardings.length, 2);
    assert.equal((await h.call('DELETE', `/v2.0/floatingips/${fip}/port_forwardings/${pf.id}`, undefined, ALICE)).status, 204);
    neutronError(await h.call('GET', `/v2.0/floatingips/${fip}/port_forwardings/${pf.id}`, undefined, ALICE), 404, 'PortForwardingNotFound');
  });

  test('the extensions are listed', async () => {
    const aliases = (await h.call('GET', '/v2.0/extensions', undefined, ALICE)).body.extensions.map((e: any) => e.alias);
    for (const a of ['rbac-policies', 'rbac-address-scope', 'rbac-subnetpool', 'rbac-security-groups', 'qos', 'qos-rules-alias', 'trunk', 'floating-ip-port-forwarding'])
      assert.ok(aliases.includes(a), a);
  });
});
