import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, request } from 'undici';
import { createSimApp, newFaults } from '../../sim/common/http.js';
import { SimListener } from '../../sim/common/listener.js';
import { controlRoutes } from '../../sim/control.js';
import { createKeystoneSim } from '../../sim/keystone/index.js';
import type { SimFaults } from '../../sim/types.js';

/** A one-route service with fault injection, served the way the cluster serves pod services. */
function fixture(style: 'nova' | 'neutron' | 'glance', faults: SimFaults) {
  const app = createSimApp({ style, faults });
  app.get('/ping', async () => ({ pong: true }));
  return { app, listener: new SimListener(app, '127.0.0.1') };
}

/** A request on a new connection (a pooled keep-alive socket would fail differently once the server closed it). */
async function fresh(url: string): Promise<void> {
  const agent = new Agent();
  try {
    const r = await request(url, { dispatcher: agent });
    await r.body.text();
  } finally {
    await agent.close();
  }
}

async function errorCode(fn: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await fn();
    return undefined;
  } catch (err) {
    const e = err as { code?: string; cause?: { code?: string } };
    return e.code ?? e.cause?.code;
  }
}

describe('fault injection', () => {
  const faults = newFaults();
  const { app, listener } = fixture('nova', faults);
  before(() => listener.start());
  after(async () => {
    await listener.stop();
    await app.close();
  });
  const reset = () => Object.assign(faults, newFaults());

  test('no faults: requests are served', async () => {
    const r = await request(`${listener.url}/ping`);
    assert.equal(r.statusCode, 200);
    assert.deepEqual(await r.body.json(), { pong: true });
  });

  test('latencyMs delays every answer', async () => {
    faults.latencyMs = 150;
    try {
      const start = Date.now();
      const r = await request(`${listener.url}/ping`);
      await r.body.text();
      assert.equal(r.statusCode, 200);
      assert.ok(Date.now() - start >= 140, `took ${Date.now() - start} ms`);
    } finally {
      reset();
    }
  });

  test('errorRate 1 answers 500 with the service style fault body', async () => {
    faults.errorRate = 1;
    try {
      for (let i = 0; i < 5; i++) {
        const r = await request(`${listener.url}/ping`);
        assert.equal(r.statusCode, 500);
        assert.deepEqual(await r.body.json(), { computeFault: { message: 'Injected fault', code: 500 } });
        assert.ok(r.headers['x-openstack-request-id']);
      }
    } finally {
      reset();
    }
  });

  test('errorRate 0.5 fails some requests and serves others', async () => {
    faults.errorRate = 0.5;
    try {
      const codes = new Set<number>();
      for (let i = 0; i < 40; i++) {
        const r = await request(`${listener.url}/ping`);
        await r.body.text();
        codes.add(r.statusCode);
      }
      assert.deepEqual([...codes].sort(), [200, 500]);
    } finally {
      reset();
    }
  });

  test('down refuses connections, then recovers on the same port', async () => {
    const port = listener.port;
    faults.down = true;
    await listener.stop();
    assert.equal(await errorCode(() => fresh(`http://127.0.0.1:${port}/ping`)), 'ECONNREFUSED');
    faults.down = false;
    await listener.start();
    assert.equal(listener.port, port);
    const r = await request(`${listener.url}/ping`);
    assert.equal(r.statusCode, 200);
    await r.body.text();
  });

  test('down while the listener is still open drops the connection', async () => {
    faults.down = true;
    try {
      const code = await errorCode(() => request(`${listener.url}/ping`));
      assert.ok(code === 'UND_ERR_SOCKET' || code === 'ECONNRESET', `got ${code}`);
    } finally {
      reset();
    }
  });

  test('hangMs makes a client timeout fire', async () => {
    faults.hangMs = 2000;
    try {
      const start = Date.now();
      const code = await errorCode(() => request(`${listener.url}/ping`, { headersTimeout: 300 }));
      assert.equal(code, 'UND_ERR_HEADERS_TIMEOUT');
      assert.ok(Date.now() - start < 1500);
    } finally {
      reset();
    }
  });

  test('fault bodies follow the service style', async () => {
    for (const [style, expected] of [
      ['neutron', { NeutronError: { type: 'HTTPInternalServerError', message: 'Injected fault', detail: '' } }],
      ['glance', { message: 'Injected fault', code: '500 Internal Server Error', title: 'Internal Server Error' }],
    ] as const) {
      const f = { ...newFaults(), errorRate: 1 };
      const fx = fixture(style, f);
      await fx.listener.start();
      try {
        const r = await request(`${fx.listener.url}/ping`);
        assert.equal(r.statusCode, 500);
        assert.deepEqual(await r.body.json(), expected);
      } finally {
        await fx.listener.stop();
        await fx.app.close();
      }
    }
  });
});

