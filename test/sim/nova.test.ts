// The simulated Nova of one pod, over real HTTP on loopback, against upstream sample shapes.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { assertSampleShape } from '../support/shapes.js';
import { ADMIN_PROJECT, PROJECT_A, PROJECT_B, call, startPod, waitFor, type CallOptions, type PodFixture } from './support-fakes.js';

let pod: PodFixture;

const nova = (method: string, path: string, opts: CallOptions = {}) => call(pod.novaUrl, method, path, opts);
const cinder = (method: string, path: string, opts: CallOptions = {}) => call(pod.cinderUrl, method, path, opts);
const mv = (v: string) => ({ 'OpenStack-API-Version': `compute ${v}` });

async function createServer(extra: Record<string, unknown> = {}, opts: CallOptions = {}): Promise<string> {
  const network = opts.token === 'token-b' ? pod.netB.networkId : pod.net.networkId;
  const res = await nova('POST', '/v2.1/servers', {
    ...opts,
    body: { server: { name: 'vm', imageRef: pod.imageId, flavorRef: '1', networks: [{ uuid: network }], ...extra } },
  });
  assert.equal(res.status, 202, JSON.stringify(res.body));
  return res.body.server.id;
}

async function statusOf(id: string, token = 'token-a'): Promise<string> {
  const res = await nova('GET', `/v2.1/servers/${id}`, { token });
  return res.body.server?.status ?? `HTTP ${res.status}`;
}

async function waitStatus(id: string, status: string, token = 'token-a'): Promise<void> {
  await waitFor(async () => ((await statusOf(id, token)) === status ? true : undefined), 15_000, `${id} ${status}`);
}

async function activeServer(extra: Record<string, unknown> = {}, opts: CallOptions = {}): Promise<string> {
  const id = await createServer(extra, opts);
  await waitStatus(id, 'ACTIVE', opts.token ?? 'token-a');
  return id;
}

const action = (id: string, body: unknown, opts: CallOptions = {}) => nova('POST', `/v2.1/servers/${id}/action`, { ...opts, body });

before(async () => {
  pod = await startPod({ buildDelayMs: 150 });
  for (const project of [PROJECT_A, ADMIN_PROJECT]) {
    const res = await nova('PUT', `/v2.1/os-quota-sets/${project}`, {
      token: 'admin-token',
      body: { quota_set: { instances: 500, cores: 1000, ram: 1000000 } },
    });
    assert.equal(res.status, 200);
  }
});

after(async () => {
  await pod.close();
});

describe('versions, microversions, auth', () => {
  test('GET / lists versions without a token', async () => {
    const res = await nova('GET', '/', { token: null });
    assert.equal(res.status, 200);
    assertSampleShape(res.body, 'nova', 'versions/versions-get-resp.json');
    const v21 = res.body.versions.find((v: { id: string }) => v.id === 'v2.1');
    assert.equal(v21.version, '2.93');
    assert.equal(v21.min_version, '2.1');
    assert.equal(v21.links[0].href, `${pod.novaUrl}/v2.1/`);
  });

  test('GET /v2.1 and /v2.1/ show the version document', async () => {
    for (const path of ['/v2.1', '/v2.1/']) {
      const res = await nova('GET', path, { token: null });
      assert.equal(res.status, 200);
      assertSampleShape(res.body, 'nova', 'versions/v21-version-get-resp.json');
    }
  });

  test('microversion headers are negotiated and echoed', async () => {
    let res = await nova('GET', '/v2.1/flavors');
    assert.equal(res.headers.get('openstack-api-version'), 'compute 2.1');
    assert.equal(res.headers.get('x-openstack-nova-api-version'), '2.1');
    assert.match(res.headers.get('vary') ?? '', /OpenStack-API-Version/);
    res = await nova('GET', '/v2.1/flavors', { headers: mv('2.60') });
    assert.equal(res.headers.get('openstack-api-version'), 'compute 2.60');
    res = await nova('GET', '/v2.1/flavors', { headers: { 'X-OpenStack-Nova-API-Version': '2.10' } });
    assert.equal(res.headers.get('x-openstack-nova-api-version'), '2.10');
    res = await nova('GET', '/v2.1/flavors', { headers: mv('latest') });
    assert.equal(res.headers.get('openstack-api-version'), 'compute 2.93');
    res = await nova('GET', '/v2.1/flavors', { headers: { 'OpenStack-API-Version': 'volume 3.5, compute 2.25' } });
    assert.equal(res.headers.get('openstack-api-version'), 'compute 2.25');
  });

  test('microversion out of range is 406, malformed is 400', async () => {
    let res = await nova('GET', '/v2.1/flavors', { headers: mv('2.94') });
    assert.equal(res.status, 406);
    assert.deepEqual(res.body, {
      computeFault: { message: 'Version 2.94 is not supported by the API. Minimum is 2.1 and maximum is 2.93.', code: 406 },
    });
    res = await nova('GET', '/v2.1/flavors', { headers: mv('3.0') });
    assert.equal(res.status, 406);
    res = await nova('GET', '/v2.1/flavors', { headers: mv('2.x') });
    assert.equal(res.status, 400);
    assert.ok(res.body.badRequest.message.includes('invalid format'));
  });

  test('no token is 401; every response carries request ids', async () => {
    const res = await nova('GET', '/v2.1/servers', { token: null });
    assert.equal(res.status, 401);
    assert.equal((res.body.error ?? res.body.unauthorized).code, 401);
    const ok = await nova('GET', '/v2.1/servers');
    assert.match(ok.headers.get('x-openstack-request-id') ?? '', /^req-[0-9a-f-]{36}$/);
    assert.equal(ok.headers.get('x-compute-request-id'), ok.headers.get('x-openstack-request-id'));
  });

  test('project id in the URL must match the token', async () => {
    assert.equal((await nova('GET', `/v2.1/${PROJECT_A}/servers`)).status, 200);
    const res = await nova('GET', `/v2.1/${PROJECT_B}/servers`);
    assert.equal(res.status, 400);
    assert.match(res.body.badRequest.message, /doesn't match Context's project_id/);
  });

  test('unknown path is 404 itemNotFound', async () => {
    const res = await nova('GET', '/v2.1/nothing-here');
    assert.equal(res.status, 404);
    assert.ok(res.body.itemNotFound);
  });
});

