import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { migrateToLatest, openDatabase, type Db } from '../../src/db/index.js';
import { enqueueJob, inTransaction, JobLostError, JobStateError, JobStore, retryDelay, type ClaimedJob } from '../../src/xjob/index.js';
import { composeResourceId, jobKey, parseResourceId } from '../../src/xjob/keys.js';
import { createScratchDatabase, describeEachDatabase, type ScratchDatabase } from '../support/databases.js';

const TYPES = ['test_a', 'test_b'];
const claimOpts = { types: TYPES, expireMs: 60_000, maxAttempts: () => 3 };

describe('job protocol helpers', () => {
  test('retry delay doubles from the base up to the cap, jitter only shortens it', () => {
    const opts = { baseMs: 1000, capMs: 10_000, random: () => 0 };
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6].map((a) => retryDelay(a, opts)),
      [1000, 2000, 4000, 8000, 10_000, 10_000],
    );
    assert.equal(retryDelay(3, { ...opts, random: () => 1, jitter: 0.2 }), 3200);
    assert.equal(retryDelay(1000, { baseMs: 1000, capMs: 300_000 }) <= 300_000, true, 'no overflow for large attempt numbers');
  });
  test('composite resource ids', () => {
    assert.equal(composeResourceId(['pod_id', 'router_id'], { pod_id: 'p', router_id: 'r' }), 'p#r');
    assert.deepEqual(parseResourceId(['pod_id', 'router_id', 'net_id'], 'p#r#n'), { pod_id: 'p', router_id: 'r', net_id: 'n' });
    assert.throws(() => composeResourceId(['id'], { id: 'a#b' }), /must not contain/);
    assert.throws(() => composeResourceId(['id'], {}), /non-empty/);
    assert.equal(jobKey('a', 'b').length, 64);
    assert.notEqual(jobKey('a', 'b'), jobKey('a\nb', ''));
  });
});

