import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';
import { startSimCluster, type SimCluster } from '../../sim/cluster.js';
import { fetchSimToken } from '../../sim/common/token.js';

type Json = Record<string, any>;

async function get(url: string, token?: string): Promise<{ status: number; body: Json }> {
  const r = await request(url, { headers: token ? { 'x-auth-token': token } : {} });
  const text = await r.body.text();
  return { status: r.statusCode, body: text ? JSON.parse(text) : {} };
}

/** The error code of a request on a new connection (undefined when it succeeded). */
async function connectError(url: string): Promise<string | undefined> {
  const agent = new Agent();
  try {
    const r = await request(url, { dispatcher: agent });
    await r.body.text();
    return undefined;
  } catch (err) {
    return (err as { code?: string }).code;
  } finally {
    await agent.close();
  }
}

function endpointsOf(catalog: Json[], type: string, region: string, iface = 'public'): string[] {
  return (catalog.find((s) => s.type === type)?.endpoints ?? []).filter((e: Json) => e.region === region && e.interface === iface).map((e: Json) => e.url);
}

describe('sim cluster', () => {
  let cluster: SimCluster;
  let token = '';
  let projectId = '';
  let catalog: Json[] = [];

  before(async () => {
    cluster = await startSimCluster({
      pods: [
        { region: 'Pod1', az: 'az1' },
        { region: 'Pod2', az: 'az2' },
        { region: 'Pod3', az: 'az1' },
      ],
      top: { region: 'RegionOne', endpoints: { compute: 'http://127.0.0.1:19998/v2.1', network: 'http://127.0.0.1:9696', tricircle: 'http://127.0.0.1:19999/v1.0' } },
      faults: { Pod3: { down: true } },
    });
    const t = await fetchSimToken(cluster.keystoneUrl, { user: 'demo', project: 'demo' });
    token = t.token;
    const full = await request(`${cluster.keystoneUrl}/v3/auth/tokens`, { headers: { 'x-auth-token': token, 'x-subject-token': token } });
    const body = (await full.body.json()) as Json;
    catalog = body.token.catalog;
    projectId = body.token.project.id;
  });
  after(() => cluster?.close());

  test('every service has its own loopback port', () => {
    const urls = [cluster.keystoneUrl, cluster.glanceUrl, ...cluster.pods.flatMap((p) => [p.novaUrl, p.cinderUrl, p.neutronUrl])];
    for (const u of urls) assert.match(u, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(new Set(urls).size, urls.length);
    assert.deepEqual(
      cluster.pods.map((p) => [p.region, p.az]),
      [
        ['Pod1', 'az1'],
        ['Pod2', 'az2'],
        ['Pod3', 'az1'],
      ],
    );
  });

  test('catalog: identity and image in every region, pod services per pod, top entries', () => {
    for (const region of ['RegionOne', 'Pod1', 'Pod2', 'Pod3']) {
      assert.deepEqual(endpointsOf(catalog, 'identity', region), [`${cluster.keystoneUrl}/v3`]);
      assert.deepEqual(endpointsOf(catalog, 'image', region), [cluster.glanceUrl]);
    }
    for (const pod of cluster.pods) {
      assert.deepEqual(endpointsOf(catalog, 'compute', pod.region), [`${pod.novaUrl}/v2.1`]);
      assert.deepEqual(endpointsOf(catalog, 'volumev3', pod.region), [`${pod.cinderUrl}/v3/${projectId}`]);
      assert.deepEqual(endpointsOf(catalog, 'block-storage', pod.region), [`${pod.cinderUrl}/v3/${projectId}`]);
      assert.deepEqual(endpointsOf(catalog, 'network', pod.region), [pod.neutronUrl]);
      assert.deepEqual(endpointsOf(catalog, 'compute', pod.region, 'internal'), [`${pod.novaUrl}/v2.1`]);
    }
    assert.deepEqual(endpointsOf(catalog, 'compute', 'RegionOne'), ['http://127.0.0.1:19998/v2.1']);
    assert.deepEqual(endpointsOf(catalog, 'network', 'RegionOne'), ['http://127.0.0.1:9696']);
    assert.deepEqual(endpointsOf(catalog, 'tricircle', 'RegionOne'), ['http://127.0.0.1:19999/v1.0']);
    assert.deepEqual(endpointsOf(catalog, 'volumev3', 'RegionOne'), []);
    const names = Object.fromEntries(catalog.map((s) => [s.type, s.name]));
    assert.deepEqual(
      { identity: names.identity, image: names.image, compute: names.compute, volumev3: names.volumev3, 'block-storage': names['block-storage'], network: names.network },
      { identity: 'keystone', image: 'glance', compute: 'nova', volumev3: 'cinderv3', 'block-storage': 'cinder', network: 'neutron' },
    );
  });

  test('pod services answer with the shared Keystone tokens', async () => {
    const pod = cluster.pods[0];
    assert.equal((await get(`${pod.novaUrl}/v2.1/servers`)).status, 401);
    const servers = await get(`${pod.novaUrl}/v2.1/servers`, token);
    assert.equal(servers.status, 200);
    assert.deepEqual(servers.body.servers, []);
    const volumes = await get(`${pod.cinderUrl}/v3/${projectId}/volumes`, token);
    assert.equal(volumes.status, 200);
    assert.deepEqual(volumes.body.volumes, []);
    const networks = await get(`${pod.neutronUrl}/v2.0/networks`, token);
    assert.equal(networks.status, 200);
    assert.ok(Array.isArray(networks.body.networks));
    const images = await get(`${cluster.glanceUrl}/v2/images`, token);
    assert.equal(images.status, 200);
    assert.ok(images.body.images.some((i: Json) => i.name === 'cirros-0.5.2-x86_64-disk'));
  });

  test("pod internals are wired: Nova boots on its own pod's Neutron with the shared Glance image", async () => {
    const [pod1, pod2] = cluster.pods;
    const send = async (method: string, url: string, body?: unknown) => {
      const r = await request(url, {
        method: method as 'POST',
        headers: { 'x-auth-token': token, ...(body !== undefined && { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await r.body.text();
      return { status: r.statusCode, body: (text ? JSON.parse(text) : {}) as Json };
    };
    const net = await send('POST', `${pod1.neutronUrl}/v2.0/networks`, { network: { name: 'wired' } });
    assert.equal(net.status, 201, JSON.stringify(net.body));
    const subnet = await send('POST', `${pod1.neutronUrl}/v2.0/subnets`, { subnet: { network_id: net.body.network.id, cidr: '10.9.0.0/24', ip_version: 4 } });
    assert.equal(subnet.status, 201, JSON.stringify(subnet.body));
    const image = (await get(`${cluster.glanceUrl}/v2/images?name=cirros-0.5.2-x86_64-disk`, token)).body.images[0];
    const flavor = (await get(`${pod1.novaUrl}/v2.1/flavors`, token)).body.flavors[0];
    const bad = await send('POST', `${pod1.novaUrl}/v2.1/servers`, {
      server: { name: 'vm0', imageRef: '00000000-0000-4000-8000-000000000000', flavorRef: flavor.id, networks: [{ uuid: net.body.network.id }] },
    });
    assert.equal(bad.status, 400, JSON.stringify(bad.body));
    const created = await send('POST', `${pod1.novaUrl}/v2.1/servers`, {
      server: { name: 'vm1', imageRef: image.id, flavorRef: flavor.id, networks: [{ uuid: net.body.network.id }] },
    });
    assert.equal(created.status, 202, JSON.stringify(created.body));
    const serverId = created.body.server.id;
    let status = '';
    for (let i = 0; i < 100 && status !== 'ACTIVE'; i++) {
      status = (await get(`${pod1.novaUrl}/v2.1/servers/${serverId}`, token)).body.server.status;
      if (status !== 'ACTIVE') await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(status, 'ACTIVE');
    const ports = await get(`${pod1.neutronUrl}/v2.0/ports?device_id=${serverId}`, token);
    assert.equal(ports.body.ports.length, 1);
    assert.equal((await get(`${pod2.neutronUrl}/v2.0/ports?device_id=${serverId}`, token)).body.ports.length, 0);
    assert.equal((await get(`${pod2.novaUrl}/v2.1/servers/${serverId}`, token)).status, 404);
    assert.equal((await send('DELETE', `${pod1.novaUrl}/v2.1/servers/${serverId}`)).status, 204);
  });

  test('initial faults: a pod started down refuses connections', async () => {
    const pod3 = cluster.pods[2];
    assert.equal(pod3.faults.down, true);
    for (const url of [pod3.novaUrl, pod3.cinderUrl, pod3.neutronUrl]) assert.equal(await connectError(url), 'ECONNREFUSED');
  });

  test('setFaults: down then up on the same ports, errorRate, control endpoint', async () => {
    const pod = cluster.pods[1];
    const urls = [`${pod.novaUrl}/v2.1/servers`, `${pod.cinderUrl}/v3/${projectId}/volumes`, `${pod.neutronUrl}/v2.0/networks`];
    await cluster.setFaults('Pod2', { down: true });
    for (const u of urls) assert.equal(await connectError(u), 'ECONNREFUSED');
    // Other pods are unaffected.
    assert.equal((await get(`${cluster.pods[0].novaUrl}/v2.1/servers`, token)).status, 200);
    await cluster.setFaults('Pod2', { down: false });
    for (const u of urls) assert.equal((await get(u, token)).status, 200);

    const put = async (body: unknown) => {
      const r = await request(`${cluster.keystoneUrl}/sim/pods/Pod2/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: r.statusCode, body: (await r.body.json()) as Json };
    };
    assert.deepEqual((await put({ errorRate: 1 })).body.faults, { latencyMs: 0, errorRate: 1, down: false, hangMs: 0, createAnswerDelayMs: 0 });
    for (const u of urls) assert.equal((await get(u, token)).status, 500);
    assert.equal((await put({ errorRate: 0 })).status, 200);

    assert.equal((await put({ down: true })).status, 200);
    assert.equal(await connectError(urls[0]), 'ECONNREFUSED');
    const state = await get(`${cluster.keystoneUrl}/sim/state`);
    assert.equal(state.status, 200);
    assert.equal(state.body.keystoneUrl, cluster.keystoneUrl);
    assert.equal(state.body.pods.find((p: Json) => p.region === 'Pod2').faults.down, true);
    assert.equal((await put({ down: false })).status, 200);
    assert.equal((await get(urls[0], token)).status, 200);
    await assert.rejects(cluster.setFaults('Nope', { down: true }));
  });

  test('latency and hang apply to every service of the pod', async () => {
    const pod = cluster.pods[0];
    await cluster.setFaults('Pod1', { latencyMs: 120 });
    try {
      const start = Date.now();
      await get(`${pod.neutronUrl}/v2.0/networks`, token);
      assert.ok(Date.now() - start >= 110);
    } finally {
      await cluster.setFaults('Pod1', { latencyMs: 0 });
    }
    await cluster.setFaults('Pod1', { hangMs: 1500 });
    try {
      await assert.rejects(request(`${pod.cinderUrl}/v3/${projectId}/volumes`, { headers: { 'x-auth-token': token }, headersTimeout: 200 }), {
        code: 'UND_ERR_HEADERS_TIMEOUT',
      });
    } finally {
      await cluster.setFaults('Pod1', { hangMs: 0 });
    }
  });
});

describe('sim/main.ts', () => {
  test('prints one ready line, serves, and stops on SIGTERM', async () => {
    const here = fileURLToPath(import.meta.url);
    const fromSource = here.endsWith('.ts');
    const entry = fileURLToPath(new URL(fromSource ? '../../sim/main.ts' : '../../sim/main.js', import.meta.url));
    const args = [
      ...(fromSource ? ['--import', 'tsx'] : []),
      entry,
      '--pods',
      'PodA:azA,PodB:azB',
      '--top-compute',
      'http://127.0.0.1:1/v2.1',
      '--latency',
      'PodA=5',
      '--down',
      'PodB',
    ];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const lines = createInterface({ input: child.stdout });
      const first = await new Promise<string>((resolve, reject) => {
        lines.once('line', resolve);
        child.once('exit', () => reject(new Error(`sim exited early: ${stderr}`)));
      });
      const ready = JSON.parse(first);
      assert.equal(ready.ready, true);
      assert.match(ready.keystoneUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.match(ready.glanceUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.deepEqual(Object.keys(ready.pods[0]).sort(), ['az', 'cinderUrl', 'neutronUrl', 'novaUrl', 'region']);
      assert.deepEqual(
        ready.pods.map((p: Json) => p.region),
        ['PodA', 'PodB'],
      );
      const state = await get(`${ready.keystoneUrl}/sim/state`);
      assert.equal(state.body.pods[0].faults.latencyMs, 5);
      assert.equal(state.body.pods[1].faults.down, true);
      assert.equal(await connectError(ready.pods[1].novaUrl), 'ECONNREFUSED');
      const { body } = await fetchSimToken(ready.keystoneUrl, { user: 'admin', project: 'admin' });
      assert.ok(body.token);
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0, stderr);
  });

  test('rejects bad arguments with a non-zero exit', async () => {
    const here = fileURLToPath(import.meta.url);
    const fromSource = here.endsWith('.ts');
    const entry = fileURLToPath(new URL(fromSource ? '../../sim/main.ts' : '../../sim/main.js', import.meta.url));
    const child = spawn(process.execPath, [...(fromSource ? ['--import', 'tsx'] : []), entry, '--pods', 'Pod1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.notEqual(code, 0);
    assert.equal(out, '');
  });
});
