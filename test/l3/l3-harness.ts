/**
 * Two simulated pods (Pod1/az1, Pod2/az2) behind a Tricircle that runs the Admin API, the top
 * Neutron, the Nova API gateway and the job workers, with Keystone authentication: enough to boot
 * servers on top networks, wire routers and floating IPs, and watch the jobs settle.
 */
import assert from 'node:assert/strict';
import { startSimCluster, type SimCluster } from '../../sim/cluster.js';
import type { Pod } from '../../src/pods/index.js';
import type { RunningTricircle } from '../../src/server.js';
import { issueToken } from '../identity/support.js';
import { createScratchDatabase, type DialectName, type ScratchDatabase } from '../support/databases.js';
import { http, type HttpResult } from '../support/http.js';
import { startTestTricircle } from '../support/tricircle.js';

export type Who = 'admin' | 'demo';

export interface RouterEnv {
  cluster: SimCluster;
  tc: RunningTricircle;
  pods: Record<'Pod1' | 'Pod2', Pod>;
  tokens: Record<Who, string>;
  projects: Record<Who, string>;
  imageId: string;
  /** The top Neutron, below /v2.0 (demo unless told). */
  top<T = any>(method: string, path: string, body?: unknown, who?: Who): Promise<HttpResult<T>>;
  /** A pod's Neutron below /v2.0, as admin. */
  pod<T = any>(region: string, method: string, path: string, body?: unknown): Promise<HttpResult<T>>;
  /** Boots a server through the Nova API gateway in `az` on `networkId` (or a port) and waits until it is ACTIVE. */
  boot(name: string, az: string, nic: { uuid: string } | { port: string }): Promise<{ id: string; ip: string; portId: string }>;
  deleteServer(id: string): Promise<void>;
  /** Waits until no job is NEW or RUNNING; returns the FAIL rows. */
  settle(timeoutMs?: number): Promise<{ type: string; resource_id: string; last_error: string | null }[]>;
  close(): Promise<void>;
}

export const NETWORK_OPTIONS = { network_vlan_ranges: ['bridge:2001:3000', 'extern:3001:4000'] };

export async function startRouterEnv(opts: { dialect?: DialectName; xjob?: Record<string, unknown> } = {}): Promise<RouterEnv> {
  const scratch: ScratchDatabase = await createScratchDatabase(opts.dialect ?? 'sqlite');
  const cluster = await startSimCluster({
    pods: [
      { region: 'Pod1', az: 'az1' },
      { region: 'Pod2', az: 'az2' },
    ],
    top: { region: 'RegionOne', endpoints: {} },
    buildDelayMs: 0,
  });
  let tc: RunningTricircle;
  try {
    tc = await startTestTricircle({
      databaseUrl: scratch.url,
      authStrategy: 'keystone',
      keystoneUrl: cluster.keystoneUrl,
      only: ['admin-api', 'neutron-api', 'nova-apigw', 'xjob'],
      extra: {
        tricircle: NETWORK_OPTIONS,
        xjob: { retry_backoff_base: 0.1, retry_backoff_cap: 1, scan_interval: 0.5, reconcile_interval: 0, ...opts.xjob },
        database: { max_pool_size: 10 },
      },
    });
  } catch (err) {
    await cluster.close();
    await scratch.drop();
    throw err;
  }
  const running = tc;
  await running.core.pods.create({ regionName: 'RegionOne' });
  const pods = {} as Record<'Pod1' | 'Pod2', Pod>;
  for (const p of cluster.pods) pods[p.region as 'Pod1' | 'Pod2'] = await running.core.pods.create({ regionName: p.region, azName: p.az, podAzName: p.az });

  const tokens = {
    admin: await issueToken(cluster.keystoneUrl, { user: 'admin', project: 'admin' }),
    demo: await issueToken(cluster.keystoneUrl, { user: 'demo', project: 'demo' }),
  };
  const projects = { admin: cluster.keystone.projectIdByName('admin')!, demo: cluster.keystone.projectIdByName('demo')! };
  const gw = running.urls['nova-apigw']!;
  const quota = { quota_set: { instances: 1000, cores: 2000, ram: 1_000_000 } };
  for (const project of Object.values(projects)) {
    await http('PUT', `${gw}/v2.1/os-quota-sets/${project}`, { token: tokens.admin, body: quota });
    for (const p of cluster.pods) await http('PUT', `${p.novaUrl}/v2.1/os-quota-sets/${project}`, { token: tokens.admin, body: quota });
  }
  const images = await http<{ images: { id: string }[] }>('GET', `${cluster.glanceUrl}/v2/images`, { token: tokens.admin });
  const imageId = images.body.images[0].id;
  const nova = (method: string, path: string, body?: unknown) =>
    http(method, `${gw}/v2.1${path}`, { token: tokens.demo, body, headers: { 'openstack-api-version': 'compute 2.37' } });
  const top = (method: string, path: string, body?: unknown, who: Who = 'demo') => http(method, `${running.urls['neutron-api']}/v2.0${path}`, { body, token: tokens[who] });

  return {
    cluster,
    tc: running,
    pods,
    tokens,
    projects,
    imageId,
    top,
    pod: (region, method, path, body) => http(method, `${cluster.pods.find((p) => p.region === region)!.neutronUrl}/v2.0${path}`, { body, token: tokens.admin }),
    async boot(name, az, nic) {
      const res = await nova('POST', '/servers', { server: { name, imageRef: imageId, flavorRef: '1', networks: [nic], availability_zone: az } });
      assert.equal(res.status, 202, res.text);
      const id = res.body.server.id as string;
      const until = Date.now() + 10_000;
      for (;;) {
        const s = await nova('GET', `/servers/${id}`);
        if (s.status === 200 && s.body.server.status === 'ACTIVE') break;
        if (Date.now() > until) throw new Error(`server ${name} not ACTIVE: ${s.status} ${s.text.slice(0, 300)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      const ports = await top('GET', `/ports?device_id=${id}`);
      assert.equal(ports.body.ports.length, 1, ports.text);
      return { id, ip: ports.body.ports[0].fixed_ips[0].ip_address, portId: ports.body.ports[0].id };
    },
    async deleteServer(id) {
      const res = await nova('DELETE', `/servers/${id}`);
      assert.equal(res.status, 204, res.text);
      const until = Date.now() + 10_000;
      while ((await nova('GET', `/servers/${id}`)).status !== 404) {
        if (Date.now() > until) throw new Error(`server ${id} still there`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async settle(timeoutMs = 30_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const open = await running.db.kysely.selectFrom('async_jobs').select(['type', 'resource_id', 'status', 'last_error']).where('status', 'in', ['NEW', 'RUNNING']).execute();
        if (open.length === 0) break;
        if (Date.now() > until) throw new Error(`jobs did not settle: ${JSON.stringify(open)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      return running.db.kysely.selectFrom('async_jobs').select(['type', 'resource_id', 'last_error']).where('status', '=', 'FAIL').execute();
    },
    async close() {
      await running.close();
      await cluster.close();
      await scratch.drop();
    },
  };
}

/** Asserts a status, showing the body when it differs. */
export function expectStatus<T>(res: HttpResult<T>, status: number, what = ''): HttpResult<T> {
  if (res.status !== status) throw new Error(`${what ? `${what}: ` : ''}expected HTTP ${status}, got ${res.status}: ${res.text.slice(0, 500)}`);
  return res;
}
