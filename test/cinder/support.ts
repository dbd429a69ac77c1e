import { startSimCluster, type SimCluster } from '../../sim/cluster.js';
import type { Pod } from '../../src/pods/index.js';
import type { RunningTricircle } from '../../src/server.js';
import { createScratchDatabase, type DialectName, type ScratchDatabase } from '../support/databases.js';
import { http, type HttpResult } from '../support/http.js';
import { startTestTricircle } from '../support/tricircle.js';
import { issueToken } from '../identity/support.js';

export interface CinderEnv {
  cluster: SimCluster;
  tc: RunningTricircle;
  scratch: ScratchDatabase;
  /** Gateway root, e.g. http://127.0.0.1:PORT */
  gw: string;
  pods: Record<string, Pod>;
  register(region: string): Promise<Pod>;
  admin: { token: string; project: string };
  demo: { token: string; project: string };
  /** A call to the gateway under /v3/<project of the token>. */
  call<T = any>(who: 'admin' | 'demo', method: string, path: string, opts?: { body?: unknown; headers?: Record<string, string>; raw?: string }): Promise<HttpResult<T>>;
  /** A call straight to a pod's Cinder (bypassing Tricircle). */
  pod<T = any>(region: string, who: 'admin' | 'demo', method: string, path: string, body?: unknown): Promise<HttpResult<T>>;
  close(): Promise<void>;
}

export interface CinderEnvOptions {
  pods?: { region: string; az: string }[];
  dialect?: DialectName;
  services?: string[];
  extra?: Record<string, Record<string, unknown>>;
  buildDelayMs?: number;
  /** Simulated pods not registered with Tricircle at start (register them with env.register). */
  unregistered?: string[];
}

/**
 * Simulated pods (default Pod1/az1 and Pod2/az2) behind a Tricircle running the Cinder gateway
 * (and the Admin API), with Keystone authentication and the top endpoints in the catalog.
 */
export async function startCinderEnv(opts: CinderEnvOptions = {}): Promise<CinderEnv> {
  const podSpecs = opts.pods ?? [
    { region: 'Pod1', az: 'az1' },
    { region: 'Pod2', az: 'az2' },
  ];
  const scratch = await createScratchDatabase(opts.dialect ?? 'sqlite');
  const cluster = await startSimCluster({ pods: podSpecs, top: { region: 'RegionOne', endpoints: {} }, buildDelayMs: opts.buildDelayMs ?? 0 });
  let tc: RunningTricircle;
  try {
    tc = await startTestTricircle({
      databaseUrl: scratch.url,
      authStrategy: 'keystone',
      keystoneUrl: cluster.keystoneUrl,
      only: (opts.services ?? ['admin-api', 'cinder-apigw']) as string[],
      extra: opts.extra,
    });
  } catch (err) {
    await cluster.close();
    await scratch.drop();
    throw err;
  }
  const gw = tc.urls['cinder-apigw']!;
  for (const iface of ['public', 'internal', 'admin'] as const) {
    cluster.keystone.addEndpoint({ region: 'RegionOne', serviceType: 'volumev3', serviceName: 'cinderv3', interface: iface, url: `${gw}/v3/$(project_id)s` });
    cluster.keystone.addEndpoint({ region: 'RegionOne', serviceType: 'block-storage', serviceName: 'cinder', interface: iface, url: `${gw}/v3/$(project_id)s` });
  }
  await tc.core.pods.create({ regionName: 'RegionOne' });
  const pods: Record<string, Pod> = {};
  const register = async (region: string) => {
    const spec = podSpecs.find((p) => p.region === region)!;
    pods[region] = await tc.core.pods.create({ regionName: spec.region, azName: spec.az, podAzName: spec.az });
    return pods[region];
  };
  for (const p of podSpecs) if (!opts.unregistered?.includes(p.region)) await register(p.region);

  const admin = { token: await issueToken(cluster.keystoneUrl, { user: 'admin', project: 'admin' }), project: cluster.keystone.projectIdByName('admin')! };
  const demo = { token: await issueToken(cluster.keystoneUrl, { user: 'demo', project: 'demo' }), project: cluster.keystone.projectIdByName('demo')! };
  const who = { admin, demo };
  const cinderUrl = (region: string) => cluster.pods.find((p) => p.region === region)!.cinderUrl;
  // Room for the tests' volumes: the top enforces Cinder's default of 10 volumes otherwise.
  for (const w of [admin, demo]) {
    const res = await http('PUT', `${gw}/v3/${admin.project}/os-quota-sets/${w.project}`, { token: admin.token, body: { quota_set: { volumes: 1000, gigabytes: 100_000 } } });
    if (res.status !== 200) throw new Error(`could not raise the volume quotas: ${res.status} ${res.text}`);
  }

  return {
    cluster,
    tc,
    scratch,
    gw,
    pods,
    register,
    admin,
    demo,
    call: (w, method, path, o = {}) => http(method, `${gw}/v3/${who[w].project}${path}`, { token: who[w].token, ...o }),
    pod: (region, w, method, path, body) => http(method, `${cinderUrl(region)}/v3/${who[w].project}${path}`, { token: who[w].token, ...(body !== undefined ? { body } : {}) }),
    async close() {
      await tc.close();
      await cluster.close();
      await scratch.drop();
    },
  };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls a volume through the gateway until its status is one of `statuses`. */
export async function waitForStatus(env: CinderEnv, who: 'admin' | 'demo', id: string, statuses: string[], timeoutMs = 5000): Promise<any> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const res = await env.call(who, 'GET', `/volumes/${id}`);
    if (res.status === 200 && statuses.includes(res.body.volume.status)) return res.body.volume;
    if (Date.now() > until) throw new Error(`volume ${id} did not reach ${statuses.join('/')} (last: ${res.status} ${res.text.slice(0, 200)})`);
    await sleep(20);
  }
}

/**
 * Boots a server straight in a pod's Nova (as if the Nova gateway had) and records its route
 * (resource type `server`, same id top and bottom), so Cinder's os-attach can find it.
 */
export async function bootServerInPod(env: CinderEnv, region: string, who: 'admin' | 'demo', name = 'vm'): Promise<string> {
  const token = env[who].token;
  const images = await http('GET', `${env.cluster.glanceUrl}/v2/images`, { token });
  const imageRef = images.body.images[0].id;
  const novaUrl = env.cluster.pods.find((p) => p.region === region)!.novaUrl;
  const made = await http('POST', `${novaUrl}/v2.1/servers`, {
    token,
    headers: { 'openstack-api-version': 'compute 2.37' },
    body: { server: { name, flavorRef: '1', imageRef, networks: 'none' } },
  });
  if (made.status !== 202) throw new Error(`boot failed: ${made.status} ${made.text}`);
  const id = made.body.server.id as string;
  await env.tc.core.routings.create({ topId: id, bottomId: id, podId: env.pods[region].id, projectId: env[who].project, resourceType: 'server' });
  for (let i = 0; i < 200; i++) {
    const s = await http('GET', `${novaUrl}/v2.1/servers/${id}`, { token });
    if (s.body?.server?.status === 'ACTIVE') return id;
    await sleep(20);
  }
  throw new Error(`server ${id} did not become ACTIVE`);
}
