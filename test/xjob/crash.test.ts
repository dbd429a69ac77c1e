import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { migrateToLatest, openDatabase, type Db } from '../../src/db/index.js';
import { JobStore } from '../../src/xjob/index.js';
import { createScratchDatabase, describeEachDatabase, type ScratchDatabase } from '../support/databases.js';
import { startWorkerProcess, stopWorkerProcess, type WorkerProcess } from './fixtures/processes.js';
import { createTestTables, testTables } from './fixtures/testTables.js';

const EXPIRE_S = 1.5;
const HEARTBEAT_S = 0.25;
const JOB_MS = 1000;

describeEachDatabase('xjob: a worker process killed mid-job', (dialect) => {
  let scratch: ScratchDatabase;
  let db: Db;
  let procs: WorkerProcess[] = [];

  before(async () => {
    scratch = await createScratchDatabase(dialect);
    db = openDatabase(scratch.url, { maxPoolSize: 4 });
    await migrateToLatest(db);
    await createTestTables(db);
  });
  after(async () => {
    await Promise.all(procs.map((p) => stopWorkerProcess(p)));
    await db?.close();
    await scratch?.drop();
  });

  test('kill -9: its jobs expire and complete on the other worker, each exactly once', async () => {
    const env = {
      XJOB_TEST_DATABASE_URL: scratch.url,
      XJOB_TEST_SLEEP_MS: String(JOB_MS),
      XJOB_TEST_CONCURRENCY: '2',
      XJOB_TEST_EXPIRE: String(EXPIRE_S),
      XJOB_TEST_HEARTBEAT: String(HEARTBEAT_S),
      XJOB_TEST_SCAN: '0.2',
    };
    procs = await Promise.all([startWorkerProcess(env), startWorkerProcess(env)]);
    const store = new JobStore(db);
    const k = testTables(db);
    const jobIds: string[] = [];
    for (let i = 0; i < 4; i++) jobIds.push((await store.enqueue({ type: 'xjob_test', resourceId: `res-${i}`, projectId: 'p1' })).id);

    // Wait until a run is under way, then kill the process that runs it while its handler sleeps.
    let first: { pid: number } | undefined;
    const end = Date.now() + 15_000;
    while (!(first = await k.selectFrom('xjob_test_runs').select('pid').orderBy('started_at').executeTakeFirst())) {
      if (Date.now() > end) throw new Error('no job started');
      await sleep(20);
    }
    await sleep(150);
    const victim = procs.find((p) => p.pid === Number(first!.pid))!;
    const survivor = procs.find((p) => p !== victim)!;
    const killedAt = Date.now();
    victim.child.kill('SIGKILL');
    await victim.exited;

    const done = Date.now() + 20_000;
    for (;;) {
      const states = await Promise.all(jobIds.map(async (id) => (await store.find(id))?.status));
      if (states.every((s) => s === 'SUCCESS')) break;
      if (Date.now() > done) throw new Error(`jobs not finished: ${states.join(', ')}\n${survivor.stderr.slice(-2000)}`);
      await sleep(50);
    }

    const runs = await k.selectFrom('xjob_test_runs').selectAll().orderBy('started_at').execute();
    const effects = await k.selectFrom('xjob_test_effects').selectAll().execute();
    assert.deepEqual(effects.map((e) => e.resource_id).sort(), ['res-0', 'res-1', 'res-2', 'res-3'], 'one effect per resource');
    const killedRuns = runs.filter((r) => Number(r.pid) === victim.pid);
    assert.ok(killedRuns.length >= 1, 'the victim was running a job');
    assert.ok(
      killedRuns.every((r) => r.finished_at === null),
      'the killed runs never finished',
    );
    for (const id of jobIds) {
      const mine = runs.filter((r) => r.job_id === id);
      const finished = mine.filter((r) => r.finished_at !== null);
      assert.equal(finished.length, 1, `job ${id} completed exactly once`);
      assert.equal(Number(finished[0].pid), survivor.pid);
      // Never two runs of one job at a time: each run starts after the previous one ended (or its process died).
      for (let i = 1; i < mine.length; i++) {
        const previousEnd = mine[i - 1].finished_at === null ? killedAt : Number(mine[i - 1].finished_at);
        assert.ok(Number(mine[i].started_at) >= previousEnd, `job ${id}: run ${i + 1} overlapped run ${i}`);
      }
      if (mine.some((r) => Number(r.pid) === victim.pid)) {
        const retry = finished[0];
        assert.equal(Number(retry.attempt), 2, 'the taken-over run is the second attempt');
        assert.ok(Number(retry.started_at) - killedAt >= (EXPIRE_S - 2 * HEARTBEAT_S) * 1000, 'taken over only after the claim expired');
        const events = (await store.history(id)).map((e) => e.event);
        assert.deepEqual(events, ['created', 'claimed', 'taken_over', 'succeeded']);
      }
    }
    assert.equal((await db.kysely.selectFrom('async_jobs').select('id').execute()).length, 0);
  });
});
