import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSimCluster, type SimCluster } from '../../sim/cluster.js';
import { BottomError, PodClientFactory, PodUnreachableError, type BottomCallContext } from '../../src/bottom/index.js';
import { EndpointResolver, ServiceAuth, createRequestContext, type PodRef } from '../../src/identity/index.js';
import { MemoryEndpointStore, issueToken } from '../identity/support.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe('bottom clients against simulated pods', () => {
  let cluster: SimCluster;
  let serviceAuth: ServiceAuth;
  let factory: PodClientFactory;
  let ctx: BottomCallContext;
  const pod1: PodRef = { id: 'pod-1', regionName: 'Pod1' };
  const pod2: PodRef = { id: 'pod-2', regionName: 'Pod2' };

  before(async () => {
    cluster = await startSimCluster({
      pods: [
        { region: 'Pod1', az: 'az1' },
        { region: 'Pod2', az: 'az2' },
      ],
      buildDelayMs: 0,
    });
    serviceAuth = new ServiceAuth({ authUrl: cluster.keystoneUrl, username: 'admin', password: 'password', projectName: 'admin' });
    const store = new MemoryEndpointStore();
    store.pods = [pod1, pod2];
    const endpoints = new EndpointResolver({ serviceAuth, store, minRefreshIntervalMs: 0 });
    factory = new PodClientFactory({ endpoints, serviceAuth, timeoutMs: 5_000 });
    const token = await issueToken(cluster.keystoneUrl, { user: 'demo', project: 'demo' });
    ctx = createRequestContext({ userId: 'demo', projectId: cluster.keystone.projectIdByName('demo')!, roles: ['member'], authToken: token, requestId: 'req-sim-test' });
  });
  after(async () => {
    await factory.close();
    await serviceAuth.close();
    await cluster.close();
  });

  test('Neutron: networks, subnets, ports, security groups, routers', async () => {
    const neutron = factory.neutron(pod1);
    const net = await neutron.createNetwork(ctx, { name: 'top-net-1', admin_state_up: true });
    assert.equal(net.name, 'top-net-1');
    const subnet = await neutron.createSubnet(ctx, { network_id: net.id, cidr: '10.0.1.0/24', ip_version: 4, name: 'top-subnet-1' });
    assert.equal(subnet.cidr, '10.0.1.0/24');
    const port = await neutron.createPort(ctx, { network_id: net.id, name: 'top-port-1', fixed_ips: [{ subnet_id: subnet.id, ip_address: '10.0.1.10' }] });
    assert.equal(port.fixed_ips[0].ip_address, '10.0.1.10');
    assert.deepEqual(
      (await neutron.listPorts(ctx, { network_id: net.id, name: 'top-port-1' })).map((p) => p.id),
      [port.id],
    );
    assert.deepEqual(
      (await neutron.listNetworks(ctx, { name: 'top-net-1' })).map((n) => n.id),
      [net.id],
    );
    assert.equal((await neutron.updateNetwork(ctx, net.id, { name: 'renamed' })).name, 'renamed');

    const sg = await neutron.createSecurityGroup(ctx, { name: 'top-sg-1' });
    const rule = await neutron.createSecurityGroupRule(ctx, {
      security_group_id: sg.id,
      direction: 'ingress',
      ethertype: 'IPv4',
      protocol: 'tcp',
      port_range_min: 22,
      port_range_max: 22,
    });
    assert.equal((await neutron.getSecurityGroupRule(ctx, rule.id)).security_group_id, sg.id);
    await neutron.deleteSecurityGroupRule(ctx, rule.id);

    const router = await neutron.createRouter(ctx, { name: 'top-router-1' });
    const iface = await neutron.addRouterInterface(ctx, router.id, { subnet_id: subnet.id });
    assert.equal(iface.subnet_id, subnet.id);
    const routed = await neutron.updateRouterRoutes(ctx, router.id, [{ destination: '10.0.2.0/24', nexthop: '10.0.1.20' }]);
    assert.deepEqual(routed.routes, [{ destination: '10.0.2.0/24', nexthop: '10.0.1.20' }]);
    await neutron.updateRouterRoutes(ctx, router.id, []);
    await neutron.removeRouterInterface(ctx, router.id, { subnet_id: subnet.id });
    await neutron.deleteRouter(ctx, router.id);

    await neutron.deletePort(ctx, port.id);
    await neutron.deleteSubnet(ctx, subnet.id);
    await neutron.deleteNetwork(ctx, net.id);
    const gone = await neutron.getNetwork(ctx, net.id).catch((e: unknown) => e);
    assert.ok(gone instanceof BottomError);
    assert.equal(gone.status, 404);
    assert.equal(gone.type, 'NetworkNotFound');
    assert.equal(gone.region, 'Pod1');
  });

  test('Neutron as admin: provider attributes need the service token', async () => {
    const neutron = factory.neutron(pod2);
    const body = { name: 'bridge-net', 'provider:network_type': 'vlan', 'provider:physical_network': 'bridge', 'provider:segmentation_id': 2001 };
    const denied = await neutron.createNetwork(ctx, body).catch((e: unknown) => e);
    assert.ok(denied instanceof BottomError && denied.status === 403, 'a member may not set provider attributes');
    const net = await neutron.createNetwork(ctx, body, { asAdmin: true });
    assert.equal(net['provider:segmentation_id'], 2001);
    await neutron.deleteNetwork(ctx, net.id, { asAdmin: true });
  });

  test('Nova, Cinder and Glance through the catalog', async () => {
    const glance = factory.glance(pod1);
    const { images } = await glance.listImages(ctx);
    assert.ok(images.length >= 1);
    assert.equal((await glance.getImage(ctx, images[0].id)).id, images[0].id);

    const nova = factory.nova(pod1);
    const flavors = await nova.listFlavors(ctx);
    assert.ok(flavors.length > 0);
    const keypair = await nova.createKeypair(ctx, { name: 'kp-bottom-test' });
    assert.equal((await nova.getKeypair(ctx, 'kp-bottom-test')).fingerprint, keypair.fingerprint);

    const net = await factory.neutron(pod1).createNetwork(ctx, { name: 'vm-net' });
    await factory.neutron(pod1).createSubnet(ctx, { network_id: net.id, cidr: '10.9.0.0/24', ip_version: 4 });
    const created = await nova.createServer(ctx, { name: 'vm-1', flavorRef: flavors[0].id, imageRef: images[0].id, networks: [{ uuid: net.id }] });
    assert.ok(created.id);
    let server = await nova.getServer(ctx, created.id);
    for (let i = 0; i < 50 && server.status === 'BUILD'; i++) {
      await sleep(20);
      server = await nova.getServer(ctx, created.id);
    }
    assert.equal(server.status, 'ACTIVE');
    assert.ok((await nova.listServers(ctx, { name: 'vm-1' })).some((s) => s.id === created.id));

    const cinder = factory.cinder(pod1);
    const volume = await cinder.createVolume(ctx, { size: 1, name: 'vol-1' });
    let vol = await cinder.getVolume(ctx, volume.id);
    for (let i = 0; i < 50 && vol.status !== 'available'; i++) {
      await sleep(20);
      vol = await cinder.getVolume(ctx, volume.id);
    }
    assert.equal(vol.status, 'available');
    assert.ok((await cinder.listVolumes(ctx)).some((v) => v.id === volume.id));

    const attachment = await nova.attachVolume(ctx, created.id, { volumeId: volume.id });
    assert.equal(attachment.volumeId, volume.id);
    assert.deepEqual(
      (await nova.listVolumeAttachments(ctx, created.id)).map((a) => a.volumeId),
      [volume.id],
    );
    await nova.detachVolume(ctx, created.id, volume.id);

    assert.equal(await nova.serverAction(ctx, created.id, { 'os-stop': null }), undefined);
    await nova.deleteServer(ctx, created.id);
    for (let i = 0; i < 50; i++) {
      vol = await cinder.getVolume(ctx, volume.id);
      if (vol.status === 'available') break;
      await sleep(20);
    }
    await cinder.volumeAction(ctx, volume.id, { 'os-extend': { new_size: 2 } });
    for (let i = 0; i < 50; i++) {
      vol = await cinder.getVolume(ctx, volume.id);
      if (vol.status === 'available') break;
      await sleep(20);
    }
    assert.equal(vol.size, 2);
    await cinder.deleteVolume(ctx, volume.id);
  });

  test('a pod that goes down answers PodUnreachableError; back up, calls succeed again', async () => {
    await cluster.setFaults('Pod2', { down: true });
    try {
      const err = await factory
        .neutron(pod2)
        .listNetworks(ctx)
        .catch((e: unknown) => e);
      assert.ok(err instanceof PodUnreachableError);
      assert.equal(err.status, 503);
      assert.equal(err.region, 'Pod2');
      assert.deepEqual(await factory.neutron(pod1).listNetworks(ctx, { name: 'nothing-here' }), [], 'other pods are unaffected');
    } finally {
      await cluster.setFaults('Pod2', { down: false });
    }
    assert.ok(Array.isArray(await factory.neutron(pod2).listNetworks(ctx)));
  });
});
