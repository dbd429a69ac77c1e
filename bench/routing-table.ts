// Benchmark: the routing-table lookups of the show paths at a small table (--small rows, 1k) vs a
// large one (--rows, 1M by default; 10M is the target and fits only with time to spare).
//
//   node dist/bench/routing-table.js [--rows 1000000] [--small 1000] [--rounds 5] [--lookups 300]
//
// Rows are inserted through the schema (Kysely batch inserts into migrated databases), not through
// the API; a SQLite table above 100k rows is filled with one prepared insert with its indexes
// dropped and re-created from their own SQL afterwards (same schema, minutes instead of hours). SQLite by default: two database files, one per size, measured in interleaved rounds (each
// round times every lookup on the small table, then on the large one), so load changes hit both
// sides. With TRICIRCLE_BENCH_POSTGRES_URL set, PostgreSQL: one database, so the sizes are measured
// one after the other (small first, then the table is grown to --rows) and the output says so.
//
// Measured, each through RoutingTable as the services call it (median µs per call, ratio large/small
// with the spread over rounds):
//  - volume show: the route of the volume (findByTop) plus the pod's volume-type map (topIdsByBottom);
//  - volume-type map alone (read per Cinder response today);
//  - server show: the route of the server (findByTop);
//  - "which pods hold this tenant's servers" (podIdsHolding) for a tenant with 20 % of all servers.
// Prints one JSON object (the runner, bench/run.ts, reads it).
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import SqliteDatabase from 'better-sqlite3';
import { migrateToLatest, openDatabase, type Db } from '../src/db/index.js';
import { RoutingTable } from '../src/routing/index.js';

const { values: args } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    small: { type: 'string', default: '1000' },
    rounds: { type: 'string', default: '5' },
    lookups: { type: 'string', default: '300' },
  },
});
const ROWS = Number(args.rows);
const SMALL = Number(args.small);
const ROUNDS = Number(args.rounds);
const LOOKUPS = Number(args.lookups);
const PG_URL = process.env.TRICIRCLE_BENCH_POSTGRES_URL;
const PODS = 10;
const PROJECTS = 100;
const BIG_TENANT = 'tenant-big';
const BATCH = 1000;

let seed = 7;
const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
const podId = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;

interface Sample {
  volumes: string[];
  servers: string[];
}

/** The row mix of a cloud: servers, ports, volumes, networks, and 5 volume types per pod. */
function rowFor(i: number, now: number) {
  const r = rand();
  const type = r < 0.4 ? 'server' : r < 0.6 ? 'port' : r < 0.9 ? 'volume' : r < 0.95 ? 'network' : 'subnet';
  const project = type === 'server' && rand() < 0.5 ? BIG_TENANT : `tenant-${Math.floor(rand() * PROJECTS)}`;
  const id = randomUUID();
  return { top_id: id, bottom_id: id, pod_id: podId(i % PODS), project_id: project, resource_type: type, intent: null, created_at: now, updated_at: now };
}

async function prepare(db: Db): Promise<void> {
  await migrateToLatest(db);
  const now = Date.now();
  await db.kysely.deleteFrom('resource_routings').execute();
  await db.kysely.deleteFrom('pods').execute();
  await db.kysely
    .insertInto('pods')
    .values(
      Array.from({ length: PODS }, (_, i) => ({
        id: podId(i),
        region_name: `Pod${i}`,
        az_name: `az${i}`,
        pod_az_name: `az${i}`,
        dc_name: '',
        disabled: 0,
        health: 'ok',
        top_marker: null,
        created_at: now,
        updated_at: now,
      })),
    )
    .execute();
  const types = [];
  for (let p = 0; p < PODS; p++)
    for (let t = 0; t < 5; t++)
      types.push({
        top_id: `top-type-${t}`,
        bottom_id: randomUUID(),
        pod_id: podId(p),
        project_id: 'admin',
        resource_type: 'volume_type',
        intent: null,
        created_at: now,
        updated_at: now,
      });
  await db.kysely.insertInto('resource_routings').values(types).execute();
}

