import type { Command } from 'commander';
import { AdminClient } from './adminClient.js';
import { loadCliConfig } from './context.js';
import { adminUrl, osEnvironment, passwordAuth } from './credentials.js';

/** An Admin API client authenticated from the OS_* environment, as openstackclient would be. */
export async function connectAdmin(program: Command): Promise<AdminClient> {
  const { config } = loadCliConfig(program.opts());
  const os = osEnvironment();
  if (os.token || !os.authUrl) return new AdminClient(adminUrl(os, [], config), async () => os.token);
  const { token, catalog } = await passwordAuth(os);
  return new AdminClient(adminUrl(os, catalog, config), async () => token);
}

/** The `-f/--format` option every resource command takes. */
export const formatOption = ['-f, --format <format>', 'output format: table, json or value', 'table'] as const;
