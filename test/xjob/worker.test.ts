import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Registry } from 'prom-client';
import { silentLogger } from '../../src/common/logging.js';
import { migrateToLatest, openDatabase, type Db } from '../../src/db/index.js';
import { JobRegistry, JobService, JobStore, JobWorker, MemoryBus, PermanentJobError, type Job, type JobHandler, type XjobSettings } from '../../src/xjob/index.js';
import { xjobMetrics, registerQueueGauges } from '../../src/xjob/metrics.js';
import { createScratchDatabase, describeEachDatabase, type ScratchDatabase } from '../support/databases.js';

const SETTINGS: XjobSettings = {
  transportUrl: '',
  queue: 'unused',
  concurrency: 4,
  heartbeatMs: 100,
  expireMs: 3000,
  maxAttempts: 3,
  backoffBaseMs: 20,
  backoffCapMs: 100,
  scanIntervalMs: 5000,
  shutdownGraceMs: 200,
  logRetentionMs: 0,
  retryWindowMs: 0,
  healIntervalMs: 0,
};

async function until(what: string, check: () => Promise<boolean> | boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

describeEachDatabase('job workers', (dialect) => {
  let scratch: ScratchDatabase;
  let db: Db;
  let store: JobStore;
  let registry: JobRegistry;
  let bus: MemoryBus;
  let service: JobService;
  let workers: JobWorker[] = [];

  before(async () => {
    scratch = await createScratchDatabase(dialect);
    db = openDatabase(scratch.url, { maxPoolSize: 12 });
    await migrateToLatest(db);
    store = new JobStore(db);
  });
  after(async () => {
    await db?.close();
    await scratch?.drop();
  });
  afterEach(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    workers = [];
    await db.kysely.deleteFrom('async_jobs').execute();
  });

  function setup(handlers: Record<string, JobHandler>, settings: Partial<XjobSettings> = {}, metrics?: Registry) {
    registry = new JobRegistry();
    for (const [type, h] of Object.entries(handlers)) registry.register(type, h);
    bus = new MemoryBus();
    const s = { ...SETTINGS, ...settings };
    service = new JobService(db, store, registry, bus, s, silentLogger);
    const make = () => {
      const w = new JobWorker({
        store,
        registry,
        bus,
        logger: silentLogger,
        settings: s,
        submit: (r) => service.submit(r),
        metrics: metrics ? xjobMetrics(metrics) : undefined,
      });
      workers.push(w);
      return w;
    };
    return make;
  }

  test('a signalled job runs at once; handlers get ids and the resource fields', async () => {
    const seen: Job[] = [];
    const make = setup({ test_pair: { resourceSchema: ['pod_id', 'router_id'], run: async (job) => void seen.push(job) } });
    await make().start();
    const id = await service.submit({ type: 'test_pair', projectId: 'p1', resource: { pod_id: 'pod1', router_id: 'r1' } });
    await until('the job ran', () => seen.length === 1);
    assert.equal(seen[0].id, id);
    assert.equal(seen[0].resourceId, 'pod1#r1');
    assert.deepEqual(seen[0].resource, { pod_id: 'pod1', router_id: 'r1' });
    assert.equal(seen[0].attempt, 1);
    await until('success recorded', async () => (await store.get(id)).status === 'SUCCESS');
  });

  test('requests while a job runs coalesce into one more run that sees the latest state', async () => {
    let state = 0;
    const runs: number[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const make = setup({
      test_a: {
        run: async () => {
          if (runs.length === 0) await gate;
          runs.push(state);
        },
      },
    });
    await make().start();
    await service.submit({ type: 'test_a', projectId: 'p1', resourceId: 'r' });
    await until('first run started', async () => (await store.list({ status: 'RUNNING' }, { limit: 5 })).length === 1);
    for (let i = 1; i <= 5; i++) {
      state = i;
      await service.submit({ type: 'test_a', projectId: 'p1', resourceId: 'r' });
    }
    release();
    await until('two runs', () => runs.length === 2);
    await sleep(100);
    assert.deepEqual(runs, [5, 5], 'one extra run for five requests, reading the latest state');
  });

  test('failures retry with backoff until success; a permanent error fails at once', async () => {
    let calls = 0;
    const metrics = new Registry();
    const make = setup(
      {
        test_flaky: {
          run: async () => {
            calls++;
            if (calls < 3) throw new Error(`transient ${calls}`);
          },
        },
        test_broken: {
          run: async () => {
            throw new PermanentJobError('resource is gone');
          },
        },
      },
      {},
      metrics,
    );
    registerQueueGauges(metrics, store);
    await make().start();
    const flaky = await service.submit({ type: 'test_flaky', projectId: 'p1', resourceId: 'x' });
    const broken = await service.submit({ type: 'test_broken', projectId: 'p1', resourceId: 'y' });
    await until('flaky succeeded', async () => (await store.get(flaky)).status === 'SUCCESS');
    await until('broken failed', async () => (await store.get(broken)).status === 'FAIL');
    assert.equal(calls, 3);
    assert.equal((await store.get(flaky)).attempts, 3);
    const failed = await store.get(broken);
    assert.equal(failed.attempts, 1);
    assert.equal(failed.lastError, 'PermanentJobError: resource is gone');
    const text = await metrics.metrics();
    assert.match(text, /tricircle_xjob_runs_total\{type="test_flaky",outcome="retry"\} 2/);
    assert.match(text, /tricircle_xjob_runs_total\{type="test_flaky",outcome="success"\} 1/);
    assert.match(text, /tricircle_xjob_failures_total\{type="test_broken"\} 1/);
    assert.match(text, /tricircle_xjob_jobs\{status="FAIL"\} 1/);
  });

  test("a failed run is reported to its handler's onFailedRun (retry, then final), after it is recorded; a hook error changes nothing", async () => {
    const reported: { attempt: number; error: string; final: boolean; recorded: string }[] = [];
    const make = setup({
      test_down: {
        run: async (job) => {
          throw new Error(`pod away (run ${job.attempt})`);
        },
        onFailedRun: async (job, error, final) => {
          reported.push({ attempt: job.attempt, error, final, recorded: (await store.get(job.id)).lastError ?? '' });
          throw new Error('the hook fails too');
        },
      },
    });
    await make().start();
    const id = await service.submit({ type: 'test_down', projectId: 'p1', resourceId: 'z' });
    await until('job failed', async () => (await store.get(id)).status === 'FAIL');
    await until('three reports', () => reported.length === 3);
    assert.deepEqual(
      reported.map((r) => [r.attempt, r.final]),
      [
        [1, false],
        [2, false],
        [3, true],
      ],
    );
    for (const r of reported) assert.equal(r.recorded, r.error, 'the hook runs after the run is recorded');
    assert.equal(reported[2].error, 'pod away (run 3)');
    assert.equal((await store.get(id)).attempts, 3);
  });

  test('two workers never run jobs of one resource at the same time, and every request is covered', async () => {
    const inFlight = new Map<string, number>();
    let overlap = 0;
    const lastRunStart = new Map<string, number>();
    const make = setup(
      {
        test_a: {
          run: async (job) => {
            const n = (inFlight.get(job.resourceId) ?? 0) + 1;
            inFlight.set(job.resourceId, n);
            if (n > 1) overlap++;
            lastRunStart.set(job.resourceId, Date.now());
            await sleep(5 + Math.random() * 15);
            inFlight.set(job.resourceId, n - 1);
          },
        },
      },
      { concurrency: 3 },
    );
    await make().start();
    await make().start();
    const lastRequest = new Map<string, number>();
    for (let i = 0; i < 60; i++) {
      const r = `res-${i % 6}`;
      lastRequest.set(r, Date.now());
      await service.submit({ type: 'test_a', projectId: 'p1', resourceId: r });
      if (i % 7 === 0) await sleep(10);
    }
    await until('all done', async () => (await store.list({}, { limit: 100 })).every((j) => j.status === 'SUCCESS'));
    assert.equal(overlap, 0);
    for (const [r, t] of lastRequest) assert.ok(lastRunStart.get(r)! >= t, `${r} ran after its last request`);
  });

  test('stopping: a job that ends within the grace finishes; one that does not is aborted and handed back', async () => {
    const make = setup({
      test_slow: {
        run: (_job, ctx) =>
          new Promise<void>((_resolve, reject) => {
            ctx.signal.addEventListener('abort', () => reject(new Error('aborted')));
          }),
      },
    });
    const w = make();
    await w.start();
    const id = await service.submit({ type: 'test_slow', projectId: 'p1', resourceId: 's' });
    await until('running', async () => (await store.get(id)).status === 'RUNNING');
    await w.stop();
    const row = await store.get(id);
    assert.equal(row.status, 'NEW');
    assert.equal(row.attempts, 0, 'a released run is not counted');
    assert.equal((await store.history(id)).at(-1)!.event, 'released');
  });

  test('a worker whose claim was taken over aborts its handler and drops its result', async () => {
    let aborted = false;
    const make = setup({
      test_a: {
        run: (_job, ctx) =>
          new Promise<void>((resolve) => {
            ctx.signal.addEventListener('abort', () => {
              aborted = true;
              resolve();
            });
          }),
      },
    });
    await make().start();
    const id = await service.submit({ type: 'test_a', projectId: 'p1', resourceId: 'lost' });
    await until('running', async () => (await store.get(id)).status === 'RUNNING');
    // Another worker took the job over (as after an expiry): the claim token changed.
    await db.kysely.updateTable('async_jobs').set({ claim_token: 'someone-else', worker: 'other' }).where('id', '=', id).execute();
    await until('aborted', () => aborted);
    await sleep(50);
    const row = await store.get(id);
    assert.equal(row.status, 'RUNNING');
    assert.equal(row.worker, 'other', 'the worker that lost the claim wrote nothing');
    await db.kysely.deleteFrom('async_jobs').where('id', '=', id).execute();
  });
});
