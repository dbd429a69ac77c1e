import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { startKeystoneSim } from '../../sim/keystone/index.js';
import { loadConfig } from '../../src/config/index.js';
import { buildIdentity, UnauthorizedError } from '../../src/identity/index.js';
import { MemoryEndpointStore, issueToken } from './support.js';

type Sim = Awaited<ReturnType<typeof startKeystoneSim>>;

function capturingLogger(): { logger: pino.Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

describe('buildIdentity from configuration', () => {
  let sim: Sim;
  before(async () => {
    sim = await startKeystoneSim();
    sim.keystone.addEndpoint({ region: 'Pod1', serviceType: 'compute', serviceName: 'nova', interface: 'public', url: 'http://pod1:8774/v2.1' });
  });
  after(async () => {
    await sim.close();
  });

  test('keystone strategy: validates tokens, keeps the request id, resolves endpoints, never logs the token', async () => {
    const { config } = loadConfig({
      env: {},
      overrides: { keystone_authtoken: { auth_url: `${sim.url}/v3` }, client: { admin_password: 'password' } },
    });
    const { logger, lines } = capturingLogger();
    const store = new MemoryEndpointStore();
    store.pods = [{ id: 'p1', regionName: 'Pod1' }];
    const identity = buildIdentity(config, { logger, endpointStore: store });
    try {
      const token = await issueToken(sim.url, { user: 'demo', project: 'demo' });
      const ctx = await identity.authenticate({ id: 'req-abc', headers: { 'x-auth-token': token }, context: {} });
      assert.equal(ctx.userName, 'demo');
      assert.equal(ctx.requestId, 'req-abc');
      assert.equal(ctx.authToken, token);
      logger.info({ ctx }, 'caller');
      await assert.rejects(identity.authenticate({ id: 'req-x', headers: {} }), UnauthorizedError);
      assert.equal(await identity.endpoints.resolve({ id: 'p1', regionName: 'Pod1' }, 'compute'), 'http://pod1:8774/v2.1');
      assert.ok(lines.length > 0);
      assert.ok(lines.every((line) => !line.includes(token)));
    } finally {
      await identity.close();
    }
  });

  test('noauth strategy warns at start-up', async () => {
    const { config } = loadConfig({ env: {}, overrides: { DEFAULT: { auth_strategy: 'noauth' } } });
    const { logger, lines } = capturingLogger();
    const identity = buildIdentity(config, { logger, endpointStore: new MemoryEndpointStore() });
    try {
      assert.ok(lines.some((line) => /noauth/.test(line) && /"level":40/.test(line)));
      const ctx = await identity.authenticate({ id: 'req-1', headers: { 'x-auth-token': 'u:p' } });
      assert.equal(ctx.projectId, 'p');
    } finally {
      await identity.close();
    }
  });
});
