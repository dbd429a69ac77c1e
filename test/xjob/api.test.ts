import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { PermanentJobError, type JobHandlers } from '../../src/xjob/index.js';
import type { RunningTricircle } from '../../src/server.js';
import { runCli } from '../support/cli.js';
import { createScratchDatabase, describeEachDatabase, type ScratchDatabase } from '../support/databases.js';
import { http } from '../support/http.js';
import { entryPointArgv, repoRoot } from '../support/paths.js';
import { startTestTricircle } from '../support/tricircle.js';

const MEMBER = { 'x-user-id': 'demo', 'x-project-id': 'demo', 'x-roles': 'member' };

// Test job types, registered in the running instance's registry, which its admin API and workers use.
const gates = new Map<string, () => void>();
const TEST_HANDLERS: JobHandlers = {
  test_api_ok: { resourceSchema: ['pod_id', 'router_id'], description: 'succeeds', run: async () => undefined },
  test_api_fail: { run: async () => Promise.reject(new PermanentJobError('pod said no')) },
  test_api_block: {
    run: (job) => new Promise<void>((resolve) => gates.set(job.resourceId, resolve)),
  },
};
const XJOB = { scan_interval: 0.2, heartbeat_interval: 0.5, job_run_expire: 10, shutdown_grace: 0.2, retry_backoff_base: 0.05, retry_backoff_cap: 0.1 };

