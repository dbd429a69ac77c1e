import type { Command } from 'commander';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { request } from 'undici';
import { createLogger } from '../common/index.js';
import { loadConfig } from '../config/index.js';
import { startTricircle, type RunningTricircle } from '../server.js';
import { action } from './context.js';
import { passwordAuth } from './credentials.js';
import { KeystoneAdmin } from './keystoneAdmin.js';
import { startSimProcess, type SimReady } from './simProcess.js';
import { waitForSignal } from './serveCommand.js';

/** The flavors DevStack creates. */
const DEVSTACK_FLAVORS = [
  { id: '1', name: 'm1.tiny', ram: 512, vcpus: 1, disk: 1 },
  { id: '2', name: 'm1.small', ram: 2048, vcpus: 1, disk: 20 },
  { id: '3', name: 'm1.medium', ram: 4096, vcpus: 2, disk: 40 },
  { id: '4', name: 'm1.large', ram: 8192, vcpus: 4, disk: 80 },
  { id: '5', name: 'm1.xlarge', ram: 16384, vcpus: 8, disk: 160 },
  { id: '42', name: 'm1.nano', ram: 128, vcpus: 1, disk: 1 },
];
const DEMO_IMAGE = 'cirros-0.6.2-x86_64-disk';

/** Catalog entries of the top region for each Tricircle service. */
const TOP_ENDPOINTS: Record<string, { type: string; name: string; path: string }[]> = {
  'admin-api': [{ type: 'tricircle', name: 'tricircle', path: '/v1.0' }],
  'nova-apigw': [{ type: 'compute', name: 'nova', path: '/v2.1' }],
  'cinder-apigw': [
    { type: 'volumev3', name: 'cinderv3', path: '/v3/$(project_id)s' },
    { type: 'block-storage', name: 'cinder', path: '/v3/$(project_id)s' },
  ],
  'neutron-api': [{ type: 'network', name: 'neutron', path: '' }],
};

