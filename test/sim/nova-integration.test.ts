// The simulated Nova wired to the real simulated Neutron and Glance (and this pod's Cinder):
// ports, bindings, addresses and snapshots as the other services see them over their own APIs.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { newFaults } from '../../sim/common/http.js';
import { createCinderSim } from '../../sim/cinder/index.js';
import { createGlanceSim, SEED_IMAGE_NAME } from '../../sim/glance/index.js';
import { createNeutronSim } from '../../sim/neutron/index.js';
import { createNovaSim } from '../../sim/nova/index.js';
import { FakeKeystone, PROJECT_A, call, waitFor, type CallOptions } from './support-fakes.js';

const urls = { nova: '', neutron: '', glance: '', cinder: '' };
const apps: FastifyInstance[] = [];
let networkId = '';
let imageId = '';

const nova = (method: string, path: string, opts: CallOptions = {}) => call(urls.nova, method, path, opts);
const neutron = (method: string, path: string, opts: CallOptions = {}) => call(urls.neutron, method, path, opts);
const glance = (method: string, path: string, opts: CallOptions = {}) => call(urls.glance, method, path, opts);

async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  apps.push(app);
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

async function boot(networks: unknown, name = 'vm'): Promise<string> {
  const res = await nova('POST', '/v2.1/servers', { body: { server: { name, imageRef: imageId, flavorRef: '1', networks } } });
  assert.equal(res.status, 202, JSON.stringify(res.body));
  const id = res.body.server.id;
  await waitFor(async () => ((await nova('GET', `/v2.1/servers/${id}`)).body.server.status === 'ACTIVE' ? true : undefined));
  return id;
}

before(async () => {
  const keystone = new FakeKeystone();
  const faults = newFaults();
  const net = createNeutronSim({ region: 'Pod1', faults, keystone, publicUrl: () => urls.neutron });
  const gl = createGlanceSim({ keystone, publicUrl: () => urls.glance });
  const cin = createCinderSim({ region: 'Pod1', az: 'az1', faults, keystone, publicUrl: () => urls.cinder, buildDelayMs: 20 });
  const nv = createNovaSim({
    region: 'Pod1',
    az: 'az1',
    faults,
    keystone,
    neutron: net.api,
    cinder: cin.api,
    glance: gl.api,
    publicUrl: () => urls.nova,
    buildDelayMs: 20,
  });
  urls.neutron = await listen(net.app);
  urls.glance = await listen(gl.app);
  urls.cinder = await listen(cin.app);
  urls.nova = await listen(nv);
  const n = await neutron('POST', '/v2.0/networks', { body: { network: { name: 'private' } } });
  assert.equal(n.status, 201, JSON.stringify(n.body));
  networkId = n.body.network.id;
  const s = await neutron('POST', '/v2.0/subnets', { body: { subnet: { network_id: networkId, cidr: '10.0.0.0/24', ip_version: 4 } } });
  assert.equal(s.status, 201, JSON.stringify(s.body));
  const images = await glance('GET', '/v2/images');
  imageId = images.body.images.find((i: { name: string }) => i.name === SEED_IMAGE_NAME).id;
});

after(async () => {
  for (const app of apps.reverse()) await app.close();
});

