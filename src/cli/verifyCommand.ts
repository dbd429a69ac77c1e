import type { Command } from 'commander';
import { request } from 'undici';
import { connectivityMatrix, verifyConnectivity } from '../verify/index.js';
import { action } from './context.js';
import { osEnvironment, passwordAuth } from './credentials.js';
import { printList } from './output.js';

interface TokenInfo {
  project?: { id: string; name: string };
  catalog?: { type: string; endpoints: { interface: string; region?: string; region_id?: string; url: string }[] }[];
}

const v3 = (authUrl: string) => (/\/v3\/?$/.test(authUrl) ? authUrl.replace(/\/+$/, '') : `${authUrl.replace(/\/+$/, '')}/v3`);

async function getJson<T>(url: string, headers: Record<string, string>): Promise<T> {
  const res = await request(url, { headers: { accept: 'application/json', ...headers } });
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`GET ${url} answered ${res.statusCode}`);
  return JSON.parse(text) as T;
}

export function registerVerifyCommand(program: Command): void {
  const verify = program.command('verify').description('check what the cloud does with real traffic');
  verify
    .command('connectivity')
    .description(
      "ping and TCP between a project's servers (east-west), to the outside (north-south) and from the outside to its floating IPs, " +
        "from inside the simulator's dataplane hosts (tricircle sim --dataplane)",
    )
    .option('--project <name-or-id>', "the project (default: the credentials' project)")
    .option('--dataplane-url <url>', "the simulator's dataplane map (default: <OS_AUTH_URL host>/sim/dataplane)")
    .option('--network-url <url>', 'the top networking endpoint (default: from the catalog)')
    .option('--compute-url <url>', 'the top compute endpoint (default: from the catalog)')
    .option('--tcp-port <port>', 'port the probes listen on inside the hosts', '8000')
    .option('-f, --format <format>', 'output format: table or json', 'table')
    .action(
      action(async (opts: { project?: string; dataplaneUrl?: string; networkUrl?: string; computeUrl?: string; tcpPort: string; format: string }) => {
        const os = osEnvironment();
        if (!os.authUrl) throw new Error('set OS_AUTH_URL and credentials (OS_USERNAME/OS_PASSWORD or OS_TOKEN)');
        const token = os.token ?? (await passwordAuth(os)).token;
        const info = (await getJson<{ token: TokenInfo }>(`${v3(os.authUrl)}/auth/tokens`, { 'x-auth-token': token, 'x-subject-token': token })).token;
        const region = os.regionName ?? 'RegionOne';
        const endpoint = (type: string) => info.catalog?.find((c) => c.type === type)?.endpoints.find((e) => e.interface === 'public' && (e.region_id ?? e.region) === region)?.url;
        const networkUrl = opts.networkUrl ?? endpoint('network');
        if (!networkUrl) throw new Error(`no network endpoint for region ${region} in the catalog: pass --network-url`);
        let projectId = info.project?.id ?? '';
        if (opts.project && opts.project !== info.project?.id && opts.project !== info.project?.name) {
          const found = await getJson<{ projects: { id: string }[] }>(`${v3(os.authUrl)}/projects?name=${encodeURIComponent(opts.project)}`, { 'x-auth-token': token }).catch(
            () => ({ projects: [] }),
          );
          projectId = found.projects[0]?.id ?? opts.project;
        }
        const dataplaneUrl = opts.dataplaneUrl ?? `${new URL(os.authUrl).origin}/sim/dataplane`;
        const computeUrl = opts.computeUrl ?? endpoint('compute');
        const report = await verifyConnectivity({ token, networkUrl, dataplaneUrl, projectId, tcpPort: Number(opts.tcpPort), ...(computeUrl && { computeUrl }) });
        if (opts.format === 'json') {
          process.stdout.write(`${JSON.stringify({ ...report, matrix: connectivityMatrix(report).rows }, null, 2)}\n`);
        } else {
          const { columns, rows } = connectivityMatrix(report);
          printList(rows, columns, 'table');
          for (const s of report.skipped) process.stdout.write(`skipped: ${s}\n`);
          const failed = report.checks.filter((c) => !c.ok);
          for (const c of failed) process.stdout.write(`FAIL ${c.kind} ${c.from} → ${c.address}: icmp ${c.icmp.detail}; tcp ${c.tcp.detail}\n`);
          process.stdout.write(`${report.checks.length - failed.length}/${report.checks.length} checks passed\n`);
        }
        if (!report.ok) process.exitCode = 1;
      }),
    );
}
