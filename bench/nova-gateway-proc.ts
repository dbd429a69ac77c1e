// The Nova API gateway (with the Admin API) alone in its own process, for bench/nova-gateway.ts to
// drive and to read the RSS of. Configuration comes as JSON overrides in NOVA_BENCH_OVERRIDES; the
// services it runs from NOVA_BENCH_ONLY (default admin-api,nova-apigw; bench/cinder-gateway.ts runs Cinder's).
import { createLogger } from '../src/common/logging.js';
import { loadConfig } from '../src/config/index.js';
import { startTricircle } from '../src/server.js';

const overrides = JSON.parse(process.env.NOVA_BENCH_OVERRIDES ?? '{}') as Record<string, Record<string, unknown>>;
const { config } = loadConfig({ env: {}, configFile: '/dev/null', overrides });
const tc = await startTricircle(config, { logger: createLogger(config.DEFAULT.log_level), only: (process.env.NOVA_BENCH_ONLY ?? 'admin-api,nova-apigw').split(',') });
process.send?.({ urls: tc.urls });
process.on('message', async (msg: { stop?: boolean; memory?: boolean }) => {
  if (msg?.memory) process.send?.({ memory: process.memoryUsage() });
  if (msg?.stop) {
    await tc.close();
    process.exit(0);
  }
});
