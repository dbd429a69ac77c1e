import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { silentLogger } from '../../src/common/logging.js';
import { migrateToLatest, openDatabase, type Db } from '../../src/db/index.js';
import { PodHealer, PodRegistry, type Pod } from '../../src/pods/index.js';
import { JobRegistry, JobService, JobStore, JobWorker, MemoryBus, type XjobSettings } from '../../src/xjob/index.js';
import { createScratchDatabase, describeEachDatabase, type ScratchDatabase } from '../support/databases.js';

const SETTINGS: XjobSettings = {
  transportUrl: '',
  queue: 'unused',
  concurrency: 2,
  heartbeatMs: 100,
  expireMs: 3000,
  maxAttempts: 1,
  // After its failed run a job would wait a minute: only waking it can make it run sooner.
  backoffBaseMs: 60_000,
  backoffCapMs: 60_000,
  scanIntervalMs: 200,
  shutdownGraceMs: 200,
  logRetentionMs: 0,
  retryWindowMs: 172_800_000,
  healIntervalMs: 0,
};

async function until(what: string, check: () => Promise<boolean> | boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** Jobs heal: failing jobs keep being retried within the window, and run at once when a pod returns. */
describeEachDatabase('jobs heal when a pod returns', (dialect) => {
  let scratch: ScratchDatabase;
  let db: Db;
  let workers: JobWorker[] = [];
  let podDown = true;
  let runs = 0;

  before(async () => {
    scratch = await createScratchDatabase(dialect);
    db = openDatabase(scratch.url, { maxPoolSize: 8 });
    await migrateToLatest(db);
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

  function service(settings: Partial<XjobSettings>): JobService {
    const registry = new JobRegistry();
    registry.register('test_needs_pod', {
      resourceSchema: ['router_id'],
      async run() {
        runs++;
        if (podDown) throw new Error('pod unreachable');
      },
    });
    const bus = new MemoryBus();
    const store = new JobStore(db);
    const s = { ...SETTINGS, ...settings };
    const jobs = new JobService(db, store, registry, bus, s, silentLogger);
    const w = new JobWorker({ store, registry, bus, logger: silentLogger, settings: s, submit: (r) => jobs.submit(r) });
    workers.push(w);
    void w.start();
    return jobs;
  }

  const statusOf = async (id: string) =>
    (await db.kysely.selectFrom('async_jobs').select(['status', 'attempts']).where('id', '=', id).executeTakeFirst()) ?? { status: 'SUCCESS', attempts: 0 };

  for (const mode of ['within the retry window (still NEW)', 'after the window (FAIL)'] as const) {
    test(`a job that failed while its pod was down runs at once when the pod returns: ${mode}`, async () => {
      podDown = true;
      runs = 0;
      const jobs = service({ retryWindowMs: mode.startsWith('within') ? 172_800_000 : 0 });
      const id = await jobs.submit({ type: 'test_needs_pod', projectId: 'p', resource: { router_id: 'r1' } });
      await until('its run failed', async () => runs >= 1 && (await statusOf(id)).status !== 'RUNNING');
      await sleep(300);
      const waiting = await statusOf(id);
      assert.equal(waiting.status, mode.startsWith('within') ? 'NEW' : 'FAIL');
      assert.equal(runs, 1, 'no run before the backoff delay');

      // The pod comes back; the healer notices (probe answers) and wakes the jobs.
      const pods = new PodRegistry(db);
      const pod = await pods.create({ regionName: `Pod-${mode.length}`, azName: 'az1' });
      await pods.setHealth(pod.id, 'down');
      const came: string[] = [];
      const healer = new PodHealer({
        intervalMs: 1000,
        listPods: () => pods.list(),
        probe: async () => !podDown,
        onUp: async (p: Pod) => {
          came.push(p.regionName);
          await jobs.wakeWaiting();
        },
      });
      await healer.tick();
      assert.deepEqual(came, [], 'the first round only learns the states');
      podDown = false;
      await healer.tick();
      assert.deepEqual(came, [pod.regionName]);
      await healer.tick();
      assert.equal(came.length, 1, 'one return, one wake-up');
      await until('the job succeeded', async () => (await db.kysely.selectFrom('async_jobs').select('id').where('id', '=', id).executeTakeFirst()) === undefined, 5000);
      assert.equal(runs, 2);
      await pods.delete(pod.id);
    });
  }
});
