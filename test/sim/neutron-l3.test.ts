// Simulated Neutron L3: routers with gateways and interfaces, extra routes and their validation,
// floating IPs and their association rules — over real HTTP.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { assertSampleShape } from '../support/shapes.js';
import { neutronError, PROJECT, startNeutron, type NeutronUnderTest, type Who } from './neutron-support.js';

const ROUTER_OPTIONAL = ['router.flavor_id', 'router.service_type_id', 'router.conntrack_helpers'];
const ROUTER_MEMBER_OPTIONAL = [...ROUTER_OPTIONAL, 'router.distributed', 'router.ha'];
const FIP_OPTIONAL = ['dns_domain', 'dns_name', 'port_forwardings', 'qos_network_policy_id', 'qos_policy_id'];

let n: NeutronUnderTest;
let publicNet: any;
let publicSubnet: any;
let net: any;
let subnet: any;

async function post(who: Who, path: string, key: string, attrs: Record<string, unknown>): Promise<any> {
  const res = await n.call(who, 'POST', path, { [key]: attrs });
  assert.equal(res.status, 201, res.text);
  return res.body[key];
}

before(async () => {
  n = await startNeutron();
  publicNet = await post('admin', '/v2.0/networks', 'network', {
    name: 'public',
    'router:external': true,
    'provider:network_type': 'flat',
    'provider:physical_network': 'extnet',
  });
  publicSubnet = await post('admin', '/v2.0/subnets', 'subnet', {
    network_id: publicNet.id,
    ip_version: 4,
    cidr: '172.24.4.0/24',
    enable_dhcp: false,
    name: 'public-subnet',
  });
  net = await post('alice', '/v2.0/networks', 'network', { name: 'private' });
  subnet = await post('alice', '/v2.0/subnets', 'subnet', { network_id: net.id, ip_version: 4, cidr: '10.0.0.0/24', name: 'private-subnet' });
});
after(async () => {
  await n.close();
});