describe('servers', () => {
  test('create answers 202 with the upstream shape, then BUILD → ACTIVE', async () => {
    const res = await nova('POST', `/v2.1/${PROJECT_A}/servers`, {
      body: {
        server: {
          name: 'web-1',
          imageRef: pod.imageId,
          flavorRef: '1',
          networks: [{ uuid: pod.net.networkId }],
          metadata: { 'My Server Name': 'Apache1' },
          security_groups: [{ name: 'default' }],
          user_data: Buffer.from('#!/bin/sh\necho hi\n').toString('base64'),
          availability_zone: 'az1',
          config_drive: true,
          accessIPv4: '1.2.3.4',
        },
      },
    });
    assert.equal(res.status, 202);
    assertSampleShape(res.body, 'nova', 'servers/server-create-resp.json');
    const id = res.body.server.id;
    assert.equal(res.headers.get('location'), `${pod.novaUrl}/v2.1/${PROJECT_A}/servers/${id}`);
    assert.equal(res.body.server.links[0].href, `${pod.novaUrl}/v2.1/${PROJECT_A}/servers/${id}`);
    assert.equal(res.body.server.links[1].href, `${pod.novaUrl}/${PROJECT_A}/servers/${id}`);
    assert.equal(typeof res.body.server.adminPass, 'string');
    const first = await nova('GET', `/v2.1/servers/${id}`);
    assert.equal(first.body.server.status, 'BUILD');
    assert.equal(first.body.server['OS-EXT-STS:vm_state'], 'building');
    await waitStatus(id, 'ACTIVE');
    const show = await nova('GET', `/v2.1/servers/${id}`, { token: 'admin-token' });
    assertSampleShape(show.body, 'nova', 'servers/server-get-resp.json');
    const s = show.body.server;
    assert.equal(s.name, 'web-1');
    assert.equal(s.tenant_id, PROJECT_A);
    assert.equal(s.user_id, 'user-a');
    assert.equal(s['OS-EXT-AZ:availability_zone'], 'az1');
    assert.equal(s['OS-EXT-STS:power_state'], 1);
    assert.equal(s['OS-EXT-STS:task_state'], null);
    assert.equal(s.config_drive, 'True');
    assert.equal(s.accessIPv4, '1.2.3.4');
    assert.match(s.created, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.match(s['OS-SRV-USG:launched_at'], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
    assert.match(s.hostId, /^[0-9a-f]{56}$/);
    assert.deepEqual(s.metadata, { 'My Server Name': 'Apache1' });
    assert.deepEqual(s.security_groups, [{ name: 'default' }]);
    assert.equal(s.flavor.id, '1');
    assert.equal(s.image.id, pod.imageId);
    const port = pod.neutron.listPorts({ device_id: id })[0];
    assert.equal(port.device_owner, 'compute:az1');
    assert.equal(port.status, 'ACTIVE');
    assert.deepEqual(s.addresses, {
      private: [{ version: 4, addr: port.fixed_ips[0].ip_address, 'OS-EXT-IPS:type': 'fixed', 'OS-EXT-IPS-MAC:mac_addr': port.mac_address }],
    });
    const user = await nova('GET', `/v2.1/servers/${id}`);
    assert.equal(user.body.server['OS-EXT-SRV-ATTR:host'], undefined, 'admin-only attributes hidden');
  });

  test('server shape follows the microversion', async () => {
    const id = await activeServer({ description: 'd1', tags: ['t1'] }, { headers: mv('2.73') });
    let res = await nova('GET', `/v2.1/servers/${id}`, { token: 'admin-token', headers: mv('2.73') });
    assertSampleShape(res.body, 'nova', 'servers/v2.73/server-get-resp.json', ['server.metadata.My Server Name']);
    assert.equal(res.body.server.description, 'd1');
    assert.deepEqual(res.body.server.tags, ['t1']);
    assert.equal(res.body.server.locked, false);
    assert.equal(res.body.server.locked_reason, null);
    assert.equal(res.body.server.flavor.original_name, 'm1.tiny');
    assert.equal(res.body.server.flavor.vcpus, 1);
    res = await nova('GET', `/v2.1/servers/${id}`, { token: 'admin-token', headers: mv('2.47') });
    assertSampleShape(res.body, 'nova', 'servers/v2.47/server-get-resp.json', ['server.metadata.My Server Name', 'server.flavor.extra_specs.hw:numa_nodes']);
    res = await nova('GET', `/v2.1/servers/${id}`, { headers: mv('2.9') });
    assert.equal(res.body.server.locked, false);
    assert.equal(res.body.server.description, undefined);
    res = await nova('GET', `/v2.1/servers/${id}`, { headers: mv('2.90') });
    assert.equal(res.body.server['OS-EXT-SRV-ATTR:hostname'], 'vm');
    res = await nova('GET', '/v2.1/servers/detail', { token: 'admin-token', headers: mv('2.73') });
    assertSampleShape(res.body, 'nova', 'servers/v2.73/servers-details-resp.json', ['servers[].metadata.My Server Name']);
  });

  test('create validates the body like upstream', async () => {
    const bad = async (server: Record<string, unknown>, status: number, pattern: RegExp, headers?: Record<string, string>) => {
      const res = await nova('POST', '/v2.1/servers', { body: { server }, headers });
      assert.equal(res.status, status, JSON.stringify(res.body));
      const fault = res.body.badRequest ?? res.body.conflictingRequest ?? res.body.itemNotFound;
      assert.ok(fault, JSON.stringify(res.body));
      assert.equal(fault.code, status);
      assert.match(fault.message, pattern);
    };
    const base = { name: 'x', imageRef: pod.imageId, flavorRef: '1', networks: [{ uuid: pod.net.networkId }] };
    await bad({ imageRef: pod.imageId, flavorRef: '1' }, 400, /'name' is a required property/);
    await bad({ ...base, name: ' lead' }, 400, /Invalid input for field\/attribute name/);
    await bad({ ...base, flavorRef: '999' }, 400, /^Invalid flavorRef provided\.$/);
    await bad({ ...base, imageRef: '9d1f29b3-0000-4000-8000-000000000000' }, 400, /^Can not find requested image$/);
    await bad({ ...base, imageRef: 'not-a-uuid' }, 400, /imageRef/);
    await bad({ ...base, availability_zone: 'az9' }, 400, /availability zone is not available/);
    await bad({ ...base, bogus: 1 }, 400, /Additional properties are not allowed \('bogus' was unexpected\)/);
    await bad({ ...base, user_data: '***' }, 400, /user_data/);
    await bad({ ...base, key_name: 'nope' }, 400, /^Invalid key_name provided\.$/);
    await bad({ ...base, min_count: 3, max_count: 2 }, 400, /min_count must be <= max_count/);
    await bad({ ...base, networks: [{ uuid: '9d1f29b3-0000-4000-8000-000000000000' }] }, 400, /Network .* could not be found/);
    await bad({ ...base, networks: [{ port: '9d1f29b3-0000-4000-8000-000000000000' }] }, 400, /Port id .* could not be found/);
    await bad({ ...base, networks: 'auto' }, 400, /networks/);
    await bad({ name: 'x', imageRef: pod.imageId, flavorRef: '1' }, 400, /'networks' is a required property/, mv('2.37'));
    await bad({ ...base, description: 'too early' }, 400, /'description' was unexpected/);
    await bad({ name: 'x', flavorRef: '1', networks: 'none' }, 400, /Block Device Mapping is Invalid/, mv('2.37'));
    const malformed = await nova('POST', '/v2.1/servers', { raw: '{"server": ' });
    assert.equal(malformed.status, 400);
    const noServer = await nova('POST', '/v2.1/servers', { body: { nope: {} } });
    assert.equal(noServer.status, 400);
    assert.match(noServer.body.badRequest.message, /'server' is a required property/);
  });

  test('networks: none, auto and omitted', async () => {
    const boot = (networks: unknown, token = 'token-a', version = '2.37') =>
      nova('POST', '/v2.1/servers', {
        token,
        headers: mv(version),
        body: { server: { name: 'nets', imageRef: pod.imageId, flavorRef: '1', ...(networks === undefined ? {} : { networks }) } },
      });
    let res = await boot('none');
    assert.equal(res.status, 202);
    assert.deepEqual(pod.neutron.listPorts({ device_id: res.body.server.id }), []);
    const show = await nova('GET', `/v2.1/servers/${res.body.server.id}`);
    assert.deepEqual(show.body.server.addresses, {});
    res = await boot('auto');
    assert.equal(res.status, 409, 'project A has two networks');
    assert.equal(res.body.conflictingRequest.message, 'Multiple possible networks found, use a Network ID to be more specific.');
    res = await boot(undefined, 'token-a', '2.1');
    assert.equal(res.status, 409);
    res = await boot(undefined, 'token-b', '2.1');
    assert.equal(res.status, 202, 'the one network of B is used');
    assert.equal(pod.neutron.listPorts({ device_id: res.body.server.id })[0].network_id, pod.netB.networkId);
    res = await boot('auto', 'token-b');
    assert.equal(res.status, 202);
    assert.equal(pod.neutron.listPorts({ device_id: res.body.server.id })[0].network_id, pod.netB.networkId);
    res = await boot(undefined, 'admin-token', '2.1');
    assert.equal(res.status, 202, 'no network for the admin project: no NIC');
    assert.deepEqual(pod.neutron.listPorts({ device_id: res.body.server.id }), []);
    res = await boot('auto', 'admin-token');
    assert.equal(res.status, 400);
    assert.match(res.body.badRequest.message, /Unable to automatically allocate a network/);
    res = await boot([{ uuid: pod.net.networkId }], 'token-b');
    assert.equal(res.status, 400, "another project's network is not found");
  });

  test('ports: given port is bound, port in use is 409, fixed IP honoured and checked', async () => {
    const port = pod.neutron.createPort(PROJECT_A, { network_id: pod.net2.networkId });
    const id = await activeServer({ networks: [{ port: port.id }, { uuid: pod.net.networkId, fixed_ip: '10.0.0.200' }] });
    const bound = pod.neutron.getPort(port.id)!;
    assert.equal(bound.device_id, id);
    assert.equal(bound.device_owner, 'compute:az1');
    const show = await nova('GET', `/v2.1/servers/${id}`);
    assert.deepEqual(Object.keys(show.body.server.addresses), ['shared', 'private']);
    assert.equal(show.body.server.addresses.private[0].addr, '10.0.0.200');
    let res = await nova('POST', '/v2.1/servers', {
      body: { server: { name: 'y', imageRef: pod.imageId, flavorRef: '1', networks: [{ port: port.id }] } },
    });
    assert.equal(res.status, 409);
    assert.equal(res.body.conflictingRequest.message, `Port ${port.id} is still in use.`);
    res = await nova('POST', '/v2.1/servers', {
      body: { server: { name: 'y', imageRef: pod.imageId, flavorRef: '1', networks: [{ uuid: pod.net.networkId, fixed_ip: '10.0.0.200' }] } },
    });
    assert.equal(res.status, 400);
    assert.match(res.body.badRequest.message, /Fixed IP address 10\.0\.0\.200 is already in use/);
    // delete: Nova-created port removed, given port unbound
    const novaPort = pod.neutron.listPorts({ device_id: id }).find((p) => p.id !== port.id)!;
    assert.equal((await nova('DELETE', `/v2.1/servers/${id}`)).status, 204);
    assert.equal(pod.neutron.getPort(novaPort.id), undefined);
    assert.equal(pod.neutron.getPort(port.id)!.device_id, '');
    const gone = await nova('GET', `/v2.1/servers/${id}`);
    assert.equal(gone.status, 404);
    assert.deepEqual(gone.body, { itemNotFound: { message: `Instance ${id} could not be found.`, code: 404 } });
  });

  test('min_count/max_count create several servers; return_reservation_id', async () => {
    const res = await nova('POST', '/v2.1/servers', {
      body: { server: { name: 'multi', imageRef: pod.imageId, flavorRef: '1', networks: [{ uuid: pod.net.networkId }], min_count: 3, return_reservation_id: true } },
    });
    assert.equal(res.status, 202);
    assert.match(res.body.reservation_id, /^r-[a-z0-9]{8}$/);
    const list = await nova('GET', `/v2.1/servers?reservation_id=${res.body.reservation_id}&sort_key=display_name&sort_dir=asc`);
    assert.deepEqual(
      list.body.servers.map((s: { name: string }) => s.name),
      ['multi-1', 'multi-2', 'multi-3'],
    );
  });

  test('list, detail, filters and sorting', async () => {
    const a = await activeServer({ name: 'alpha-list', tags: ['red', 'blue'] }, { headers: mv('2.52') });
    const b = await activeServer({ name: 'beta-list', flavorRef: '2', tags: ['red'] }, { headers: mv('2.52') });
    let res = await nova('GET', '/v2.1/servers');
    assert.equal(res.status, 200);
    assertSampleShape(res.body, 'nova', 'servers/servers-list-resp.json', ['servers_links']);
    res = await nova('GET', '/v2.1/servers/detail?all_tenants=1', { token: 'admin-token' });
    assertSampleShape(res.body, 'nova', 'servers/servers-details-resp.json', ['servers_links', 'servers[].metadata.My Server Name']);
    const names = (r: typeof res) => r.body.servers.map((s: { name: string }) => s.name);
    res = await nova('GET', '/v2.1/servers?name=-list$');
    assert.deepEqual(new Set(names(res)), new Set(['alpha-list', 'beta-list']));
    res = await nova('GET', '/v2.1/servers?name=^alpha');
    assert.deepEqual(names(res), ['alpha-list']);
    res = await nova('GET', '/v2.1/servers?flavor=2&name=-list');
    assert.deepEqual(names(res), ['beta-list']);
    res = await nova('GET', `/v2.1/servers?image=${pod.imageId}&name=-list&sort_key=display_name&sort_dir=desc`);
    assert.deepEqual(names(res), ['beta-list', 'alpha-list']);
    res = await nova('GET', '/v2.1/servers?status=ACTIVE&name=-list');
    assert.equal(res.body.servers.length, 2);
    res = await nova('GET', '/v2.1/servers?status=SHUTOFF&name=-list');
    assert.equal(res.body.servers.length, 0);
    res = await nova('GET', '/v2.1/servers?status=BOGUS');
    assert.deepEqual(res.body.servers, []);
    res = await nova('GET', '/v2.1/servers?status=BOGUS', { headers: mv('2.38') });
    assert.equal(res.status, 400);
    const ip = pod.neutron.listPorts({ device_id: a })[0].fixed_ips[0].ip_address;
    res = await nova('GET', `/v2.1/servers?ip=${ip.replace(/\./g, '\\.')}$`);
    assert.deepEqual(names(res), ['alpha-list']);
    res = await nova('GET', '/v2.1/servers?tags=red,blue', { headers: mv('2.26') });
    assert.deepEqual(names(res), ['alpha-list']);
    res = await nova('GET', '/v2.1/servers?tags-any=red&not-tags=blue', { headers: mv('2.26') });
    assert.deepEqual(names(res), ['beta-list']);
    const future = new Date(Date.now() + 60_000).toISOString();
    res = await nova('GET', `/v2.1/servers?changes-since=${future}`);
    assert.deepEqual(res.body.servers, []);
    res = await nova('GET', '/v2.1/servers?changes-since=yesterday');
    assert.equal(res.status, 400);
    res = await nova('GET', '/v2.1/servers?sort_key=bogus');
    assert.equal(res.status, 400);
    res = await nova('GET', '/v2.1/servers?sort_key=host');
    assert.equal(res.status, 403);
    res = await nova('GET', '/v2.1/servers?sort_dir=up&sort_key=display_name');
    assert.equal(res.status, 400);
    res = await nova('GET', '/v2.1/servers?limit=abc');
    assert.equal(res.status, 400);
    res = await nova('GET', '/v2.1/servers?bogus=1');
    assert.equal(res.status, 200, 'unknown query parameters ignored before 2.75');
    res = await nova('GET', '/v2.1/servers?bogus=1', { headers: mv('2.75') });
    assert.equal(res.status, 400);
    assert.match(res.body.badRequest.message, /'bogus' was unexpected/);
    // default order: newest first
    res = await nova('GET', '/v2.1/servers?name=-list');
    assert.deepEqual(
      res.body.servers.map((s: { id: string }) => s.id),
      [b, a],
    );
  });

  test('pagination: limit, marker, servers_links next', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await createServer({ name: `page-${i}` }));
    const seen: string[] = [];
    let path: string | undefined = `/v2.1/${PROJECT_A}/servers/detail?name=^page-&limit=2`;
    let pages = 0;
    while (path) {
      const res = await nova('GET', path);
      assert.equal(res.status, 200);
      pages++;
      seen.push(...res.body.servers.map((s: { id: string }) => s.id));
      const next = res.body.servers_links?.find((l: { rel: string }) => l.rel === 'next')?.href;
      if (next) {
        assert.ok(next.startsWith(`${pod.novaUrl}/v2.1/${PROJECT_A}/servers/detail?`), next);
        const u = new URL(next);
        assert.equal(u.searchParams.get('limit'), '2');
        assert.equal(u.searchParams.get('name'), '^page-');
      }
      path = next ? next.slice(pod.novaUrl.length) : undefined;
    }
    assert.equal(pages, 3);
    assert.deepEqual(seen, [...ids].reverse());
    const res = await nova('GET', '/v2.1/servers?marker=00000000-0000-4000-8000-000000000000');
    assert.equal(res.status, 400);
    assert.deepEqual(res.body, { badRequest: { message: 'marker [00000000-0000-4000-8000-000000000000] not found', code: 400 } });
  });

  test('tenant isolation and all_tenants', async () => {
    const a = await createServer({ name: 'iso-a' });
    const b = await createServer({ name: 'iso-b' }, { token: 'token-b' });
    assert.equal((await nova('GET', `/v2.1/servers/${a}`, { token: 'token-b' })).status, 404);
    assert.equal((await nova('DELETE', `/v2.1/servers/${a}`, { token: 'token-b' })).status, 404);
    assert.equal((await action(a, { 'os-stop': null }, { token: 'token-b' })).status, 404);
    let res = await nova('GET', '/v2.1/servers?name=^iso-', { token: 'token-b' });
    assert.deepEqual(
      res.body.servers.map((s: { id: string }) => s.id),
      [b],
    );
    res = await nova('GET', '/v2.1/servers?all_tenants=1', { token: 'token-b' });
    assert.equal(res.status, 403);
    res = await nova('GET', '/v2.1/servers?all_tenants=1&name=^iso-', { token: 'admin-token' });
    assert.equal(res.body.servers.length, 2);
    res = await nova('GET', `/v2.1/servers?all_tenants=1&tenant_id=${PROJECT_B}&name=^iso-`, { token: 'admin-token' });
    assert.deepEqual(
      res.body.servers.map((s: { id: string }) => s.id),
      [b],
    );
    res = await nova('GET', '/v2.1/servers?name=^iso-', { token: 'admin-token' });
    assert.equal(res.body.servers.length, 0, 'admin without all_tenants sees its own project');
    assert.equal((await nova('GET', `/v2.1/servers/${a}`, { token: 'admin-token' })).status, 200);
  });

  test('update: name, description, accessIPs; bad fields 400', async () => {
    const id = await activeServer();
    let res = await nova('PUT', `/v2.1/servers/${id}`, { headers: mv('2.19'), body: { server: { name: 'renamed', description: 'new', accessIPv6: '80fe::' } } });
    assert.equal(res.status, 200);
    assertSampleShape(res.body, 'nova', 'servers/server-update-resp.json', ['server.metadata.My Server Name']);
    assert.equal(res.body.server.name, 'renamed');
    assert.equal(res.body.server.description, 'new');
    assert.equal(res.body.server.accessIPv6, '80fe::');
    assert.equal(res.body.server['OS-EXT-STS:vm_state'], undefined, 'before 2.75 the update answer has no extension attributes');
    assert.equal(res.body.server['OS-EXT-AZ:availability_zone'], undefined);
    res = await nova('PUT', `/v2.1/servers/${id}`, { headers: mv('2.75'), body: { server: { accessIPv6: '0000:0000:0000:0000:0000:babe:220.12.22.2' } } });
    assert.equal(res.body.server.accessIPv6, '::babe:dc0c:1602', 'stored in the short form, as Nova does');
    assert.equal(res.body.server['OS-EXT-STS:vm_state'], 'active', 'from 2.75 the update answer is the show view');
    res = await nova('PUT', `/v2.1/servers/${id}`, { body: { server: { flavorRef: '2' } } });
    assert.equal(res.status, 400);
    res = await nova('PUT', `/v2.1/servers/${id}`, { body: { server: { accessIPv4: 'nope' } } });
    assert.equal(res.status, 400);
  });

  test('quota: instances beyond the limit are 403', async () => {
    const used = (await nova('GET', '/v2.1/limits', { token: 'token-b' })).body.limits.absolute.totalInstancesUsed;
    let res = await nova('PUT', `/v2.1/os-quota-sets/${PROJECT_B}`, { token: 'admin-token', body: { quota_set: { instances: used + 1, force: true } } });
    assert.equal(res.status, 200);
    res = await nova('POST', '/v2.1/servers', {
      token: 'token-b',
      body: { server: { name: 'q', imageRef: pod.imageId, flavorRef: '1', networks: [{ uuid: pod.netB.networkId }], min_count: 2 } },
    });
    assert.equal(res.status, 403);
    assert.equal(res.body.forbidden.message, `Quota exceeded for instances: Requested 2, but already used ${used} of ${used + 1} instances`);
    // max_count is cut down to what fits
    res = await nova('POST', '/v2.1/servers', {
      token: 'token-b',
      body: { server: { name: 'q', imageRef: pod.imageId, flavorRef: '1', networks: [{ uuid: pod.netB.networkId }], max_count: 3 } },
    });
    assert.equal(res.status, 202);
    res = await nova('GET', '/v2.1/servers?name=^q', { token: 'token-b' });
    assert.equal(res.body.servers.length, 1);
    await nova('DELETE', `/v2.1/os-quota-sets/${PROJECT_B}`, { token: 'admin-token' });
  });

  test('boot from volume: image is "" and the volume is attached as vda', async () => {
    const vol = await cinder('POST', `/v3/${PROJECT_A}/volumes`, { body: { volume: { size: 1, name: 'root' } } });
    const volId = vol.body.volume.id;
    await waitFor(async () => ((await cinder('GET', `/v3/${PROJECT_A}/volumes/${volId}`)).body.volume.status === 'available' ? true : undefined));
    // An empty volume is not bootable: Nova refuses it as the boot disk until Cinder flags it so.
    const bdm = [{ boot_index: 0, uuid: volId, source_type: 'volume', destination_type: 'volume', delete_on_termination: false }];
    const refused = await nova('POST', '/v2.1/servers', {
      body: { server: { name: 'nb', imageRef: '', flavorRef: '1', networks: 'none', block_device_mapping_v2: bdm } },
      headers: mv('2.37'),
    });
    assert.equal(refused.status, 400, JSON.stringify(refused.body));
    assert.equal(refused.body.badRequest.message, `Block Device ${volId} is not bootable.`);
    assert.equal((await cinder('POST', `/v3/${PROJECT_A}/volumes/${volId}/action`, { body: { 'os-set_bootable': { bootable: true } } })).status, 200);
    const id = await activeServer({
      imageRef: '',
      block_device_mapping_v2: [{ boot_index: 0, uuid: volId, source_type: 'volume', destination_type: 'volume', delete_on_termination: false }],
    });
    const show = await nova('GET', `/v2.1/servers/${id}`, { headers: mv('2.3') });
    assert.equal(show.body.server.image, '');
    assert.deepEqual(show.body.server['os-extended-volumes:volumes_attached'], [{ id: volId, delete_on_termination: false }]);
    const v = await cinder('GET', `/v3/${PROJECT_A}/volumes/${volId}`);
    assert.equal(v.body.volume.status, 'in-use');
    assert.equal(v.body.volume.attachments[0].device, '/dev/vda');
    const detach = await nova('DELETE', `/v2.1/servers/${id}/os-volume_attachments/${volId}`);
    assert.equal(detach.status, 400);
    assert.equal(detach.body.badRequest.message, 'Cannot detach a root device volume');
    await nova('DELETE', `/v2.1/servers/${id}`);
    assert.equal((await cinder('GET', `/v3/${PROJECT_A}/volumes/${volId}`)).body.volume.status, 'available');
  });
});

