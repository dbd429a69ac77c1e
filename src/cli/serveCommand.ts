import cluster from 'node:cluster';
import type { Command } from 'commander';
import { prepareDatabase, SERVICE_NAMES, startTricircle, type ServiceName } from '../server.js';
import { action, cliLogger, loadCliConfig } from './context.js';

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description(`run the Tricircle services in this process (all of them unless --only is given: ${SERVICE_NAMES.join(', ')})`)
    .option('--only <names...>', 'run only these services')
    .option('--workers <n>', 'run N worker processes sharing the listening ports (node:cluster); default 1', '1')
    .action(
      action(async (opts: { only?: string[]; workers: string }) => {
        const loaded = loadCliConfig(program.opts());
        const unknown = (opts.only ?? []).filter((n) => !(SERVICE_NAMES as readonly string[]).includes(n));
        if (unknown.length > 0) throw new Error(`unknown service(s) ${unknown.join(', ')}; known: ${SERVICE_NAMES.join(', ')}`);
        const workers = Number(opts.workers);
        if (!Number.isInteger(workers) || workers < 1) throw new Error(`--workers must be a whole number of at least 1, not ${opts.workers}`);
        if (workers > 1 && cluster.isPrimary) {
          await prepareDatabase(loaded.config, cliLogger(loaded));
          await superviseWorkers(workers);
          return;
        }
        const logger = cliLogger(loaded);
        const running = await startTricircle(loaded.config, { logger, only: opts.only as ServiceName[] | undefined });
        for (const [service, url] of Object.entries(running.urls)) process.stdout.write(`${service} listening on ${url}\n`);
        await waitForSignal();
        process.stdout.write('stopping\n');
        await running.close();
        cluster.worker?.disconnect(); // a worker's channel to the primary would keep it alive
      }),
    );
}

export function waitForSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/**
 * The primary of `serve --workers N`: forks N copies of this command (each runs every service and
 * listens on the same ports, which node:cluster shares), forks a replacement for a worker that dies
 * unexpectedly (at most one per second), and on SIGINT/SIGTERM stops every worker and waits for them.
 */
async function superviseWorkers(n: number): Promise<void> {
  let stopping = false;
  let lastFork = 0;
  const fork = () => {
    lastFork = Date.now();
    cluster.fork();
  };
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    process.stderr.write(`worker ${worker.process.pid} exited (${signal ?? code}); starting another\n`);
    setTimeout(fork, Math.max(0, lastFork + 1000 - Date.now()));
  });
  for (let i = 0; i < n; i++) fork();
  await waitForSignal();
  stopping = true;
  process.stdout.write('stopping workers\n');
  const alive = Object.values(cluster.workers ?? {}).filter((w) => w !== undefined && !w.isDead());
  await Promise.all(
    alive.map(
      (w) =>
        new Promise<void>((resolve) => {
          w!.once('exit', () => resolve());
          w!.process.kill('SIGTERM');
        }),
    ),
  );
}
