import type { Command } from 'commander';
import { PodClientFactory } from '../bottom/index.js';
import { createLogger } from '../common/index.js';
import { openDatabase } from '../db/index.js';
import { buildIdentity } from '../identity/index.js';
import { isTopPod, PodRegistry, SqlEndpointStore, type Pod } from '../pods/index.js';
import { checkPods, CurrentCatalogStore, preflightSettings, type PodCheckReport } from '../preflight/index.js';
import { action, loadCliConfig } from './context.js';
import { printList, type OutputFormat } from './output.js';

/** `tricircle pod check [POD]`: the preflight checks of src/preflight, run from this machine's configuration. */
export function registerPodCheckCommand(pod: Command, program: Command): void {
  pod
    .command('check [pod]')
    .description(
      'check that Tricircle can work with a pod (all pods without POD): endpoints, API versions, admin rights, physnets, external networks, images; exits 1 when a check fails',
    )
    .option('--timeout <seconds>', 'deadline of each call to a pod', '10')
    .option('-f, --format <format>', 'output format: table, json or value', 'table')
    .action(
      action(async (which: string | undefined, o: { timeout: string; format: OutputFormat }) => {
        const timeoutSeconds = Number(o.timeout);
        if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) throw new Error(`--timeout wants a positive number of seconds, got ${o.timeout}`);
        const { config } = loadCliConfig(program.opts());
        const db = openDatabase(config.database.connection, { maxPoolSize: 2 });
        const identity = buildIdentity(config, { logger: createLogger('error'), endpointStore: new CurrentCatalogStore(new SqlEndpointStore(db)) });
        const clients = new PodClientFactory({ endpoints: identity.endpoints, serviceAuth: identity.serviceAuth, timeoutMs: timeoutSeconds * 1000 });
        try {
          const all = await new PodRegistry(db).list();
          const selected = which === undefined ? all : all.filter((p) => p.id === which || p.regionName === which);
          if (selected.length === 0) throw new Error(which === undefined ? 'no pod is registered (tricircle pod create)' : `no pod with id or region name ${which}`);
          const top = all.find(isTopPod);
          const reports = await checkPods(
            selected.map((p: Pod) => ({ id: p.id, regionName: p.regionName, isTop: isTopPod(p) })),
            { top: top && { id: top.id, regionName: top.regionName }, bottomPodCount: all.filter((p) => !isTopPod(p)).length },
            { endpoints: identity.endpoints, clients, serviceAuth: identity.serviceAuth, settings: preflightSettings(config, timeoutSeconds * 1000) },
          );
          printReports(reports, o.format);
          if (reports.some((r) => !r.ok)) process.exitCode = 1;
        } finally {
          await clients.close();
          await identity.close();
          await db.close();
        }
      }),
    );
}

function printReports(reports: PodCheckReport[], format: OutputFormat): void {
  if (format === 'json') {
    process.stdout.write(`${JSON.stringify(reports, null, 2)}\n`);
    return;
  }
  const rows = reports.flatMap((r) => r.checks.map((c) => ({ pod: r.pod, check: c.check, result: c.result, detail: c.detail })));
  printList(rows, ['pod', 'check', 'result', 'detail'], format);
  if (format === 'table') {
    const failed = reports.filter((r) => !r.ok).map((r) => r.pod);
    process.stdout.write(failed.length ? `FAILED: ${failed.join(', ')}\n` : `all ${reports.length} pod(s) passed\n`);
  }
}