/** Adds rows until the table holds `target` of the mixed kind; keeps a sample of ids to look up. */
async function fill(db: Db, from: number, target: number, sample: Sample): Promise<void> {
  const now = Date.now();
  for (let start = from; start < target; start += BATCH * 100) {
    await db.kysely.transaction().execute(async (trx) => {
      for (let b = start; b < Math.min(target, start + BATCH * 100); b += BATCH) {
        const rows = Array.from({ length: Math.min(BATCH, target - b) }, (_, k) => rowFor(b + k, now));
        for (const row of rows) {
          const list = row.resource_type === 'volume' ? sample.volumes : row.resource_type === 'server' ? sample.servers : undefined;
          if (list && list.length < 5000 && rand() < 0.05) list.push(row.top_id);
        }
        await trx.insertInto('resource_routings').values(rows).execute();
      }
    });
  }
}

/**
 * The SQLite fill for large tables: the same rows into the same migrated schema, but through one
 * prepared insert in large transactions with the table's secondary indexes dropped first and then
 * re-created from their own saved SQL (so the schema is exactly the migrated one). Building an index
 * once over sorted keys is far cheaper than 10M random B-tree inserts (the Kysely fill ran at about
 * 1.5k rows/s on the loaded development machine, i.e. ~2 h for 10M rows).
 */
function bulkFillSqlite(file: string, target: number, sample: Sample): void {
  const raw = new SqliteDatabase(file);
  try {
    raw.pragma('journal_mode = WAL');
    raw.pragma('synchronous = OFF');
    const indexes = raw.prepare("select name, sql from sqlite_master where type = 'index' and tbl_name = 'resource_routings' and sql is not null").all() as {
      name: string;
      sql: string;
    }[];
    for (const ix of indexes) raw.exec(`drop index "${ix.name}"`);
    const insert = raw.prepare(
      'insert into resource_routings (top_id, bottom_id, pod_id, project_id, resource_type, intent, created_at, updated_at) values (@top_id, @bottom_id, @pod_id, @project_id, @resource_type, @intent, @created_at, @updated_at)',
    );
    const now = Date.now();
    const chunk = raw.transaction((from: number, to: number) => {
      for (let i = from; i < to; i++) {
        const row = rowFor(i, now);
        const list = row.resource_type === 'volume' ? sample.volumes : row.resource_type === 'server' ? sample.servers : undefined;
        if (list && list.length < 5000 && rand() < 0.05) list.push(row.top_id);
        insert.run(row);
      }
    });
    for (let start = 0; start < target; start += 100_000) chunk(start, Math.min(target, start + 100_000));
    for (const ix of indexes) raw.exec(ix.sql);
  } finally {
    raw.close();
  }
}

type Op = (rt: RoutingTable, s: Sample, i: number) => Promise<unknown>;
const OPS: Record<string, Op> = {
  'volume show (route + volume-type map)': async (rt, s, i) => {
    const vol = s.volumes[i % s.volumes.length];
    const [route] = await rt.findByTop(vol, 'volume');
    return rt.topIdsByBottom({ resourceTypes: ['volume_type'], podIds: [route!.podId] });
  },
  'volume-type map of a pod': (rt, _s, i) => rt.topIdsByBottom({ resourceTypes: ['volume_type'], podIds: [podId(i % PODS)] }),
  'server show (route)': (rt, s, i) => rt.findByTop(s.servers[i % s.servers.length], 'server'),
  "pods holding a tenant's servers": (rt) => rt.podIdsHolding('server', { projectId: BIG_TENANT }),
};

