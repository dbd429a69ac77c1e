import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createScratchDatabase, type ScratchDatabase } from '../support/databases.js';
import { runCli } from '../support/cli.js';
import { startTestTricircle } from '../support/tricircle.js';
import type { RunningTricircle } from '../../src/server.js';

describe('tricircle CLI against a running Admin API', () => {
  let scratch: ScratchDatabase;
  let tc: RunningTricircle;
  let env: Record<string, string>;

  before(async () => {
    scratch = await createScratchDatabase('sqlite');
    tc = await startTestTricircle({ databaseUrl: scratch.url, only: ['admin-api'] });
    env = { TRICIRCLE_ADMIN_URL: tc.urls['admin-api']!, TRICIRCLE_DATABASE__CONNECTION: scratch.url };
  });
  after(async () => {
    await tc?.close();
    await scratch?.drop();
  });

  const json = async (args: string[]) => {
    const res = await runCli([...args, '-f', 'json'], env);
    assert.equal(res.code, 0, res.stderr);
    return JSON.parse(res.stdout);
  };

  test('pod create, list, show, update, delete', async () => {
    const top = await json(['pod', 'create', '--region-name', 'RegionOne']);
    assert.equal(top.az_name, '');
    const pod1 = await json(['pod', 'create', '--region-name', 'Pod1', '--az-name', 'az1']);
    const pod2 = await json(['pod', 'create', '--region-name', 'Pod2', '--az-name', 'az2', '--endpoint', 'compute=http://127.0.0.1:1/v2.1']);
    assert.deepEqual(pod2.endpoints, { compute: 'http://127.0.0.1:1/v2.1' });

    const table = await runCli(['pod', 'list'], env);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /region_name/);
    assert.match(table.stdout, /│ Pod1 |\| Pod1 /);
    const list = await json(['pod', 'list']);
    assert.deepEqual(
      list.map((p: { region_name: string }) => p.region_name),
      ['Pod1', 'Pod2', 'RegionOne'],
    );

    assert.equal((await json(['pod', 'show', pod1.pod_id])).region_name, 'Pod1');
    const updated = await json(['pod', 'update', pod1.pod_id, '--disable', '--dc-name', 'dc1']);
    assert.equal(updated.disabled, true);
    assert.equal(updated.dc_name, 'dc1');

    const dup = await runCli(['pod', 'create', '--region-name', 'RegionTwo'], env);
    assert.equal(dup.code, 1);
    assert.match(dup.stderr, /409: Top region already exists/);

    const del = await runCli(['pod', 'delete', pod2.pod_id], env);
    assert.equal(del.code, 0, del.stderr);
    assert.equal((await json(['pod', 'list'])).length, 2);
    const missing = await runCli(['pod', 'show', pod2.pod_id], env);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /404/);
  });

  test('routing create, list (all pages), show, delete; binding create and list', async () => {
    const pods = await json(['pod', 'list']);
    const pod1 = pods.find((p: { region_name: string }) => p.region_name === 'Pod1').pod_id;
    const created = [];
    for (let i = 0; i < 5; i++) {
      created.push(await json(['routing', 'create', '--top-id', `t${i}`, '--bottom-id', `b${i}`, '--pod-id', pod1, '--project-id', 'proj', '--resource-type', 'port']));
    }
    const all = await json(['routing', 'list', '--limit', '2']);
    assert.deepEqual(
      all.map((r: { top_id: string }) => r.top_id),
      ['t0', 't1', 't2', 't3', 't4'],
    );
    const filtered = await json(['routing', 'list', '--top-id', 't3']);
    assert.equal(filtered.length, 1);
    assert.equal((await json(['routing', 'show', String(created[0].id)])).bottom_id, 'b0');
    const del = await runCli(['routing', 'delete', String(created[0].id)], env);
    assert.equal(del.code, 0, del.stderr);
    assert.equal((await json(['routing', 'list'])).length, 4);
    const bad = await runCli(['routing', 'create', '--top-id', 'x', '--bottom-id', 'y', '--pod-id', pod1, '--project-id', 'p', '--resource-type', 'teapot'], env);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /400: Invalid resource_type teapot/);

    const binding = await json(['binding', 'create', '--project', 'proj', '--pod', pod1]);
    assert.equal(binding.is_binding, true);
    assert.equal((await json(['binding', 'list'])).length, 1);
  });

  test('db version and config show work offline', async () => {
    const version = await runCli(['db', 'version'], env);
    assert.equal(version.code, 0, version.stderr);
    assert.match(version.stdout, /current: \d{4}_\w+\nlatest: /);
    assert.doesNotMatch(version.stdout, /pending/);
    const shown = await runCli(['config', 'show'], { ...env, TRICIRCLE_CLIENT__ADMIN_PASSWORD: 'topsecret' });
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /admin_password = \*\*\*/);
    assert.doesNotMatch(shown.stdout, /topsecret/);
    const badConfig = await runCli(['config', 'show'], { TRICIRCLE_ADMIN_API__BIND_PORT: 'x' });
    assert.equal(badConfig.code, 1);
    assert.match(badConfig.stderr, /\[admin_api\] bind_port \(from environment TRICIRCLE_ADMIN_API__BIND_PORT\)/);
  });

  test('serve --only rejects unknown services', async () => {
    const res = await runCli(['serve', '--only', 'teapot'], env);
    assert.equal(res.code, 1);
    assert.match(res.stderr, /unknown service\(s\) teapot; known: admin-api/);
  });
});
