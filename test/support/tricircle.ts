import { loadConfig, type Config } from '../../src/config/index.js';
import { silentLogger } from '../../src/common/logging.js';
import { startTricircle, type RunningTricircle, type ServiceName } from '../../src/server.js';

export interface TestTricircleOptions {
  databaseUrl: string;
  authStrategy?: 'noauth' | 'keystone';
  /** Keystone base URL (without /v3) when authStrategy is keystone. */
  keystoneUrl?: string;
  only?: ServiceName[];
  extra?: Record<string, Record<string, unknown>>;
}

/** Configuration for a test instance: every listener on an ephemeral loopback port. */
export function testConfig(opts: TestTricircleOptions): Config {
  const keystone = opts.keystoneUrl ? `${opts.keystoneUrl}/v3` : 'http://127.0.0.1:1/v3';
  const overrides: Record<string, Record<string, unknown>> = {
    DEFAULT: { auth_strategy: opts.authStrategy ?? 'noauth', log_level: 'silent' },
    database: { connection: opts.databaseUrl, max_pool_size: 5 },
    admin_api: { bind_host: '127.0.0.1', bind_port: 0 },
    nova_apigw: { bind_host: '127.0.0.1', bind_port: 0 },
    cinder_apigw: { bind_host: '127.0.0.1', bind_port: 0 },
    neutron: { bind_host: '127.0.0.1', bind_port: 0 },
    keystone_authtoken: { auth_url: keystone },
    client: { auth_url: keystone, admin_username: 'admin', admin_password: 'password', admin_tenant: 'admin' },
  };
  for (const [section, values] of Object.entries(opts.extra ?? {})) overrides[section] = { ...overrides[section], ...values };
  return loadConfig({ env: {}, configFile: '/dev/null', overrides }).config;
}

export async function startTestTricircle(opts: TestTricircleOptions): Promise<RunningTricircle> {
  return startTricircle(testConfig(opts), { logger: silentLogger, only: opts.only });
}
