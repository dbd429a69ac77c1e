import type { Command } from 'commander';
import { migrateToLatest, openDatabase, schemaVersion } from '../db/index.js';
import { action, loadCliConfig } from './context.js';

export function registerDbCommands(program: Command): void {
  const db = program.command('db').description('database schema management');

  db.command('sync')
    .description('apply every pending migration')
    .action(
      action(async () => {
        const { config } = loadCliConfig(program.opts());
        const handle = openDatabase(config.database.connection);
        try {
          const applied = await migrateToLatest(handle);
          for (const name of applied) process.stdout.write(`applied ${name}\n`);
          const v = await schemaVersion(handle);
          process.stdout.write(`database at version ${v.current}\n`);
        } finally {
          await handle.close();
        }
      }),
    );

  db.command('version')
    .description('print the applied and the latest schema version')
    .action(
      action(async () => {
        const { config } = loadCliConfig(program.opts());
        const handle = openDatabase(config.database.connection);
        try {
          const v = await schemaVersion(handle);
          process.stdout.write(`current: ${v.current ?? 'none'}\nlatest: ${v.latest}\n`);
          if (v.pending.length > 0) process.stdout.write(`pending: ${v.pending.join(', ')}\n`);
        } finally {
          await handle.close();
        }
      }),
    );
}