describe('server actions', () => {
  test('stop/start with the state machine', async () => {
    // A pod of its own with slow transitions, so the 409 while powering off does not race a loaded machine.
    const shared = pod;
    pod = await startPod({ buildDelayMs: 1500 });
    try {
      await stopStartOnSlowPod();
    } finally {
      await pod.close();
      pod = shared;
    }
  });
  async function stopStartOnSlowPod() {
    const id = await activeServer();
    assert.equal((await action(id, { 'os-stop': null })).status, 202);
    const mid = await nova('GET', `/v2.1/servers/${id}`);
    assert.equal(mid.body.server['OS-EXT-STS:task_state'], 'powering-off');
    const busy = await action(id, { 'os-start': null });
    assert.equal(busy.status, 409);
    await waitStatus(id, 'SHUTOFF');
    const stopped = (await nova('GET', `/v2.1/servers/${id}`)).body.server;
    assert.equal(stopped['OS-EXT-STS:power_state'], 4);
    assert.equal('progress' in stopped, false, 'Nova shows progress only for ACTIVE, BUILD, REBUILD, RESIZE, VERIFY_RESIZE, MIGRATING');
    const again = await action(id, { 'os-stop': null });
    assert.equal(again.status, 409);
    assert.deepEqual(again.body, {
      conflictingRequest: { message: `Cannot 'stop' instance ${id} while it is in vm_state stopped`, code: 409 },
    });
    const soft = await action(id, { reboot: { type: 'SOFT' } });
    assert.equal(soft.status, 409);
    assert.equal(soft.body.conflictingRequest.message, `Cannot 'reboot' instance ${id} while it is in vm_state stopped`);
    assert.equal((await action(id, { 'os-start': null })).status, 202);
    await waitStatus(id, 'ACTIVE');
  }

  test('reboot soft/hard, bad type 400', async () => {
    const id = await activeServer();
    assert.equal((await action(id, { reboot: { type: 'HARD' } })).status, 202);
    assert.equal(await statusOf(id), 'HARD_REBOOT');
    await waitStatus(id, 'ACTIVE');
    assert.equal((await action(id, { reboot: { type: 'SOFT' } })).status, 202);
    assert.equal(await statusOf(id), 'REBOOT');
    await waitStatus(id, 'ACTIVE');
    const bad = await action(id, { reboot: { type: 'WARM' } });
    assert.equal(bad.status, 400);
    assert.match(bad.body.badRequest.message, /Invalid input for field\/attribute type/);
  });

  test('pause/unpause, suspend/resume', async () => {
    const id = await activeServer();
    await action(id, { pause: null });
    await waitStatus(id, 'PAUSED');
    assert.equal((await action(id, { suspend: null })).status, 409);
    await action(id, { unpause: null });
    await waitStatus(id, 'ACTIVE');
    await action(id, { suspend: null });
    await waitStatus(id, 'SUSPENDED');
    assert.equal((await nova('GET', `/v2.1/servers/${id}`)).body.server['OS-EXT-STS:power_state'], 7);
    await action(id, { resume: null });
    await waitStatus(id, 'ACTIVE');
  });

  test('lock/unlock: locked servers refuse other actions for non-admins', async () => {
    const id = await activeServer();
    assert.equal((await action(id, { lock: { locked_reason: 'maintenance' } }, { headers: mv('2.73') })).status, 202);
    const show = await nova('GET', `/v2.1/servers/${id}`, { headers: mv('2.73') });
    assert.equal(show.body.server.locked, true);
    assert.equal(show.body.server.locked_reason, 'maintenance');
    const refused = await action(id, { 'os-stop': null });
    assert.equal(refused.status, 409);
    assert.deepEqual(refused.body, { conflictingRequest: { message: `Instance ${id} is locked`, code: 409 } });
    assert.equal((await nova('DELETE', `/v2.1/servers/${id}`)).status, 409);
    assert.equal((await nova('PUT', `/v2.1/servers/${id}/metadata/k`, { body: { meta: { k: 'v' } } })).status, 409);
    assert.equal((await action(id, { unlock: null })).status, 202);
    assert.equal((await action(id, { 'os-stop': null })).status, 202);
    await waitStatus(id, 'SHUTOFF');
    await action(id, { lock: null });
    assert.equal((await action(id, { 'os-start': null }, { token: 'admin-token' })).status, 202, 'admin ignores the lock');
    await waitStatus(id, 'ACTIVE');
    // lock by admin cannot be undone by the owner
    await action(id, { unlock: null });
    await action(id, { lock: null }, { token: 'admin-token' });
    assert.equal((await action(id, { unlock: null })).status, 403);
    assert.equal((await action(id, { unlock: null }, { token: 'admin-token' })).status, 202);
  });

  test('resize, confirmResize, revertResize', async () => {
    const id = await activeServer();
    const same = await action(id, { resize: { flavorRef: '1' } });
    assert.equal(same.status, 400);
    assert.equal(same.body.badRequest.message, 'When resizing, instances must change flavor!');
    assert.equal((await action(id, { resize: { flavorRef: 'nope' } })).status, 400);
    assert.equal((await action(id, { confirmResize: null })).status, 409);
    assert.equal((await action(id, { resize: { flavorRef: '2', 'OS-DCF:diskConfig': 'AUTO' } })).status, 202);
    assert.equal(await statusOf(id), 'RESIZE');
    await waitStatus(id, 'VERIFY_RESIZE');
    let show = await nova('GET', `/v2.1/servers/${id}`);
    assert.equal(show.body.server.flavor.id, '2');
    assert.equal(show.body.server['OS-DCF:diskConfig'], 'AUTO', 'the disk config given with the resize');
    assert.equal((await action(id, { confirmResize: null })).status, 204);
    assert.equal(await statusOf(id), 'ACTIVE');
    await action(id, { resize: { flavorRef: '3' } });
    await waitStatus(id, 'VERIFY_RESIZE');
    assert.equal((await action(id, { revertResize: null })).status, 202);
    assert.equal(await statusOf(id), 'REVERT_RESIZE');
    await waitStatus(id, 'ACTIVE');
    show = await nova('GET', `/v2.1/servers/${id}`);
    assert.equal(show.body.server.flavor.id, '2');
  });

  test('rebuild returns the server with adminPass', async () => {
    const id = await activeServer();
    const image2 = pod.glance.add('ubuntu');
    const res = await action(id, { rebuild: { imageRef: image2, name: 'rebuilt', metadata: { a: 'b' } } });
    assert.equal(res.status, 202);
    assertSampleShape(res.body, 'nova', 'servers/server-action-rebuild-resp.json', ['server.metadata.meta_var']);
    assert.equal(res.body.server.status, 'REBUILD');
    assert.equal(res.body.server.image.id, image2);
    assert.equal(typeof res.body.server.adminPass, 'string');
    assert.equal(res.body.server['OS-EXT-STS:task_state'], undefined, 'before 2.75 the rebuild answer has no extension attributes');
    assert.equal(res.body.server.key_name, undefined);
    assert.equal(res.body.server.progress, 0);
    await waitStatus(id, 'ACTIVE');
    const v257 = await action(id, { rebuild: { imageRef: image2, 'OS-DCF:diskConfig': 'AUTO' } }, { headers: mv('2.57') });
    assert.equal(v257.status, 202);
    assert.equal(v257.body.server['OS-DCF:diskConfig'], 'AUTO');
    assert.equal(v257.body.server.key_name, null, 'from 2.54 the rebuild answer names the key pair');
    assert.equal(v257.body.server.user_data, null, 'from 2.57 the rebuild answer carries the user data');
    await waitStatus(id, 'ACTIVE');
    assert.equal((await action(id, { rebuild: { imageRef: '9d1f29b3-0000-4000-8000-000000000000' } })).status, 400);
    assert.equal((await action(id, { rebuild: {} })).status, 400);
  });

  test('os-resetState is admin-only; forceDelete deletes', async () => {
    const id = await activeServer();
    const denied = await action(id, { 'os-resetState': { state: 'error' } });
    assert.equal(denied.status, 403);
    assert.match(denied.body.forbidden.message, /reset_state/);
    assert.equal((await action(id, { 'os-resetState': { state: 'error' } }, { token: 'admin-token' })).status, 202);
    const show = await nova('GET', `/v2.1/servers/${id}`);
    assert.equal(show.body.server.status, 'ERROR');
    assert.ok(show.body.server.fault);
    assert.equal((await action(id, { 'os-resetState': { state: 'bogus' } }, { token: 'admin-token' })).status, 400);
    assert.equal((await action(id, { forceDelete: null })).status, 202);
    assert.equal((await nova('GET', `/v2.1/servers/${id}`)).status, 404);
  });

  test('createImage: Location header before 2.45, image_id from 2.45', async () => {
    const id = await activeServer();
    let res = await action(id, { createImage: { name: 'snap-1', metadata: { k: 'v' } } });
    assert.equal(res.status, 202);
    const loc = res.headers.get('location')!;
    const imageId = loc.split('/').pop()!;
    assert.ok(loc.startsWith(`${pod.novaUrl}/v2.1/images/`));
    assert.equal(pod.glance.getImage(imageId)?.name, 'snap-1');
    assert.equal(pod.glance.getImage(imageId)?.instance_uuid, id);
    await waitFor(async () => ((await nova('GET', `/v2.1/servers/${id}`)).body.server['OS-EXT-STS:task_state'] === null ? true : undefined));
    res = await action(id, { createImage: { name: 'snap-2' } }, { headers: mv('2.45') });
    assert.equal(res.status, 202);
    assertSampleShape(res.body, 'nova', 'servers/v2.45/server-action-create-image-resp.json');
    assert.equal((await action(id, { createImage: {} })).status, 400);
  });

  test('createBackup keeps the `rotation` newest backups of a type', async () => {
    const id = await activeServer();
    const idle = () => waitFor(async () => ((await nova('GET', `/v2.1/servers/${id}`)).body.server['OS-EXT-STS:task_state'] === null ? true : undefined));
    const made: string[] = [];
    for (const name of ['b1', 'b2', 'b3']) {
      const res = await action(id, { createBackup: { name, backup_type: 'daily', rotation: 2 } }, { headers: mv('2.45') });
      assert.equal(res.status, 202);
      made.push(res.body.image_id);
      assert.equal(pod.glance.getImage(res.body.image_id)?.image_type, 'backup');
      assert.equal(pod.glance.getImage(res.body.image_id)?.backup_type, 'daily');
      await idle();
    }
    assert.equal(pod.glance.getImage(made[0]), undefined, 'the oldest is rotated out');
    assert.ok(pod.glance.getImage(made[1]) && pod.glance.getImage(made[2]));
    const old = await action(id, { createBackup: { name: 'w1', backup_type: 'weekly', rotation: '1' } });
    assert.equal(old.status, 202);
    assert.match(old.headers.get('location') ?? '', /\/v2\.1\/images\//);
    assert.ok(pod.glance.getImage(made[2]), 'another backup type rotates apart');
    await idle();
    assert.equal((await action(id, { createBackup: { name: 'x', backup_type: 'daily' } })).status, 400, 'rotation is required');
  });

  test('console output, migrate, rescue, security groups, crash dump, unknown action', async () => {
    const id = await activeServer();
    let res = await action(id, { 'os-getConsoleOutput': { length: 2 } });
    assert.equal(res.status, 200);
    assert.equal(res.body.output.split('\n').length, 2);
    res = await action(id, { 'os-getConsoleOutput': {} });
    assert.ok(res.body.output.split('\n').length > 2);

    assert.equal((await action(id, { migrate: null })).status, 403);
    const before = (await nova('GET', `/v2.1/servers/${id}`, { token: 'admin-token' })).body.server['OS-EXT-SRV-ATTR:host'];
    assert.equal((await action(id, { migrate: null }, { token: 'admin-token' })).status, 202);
    await waitStatus(id, 'VERIFY_RESIZE');
    const after = (await nova('GET', `/v2.1/servers/${id}`, { token: 'admin-token' })).body.server['OS-EXT-SRV-ATTR:host'];
    assert.notEqual(after, before);
    await action(id, { confirmResize: null });
    assert.equal(await statusOf(id), 'ACTIVE');

    res = await action(id, { rescue: null });
    assert.equal(res.status, 200);
    assert.equal(typeof res.body.adminPass, 'string');
    await waitStatus(id, 'RESCUE');
    assert.equal((await action(id, { rescue: null })).status, 409);
    await action(id, { unrescue: null });
    await waitStatus(id, 'ACTIVE');

    assert.equal((await action(id, { addSecurityGroup: { name: 'web' } })).status, 202);
    let show = await nova('GET', `/v2.1/servers/${id}`);
    assert.deepEqual(show.body.server.security_groups, [{ name: 'default' }, { name: 'web' }]);
    assert.equal((await action(id, { addSecurityGroup: { name: 'web' } })).status, 400);
    assert.equal((await action(id, { removeSecurityGroup: { name: 'web' } })).status, 202);
    assert.equal((await action(id, { removeSecurityGroup: { name: 'web' } })).status, 400);
    show = await nova('GET', `/v2.1/servers/${id}`);
    assert.deepEqual(show.body.server.security_groups, [{ name: 'default' }]);

    res = await action(id, { trigger_crash_dump: null });
    assert.equal(res.status, 400);
    assert.equal(res.body.badRequest.message, 'There is no such action: trigger_crash_dump');
    assert.equal((await action(id, { trigger_crash_dump: null }, { headers: mv('2.17') })).status, 202);

    res = await action(id, { 'os-frobnicate': null });
    assert.equal(res.status, 400);
    assert.equal(res.body.badRequest.message, 'There is no such action: os-frobnicate');
  });

  test('consoles: remote-consoles (2.6), os-getVNCConsole (≤2.5), server password', async () => {
    const id = await activeServer();
    let res = await nova('POST', `/v2.1/servers/${id}/remote-consoles`, { headers: mv('2.6'), body: { remote_console: { protocol: 'vnc', type: 'novnc' } } });
    assert.equal(res.status, 200);
    assert.equal(res.body.remote_console.protocol, 'vnc');
    assert.match(res.body.remote_console.url, /token/);
    res = await nova('POST', `/v2.1/servers/${id}/remote-consoles`, { headers: mv('2.6'), body: { remote_console: { protocol: 'vnc', type: 'bogus' } } });
    assert.equal(res.status, 400);
    assert.equal((await nova('POST', `/v2.1/servers/${id}/remote-consoles`, { body: {} })).status, 404, 'not before 2.6');
    res = await action(id, { 'os-getVNCConsole': { type: 'novnc' } });
    assert.equal(res.status, 200);
    assert.equal(res.body.console.type, 'novnc');
    assert.equal((await action(id, { 'os-getVNCConsole': { type: 'novnc' } }, { headers: mv('2.6') })).status, 400);
    res = await nova('GET', `/v2.1/servers/${id}/os-server-password`);
    assert.deepEqual(res.body, { password: '' });
    assert.equal((await nova('DELETE', `/v2.1/servers/${id}/os-server-password`)).status, 204);
  });

  test('shelve offloads at once by default; unshelve', async () => {
    const id = await activeServer();
    assert.equal((await action(id, { shelveOffload: null })).status, 409);
    assert.equal((await action(id, { shelve: null })).status, 202);
    await waitStatus(id, 'SHELVED_OFFLOADED');
    const show = await nova('GET', `/v2.1/servers/${id}`, { token: 'admin-token' });
    assert.equal(show.body.server['OS-EXT-SRV-ATTR:host'], null);
    // As Nova: the shelved server's snapshot is the image `<name>-shelved`, gone after unshelve.
    const shelved = [...pod.glance.images.values()].filter((i) => i.name === `${show.body.server.name}-shelved`);
    assert.equal(shelved.length, 1);
    assert.equal(shelved[0].instance_uuid, id);
    assert.equal((await action(id, { unshelve: { availability_zone: 'elsewhere' } }, { headers: mv('2.77') })).status, 400);
    assert.equal((await action(id, { unshelve: null })).status, 202);
    await waitStatus(id, 'ACTIVE');
    assert.equal(pod.glance.getImage(shelved[0].id as string), undefined, 'unshelve deletes the shelved image');
  });

  test('instance actions are recorded', async () => {
    const id = await activeServer();
    const stop = await action(id, { 'os-stop': null });
    await waitStatus(id, 'SHUTOFF');
    let res = await nova('GET', `/v2.1/servers/${id}/os-instance-actions`);
    assert.equal(res.status, 200);
    assertSampleShape(res.body, 'nova', 'os-instance-actions/instance-actions-list-resp.json');
    assert.deepEqual(
      res.body.instanceActions.map((a: { action: string }) => a.action),
      ['stop', 'create'],
    );
    const reqId = stop.headers.get('x-openstack-request-id')!;
    assert.equal(res.body.instanceActions[0].request_id, reqId);
    res = await nova('GET', `/v2.1/servers/${id}/os-instance-actions/${reqId}`, { token: 'admin-token', headers: mv('2.84') });
    assertSampleShape(res.body, 'nova', 'os-instance-actions/v2.84/instance-action-get-resp.json');
    assert.equal(res.body.instanceAction.events[0].result, 'Success');
    res = await nova('GET', `/v2.1/servers/${id}/os-instance-actions/${reqId}`);
    assertSampleShape(res.body, 'nova', 'os-instance-actions/instance-action-get-resp.json', ['instanceAction.events[].traceback']);
    res = await nova('GET', `/v2.1/servers/${id}/os-instance-actions?limit=1`, { headers: mv('2.58') });
    assertSampleShape(res.body, 'nova', 'os-instance-actions/v2.58/instance-actions-list-with-limit-resp.json');
    assert.ok(res.body.links[0].href.includes(`marker=${reqId}`));
    res = await nova('GET', `/v2.1/servers/${id}/os-instance-actions/req-nope`);
    assert.equal(res.status, 404);
  });
});

describe('shelve without offload', () => {
  let pod2: PodFixture;
  before(async () => {
    pod2 = await startPod({ shelvedOffloadTime: -1 });
  });
  after(async () => {
    await pod2.close();
  });

  test('shelve → SHELVED, shelveOffload → SHELVED_OFFLOADED', async () => {
    const res = await call(pod2.novaUrl, 'POST', '/v2.1/servers', {
      body: { server: { name: 's', imageRef: pod2.imageId, flavorRef: '1', networks: [{ uuid: pod2.net.networkId }] } },
    });
    const id = res.body.server.id;
    const status = async () => (await call(pod2.novaUrl, 'GET', `/v2.1/servers/${id}`)).body.server.status;
    await waitFor(async () => ((await status()) === 'ACTIVE' ? true : undefined));
    await call(pod2.novaUrl, 'POST', `/v2.1/servers/${id}/action`, { body: { shelve: null } });
    await waitFor(async () => ((await status()) === 'SHELVED' ? true : undefined));
    await call(pod2.novaUrl, 'POST', `/v2.1/servers/${id}/action`, { body: { shelveOffload: null } });
    await waitFor(async () => ((await status()) === 'SHELVED_OFFLOADED' ? true : undefined));
  });
});

describe('server sub-resources', () => {
  test('ips and ips/{network}', async () => {
    const id = await activeServer();
    let res = await nova('GET', `/v2.1/servers/${id}/ips`);
    assert.equal(res.status, 200);
    assertSampleShape(res.body, 'nova', 'server-ips/server-ips-resp.json');
    res = await nova('GET', `/v2.1/servers/${id}/ips/private`);
    assertSampleShape(res.body, 'nova', 'server-ips/server-ips-network-resp.json');
    res = await nova('GET', `/v2.1/servers/${id}/ips/nonet`);
    assert.equal(res.status, 404);
  });

  test('metadata in all forms', async () => {
    const id = await activeServer({ metadata: { a: '1' } });
    const base = `/v2.1/servers/${id}/metadata`;
    let res = await nova('GET', base);
    assertSampleShape(res.body, 'nova', 'server-metadata/server-metadata-all-resp.json', ['metadata.foo']);
    assert.deepEqual(res.body, { metadata: { a: '1' } });
    res = await nova('POST', base, { body: { metadata: { foo: 'Foo Value' } } });
    assertSampleShape(res.body, 'nova', 'server-metadata/server-metadata-all-resp.json');
    assert.deepEqual(res.body, { metadata: { a: '1', foo: 'Foo Value' } });
    res = await nova('PUT', base, { body: { metadata: { foo: 'only' } } });
    assert.deepEqual(res.body, { metadata: { foo: 'only' } });
    res = await nova('GET', `${base}/foo`);
    assertSampleShape(res.body, 'nova', 'server-metadata/server-metadata-resp.json');
    res = await nova('PUT', `${base}/foo`, { body: { meta: { foo: 'Bar Value' } } });
    assert.deepEqual(res.body, { meta: { foo: 'Bar Value' } });
    res = await nova('PUT', `${base}/foo`, { body: { meta: { other: 'x' } } });
    assert.equal(res.status, 400);
    assert.equal(res.body.badRequest.message, 'Request body and URI mismatch');
    res = await nova('PUT', `${base}/foo`, { body: { meta: { foo: 'x', b: 'y' } } });
    assert.equal(res.body.badRequest.message, 'Request body contains too many items');
    assert.equal((await nova('DELETE', `${base}/foo`)).status, 204);
    res = await nova('GET', `${base}/foo`);
    assert.equal(res.status, 404);
    assert.equal(res.body.itemNotFound.message, 'Metadata item was not found');
    assert.equal((await nova('DELETE', `${base}/foo`)).status, 404);
    res = await nova('POST', base, { body: { metadata: { 'bad/key': 'x' } } });
    assert.equal(res.status, 400);
    res = await nova('GET', base, { token: 'token-b' });
    assert.equal(res.status, 404);
  });

  test('tags (2.26)', async () => {
    const id = await activeServer();
    const base = `/v2.1/servers/${id}/tags`;
    const h = { headers: mv('2.26') };
    assert.equal((await nova('GET', base)).status, 404, 'not before 2.26');
    let res = await nova('PUT', base, { ...h, body: { tags: ['tag1', 'tag2'] } });
    assert.equal(res.status, 200);
    assertSampleShape(res.body, 'nova', 'os-server-tags/v2.26/server-tags-put-all-resp.json');
    res = await nova('GET', base, h);
    assertSampleShape(res.body, 'nova', 'os-server-tags/v2.26/server-tags-index-resp.json');
    assert.equal((await nova('GET', `${base}/tag1`, h)).status, 204);
    assert.equal((await nova('GET', `${base}/nope`, h)).status, 404);
    res = await nova('PUT', `${base}/tag3`, h);
    assert.equal(res.status, 201);
    assert.equal(res.headers.get('location'), `${pod.novaUrl}/v2.1/servers/${id}/tags/tag3`);
    assert.equal((await nova('PUT', `${base}/tag3`, h)).status, 204);
    assert.equal((await nova('PUT', `${base}/a,b`, h)).status, 400);
    assert.equal((await nova('DELETE', `${base}/tag3`, h)).status, 204);
    assert.equal((await nova('DELETE', `${base}/tag3`, h)).status, 404);
    res = await nova('GET', `/v2.1/servers/${id}`, h);
    assert.deepEqual(res.body.server.tags, ['tag1', 'tag2']);
    assert.equal((await nova('DELETE', base, h)).status, 204);
    assert.deepEqual((await nova('GET', base, h)).body, { tags: [] });
    res = await nova('PUT', base, { ...h, body: { tags: Array.from({ length: 51 }, (_, i) => `t${i}`) } });
    assert.equal(res.status, 400);
  });

  test('os-interface: list, attach by network and by port, show, detach', async () => {
    const id = await activeServer();
    const base = `/v2.1/servers/${id}/os-interface`;
    let res = await nova('GET', base);
    assertSampleShape(res.body, 'nova', 'os-attach-interfaces/attach-interfaces-list-resp.json');
    assert.equal(res.body.interfaceAttachments.length, 1);
    res = await nova('POST', base, { body: { interfaceAttachment: { net_id: pod.net2.networkId, fixed_ips: [{ ip_address: '10.1.0.99' }] } } });
    assert.equal(res.status, 200);
    assertSampleShape(res.body, 'nova', 'os-attach-interfaces/attach-interfaces-create-resp.json');
    assert.equal(res.body.interfaceAttachment.fixed_ips[0].ip_address, '10.1.0.99');
    assert.equal(res.body.interfaceAttachment.port_state, 'ACTIVE');
    const created = res.body.interfaceAttachment.port_id;
    const given = pod.neutron.createPort(PROJECT_A, { network_id: pod.net2.networkId });
    res = await nova('POST', base, { headers: mv('2.70'), body: { interfaceAttachment: { port_id: given.id, tag: 'public' } } });
    assert.equal(res.status, 200);
    assertSampleShape(res.body, 'nova', 'os-attach-interfaces/v2.70/attach-interfaces-create-resp.json');
    assert.equal(pod.neutron.getPort(given.id)!.device_id, id);
    res = await nova('POST', base, { body: { interfaceAttachment: { port_id: given.id } } });
    assert.equal(res.status, 409);
    res = await nova('POST', base, { body: { interfaceAttachment: { port_id: '9d1f29b3-0000-4000-8000-000000000000' } } });
    assert.equal(res.status, 404);
    res = await nova('POST', base, { body: { interfaceAttachment: { net_id: '9d1f29b3-0000-4000-8000-000000000000' } } });
    assert.equal(res.status, 404);
    res = await nova('GET', `${base}/${given.id}`, { headers: mv('2.70') });
    assertSampleShape(res.body, 'nova', 'os-attach-interfaces/v2.70/attach-interfaces-show-resp.json');
    assert.equal(res.body.interfaceAttachment.tag, 'public');
    const show = await nova('GET', `/v2.1/servers/${id}`);
    assert.equal(show.body.server.addresses.shared.length, 2);
    assert.equal((await nova('DELETE', `${base}/${created}`)).status, 202);
    assert.equal(pod.neutron.getPort(created), undefined, 'Nova-created port deleted');
    assert.equal((await nova('DELETE', `${base}/${given.id}`)).status, 202);
    assert.equal(pod.neutron.getPort(given.id)!.device_id, '', 'given port unbound');
    assert.equal((await nova('DELETE', `${base}/${given.id}`)).status, 404);
    assert.equal((await nova('GET', `${base}/${given.id}`)).status, 404);
  });

  test('os-volume_attachments: attach sets the volume in-use, detach frees it', async () => {
    const id = await activeServer();
    const other = await activeServer();
    const vol = await cinder('POST', `/v3/${PROJECT_A}/volumes`, { body: { volume: { size: 1, name: 'data' } } });
    const volId = vol.body.volume.id;
    const base = `/v2.1/servers/${id}/os-volume_attachments`;
    let res = await nova('POST', base, { body: { volumeAttachment: { volumeId: volId } } });
    assert.equal(res.status, 400, 'volume still creating');
    await waitFor(async () => ((await cinder('GET', `/v3/${PROJECT_A}/volumes/${volId}`)).body.volume.status === 'available' ? true : undefined));
    res = await nova('POST', base, { body: { volumeAttachment: { volumeId: volId, device: '/dev/vdb' } } });
    assert.equal(res.status, 200);
    assertSampleShape(res.body, 'nova', 'os-volume_attachments/attach-volume-to-server-resp.json');
    assert.equal(res.body.volumeAttachment.device, '/dev/vdb');
    const v = await cinder('GET', `/v3/${PROJECT_A}/volumes/${volId}`);
    assert.equal(v.body.volume.status, 'in-use');
    assert.equal(v.body.volume.attachments[0].server_id, id);
    res = await nova('GET', base);
    assertSampleShape(res.body, 'nova', 'os-volume_attachments/list-volume-attachments-resp.json');
    res = await nova('GET', base, { headers: mv('2.89') });
    assertSampleShape(res.body, 'nova', 'os-volume_attachments/v2.89/list-volume-attachments-resp.json');
    assert.equal(res.body.volumeAttachments[0].attachment_id, v.body.volume.attachments[0].attachment_id);
    res = await nova('GET', `${base}/${volId}`, { headers: mv('2.89') });
    assertSampleShape(res.body, 'nova', 'os-volume_attachments/v2.89/volume-attachment-detail-resp.json');
    res = await nova('GET', `/v2.1/servers/${id}`, { headers: mv('2.3') });
    assert.deepEqual(res.body.server['os-extended-volumes:volumes_attached'], [{ id: volId, delete_on_termination: false }]);
    res = await nova('POST', `/v2.1/servers/${other}/os-volume_attachments`, { body: { volumeAttachment: { volumeId: volId } } });
    assert.equal(res.status, 400, 'in-use volume cannot be attached again');
    assert.match(res.body.badRequest.message, /^Invalid volume/);
    res = await nova('POST', base, { body: { volumeAttachment: { volumeId: '9d1f29b3-0000-4000-8000-000000000000' } } });
    assert.equal(res.status, 404);
    res = await nova('PUT', `${base}/${volId}`, { headers: mv('2.85'), body: { volumeAttachment: { volumeId: volId, delete_on_termination: true } } });
    assert.equal(res.status, 202);
    assert.equal((await nova('GET', `${base}/${volId}`, { headers: mv('2.79') })).body.volumeAttachment.delete_on_termination, true);
    assert.equal((await nova('DELETE', `${base}/${volId}`)).status, 202);
    assert.equal((await cinder('GET', `/v3/${PROJECT_A}/volumes/${volId}`)).body.volume.status, 'available');
    res = await nova('DELETE', `${base}/${volId}`);
    assert.equal(res.status, 404);
    res = await nova('GET', `${base}/${volId}`);
    assert.equal(res.status, 404);
    // a volume of another project is not found
    const volB = await cinder('POST', `/v3/${PROJECT_B}/volumes`, { token: 'token-b', body: { volume: { size: 1 } } });
    res = await nova('POST', base, { body: { volumeAttachment: { volumeId: volB.body.volume.id } } });
    assert.equal(res.status, 404);
    // delete_on_termination removes the volume with the server
    await nova('POST', base, { headers: mv('2.79'), body: { volumeAttachment: { volumeId: volId, delete_on_termination: true } } });
    await nova('DELETE', `/v2.1/servers/${id}`);
    const after = await cinder('GET', `/v3/${PROJECT_A}/volumes/${volId}`);
    assert.ok(after.status === 404 || after.body.volume.status === 'deleting');
  });
});

describe('flavors', () => {
  test('list, detail, show with upstream shapes', async () => {
    let res = await nova('GET', '/v2.1/flavors');
    assertSampleShape(res.body, 'nova', 'flavors/flavors-list-resp.json');
    assert.deepEqual(
      res.body.flavors.slice(0, 2).map((f: { id: string }) => f.id),
      ['1', '2'],
    );
    res = await nova('GET', '/v2.1/flavors/detail');
    assertSampleShape(res.body, 'nova', 'flavors/flavors-detail-resp.json');
    assert.equal(res.body.flavors[0].swap, '');
    res = await nova('GET', '/v2.1/flavors/detail', { headers: mv('2.75') });
    assertSampleShape(res.body, 'nova', 'flavors/v2.75/flavors-detail-resp.json');
    assert.equal(res.body.flavors[0].swap, 0);
    res = await nova('GET', '/v2.1/flavors/1', { headers: mv('2.75') });
    assertSampleShape(res.body, 'nova', 'flavors/v2.75/flavor-get-resp.json', ['flavor.extra_specs.hw:cpu_policy', 'flavor.extra_specs.hw:numa_nodes']);
    res = await nova('GET', '/v2.1/flavors/1');
    assertSampleShape(res.body, 'nova', 'flavors/flavor-get-resp.json');
    res = await nova('GET', '/v2.1/flavors/nope');
    assert.deepEqual(res.body, { itemNotFound: { message: 'Flavor nope could not be found.', code: 404 } });
  });

  test('filters, sort, limit/marker', async () => {
    let res = await nova('GET', '/v2.1/flavors?minRam=4096');
    assert.deepEqual(res.body.flavors.map((f: { name: string }) => f.name).sort(), ['m1.large', 'm1.medium', 'm1.xlarge']);
    res = await nova('GET', '/v2.1/flavors/detail?minDisk=100');
    assert.deepEqual(
      res.body.flavors.map((f: { name: string }) => f.name),
      ['m1.xlarge'],
    );
    res = await nova('GET', '/v2.1/flavors?minRam=lots');
    assert.equal(res.status, 400);
    res = await nova('GET', '/v2.1/flavors?sort_key=memory_mb&sort_dir=desc&limit=2');
    assert.deepEqual(
      res.body.flavors.map((f: { name: string }) => f.name),
      ['m1.xlarge', 'm1.large'],
    );
    const next = res.body.flavors_links[0].href as string;
    assert.ok(next.includes('marker=4'));
    res = await nova('GET', next.slice(pod.novaUrl.length));
    assert.deepEqual(
      res.body.flavors.map((f: { name: string }) => f.name),
      ['m1.medium', 'm1.small'],
    );
    res = await nova('GET', '/v2.1/flavors?marker=nope');
    assert.equal(res.status, 400);
    res = await nova('GET', '/v2.1/flavors?sort_key=bogus');
    assert.equal(res.status, 400);
  });

  test('create, duplicate, extra specs, access, delete', async () => {
    const body = { flavor: { name: 'custom.1', ram: 1024, vcpus: 2, disk: 10, id: 'auto', 'os-flavor-access:is_public': false } };
    let res = await nova('POST', '/v2.1/flavors', { body });
    assert.equal(res.status, 403);
    res = await nova('POST', '/v2.1/flavors', { token: 'admin-token', body });
    assert.equal(res.status, 200);
    const fid = res.body.flavor.id;
    assert.match(fid, /^[0-9a-f-]{36}$/);
    assert.equal(res.body.flavor['os-flavor-access:is_public'], false);
    res = await nova('POST', '/v2.1/flavors', { token: 'admin-token', body });
    assert.equal(res.status, 409);
    assert.equal(res.body.conflictingRequest.message, 'Flavor with name custom.1 already exists.');
    res = await nova('POST', '/v2.1/flavors', { token: 'admin-token', body: { flavor: { name: 'other', ram: 1, vcpus: 1, disk: 1, id: '1' } } });
    assert.equal(res.body.conflictingRequest.message, 'Flavor with ID 1 already exists.');
    res = await nova('POST', '/v2.1/flavors', { token: 'admin-token', body: { flavor: { name: 'bad', ram: 0, vcpus: 1, disk: 1 } } });
    assert.equal(res.status, 400);
    // private: invisible to project A until granted
    assert.equal((await nova('GET', `/v2.1/flavors/${fid}`)).status, 404);
    res = await nova('POST', `/v2.1/flavors/${fid}/action`, { token: 'admin-token', body: { addTenantAccess: { tenant: PROJECT_A } } });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { flavor_access: [{ flavor_id: fid, tenant_id: PROJECT_A }] });
    assert.equal((await nova('GET', `/v2.1/flavors/${fid}`)).status, 200);
    res = await nova('GET', `/v2.1/flavors/${fid}/os-flavor-access`, { token: 'admin-token' });
    assert.equal(res.body.flavor_access.length, 1);
    res = await nova('GET', '/v2.1/flavors/1/os-flavor-access', { token: 'admin-token' });
    assert.equal(res.status, 404);
    // extra specs
    const es = `/v2.1/flavors/${fid}/os-extra_specs`;
    res = await nova('POST', es, { token: 'admin-token', body: { extra_specs: { 'hw:cpu_policy': 'shared', 'hw:numa_nodes': 1 } } });
    assert.deepEqual(res.body, { extra_specs: { 'hw:cpu_policy': 'shared', 'hw:numa_nodes': '1' } });
    assert.deepEqual((await nova('GET', es)).body, { extra_specs: { 'hw:cpu_policy': 'shared', 'hw:numa_nodes': '1' } });
    assert.deepEqual((await nova('GET', `${es}/hw:cpu_policy`)).body, { 'hw:cpu_policy': 'shared' });
    res = await nova('PUT', `${es}/hw:cpu_policy`, { token: 'admin-token', body: { 'hw:cpu_policy': 'dedicated' } });
    assert.deepEqual(res.body, { 'hw:cpu_policy': 'dedicated' });
    res = await nova('PUT', `${es}/hw:cpu_policy`, { token: 'admin-token', body: { other: 'x' } });
    assert.equal(res.status, 400);
    assert.equal((await nova('DELETE', `${es}/hw:numa_nodes`, { token: 'admin-token' })).status, 200);
    assert.equal((await nova('GET', `${es}/hw:numa_nodes`)).status, 404);
    res = await nova('GET', `/v2.1/flavors/${fid}`, { headers: mv('2.61') });
    assert.deepEqual(res.body.flavor.extra_specs, { 'hw:cpu_policy': 'dedicated' });
    // a server embeds the extra specs from 2.47
    const sid = await createServer({ flavorRef: fid });
    res = await nova('GET', `/v2.1/servers/${sid}`, { headers: mv('2.47') });
    assert.deepEqual(res.body.server.flavor.extra_specs, { 'hw:cpu_policy': 'dedicated' });
    // description update (2.55)
    res = await nova('PUT', `/v2.1/flavors/${fid}`, { token: 'admin-token', headers: mv('2.55'), body: { flavor: { description: 'desc' } } });
    assert.equal(res.body.flavor.description, 'desc');
    assert.equal((await nova('PUT', `/v2.1/flavors/${fid}`, { token: 'admin-token', body: { flavor: { description: 'x' } } })).status, 404);
    res = await nova('POST', `/v2.1/flavors/${fid}/action`, { token: 'admin-token', body: { removeTenantAccess: { tenant: PROJECT_A } } });
    assert.deepEqual(res.body, { flavor_access: [] });
    assert.equal((await nova('DELETE', `/v2.1/flavors/${fid}`)).status, 403);
    assert.equal((await nova('DELETE', `/v2.1/flavors/${fid}`, { token: 'admin-token' })).status, 202);
    assert.equal((await nova('GET', `/v2.1/flavors/${fid}`, { token: 'admin-token' })).status, 404);
  });
});

