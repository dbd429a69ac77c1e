import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Counter } from 'prom-client';
import { http } from '../support/http.js';
import { startNovaEnv, waitForGone, waitForStatus, type NovaEnv } from './support.js';

/** Boots with top networks: the networking service prepares the pod's copies and ports first. */
describe('Nova API gateway: servers on top networks', () => {
  let env: NovaEnv;
  let netId: string;
  const neutron = (method: string, path: string, body?: unknown) => http(method, `${env.tc.urls['neutron-api']}/v2.0${path}`, { token: env.tokens.demo, body });
  const boot = (name: string, networks: unknown, extra: Record<string, unknown> = {}) =>
    env.call('demo', 'POST', '/servers', { version: '2.37', body: { server: { name, imageRef: env.imageId, flavorRef: '1', networks, availability_zone: 'az1', ...extra } } });

  before(async () => {
    env = await startNovaEnv({ withNeutron: true });
    const net = await neutron('POST', '/networks', { network: { name: 'net1' } });
    assert.equal(net.status, 201, net.text);
    netId = net.body.network.id;
    const subnet = await neutron('POST', '/subnets', { subnet: { network_id: netId, cidr: '10.0.1.0/24', ip_version: 4, name: 'sub1' } });
    assert.equal(subnet.status, 201, subnet.text);
  });
  after(async () => {
    await env?.close();
  });

  test('boot on a top network: the port is made first, addresses carry the top name, delete cleans the port', async () => {
    const res = await boot('on-net1', [{ uuid: netId }]);
    assert.equal(res.status, 202, res.text);
    const id = res.body.server.id as string;
    assert.deepEqual(res.body.server.security_groups, [{ name: 'default' }]);
    const server = await waitForStatus(env, 'demo', id, ['ACTIVE']);
    assert.deepEqual(Object.keys(server.addresses), ['net1']);
    const ip = server.addresses.net1[0].addr as string;
    assert.match(ip, /^10\.0\.1\./);

    const topPorts = await neutron('GET', `/ports?device_id=${id}`);
    assert.equal(topPorts.body.ports.length, 1);
    assert.equal(topPorts.body.ports[0].fixed_ips[0].ip_address, ip, 'the top port holds the address the pod uses');

    assert.deepEqual(Object.keys((await env.call('demo', 'GET', `/servers/${id}/ips`)).body.addresses), ['net1']);
    const byLabel = await env.call('demo', 'GET', `/servers/${id}/ips/net1`);
    assert.equal(byLabel.status, 200, byLabel.text);
    assert.equal(byLabel.body.net1[0].addr, ip);
    const listed = await env.call('demo', 'GET', '/servers/detail');
    assert.deepEqual(Object.keys(listed.body.servers.find((s: { id: string }) => s.id === id).addresses), ['net1']);
    const ifaces = await env.call('demo', 'GET', `/servers/${id}/os-interface`);
    assert.equal(ifaces.body.interfaceAttachments[0].port_id, topPorts.body.ports[0].id, "top port ids, not the pod's");
    assert.equal(ifaces.body.interfaceAttachments[0].net_id, netId);

    assert.equal((await env.call('demo', 'DELETE', `/servers/${id}`)).status, 204);
    await waitForGone(env, 'demo', id);
    for (let i = 0; i < 100; i++) {
      if ((await neutron('GET', `/ports?device_id=${id}`)).body.ports.length === 0) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.deepEqual((await neutron('GET', `/ports?device_id=${id}`)).body.ports, []);
  });

  test('a boot on a network whose pod copy is ready reads nothing from the pod Neutron: one port create', async () => {
    const podNeutron = async (): Promise<Record<string, number>> => {
      const metric = env.tc.core.metrics.registry.getSingleMetric('tricircle_pod_requests_total') as Counter | undefined;
      const out: Record<string, number> = {};
      for (const v of (await metric?.get())?.values ?? []) if (v.labels.service === 'network') out[String(v.labels.method)] = (out[String(v.labels.method)] ?? 0) + v.value;
      return out;
    };
    const first = await boot('warm-1', [{ uuid: netId }]);
    assert.equal(first.status, 202, first.text);
    const before = await podNeutron();
    const second = await boot('warm-2', [{ uuid: netId }]);
    assert.equal(second.status, 202, second.text);
    const after = await podNeutron();
    const delta = Object.fromEntries(
      Object.entries(after)
        .map(([m, n]) => [m, n - (before[m] ?? 0)])
        .filter(([, n]) => n !== 0),
    );
    assert.deepEqual(delta, { POST: 1 }, `pod Neutron requests of the second boot: ${JSON.stringify(delta)}`);
    for (const id of [first.body.server.id, second.body.server.id]) await env.call('demo', 'DELETE', `/servers/${id}`);
    for (const id of [first.body.server.id, second.body.server.id]) await waitForGone(env, 'demo', id);
  });

  test('security groups are shown with their top names and ids', async () => {
    const sg = await neutron('POST', '/security-groups', { security_group: { name: 'web' } });
    assert.equal(sg.status, 201, sg.text);
    const res = await boot('with-sg', [{ uuid: netId }], { security_groups: [{ name: 'web' }] });
    assert.equal(res.status, 202, res.text);
    assert.deepEqual(res.body.server.security_groups, [{ name: 'web' }]);
    const server = await waitForStatus(env, 'demo', res.body.server.id, ['ACTIVE']);
    assert.deepEqual(server.security_groups, [{ name: 'web' }]);
    const listed = await env.call('demo', 'GET', '/servers/detail');
    assert.deepEqual(listed.body.servers.find((s: { id: string }) => s.id === server.id).security_groups, [{ name: 'web' }]);
    // The simulated Nova has no /servers/{id}/os-security-groups; with one, its groups show top ids and names.
    const groups = await env.call('demo', 'GET', `/servers/${server.id}/os-security-groups`);
    if (groups.status === 200) {
      assert.deepEqual(
        groups.body.security_groups.map((g: { id: string; name: string }) => [g.id, g.name]),
        [[sg.body.security_group.id, 'web']],
      );
    } else {
      assert.equal(groups.status, 404);
      assert.equal((await env.tc.core.routings.findByTop(server.id, 'server')).length, 1, 'a missing route of the pod is not a missing server');
    }
    assert.equal((await env.call('demo', 'DELETE', `/servers/${server.id}`)).status, 204);
    await waitForGone(env, 'demo', server.id);
  });

  const computePorts = async () => (await neutron('GET', '/ports')).body.ports.filter((p: { device_owner: string }) => p.device_owner.startsWith('compute:'));
  /** Waits until no top port of a compute owner is left (the deletion watcher removes them once the pod deleted the servers). */
  const noComputePorts = async () => {
    for (let i = 0; i < 200 && (await computePorts()).length > 0; i++) await new Promise((r) => setTimeout(r, 25));
    assert.deepEqual(await computePorts(), []);
  };

  test('an unknown network is a 400 that leaves nothing behind', async () => {
    const unknown = await boot('nowhere', [{ uuid: '5a9b2a1c-0000-4000-8000-000000000001' }], { min_count: 2 });
    assert.equal(unknown.status, 400);
    assert.match(unknown.body.badRequest.message, /Network 5a9b2a1c-0000-4000-8000-000000000001 could not be found/);
    assert.deepEqual(await computePorts(), []);
  });

  test('multi-create with networks: each server gets its own port, named as upstream names them', async () => {
    const many = await boot('many', [{ uuid: netId }], { min_count: 2, max_count: 3 });
    assert.equal(many.status, 202, many.text);
    assert.equal(many.body.reservation_id, undefined);
    const inPod = await env.pod('Pod1', 'demo', 'GET', '/servers/detail?name=many');
    const names = inPod.body.servers.map((s: { name: string }) => s.name).sort();
    assert.deepEqual(names, ['many-1', 'many-2', 'many-3']);
    const ids: string[] = inPod.body.servers.map((s: { id: string }) => s.id);
    assert.ok(ids.includes(many.body.server.id), 'the answer is one of the servers');
    const ips = new Set<string>();
    for (const id of ids) {
      assert.equal((await env.tc.core.routings.findByTop(id, 'server')).length, 1, 'every server is routed');
      const ports = (await neutron('GET', `/ports?device_id=${id}`)).body.ports;
      assert.equal(ports.length, 1, 'one top port per server');
      ips.add(ports[0].fixed_ips[0].ip_address);
      const server = await waitForStatus(env, 'demo', id, ['ACTIVE']);
      assert.deepEqual(Object.keys(server.addresses), ['net1']);
      assert.equal(server.addresses.net1[0].addr, ports[0].fixed_ips[0].ip_address);
    }
    assert.equal(ips.size, 3, 'three different addresses');

    const reserved = await boot('resv', [{ uuid: netId }], { min_count: 2, return_reservation_id: true });
    assert.equal(reserved.status, 202, reserved.text);
    assert.match(reserved.body.reservation_id, /^r-/);
    assert.equal(reserved.body.server, undefined);
    const resv = await env.pod('Pod1', 'demo', 'GET', '/servers?name=resv');
    assert.equal(resv.body.servers.length, 2);
    ids.push(...resv.body.servers.map((s: { id: string }) => s.id));

    for (const id of ids) assert.equal((await env.call('demo', 'DELETE', `/servers/${id}`)).status, 204);
    for (const id of ids) await waitForGone(env, 'demo', id);
    await noComputePorts();
  });

  test('multi-create with networks: a failure after the first server undoes the servers and ports made before it', async () => {
    // A pool of three addresses, one of them taken by the router interface the wiring adds: the third server's port cannot be made.
    const small = await neutron('POST', '/networks', { network: { name: 'small' } });
    const smallId = small.body.network.id as string;
    const sub = await neutron('POST', '/subnets', {
      subnet: { network_id: smallId, cidr: '10.0.9.0/24', ip_version: 4, enable_dhcp: false, allocation_pools: [{ start: '10.0.9.10', end: '10.0.9.12' }] },
    });
    assert.equal(sub.status, 201, sub.text);
    const res = await boot('cramped', [{ uuid: smallId }], { min_count: 3 });
    assert.equal(res.status, 400, res.text);
    assert.match(res.body.badRequest.message, /No fixed IP addresses available/);
    for (let i = 0; i < 200; i++) {
      const left = (await env.pod('Pod1', 'demo', 'GET', '/servers?name=cramped')).body.servers;
      if (left.length === 0) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    assert.deepEqual((await env.pod('Pod1', 'demo', 'GET', '/servers?name=cramped')).body.servers, [], 'the servers booted before the failure are deleted');
    await noComputePorts();
    const servers = (await env.call('demo', 'GET', '/servers?name=cramped')).body.servers;
    assert.deepEqual(servers, [], 'nothing of the request is listed at the top');
    // The same request fits once the network has room; the quota claim of the failed one was released.
    const fits = await boot('cramped', [{ uuid: smallId }], { min_count: 2 });
    assert.equal(fits.status, 202, fits.text);
    const made = (await env.pod('Pod1', 'demo', 'GET', '/servers?name=cramped')).body.servers.map((s: { id: string }) => s.id);
    assert.equal(made.length, 2);
    for (const id of made) assert.equal((await env.call('demo', 'DELETE', `/servers/${id}`)).status, 204);
    for (const id of made) await waitForGone(env, 'demo', id);
    await noComputePorts();
  });

  test('a boot the pod refuses releases the ports prepared for it', async () => {
    const res = await boot('bad-image', [{ uuid: netId }], { imageRef: '00000000-0000-4000-8000-000000000000' });
    assert.equal(res.status, 400, res.text);
    const ports = (await neutron('GET', '/ports')).body.ports.filter((p: { device_owner: string }) => p.device_owner.startsWith('compute:'));
    assert.deepEqual(ports, []);
  });

  test('attach and detach an interface on a top network', async () => {
    const res = await boot('nic-later', 'none');
    const id = res.body.server.id;
    await waitForStatus(env, 'demo', id, ['ACTIVE']);
    const att = await env.call('demo', 'POST', `/servers/${id}/os-interface`, { body: { interfaceAttachment: { net_id: netId } } });
    assert.equal(att.status, 200, att.text);
    const portId = att.body.interfaceAttachment.port_id;
    const top = await neutron('GET', `/ports/${portId}`);
    assert.equal(top.status, 200, 'the answer names the top port');
    assert.equal(att.body.interfaceAttachment.net_id, netId);
    const shown = await env.call('demo', 'GET', `/servers/${id}`);
    assert.deepEqual(Object.keys(shown.body.server.addresses), ['net1']);
    const detach = await env.call('demo', 'DELETE', `/servers/${id}/os-interface/${portId}`);
    assert.equal(detach.status, 202, detach.text);
    assert.equal((await neutron('GET', `/ports/${portId}`)).status, 404, 'the port made for the interface goes with it');
  });
});
