// The benchmark suite: every benchmark in bench/, compiled (run `npm run build` first; `npm run
// bench` does), in interleaved rounds, with the machine and the load average recorded, results
// written to bench/results/suite-<profile>.md (or --out).
//
//   npm run bench                       # quick profile (a few minutes)
//   npm run bench -- --full             # full profile (about an hour; 10M routing rows)
//   node dist/bench/run.js [--quick|--full] [--rounds N] [--only routing-table,nova-gateway] [--out file.md]
//
// Rounds are interleaved: round 1 runs every benchmark once, then round 2 runs every benchmark
// again, and so on, so a change in the machine's load lands on all of them rather than on one.
// Each benchmark itself compares its two sides (gateway vs direct, 1k vs N rows) inside one run;
// the suite reports, for each figure, the median over rounds and the spread (min–max).
// SQLite by default; with TRICIRCLE_BENCH_POSTGRES_URL set, the gateway and routing benchmarks use
// that PostgreSQL database instead.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    full: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    only: { type: 'string' },
    out: { type: 'string' },
  },
});
const profile = args.full ? 'full' : 'quick';
const here = dirname(fileURLToPath(import.meta.url)); // dist/bench
const root = join(here, '..', '..');

interface Bench {
  name: string;
  what: string;
  args: { quick: string[]; full: string[] };
  /** Figures read from the benchmark's JSON output: label → path in the object. */
  figures?: Record<string, string>;
}

const ROUTING_OPS = ['volume show (route + volume-type map)', 'volume-type map of a pod', 'server show (route)', "pods holding a tenant's servers"];

const BENCHES: Bench[] = [
  {
    name: 'routing-table',
    what: 'routing lookups of the show paths, 1k rows vs N rows (ratio large/small, interleaved rounds)',
    args: { quick: ['--rows', '100000', '--rounds', '3', '--lookups', '200'], full: ['--rows', '10000000', '--rounds', '5', '--lookups', '300'] },
    figures: Object.fromEntries(
      ROUTING_OPS.flatMap((op) => [
        [`${op}: large/small`, `ops.${op}.ratio`],
        [`${op}: µs at N rows`, `ops.${op}.largeUs`],
      ]),
    ),
  },
  {
    name: 'nova-gateway',
    what: 'Nova gateway vs the pod directly: added latency, throughput ratio, merged lists, RSS',
    args: {
      quick: ['--compiled', '--samples', '500', '--duration', '2', '--pods', '4', '--servers', '50', '--list-runs', '10', '--rss-seconds', '5', '--boots', '60'],
      full: ['--compiled', '--samples', '3000', '--duration', '5', '--pods', '10', '--servers', '100', '--list-runs', '40', '--rss-seconds', '30', '--boots', '200'],
    },
    figures: {
      'server show added latency p50 (ms)': 'latency.added.p50',
      'server show added latency p99 (ms)': 'latency.added.p99',
      'throughput proxied/direct': 'throughput.ratio',
      'merged list / slowest pod (raw sim)': 'mergedList.ratioP50',
      'merged list / slowest pod (pods 20 ms away)': 'mergedList.withPodLatency.ratioP50',
      'boots/s gateway/direct (no network)': 'boots.ratio',
      'gateway RSS peak MB': 'rss.maxMb',
    },
  },
  {
    name: 'cinder-gateway',
    what: 'Cinder gateway vs the pod directly: volume show added latency and throughput ratio',
    args: { quick: ['--samples', '500', '--duration', '2'], full: ['--samples', '2000', '--duration', '5'] },
    figures: {
      'volume show added latency p50 (ms)': 'latency.added.p50',
      'volume show added latency p99 (ms)': 'latency.added.p99',
      'volume show throughput proxied/direct': 'throughput.ratio',
    },
  },
  { name: 'fanout-merge', what: 'in-memory merge of one cross-pod page (µs/page)', args: { quick: ['500'], full: ['2000'] } },
  {
    name: 'sim-servers',
    what: "the simulator's own boot and list speed (the baseline the gateway is compared with)",
    args: { quick: ['--servers', '200', '--list-rounds', '4'], full: ['--servers', '1000', '--list-rounds', '10'] },
  },
];

const only = args.only ? new Set(args.only.split(',')) : undefined;
const selected = BENCHES.filter((b) => !only || only.has(b.name));
const rounds = Number(args.rounds ?? (profile === 'full' ? 3 : 1));
const load = () =>
  loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');

function run(bench: Bench): Promise<{ code: number | null; out: string; err: string; seconds: number }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(here, `${bench.name}.js`), ...bench.args[profile]], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => resolve({ code, out, err, seconds: (performance.now() - started) / 1000 }));
  });
}