describe('keypairs', () => {
  test('an x509 key pair is generated as a self-signed certificate of the private key returned', async () => {
    const res = await nova('POST', '/v2.1/os-keypairs', { headers: mv('2.2'), body: { keypair: { name: 'gen-x509', type: 'x509' } } });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.keypair.type, 'x509');
    const cert = new X509Certificate(res.body.keypair.public_key);
    assert.ok(cert.verify(cert.publicKey));
    assert.ok(cert.checkPrivateKey(createPrivateKey(res.body.keypair.private_key)));
    assert.match(cert.subject, /O=OpenStack/);
    assert.equal(res.body.keypair.fingerprint, cert.fingerprint.toLowerCase());
    assert.equal((await nova('DELETE', '/v2.1/os-keypairs/gen-x509')).status, 202);
  });

  test('generate, import, list, show, delete', async () => {
    let res = await nova('POST', '/v2.1/os-keypairs', { headers: mv('2.2'), body: { keypair: { name: 'gen-key' } } });
    assert.equal(res.status, 201);
    assertSampleShape(res.body, 'nova', 'os-keypairs/v2.2/keypairs-post-resp.json');
    assert.match(res.body.keypair.private_key, /^-----BEGIN RSA PRIVATE KEY-----/);
    assert.match(res.body.keypair.public_key, /^ssh-rsa AAAAB3NzaC1yc2E/);
    assert.match(res.body.keypair.fingerprint, /^([0-9a-f]{2}:){15}[0-9a-f]{2}$/);
    assert.equal(res.body.keypair.type, 'ssh');
    const pub = res.body.keypair.public_key.trim();
    const fp = res.body.keypair.fingerprint;
    res = await nova('POST', '/v2.1/os-keypairs', { body: { keypair: { name: 'imported', public_key: pub } } });
    assert.equal(res.status, 200, '2.1 answers 200');
    assertSampleShape(res.body, 'nova', 'os-keypairs/keypairs-import-post-resp.json');
    assert.equal(res.body.keypair.fingerprint, fp);
    res = await nova('POST', '/v2.1/os-keypairs', { body: { keypair: { name: 'imported', public_key: pub } } });
    assert.equal(res.status, 409);
    assert.equal(res.body.conflictingRequest.message, "Key pair 'imported' already exists.");
    res = await nova('POST', '/v2.1/os-keypairs', { body: { keypair: { name: 'bad', public_key: 'ssh-rsa notbase64!' } } });
    assert.equal(res.status, 400);
    res = await nova('POST', '/v2.1/os-keypairs', { headers: mv('2.92'), body: { keypair: { name: 'needs-key' } } });
    assert.equal(res.status, 400);
    res = await nova('GET', '/v2.1/os-keypairs', { headers: mv('2.2') });
    assertSampleShape(res.body, 'nova', 'os-keypairs/v2.2/keypairs-list-resp.json');
    assert.deepEqual(
      res.body.keypairs.map((k: { keypair: { name: string } }) => k.keypair.name),
      ['gen-key', 'imported'],
    );
    res = await nova('GET', '/v2.1/os-keypairs?limit=1', { headers: mv('2.35') });
    assert.equal(res.body.keypairs.length, 1);
    assert.ok(res.body.keypairs_links[0].href.includes('marker=gen-key'));
    res = await nova('GET', '/v2.1/os-keypairs', { token: 'token-a2' });
    assert.deepEqual(res.body.keypairs, [], 'key pairs are per user');
    res = await nova('GET', '/v2.1/os-keypairs/imported', { headers: mv('2.10') });
    assertSampleShape(res.body, 'nova', 'os-keypairs/v2.10/keypairs-get-resp.json');
    res = await nova('GET', '/v2.1/os-keypairs/nope');
    assert.deepEqual(res.body, { itemNotFound: { message: 'Keypair nope not found for user user-a', code: 404 } });
    // servers record the key name
    const sid = await createServer({ key_name: 'gen-key' });
    assert.equal((await nova('GET', `/v2.1/servers/${sid}`)).body.server.key_name, 'gen-key');
    assert.equal((await nova('DELETE', '/v2.1/os-keypairs/imported', { headers: mv('2.2') })).status, 204);
    assert.equal((await nova('DELETE', '/v2.1/os-keypairs/gen-key')).status, 202);
    assert.equal((await nova('GET', '/v2.1/os-keypairs/gen-key')).status, 404);
  });
});