describe('routers', () => {
  test('create with a gateway: gateway port on the external network, admin-only attributes hidden', async () => {
    const res = await n.call('alice', 'POST', '/v2.0/routers', {
      router: { name: 'router1', external_gateway_info: { network_id: publicNet.id }, admin_state_up: true },
    });
    assert.equal(res.status, 201, res.text);
    assertSampleShape(res.body, 'neutron', 'routers/router-create-response.json', ROUTER_MEMBER_OPTIONAL);
    const r = res.body.router;
    assert.equal(r.status, 'ACTIVE');
    assert.equal(r.project_id, PROJECT.alice);
    assert.deepEqual(r.routes, []);
    assert.equal(r.external_gateway_info.network_id, publicNet.id);
    assert.equal(r.external_gateway_info.enable_snat, true);
    assert.deepEqual(r.external_gateway_info.external_fixed_ips, [{ subnet_id: publicSubnet.id, ip_address: '172.24.4.2' }]);
    assert.ok(!('distributed' in r) && !('ha' in r));
    const asAdmin = await n.call('admin', 'GET', `/v2.0/routers/${r.id}`);
    assertSampleShape(asAdmin.body, 'neutron', 'routers/router-show-response.json', ROUTER_OPTIONAL);
    assert.equal(asAdmin.body.router.distributed, false);
    const gw = await n.call('admin', 'GET', `/v2.0/ports?device_id=${r.id}&device_owner=network:router_gateway`);
    assert.equal(gw.body.ports.length, 1);
    assert.equal(gw.body.ports[0].project_id, '');
    assert.equal(gw.body.ports[0].status, 'ACTIVE');
    const aliceSees = await n.call('alice', 'GET', `/v2.0/ports?device_id=${r.id}`);
    assert.deepEqual(aliceSees.body.ports, [], 'the gateway port belongs to no project');
    const list = await n.call('alice', 'GET', '/v2.0/routers');
    assertSampleShape(
      list.body,
      'neutron',
      'routers/routers-list-response.json',
      ROUTER_MEMBER_OPTIONAL.map((k) => k.replace('router.', 'routers[].')),
    );
    await n.call('alice', 'DELETE', `/v2.0/routers/${r.id}`);
  });

  test('policy and validation on create', async () => {
    const snat = await n.call('alice', 'POST', '/v2.0/routers', {
      router: { external_gateway_info: { network_id: publicNet.id, enable_snat: false } },
    });
    assert.equal(snat.status, 403);
    assert.equal(
      neutronError(snat).message,
      '(rule:create_router and (rule:create_router:external_gateway_info and (rule:create_router:external_gateway_info:network_id and rule:create_router:external_gateway_info:enable_snat))) is disallowed by policy',
    );
    for (const distributed of [true, false]) {
      const dvr = await n.call('alice', 'POST', '/v2.0/routers', { router: { distributed } });
      assert.equal(dvr.status, 403);
      assert.equal(neutronError(dvr).message, '(rule:create_router and rule:create_router:distributed) is disallowed by policy');
    }
    const both = await n.call('alice', 'POST', '/v2.0/routers', { router: { distributed: false, ha: false } });
    assert.equal(neutronError(both).message, '((rule:create_router and rule:create_router:distributed) and rule:create_router:ha) is disallowed by policy');
    const internal = await n.call('alice', 'POST', '/v2.0/routers', { router: { name: 'ghost', external_gateway_info: { network_id: net.id } } });
    assert.equal(internal.status, 400);
    assert.deepEqual((await n.call('alice', 'GET', '/v2.0/routers?name=ghost')).body.routers, [], 'a failed create leaves nothing behind');
    assert.deepEqual(neutronError(internal), {
      type: 'BadRequest',
      message: `Bad router request: Network ${net.id} is not an external network.`,
      detail: '',
    });
    const routes = await n.call('alice', 'POST', '/v2.0/routers', { router: { routes: [] } });
    assert.equal(routes.status, 400);
    assert.equal(neutronError(routes).message, "Attribute 'routes' not allowed in POST");
    const noNet = await n.call('alice', 'POST', '/v2.0/routers', { router: { external_gateway_info: { enable_snat: true } } });
    assert.equal(noNet.status, 400);
    const admin = await n.call('admin', 'POST', '/v2.0/routers', {
      router: {
        distributed: false,
        ha: false,
        external_gateway_info: { network_id: publicNet.id, enable_snat: false, external_fixed_ips: [{ ip_address: '172.24.4.100' }] },
      },
    });
    assert.equal(admin.status, 201, admin.text);
    assert.deepEqual(admin.body.router.external_gateway_info, {
      network_id: publicNet.id,
      enable_snat: false,
      external_fixed_ips: [{ subnet_id: publicSubnet.id, ip_address: '172.24.4.100' }],
    });
    await n.call('admin', 'DELETE', `/v2.0/routers/${admin.body.router.id}`);
  });

  test('interfaces by subnet and by port, with upstream refusals', async () => {
    const router = await post('alice', '/v2.0/routers', 'router', { name: 'r-if' });
    const add = await n.call('alice', 'PUT', `/v2.0/routers/${router.id}/add_router_interface`, { subnet_id: subnet.id });
    assert.equal(add.status, 200, add.text);
    assertSampleShape(add.body, 'neutron', 'routers/router-add-interface-response.json', ['tags']);
    assert.equal(add.body.id, router.id);
    assert.equal(add.body.subnet_id, subnet.id);
    assert.deepEqual(add.body.subnet_ids, [subnet.id]);
    assert.equal(add.body.network_id, net.id);
    const port = await n.call('alice', 'GET', `/v2.0/ports/${add.body.port_id}`);
    assert.equal(port.body.port.device_owner, 'network:router_interface');
    assert.equal(port.body.port.device_id, router.id);
    assert.deepEqual(port.body.port.fixed_ips, [{ subnet_id: subnet.id, ip_address: '10.0.0.1' }]);
    assert.equal(port.body.port.status, 'ACTIVE');

    const again = await n.call('alice', 'PUT', `/v2.0/routers/${router.id}/add_router_interface`, { subnet_id: subnet.id });
    assert.equal(again.status, 400);
    assert.equal(neutronError(again).message, `Bad router request: Router already has a port on subnet ${subnet.id}.`);

    const net2 = await post('alice', '/v2.0/networks', 'network', {});
    const overlapping = await post('alice', '/v2.0/subnets', 'subnet', { network_id: net2.id, ip_version: 4, cidr: '10.0.0.0/25' });
    const overlap = await n.call('alice', 'PUT', `/v2.0/routers/${router.id}/add_router_interface`, { subnet_id: overlapping.id });
    assert.equal(overlap.status, 400);
    assert.equal(neutronError(overlap).message, `Bad router request: Cidr 10.0.0.0/25 of subnet ${overlapping.id} overlaps with cidr 10.0.0.0/24 of subnet ${subnet.id}.`);
    const net3 = await post('alice', '/v2.0/networks', 'network', {});
    const noGw = await post('alice', '/v2.0/subnets', 'subnet', { network_id: net3.id, ip_version: 4, cidr: '10.3.0.0/24', gateway_ip: null });
    const gwless = await n.call('alice', 'PUT', `/v2.0/routers/${router.id}/add_router_interface`, { subnet_id: noGw.id });
    assert.equal(gwless.status, 400);
    assert.equal(neutronError(gwless).message, 'Bad router request: Subnet for router interface must have a gateway IP.');
    const both = await n.call('alice', 'PUT', `/v2.0/routers/${router.id}/add_router_interface`, { subnet_id: noGw.id, port_id: add.body.port_id });
    assert.equal(both.status, 400);
    assert.equal(neutronError(both).message, 'Bad router request: Cannot specify both subnet-id and port-id.');
    const neither = await n.call('alice', 'PUT', `/v2.0/routers/${router.id}/add_router_interface`, {});
    assert.equal(neither.status, 400);
    assert.equal(neutronError(neither).message, 'Bad router request: Either subnet_id or port_id must be specified.');

    // By port: an unbound port on another subnet becomes the interface.
    const net4 = await post('alice', '/v2.0/networks', 'network', {});
    const s4 = await post('alice', '/v2.0/subnets', 'subnet', { network_id: net4.id, ip_version: 4, cidr: '10.4.0.0/24' });
    const p4 = await post('alice', '/v2.0/ports', 'port', { network_id: net4.id, fixed_ips: [{ ip_address: '10.4.0.254' }] });
    const byPort = await n.call('alice', 'PUT', `/v2.0/routers/${router.id}/add_router_interface`, { port_id: p4.id });
    assert.equal(byPort.status, 200, byPort.text);
    assert.deepEqual(byPort.body.subnet_ids, [s4.id]);
    const inUse = await n.call('alice', 'PUT', `/v2.0/routers/${router.id}/add_router_interface`, { port_id: p4.id });
    assert.equal(inUse.status, 409);
    assert.deepEqual(neutronError(inUse), {
      type: 'PortInUse',
      message: `Unable to complete operation on port ${p4.id} for network ${net4.id}. Port already has an attached device ${router.id}.`,
      detail: '',
    });

    // Router ports are not deleted through the port API, and they keep the router in use.
    const delPort = await n.call('alice', 'DELETE', `/v2.0/ports/${p4.id}`);
    assert.equal(delPort.status, 409);
    assert.deepEqual(neutronError(delPort), {
      type: 'ServicePortInUse',
      message: `Port ${p4.id} cannot be deleted directly via the port API: has device owner network:router_interface.`,
      detail: '',
    });
    const delRouter = await n.call('alice', 'DELETE', `/v2.0/routers/${router.id}`);
    assert.equal(delRouter.status, 409);
    assert.deepEqual(neutronError(delRouter), { type: 'RouterInUse', message: `Router ${router.id} still has ports`, detail: '' });

    const notAttached = await n.call('alice', 'PUT', `/v2.0/routers/${router.id}/remove_router_interface`, { subnet_id: noGw.id });
    assert.equal(notAttached.status, 404);
    assert.deepEqual(neutronError(notAttached), {
      type: 'RouterInterfaceNotFoundForSubnet',
      message: `Router ${router.id} has no interface on subnet ${noGw.id}`,
      detail: '',
    });
    const wrongPort = await n.call('alice', 'PUT', `/v2.0/routers/${router.id}/remove_router_interface`, { port_id: '5d0c5b8e-4c1a-4f7e-9a51-000000000000' });
    assert.equal(wrongPort.status, 404);
    assert.equal(neutronError(wrongPort).type, 'RouterInterfaceNotFound');

    const rmPort = await n.call('alice', 'PUT', `/v2.0/routers/${router.id}/remove_router_interface`, { port_id: p4.id });
    assert.equal(rmPort.status, 200, rmPort.text);
    assertSampleShape(rmPort.body, 'neutron', 'routers/router-remove-interface-response.json', ['tags']);
    const rmSubnet = await n.call('alice', 'PUT', `/v2.0/routers/${router.id}/remove_router_interface`, { subnet_id: subnet.id });
    assert.equal(rmSubnet.status, 200, rmSubnet.text);
    assert.equal(rmSubnet.body.port_id, add.body.port_id);
    assert.equal((await n.call('alice', 'GET', `/v2.0/ports/${add.body.port_id}`)).status, 404);
    assert.equal((await n.call('alice', 'DELETE', `/v2.0/routers/${router.id}`)).status, 204);
    assert.equal((await n.call('alice', 'GET', `/v2.0/routers/${router.id}`)).status, 404);
  });

  test('routes: nexthops must be on a connected subnet and not the router itself', async () => {
    const router = await post('alice', '/v2.0/routers', 'router', { name: 'r-routes', external_gateway_info: { network_id: publicNet.id } });
    const attached = await n.call('alice', 'PUT', `/v2.0/routers/${router.id}/add_router_interface`, { subnet_id: subnet.id });
    assert.equal(attached.status, 200, attached.text);
    const ok = await n.call('alice', 'PUT', `/v2.0/routers/${router.id}`, {
      router: {
        routes: [
          { destination: '179.24.1.0/24', nexthop: '172.24.4.99' },
          { destination: '10.10.0.0/16', nexthop: '10.0.0.50' },
        ],
      },
    });
    assert.equal(ok.status, 200, ok.text);
    assertSampleShape(ok.body, 'neutron', 'routers/router-update-response.json', ROUTER_MEMBER_OPTIONAL);
    assert.equal(ok.body.router.routes.length, 2);

    const unreachable = await n.call('alice', 'PUT', `/v2.0/routers/${router.id}`, {
      router: { routes: [{ destination: '10.20.0.0/16', nexthop: '192.168.99.1' }] },
    });
    assert.equal(unreachable.status, 400);
    assert.deepEqual(neutronError(unreachable), {
      type: 'InvalidRoutes',
      message: "Invalid format for routes: [{'destination': '10.20.0.0/16', 'nexthop': '192.168.99.1'}], the nexthop is not connected with router",
      detail: '',
    });
    const self = await n.call('alice', 'PUT', `/v2.0/routers/${router.id}`, { router: { routes: [{ destination: '10.20.0.0/16', nexthop: '10.0.0.1' }] } });
    assert.equal(self.status, 400);
    assert.equal(neutronError(self).message, "Invalid format for routes: [{'destination': '10.20.0.0/16', 'nexthop': '10.0.0.1'}], the nexthop is used by router");
    const malformed = await n.call('alice', 'PUT', `/v2.0/routers/${router.id}`, { router: { routes: [{ destination: '10.20.0.0/16' }] } });
    assert.equal(malformed.status, 400);
    assert.equal(neutronError(malformed).message, "Invalid input for routes. Reason: Invalid data format for hostroute: '{'destination': '10.20.0.0/16'}'.");

    const added = await n.call('alice', 'PUT', `/v2.0/routers/${router.id}/add_extraroutes`, {
      router: {
        routes: [
          { destination: '10.30.0.0/24', nexthop: '10.0.0.13' },
          { destination: '10.10.0.0/16', nexthop: '10.0.0.50' },
        ],
      },
    });
    assert.equal(added.status, 200, added.text);
    assertSampleShape(added.body, 'neutron', 'routers/router-add-extraroutes-response.json');
    assert.deepEqual(
      added.body.router.routes.map((r: any) => r.destination),
      ['179.24.1.0/24', '10.10.0.0/16', '10.30.0.0/24'],
    );
    const badAdd = await n.call('alice', 'PUT', `/v2.0/routers/${router.id}/add_extraroutes`, {
      router: { routes: [{ destination: '10.40.0.0/24', nexthop: '10.99.0.1' }] },
    });
    assert.equal(badAdd.status, 400);
    assert.equal(neutronError(badAdd).type, 'InvalidRoutes');

    // The interface carrying a nexthop cannot go while the route needs it.
    const busy = await n.call('alice', 'PUT', `/v2.0/routers/${router.id}/remove_router_interface`, { subnet_id: subnet.id });
    assert.equal(busy.status, 409);
    assert.equal(neutronError(busy).type, 'RouterInterfaceInUseByRoute');

    const removed = await n.call('alice', 'PUT', `/v2.0/routers/${router.id}/remove_extraroutes`, {
      router: {
        routes: [
          { destination: '10.30.0.0/24', nexthop: '10.0.0.13' },
          { destination: '10.10.0.0/16', nexthop: '10.0.0.50' },
          { destination: '1.2.3.0/24', nexthop: '10.0.0.9' },
        ],
      },
    });
    assert.equal(removed.status, 200);
    assertSampleShape(removed.body, 'neutron', 'routers/router-remove-extraroutes-response.json');
    assert.deepEqual(removed.body.router.routes, [{ destination: '179.24.1.0/24', nexthop: '172.24.4.99' }]);
    assert.equal((await n.call('alice', 'PUT', `/v2.0/routers/${router.id}/remove_router_interface`, { subnet_id: subnet.id })).status, 200);
    const clear = await n.call('alice', 'PUT', `/v2.0/routers/${router.id}`, { router: { routes: null } });
    assert.deepEqual(clear.body.router.routes, []);
    const noGw = await n.call('alice', 'PUT', `/v2.0/routers/${router.id}`, { router: { external_gateway_info: {} } });
    assert.equal(noGw.status, 200);
    assert.equal(noGw.body.router.external_gateway_info, null);
    const gwPorts = await n.call('admin', 'GET', `/v2.0/ports?device_id=${router.id}`);
    assert.deepEqual(gwPorts.body.ports, []);
    await n.call('alice', 'DELETE', `/v2.0/routers/${router.id}`);
  });

  test('tenant isolation', async () => {
    const router = await post('alice', '/v2.0/routers', 'router', { name: 'private-router' });
    const res = await n.call('bob', 'GET', `/v2.0/routers/${router.id}`);
    assert.equal(res.status, 404);
    assert.deepEqual(neutronError(res), { type: 'RouterNotFound', message: `Router ${router.id} could not be found`, detail: '' });
    assert.equal((await n.call('bob', 'PUT', `/v2.0/routers/${router.id}/add_router_interface`, { subnet_id: subnet.id })).status, 404);
    const bobList = await n.call('bob', 'GET', '/v2.0/routers');
    assert.ok(!bobList.body.routers.some((r: any) => r.id === router.id));
    const adminList = await n.call('admin', 'GET', `/v2.0/routers?project_id=${PROJECT.alice}&name=private-router`);
    assert.equal(adminList.body.routers.length, 1);
    const bobSubnet = await n.call('bob', 'GET', `/v2.0/subnets/${publicSubnet.id}`);
    assert.equal(bobSubnet.status, 200, 'subnets of external networks are visible');
    await n.call('alice', 'DELETE', `/v2.0/routers/${router.id}`);
  });
});

