import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { createServiceApp } from '../../src/common/http.js';
import type { Logger } from '../../src/common/index.js';
import { http } from '../support/http.js';

/** A service app whose log lines are collected; `sample` is its request_log_sample. */
async function appLogging(level: string, sample: number): Promise<{ app: FastifyInstance; base: string; lines: { msg?: string; status?: number }[] }> {
  const lines: { msg?: string; status?: number }[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  const app = createServiceApp({ service: 'log-test', faultStyle: 'compute', logger: pino({ level }, sink) as unknown as Logger, requestLogSample: sample });
  app.get('/ok', async () => ({ ok: true }));
  app.get('/boom', async () => {
    throw new Error('boom');
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, base: `http://127.0.0.1:${(app.server.address() as { port: number }).port}`, lines };
}

const requestLines = (lines: { msg?: string; status?: number }[]) => lines.filter((l) => l.msg === 'request');

describe('request log line: level and sampling', () => {
  const apps: FastifyInstance[] = [];
  after(async () => {
    for (const app of apps) await app.close();
  });

  test('at info with sample 1 every request is written', async () => {
    const { app, base, lines } = await appLogging('info', 1);
    apps.push(app);
    for (let i = 0; i < 5; i++) assert.equal((await http('GET', `${base}/ok`)).status, 200);
    assert.equal(requestLines(lines).length, 5);
  });

  test('with sample 0 successful requests are not written, server errors still are', async () => {
    const { app, base, lines } = await appLogging('info', 0);
    apps.push(app);
    for (let i = 0; i < 5; i++) assert.equal((await http('GET', `${base}/ok`)).status, 200);
    assert.equal((await http('GET', `${base}/boom`)).status, 500);
    assert.deepEqual(
      requestLines(lines).map((l) => l.status),
      [500],
    );
  });

  test('above info nothing is written for requests', async () => {
    const { app, base, lines } = await appLogging('warn', 1);
    apps.push(app);
    for (let i = 0; i < 3; i++) assert.equal((await http('GET', `${base}/ok`)).status, 200);
    assert.equal(requestLines(lines).length, 0);
  });
});
