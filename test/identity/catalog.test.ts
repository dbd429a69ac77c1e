import { test, describe, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { startKeystoneSim } from '../../sim/keystone/index.js';
import { EndpointNotFoundError, EndpointResolver, ServiceAuth, type PodRef } from '../../src/identity/index.js';
import { MemoryEndpointStore, countRequests } from './support.js';

type Sim = Awaited<ReturnType<typeof startKeystoneSim>>;

const pod1: PodRef = { id: 'pod-1-id', regionName: 'Pod1' };
const pod2: PodRef = { id: 'pod-2-id', regionName: 'Pod2' };
const pod3: PodRef = { id: 'pod-3-id', regionName: 'Pod3' };

const isCatalogRead = (method: string, url: string) => method === 'GET' && (url.startsWith('/v3/endpoints') || url.startsWith('/v3/services'));

describe('EndpointResolver against the simulated Keystone catalog', () => {
  let sim: Sim;
  let serviceAuth: ServiceAuth;
  let store: MemoryEndpointStore;
  let resolver: EndpointResolver;

  const add = (region: string, serviceType: string, serviceName: string, url: string, iface: 'public' | 'internal' | 'admin' = 'public') =>
    sim.keystone.addEndpoint({ region, serviceType, serviceName, interface: iface, url });

  before(async () => {
    sim = await startKeystoneSim();
    add('Pod1', 'compute', 'nova', 'http://pod1.example:8774/v2.1/$(project_id)s');
    add('Pod1', 'compute', 'nova', 'http://pod1-internal.example:8774/v2.1/$(project_id)s', 'internal');
    add('Pod1', 'volumev3', 'cinderv3', 'http://pod1.example:8776/v3/%(tenant_id)s');
    add('Pod1', 'network', 'neutron', 'http://pod1.example:9696/');
    add('Pod1', 'image', 'glance', 'http://pod1.example:9292');
    add('Pod2', 'compute', 'nova', 'http://pod2.example:8774/v2.1');
    add('Pod2', 'block-storage', 'cinder', 'http://pod2.example:8776/v3/$(tenant_id)s');
    add('Pod2', 'network', 'neutron', 'http://pod2.example:9696');
    add('Unregistered', 'compute', 'nova', 'http://elsewhere.example:8774/v2.1');
    serviceAuth = new ServiceAuth({ authUrl: sim.url, username: 'admin', password: 'password', projectName: 'admin' });
  });
  after(async () => {
    await serviceAuth.close();
    await sim.close();
  });
  beforeEach(() => {
    store = new MemoryEndpointStore();
    store.pods = [pod1, pod2, pod3];
    resolver = new EndpointResolver({ serviceAuth, store, minRefreshIntervalMs: 0 });
  });

  test('discovers public endpoints for two regions and substitutes the project', async () => {
    assert.equal(await resolver.resolve(pod1, 'compute', 'p123'), 'http://pod1.example:8774/v2.1/p123');
    assert.equal(await resolver.resolve(pod1, 'volumev3', 'p123'), 'http://pod1.example:8776/v3/p123');
    assert.equal(await resolver.resolve(pod1, 'network'), 'http://pod1.example:9696');
    assert.equal(await resolver.resolve(pod1, 'image'), 'http://pod1.example:9292');
    assert.equal(await resolver.resolve(pod2, 'compute', 'p123'), 'http://pod2.example:8774/v2.1');
    assert.equal(await resolver.resolve(pod2, 'network'), 'http://pod2.example:9696');
  });

  test('volumev3 falls back to block-storage', async () => {
    assert.equal(await resolver.resolve(pod2, 'volumev3', 'abc'), 'http://pod2.example:8776/v3/abc');
  });

  test('without a project the placeholder segment is dropped', async () => {
    assert.equal(await resolver.resolve(pod1, 'compute'), 'http://pod1.example:8774/v2.1');
  });

  test('one catalog read fills rows for every registered pod, and only for them', async () => {
    const reads = countRequests(sim.keystone.app.server, isCatalogRead);
    await resolver.resolve(pod1, 'compute', 'p');
    await resolver.resolve(pod2, 'compute', 'p');
    await resolver.resolve(pod2, 'volumev3', 'p');
    reads.stop();
    assert.equal(reads.count, 2, 'one /v3/endpoints and one /v3/services');
    assert.deepEqual([...store.rows.keys()].sort(), [
      'pod-1-id/compute',
      'pod-1-id/image',
      'pod-1-id/network',
      'pod-1-id/volumev3',
      'pod-2-id/compute',
      'pod-2-id/network',
      'pod-2-id/volumev3',
    ]);
    assert.equal(store.rows.get('pod-1-id/compute')?.url, 'http://pod1.example:8774/v2.1/$(project_id)s', 'rows keep the placeholder');
    assert.ok([...store.rows.values()].every((r) => !r.url.includes('elsewhere') && !r.url.includes('internal')));
  });

  test('resolved URLs are memoised for a short while', async () => {
    await resolver.resolve(pod1, 'network');
    const gets = store.gets;
    await resolver.resolve(pod1, 'network');
    await resolver.resolve(pod1, 'network');
    assert.equal(store.gets, gets);
  });

  test('a cached row is used without reading the catalog', async () => {
    store.rows.set('pod-1-id/image', { url: 'http://cached.example:9292', source: 'catalog' });
    const reads = countRequests(sim.keystone.app.server, isCatalogRead);
    assert.equal(await resolver.resolve(pod1, 'image'), 'http://cached.example:9292');
    reads.stop();
    assert.equal(reads.count, 0);
  });

  test('an operator override wins, even over a catalog refresh', async () => {
    store.setOverride(pod1.id, 'compute', 'http://override.example/compute/$(project_id)s');
    assert.equal(await resolver.resolve(pod1, 'compute', 'p9'), 'http://override.example/compute/p9');
    assert.equal(await resolver.refreshAfterConnectionFailure(pod1, 'compute', { projectId: 'p9' }), undefined);
    assert.equal(store.rows.get('pod-1-id/compute')?.source, 'override');
  });

  test('an endpoint nobody knows is EndpointNotFound (503), remembered briefly', async () => {
    const reads = countRequests(sim.keystone.app.server, isCatalogRead);
    await assert.rejects(resolver.resolve(pod3, 'compute'), (err: unknown) => {
      assert.ok(err instanceof EndpointNotFoundError);
      assert.equal(err.status, 503);
      assert.equal(err.podId, pod3.id);
      assert.equal(err.serviceType, 'compute');
      assert.match(err.message, /Pod3/);
      return true;
    });
    await assert.rejects(resolver.resolve(pod3, 'compute'), EndpointNotFoundError);
    reads.stop();
    assert.equal(reads.count, 2, 'the second miss does not read the catalog again');
    await assert.rejects(resolver.resolve(pod2, 'image'), EndpointNotFoundError);
  });

  test('after a connection failure a changed endpoint is picked up', async () => {
    const initial = await resolver.resolve(pod2, 'network');
    assert.equal(initial, 'http://pod2.example:9696');
    sim.keystone.removeEndpoints('Pod2', 'network');
    add('Pod2', 'network', 'neutron', 'http://pod2-new.example:9696');
    assert.equal(await resolver.resolve(pod2, 'network'), initial, 'memoised until told otherwise');
    const fresh = await resolver.refreshAfterConnectionFailure(pod2, 'network', { failedUrl: initial });
    assert.equal(fresh, 'http://pod2-new.example:9696');
    assert.equal(await resolver.resolve(pod2, 'network'), fresh);
    assert.equal(store.rows.get('pod-2-id/network')?.url, fresh);
    // Nothing changed since: no new URL, callers do not retry.
    assert.equal(await resolver.refreshAfterConnectionFailure(pod2, 'network', { failedUrl: fresh }), undefined);
    assert.equal(await resolver.refreshAfterConnectionFailure(pod2, 'network'), undefined);
  });

  test('after a connection failure with placeholders, the substituted URL is compared', async () => {
    const used = await resolver.resolve(pod1, 'compute', 'p1');
    assert.equal(await resolver.refreshAfterConnectionFailure(pod1, 'compute', { projectId: 'p1', failedUrl: used }), undefined);
  });

  test('a removed endpoint disappears on refresh', async () => {
    add('Pod3', 'image', 'glance', 'http://pod3.example:9292');
    assert.equal(await resolver.resolve(pod3, 'image'), 'http://pod3.example:9292');
    sim.keystone.removeEndpoints('Pod3', 'image');
    assert.equal(await resolver.refreshAfterConnectionFailure(pod3, 'image'), undefined);
    await assert.rejects(resolver.resolve(pod3, 'image'), EndpointNotFoundError);
  });

  test('catalog reads close together are shared', async () => {
    const throttled = new EndpointResolver({ serviceAuth, store, minRefreshIntervalMs: 60_000 });
    const reads = countRequests(sim.keystone.app.server, isCatalogRead);
    await Promise.all([throttled.resolve(pod1, 'compute', 'p'), throttled.resolve(pod2, 'network'), throttled.resolve(pod1, 'image')]);
    await throttled.refreshAfterConnectionFailure(pod1, 'image');
    reads.stop();
    assert.equal(reads.count, 2);
  });

  test('with autoRefresh off, only the store is consulted', async () => {
    const manual = new EndpointResolver({ serviceAuth, store, autoRefresh: false });
    const reads = countRequests(sim.keystone.app.server, isCatalogRead);
    await assert.rejects(manual.resolve(pod1, 'compute'), EndpointNotFoundError);
    assert.equal(await manual.refreshAfterConnectionFailure(pod1, 'compute'), undefined);
    reads.stop();
    assert.equal(reads.count, 0);
    store.rows.set('pod-1-id/compute', { url: 'http://manual.example/v2.1', source: 'catalog' });
    manual.forget(pod1.id);
    assert.equal(await manual.resolve(pod1, 'compute'), 'http://manual.example/v2.1');
  });

  test('a service account that may not list endpoints reads its token catalog instead', async () => {
    const demoAccount = new ServiceAuth({ authUrl: sim.url, username: 'demo', password: 'password', projectName: 'demo' });
    try {
      const limited = new EndpointResolver({ serviceAuth: demoAccount, store, minRefreshIntervalMs: 0 });
      assert.equal(await limited.resolve(pod1, 'compute', 'p42'), 'http://pod1.example:8774/v2.1/p42');
      assert.equal(await limited.resolve(pod2, 'volumev3', 'p42'), 'http://pod2.example:8776/v3/p42');
      assert.equal(store.rows.get('pod-1-id/compute')?.url, 'http://pod1.example:8774/v2.1/$(project_id)s');
    } finally {
      await demoAccount.close();
    }
  });
});
