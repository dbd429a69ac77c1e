// Idle RSS of `tricircle serve` per `--only` selection: each selection is started from the compiled
// CLI on a fresh SQLite database (noauth), left alone for `--settle` seconds after its services
// listen, and its VmRSS read from /proc. Rounds are interleaved (every selection once per round), and
// with `--baseline <repo root>` (another checkout, built) each start of this tree is paired with one
// of the baseline, so both sides see the same machine load.
//
//   node dist/bench/serve-rss.js [--rounds 3] [--settle 12] [--baseline /path/to/other/checkout]
//
// Prints one JSON object: per side and selection, the RSS of each round and the median (MB).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    settle: { type: 'string', default: '12' },
    baseline: { type: 'string' },
  },
});
const ROUNDS = Number(args.rounds);
const SETTLE_MS = Number(args.settle) * 1000;
const here = dirname(fileURLToPath(import.meta.url)); // dist/bench
const sides: Record<string, string> = { this: join(here, '..', '..') };
if (args.baseline) sides.baseline = args.baseline;

const SELECTIONS: { label: string; only: string[]; listening: string[] }[] = [
  { label: 'all', only: [], listening: ['admin-api', 'neutron-api', 'nova-apigw', 'cinder-apigw'] },
  { label: 'nova-apigw', only: ['nova-apigw'], listening: ['nova-apigw'] },
  { label: 'cinder-apigw', only: ['cinder-apigw'], listening: ['cinder-apigw'] },
  { label: 'neutron-api', only: ['neutron-api'], listening: ['neutron-api'] },
  { label: 'admin-api', only: ['admin-api'], listening: ['admin-api'] },
];

const rssMb = (pid: number): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

async function idleRss(root: string, only: string[], listening: string[]): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'tc-rss-'));
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    TRICIRCLE_DATABASE__CONNECTION: `sqlite:///${join(dir, 'tc.db')}`,
    TRICIRCLE_DEFAULT__AUTH_STRATEGY: 'noauth',
    TRICIRCLE_DEFAULT__LOG_LEVEL: 'warn',
  };
  for (const section of ['ADMIN_API', 'NOVA_APIGW', 'CINDER_APIGW', 'NEUTRON']) {
    env[`TRICIRCLE_${section}__BIND_HOST`] = '127.0.0.1';
    env[`TRICIRCLE_${section}__BIND_PORT`] = '0';
  }
  const onlyArgs = only.length > 0 ? ['--only', ...only] : [];
  const child = spawn(process.execPath, [join(root, 'dist', 'src', 'cli', 'main.js'), 'serve', ...onlyArgs], { cwd: dir, env, stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    let out = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d) => {
        out += d;
        if (listening.every((s) => out.includes(`${s} listening on `))) resolve();
      });
      child.once('exit', (code) => reject(new Error(`serve exited (${code}): ${out}`)));
    });
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    return rssMb(child.pid!);
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  }
}

const samples: Record<string, Record<string, number[]>> = {};
for (let round = 0; round < ROUNDS; round++) {
  for (const sel of SELECTIONS) {
    for (const [side, root] of Object.entries(sides)) {
      const mb = await idleRss(root, sel.only, sel.listening);
      ((samples[side] ??= {})[sel.label] ??= []).push(Number(mb.toFixed(1)));
    }
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const result = Object.fromEntries(
  Object.entries(samples).map(([side, bySel]) => [side, Object.fromEntries(Object.entries(bySel).map(([sel, xs]) => [sel, { medianMb: median(xs), roundsMb: xs }]))]),
);
process.stdout.write(`${JSON.stringify({ rounds: ROUNDS, settleSeconds: SETTLE_MS / 1000, node: process.version, result }, null, 2)}\n`);
