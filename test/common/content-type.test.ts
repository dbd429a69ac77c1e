import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { createServiceApp } from '../../src/common/http.js';
import type { FaultStyle, Logger } from '../../src/common/index.js';
import { http } from '../support/http.js';

/** A service app that echoes the parsed body of a PUT. */
async function echoApp(faultStyle: FaultStyle): Promise<{ app: FastifyInstance; base: string }> {
  const app = createServiceApp({ service: `ct-${faultStyle}`, faultStyle, logger: pino({ level: 'silent' }) as unknown as Logger });
  app.put('/echo', async (req) => ({ got: req.body ?? null }));
  await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, base: `http://127.0.0.1:${(app.server.address() as { port: number }).port}` };
}

describe('a request body without Content-Type', () => {
  let neutron: { app: FastifyInstance; base: string };
  let compute: { app: FastifyInstance; base: string };
  before(async () => {
    neutron = await echoApp('neutron');
    compute = await echoApp('compute');
  });
  after(async () => {
    await neutron?.app.close();
    await compute?.app.close();
  });

  test('Neutron reads it as JSON', async () => {
    const res = await http('PUT', `${neutron.base}/echo`, { raw: JSON.stringify({ policy: { shared: true } }) });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, { got: { policy: { shared: true } } });
  });
  test('Neutron: malformed JSON without Content-Type is a 400, another Content-Type still a 415', async () => {
    const bad = await http('PUT', `${neutron.base}/echo`, { raw: '{not json' });
    assert.equal(bad.status, 400, bad.text);
    assert.equal(bad.body.NeutronError.type, 'HTTPBadRequest');
    const text = await http('PUT', `${neutron.base}/echo`, { raw: 'x', headers: { 'content-type': 'text/xml' } });
    assert.equal(text.status, 415, text.text);
    assert.equal(text.body.NeutronError.type, 'HTTPUnsupportedMediaType');
  });
  test('other services keep refusing it (415)', async () => {
    const res = await http('PUT', `${compute.base}/echo`, { raw: JSON.stringify({ a: 1 }) });
    assert.equal(res.status, 415, res.text);
  });
});
