import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import * as amqp from 'amqplib';
import { silentLogger } from '../../src/common/logging.js';
import { migrateToLatest, openDatabase, type Db } from '../../src/db/index.js';
import { AmqpBus, amqpUrls, JobStore } from '../../src/xjob/index.js';
import { createScratchDatabase, unavailableReason, type ScratchDatabase } from '../support/databases.js';
import { startWorkerProcess, stopWorkerProcess, type WorkerProcess } from './fixtures/processes.js';
import { createTestTables, testTables } from './fixtures/testTables.js';

const AMQP_URL = process.env.TRICIRCLE_TEST_AMQP_URL;
const JOBS = 200;

/**
 * A TCP relay between the workers and the broker, so that the test can cut every connection at the
 * socket level (the broker sees the peer vanish, the client a reset) whenever it wants.
 */
class Relay {
  private server!: Server;
  private readonly pairs = new Set<[Socket, Socket]>();
  port = 0;
  constructor(private readonly target: { host: string; port: number }) {}
  async start(): Promise<void> {
    this.server = createServer((client) => {
      const upstream = connect(this.target.port, this.target.host);
      const pair: [Socket, Socket] = [client, upstream];
      this.pairs.add(pair);
      const drop = () => {
        this.pairs.delete(pair);
        client.destroy();
        upstream.destroy();
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
  }
  /** Resets every relayed connection; returns how many there were. */
  cut(): number {
    const n = this.pairs.size;
    for (const [client, upstream] of [...this.pairs]) {
      client.resetAndDestroy();
      upstream.resetAndDestroy();
    }
    this.pairs.clear();
    return n;
  }
  async close(): Promise<void> {
    this.cut();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

function run(cmd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) =>
    execFile(cmd, args, { timeout: 20_000 }, (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr })),
  );
}

/** Closes, from the broker's side, every connection whose client-given name `wanted` accepts; undefined when rabbitmqctl can not be used here. */
async function brokerCloseConnections(wanted: (name: string) => boolean): Promise<number | undefined> {
  // Table output: "<rabbit@host.N.M>\t[{"connection_name","..."},...]" per connection.
  const listed = await run('rabbitmqctl', ['list_connections', 'pid', 'client_properties', '-q', '-s']);
  if (listed.code !== 0) return undefined;
  const ours = listed.stdout
    .split('\n')
    .map((line) => /^(<[^>]+>)\t.*\{"connection_name","([^"]*)"\}/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null && wanted(m[2]))
    .map((m) => m[1]);
  const results = await Promise.all(ours.map((pid) => run('rabbitmqctl', ['close_connection', pid, 'xjob test: connection dropped on purpose'])));
  return results.filter((r) => r.code === 0).length;
}

const skip = AMQP_URL ? undefined : 'RabbitMQ test skipped: TRICIRCLE_TEST_AMQP_URL is not set';

describe('xjob over RabbitMQ: two worker processes, 200 jobs, connections dropped mid-run', skip ? { skip } : {}, () => {
  let scratch: ScratchDatabase;
  let db: Db;
  let relay: Relay;
  let procs: WorkerProcess[] = [];
  let publisher: AmqpBus | undefined;
  const tag = `xjobtest-${randomBytes(4).toString('hex')}`;
  const queue = `tricircle.xjob.${tag}`;

  before(async () => {
    // PostgreSQL when available (many writers), else a shared SQLite file.
    scratch = await createScratchDatabase(unavailableReason('postgres') === undefined ? 'postgres' : 'sqlite');
    db = openDatabase(scratch.url, { maxPoolSize: 4 });
    await migrateToLatest(db);
    await createTestTables(db);
    const broker = new URL(amqpUrls(AMQP_URL!)[0]);
    relay = new Relay({ host: broker.hostname, port: Number(broker.port || 5672) });
    await relay.start();
  });
  after(async () => {
    await Promise.all(procs.map((p) => stopWorkerProcess(p)));
    await publisher?.close();
    await relay?.close();
    await db?.close();
    await scratch?.drop();
    // The test's own queue goes away with the test.
    const conn = await amqp.connect(amqpUrls(AMQP_URL!)[0]).catch(() => undefined);
    if (conn) {
      const ch = await conn.createChannel();
      await ch.deleteQueue(queue).catch(() => undefined);
      await conn.close().catch(() => undefined);
    }
  });

  test('every job runs exactly once and none is lost', async (t) => {
    const broker = new URL(amqpUrls(AMQP_URL!)[0]);
    const relayed = `amqp://${broker.username}:${broker.password}@127.0.0.1:${relay.port}${broker.pathname}`;
    const env = {
      XJOB_TEST_DATABASE_URL: scratch.url,
      XJOB_TEST_TRANSPORT_URL: relayed.replace(/^amqp:/, 'rabbit:'),
      XJOB_TEST_QUEUE: queue,
      XJOB_TEST_SLEEP_MS: '15',
      XJOB_TEST_CONCURRENCY: '4',
      XJOB_TEST_EXPIRE: '10',
      XJOB_TEST_HEARTBEAT: '1',
      // Long on purpose: jobs are meant to be found through the bus; the scan only backs up lost hints.
      XJOB_TEST_SCAN: '4',
    };
    procs = await Promise.all([startWorkerProcess(env), startWorkerProcess(env)]);
    // Worker connections are named "tricircle-xjob <host>:<pid>".
    const ours = (name: string) => name.startsWith(`${tag}-`) || procs.some((p) => name.endsWith(`:${p.pid}`) && name.startsWith('tricircle-xjob '));
    publisher = new AmqpBus({ urls: amqpUrls(relayed), queue, prefetch: 1, logger: silentLogger, connectionName: `${tag}-publisher` });
    await publisher.start();
    assert.equal(publisher.connected, true);

    const store = new JobStore(db);
    const k = testTables(db);
    const ids: string[] = [];
    const started = Date.now();
    let brokerClosed: number | undefined;
    let cut = 0;
    for (let i = 0; i < JOBS; i++) {
      const { id } = await store.enqueue({ type: 'xjob_test', resourceId: `res-${i}`, projectId: 'p1' });
      ids.push(id);
      await publisher.publish([id]);
      if (i % 10 === 9) await sleep(40);
      if (i === 69) brokerClosed = await brokerCloseConnections(ours);
      if (i === 139) cut = relay.cut();
    }
    const end = Date.now() + 30_000;
    for (;;) {
      const left = await db.kysely
        .selectFrom('async_jobs')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      if (Number(left.n) === 0) break;
      if (Date.now() > end) throw new Error(`${left.n} jobs left\n${procs.map((p) => p.stderr.slice(-1500)).join('\n---\n')}`);
      await sleep(50);
    }
    const took = Date.now() - started;

    const runs = await k.selectFrom('xjob_test_runs').selectAll().execute();
    const effects = await k.selectFrom('xjob_test_effects').selectAll().execute();
    const perJob = new Map<string, number>();
    for (const r of runs) perJob.set(r.job_id, (perJob.get(r.job_id) ?? 0) + 1);
    assert.equal(perJob.size, JOBS, 'every job ran');
    assert.deepEqual(
      [...perJob.values()].filter((n) => n !== 1),
      [],
      'no job ran twice',
    );
    assert.ok(runs.every((r) => r.finished_at !== null));
    assert.equal(effects.length, JOBS);
    const succeeded = await db.kysely.selectFrom('async_job_logs').select('job_id').where('event', '=', 'succeeded').execute();
    assert.deepEqual(new Set(succeeded.map((s) => s.job_id)), new Set(ids));
    assert.ok(new Set(runs.map((r) => Number(r.pid))).size === 2, 'both worker processes ran jobs');

    // The drops really happened and every worker came back on the bus.
    assert.ok(cut >= 2, `the relay cut ${cut} connections`);
    if (brokerClosed === undefined) t.diagnostic('rabbitmqctl is not usable here: only the socket-level cut was exercised');
    else assert.ok(brokerClosed >= 2, `rabbitmqctl closed ${brokerClosed} connections`);
    const drops = (brokerClosed ? 1 : 0) + 1;
    for (const p of procs) {
      const reconnects = p.stderr.match(/"reconnected":true/g)?.length ?? 0;
      assert.ok(reconnects >= drops, `worker ${p.pid} reconnected ${reconnects} times (expected ${drops})\n${p.stderr.slice(-2000)}`);
    }
    t.diagnostic(`200 jobs done ${took} ms after the first was requested; rabbitmqctl closed ${brokerClosed ?? 'no'} connections, the relay cut ${cut}`);
    assert.ok(took < 25_000, `took ${took} ms`);
  });
});