describe('availability zones, limits, quotas, services', () => {
  test('os-availability-zone list and detail', async () => {
    let res = await nova('GET', '/v2.1/os-availability-zone');
    assertSampleShape(res.body, 'nova', 'os-availability-zone/availability-zone-list-resp.json');
    assert.equal(res.body.availabilityZoneInfo[0].zoneName, 'az1');
    res = await nova('GET', '/v2.1/os-availability-zone/detail', { token: 'admin-token' });
    assertSampleShape(res.body, 'nova', 'os-availability-zone/availability-zone-detail-resp.json', [
      'availabilityZoneInfo[].hosts.conductor',
      'availabilityZoneInfo[].hosts.scheduler',
    ]);
    assert.equal((await nova('GET', '/v2.1/os-availability-zone/detail')).status, 403);
  });

  test('limits per microversion, usage computed', async () => {
    let res = await nova('GET', '/v2.1/limits', { token: 'token-b' });
    assertSampleShape(res.body, 'nova', 'limits/limit-get-resp.json');
    const used = res.body.limits.absolute.totalInstancesUsed;
    await createServer({ flavorRef: '2' }, { token: 'token-b' });
    res = await nova('GET', '/v2.1/limits', { token: 'token-b', headers: mv('2.57') });
    assertSampleShape(res.body, 'nova', 'limits/v2.57/limit-get-resp.json');
    assert.equal(res.body.limits.absolute.totalInstancesUsed, used + 1);
    assert.ok(res.body.limits.absolute.totalRAMUsed >= 2048);
    assert.equal(res.body.limits.absolute.maxPersonality, undefined);
  });

  test('quota sets: show, detail, defaults, update, delete', async () => {
    let res = await nova('GET', `/v2.1/os-quota-sets/${PROJECT_A}`);
    assertSampleShape(res.body, 'nova', 'os-quota-sets/quotas-show-get-resp.json');
    res = await nova('GET', `/v2.1/os-quota-sets/${PROJECT_A}`, { headers: mv('2.57') });
    assertSampleShape(res.body, 'nova', 'os-quota-sets/v2.57/quotas-show-get-resp.json');
    assert.equal(res.body.quota_set.injected_files, undefined);
    res = await nova('GET', `/v2.1/os-quota-sets/${PROJECT_A}/detail`, { headers: mv('2.57') });
    assertSampleShape(res.body, 'nova', 'os-quota-sets/v2.57/quotas-show-detail-get-resp.json');
    assert.ok(res.body.quota_set.instances.in_use > 0);
    res = await nova('GET', `/v2.1/os-quota-sets/${PROJECT_A}/defaults`);
    assertSampleShape(res.body, 'nova', 'os-quota-sets/quotas-show-defaults-get-resp.json');
    assert.equal((await nova('GET', `/v2.1/os-quota-sets/${PROJECT_B}`)).status, 403);
    res = await nova('PUT', `/v2.1/os-quota-sets/${PROJECT_A}`, { body: { quota_set: { cores: 50 } } });
    assert.equal(res.status, 403);
    res = await nova('PUT', `/v2.1/os-quota-sets/${PROJECT_A}`, { token: 'admin-token', body: { quota_set: { cores: 50, bogus: 1 } } });
    assert.equal(res.status, 400);
    res = await nova('PUT', `/v2.1/os-quota-sets/${PROJECT_A}`, { token: 'admin-token', body: { quota_set: { cores: 50, instances: 1000 } } });
    assert.equal(res.status, 200);
    assertSampleShape(res.body, 'nova', 'os-quota-sets/quotas-update-post-resp.json');
    assert.equal(res.body.quota_set.cores, 50);
    res = await nova('PUT', `/v2.1/os-quota-sets/${PROJECT_A}`, { token: 'admin-token', body: { quota_set: { instances: 1 } } });
    assert.equal(res.status, 400, 'below usage without force');
    assert.equal((await nova('DELETE', `/v2.1/os-quota-sets/${PROJECT_A}`, { token: 'admin-token' })).status, 202);
    assert.equal((await nova('GET', `/v2.1/os-quota-sets/${PROJECT_A}`)).body.quota_set.cores, 20);
    assert.equal((await nova('GET', `/v2.1/os-quota-sets/${ADMIN_PROJECT}`, { token: 'admin-token' })).status, 200);
  });

  test('os-services and os-hypervisors (admin)', async () => {
    let res = await nova('GET', '/v2.1/os-services', { token: 'admin-token' });
    assert.equal(res.status, 200);
    assert.ok(res.body.services.some((s: { binary: string; zone: string }) => s.binary === 'nova-compute' && s.zone === 'az1'));
    assert.equal((await nova('GET', '/v2.1/os-services')).status, 403);
    res = await nova('GET', '/v2.1/os-hypervisors/detail', { token: 'admin-token' });
    assert.equal(res.body.hypervisors.length, 2);
    res = await nova('GET', '/v2.1/os-hypervisors', { token: 'admin-token', headers: mv('2.53') });
    assert.match(res.body.hypervisors[0].id, /^[0-9a-f-]{36}$/);
  });
});