async function timeOp(rt: RoutingTable, s: Sample, op: Op, n: number): Promise<number> {
  const xs: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await op(rt, s, i * 7919);
    xs.push(performance.now() - t);
  }
  xs.sort((a, b) => a - b);
  return xs[Math.floor(xs.length / 2)] * 1000;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const loadBefore = loadavg();
  const dir = mkdtempSync(join(tmpdir(), 'routing-bench-'));
  const small: Sample = { volumes: [], servers: [] };
  const large: Sample = { volumes: [], servers: [] };
  // per op: per round µs for each side
  const results: Record<string, { small: number[]; large: number[] }> = {};
  for (const name of Object.keys(OPS)) results[name] = { small: [], large: [] };
  const fillStarted = performance.now();
  let fillSeconds = 0;
  try {
    if (!PG_URL) {
      const dbSmall = openDatabase(`sqlite:///${join(dir, 'small.sqlite')}`);
      const dbLarge = openDatabase(`sqlite:///${join(dir, 'large.sqlite')}`);
      try {
        await prepare(dbSmall);
        await prepare(dbLarge);
        await fill(dbSmall, 0, SMALL, small);
        if (ROWS > 100_000) bulkFillSqlite(join(dir, 'large.sqlite'), ROWS, large);
        else await fill(dbLarge, 0, ROWS, large);
        fillSeconds = (performance.now() - fillStarted) / 1000;
        const rtSmall = new RoutingTable(dbSmall);
        const rtLarge = new RoutingTable(dbLarge);
        for (const op of Object.values(OPS)) await timeOp(rtLarge, large, op, 20); // warm the page cache
        for (let round = 0; round < ROUNDS; round++) {
          for (const [name, op] of Object.entries(OPS)) {
            results[name].small.push(await timeOp(rtSmall, small, op, LOOKUPS));
            results[name].large.push(await timeOp(rtLarge, large, op, LOOKUPS));
          }
        }
      } finally {
        await dbSmall.close();
        await dbLarge.close();
      }
    } else {
      const db = openDatabase(PG_URL);
      try {
        await prepare(db);
        await fill(db, 0, SMALL, small);
        const rt = new RoutingTable(db);
        for (let round = 0; round < ROUNDS; round++) for (const [name, op] of Object.entries(OPS)) results[name].small.push(await timeOp(rt, small, op, LOOKUPS));
        large.volumes.push(...small.volumes);
        large.servers.push(...small.servers);
        await fill(db, SMALL, ROWS, large);
        fillSeconds = (performance.now() - fillStarted) / 1000;
        await sql`ANALYZE resource_routings`.execute(db.kysely);
        for (let round = 0; round < ROUNDS; round++) for (const [name, op] of Object.entries(OPS)) results[name].large.push(await timeOp(rt, large, op, LOOKUPS));
        await prepare(db); // leave the database small again
      } finally {
        await db.close();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const ops: Record<string, unknown> = {};
  for (const [name, r] of Object.entries(results)) {
    const ratios = r.small.map((s, i) => r.large[i] / s);
    ops[name] = {
      smallUs: Number(median(r.small).toFixed(1)),
      largeUs: Number(median(r.large).toFixed(1)),
      ratio: Number(median(ratios).toFixed(2)),
      ratioMin: Number(Math.min(...ratios).toFixed(2)),
      ratioMax: Number(Math.max(...ratios).toFixed(2)),
    };
  }
  console.log(
    JSON.stringify(
      {
        machine: `${cpus().length} CPUs (${cpus()[0]?.model.trim()}), Node ${process.version}`,
        database: PG_URL ? 'postgres (sizes measured one after the other)' : 'sqlite (two files, interleaved rounds)',
        rows: { small: SMALL, large: ROWS },
        rounds: ROUNDS,
        lookupsPerRound: LOOKUPS,
        fillSeconds: Number(fillSeconds.toFixed(1)),
        loadavg: {
          before: loadBefore.map((x) => x.toFixed(1)).join(' '),
          after: loadavg()
            .map((x) => x.toFixed(1))
            .join(' '),
        },
        ops,
      },
      null,
      2,
    ),
  );
}

await main();