async function json(
  method: string,
  url: string,
  token: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: { id?: string } & Record<string, unknown> }> {
  const res = await request(url, {
    method: method as 'GET',
    headers: { 'x-auth-token': token, accept: 'application/json', ...(body !== undefined && !Buffer.isBuffer(body) ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body === undefined ? undefined : Buffer.isBuffer(body) ? body : JSON.stringify(body),
  });
  const text = await res.body.text();
  return { status: res.statusCode, body: text ? JSON.parse(text) : undefined };
}

async function seedPods(sim: SimReady, token: string, say: (s: string) => void): Promise<void> {
  for (const pod of sim.pods) {
    for (const f of DEVSTACK_FLAVORS) {
      const res = await json('POST', `${pod.novaUrl}/v2.1/flavors`, token, { flavor: { ...f, 'os-flavor-access:is_public': true } });
      if (res.status !== 200 && res.status !== 409) throw new Error(`creating flavor ${f.name} in ${pod.region}: HTTP ${res.status}`);
    }
    say(`  flavors ${DEVSTACK_FLAVORS.map((f) => f.name).join(', ')} in ${pod.region}`);
  }
  const image = await json('POST', `${sim.glanceUrl}/v2/images`, token, { name: DEMO_IMAGE, disk_format: 'qcow2', container_format: 'bare', visibility: 'public' });
  if (image.status !== 201) throw new Error(`creating image ${DEMO_IMAGE}: HTTP ${image.status}`);
  const upload = await json('PUT', `${sim.glanceUrl}/v2/images/${image.body.id}/file`, token, Buffer.from('tricircle demo image\n'), {
    'content-type': 'application/octet-stream',
  });
  if (upload.status !== 204) throw new Error(`uploading image ${DEMO_IMAGE}: HTTP ${upload.status}`);
  say(`  image ${DEMO_IMAGE} (${image.body.id}) in Glance`);
}

function openrc(keystoneUrl: string, adminUrl: string): string {
  return [
    `export OS_AUTH_URL=${keystoneUrl}/v3`,
    'export OS_IDENTITY_API_VERSION=3',
    'export OS_USERNAME=admin',
    'export OS_PASSWORD=password',
    'export OS_PROJECT_NAME=admin',
    'export OS_USER_DOMAIN_NAME=Default',
    'export OS_PROJECT_DOMAIN_NAME=Default',
    'export OS_REGION_NAME=RegionOne',
    `export TRICIRCLE_ADMIN_URL=${adminUrl}`,
    '',
  ].join('\n');
}

/** The demo's own settings as a file, for commands run beside it (`tricircle --config-file … pod check`). */
function demoConfigFile(connection: string, v3: string): string {
  return [
    '# Written by `tricircle demo` for commands run against this demo, e.g.',
    '#   tricircle --config-file .tricircle/tricircle.conf pod check',
    '[database]',
    `connection = ${connection}`,
    '',
    '[keystone_authtoken]',
    `auth_url = ${v3}`,
    '',
    '[client]',
    `auth_url = ${v3}`,
    'admin_username = admin',
    'admin_password = password',
    'admin_tenant = admin',
    'top_region_name = RegionOne',
    '',
  ].join('\n');
}

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('start the pod simulator and Tricircle together, register the pods, seed flavors and an image, print an openrc')
    .option('--pods <list>', 'bottom pods as REGION:AZ,...', 'Pod1:az1,Pod2:az2')
    .option('--state-dir <dir>', 'where the demo keeps its database and openrc (recreated on start)', '.tricircle')
    .option('--dataplane', "realise the pods' networking in network namespaces (root, iproute2, nftables): see docs/l3.md")
    .action(
      action(async (opts: { pods: string; stateDir: string; dataplane?: boolean }) => {
        const say = (s: string) => process.stdout.write(`${s}\n`);
        const stateDir = resolve(opts.stateDir);
        mkdirSync(stateDir, { recursive: true });
        for (const stale of ['tricircle.sqlite', 'tricircle.sqlite-wal', 'tricircle.sqlite-shm', 'openrc', 'tricircle.conf']) rmSync(join(stateDir, stale), { force: true });

        say('starting the pod simulator …');
        const sim = await startSimProcess(['--pods', opts.pods, ...(opts.dataplane ? ['--dataplane'] : [])], { stderr: 'ignore' });
        let tricircle: RunningTricircle | undefined;
        try {
          const v3 = `${sim.ready.keystoneUrl}/v3`;
          const { config } = loadConfig({
            configFile: (program.opts() as { configFile?: string }).configFile,
            overrides: {
              DEFAULT: { auth_strategy: 'keystone' },
              keystone_authtoken: { auth_url: v3 },
              client: { auth_url: v3, admin_username: 'admin', admin_password: 'password', admin_tenant: 'admin', top_region_name: 'RegionOne' },
              ...(process.env.TRICIRCLE_DATABASE__CONNECTION ? {} : { database: { connection: `sqlite:///${join(stateDir, 'tricircle.sqlite')}` } }),
            },
          });
          say('starting Tricircle …');
          try {
            tricircle = await startTricircle(config, { logger: createLogger(config.DEFAULT.log_level === 'info' ? 'warn' : config.DEFAULT.log_level) });
          } catch (err) {
            const e = err as NodeJS.ErrnoException & { port?: number };
            if (e.code === 'EADDRINUSE') throw new Error(`a Tricircle port is already in use (${e.message}); is another Tricircle running?`);
            throw err;
          }
          const { token } = await passwordAuth({
            authUrl: v3,
            username: 'admin',
            password: 'password',
            projectName: 'admin',
            userDomainName: 'Default',
            projectDomainName: 'Default',
          });

          const keystone = new KeystoneAdmin(v3, token);
          for (const [service, url] of Object.entries(tricircle.urls)) {
            for (const ep of TOP_ENDPOINTS[service] ?? []) await keystone.addPublicEndpoint('RegionOne', ep.type, ep.name, `${url}${ep.path}`);
            say(`  ${service} on ${url}`);
          }

          const pods = tricircle.core.pods;
          await pods.create({ regionName: 'RegionOne' });
          for (const p of sim.ready.pods) await pods.create({ regionName: p.region, azName: p.az, podAzName: p.az });
          say(`registered pods: RegionOne (top), ${sim.ready.pods.map((p) => `${p.region} (${p.az})`).join(', ')}`);
          await seedPods(sim.ready, token, say);

          const rc = openrc(sim.ready.keystoneUrl, tricircle.urls['admin-api'] ?? '');
          const rcPath = join(stateDir, 'openrc');
          writeFileSync(rcPath, rc);
          writeFileSync(join(stateDir, 'tricircle.conf'), demoConfigFile(config.database.connection, v3));
          say('');
          say(`Tricircle is ready. Credentials (also in ${rcPath}; the demo's configuration is in ${join(stateDir, 'tricircle.conf')}):`);
          say('');
          process.stdout.write(rc);
          say('');
          say('Stop with Ctrl-C.');
          await Promise.race([waitForSignal(), new Promise((r) => sim.child.once('exit', r))]);
          say('stopping …');
        } finally {
          await tricircle?.close();
          await sim.stop();
        }
      }),
    );
}
