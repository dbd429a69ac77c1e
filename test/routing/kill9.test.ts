import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimCluster, type SimCluster } from '../../sim/cluster.js';
import { fetchSimToken } from '../../sim/common/token.js';
import { openDatabase, type Db } from '../../src/db/index.js';
import { RoutingTable } from '../../src/routing/index.js';
import { freePort, ServiceProcess } from '../deploy/processes.js';
import { runCli } from '../support/cli.js';
import { http } from '../support/http.js';

/**
 * Issue 10's crash window, made deterministic: a real `tricircle serve` process (all services, on a
 * SQLite file) asks a pod to boot servers and create a volume; the pod makes them and then holds its
 * 202 (the simulator's `createAnswerDelayMs`), and the process is killed with SIGKILL while it waits,
 * between the pod's answer and the routing write. What is left is the gateways' intents. A restarted
 * process repairs them within one reconcile period: every server and the volume are routed (visible
 * through the gateways), none is left an orphan in the pod.
 */

/** Pod call deadline (s); intents are stale after twice this. */
const POD_TIMEOUT = 8;
/** Seconds between the periodic reconcile requests. */
const RECONCILE_INTERVAL = 2;
/** A process start loads every service's code: seconds of CPU, more on a loaded machine. */
const START_TIMEOUT_MS = 120_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`${what}: not after ${timeoutMs} ms`);
    await sleep(200);
  }
}

