import { createLogger, type Logger } from '../common/index.js';
import { loadConfig, type LoadedConfig } from '../config/index.js';

export interface GlobalOptions {
  configFile?: string;
}

/** Loads configuration for a command; prints the warnings once. */
export function loadCliConfig(opts: GlobalOptions): LoadedConfig {
  const loaded = loadConfig({ configFile: opts.configFile });
  for (const w of loaded.warnings) process.stderr.write(`warning: ${w}\n`);
  return loaded;
}

export function cliLogger(loaded: LoadedConfig): Logger {
  return createLogger(loaded.config.DEFAULT.log_level);
}

/** Runs a command body, turning an error into a one-line message and exit status 1. */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (err) {
      process.stderr.write(`error: ${(err as Error).message}\n`);
      process.exitCode = 1;
    }
  };
}
