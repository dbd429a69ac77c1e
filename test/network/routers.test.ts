import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDatabase } from '../support/databases.js';
import { assertSampleShape } from '../support/shapes.js';
import { ADMIN, ALICE, BOB, neutronError, startNeutron, type NeutronHarness } from './support.js';

/** Attributes of upstream extensions Tricircle does not offer (conntrack helpers, NDP proxy ...). */
const ROUTER_OPTIONAL = ['router.conntrack_helpers'];
/** Upstream's policy shows these to admins only. */
const MEMBER_OPTIONAL = [...ROUTER_OPTIONAL, 'router.distributed', 'router.ha'];
const UNKNOWN = '4e8e5957-649f-477b-9e5b-f1f75b21c03c';

describeEachDatabase('top Neutron: routers', (dialect) => {
  let h: NeutronHarness;
  let ext: string;
  let extSubnet: string;
  let net1: string;
  let sub1: string;
  let net2: string;
  let sub2: string;

  const jobs = (type: string, resourceId: string) => h.tc.db.kysely.selectFrom('async_jobs').selectAll().where('type', '=', type).where('resource_id', '=', resourceId).execute();
  const router = async (body: Record<string, unknown> = {}, who = ALICE) => {
    const res = await h.call('POST', '/v2.0/routers', { router: body }, who);
    assert.equal(res.status, 201, res.text);
    return res.body.router;
  };
  const addSubnet = (routerId: string, subnetId: string, who = ALICE) => h.call('PUT', `/v2.0/routers/${routerId}/add_router_interface`, { subnet_id: subnetId }, who);
  const removeSubnet = (routerId: string, subnetId: string, who = ALICE) => h.call('PUT', `/v2.0/routers/${routerId}/remove_router_interface`, { subnet_id: subnetId }, who);

  before(async () => {
    h = await startNeutron(dialect);
    await h.addPods({ Pod1: 'az1', Pod2: 'az2' });
    ext = (await h.call('POST', '/v2.0/networks', { network: { name: 'ext-net', 'router:external': true, availability_zone_hints: ['Pod2'] } })).body.network.id;
    extSubnet = (
      await h.call('POST', '/v2.0/subnets', {
        subnet: { network_id: ext, ip_version: 4, cidr: '172.24.4.0/24', enable_dhcp: false, allocation_pools: [{ start: '172.24.4.10', end: '172.24.4.50' }] },
      })
    ).body.subnet.id;
    net1 = (await h.call('POST', '/v2.0/networks', { network: { name: 'net1' } }, ALICE)).body.network.id;
    sub1 = (await h.call('POST', '/v2.0/subnets', { subnet: { network_id: net1, ip_version: 4, cidr: '10.0.1.0/24' } }, ALICE)).body.subnet.id;
    net2 = (await h.call('POST', '/v2.0/networks', { network: { name: 'net2' } }, ALICE)).body.network.id;
    sub2 = (await h.call('POST', '/v2.0/subnets', { subnet: { network_id: net2, ip_version: 4, cidr: '10.0.2.0/24' } }, ALICE)).body.subnet.id;
  });
  after(async () => h?.close());

  describe('create, show, list, update', () => {
    test('a router as upstream shows it; nothing for the pods until it has a gateway or interfaces', async () => {
      const res = await h.call('POST', '/v2.0/routers', { router: { name: 'r1', description: 'first' } }, ALICE);
      assert.equal(res.status, 201);
      assertSampleShape(res.body, 'neutron', 'routers/router-create-response.json', MEMBER_OPTIONAL);
      const r = res.body.router;
      assert.equal(r.name, 'r1');
      assert.equal(r.description, 'first');
      assert.equal(r.project_id, 'p-alice');
      assert.equal(r.tenant_id, 'p-alice');
      assert.equal(r.status, 'ACTIVE');
      assert.equal(r.admin_state_up, true);
      assert.equal(r.external_gateway_info, null);
      assert.deepEqual(r.routes, []);
      assert.deepEqual(r.availability_zone_hints, []);
      assert.deepEqual(r.availability_zones, []);
      assert.equal(r.revision_number, 1);
      assert.ok(!('distributed' in r) && !('ha' in r), 'distributed and ha are for admins');
      assert.deepEqual(await jobs('router_setup', r.id), []);
      const shown = await h.call('GET', `/v2.0/routers/${r.id}`, undefined, ADMIN);
      assertSampleShape(shown.body, 'neutron', 'routers/router-show-response.json', ROUTER_OPTIONAL);
      assert.equal(shown.body.router.distributed, false);
      assert.equal(shown.body.router.ha, false);
      const fields = await h.call('GET', `/v2.0/routers/${r.id}?fields=id&fields=name`, undefined, ALICE);
      assert.deepEqual(fields.body.router, { id: r.id, name: 'r1' });
      await h.call('DELETE', `/v2.0/routers/${r.id}`, undefined, ALICE);
    });

    test('bad bodies and admin-only attributes', async () => {
      neutronError(await h.call('POST', '/v2.0/routers', { router: { routes: [] } }, ALICE), 400, 'HTTPBadRequest');
      neutronError(await h.call('POST', '/v2.0/routers', { router: { name: 5 } }, ALICE), 400, 'HTTPBadRequest');
      neutronError(await h.call('POST', '/v2.0/routers', { router: { flavor: 'x' } }, ALICE), 400, 'HTTPBadRequest');
      neutronError(await h.call('POST', '/v2.0/routers', { router: { admin_state_up: 'maybe' } }, ALICE), 400);
      neutronError(await h.call('POST', '/v2.0/routers', { routers: 'x' }, ALICE), 400);
      const denied = neutronError(await h.call('POST', '/v2.0/routers', { router: { distributed: false } }, ALICE), 403, 'PolicyNotAuthorized');
      assert.equal(denied.message, '(rule:create_router and rule:create_router:distributed) is disallowed by policy');
      neutronError(await h.call('POST', '/v2.0/routers', { router: { ha: true } }, ADMIN), 400, 'InvalidInput');
      neutronError(await h.call('POST', '/v2.0/routers', { router: { distributed: true } }, ADMIN), 400, 'InvalidInput');
      neutronError(await h.call('POST', '/v2.0/routers', { router: { external_gateway_info: { enable_snat: true } } }, ALICE), 400, 'HTTPBadRequest');
      neutronError(await h.call('POST', '/v2.0/routers', { router: { external_gateway_info: { network_id: ext, qos: 1 } } }, ALICE), 400, 'HTTPBadRequest');
      neutronError(await h.call('POST', '/v2.0/routers', { router: { project_id: 'p-bob' } }, ALICE), 400, 'HTTPBadRequest');
      const central = await router({ distributed: false, ha: false }, ADMIN);
      assert.equal(central.distributed, false);
      await h.call('DELETE', `/v2.0/routers/${central.id}`);
      assert.equal((await h.tc.db.kysely.selectFrom('routers').select('id').execute()).length, 0, 'no half-made router');
    });

    test("availability_zone_hints are checked like networks'", async () => {
      const r = await router({ availability_zone_hints: ['az1'] });
      assert.deepEqual(r.availability_zone_hints, ['az1']);
      neutronError(await h.call('POST', '/v2.0/routers', { router: { availability_zone_hints: ['az9'] } }, ALICE), 404, 'AvailabilityZoneNotFound');
      neutronError(await h.call('PUT', `/v2.0/routers/${r.id}`, { router: { availability_zone_hints: ['az2'] } }, ALICE), 400, 'HTTPBadRequest');
      await h.call('DELETE', `/v2.0/routers/${r.id}`, undefined, ALICE);
    });

    test('update name, description, admin state; revision numbers move', async () => {
      const r = await router({ name: 'before' });
      const res = await h.call('PUT', `/v2.0/routers/${r.id}`, { router: { name: 'after', description: 'd', admin_state_up: false } }, ALICE);
      assert.equal(res.status, 200);
      assertSampleShape(res.body, 'neutron', 'routers/router-update-response.json', MEMBER_OPTIONAL);
      assert.equal(res.body.router.name, 'after');
      assert.equal(res.body.router.admin_state_up, false);
      assert.equal(res.body.router.revision_number, 2);
      assert.equal((await jobs('router_setup', r.id)).length, 1, 'the admin state reaches the pods');
      neutronError(await h.call('PUT', `/v2.0/routers/${r.id}`, { router: { id: UNKNOWN } }, ALICE), 400, 'HTTPBadRequest');
      await h.call('DELETE', `/v2.0/routers/${r.id}`, undefined, ALICE);
    });

    test("tenant isolation: others' routers are not found; admins see every router", async () => {
      const mine = await router({ name: 'alice-r' });
      const bobs = await router({ name: 'bob-r' }, BOB);
      neutronError(await h.call('GET', `/v2.0/routers/${bobs.id}`, undefined, ALICE), 404, 'RouterNotFound');
      neutronError(await h.call('PUT', `/v2.0/routers/${bobs.id}`, { router: { name: 'x' } }, ALICE), 404, 'RouterNotFound');
      neutronError(await h.call('DELETE', `/v2.0/routers/${bobs.id}`, undefined, ALICE), 404, 'RouterNotFound');
      neutronError(await addSubnet(bobs.id, sub1), 404, 'RouterNotFound');
      neutronError(await addSubnet(mine.id, sub1, BOB), 404, 'RouterNotFound');
      const nf = neutronError(await h.call('GET', `/v2.0/routers/${UNKNOWN}`, undefined, ALICE), 404, 'RouterNotFound');
      assert.equal(nf.message, `Router ${UNKNOWN} could not be found`);
      assert.deepEqual(
        (await h.call('GET', '/v2.0/routers', undefined, ALICE)).body.routers.map((r: { name: string }) => r.name),
        ['alice-r'],
      );
      const all = await h.call('GET', '/v2.0/routers?sort_key=name&sort_dir=desc', undefined, ADMIN);
      assertSampleShape(
        all.body,
        'neutron',
        'routers/routers-list-response.json',
        ROUTER_OPTIONAL.map((p) => p.replace('router.', 'routers[].')),
      );
      assert.deepEqual(
        all.body.routers.map((r: { name: string }) => r.name),
        ['bob-r', 'alice-r'],
      );
      const page = await h.call('GET', '/v2.0/routers?limit=1&sort_key=name', undefined, ADMIN);
      assert.equal(page.body.routers.length, 1);
      assert.equal(page.body.routers[0].name, 'alice-r');
      assert.ok(page.body.routers_links.some((l: { rel: string; href: string }) => l.rel === 'next' && l.href.includes(`marker=${mine.id}`)));
      const byProject = await h.call('GET', '/v2.0/routers?project_id=p-bob&fields=name', undefined, ADMIN);
      assert.deepEqual(byProject.body.routers, [{ name: 'bob-r' }]);
      neutronError(await h.call('GET', '/v2.0/routers?flavor=1', undefined, ADMIN), 400);
      await h.call('DELETE', `/v2.0/routers/${mine.id}`, undefined, ALICE);
      await h.call('DELETE', `/v2.0/routers/${bobs.id}`, undefined, BOB);
    });

    test('tags', async () => {
      const r = await router({ name: 'tagged' });
      assert.equal((await h.call('PUT', `/v2.0/routers/${r.id}/tags`, { tags: ['b', 'a'] }, ALICE)).status, 200);
      assert.equal((await h.call('PUT', `/v2.0/routers/${r.id}/tags/c`, undefined, ALICE)).status, 201);
      assert.deepEqual((await h.call('GET', `/v2.0/routers/${r.id}`, undefined, ALICE)).body.router.tags, ['a', 'b', 'c']);
      assert.deepEqual((await h.call('GET', '/v2.0/routers?tags=a,c&fields=id', undefined, ALICE)).body.routers, [{ id: r.id }]);
      neutronError(await h.call('PUT', `/v2.0/routers/${r.id}/tags/x`, undefined, BOB), 404, 'RouterNotFound');
      await h.call('DELETE', `/v2.0/routers/${r.id}`, undefined, ALICE);
      assert.equal((await h.tc.db.kysely.selectFrom('resource_tags').selectAll().where('resource_id', '=', r.id).execute()).length, 0);
    });
  });

  describe('external gateway', () => {
    test('set with the router, as the sample request does (enable_snat and external_fixed_ips are admin-only)', async () => {
      const denied = neutronError(
        await h.call('POST', '/v2.0/routers', { router: { external_gateway_info: { network_id: ext, enable_snat: true } } }, ALICE),
        403,
        'PolicyNotAuthorized',
      );
      assert.match(denied.message, /rule:create_router:external_gateway_info:enable_snat/);
      neutronError(
        await h.call('POST', '/v2.0/routers', { router: { external_gateway_info: { network_id: ext, external_fixed_ips: [{ ip_address: '172.24.4.6' }] } } }, ALICE),
        403,
        'PolicyNotAuthorized',
      );
      const res = await h.call(
        'POST',
        '/v2.0/routers',
        {
          router: {
            name: 'router1',
            project_id: 'p-alice',
            external_gateway_info: { network_id: ext, enable_snat: true, external_fixed_ips: [{ ip_address: '172.24.4.6', subnet_id: extSubnet }] },
            admin_state_up: true,
          },
        },
        ADMIN,
      );
      assert.equal(res.status, 201, res.text);
      assertSampleShape(res.body, 'neutron', 'routers/router-create-response.json', ROUTER_OPTIONAL);
      const r = res.body.router;
      assert.deepEqual(r.external_gateway_info, { network_id: ext, enable_snat: true, external_fixed_ips: [{ subnet_id: extSubnet, ip_address: '172.24.4.6' }] });
      assert.equal((await jobs('router_setup', r.id)).length, 1);
      const gw = (await h.call('GET', `/v2.0/ports?device_id=${r.id}`, undefined, ADMIN)).body.ports;
      assert.equal(gw.length, 1);
      assert.equal(gw[0].device_owner, 'network:router_gateway');
      assert.equal(gw[0].network_id, ext);
      assert.deepEqual((await h.call('GET', `/v2.0/ports?device_id=${r.id}`, undefined, ALICE)).body.ports, [], "the gateway port is no tenant's");
      neutronError(await h.call('DELETE', `/v2.0/ports/${gw[0].id}`, undefined, ADMIN), 409, 'ServicePortInUse');
      neutronError(await h.call('DELETE', `/v2.0/networks/${ext}`, undefined, ADMIN), 409, 'NetworkInUse');
      neutronError(await h.call('DELETE', `/v2.0/subnets/${extSubnet}`, undefined, ADMIN), 409, 'SubnetInUse');

      // Same network, other address: the port keeps its id and changes its address.
      const moved = await h.call(
        'PUT',
        `/v2.0/routers/${r.id}`,
        { router: { external_gateway_info: { network_id: ext, external_fixed_ips: [{ ip_address: '172.24.4.7' }] } } },
        ADMIN,
      );
      assert.equal(moved.status, 200, moved.text);
      assert.deepEqual(moved.body.router.external_gateway_info.external_fixed_ips, [{ subnet_id: extSubnet, ip_address: '172.24.4.7' }]);
      const after = (await h.call('GET', `/v2.0/ports?device_id=${r.id}`, undefined, ADMIN)).body.ports;
      assert.equal(after[0].id, gw[0].id);
      // SNAT off, by an admin.
      const snat = await h.call('PUT', `/v2.0/routers/${r.id}`, { router: { external_gateway_info: { network_id: ext, enable_snat: false } } }, ADMIN);
      assert.equal(snat.body.router.external_gateway_info.enable_snat, false);
      assert.equal(snat.body.router.external_gateway_info.external_fixed_ips[0].ip_address, '172.24.4.7');
      // Setting the gateway again without enable_snat restores the default.
      const again = await h.call('PUT', `/v2.0/routers/${r.id}`, { router: { external_gateway_info: { network_id: ext } } }, ALICE);
      assert.equal(again.body.router.external_gateway_info.enable_snat, true);
      // Unset: the port goes.
      const unset = await h.call('PUT', `/v2.0/routers/${r.id}`, { router: { external_gateway_info: {} } }, ALICE);
      assert.equal(unset.body.router.external_gateway_info, null);
      assert.deepEqual((await h.call('GET', `/v2.0/ports?device_id=${r.id}`, undefined, ADMIN)).body.ports, []);
      assert.ok((await jobs('router_setup', r.id)).length >= 1);
      await h.call('DELETE', `/v2.0/routers/${r.id}`, undefined, ALICE);
    });

    test('set by update (router set --external-gateway), with an allocated address; errors as upstream', async () => {
      const r = await router({ name: 'gw' });
      neutronError(await h.call('PUT', `/v2.0/routers/${r.id}`, { router: { external_gateway_info: { network_id: UNKNOWN } } }, ALICE), 404, 'NetworkNotFound');
      const notExt = neutronError(await h.call('PUT', `/v2.0/routers/${r.id}`, { router: { external_gateway_info: { network_id: net1 } } }, ALICE), 400, 'BadRequest');
      assert.equal(notExt.message, `Bad router request: Network ${net1} is not an external network.`);
      neutronError(
        await h.call('PUT', `/v2.0/routers/${r.id}`, { router: { external_gateway_info: { network_id: ext, external_fixed_ips: [{ ip_address: '172.24.4.1' }] } } }, ADMIN),
        400,
        'BadRequest',
      );
      neutronError(
        await h.call('PUT', `/v2.0/routers/${r.id}`, { router: { external_gateway_info: { network_id: ext, external_fixed_ips: [{ ip_address: '10.9.9.9' }] } } }, ADMIN),
        400,
        'InvalidIpForNetwork',
      );
      assert.equal((await h.call('GET', `/v2.0/routers/${r.id}`, undefined, ALICE)).body.router.revision_number, 1, 'failed updates change nothing');
      const res = await h.call('PUT', `/v2.0/routers/${r.id}`, { router: { external_gateway_info: { network_id: ext } } }, ALICE);
      assert.equal(res.status, 200, res.text);
      const ip = res.body.router.external_gateway_info.external_fixed_ips[0];
      assert.equal(ip.subnet_id, extSubnet);
      assert.match(ip.ip_address, /^172\.24\.4\.(1\d|[2-4]\d|50)$/);
      // The external subnet cannot be an interface of the same router.
      neutronError(await addSubnet(r.id, extSubnet, ADMIN), 400, 'BadRequest');
      await h.call('PUT', `/v2.0/routers/${r.id}`, { router: { external_gateway_info: null } }, ALICE);
      await h.call('DELETE', `/v2.0/routers/${r.id}`, undefined, ALICE);
    });
  });

  describe('interfaces', () => {
    test("by subnet: the subnet's gateway IP on a new router_interface port", async () => {
      const r = await router({ name: 'ri' });
      const res = await addSubnet(r.id, sub1);
      assert.equal(res.status, 200, res.text);
      assertSampleShape(res.body, 'neutron', 'routers/router-add-interface-response.json', ['tags']);
      assert.equal(res.body.id, r.id);
      assert.equal(res.body.network_id, net1);
      assert.equal(res.body.subnet_id, sub1);
      assert.deepEqual(res.body.subnet_ids, [sub1]);
      assert.equal(res.body.project_id, 'p-alice');
      const port = (await h.call('GET', `/v2.0/ports/${res.body.port_id}`, undefined, ALICE)).body.port;
      assert.equal(port.device_owner, 'network:router_interface');
      assert.equal(port.device_id, r.id);
      assert.deepEqual(port.fixed_ips, [{ subnet_id: sub1, ip_address: '10.0.1.1' }]);
      assert.deepEqual(port.security_groups, []);
      assert.equal((await h.call('GET', `/v2.0/routers/${r.id}`, undefined, ALICE)).body.router.revision_number, 2);
      assert.equal((await jobs('router_setup', r.id)).length, 1);

      const dup = neutronError(await addSubnet(r.id, sub1), 400, 'BadRequest');
      assert.equal(dup.message, `Bad router request: Router already has a port on subnet ${sub1}.`);
      const other = await router({ name: 'other' });
      neutronError(await addSubnet(other.id, sub1), 409, 'IpAddressAlreadyAllocated');
      neutronError(await addSubnet(r.id, UNKNOWN), 404, 'SubnetNotFound');
      // In use: the subnet, its network and the interface port itself.
      neutronError(await h.call('DELETE', `/v2.0/subnets/${sub1}`, undefined, ALICE), 409, 'SubnetInUse');
      neutronError(await h.call('DELETE', `/v2.0/networks/${net1}`, undefined, ALICE), 409, 'NetworkInUse');
      const direct = neutronError(await h.call('DELETE', `/v2.0/ports/${res.body.port_id}`, undefined, ALICE), 409, 'ServicePortInUse');
      assert.equal(direct.message, `Port ${res.body.port_id} cannot be deleted directly via the port API: has device owner network:router_interface.`);
      const inUse = neutronError(await h.call('DELETE', `/v2.0/routers/${r.id}`, undefined, ALICE), 409, 'RouterInUse');
      assert.equal(inUse.message, `Router ${r.id} still has ports`);

      const removed = await removeSubnet(r.id, sub1);
      assert.equal(removed.status, 200, removed.text);
      assertSampleShape(removed.body, 'neutron', 'routers/router-remove-interface-response.json', ['tags']);
      assert.equal(removed.body.port_id, res.body.port_id);
      neutronError(await h.call('GET', `/v2.0/ports/${res.body.port_id}`, undefined, ALICE), 404, 'PortNotFound');
      const gone = neutronError(await removeSubnet(r.id, sub1), 404, 'RouterInterfaceNotFoundForSubnet');
      assert.equal(gone.message, `Router ${r.id} has no interface on subnet ${sub1}`);
      assert.equal((await h.call('DELETE', `/v2.0/routers/${r.id}`, undefined, ALICE)).status, 204);
      await h.call('DELETE', `/v2.0/routers/${other.id}`, undefined, ALICE);
    });

    test('by subnet: refused for subnets without a gateway, of other projects, or overlapping another interface', async () => {
      const r = await router({ name: 'checks' });
      const netG = (await h.call('POST', '/v2.0/networks', { network: { name: 'nogw' } }, ALICE)).body.network.id;
      const noGw = (await h.call('POST', '/v2.0/subnets', { subnet: { network_id: netG, ip_version: 4, cidr: '10.0.9.0/24', gateway_ip: null } }, ALICE)).body.subnet.id;
      const msg = neutronError(await addSubnet(r.id, noGw), 400, 'BadRequest');
      assert.equal(msg.message, 'Bad router request: Subnet for router interface must have a gateway IP.');
      const overlap = (await h.call('POST', '/v2.0/subnets', { subnet: { network_id: netG, ip_version: 4, cidr: '10.0.1.128/25' } }, ALICE)).body.subnet.id;
      assert.equal((await addSubnet(r.id, sub1)).status, 200);
      const o = neutronError(await addSubnet(r.id, overlap), 400, 'BadRequest');
      assert.match(o.message, /Cidr 10\.0\.1\.128\/25 of subnet .* overlaps with cidr 10\.0\.1\.0\/24 of subnet/);
      const bobNet = (await h.call('POST', '/v2.0/networks', { network: { name: 'bob', shared: true } }, ADMIN)).body.network.id;
      const bobSub = (await h.call('POST', '/v2.0/subnets', { subnet: { network_id: bobNet, ip_version: 4, cidr: '10.7.0.0/24' } }, ADMIN)).body.subnet.id;
      const notMine = neutronError(await addSubnet(r.id, bobSub), 400, 'BadRequest');
      assert.match(notMine.message, /is not owned by project making the request/);
      const bobOwn = (await h.call('POST', '/v2.0/networks', { network: { name: 'bob-private' } }, BOB)).body.network.id;
      const bobPriv = (await h.call('POST', '/v2.0/subnets', { subnet: { network_id: bobOwn, ip_version: 4, cidr: '10.8.0.0/24' } }, BOB)).body.subnet.id;
      neutronError(await addSubnet(r.id, bobPriv), 404, 'SubnetNotFound');
      neutronError(await h.call('PUT', `/v2.0/routers/${r.id}/add_router_interface`, {}, ALICE), 400, 'BadRequest');
      neutronError(await h.call('PUT', `/v2.0/routers/${r.id}/add_router_interface`, { subnet_id: 'nope' }, ALICE), 400, 'BadRequest');
      const both = neutronError(await h.call('PUT', `/v2.0/routers/${r.id}/add_router_interface`, { subnet_id: sub2, port_id: UNKNOWN }, ALICE), 400, 'BadRequest');
      assert.equal(both.message, 'Bad router request: Cannot specify both subnet-id and port-id.');
      await removeSubnet(r.id, sub1);
      await h.call('DELETE', `/v2.0/routers/${r.id}`, undefined, ALICE);
      for (const n of [bobNet]) await h.call('DELETE', `/v2.0/networks/${n}`, undefined, ADMIN);
      await h.call('DELETE', `/v2.0/networks/${bobOwn}`, undefined, BOB);
      await h.call('DELETE', `/v2.0/networks/${netG}`, undefined, ALICE);
    });

    test('by port: an unattached port of the project becomes the interface; removal by port deletes it', async () => {
      const r = await router({ name: 'rp' });
      const p = (await h.call('POST', '/v2.0/ports', { port: { network_id: net2, name: 'ifport', fixed_ips: [{ subnet_id: sub2, ip_address: '10.0.2.254' }] } }, ALICE)).body.port;
      const res = await h.call('PUT', `/v2.0/routers/${r.id}/add_router_interface`, { port_id: p.id }, ALICE);
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body.subnet_ids, [sub2]);
      assert.equal(res.body.port_id, p.id);
      const port = (await h.call('GET', `/v2.0/ports/${p.id}`, undefined, ALICE)).body.port;
      assert.equal(port.device_owner, 'network:router_interface');
      assert.equal(port.device_id, r.id);
      assert.equal(port.revision_number, p.revision_number + 1);
      const other = await router({ name: 'rp2' });
      const inUse = neutronError(await h.call('PUT', `/v2.0/routers/${other.id}/add_router_interface`, { port_id: p.id }, ALICE), 409, 'PortInUse');
      assert.equal(inUse.message, `Unable to complete operation on port ${p.id} for network ${net2}. Port already has an attached device ${r.id}.`);
      const bare = (await h.call('POST', '/v2.0/ports', { port: { network_id: net2, fixed_ips: [] } }, ALICE)).body.port;
      const noIp = neutronError(await h.call('PUT', `/v2.0/routers/${other.id}/add_router_interface`, { port_id: bare.id }, ALICE), 400, 'BadRequest');
      assert.equal(noIp.message, 'Bad router request: Router port must have at least one fixed IP.');
      neutronError(await h.call('PUT', `/v2.0/routers/${other.id}/add_router_interface`, { port_id: UNKNOWN }, ALICE), 404, 'PortNotFound');

      const notIf = neutronError(await h.call('PUT', `/v2.0/routers/${r.id}/remove_router_interface`, { port_id: bare.id }, ALICE), 404, 'RouterInterfaceNotFound');
      assert.equal(notIf.message, `Router ${r.id} does not have an interface with id ${bare.id}`);
      neutronError(await h.call('PUT', `/v2.0/routers/${r.id}/remove_router_interface`, { port_id: p.id, subnet_id: sub1 }, ALICE), 400, 'SubnetMismatchForPort');
      neutronError(await h.call('PUT', `/v2.0/routers/${r.id}/remove_router_interface`, {}, ALICE), 400, 'BadRequest');
      const removed = await h.call('PUT', `/v2.0/routers/${r.id}/remove_router_interface`, { port_id: p.id, subnet_id: sub2 }, ALICE);
      assert.equal(removed.status, 200, removed.text);
      assert.deepEqual(removed.body.subnet_ids, [sub2]);
      neutronError(await h.call('GET', `/v2.0/ports/${p.id}`, undefined, ALICE), 404, 'PortNotFound');
      await h.call('DELETE', `/v2.0/ports/${bare.id}`, undefined, ALICE);
      await h.call('DELETE', `/v2.0/routers/${r.id}`, undefined, ALICE);
      await h.call('DELETE', `/v2.0/routers/${other.id}`, undefined, ALICE);
    });

    test('concurrent interface adds of one subnet to two routers: one wins the gateway IP', async () => {
      const a = await router({ name: 'race-a' });
      const b = await router({ name: 'race-b' });
      const results = await Promise.all([addSubnet(a.id, sub2), addSubnet(b.id, sub2)]);
      assert.deepEqual(results.map((r) => r.status).sort(), [200, 409]);
      const winner = results[0].status === 200 ? a : b;
      assert.equal((await removeSubnet(winner.id, sub2)).status, 200);
      await h.call('DELETE', `/v2.0/routers/${a.id}`, undefined, ALICE);
      await h.call('DELETE', `/v2.0/routers/${b.id}`, undefined, ALICE);
    });
  });

  describe('routes', () => {
    let r: { id: string };
    before(async () => {
      r = await router({ name: 'routes' });
      assert.equal((await addSubnet(r.id, sub1)).status, 200);
      await h.call('PUT', `/v2.0/routers/${r.id}`, { router: { external_gateway_info: { network_id: ext } } }, ALICE);
    });
    after(async () => {
      await h.call('PUT', `/v2.0/routers/${r.id}`, { router: { routes: null, external_gateway_info: null } }, ALICE);
      await removeSubnet(r.id, sub1);
      await h.call('DELETE', `/v2.0/routers/${r.id}`, undefined, ALICE);
    });

    test('routes whose nexthop is on an attached subnet (gateway included)', async () => {
      const before = (await jobs('router_setup', r.id)).length;
      const res = await h.call(
        'PUT',
        `/v2.0/routers/${r.id}`,
        {
          router: {
            routes: [
              { destination: '179.24.1.0/24', nexthop: '10.0.1.99' },
              { destination: '0.0.0.0/0', nexthop: '172.24.4.254' },
            ],
          },
        },
        ALICE,
      );
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body.router.routes, [
        { destination: '0.0.0.0/0', nexthop: '172.24.4.254' },
        { destination: '179.24.1.0/24', nexthop: '10.0.1.99' },
      ]);
      assert.ok((await jobs('router_setup', r.id)).length >= before, 'a job is pending');
      const pending = await h.tc.db.kysely
        .selectFrom('async_jobs')
        .selectAll()
        .where('type', '=', 'router_setup')
        .where('resource_id', '=', r.id)
        .where('status', '=', 'NEW')
        .execute();
      assert.equal(pending.length, 1, 'requests for one router coalesce into one pending job');
      assert.equal(pending[0].project_id, 'p-alice');
    });

    test('validation as upstream: InvalidRoutes, RoutesExhausted, malformed routes', async () => {
      const far = neutronError(
        await h.call('PUT', `/v2.0/routers/${r.id}`, { router: { routes: [{ destination: '10.5.0.0/16', nexthop: '10.0.2.5' }] } }, ALICE),
        400,
        'InvalidRoutes',
      );
      assert.equal(far.message, "Invalid format for routes: [{'destination': '10.5.0.0/16', 'nexthop': '10.0.2.5'}], the nexthop is not connected with router");
      const own = neutronError(
        await h.call('PUT', `/v2.0/routers/${r.id}`, { router: { routes: [{ destination: '10.5.0.0/16', nexthop: '10.0.1.1' }] } }, ALICE),
        400,
        'InvalidRoutes',
      );
      assert.match(own.message, /the nexthop is used by router$/);
      neutronError(await h.call('PUT', `/v2.0/routers/${r.id}`, { router: { routes: [{ destination: 'x', nexthop: '10.0.1.5' }] } }, ALICE), 400, 'HTTPBadRequest');
      neutronError(await h.call('PUT', `/v2.0/routers/${r.id}`, { router: { routes: [{ destination: '10.5.0.0/16' }] } }, ALICE), 400, 'HTTPBadRequest');
      neutronError(await h.call('PUT', `/v2.0/routers/${r.id}`, { router: { routes: [{ destination: '10.5.0.0/16', nexthop: 'ten' }] } }, ALICE), 400, 'HTTPBadRequest');
      neutronError(
        await h.call(
          'PUT',
          `/v2.0/routers/${r.id}`,
          {
            router: {
              routes: [
                { destination: '10.5.0.0/16', nexthop: '10.0.1.5' },
                { destination: '10.5.0.0/16', nexthop: '10.0.1.5' },
              ],
            },
          },
          ALICE,
        ),
        400,
        'HTTPBadRequest',
      );
      const many = Array.from({ length: 31 }, (_, i) => ({ destination: `10.100.${i}.0/24`, nexthop: '10.0.1.5' }));
      const ex = neutronError(await h.call('PUT', `/v2.0/routers/${r.id}`, { router: { routes: many } }, ALICE), 400, 'RoutesExhausted');
      assert.equal(ex.message, `Unable to complete operation for ${r.id}. The number of routes exceeds the maximum 30.`);
      assert.equal((await h.call('GET', `/v2.0/routers/${r.id}`, undefined, ALICE)).body.router.routes.length, 2, 'unchanged');
    });

    test('add_extraroutes / remove_extraroutes', async () => {
      const add = await h.call(
        'PUT',
        `/v2.0/routers/${r.id}/add_extraroutes`,
        {
          router: {
            routes: [
              { destination: '10.9.0.0/16', nexthop: '10.0.1.50' },
              { destination: '179.24.1.0/24', nexthop: '10.0.1.99' },
            ],
          },
        },
        ALICE,
      );
      assert.equal(add.status, 200, add.text);
      assertSampleShape(add.body, 'neutron', 'routers/router-add-extraroutes-response.json');
      assert.equal(add.body.router.routes.length, 3, 'exact duplicates merge');
      neutronError(
        await h.call('PUT', `/v2.0/routers/${r.id}/add_extraroutes`, { router: { routes: [{ destination: '10.10.0.0/16', nexthop: '10.3.3.3' }] } }, ALICE),
        400,
        'InvalidRoutes',
      );
      neutronError(await h.call('PUT', `/v2.0/routers/${r.id}/add_extraroutes`, { router: {} }, ALICE), 400);
      neutronError(await h.call('PUT', `/v2.0/routers/${r.id}/add_extraroutes`, { routes: [] }, ALICE), 400);
      const inUse = neutronError(await removeSubnet(r.id, sub1), 409, 'RouterInterfaceInUseByRoute');
      assert.equal(inUse.message, `Router interface for subnet ${sub1} on router ${r.id} cannot be deleted, as it is required by one or more routes.`);
      const rm = await h.call(
        'PUT',
        `/v2.0/routers/${r.id}/remove_extraroutes`,
        {
          router: {
            routes: [
              { destination: '10.9.0.0/16', nexthop: '10.0.1.50' },
              { destination: '10.99.0.0/16', nexthop: '10.0.1.50' },
            ],
          },
        },
        ALICE,
      );
      assert.equal(rm.status, 200, rm.text);
      assertSampleShape(rm.body, 'neutron', 'routers/router-remove-extraroutes-response.json');
      assert.deepEqual(rm.body.router.routes.map((x: { destination: string }) => x.destination).sort(), ['0.0.0.0/0', '179.24.1.0/24']);
      neutronError(await h.call('PUT', `/v2.0/routers/${UNKNOWN}/add_extraroutes`, { router: { routes: [] } }, ALICE), 404, 'RouterNotFound');
    });
  });

  test('router delete removes its gateway port and routes and requests the pod cleanup', async () => {
    const r = await router({ name: 'doomed', external_gateway_info: { network_id: ext } });
    const gwPort = (await h.call('GET', `/v2.0/ports?device_id=${r.id}`, undefined, ADMIN)).body.ports[0].id;
    await h.call('PUT', `/v2.0/routers/${r.id}`, { router: { routes: [{ destination: '10.1.0.0/16', nexthop: '172.24.4.200' }] } }, ALICE);
    assert.equal((await h.call('DELETE', `/v2.0/routers/${r.id}`, undefined, ALICE)).status, 204);
    neutronError(await h.call('GET', `/v2.0/routers/${r.id}`, undefined, ALICE), 404, 'RouterNotFound');
    neutronError(await h.call('GET', `/v2.0/ports/${gwPort}`, undefined, ADMIN), 404, 'PortNotFound');
    assert.equal((await h.tc.db.kysely.selectFrom('router_routes').selectAll().where('router_id', '=', r.id).execute()).length, 0);
    const pending = (await jobs('router_setup', r.id)).filter((j) => j.status === 'NEW');
    assert.equal(pending.length, 1);
    neutronError(await h.call('DELETE', `/v2.0/routers/${r.id}`, undefined, ALICE), 404, 'RouterNotFound');
  });
});

describe('top Neutron: router discovery', () => {
  test('extensions and resources list L3', async () => {
    const h = await startNeutron('sqlite');
    try {
      const ext = await h.call('GET', '/v2.0/extensions');
      const aliases = ext.body.extensions.map((e: { alias: string }) => e.alias);
      for (const a of ['router', 'extraroute', 'extraroute-atomic', 'ext-gw-mode', 'router_availability_zone', 'floatingip-pools', 'fip-port-details']) {
        assert.ok(aliases.includes(a), a);
      }
      assert.ok(!aliases.includes('l3-ha') && !aliases.includes('dvr'));
      assert.equal((await h.call('GET', '/v2.0/extensions/extraroute-atomic')).status, 200);
      const res = await h.call('GET', '/v2.0/');
      assert.ok(res.body.resources.some((r: { collection: string }) => r.collection === 'routers'));
      assert.ok(res.body.resources.some((r: { collection: string }) => r.collection === 'floatingips'));
    } finally {
      await h.close();
    }
  });
});