function pick(obj: unknown, path: string): number | undefined {
  let cur: unknown = obj;
  // Paths split on '.', but a key may itself hold dots or spaces: match the longest known key.
  let rest = path;
  while (rest.length > 0) {
    if (cur === null || typeof cur !== 'object') return undefined;
    const o = cur as Record<string, unknown>;
    const key = Object.keys(o)
      .filter((k) => rest === k || rest.startsWith(`${k}.`))
      .sort((a, b) => b.length - a.length)[0];
    if (key === undefined) return undefined;
    cur = o[key];
    rest = rest.slice(key.length + 1);
  }
  const n = typeof cur === 'number' ? cur : Number.parseFloat(String(cur));
  return Number.isFinite(n) ? n : undefined;
}

function parseJsonOutput(out: string): unknown {
  const start = out.indexOf('{');
  if (start < 0) return undefined;
  try {
    return JSON.parse(out.slice(start));
  } catch {
    return undefined;
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const num = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 10 ? x.toFixed(1) : x.toFixed(2));

async function main(): Promise<void> {
  const command = `node dist/bench/run.js ${process.argv.slice(2).join(' ')}`.trim();
  const machine = `${cpus().length} CPUs (${cpus()[0]?.model.trim() ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(0)} GB, Node ${process.version}, ${process.platform}/${process.arch}`;
  const database = process.env.TRICIRCLE_BENCH_POSTGRES_URL ? 'PostgreSQL (TRICIRCLE_BENCH_POSTGRES_URL)' : 'SQLite';
  const started = new Date();
  console.log(`bench suite, ${profile} profile, ${rounds} round(s): ${selected.map((b) => b.name).join(', ')}\n${machine}; ${database}; load ${load()}`);
  const runs: { bench: Bench; round: number; loadBefore: string; loadAfter: string; code: number | null; out: string; err: string; seconds: number }[] = [];
  for (let round = 1; round <= rounds; round++) {
    for (const bench of selected) {
      const loadBefore = load();
      process.stdout.write(`round ${round}: ${bench.name} … `);
      const r = await run(bench);
      runs.push({ bench, round, loadBefore, loadAfter: load(), ...r });
      console.log(`${r.code === 0 ? 'ok' : `FAILED (exit ${r.code})`} in ${r.seconds.toFixed(0)} s`);
    }
  }

  const md: string[] = [
    `# Benchmark suite: ${profile} profile`,
    '',
    `Command: \`${command}\` (after \`npm run build\`), started ${started.toISOString()}, ${rounds} interleaved round(s).`,
    '',
    `Machine: ${machine}. Database: ${database}. Load average (1/5/15 min) at the start: ${runs[0]?.loadBefore ?? load()}, at the end: ${load()}.`,
    'Figures from a loaded machine vary between runs; compare ratios (both sides measured in one run), not absolute times.',
    '',
    '## Figures (median over rounds, spread min–max)',
    '',
    '| benchmark | figure | median | spread | rounds |',
    '| --- | --- | ---: | --- | ---: |',
  ];
  for (const bench of selected) {
    const mine = runs.filter((r) => r.bench === bench && r.code === 0);
    for (const [label, path] of Object.entries(bench.figures ?? {})) {
      const xs = mine.map((r) => pick(parseJsonOutput(r.out), path)).filter((x): x is number => x !== undefined);
      if (xs.length === 0) continue;
      md.push(`| ${bench.name} | ${label} | ${num(median(xs))} | ${num(Math.min(...xs))} – ${num(Math.max(...xs))} | ${xs.length} |`);
    }
  }
  md.push('', '## Runs', '');
  for (const r of runs) {
    md.push(
      `### ${r.bench.name}, round ${r.round}`,
      '',
      `${r.bench.what}. \`node dist/bench/${r.bench.name}.js ${r.bench.args[profile].join(' ')}\`: exit ${r.code}, ${r.seconds.toFixed(0)} s, load ${r.loadBefore} → ${r.loadAfter}.`,
      '',
    );
    md.push('```', r.out.trim(), '```', '');
    if (r.code !== 0 && r.err.trim()) md.push('stderr:', '', '```', r.err.trim().slice(-4000), '```', '');
  }
  const out = args.out ?? join(root, 'bench', 'results', `suite-${profile}.md`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${md.join('\n')}\n`);
  console.log(`results: ${out}`);
  if (runs.some((r) => r.code !== 0)) process.exitCode = 1;
}

await main();