describeEachDatabase('job store', (dialect) => {
  let scratch: ScratchDatabase;
  let db: Db;
  let store: JobStore;
  let seq = 0;
  const rid = () => `res-${++seq}`;

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
  beforeEach(async () => {
    await db.kysely.deleteFrom('async_jobs').execute();
  });

  const enqueue = (type: string, resourceId: string, projectId = 'p1') => store.enqueue({ type, resourceId, projectId });
  const claim = (worker: string, opts = claimOpts) => store.claim(worker, opts);
  const rows = () => db.kysely.selectFrom('async_jobs').selectAll().orderBy('created_at').execute();
  const age = async (column: 'heartbeat_at' | 'run_after', ms: number) =>
    db.kysely
      .updateTable('async_jobs')
      .set({ [column]: sql`${sql.ref(column)} - ${ms}` } as never)
      .execute();

  test('a request while one waits coalesces into it; other resources and types get their own job', async () => {
    const r = rid();
    const first = await enqueue('test_a', r);
    assert.equal(first.created, true);
    const again = await enqueue('test_a', r);
    assert.deepEqual(again, { id: first.id, created: false });
    const other = await enqueue('test_a', rid());
    const otherType = await enqueue('test_b', r);
    assert.notEqual(other.id, first.id);
    assert.notEqual(otherType.id, first.id);
    assert.equal((await rows()).length, 3);
    const log = await store.history(first.id);
    assert.deepEqual(
      log.map((e) => e.event),
      ['created'],
      'a coalesced request adds no log entry',
    );
  });

  test("the job row is part of the caller's transaction", async () => {
    const r = rid();
    await assert.rejects(
      inTransaction(db, async (trx) => {
        await enqueueJob(trx, { type: 'test_a', resourceId: r, projectId: 'p1' });
        throw new Error('the change failed');
      }),
      /the change failed/,
    );
    assert.equal((await rows()).length, 0);
    const id = await inTransaction(db, async (trx) => (await enqueueJob(trx, { type: 'test_a', resourceId: r, projectId: 'p1' })).id);
    assert.equal((await store.get(id)).status, 'NEW');
  });

  test('concurrent requests for one resource leave exactly one waiting job', async () => {
    const r = rid();
    const results = await Promise.all(Array.from({ length: 8 }, () => enqueue('test_a', r)));
    assert.equal(new Set(results.map((x) => x.id)).size, 1);
    assert.equal(results.filter((x) => x.created).length, 1);
  });

  test('many workers claiming at once: every job is claimed by exactly one of them', async () => {
    for (let i = 0; i < 6; i++) await enqueue('test_a', rid());
    const claims = await Promise.all(Array.from({ length: 10 }, (_, i) => claim(`w${i}`)));
    const won = claims.filter((c): c is ClaimedJob => c !== undefined);
    assert.equal(won.length, 6);
    assert.equal(new Set(won.map((c) => c.id)).size, 6);
    assert.ok(won.every((c) => c.attempt === 1));
    const running = (await rows()).filter((r) => r.status === 'RUNNING');
    assert.equal(running.length, 6);
    assert.equal(await claim('late'), undefined);
  });

  test('one running job per (type, resource): a newer request waits and runs after, on the latest state', async () => {
    const r = rid();
    const { id } = await enqueue('test_a', r);
    const first = (await claim('w1'))!;
    assert.equal(first.id, id);
    const second = await enqueue('test_a', r);
    assert.equal(second.created, true, 'a request while one runs is a new job');
    const third = await enqueue('test_a', r);
    assert.equal(third.id, second.id, 'and later ones coalesce into it');
    assert.equal(await claim('w2'), undefined, 'not while the first runs');
    const due = await store.nextDueIn(TYPES, 60_000);
    assert.ok(due !== undefined && due > 50_000, `a job waiting behind a running one is not due (${due})`);
    // The running-lock key is unique: forcing the waiting row to RUNNING for the same resource fails.
    await assert.rejects(
      db.kysely
        .updateTable('async_jobs')
        .set({ status: 'RUNNING', run_lock: jobKey('test_a', r), pending_key: null })
        .where('id', '=', second.id)
        .execute(),
    );
    await store.succeed(first, 'w1');
    const next = (await claim('w2'))!;
    assert.equal(next.id, second.id);
    await store.succeed(next, 'w2');
    assert.equal((await rows()).length, 0);
  });

  test('success moves the job to the log, where show and list still find it', async () => {
    const { id } = await enqueue('test_b', rid(), 'proj-x');
    const job = (await claim('w1'))!;
    await store.succeed(job, 'w1');
    const shown = await store.get(id);
    assert.equal(shown.status, 'SUCCESS');
    assert.equal(shown.fromLog, true);
    assert.equal(shown.worker, 'w1');
    assert.deepEqual(
      (await store.history(id)).map((e) => e.event),
      ['created', 'claimed', 'succeeded'],
    );
    const listed = await store.list({ status: 'SUCCESS', projectId: 'proj-x' }, { limit: 10 });
    assert.deepEqual(
      listed.map((j) => j.id),
      [id],
    );
    await assert.rejects(store.remove(id), JobStateError);
    await assert.rejects(store.redo(id), JobStateError);
  });

  test('a failed run is retried after the backoff, then marked FAIL after the last attempt', async () => {
    const r = rid();
    const { id } = await enqueue('test_a', r);
    const run1 = (await claim('w1'))!;
    await store.fail(run1, 'w1', 'pod unreachable', { final: false, delayMs: 60_000 });
    let row = await store.get(id);
    assert.equal(row.status, 'NEW');
    assert.equal(row.attempts, 1);
    assert.equal(row.lastError, 'pod unreachable');
    assert.ok(row.runAfter! - row.updatedAt >= 59_000, 'run_after is the backoff ahead on the database clock');
    assert.equal(await claim('w1'), undefined, 'not before the backoff elapsed');
    const due = await store.nextDueIn(TYPES, 60_000);
    assert.ok(due !== undefined && due > 50_000 && due <= 60_000, `next due in ${due}`);
    await age('run_after', 61_000);
    const run2 = (await claim('w2'))!;
    assert.equal(run2.attempt, 2);
    await store.fail(run2, 'w2', 'still unreachable', { final: true, delayMs: 0 });
    row = await store.get(id);
    assert.equal(row.status, 'FAIL');
    assert.equal(await claim('w3'), undefined, 'FAIL jobs are not picked up');
    // A new request for the resource is a new job; the FAIL one stays until redone, deleted or covered.
    const fresh = await enqueue('test_a', r);
    assert.notEqual(fresh.id, id);
    assert.deepEqual(
      (await store.history(id)).map((e) => e.event),
      ['created', 'claimed', 'retry', 'claimed', 'failed'],
    );
  });

  test('a success covers older FAIL jobs of the same resource', async () => {
    const r = rid();
    const { id: failed } = await enqueue('test_a', r);
    await store.fail((await claim('w1'))!, 'w1', 'boom', { final: true, delayMs: 0 });
    await enqueue('test_a', r);
    const run = (await claim('w1'))!;
    await store.succeed(run, 'w1');
    assert.equal((await rows()).length, 0);
    assert.deepEqual((await store.history(failed)).map((e) => e.event).at(-1), 'superseded');
  });

  test('redo and delete: FAIL and NEW only', async () => {
    const r = rid();
    const { id } = await enqueue('test_a', r);
    await store.fail((await claim('w1'))!, 'w1', 'boom', { final: true, delayMs: 0 });
    const redone = await store.redo(id);
    assert.equal(redone.id, id);
    assert.equal(redone.status, 'NEW');
    assert.equal(redone.attempts, 0);
    const running = (await claim('w1'))!;
    await assert.rejects(store.redo(id), /running/);
    await assert.rejects(store.remove(id), /running/);
    await store.fail(running, 'w1', 'boom', { final: true, delayMs: 0 });
    // A FAIL job redone while a newer request waits merges into that request.
    const waiting = await enqueue('test_a', r);
    const merged = await store.redo(id);
    assert.equal(merged.id, waiting.id);
    await assert.rejects(store.get(id), /could not be found/);
    await store.remove(waiting.id);
    assert.equal((await rows()).length, 0);
    assert.equal((await store.history(waiting.id)).at(-1)!.event, 'deleted');
    await assert.rejects(store.remove('no-such-job'), /could not be found/);
  });

  test('a running job whose worker stopped heartbeating expires and is taken over; the old claim is void', async () => {
    const { id } = await enqueue('test_a', rid());
    const old = (await claim('w-dead'))!;
    assert.equal(await store.heartbeat(old), true);
    assert.equal(await claim('w2'), undefined, 'a fresh heartbeat keeps it');
    await age('heartbeat_at', 61_000);
    const taken = (await claim('w2'))!;
    assert.equal(taken.id, id);
    assert.equal(taken.attempt, 2);
    assert.equal(await store.heartbeat(old), false, "the dead worker's heartbeat finds its claim gone");
    await assert.rejects(store.succeed(old, 'w-dead'), JobLostError);
    await assert.rejects(store.fail(old, 'w-dead', 'x', { final: false, delayMs: 0 }), JobLostError);
    await store.succeed(taken, 'w2');
    const events = (await store.history(id)).map((e) => `${e.event}:${e.worker ?? ''}`);
    assert.deepEqual(events, ['created:', 'claimed:w-dead', 'taken_over:w2', 'succeeded:w2']);
  });

  test('an expired job that used up its attempts is marked FAIL instead', async () => {
    const { id } = await enqueue('test_a', rid());
    await claim('w1', { ...claimOpts, maxAttempts: () => 1 });
    await age('heartbeat_at', 61_000);
    assert.equal(await claim('w2', { ...claimOpts, maxAttempts: () => 1 }), undefined);
    const row = await store.get(id);
    assert.equal(row.status, 'FAIL');
    assert.match(row.lastError!, /sent no heartbeat/);
  });

  test('a failure while a newer request waits merges into it (attempts and backoff carried over)', async () => {
    const r = rid();
    await enqueue('test_a', r);
    const run = (await claim('w1'))!;
    const waiting = await enqueue('test_a', r);
    await store.fail(run, 'w1', 'boom', { final: false, delayMs: 30_000 });
    const all = await rows();
    assert.equal(all.length, 1);
    assert.equal(all[0].id, waiting.id);
    assert.equal(Number(all[0].attempts), 1);
    assert.ok(Number(all[0].run_after) - Number(all[0].updated_at) >= 29_000);
    assert.equal((await store.history(run.id)).at(-1)!.event, 'merged');
  });

  test('a released job is NEW again at once and the run is not counted', async () => {
    const { id } = await enqueue('test_a', rid());
    const run = (await claim('w1'))!;
    await store.release(run, 'w1');
    const row = await store.get(id);
    assert.equal(row.status, 'NEW');
    assert.equal(row.attempts, 0);
    assert.equal((await claim('w2'))!.attempt, 1);
  });

  test('only the registered types are claimed', async () => {
    await enqueue('other_type', rid());
    assert.equal(await claim('w1'), undefined);
    assert.equal((await claim('w1', { ...claimOpts, types: ['other_type'] }))!.type, 'other_type');
  });

  test('list: filters, newest first, pages across the job table and the log', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push((await enqueue('test_a', rid(), 'p-list')).id);
    for (let i = 0; i < 3; i++) {
      await enqueue('test_b', `done-${i}-${rid()}`, 'p-list');
      await store.succeed((await claim('w1', { ...claimOpts, types: ['test_b'] }))!, 'w1');
    }
    const seen: string[] = [];
    let marker: string | undefined;
    for (;;) {
      const page = await store.list({ projectId: 'p-list' }, { limit: 3, marker });
      seen.push(...page.map((j) => j.id));
      if (page.length < 3) break;
      marker = page[page.length - 1].id;
    }
    assert.equal(seen.length, 7);
    assert.equal(new Set(seen).size, 7);
    const statuses = (await store.list({ projectId: 'p-list' }, { limit: 10 })).map((j) => j.status);
    assert.deepEqual(statuses, ['NEW', 'NEW', 'NEW', 'NEW', 'SUCCESS', 'SUCCESS', 'SUCCESS']);
    assert.equal((await store.list({ projectId: 'p-list', type: 'test_a', status: 'NEW' }, { limit: 10 })).length, 4);
    await assert.rejects(store.list({}, { limit: 10, marker: 'nope' }), /Marker nope could not be found/);
  });

  test('stats count jobs per status and the age of the oldest', async () => {
    await enqueue('test_a', rid());
    await enqueue('test_a', rid());
    await claim('w1');
    const stats = await store.stats();
    assert.equal(stats.find((s) => s.status === 'NEW')?.count, 1);
    assert.equal(stats.find((s) => s.status === 'RUNNING')?.count, 1);
    assert.ok(stats.every((s) => s.oldestAgeMs >= 0 && s.oldestAgeMs < 60_000));
  });
});
