import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createScratchDatabase, type ScratchDatabase } from '../support/databases.js';
import { http } from '../support/http.js';
import { startTestTricircle } from '../support/tricircle.js';
import type { RunningTricircle } from '../../src/server.js';

/** Bodies of every JSON type and shape, wrong in as many ways as we can think of. */
const VALUES: unknown[] = [null, true, 0, -1, 1.5, '', ' ', 'x'.repeat(300), [], [1], {}, { a: 1 }, '\u0000', '../../etc'];

function* badBodies(member: string, fields: string[]): Generator<unknown> {
  yield* VALUES;
  for (const v of VALUES) yield { [member]: v };
  for (const field of fields) for (const v of VALUES) yield { [member]: { [field]: v } };
  yield { [member]: {}, extra: 1 };
}

describe('Admin API never answers 500 to bad input and never half-writes', () => {
  let scratch: ScratchDatabase;
  let tc: RunningTricircle;
  let base: string;
  before(async () => {
    scratch = await createScratchDatabase('sqlite');
    tc = await startTestTricircle({ databaseUrl: scratch.url, only: ['admin-api'] });
    base = tc.urls['admin-api']!;
    await http('POST', `${base}/v1.0/pods`, { body: { pod: { region_name: 'RegionOne' } } });
  });
  after(async () => {
    await tc?.close();
    await scratch?.drop();
  });

  const routes: [string, string, string, string[]][] = [
    ['POST', '/v1.0/pods', 'pod', ['region_name', 'pod_name', 'az_name', 'pod_az_name', 'dc_name', 'disabled', 'endpoints']],
    ['POST', '/v1.0/bindings', 'pod_binding', ['tenant_id', 'project_id', 'pod_id']],
    ['POST', '/v1.0/routings', 'routing', ['top_id', 'bottom_id', 'pod_id', 'project_id', 'resource_type']],
  ];

  for (const [method, path, member, fields] of routes) {
    test(`${method} ${path}`, async () => {
      let count = 0;
      for (const body of badBodies(member, fields)) {
        const res = await http(method, `${base}${path}`, { body });
        assert.ok(res.status >= 400 && res.status < 500, `${JSON.stringify(body)} → ${res.status} ${res.text}`);
        const fault = Object.values(res.body ?? {})[0] as { code?: number; message?: string } | undefined;
        assert.equal(fault?.code, res.status, `fault body for ${JSON.stringify(body)}: ${res.text}`);
        count++;
      }
      assert.ok(count > 50);
    });
  }

  test('garbage ids, queries and bytes', async () => {
    for (const path of [
      '/v1.0/pods/%00',
      '/v1.0/pods/..%2F..',
      '/v1.0/routings/1e9',
      '/v1.0/routings/-1',
      '/v1.0/routings?limit=abc',
      '/v1.0/routings?marker=%27',
      '/v1.0/bindings/%ff',
    ]) {
      const res = await http('GET', `${base}${path}`);
      assert.ok(res.status >= 400 && res.status < 500, `${path} → ${res.status}`);
    }
    for (const raw of ['{', '[', '"', '{"pod": {"region_name": "a",}}', '\u00ff\u00fe', '{"pod": 1e999999}']) {
      const res = await http('POST', `${base}/v1.0/pods`, { raw, headers: { 'content-type': 'application/json' } });
      assert.ok(res.status >= 400 && res.status < 500, `${JSON.stringify(raw)} → ${res.status}`);
    }
  });

  test('nothing was written by any failed request', async () => {
    const pods = await http('GET', `${base}/v1.0/pods`);
    assert.equal(pods.body.pods.length, 1);
    assert.equal((await http('GET', `${base}/v1.0/bindings`)).body.pod_bindings.length, 0);
    assert.equal((await http('GET', `${base}/v1.0/routings`)).body.routings.length, 0);
  });
});
