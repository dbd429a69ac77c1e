import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from 'undici';
import { startSimCluster, type SimCluster } from '../../sim/cluster.js';
import { fetchSimToken } from '../../sim/common/token.js';
import { openDatabase, type Db } from '../../src/db/index.js';
import { runCli } from '../support/cli.js';
import { createScratchDatabase, type ScratchDatabase } from '../support/databases.js';
import { http } from '../support/http.js';
import { audit, CRASH_LEFTOVERS, settleJobs, type AuditResult } from './audit.js';
import { FrontClient, Ledger, walkthrough, type InFlight, type RequestStats, type Service } from './driver.js';
import { Front, HTTP_KINDS, ServiceProcess, freePort, haproxyBinary, type ServiceKind } from './processes.js';

/**
 * The distributed mode as DESIGN §2 promises it: two processes of each API service and two job
 * workers on PostgreSQL and RabbitMQ, behind HAProxy, act as one cloud while processes are killed
 * with SIGKILL at random points and restarted. Two tenants at a time walk reference §8.2 through the
 * front (boots in two AZs, a router with both subnets and the external gateway, floating IPs in the
 * external network's pod and over two hops, volumes in both AZs, a server and a volume deleted),
 * project after project, and an operator watches jobs through the Admin API, while a chaos loop
 * kills one process of each kind at least once — an API process at a random moment while a request
 * to its service is in flight, a worker while it runs a job. Then the audit (test/deploy/audit.ts)
 * checks every accepted request, duplicates, jobs, pod orphans and reachability. The figures are
 * printed as test diagnostics.
 *
 * On PostgreSQL: the issue asks for the CI machine's PostgreSQL, and a second database would double
 * a run that must stay short. Setting DIALECT to 'mysql' runs it on MariaDB instead.
 */
const DIALECT = 'postgres' as 'postgres' | 'mysql';
const DIALECT_URL_VARIABLE = { postgres: 'TRICIRCLE_TEST_POSTGRES_URL', mysql: 'TRICIRCLE_TEST_MYSQL_URL' }[DIALECT];

const KINDS: ServiceKind[] = [...HTTP_KINDS, 'xjob'];
const TENANTS = 2;
const MAX_ROUNDS_PER_TENANT = 4;
/** Kills before the tenants stop starting new rounds (one of each kind comes first, in random order). */
const MIN_KILLS = 5;
/** Kills while the tenants are still walking, at most. */
const MAX_KILLS = 8;
/** A process start loads every service's code: seconds of CPU, far more on a loaded machine. */
const START_TIMEOUT_MS = 180_000;

