import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, request } from 'undici';
import { startSimCluster, type SimCluster } from '../../sim/cluster.js';
import { fetchSimToken } from '../../sim/common/token.js';
import { startSimProcess } from '../../src/cli/simProcess.js';
import { http } from '../support/http.js';

/**
 * The simulator's per-pod deployment knobs: one Glance per pod (separate clouds) instead of the
 * shared one, and the physical networks a pod's ML2 is configured with.
 */

type Json = Record<string, any>;

async function catalogOf(keystoneUrl: string): Promise<Json[]> {
  const res = await fetch(`${keystoneUrl}/v3/auth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      auth: {
        identity: { methods: ['password'], password: { user: { name: 'admin', domain: { id: 'default' }, password: 'password' } } },
        scope: { project: { name: 'admin', domain: { id: 'default' } } },
      },
    }),
  });
  return ((await res.json()) as Json).token.catalog;
}

const imageUrl = (catalog: Json[], region: string) =>
  catalog.find((s) => s.type === 'image')!.endpoints.find((e: Json) => e.region === region && e.interface === 'public').url as string;

async function refused(url: string): Promise<boolean> {
  const agent = new Agent();
  try {
    await (await request(url, { dispatcher: agent })).body.text();
    return false;
  } catch (err) {
    return (err as { code?: string }).code === 'ECONNREFUSED';
  } finally {
    await agent.close();
  }
}

describe('sim: shared Glance by default', () => {
  let cluster: SimCluster;
  before(async () => {
    cluster = await startSimCluster({
      pods: [
        { region: 'Pod1', az: 'az1' },
        { region: 'Pod2', az: 'az2' },
      ],
      top: { region: 'RegionOne', endpoints: {} },
    });
  });
  after(() => cluster?.close());

  test('every region, top included, has the one Glance in its catalog', async () => {
    const catalog = await catalogOf(cluster.keystoneUrl);
    for (const region of ['RegionOne', 'Pod1', 'Pod2']) assert.equal(imageUrl(catalog, region), cluster.glanceUrl, region);
    for (const pod of cluster.pods) assert.equal(pod.glanceUrl, cluster.glanceUrl);
  });
});

describe('sim: one Glance per pod', () => {
  let cluster: SimCluster;
  let token: string;
  let topImage: Json;

  before(async () => {
    cluster = await startSimCluster({
      pods: [
        { region: 'Pod1', az: 'az1' },
        { region: 'Pod2', az: 'az2' },
      ],
      top: { region: 'RegionOne', endpoints: {} },
      glancePerPod: true,
      buildDelayMs: 0,
    });
    token = (await fetchSimToken(cluster.keystoneUrl, { project: 'admin' })).token;
    topImage = (await http('GET', `${cluster.glanceUrl}/v2/images`, { token })).body.images[0];
  });
  after(() => cluster?.close());

  test('each pod has its own Glance in the catalog; the top keeps the shared one', async () => {
    const catalog = await catalogOf(cluster.keystoneUrl);
    assert.equal(imageUrl(catalog, 'RegionOne'), cluster.glanceUrl);
    const urls = cluster.pods.map((p) => p.glanceUrl);
    assert.equal(new Set([cluster.glanceUrl, ...urls]).size, 3, 'three different Glance services');
    for (const pod of cluster.pods) assert.equal(imageUrl(catalog, pod.region), pod.glanceUrl);
  });

  test('each Glance starts with its own cirros image under another id', async () => {
    const ids = new Set<string>([topImage.id]);
    for (const pod of cluster.pods) {
      const images = (await http('GET', `${pod.glanceUrl}/v2/images`, { token })).body.images as Json[];
      assert.deepEqual(
        images.map((i) => i.name),
        [topImage.name],
      );
      ids.add(images[0].id);
      assert.equal((await http('GET', `${pod.glanceUrl}/v2/images/${topImage.id}`, { token })).status, 404, 'the top image is unknown to the pod');
    }
    assert.equal(ids.size, 3);
  });

  test('a boot with an image only the top Glance has fails; after a copy under the same id it succeeds', async () => {
    // Flavor 1 is one of the simulated Nova's seeded flavors.
    const pod1 = cluster.pods[0];
    const boot = () =>
      http('POST', `${pod1.novaUrl}/v2.1/servers`, {
        token,
        headers: { 'x-openstack-nova-api-version': '2.37' },
        body: { server: { name: 'vm', flavorRef: '1', imageRef: topImage.id, networks: 'none' } },
      });
    const refusedBoot = await boot();
    assert.equal(refusedBoot.status, 400, refusedBoot.text);
    assert.match(refusedBoot.text, /Can not find requested image/);

    const { id, name, disk_format, container_format, visibility } = topImage;
    const created = await http('POST', `${pod1.glanceUrl}/v2/images`, { token, body: { id, name, disk_format, container_format, visibility } });
    assert.equal(created.status, 201, created.text);
    const data = await request(`${cluster.glanceUrl}/v2/images/${id}/file`, { headers: { 'x-auth-token': token } });
    const upload = await request(`${pod1.glanceUrl}/v2/images/${id}/file`, {
      method: 'PUT',
      headers: { 'x-auth-token': token, 'content-type': 'application/octet-stream' },
      body: Buffer.from(await data.body.arrayBuffer()),
    });
    assert.equal(upload.statusCode, 204);
    const copy = (await http('GET', `${pod1.glanceUrl}/v2/images/${id}`, { token })).body;
    assert.equal(copy.checksum, topImage.checksum, 'same bytes');
    const booted = await boot();
    assert.equal(booted.status, 202, booted.text);
    assert.equal((await http('GET', `${cluster.pods[1].glanceUrl}/v2/images/${id}`, { token })).status, 404, 'Pod2 still lacks it');
  });

  test('a pod that is down takes its Glance down with it; the shared one stays up', async () => {
    const pod2 = cluster.pods[1];
    await cluster.setFaults(pod2.region, { down: true });
    try {
      assert.equal(await refused(`${pod2.glanceUrl}/versions`), true);
      assert.equal((await http('GET', `${cluster.glanceUrl}/versions`)).status, 200);
    } finally {
      await cluster.setFaults(pod2.region, { down: false });
    }
    assert.equal((await http('GET', `${pod2.glanceUrl}/versions`)).status, 200);
  });
});

describe('sim: the physical networks a pod knows', () => {
  let cluster: SimCluster;
  let token: string;
  before(async () => {
    cluster = await startSimCluster({
      pods: [
        { region: 'Pod1', az: 'az1' },
        { region: 'Pod2', az: 'az2', physicalNetworks: ['bridge', 'extern'] },
      ],
    });
    token = (await fetchSimToken(cluster.keystoneUrl, { project: 'admin' })).token;
  });
  after(() => cluster?.close());

  const create = (region: string, network: Json) => http('POST', `${cluster.pods.find((p) => p.region === region)!.neutronUrl}/v2.0/networks`, { token, body: { network } });

  test('a configured pod refuses vlan and flat networks on other physnets, as the ML2 type drivers do', async () => {
    const vlan = await create('Pod2', { 'provider:network_type': 'vlan', 'provider:physical_network': 'physnet9', 'provider:segmentation_id': 2001 });
    assert.equal(vlan.status, 400);
    assert.deepEqual(vlan.body.NeutronError.type, 'InvalidInput');
    assert.equal(vlan.body.NeutronError.message, "Invalid input for operation: physical_network 'physnet9' unknown for VLAN provider network.");
    const allocated = await create('Pod2', { 'provider:network_type': 'vlan', 'provider:physical_network': 'physnet9' });
    assert.equal(allocated.status, 400);
    const flat = await create('Pod2', { 'provider:network_type': 'flat', 'provider:physical_network': 'physnet9' });
    assert.equal(flat.status, 400);
    assert.equal(flat.body.NeutronError.message, "Invalid input for operation: physical_network 'physnet9' unknown for flat provider network.");
  });

  test('the configured physnets work; a pod without the setting accepts any', async () => {
    const bridge = await create('Pod2', { 'provider:network_type': 'vlan', 'provider:physical_network': 'bridge', 'provider:segmentation_id': 2001 });
    assert.equal(bridge.status, 201, bridge.text);
    const ext = await create('Pod2', { 'provider:network_type': 'flat', 'provider:physical_network': 'extern' });
    assert.equal(ext.status, 201, ext.text);
    const any = await create('Pod1', { 'provider:network_type': 'vlan', 'provider:physical_network': 'physnet9', 'provider:segmentation_id': 7 });
    assert.equal(any.status, 201, any.text);
  });
});

describe('sim process: --glance-per-pod and --physnets', () => {
  test("the ready line names each pod's Glance; unknown regions are refused", async () => {
    const sim = await startSimProcess(['--pods', 'Pod1:az1,Pod2:az2', '--glance-per-pod', '--physnets', 'Pod2=bridge'], { stderr: 'ignore' });
    try {
      const [p1, p2] = sim.ready.pods;
      assert.ok(p1.glanceUrl && p2.glanceUrl);
      assert.equal(new Set([sim.ready.glanceUrl, p1.glanceUrl, p2.glanceUrl]).size, 3);
      const token = (await fetchSimToken(sim.ready.keystoneUrl, { project: 'admin' })).token;
      const refusedNet = await http('POST', `${p2.neutronUrl}/v2.0/networks`, {
        token,
        body: { network: { 'provider:network_type': 'vlan', 'provider:physical_network': 'extern', 'provider:segmentation_id': 5 } },
      });
      assert.equal(refusedNet.status, 400, refusedNet.text);
    } finally {
      await sim.stop();
    }
    await assert.rejects(startSimProcess(['--pods', 'Pod1:az1', '--physnets', 'Pod7=bridge'], { stderr: 'ignore' }), /exited/);
  });
});