async function until(what: string, check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

describeEachDatabase('jobs admin API and CLI', (dialect) => {
  let scratch: ScratchDatabase;
  let tc: RunningTricircle;
  let base: string;
  const call = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => http(method, `${base}${path}`, { body, headers });
  const status = async (id: string) => (await call('GET', `/v1.0/jobs/${id}`)).body?.job?.status;
  const create = async (type: string, resource: Record<string, string>, project = 'proj-1') => {
    const res = await call('POST', '/v1.0/jobs', { job: { type, project_id: project, resource } });
    assert.equal(res.status, 200, res.text);
    return res.body.job;
  };

  before(async () => {
    scratch = await createScratchDatabase(dialect);
    tc = await startTestTricircle({ databaseUrl: scratch.url, only: ['admin-api', 'xjob'], extra: { xjob: XJOB } });
    tc.core.jobs.registry.registerAll(TEST_HANDLERS);
    base = tc.urls['admin-api']!;
  });
  after(async () => {
    for (const open of gates.values()) open();
    await tc?.close();
    await scratch?.drop();
  });

  test('schemas list the registered types and their resource fields', async () => {
    const res = await call('GET', '/v1.0/jobs/schemas');
    assert.equal(res.status, 200);
    const ok = res.body.schemas.find((s: { type: string }) => s.type === 'test_api_ok');
    assert.deepEqual(ok, { type: 'test_api_ok', resource: ['pod_id', 'router_id'], description: 'succeeds' });
    assert.deepEqual(res.body.schemas.find((s: { type: string }) => s.type === 'test_api_fail').resource, ['id']);
  });

  test('create validates the body against the schema', async () => {
    const bad: [unknown, RegExp][] = [
      [{}, /'job' is a required property/],
      [{ job: { type: 'nope', project_id: 'p', resource: { id: 'x' } } }, /not supported/],
      [{ job: { type: 'test_api_ok', project_id: 'p', resource: { pod_id: 'a' } } }, /missing router_id/],
      [{ job: { type: 'test_api_ok', project_id: 'p', resource: { pod_id: 'a', router_id: 'b', x: 'c' } } }, /unexpected x/],
      [{ job: { type: 'test_api_ok', project_id: 'p', resource: { pod_id: 'a#b', router_id: 'b' } } }, /pod_id.*does not match/],
      [{ job: { type: 'test_api_ok', project_id: '', resource: { pod_id: 'a', router_id: 'b' } } }, /project_id/],
      [{ job: { type: 'test_api_ok', project_id: 'p', resource: 'x' } }, /resource.*is not of type 'object'/],
      [{ job: { type: 'test_api_ok', project_id: 'p', resource: { pod_id: 'a', router_id: 'b' }, extra: 1 } }, /Additional properties are not allowed \('extra' was unexpected\)/],
    ];
    for (const [body, message] of bad) {
      const res = await call('POST', '/v1.0/jobs', body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.match(res.body.badRequest.message, message);
    }
    assert.equal((await call('GET', '/v1.0/jobs')).body.jobs.length, 0, 'nothing was created');
  });

  test('a created job runs; show finds it in the log afterwards, with its history', async () => {
    const job = await create('test_api_ok', { pod_id: 'pod1', router_id: 'r1' });
    assert.equal(job.type, 'test_api_ok');
    assert.equal(job.resource_id, 'pod1#r1');
    assert.deepEqual(job.resource, { pod_id: 'pod1', router_id: 'r1' });
    assert.ok(['NEW', 'RUNNING', 'SUCCESS'].includes(job.status));
    await until('success', async () => (await status(job.id)) === 'SUCCESS');
    const shown = (await call('GET', `/v1.0/jobs/${job.id}`)).body.job;
    assert.equal(shown.project_id, 'proj-1');
    assert.match(shown.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const log = await call('GET', `/v1.0/jobs/${job.id}/log`);
    assert.deepEqual(
      log.body.job_log.map((e: { event: string }) => e.event),
      ['created', 'claimed', 'succeeded'],
    );
    assert.equal((await call('PUT', `/v1.0/jobs/${job.id}`)).status, 400, 'a finished job is not redone');
    assert.equal((await call('DELETE', `/v1.0/jobs/${job.id}`)).status, 400, 'nor deleted');
    assert.equal((await call('GET', '/v1.0/jobs/00000000-0000-0000-0000-000000000000')).status, 404);
    assert.equal((await call('GET', '/v1.0/jobs/00000000-0000-0000-0000-000000000000/log')).status, 404);
  });

  test('FAIL jobs can be redone and deleted; running ones can not', async () => {
    const failed = await create('test_api_fail', { id: 'f1' });
    await until('fail', async () => (await status(failed.id)) === 'FAIL');
    const shown = (await call('GET', `/v1.0/jobs/${failed.id}`)).body.job;
    assert.equal(shown.last_error, 'PermanentJobError: pod said no');
    const redo = await call('PUT', `/v1.0/jobs/${failed.id}`);
    assert.equal(redo.status, 200);
    assert.equal(redo.body.job.id, failed.id);
    assert.equal(redo.body.job.attempts, 0);
    await until('fail again', async () => (await status(failed.id)) === 'FAIL');

    const blocked = await create('test_api_block', { id: 'b1' });
    await until('running', async () => (await status(blocked.id)) === 'RUNNING');
    const put = await call('PUT', `/v1.0/jobs/${blocked.id}`);
    assert.equal(put.status, 400);
    assert.match(put.body.badRequest.message, /running/);
    assert.equal((await call('DELETE', `/v1.0/jobs/${blocked.id}`)).status, 400);
    gates.get('b1')!();
    await until('blocked done', async () => (await status(blocked.id)) === 'SUCCESS');

    assert.equal((await call('DELETE', `/v1.0/jobs/${failed.id}`)).status, 200);
    assert.equal((await call('GET', `/v1.0/jobs/${failed.id}`)).status, 404);
  });

  test('list: filters, pages with jobs_links, bad queries', async () => {
    for (let i = 0; i < 5; i++) await create('test_api_ok', { pod_id: 'pod2', router_id: `list-${i}` }, 'proj-list');
    await until('all done', async () => (await call('GET', '/v1.0/jobs?project_id=proj-list&status=SUCCESS')).body.jobs.length === 5);
    const ids: string[] = [];
    let path: string | undefined = '/v1.0/jobs?project_id=proj-list&limit=2';
    let pages = 0;
    while (path) {
      const res = await call('GET', path);
      assert.equal(res.status, 200);
      ids.push(...res.body.jobs.map((j: { id: string }) => j.id));
      pages++;
      const next = res.body.jobs_links?.find((l: { rel: string }) => l.rel === 'next');
      if (next) assert.ok(next.href.startsWith(`${base}/v1.0/jobs?`));
      path = next ? next.href.slice(base.length) : undefined;
    }
    assert.equal(ids.length, 5);
    assert.equal(new Set(ids).size, 5);
    assert.equal(pages, 3);
    const detail = await call('GET', '/v1.0/jobs/detail?type=test_api_ok&resource_id=pod2%23list-3');
    assert.equal(detail.body.jobs.length, 1);
    assert.equal((await call('GET', '/v1.0/jobs?status=success&project_id=proj-list')).body.jobs.length, 5);
    assert.equal((await call('GET', '/v1.0/jobs?status=NEW&project_id=proj-list')).body.jobs.length, 0);
    for (const q of ['colour=red', 'status=DONE', 'limit=-1', 'marker=missing']) {
      assert.equal((await call('GET', `/v1.0/jobs?${q}`)).status, 400, q);
    }
  });

  test('the jobs API is admin only', async () => {
    for (const [method, path] of [
      ['GET', '/v1.0/jobs'],
      ['GET', '/v1.0/jobs/schemas'],
      ['GET', '/v1.0/jobs/x'],
      ['PUT', '/v1.0/jobs/x'],
      ['DELETE', '/v1.0/jobs/x'],
      ['POST', '/v1.0/jobs'],
    ] as const) {
      const res = await call(method, path, method === 'POST' ? { job: { type: 'test_api_ok', project_id: 'p', resource: { pod_id: 'a', router_id: 'b' } } } : undefined, MEMBER);
      assert.equal(res.status, 403, `${method} ${path}`);
    }
  });

  test('metrics show the queue', async () => {
    const res = await call('GET', '/metrics');
    assert.match(res.text, /tricircle_xjob_jobs\{status="NEW"\} \d+/);
    assert.match(res.text, /tricircle_xjob_runs_total\{type="test_api_ok",outcome="success"\} \d+/);
  });

  test('tricircle job list, show, redo, delete', { skip: dialect !== 'sqlite' && 'the CLI is exercised once, on SQLite' }, async () => {
    const env = { TRICIRCLE_ADMIN_URL: base };
    const failed = await create('test_api_fail', { id: 'cli-1' }, 'proj-cli');
    await until('fail', async () => (await status(failed.id)) === 'FAIL');
    const list = await runCli(['job', 'list', '--status', 'FAIL', '--type', 'test_api_fail', '-f', 'json'], env);
    assert.equal(list.code, 0, list.stderr);
    const rows = JSON.parse(list.stdout);
    assert.ok(rows.some((r: { id: string; status: string }) => r.id === failed.id && r.status === 'FAIL'));
    const table = await runCli(['job', 'list', '--project-id', 'proj-cli'], env);
    assert.match(table.stdout, /\| id +\| type/);
    const show = await runCli(['job', 'show', failed.id, '-f', 'json'], env);
    assert.equal(JSON.parse(show.stdout).last_error, 'PermanentJobError: pod said no');
    const history = await runCli(['job', 'show', failed.id, '--log', '-f', 'json'], env);
    assert.deepEqual(
      JSON.parse(history.stdout).map((e: { event: string }) => e.event),
      ['created', 'claimed', 'failed'],
    );
    const redo = await runCli(['job', 'redo', failed.id, '-f', 'json'], env);
    assert.equal(redo.code, 0, redo.stderr);
    assert.equal(JSON.parse(redo.stdout).attempts, 0);
    await until('fail again', async () => (await status(failed.id)) === 'FAIL');
    const schemas = await runCli(['job', 'schemas', '-f', 'json'], env);
    assert.ok(JSON.parse(schemas.stdout).some((s: { type: string; resource: string }) => s.type === 'test_api_ok' && s.resource === 'pod_id, router_id'));
    const del = await runCli(['job', 'delete', failed.id], env);
    assert.equal(del.code, 0, del.stderr);
    const gone = await runCli(['job', 'show', failed.id], env);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /404/);
  });

  test('the test types are in the registry of this instance', () => {
    assert.ok(tc.core.jobs.registry.get('test_api_ok'));
  });
});

describe('tricircle serve --only xjob', () => {
  let scratch: ScratchDatabase;
  before(async () => {
    scratch = await createScratchDatabase('sqlite');
  });
  after(async () => {
    await scratch?.drop();
  });

  test('runs the job workers and no HTTP service, and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, [...entryPointArgv('src/cli/main'), 'serve', '--only', 'xjob'], {
      cwd: repoRoot,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: '/tmp',
        TRICIRCLE_DATABASE__CONNECTION: scratch.url,
        TRICIRCLE_DEFAULT__AUTH_STRATEGY: 'noauth',
        TRICIRCLE_DEFAULT__LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const end = Date.now() + 20_000;
    while (!/job worker started/.test(stderr) && Date.now() < end && child.exitCode === null) await sleep(50);
    assert.match(stderr, /job worker started/, stderr);
    assert.doesNotMatch(stdout, /listening/);
    child.kill('SIGTERM');
    assert.equal(await exited, 0, stderr);
    assert.match(stderr, /job worker stopped/);
  });
});
