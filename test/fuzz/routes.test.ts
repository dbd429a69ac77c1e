import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import fc from 'fast-check';
import { sql } from 'kysely';
import { Agent } from 'undici';
import { startNovaEnv, type NovaEnv } from '../nova/support.js';
import { check, requestArb, type Route, routesOf, send, type Target, threadCpuSeconds } from './requests.js';

/**
 * Property-based fuzzing of every route the running services serve (derived from the apps' own route
 * tables): random and mutated bodies, paths, query strings, headers, methods and tokens. Properties:
 * no answer is a 5xx; every error body is in the service's upstream fault format; a 4xx writes
 * nothing (checked on batches of writing requests: the row counts of every table are unchanged when
 * every answer of the batch is a 4xx).
 *
 * The bulk is sent by worker threads over keep-alive connections, so the services (on the main thread)
 * and the client do not share one core. TRICIRCLE_FUZZ_REQUESTS sets how many requests are sent
 * (default 100,000; CI runs the default), TRICIRCLE_FUZZ_WORKERS how many client threads (default:
 * one fewer than the cores, at least one), TRICIRCLE_FUZZ_SEED the seed of the bulk.
 */
const TOTAL = Number(process.env.TRICIRCLE_FUZZ_REQUESTS ?? 100_000);
const WORKERS = Number(process.env.TRICIRCLE_FUZZ_WORKERS ?? Math.max(1, availableParallelism() - 1));
const CONCURRENCY = 32;
const WRITE_BATCH = 20;
const WRITE_BATCHES = Math.min(100, Math.ceil(TOTAL / 1000));

let env: NovaEnv;
let routes: Route[];
let target: Target;

before(async () => {
  env = await startNovaEnv({ withNeutron: true, services: ['cinder-apigw'], extra: { nova_apigw: { list_pod_timeout: 2 }, cinder_apigw: { list_pod_timeout: 2 } } });
  routes = Object.entries(env.tc.apps).flatMap(([service, app]) => routesOf(service, app.printRoutes({ commonPrefix: false })));
  target = { urls: { ...env.tc.urls } as Record<string, string>, tokens: { admin: env.tokens.admin, demo: env.tokens.demo } };
});
after(async () => {
  await env?.close();
});

/** Row counts of every table of the database, in one statement (the writes a request may have made). */
async function rowCounter(): Promise<() => Promise<Record<string, number>>> {
  const tables = (await env.tc.db.kysely.introspection.getTables()).map((t) => t.name).filter((n) => !n.startsWith('tricircle_migrations'));
  const query = sql<Record<string, number>>`select ${sql.join(tables.map((t) => sql`(select count(*) from ${sql.table(t)}) as ${sql.id(t)}`))}`;
  return async () => {
    const { rows } = await query.execute(env.tc.db.kysely);
    return Object.fromEntries(Object.entries(rows[0]).map(([t, n]) => [t, Number(n)]));
  };
}

function runWorker(total: number, seed: number): Promise<{ sent: number; byStatus: [number, number][]; cpuSeconds?: number }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./worker.js', import.meta.url), { workerData: { target, routes, total, seed, concurrency: CONCURRENCY } });
    let settled = false;
    worker.once('message', (m: { sent: number; byStatus: [number, number][]; cpuSeconds?: number; error?: string }) => {
      settled = true;
      if (m.error) reject(new Error(m.error));
      else resolve(m);
    });
    worker.once('error', (err) => {
      settled = true;
      reject(err);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`fuzz worker exited with ${code} before reporting`));
    });
  });
}

test('every served route: no 5xx, upstream fault bodies, nothing written on a 4xx', { timeout: 40 * 60_000 }, async () => {
  assert.ok(routes.length > 150, `routes found: ${routes.length}`);
  const byStatus = new Map<number, number>();
  const started = Date.now();

  // Batches of writing requests (never GET or HEAD): when every answer is a 4xx, every table keeps its row count.
  const counts = await rowCounter();
  const arbs = routes.map((r) => requestArb(r));
  const writing = fc
    .integer({ min: 0, max: routes.length - 1 })
    .chain((i) => fc.tuple(fc.constant(routes[i]), arbs[i]))
    .filter(([, spec]) => spec.method !== 'GET' && spec.method !== 'HEAD');
  const agent = new Agent({ connections: WRITE_BATCH, pipelining: 1 });
  let writeChecked = 0;
  let writeSent = 0;
  try {
    for (let b = 0; b < WRITE_BATCHES; b++) {
      const batch = fc.sample(writing, { numRuns: WRITE_BATCH, seed: 12 + b });
      const before = await counts();
      const answers = await Promise.all(batch.map(([route, spec]) => send(target, agent, route, spec)));
      writeSent += batch.length;
      for (const [k, [route, spec]] of batch.entries()) check(route, spec, answers[k], byStatus);
      // A batch with an accepted request may write; only all-4xx batches say something about writes.
      if (answers.some((a) => a.status < 400)) continue;
      const afterCounts = await counts();
      for (const [table, n] of Object.entries(before))
        assert.equal(
          afterCounts[table],
          n,
          `${table} changed in a batch of 4xx: ${batch.map(([r, s], k) => `${r.service} ${answers[k].url} body=${String(s.body).slice(0, 100)}`).join('; ')}`,
        );
      writeChecked += batch.length;
    }
  } finally {
    await agent.close();
  }

  // The bulk: every route in turn, random requests, from worker threads.
  const seed = Number(process.env.TRICIRCLE_FUZZ_SEED ?? Date.now() % 100_000);
  const bulkStarted = Date.now();
  const serviceCpu0 = threadCpuSeconds();
  const shares = Array.from({ length: WORKERS }, (_, w) => Math.floor(TOTAL / WORKERS) + (w < TOTAL % WORKERS ? 1 : 0));
  const results = await Promise.all(shares.map((n, w) => runWorker(n, seed + w * 1_000_003)));
  const serviceCpu1 = threadCpuSeconds();
  const bulkSeconds = (Date.now() - bulkStarted) / 1000;
  let sent = 0;
  let clientCpu = 0;
  for (const r of results) {
    clientCpu += r.cpuSeconds ?? Number.NaN;
    sent += r.sent;
    for (const [code, n] of r.byStatus) byStatus.set(code, (byStatus.get(code) ?? 0) + n);
  }
  const seconds = (Date.now() - started) / 1000;
  const codes = [...byStatus.entries()]
    .sort(([a], [b]) => a - b)
    .map(([c, n]) => `${c}:${n}`)
    .join(' ');
  // The figures the issue asks for, in the test output; CPU seconds of the bulk per side say what it costs
  // whatever else the machine is running (the services and simulated pods share the main thread).
  const serviceCpu = serviceCpu0 !== undefined && serviceCpu1 !== undefined ? (serviceCpu1 - serviceCpu0).toFixed(1) : '?';
  process.stdout.write(
    `# fuzz: ${sent + writeSent} requests over ${routes.length} routes in ${seconds.toFixed(1)} s (seed ${seed}, ${WORKERS} client threads); ${writeChecked} 4xx checked for writes in batches of ${WRITE_BATCH}; statuses ${codes}\n` +
      `# fuzz bulk: ${sent} requests in ${bulkSeconds.toFixed(1)} s; CPU seconds: services ${serviceCpu}, clients ${clientCpu.toFixed(1)}\n`,
  );
  assert.ok(sent >= TOTAL);
});
