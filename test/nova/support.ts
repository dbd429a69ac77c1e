import { startSimCluster, type SimCluster } from '../../sim/cluster.js';
import type { Pod } from '../../src/pods/index.js';
import type { RunningTricircle } from '../../src/server.js';
import { createScratchDatabase, type DialectName, type ScratchDatabase } from '../support/databases.js';
import { http, type HttpResult } from '../support/http.js';
import { startTestTricircle } from '../support/tricircle.js';
import { issueToken } from '../identity/support.js';

export type Who = 'admin' | 'demo';

export interface NovaEnv {
  cluster: SimCluster;
  tc: RunningTricircle;
  scratch: ScratchDatabase;
  /** Gateway root (http://127.0.0.1:PORT). */
  gw: string;
  pods: Record<string, Pod>;
  tokens: Record<Who, string>;
  projects: Record<Who, string>;
  imageId: string;
  /** A call to the gateway below /v2.1. */
  call<T = any>(who: Who, method: string, path: string, opts?: { body?: unknown; headers?: Record<string, string>; raw?: string; version?: string }): Promise<HttpResult<T>>;
  /** A call straight to a pod's Nova, below /v2.1. */
  pod<T = any>(region: string, who: Who, method: string, path: string, opts?: { body?: unknown; version?: string }): Promise<HttpResult<T>>;
  close(): Promise<void>;
}

export interface NovaEnvOptions {
  pods?: { region: string; az: string; podAz?: string }[];
  dialect?: DialectName;
  buildDelayMs?: number;
  extra?: Record<string, Record<string, unknown>>;
  /** Also run the top networking service (registered as RegionOne's `network` endpoint). */
  withNeutron?: boolean;
  /** More services to run in the same process (e.g. 'xjob' for job workers). */
  services?: string[];
  /** Each pod gets its own Glance (the top region keeps the shared one). */
  glancePerPod?: boolean;
}

/**
 * Simulated pods (Pod1/az1 and Pod2/az2 by default) behind a Tricircle running the Admin API and the
 * Nova API gateway, with Keystone authentication and the top `compute` endpoint in the catalog.
 */
export async function startNovaEnv(opts: NovaEnvOptions = {}): Promise<NovaEnv> {
  const specs = opts.pods ?? [
    { region: 'Pod1', az: 'az1' },
    { region: 'Pod2', az: 'az2' },
  ];
  const scratch = await createScratchDatabase(opts.dialect ?? 'sqlite');
  const cluster = await startSimCluster({
    pods: specs.map((p) => ({ region: p.region, az: p.podAz ?? p.az })),
    top: { region: 'RegionOne', endpoints: {} },
    buildDelayMs: opts.buildDelayMs ?? 0,
    glancePerPod: opts.glancePerPod,
  });
  let tc: RunningTricircle;
  try {
    tc = await startTestTricircle({
      databaseUrl: scratch.url,
      authStrategy: 'keystone',
      keystoneUrl: cluster.keystoneUrl,
      only: [...(opts.withNeutron ? ['admin-api', 'nova-apigw', 'neutron-api'] : ['admin-api', 'nova-apigw']), ...(opts.services ?? [])],
      extra: opts.extra,
    });
  } catch (err) {
    await cluster.close();
    await scratch.drop();
    throw err;
  }
  const gw = tc.urls['nova-apigw']!;
  for (const iface of ['public', 'internal', 'admin'] as const) {
    cluster.keystone.addEndpoint({ region: 'RegionOne', serviceType: 'compute', serviceName: 'nova', interface: iface, url: `${gw}/v2.1` });
    if (opts.withNeutron) cluster.keystone.addEndpoint({ region: 'RegionOne', serviceType: 'network', serviceName: 'neutron', interface: iface, url: tc.urls['neutron-api']! });
    // Nova's volume proxies reach the Cinder gateway through the top region's catalog (docs/operations.md §3).
    if (tc.urls['cinder-apigw']) {
      cluster.keystone.addEndpoint({
        region: 'RegionOne',
        serviceType: 'volumev3',
        serviceName: 'cinderv3',
        interface: iface,
        url: `${tc.urls['cinder-apigw']}/v3/$(project_id)s`,
      });
    }
  }
  await tc.core.pods.create({ regionName: 'RegionOne' });
  const pods: Record<string, Pod> = {};
  for (const p of specs) pods[p.region] = await tc.core.pods.create({ regionName: p.region, azName: p.az, podAzName: p.podAz ?? p.az });

  const tokens = {
    admin: await issueToken(cluster.keystoneUrl, { user: 'admin', project: 'admin' }),
    demo: await issueToken(cluster.keystoneUrl, { user: 'demo', project: 'demo' }),
  };
  const projects = { admin: cluster.keystone.projectIdByName('admin')!, demo: cluster.keystone.projectIdByName('demo')! };
  const images = await http<{ images: { id: string; name: string }[] }>('GET', `${cluster.glanceUrl}/v2/images`, { token: tokens.admin });
  const imageId = images.body.images[0].id;

  // Room for the tests' servers, at the top and in every pod.
  const quota = { quota_set: { instances: 1000, cores: 2000, ram: 1_000_000 } };
  for (const project of Object.values(projects)) {
    await http('PUT', `${gw}/v2.1/os-quota-sets/${project}`, { token: tokens.admin, body: quota });
    for (const p of cluster.pods) await http('PUT', `${p.novaUrl}/v2.1/os-quota-sets/${project}`, { token: tokens.admin, body: quota });
  }

  const versionHeaders = (v?: string): Record<string, string> => (v ? { 'openstack-api-version': `compute ${v}` } : {});
  return {
    cluster,
    tc,
    scratch,
    gw,
    pods,
    tokens,
    projects,
    imageId,
    call: (who, method, path, o = {}) =>
      http(method, `${gw}/v2.1${path}`, { token: tokens[who], body: o.body, raw: o.raw, headers: { ...versionHeaders(o.version), ...(o.headers ?? {}) } }),
    pod: (region, who, method, path, o = {}) => {
      const nova = cluster.pods.find((p) => p.region === region)!.novaUrl;
      return http(method, `${nova}/v2.1${path}`, { token: tokens[who], body: o.body, headers: versionHeaders(o.version) });
    },
    close: async () => {
      await tc.close();
      await cluster.close();
      await scratch.drop();
    },
  };
}

/** Polls a server through the gateway until its status is one of `statuses`. */
export async function waitForStatus(env: NovaEnv, who: Who, id: string, statuses: string[], timeoutMs = 5000): Promise<any> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const res = await env.call(who, 'GET', `/servers/${id}`);
    if (res.status === 200 && statuses.includes(res.body.server.status)) return res.body.server;
    if (Date.now() > until) throw new Error(`server ${id} did not reach ${statuses.join('/')}: last ${res.status} ${res.text.slice(0, 200)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Polls until the gateway answers 404 for the server. */
export async function waitForGone(env: NovaEnv, who: Who, id: string, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const res = await env.call(who, 'GET', `/servers/${id}`);
    if (res.status === 404) return;
    if (Date.now() > until) throw new Error(`server ${id} still there: ${res.status}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