describe('kill -9 between a pod’s 202 and the routing write: the intents are repaired after a restart', () => {
  let cluster: SimCluster;
  let dir: string;
  let db: Db;
  let routings: RoutingTable;
  let serve: ServiceProcess;
  let urls: Record<'admin' | 'nova' | 'cinder', string>;
  let adminToken: string;
  let demoToken: string;
  let demoProject: string;
  let adminProject: string;
  let imageId: string;
  let failed = false;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tricircle-kill9-'));
    cluster = await startSimCluster({ pods: [{ region: 'Pod1', az: 'az1' }], top: { region: 'RegionOne', endpoints: {} }, buildDelayMs: 0 });
    const ports = { admin: await freePort(), nova: await freePort(), cinder: await freePort(), neutron: await freePort() };
    urls = { admin: `http://127.0.0.1:${ports.admin}`, nova: `http://127.0.0.1:${ports.nova}`, cinder: `http://127.0.0.1:${ports.cinder}` };
    const v3 = `${cluster.keystoneUrl}/v3`;
    const dbUrl = `sqlite:///${join(dir, 'tricircle.sqlite')}`;
    const env: Record<string, string> = {
      TRICIRCLE_DEFAULT__AUTH_STRATEGY: 'keystone',
      TRICIRCLE_DATABASE__CONNECTION: dbUrl,
      TRICIRCLE_KEYSTONE_AUTHTOKEN__AUTH_URL: v3,
      TRICIRCLE_CLIENT__AUTH_URL: v3,
      TRICIRCLE_CLIENT__ADMIN_PASSWORD: 'password',
      TRICIRCLE_CLIENT__POD_TIMEOUT: String(POD_TIMEOUT),
      TRICIRCLE_XJOB__SCAN_INTERVAL: '0.5',
      TRICIRCLE_XJOB__RECONCILE_INTERVAL: String(RECONCILE_INTERVAL),
      TRICIRCLE_XJOB__SHUTDOWN_GRACE: '1',
      TRICIRCLE_ADMIN_API__BIND_PORT: String(ports.admin),
      TRICIRCLE_NOVA_APIGW__BIND_PORT: String(ports.nova),
      TRICIRCLE_CINDER_APIGW__BIND_PORT: String(ports.cinder),
      TRICIRCLE_NEUTRON__BIND_PORT: String(ports.neutron),
    };
    const sync = await runCli(['db', 'sync'], env);
    assert.equal(sync.code, 0, sync.stderr);
    // Info-level logs, for the failure message.
    serve = new ServiceProcess('all', 1, undefined, { ...env, TRICIRCLE_DEFAULT__LOG_LEVEL: 'info' }, dir);
    await serve.start(START_TIMEOUT_MS);

    adminToken = (await fetchSimToken(cluster.keystoneUrl, { project: 'admin' })).token;
    demoToken = (await fetchSimToken(cluster.keystoneUrl, { user: 'demo', project: 'demo' })).token;
    demoProject = cluster.keystone.projectIdByName('demo')!;
    adminProject = cluster.keystone.projectIdByName('admin')!;
    for (const pod of [{ region_name: 'RegionOne' }, { region_name: 'Pod1', az_name: 'az1', pod_az_name: 'az1' }]) {
      const res = await http('POST', `${urls.admin}/v1.0/pods`, { token: adminToken, body: { pod } });
      assert.equal(res.status, 200, res.text);
    }
    imageId = (await http('GET', `${cluster.glanceUrl}/v2/images`, { token: adminToken })).body.images[0].id;
    db = openDatabase(dbUrl, { maxPoolSize: 1 });
    routings = new RoutingTable(db);
  });

  after(async () => {
    await serve?.stop();
    await db?.close();
    await cluster?.close();
    if (failed) console.log(`# logs kept in ${dir}`);
    else if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const pod1 = () => cluster.pods[0];
  const podServers = async (): Promise<{ id: string; name: string }[]> => (await http('GET', `${pod1().novaUrl}/v2.1/servers?all_tenants=1`, { token: adminToken })).body.servers;
  const podVolumes = async (): Promise<{ id: string; name: string }[]> =>
    (await http('GET', `${pod1().cinderUrl}/v3/${adminProject}/volumes?all_tenants=1`, { token: adminToken })).body.volumes;

  test('servers (one, and two of one multi-create) and a volume are routed, none orphaned', async (t) => {
    try {
      // The pod carries out the creates, then holds its answers far longer than the test waits.
      await cluster.setFaults('Pod1', { createAnswerDelayMs: 120_000 });
      const boots = [
        http('POST', `${urls.nova}/v2.1/servers`, {
          token: demoToken,
          body: { server: { name: 'k9-single', imageRef: imageId, flavorRef: '1', networks: 'none' } },
          headers: { 'openstack-api-version': 'compute 2.37' },
        }),
        http('POST', `${urls.nova}/v2.1/servers`, {
          token: demoToken,
          body: { server: { name: 'k9-multi', imageRef: imageId, flavorRef: '1', networks: 'none', min_count: 2, max_count: 2 } },
          headers: { 'openstack-api-version': 'compute 2.37' },
        }),
        http('POST', `${urls.cinder}/v3/${demoProject}/volumes`, { token: demoToken, body: { volume: { name: 'k9-volume', size: 1 } } }),
      ].map((p) => p.then((r) => r.status).catch((err: Error) => err.message));

      // The window: everything made in the pod, three intents and no route in the table.
      const made = await waitFor('the creates carried out in the pod', 60_000, async () => {
        const servers = (await podServers()).filter((s) => s.name.startsWith('k9-'));
        const volumes = (await podVolumes()).filter((v) => v.name === 'k9-volume');
        return servers.length === 3 && volumes.length === 1 ? { servers, volume: volumes[0] } : undefined;
      });
      const stale = await routings.staleIntents({ olderThanMs: 0, projectId: demoProject });
      assert.deepEqual(stale.map((i) => `${i.resourceType} ${i.name}`).sort(), ['server k9-multi', 'server k9-single', 'volume k9-volume']);
      assert.deepEqual(
        await routings.findByTops(
          'server',
          made.servers.map((s) => s.id),
        ),
        [],
      );
      assert.deepEqual(await routings.findByTop(made.volume.id, 'volume'), []);

      await serve.kill();
      const answers = await Promise.all(boots);
      t.diagnostic(`the clients saw: ${answers.join(', ')}`);
      for (const a of answers) assert.notEqual(a, 202, 'no create was answered before the kill');

      await cluster.setFaults('Pod1', { createAnswerDelayMs: 0 });
      const restarted = Date.now();
      await serve.start(START_TIMEOUT_MS);

      // Repaired within a reconcile period after the intents went stale (2 × pod timeout).
      const budgetMs = 2 * POD_TIMEOUT * 1000 + 3 * RECONCILE_INTERVAL * 1000 + 30_000;
      for (const s of made.servers) {
        const shown = await waitFor(`server ${s.name} ${s.id} through the gateway`, budgetMs, async () => {
          const res = await http('GET', `${urls.nova}/v2.1/servers/${s.id}`, { token: demoToken });
          return res.status === 200 ? res.body.server : undefined;
        });
        assert.equal(shown.id, s.id);
        assert.equal(shown.name, s.name);
      }
      const volume = await waitFor('the volume through the gateway', budgetMs, async () => {
        const res = await http('GET', `${urls.cinder}/v3/${demoProject}/volumes/${made.volume.id}`, { token: demoToken });
        return res.status === 200 ? res.body.volume : undefined;
      });
      assert.equal(volume.id, made.volume.id);
      t.diagnostic(`repaired ${((Date.now() - restarted) / 1000).toFixed(1)} s after the restart began`);

      // One route each, in the pod they were made in; no intent left; nothing else in the pod.
      const pod = (await http('GET', `${urls.admin}/v1.0/pods`, { token: adminToken })).body.pods.find((p: { region_name: string }) => p.region_name === 'Pod1');
      for (const s of made.servers)
        assert.deepEqual(
          (await routings.findByTop(s.id, 'server')).map((r) => [r.podId, r.bottomId]),
          [[pod.pod_id, s.id]],
        );
      assert.deepEqual(
        (await routings.findByTop(made.volume.id, 'volume')).map((r) => [r.podId, r.bottomId]),
        [[pod.pod_id, made.volume.id]],
      );
      assert.deepEqual(await routings.staleIntents({ olderThanMs: 0 }), []);
      const listed = await http('GET', `${urls.nova}/v2.1/servers`, { token: demoToken });
      assert.deepEqual(listed.body.servers.map((s: { id: string }) => s.id).sort(), made.servers.map((s) => s.id).sort());
    } catch (err) {
      failed = true;
      throw new Error(`${(err as Error).message}\n--- serve log\n${serve.logTail(40)}`, { cause: err });
    }
  });
});