const missing = [
  !process.env[DIALECT_URL_VARIABLE] && `${DIALECT_URL_VARIABLE} is not set`,
  !process.env.TRICIRCLE_TEST_AMQP_URL && 'TRICIRCLE_TEST_AMQP_URL is not set',
  !haproxyBinary && 'haproxy is not installed (apt-get install haproxy)',
].filter(Boolean);
const skip = missing.length ? `multi-process deployment test skipped: ${missing.join('; ')}` : false;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const between = (lo: number, hi: number) => lo + Math.random() * (hi - lo);
const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)];
function shuffled<T>(items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

describe(`multi-process deployment: 2 × each API service and 2 job workers on ${DIALECT === 'postgres' ? 'PostgreSQL' : 'MariaDB'} and RabbitMQ behind HAProxy, SIGKILL at random`, {
  skip,
}, () => {
  let cluster: SimCluster;
  let scratch: ScratchDatabase;
  let db: Db;
  let dir: string;
  let front: Front;
  const processes: ServiceProcess[] = [];
  const agent = new Agent({ connections: 16 });
  let adminToken: string;
  let adminProject: string;
  let externalNetworkId: string;
  let imageId: string;
  let failed = false;

  before(async () => {
    const started = Date.now();
    dir = mkdtempSync(join(tmpdir(), 'tricircle-deploy-'));
    cluster = await startSimCluster({
      pods: [
        { region: 'Pod1', az: 'az1' },
        { region: 'Pod2', az: 'az2' },
      ],
      top: { region: 'RegionOne', endpoints: {} },
      buildDelayMs: 100,
    });
    scratch = await createScratchDatabase(DIALECT);
    const v3 = `${cluster.keystoneUrl}/v3`;
    const frontPorts: Record<string, number> = {};
    for (const kind of HTTP_KINDS) frontPorts[kind] = await freePort();
    const publicUrl = (kind: (typeof HTTP_KINDS)[number]) => `http://127.0.0.1:${frontPorts[kind]}`;
    const env: Record<string, string> = {
      TRICIRCLE_DEFAULT__AUTH_STRATEGY: 'keystone',
      TRICIRCLE_DATABASE__CONNECTION: scratch.url,
      TRICIRCLE_DATABASE__AUTO_MIGRATE: 'false',
      TRICIRCLE_DATABASE__MAX_POOL_SIZE: '4',
      TRICIRCLE_KEYSTONE_AUTHTOKEN__AUTH_URL: v3,
      TRICIRCLE_CLIENT__AUTH_URL: v3,
      TRICIRCLE_CLIENT__ADMIN_PASSWORD: 'password',
      TRICIRCLE_CLIENT__POD_TIMEOUT: '15',
      TRICIRCLE_TRICIRCLE__NETWORK_VLAN_RANGES: 'bridge:2001:3000,extern:3001:4000',
      TRICIRCLE_XJOB__TRANSPORT_URL: process.env.TRICIRCLE_TEST_AMQP_URL!,
      TRICIRCLE_XJOB__AMQP_QUEUE: `tricircle.xjob.${scratch.url.split('/').pop()}`,
      TRICIRCLE_XJOB__SCAN_INTERVAL: '1',
      TRICIRCLE_XJOB__HEARTBEAT_INTERVAL: '0.5',
      TRICIRCLE_XJOB__JOB_RUN_EXPIRE: '3',
      TRICIRCLE_XJOB__RETRY_BACKOFF_BASE: '0.2',
      TRICIRCLE_XJOB__RETRY_BACKOFF_CAP: '2',
      TRICIRCLE_XJOB__MAX_ATTEMPTS: '30',
      TRICIRCLE_XJOB__RECONCILE_INTERVAL: '0',
      TRICIRCLE_XJOB__SHUTDOWN_GRACE: '1',
      TRICIRCLE_ADMIN_API__PUBLIC_URL: publicUrl('admin-api'),
      TRICIRCLE_NOVA_APIGW__PUBLIC_URL: publicUrl('nova-apigw'),
      TRICIRCLE_CINDER_APIGW__PUBLIC_URL: publicUrl('cinder-apigw'),
      TRICIRCLE_NEUTRON__PUBLIC_URL: publicUrl('neutron-api'),
    };
    const sync = await runCli(['db', 'sync'], env);
    assert.equal(sync.code, 0, sync.stderr);

    const backends: Record<string, { name: string; port: number }[]> = {};
    for (const kind of KINDS) {
      for (const index of [1, 2]) {
        const port = kind === 'xjob' ? undefined : await freePort();
        const proc = new ServiceProcess(kind, index, port, env, dir);
        processes.push(proc);
        if (port !== undefined) (backends[kind] ??= []).push({ name: proc.name, port });
      }
    }
    try {
      await Promise.all(processes.map((p) => p.start(START_TIMEOUT_MS)));
    } catch (err) {
      failed = true;
      throw err;
    }
    front = new Front(frontPorts, backends, dir);
    await front.start();

    const catalog: [string, string, string][] = [
      ['compute', 'nova', `${front.urls['nova-apigw']}/v2.1`],
      ['volumev3', 'cinderv3', `${front.urls['cinder-apigw']}/v3/$(project_id)s`],
      ['block-storage', 'cinder', `${front.urls['cinder-apigw']}/v3/$(project_id)s`],
      ['network', 'neutron', front.urls['neutron-api']],
      ['tricircle', 'tricircle', `${front.urls['admin-api']}/v1.0`],
    ];
    for (const [serviceType, serviceName, url] of catalog) {
      for (const iface of ['public', 'internal', 'admin'] as const) cluster.keystone.addEndpoint({ region: 'RegionOne', serviceType, serviceName, interface: iface, url });
    }
    adminToken = (await fetchSimToken(cluster.keystoneUrl, { project: 'admin' })).token;
    adminProject = cluster.keystone.projectIdByName('admin')!;
    const admin = (method: string, path: string, body?: unknown) => http(method, `${front.urls['admin-api']}${path}`, { token: adminToken, body });
    for (const pod of [{ region_name: 'RegionOne' }, ...cluster.pods.map((p) => ({ region_name: p.region, az_name: p.az, pod_az_name: p.az }))]) {
      const res = await admin('POST', '/v1.0/pods', { pod });
      assert.equal(res.status, 200, res.text);
    }
    const neutron = (method: string, path: string, body?: unknown) => http(method, `${front.urls['neutron-api']}${path}`, { token: adminToken, body });
    const ext = await neutron('POST', '/v2.0/networks', {
      network: { name: 'ext-net', 'router:external': true, 'provider:network_type': 'vlan', 'provider:physical_network': 'extern', availability_zone_hints: ['Pod2'] },
    });
    assert.equal(ext.status, 201, ext.text);
    externalNetworkId = ext.body.network.id;
    const extSub = await neutron('POST', '/v2.0/subnets', {
      subnet: {
        name: 'ext-subnet',
        network_id: externalNetworkId,
        ip_version: 4,
        cidr: '10.50.0.0/20',
        enable_dhcp: false,
        gateway_ip: '10.50.0.1',
        allocation_pools: [{ start: '10.50.0.10', end: '10.50.15.250' }],
      },
    });
    assert.equal(extSub.status, 201, extSub.text);
    imageId = (await http('GET', `${cluster.glanceUrl}/v2/images`, { token: adminToken })).body.images[0].id;
    db = openDatabase(scratch.url, { maxPoolSize: 2 });
    console.log(`# deployment up in ${Date.now() - started} ms: ${processes.map((p) => p.name).join(', ')} behind haproxy`);
  });

  after(async () => {
    await Promise.allSettled(processes.map((p) => p.stop()));
    await front?.stop();
    await agent.close();
    await db?.close();
    await cluster?.close();
    await scratch?.drop();
    if (failed) console.log(`# logs kept in ${dir}`);
    else if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** A new project with the admin user as member, and a client of the front for it. */
  async function newTenant(name: string, stats: RequestStats, inFlight: InFlight): Promise<FrontClient> {
    const ks = (method: string, path: string, body?: unknown) => http(method, `${cluster.keystoneUrl}/v3${path}`, { token: adminToken, body });
    const project = await ks('POST', '/projects', { project: { name, domain_id: 'default' } });
    assert.equal(project.status, 201, project.text);
    const userId = (await ks('GET', '/users?name=admin')).body.users[0].id;
    const roleId = (await ks('GET', '/roles?name=member')).body.roles[0].id;
    assert.equal((await ks('PUT', `/projects/${project.body.project.id}/users/${userId}/roles/${roleId}`)).status, 204);
    const { token } = await fetchSimToken(cluster.keystoneUrl, { project: name });
    return new FrontClient(front.urls as Record<Service, string>, token, project.body.project.id, stats, agent, inFlight);
  }

  let result: AuditResult | undefined;

  test('every accepted request is there, nothing is duplicated, no job is stuck, no pod holds an orphan', async (t) => {
    const started = Date.now();
    const stats: RequestStats = { sent: 0, accepted: 0, failed: 0, refused: 0 };
    const ledger = new Ledger();
    const clients = new Map<string, FrontClient>();
    const kills: { name: string; atMs: number; downMs: number; busy: boolean }[] = [];
    const inFlight: InFlight = { 'admin-api': 0, 'nova-apigw': 0, 'cinder-apigw': 0, 'neutron-api': 0 };

    /**
     * The process to kill: for an API service, one of its two (at random) while a request to the
     * service is in flight, so that half of the time the kill cuts a request short; for the workers,
     * the one running a job, while it runs. Waits at most a few seconds for such a moment.
     */
    async function victimOf(kind: ServiceKind): Promise<{ victim: ServiceProcess; busy: boolean }> {
      const candidates = processes.filter((p) => p.kind === kind);
      // Jobs come in bursts (router interfaces, floating IPs): the workers get longer to show one.
      const until = Date.now() + (kind === 'xjob' ? 20_000 : 6000);
      while (Date.now() < until) {
        if (kind === 'xjob') {
          const running = await db.kysely.selectFrom('async_jobs').select('worker').where('status', '=', 'RUNNING').execute();
          const pids = new Set(running.map((r) => Number(String(r.worker ?? '').split(':')[1])));
          const busy = candidates.find((p) => p.pid !== undefined && pids.has(p.pid));
          if (busy) return { victim: busy, busy: true };
        } else if (inFlight[kind as Service] > 0) {
          await sleep(between(0, 60));
          return { victim: pick(candidates), busy: true };
        }
        await sleep(25);
      }
      return { victim: pick(candidates), busy: false };
    }
    let round = 0;
    let driving = true;
    /** Kills begun (the tenants keep walking until the last one has begun, so every kill meets traffic). */
    let begun = 0;

    // A killed process restarts in the background while the loop goes on, so kills do not wait for
    // restarts; a process is never killed while the other process of its kind is down.
    const restarts: Promise<void>[] = [];
    const chaos = (async () => {
      const firstPass = shuffled(KINDS);
      while (begun < MIN_KILLS || (driving && begun < MAX_KILLS)) {
        await sleep(between(1000, 3000));
        const kind = firstPass.shift() ?? pick(KINDS);
        while (processes.some((p) => p.kind === kind && !p.ready)) await sleep(100);
        const { victim, busy } = await victimOf(kind);
        begun++;
        const atMs = Date.now() - started;
        await victim.kill();
        restarts.push(
          (async () => {
            await sleep(between(200, 1200));
            await victim.start(START_TIMEOUT_MS);
            kills.push({ name: victim.name, atMs, downMs: Date.now() - started - atMs, busy });
          })(),
        );
      }
      await Promise.all(restarts);
    })();

    // An operator watching jobs and pods through the Admin API meanwhile.
    const watcher = (async () => {
      const c = new FrontClient(front.urls as Record<Service, string>, adminToken, adminProject, stats, agent, inFlight);
      while (driving) {
        await c.call('admin-api', 'GET', '/v1.0/jobs?status=FAIL');
        await c.call('admin-api', 'GET', '/v1.0/pods');
        await sleep(300);
      }
    })();

    const tenant = async (slot: number) => {
      for (let i = 0; i < MAX_ROUNDS_PER_TENANT && (i === 0 || begun < MIN_KILLS); i++) {
        const r = ++round;
        const c = await newTenant(`mp-tenant-${r}-${slot}`, stats, inFlight);
        clients.set(c.projectId, c);
        await walkthrough(c, ledger, { round: r, externalNetworkId, imageId });
      }
    };
    try {
      await Promise.all(Array.from({ length: TENANTS }, (_, i) => tenant(i)));
    } catch (err) {
      failed = true;
      driving = false;
      await Promise.allSettled([chaos, watcher]);
      throw new Error(`${(err as Error).message}\n${logTails()}`);
    }
    driving = false;
    await Promise.all([chaos, watcher]);
    const drivenMs = Date.now() - started;

    const settled = await settleJobs(db, 60_000);
    for (const projectId of clients.keys()) {
      const res = await http('POST', `${front.urls['admin-api']}/v1.0/jobs`, {
        token: adminToken,
        body: { job: { type: 'reconcile', project_id: projectId, resource: { project_id: projectId } } },
      });
      assert.ok(res.status >= 200 && res.status < 300, res.text);
    }
    await settleJobs(db, 60_000);
    result = await audit({ db, ledger, clients, pods: cluster.pods, adminToken, adminProject });

    const byKind = Object.fromEntries(KINDS.map((k) => [k, kills.filter((x) => x.name.startsWith(`${k}-`)).length]));
    t.diagnostic(
      `rounds (projects walked through): ${round}; resources made: ${ledger.made.length} (${ledger.made.filter((m) => m.accepted).length} accepted, ${ledger.made.filter((m) => !m.accepted).length} adopted after a failed answer)`,
    );
    t.diagnostic(`requests: ${stats.sent} sent, ${stats.accepted} accepted (2xx writes), ${stats.failed} failed (5xx or no answer), ${stats.refused} 4xx`);
    t.diagnostic(
      `processes killed: ${kills.length} (${Object.entries(byKind)
        .map(([k, n]) => `${k} ${n}`)
        .join(', ')}): ${kills.map((k) => `${k.name}@${(k.atMs / 1000).toFixed(1)}s${k.busy ? '' : '(idle)'}`).join(' ')}; a kill marked (idle) found no request or job in flight`,
    );
    t.diagnostic(`jobs left when the drivers stopped and 60 s passed: ${settled.pending.length} pending, ${settled.failed.length} failed`);
    t.diagnostic(`resources checked: ${result.checked}; anomalies: ${result.anomalies.length}; crash leftovers: ${result.leftovers.length}`);
    for (const line of result.leftovers) t.diagnostic(`crash leftover: ${line}`);
    t.diagnostic(`driven in ${(drivenMs / 1000).toFixed(1)} s, audited at ${((Date.now() - started) / 1000).toFixed(1)} s`);

    assert.ok(kills.length >= KINDS.length);
    for (const kind of KINDS) assert.ok(byKind[kind] >= 1, `${kind} was killed at least once`);
    if (result.anomalies.length) failed = true;
    assert.deepEqual(result.anomalies, [], `anomalies:\n${result.anomalies.join('\n')}\n${logTails()}`);
  });

  // Known gaps of the gateways, not of the deployment: what a request cut short by a SIGKILL leaves
  // behind and nothing cleans up yet. Whether one shows up depends on where the kills land.
  test('nothing is left behind by requests cut short by a kill', { todo: 'the Nova and Cinder gateways have no repair for these crash windows yet (see CRASH_LEFTOVERS)' }, () => {
    assert.ok(result, 'the audit ran');
    const windows = CRASH_LEFTOVERS.filter((l) => result!.leftovers.some((line) => l.pattern.test(line))).map((l) => l.window);
    assert.deepEqual(result.leftovers, [], `crash windows hit: ${windows.join('; ')}`);
  });

  function logTails(): string {
    return processes.map((p) => `--- ${p.name} (${p.logFile})\n${p.logTail(8)}`).join('\n');
  }
});
