import type { Command } from 'commander';
import { renderEffectiveConfig, renderSampleConfig } from '../config/index.js';
import { action, loadCliConfig } from './context.js';

export function registerConfigCommands(program: Command): void {
  const config = program.command('config').description('configuration');
  config
    .command('show')
    .description('print the effective configuration (secrets masked) and where each value came from')
    .action(
      action(async () => {
        const loaded = loadCliConfig(program.opts());
        if (loaded.files.length > 0) process.stdout.write(`; from ${loaded.files.join(', ')} and the environment\n`);
        process.stdout.write(renderEffectiveConfig(loaded.config, loaded.sources));
      }),
    );
  config
    .command('sample')
    .description('print a sample configuration file with every option and its default')
    .action(
      action(async () => {
        process.stdout.write(renderSampleConfig());
      }),
    );
}