describe('floating IPs', () => {
  let router: any;
  let vmPort: any;

  before(async () => {
    router = await post('alice', '/v2.0/routers', 'router', { name: 'fip-router', external_gateway_info: { network_id: publicNet.id } });
    vmPort = await post('alice', '/v2.0/ports', 'port', { network_id: net.id, name: 'vm' });
  });

  test('create: an address from the external pool, held by a network:floatingip port', async () => {
    const res = await n.call('alice', 'POST', '/v2.0/floatingips', { floatingip: { floating_network_id: publicNet.id, description: 'spare' } });
    assert.equal(res.status, 201, res.text);
    assertSampleShape(
      res.body,
      'neutron',
      'floatingips/floatingip-create-response.json',
      FIP_OPTIONAL.map((k) => `floatingip.${k}`),
    );
    const fip = res.body.floatingip;
    assert.equal(fip.status, 'DOWN');
    assert.equal(fip.port_id, null);
    assert.equal(fip.router_id, null);
    assert.equal(fip.port_details, null);
    assert.equal(fip.project_id, PROJECT.alice);
    assert.match(fip.floating_ip_address, /^172\.24\.4\.\d+$/);
    const holder = await n.call('admin', 'GET', `/v2.0/ports?device_id=${fip.id}`);
    assert.equal(holder.body.ports[0].device_owner, 'network:floatingip');
    assert.equal(holder.body.ports[0].status, 'N/A');
    assert.equal(holder.body.ports[0].fixed_ips[0].ip_address, fip.floating_ip_address);

    const del = await n.call('alice', 'DELETE', `/v2.0/floatingips/${fip.id}`);
    assert.equal(del.status, 204);
    const gone = await n.call('admin', 'GET', `/v2.0/ports?device_id=${fip.id}`);
    assert.deepEqual(gone.body.ports, []);
    const notFound = await n.call('alice', 'GET', `/v2.0/floatingips/${fip.id}`);
    assert.deepEqual(neutronError(notFound), { type: 'FloatingIPNotFound', message: `Floating IP ${fip.id} could not be found`, detail: '' });
  });

  test('create refusals and the admin-only address', async () => {
    const internal = await n.call('alice', 'POST', '/v2.0/floatingips', { floatingip: { floating_network_id: net.id } });
    assert.equal(internal.status, 400);
    assert.equal(neutronError(internal).message, `Bad floatingip request: Network ${net.id} is not a valid external network.`);
    const address = await n.call('alice', 'POST', '/v2.0/floatingips', { floatingip: { floating_network_id: publicNet.id, floating_ip_address: '172.24.4.200' } });
    assert.equal(address.status, 403);
    assert.equal(neutronError(address).message, '(rule:create_floatingip and rule:create_floatingip:floating_ip_address) is disallowed by policy');
    const byAdmin = await n.call('admin', 'POST', '/v2.0/floatingips', {
      floatingip: { floating_network_id: publicNet.id, floating_ip_address: '172.24.4.200', project_id: PROJECT.alice },
    });
    assert.equal(byAdmin.status, 201, byAdmin.text);
    assert.equal(byAdmin.body.floatingip.floating_ip_address, '172.24.4.200');
    assert.equal(byAdmin.body.floatingip.project_id, PROJECT.alice);
    const taken = await n.call('admin', 'POST', '/v2.0/floatingips', { floatingip: { floating_network_id: publicNet.id, floating_ip_address: '172.24.4.200' } });
    assert.equal(taken.status, 409);
    assert.equal(neutronError(taken).type, 'IpAddressAlreadyAllocated');
    const missing = await n.call('alice', 'POST', '/v2.0/floatingips', { floatingip: {} });
    assert.equal(missing.status, 400);
    assert.equal(neutronError(missing).message, "Failed to parse request. Required attribute 'floating_network_id' not specified");
    await n.call('admin', 'DELETE', `/v2.0/floatingips/${byAdmin.body.floatingip.id}`);
  });

  test('association needs a router between the port subnet and the external network', async () => {
    const fip = await post('alice', '/v2.0/floatingips', 'floatingip', { floating_network_id: publicNet.id });
    const unreachable = await n.call('alice', 'PUT', `/v2.0/floatingips/${fip.id}`, { floatingip: { port_id: vmPort.id } });
    assert.equal(unreachable.status, 404);
    assert.deepEqual(neutronError(unreachable), {
      type: 'ExternalGatewayForFloatingIPNotFound',
      message: `External network ${publicNet.id} is not reachable from subnet ${subnet.id}.  Therefore, cannot associate Port ${vmPort.id} with a Floating IP.`,
      detail: '',
    });
    await n.call('alice', 'PUT', `/v2.0/routers/${router.id}/add_router_interface`, { subnet_id: subnet.id });

    const res = await n.call('alice', 'PUT', `/v2.0/floatingips/${fip.id}`, { floatingip: { port_id: vmPort.id } });
    assert.equal(res.status, 200, res.text);
    assertSampleShape(
      res.body,
      'neutron',
      'floatingips/floatingip-update-response.json',
      FIP_OPTIONAL.map((k) => `floatingip.${k}`),
    );
    const assoc = res.body.floatingip;
    assert.equal(assoc.port_id, vmPort.id);
    assert.equal(assoc.fixed_ip_address, vmPort.fixed_ips[0].ip_address);
    assert.equal(assoc.router_id, router.id);
    assert.equal(assoc.status, 'ACTIVE');
    assert.equal(assoc.port_details.mac_address, vmPort.mac_address);
    const shown = await n.call('alice', 'GET', `/v2.0/floatingips/${fip.id}`);
    assertSampleShape(
      shown.body,
      'neutron',
      'floatingips/floatingip-show-response.json',
      FIP_OPTIONAL.map((k) => `floatingip.${k}`),
    );
    const list = await n.call('alice', 'GET', `/v2.0/floatingips?port_id=${vmPort.id}`);
    assertSampleShape(
      list.body,
      'neutron',
      'floatingips/floating-ips-list-response.json',
      FIP_OPTIONAL.map((k) => `floatingips[].${k}`),
    );
    assert.equal(list.body.floatingips.length, 1);

    const second = await post('alice', '/v2.0/floatingips', 'floatingip', { floating_network_id: publicNet.id });
    const dup = await n.call('alice', 'PUT', `/v2.0/floatingips/${second.id}`, { floatingip: { port_id: vmPort.id } });
    assert.equal(dup.status, 409);
    assert.deepEqual(neutronError(dup), {
      type: 'FloatingIPPortAlreadyAssociated',
      message: `Cannot associate floating IP ${second.floating_ip_address} (${second.id}) with port ${vmPort.id} using fixed IP ${vmPort.fixed_ips[0].ip_address}, as that fixed IP already has a floating IP on external network ${publicNet.id}.`,
      detail: '',
    });
    const wrongIp = await n.call('alice', 'PUT', `/v2.0/floatingips/${second.id}`, { floatingip: { port_id: vmPort.id, fixed_ip_address: '10.0.0.222' } });
    assert.equal(wrongIp.status, 400);
    assert.equal(neutronError(wrongIp).message, `Bad floatingip request: Port ${vmPort.id} does not have fixed ip 10.0.0.222.`);

    const rmIf = await n.call('alice', 'PUT', `/v2.0/routers/${router.id}/remove_router_interface`, { subnet_id: subnet.id });
    assert.equal(rmIf.status, 409);
    assert.equal(neutronError(rmIf).message, `Router interface for subnet ${subnet.id} on router ${router.id} cannot be deleted, as it is required by one or more floating IPs.`);
    const rmGw = await n.call('alice', 'PUT', `/v2.0/routers/${router.id}`, { router: { external_gateway_info: null } });
    assert.equal(rmGw.status, 409);
    assert.equal(neutronError(rmGw).type, 'RouterExternalGatewayInUseByFloatingIp');

    const bob = await n.call('bob', 'GET', `/v2.0/floatingips/${fip.id}`);
    assert.equal(bob.status, 404);
    const bobPort = await n.call('bob', 'POST', '/v2.0/floatingips', { floatingip: { floating_network_id: publicNet.id, port_id: vmPort.id } });
    assert.equal(bobPort.status, 404);
    assert.equal(neutronError(bobPort).type, 'PortNotFound');

    const dis = await n.call('alice', 'PUT', `/v2.0/floatingips/${fip.id}`, { floatingip: { port_id: null } });
    assert.equal(dis.status, 200);
    assertSampleShape(
      dis.body,
      'neutron',
      'floatingips/floatingip-disassociate-response.json',
      FIP_OPTIONAL.map((k) => `floatingip.${k}`),
    );
    assert.equal(dis.body.floatingip.port_id, null);
    assert.equal(dis.body.floatingip.fixed_ip_address, null);
    assert.equal(dis.body.floatingip.router_id, null);
    assert.equal(dis.body.floatingip.status, 'DOWN');

    // Create-and-associate in one call; deleting the port disassociates.
    const direct = await post('alice', '/v2.0/floatingips', 'floatingip', { floating_network_id: publicNet.id, port_id: vmPort.id });
    assert.equal(direct.router_id, router.id);
    assert.equal(direct.status, 'ACTIVE');
    const tmp = await post('alice', '/v2.0/ports', 'port', { network_id: net.id });
    await n.call('alice', 'PUT', `/v2.0/floatingips/${second.id}`, { floatingip: { port_id: tmp.id } });
    assert.equal((await n.call('alice', 'DELETE', `/v2.0/ports/${tmp.id}`)).status, 204);
    const after = await n.call('alice', 'GET', `/v2.0/floatingips/${second.id}`);
    assert.equal(after.body.floatingip.port_id, null);
    assert.equal(after.body.floatingip.status, 'DOWN');
  });

  test('floating IP pools list the external IPv4 subnets', async () => {
    const res = await n.call('alice', 'GET', '/v2.0/floatingip_pools');
    assert.equal(res.status, 200);
    assertSampleShape(res.body, 'neutron', 'floatingips/floating-ip-pools-list-response.json');
    assert.deepEqual(res.body.floatingip_pools, [
      {
        subnet_id: publicSubnet.id,
        subnet_name: 'public-subnet',
        network_id: publicNet.id,
        cidr: '172.24.4.0/24',
        project_id: PROJECT.admin,
        tenant_id: PROJECT.admin,
      },
    ]);
  });

  test('exhausted external pool answers IpAddressGenerationFailure', async () => {
    const ext = await post('admin', '/v2.0/networks', 'network', { 'router:external': true });
    await post('admin', '/v2.0/subnets', 'subnet', { network_id: ext.id, ip_version: 4, cidr: '198.51.100.0/30', enable_dhcp: false });
    await post('alice', '/v2.0/floatingips', 'floatingip', { floating_network_id: ext.id });
    const full = await n.call('alice', 'POST', '/v2.0/floatingips', { floatingip: { floating_network_id: ext.id } });
    assert.equal(full.status, 409);
    assert.equal(neutronError(full).message, `No more IP addresses available on network ${ext.id}.`);
  });
});