describe('control endpoint', () => {
  const podFaults = newFaults();
  const keystoneFaults = newFaults();
  let keystoneListener: SimListener;
  const pod = fixture('nova', podFaults);
  const keystone = createKeystoneSim({ publicUrl: () => keystoneListener.url, faults: keystoneFaults });
  keystoneListener = new SimListener(keystone.app, '127.0.0.1');
  const applied: Partial<SimFaults>[] = [];
  controlRoutes(keystone.app, {
    state: () => ({ pods: [{ region: 'Pod1', faults: { ...podFaults } }] }),
    faultsOf: (region) => (region === 'Pod1' ? podFaults : undefined),
    async setFaults(_region, patch) {
      applied.push(patch);
      Object.assign(podFaults, patch);
      if (podFaults.down) await pod.listener.stop();
      else await pod.listener.start();
    },
  });
  const put = (region: string, body: unknown) =>
    request(`${keystoneListener.url}/sim/pods/${region}/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  before(async () => {
    await keystoneListener.start();
    await pod.listener.start();
  });
  after(async () => {
    await pod.listener.stop();
    await keystoneListener.stop();
    await Promise.all([pod.app.close(), keystone.app.close()]);
  });

  test('GET /sim/state needs no token', async () => {
    const r = await request(`${keystoneListener.url}/sim/state`);
    assert.equal(r.statusCode, 200);
    assert.equal(((await r.body.json()) as any).pods[0].region, 'Pod1');
  });

  test('PUT /sim/pods/{region}/faults changes faults; down and back', async () => {
    const r = await put('Pod1', { latencyMs: 10, errorRate: 0.25 });
    assert.equal(r.statusCode, 200);
    assert.deepEqual(await r.body.json(), { faults: { latencyMs: 10, errorRate: 0.25, down: false, hangMs: 0, createAnswerDelayMs: 0 } });
    const port = pod.listener.port;
    assert.equal((await put('Pod1', { down: true, latencyMs: 0, errorRate: 0 })).statusCode, 200);
    assert.equal(await errorCode(() => fresh(`http://127.0.0.1:${port}/ping`)), 'ECONNREFUSED');
    assert.equal((await put('Pod1', { down: false })).statusCode, 200);
    const ok = await request(`http://127.0.0.1:${port}/ping`);
    assert.equal(ok.statusCode, 200);
    await ok.body.text();
    const g = await request(`${keystoneListener.url}/sim/pods/Pod1/faults`);
    assert.deepEqual(await g.body.json(), { faults: { latencyMs: 0, errorRate: 0, down: false, hangMs: 0, createAnswerDelayMs: 0 } });
  });

  test('bad settings answer 400, unknown regions 404, and nothing changes', async () => {
    const before = applied.length;
    for (const body of [{ errorRate: 2 }, { down: 'yes' }, { latencyMs: -1 }, { speed: 1 }, [1]]) {
      const r = await put('Pod1', body);
      assert.equal(r.statusCode, 400, JSON.stringify(body));
      assert.equal(((await r.body.json()) as any).error.code, 400);
    }
    const r = await put('Nope', { down: true });
    assert.equal(r.statusCode, 404);
    await r.body.text();
    assert.equal(applied.length, before);
  });

  test('control paths ignore the keystone app faults', async () => {
    keystoneFaults.errorRate = 1;
    try {
      const r = await request(`${keystoneListener.url}/sim/state`);
      assert.equal(r.statusCode, 200);
      await r.body.text();
      const k = await request(`${keystoneListener.url}/v3`);
      assert.equal(k.statusCode, 500);
      await k.body.text();
    } finally {
      keystoneFaults.errorRate = 0;
    }
  });
});
