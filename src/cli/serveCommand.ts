import type { Command } from 'commander';
import { SERVICE_NAMES, startTricircle, type ServiceName } from '../server.js';
import { action, cliLogger, loadCliConfig } from './context.js';

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description(`run the Tricircle services in this process (all of them unless --only is given: ${SERVICE_NAMES.join(', ')})`)
    .option('--only <names...>', 'run only these services')
    .action(
      action(async (opts: { only?: string[] }) => {
        const loaded = loadCliConfig(program.opts());
        const unknown = (opts.only ?? []).filter((n) => !(SERVICE_NAMES as readonly string[]).includes(n));
        if (unknown.length > 0) throw new Error(`unknown service(s) ${unknown.join(', ')}; known: ${SERVICE_NAMES.join(', ')}`);
        const logger = cliLogger(loaded);
        const running = await startTricircle(loaded.config, { logger, only: opts.only as ServiceName[] | undefined });
        for (const [service, url] of Object.entries(running.urls)) process.stdout.write(`${service} listening on ${url}\n`);
        await waitForSignal();
        process.stdout.write('stopping\n');
        await running.close();
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