describe('Nova with the simulated Neutron and Glance', () => {
  test('boot creates a bound port in Neutron; addresses use the network name', async () => {
    const id = await boot([{ uuid: networkId }]);
    const ports = await neutron('GET', `/v2.0/ports?device_id=${id}`, { token: 'admin-token' });
    assert.equal(ports.body.ports.length, 1);
    const port = ports.body.ports[0];
    assert.equal(port.device_owner, 'compute:az1');
    assert.equal(port.status, 'ACTIVE');
    assert.equal(port.project_id, PROJECT_A);
    assert.match(port['binding:host_id'], /^pod1-compute-\d$/);
    const show = await nova('GET', `/v2.1/servers/${id}`);
    assert.deepEqual(show.body.server.addresses, {
      private: [{ version: 4, addr: port.fixed_ips[0].ip_address, 'OS-EXT-IPS:type': 'fixed', 'OS-EXT-IPS-MAC:mac_addr': port.mac_address }],
    });
    assert.equal((await nova('DELETE', `/v2.1/servers/${id}`)).status, 204);
    const after = await neutron('GET', `/v2.0/ports?device_id=${id}`, { token: 'admin-token' });
    assert.deepEqual(after.body.ports, []);
  });

  test('a pre-created port is bound on boot and unbound on delete', async () => {
    const p = await neutron('POST', '/v2.0/ports', { body: { port: { network_id: networkId, fixed_ips: [{ ip_address: '10.0.0.50' }] } } });
    assert.equal(p.status, 201, JSON.stringify(p.body));
    const portId = p.body.port.id;
    const id = await boot([{ port: portId }]);
    let port = (await neutron('GET', `/v2.0/ports/${portId}`)).body.port;
    assert.equal(port.device_id, id);
    assert.equal(port.status, 'ACTIVE');
    const show = await nova('GET', `/v2.1/servers/${id}`);
    assert.equal(show.body.server.addresses.private[0].addr, '10.0.0.50');
    const res = await nova('POST', '/v2.1/servers', {
      body: { server: { name: 'x', imageRef: imageId, flavorRef: '1', networks: [{ uuid: networkId, fixed_ip: '10.0.0.50' }] } },
    });
    assert.equal(res.status, 400);
    await nova('DELETE', `/v2.1/servers/${id}`);
    port = (await neutron('GET', `/v2.0/ports/${portId}`)).body.port;
    assert.equal(port.device_id, '');
    assert.equal(port.status, 'DOWN');
  });

  test('interfaces attach and detach through Neutron', async () => {
    const id = await boot([{ uuid: networkId }]);
    const res = await nova('POST', `/v2.1/servers/${id}/os-interface`, { body: { interfaceAttachment: { net_id: networkId } } });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const portId = res.body.interfaceAttachment.port_id;
    assert.equal((await neutron('GET', `/v2.0/ports/${portId}`)).body.port.device_id, id);
    assert.equal((await nova('GET', `/v2.1/servers/${id}/os-interface`)).body.interfaceAttachments.length, 2);
    assert.equal((await nova('DELETE', `/v2.1/servers/${id}/os-interface/${portId}`)).status, 202);
    assert.equal((await neutron('GET', `/v2.0/ports/${portId}`)).status, 404);
  });

  test('shelve offload unbinds the host, unshelve binds it again', async () => {
    const id = await boot([{ uuid: networkId }]);
    await nova('POST', `/v2.1/servers/${id}/action`, { body: { shelve: null } });
    await waitFor(async () => ((await nova('GET', `/v2.1/servers/${id}`)).body.server.status === 'SHELVED_OFFLOADED' ? true : undefined));
    let port = (await neutron('GET', `/v2.0/ports?device_id=${id}`, { token: 'admin-token' })).body.ports[0];
    assert.equal(port['binding:host_id'], '');
    assert.equal(port.status, 'DOWN');
    await nova('POST', `/v2.1/servers/${id}/action`, { body: { unshelve: null } });
    await waitFor(async () => ((await nova('GET', `/v2.1/servers/${id}`)).body.server.status === 'ACTIVE' ? true : undefined));
    port = (await neutron('GET', `/v2.0/ports?device_id=${id}`, { token: 'admin-token' })).body.ports[0];
    assert.equal(port.status, 'ACTIVE');
  });

  test('createImage registers a snapshot in Glance', async () => {
    const id = await boot([{ uuid: networkId }]);
    const res = await nova('POST', `/v2.1/servers/${id}/action`, { headers: { 'OpenStack-API-Version': 'compute 2.45' }, body: { createImage: { name: 'snap' } } });
    assert.equal(res.status, 202);
    const img = await glance('GET', `/v2/images/${res.body.image_id}`);
    assert.equal(img.status, 200);
    assert.equal(img.body.name, 'snap');
    assert.equal(img.body.instance_uuid, id);
  });
});
