import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { PodClientFactory, PodUnreachableError } from '../../src/bottom/index.js';
import { migrateToLatest, openDatabase, type Db } from '../../src/db/index.js';
import { PodHealth, PodRegistry, type Pod } from '../../src/pods/index.js';
import { createScratchDatabase, describeEachDatabase, type ScratchDatabase } from '../support/databases.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describeEachDatabase('PodHealth', (dialect) => {
  let scratch: ScratchDatabase;
  let db: Db;
  let pods: PodRegistry;
  let writes: string[];

  before(async () => {
    scratch = await createScratchDatabase(dialect);
    db = openDatabase(scratch.url, { maxPoolSize: 2 });
    await migrateToLatest(db);
    pods = new PodRegistry(db);
  });
  after(async () => {
    await db?.close();
    await sleep(100);
    await scratch?.drop();
  });

  /** A PodHealth persisting into the pod registry, counting its writes. */
  function tracker(registry?: Registry): PodHealth {
    writes = [];
    return new PodHealth({
      store: {
        setHealth: async (id, h) => {
          writes.push(h);
          await pods.setHealth(id, h);
        },
      },
      failureThreshold: 3,
      registry,
    });
  }

  test('N consecutive failures make a pod down, one success up again; only transitions are written', async () => {
    const pod = await pods.create({ regionName: 'HealthPod1', azName: 'az1' });
    const registry = new Registry();
    const health = tracker(registry);
    assert.equal(health.state(pod.id), 'unknown');
    assert.equal(health.isHealthy(pod.id), true, 'unobserved pods are schedulable');

    health.recordFailure(pod, 'ECONNREFUSED');
    health.recordFailure(pod, 'ECONNREFUSED');
    assert.equal(health.state(pod.id), 'unknown', 'two failures are not enough');
    health.recordFailure(pod, 'ECONNREFUSED');
    assert.equal(health.state(pod.id), 'down');
    assert.equal(health.isHealthy(pod.id), false);
    health.recordFailure(pod, 'ECONNREFUSED');
    await health.settled();
    assert.equal((await pods.get(pod.id)).health, 'down');
    assert.match(await registry.getSingleMetricAsString('tricircle_pod_up'), /tricircle_pod_up\{pod="HealthPod1"\} 0/);

    health.recordSuccess(pod);
    health.recordSuccess(pod);
    await health.settled();
    assert.equal(health.isHealthy(pod.id), true);
    assert.equal((await pods.get(pod.id)).health, 'up');
    assert.deepEqual(writes, ['down', 'up']);
    assert.match(await registry.getSingleMetricAsString('tricircle_pod_up'), /tricircle_pod_up\{pod="HealthPod1"\} 1/);

    health.recordFailure(pod);
    health.recordSuccess(pod);
    health.recordFailure(pod);
    health.recordFailure(pod);
    assert.equal(health.state(pod.id), 'up', 'a success resets the count of consecutive failures');
  });

  test('without its own observation a process trusts the persisted state', async () => {
    const pod = await pods.create({ regionName: 'HealthPod2', azName: 'az1' });
    await pods.setHealth(pod.id, 'down');
    const health = tracker();
    const row: Pod = await pods.get(pod.id);
    assert.equal(health.isHealthy(row), false);
    health.recordSuccess(row);
    assert.equal(health.isHealthy(row), true, 'a call that succeeded outweighs the stored state');
    await health.settled();
    assert.equal((await pods.get(pod.id)).health, 'up');
  });

  test('bottom clients report into it: an unreachable pod goes down, an answering one up', async () => {
    const pod = await pods.create({ regionName: 'HealthPod3', azName: 'az1' });
    const health = tracker();
    let url = 'http://127.0.0.1:1';
    const factory = new PodClientFactory({
      endpoints: { resolve: async () => url, refreshAfterConnectionFailure: async () => undefined },
      serviceAuth: { getToken: async () => ({ token: 'svc', userId: 'u', projectId: 'p', expiresAt: new Date(Date.now() + 3_600_000), catalog: [] }), invalidate() {} },
      timeoutMs: 2_000,
      health,
    });
    let server: Server | undefined;
    try {
      for (let i = 0; i < 3; i++) {
        await assert.rejects(factory.neutron(pod).listNetworks({ requestId: 'req-1' }), (err: unknown) => err instanceof PodUnreachableError);
      }
      await health.settled();
      assert.equal((await pods.get(pod.id)).health, 'down');

      server = createServer((_req, res) => {
        res.writeHead(503, { 'content-type': 'application/json' });
        res.end('{"NeutronError": {"type": "HTTPServiceUnavailable", "message": "busy", "detail": ""}}');
      });
      await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      await factory.client(pod, 'network').request({ requestId: 'req-2' }, { method: 'GET', path: '/networks' });
      assert.equal(health.state(pod.id), 'down', 'a 503 answer does not make the pod healthy');

      server.removeAllListeners('request');
      server.on('request', (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"networks": []}');
      });
      assert.deepEqual(await factory.neutron(pod).listNetworks({ requestId: 'req-3' }), []);
      await health.settled();
      assert.equal((await pods.get(pod.id)).health, 'up');
      assert.deepEqual(writes, ['down', 'up']);
    } finally {
      await factory.close();
      server?.closeAllConnections();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    }
  });
});
