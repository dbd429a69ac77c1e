/**
 * Two simulated pods (Pod1/az1, Pod2/az2) behind a Tricircle with Keystone authentication, for the
 * external-network and reconciler tests: calls to the top Neutron and to each pod's Neutron with an
 * admin token, and a look at the routing table.
 */
import { startSimCluster, type SimCluster } from '../../sim/cluster.js';
import { fetchSimToken } from '../../sim/common/token.js';
import type { Pod } from '../../src/pods/index.js';
import type { RunningTricircle } from '../../src/server.js';
import { createScratchDatabase, type DialectName, type ScratchDatabase } from '../support/databases.js';
import { http, type HttpResult } from '../support/http.js';
import { startTestTricircle } from '../support/tricircle.js';

export interface L3Env {
  cluster: SimCluster;
  tc: RunningTricircle;
  scratch: ScratchDatabase;
  token: string;
  pods: Record<string, Pod>;
  top<T = any>(method: string, path: string, body?: unknown): Promise<HttpResult<T>>;
  /** The Nova API gateway, below /v2.1 (when started). */
  nova<T = any>(method: string, path: string, body?: unknown): Promise<HttpResult<T>>;
  admin<T = any>(method: string, path: string, body?: unknown): Promise<HttpResult<T>>;
  pod<T = any>(region: string, method: string, path: string, body?: unknown): Promise<HttpResult<T>>;
  /** Routing rows of a top id (all types, all pods). */
  routes(topId: string): Promise<{ pod_id: string; bottom_id: string | null; resource_type: string; id: number }[]>;
  close(): Promise<void>;
}

/** [tricircle] options that let the tests make vlan external networks on physnet `extern`. */
export const L3_NETWORK_OPTIONS = { network_vlan_ranges: ['bridge:2001:3000', 'extern:3001:4000'] };

/** [xjob] options that make jobs settle quickly in tests (the reconciler's timer off). */
export const FAST_XJOB = { scan_interval: 0.2, retry_backoff_base: 0.1, retry_backoff_cap: 1, heartbeat_interval: 1, job_run_expire: 10, reconcile_interval: 0 };

export async function startL3Env(opts: { services?: string[]; extra?: Record<string, Record<string, unknown>>; dialect?: DialectName } = {}): Promise<L3Env> {
  const cluster = await startSimCluster({
    pods: [
      { region: 'Pod1', az: 'az1' },
      { region: 'Pod2', az: 'az2' },
    ],
    top: { region: 'RegionOne', endpoints: {} },
    buildDelayMs: 0,
  });
  const scratch = await createScratchDatabase(opts.dialect ?? 'sqlite');
  let tc: RunningTricircle;
  try {
    tc = await startTestTricircle({
      databaseUrl: scratch.url,
      authStrategy: 'keystone',
      keystoneUrl: cluster.keystoneUrl,
      only: opts.services ?? ['admin-api', 'neutron-api'],
      extra: { ...opts.extra, tricircle: { ...L3_NETWORK_OPTIONS, ...(opts.extra?.tricircle ?? {}) } },
    });
  } catch (err) {
    await cluster.close();
    await scratch.drop();
    throw err;
  }
  for (const iface of ['public', 'internal', 'admin'] as const) {
    if (tc.urls['nova-apigw'])
      cluster.keystone.addEndpoint({ region: 'RegionOne', serviceType: 'compute', serviceName: 'nova', interface: iface, url: `${tc.urls['nova-apigw']}/v2.1` });
    cluster.keystone.addEndpoint({ region: 'RegionOne', serviceType: 'network', serviceName: 'neutron', interface: iface, url: tc.urls['neutron-api']! });
  }
  const pods: Record<string, Pod> = {};
  await tc.core.pods.create({ regionName: 'RegionOne' });
  for (const p of cluster.pods) pods[p.region] = await tc.core.pods.create({ regionName: p.region, azName: p.az, podAzName: p.az });
  const token = (await fetchSimToken(cluster.keystoneUrl, { project: 'admin' })).token;
  const neutronOf = (region: string) => cluster.pods.find((p) => p.region === region)!.neutronUrl;
  return {
    cluster,
    tc,
    scratch,
    token,
    pods,
    top: (method, path, body) => http(method, `${tc.urls['neutron-api']}${path}`, { body, token }),
    nova: (method, path, body) => http(method, `${tc.urls['nova-apigw']}/v2.1${path}`, { body, token }),
    admin: (method, path, body) => http(method, `${tc.urls['admin-api']}${path}`, { body, token }),
    pod: (region, method, path, body) => http(method, `${neutronOf(region)}${path}`, { body, token }),
    routes: (topId) =>
      tc.db.kysely
        .selectFrom('resource_routings')
        .select(['id', 'pod_id', 'bottom_id', 'resource_type'])
        .where('top_id', '=', topId)
        .execute()
        .then((rows) => rows.map((r) => ({ ...r, id: Number(r.id) }))),
    async close() {
      await tc.close();
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

/** Waits until no job waits or runs; a job that failed for good throws with its error. */
export async function settleJobs(env: L3Env, what: string, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const [fresh, running, failed] = await Promise.all(['NEW', 'RUNNING', 'FAIL'].map(async (s) => (await env.admin('GET', `/v1.0/jobs?status=${s}`)).body.jobs as any[]));
    if (failed.length) throw new Error(`${what}: job(s) failed: ${failed.map((j) => `${j.type} ${j.resource_id}: ${j.last_error}`).join('; ')}`);
    if (fresh.length === 0 && running.length === 0) return;
    if (Date.now() > until)
      throw new Error(`${what}: jobs still pending: ${[...fresh, ...running].map((j) => `${j.type} ${j.resource_id} ${j.status} ${j.last_error ?? ''}`).join('; ')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** What buildWalkthrough made (top ids). */
export interface Walkthrough {
  project: string;
  router: string;
  nets: { net1: string; net2: string; ext: string };
  subnets: { subnet1: string; subnet2: string; ext: string };
  vm1: { server: string; port: string; ip: string };
  vm2: { server: string; port: string; ip: string };
  fipSame: { id: string; address: string };
  fipTwoHop: { id: string; address: string };
}

/**
 * Reference §8.2 through the REST APIs (needs neutron-api, nova-apigw and xjob): net1/az1, net2/az2,
 * ext-net in Pod2, a router with its gateway and both subnets, vm1 and vm2, a floating IP for vm2
 * (same pod as ext-net) and one for vm1 (two hops); returns once the jobs settled.
 */
export async function buildWalkthrough(env: L3Env): Promise<Walkthrough> {
  const project = env.cluster.keystone.projectIdByName('admin')!;
  const quota = { quota_set: { instances: 100, cores: 200, ram: 1_000_000 } };
  await env.nova('PUT', `/os-quota-sets/${project}`, quota);
  for (const p of env.cluster.pods) await http('PUT', `${p.novaUrl}/v2.1/os-quota-sets/${project}`, { token: env.token, body: quota });
  const imageId = (await http('GET', `${env.cluster.glanceUrl}/v2/images`, { token: env.token })).body.images[0].id;
  const mk = async (path: string, body: unknown) => Object.values(expectStatus(await env.top('POST', path, body), 201, path).body as Record<string, any>)[0];
  const net1 = await mk('/v2.0/networks', { network: { name: 'net1', availability_zone_hints: ['az1'] } });
  const net2 = await mk('/v2.0/networks', { network: { name: 'net2', availability_zone_hints: ['az2'] } });
  const ext = await mk('/v2.0/networks', {
    network: { name: 'ext-net', 'router:external': true, 'provider:network_type': 'vlan', 'provider:physical_network': 'extern', availability_zone_hints: ['Pod2'] },
  });
  const extSub = await mk('/v2.0/subnets', {
    subnet: {
      name: 'ext-subnet',
      network_id: ext.id,
      ip_version: 4,
      cidr: '10.50.11.0/26',
      enable_dhcp: false,
      gateway_ip: '10.50.11.1',
      allocation_pools: [{ start: '10.50.11.30', end: '10.50.11.50' }],
    },
  });
  const router = await mk('/v2.0/routers', { router: { name: 'router', external_gateway_info: { network_id: ext.id } } });
  const sub1 = await mk('/v2.0/subnets', { subnet: { name: 'subnet1', network_id: net1.id, ip_version: 4, cidr: '10.0.1.0/24' } });
  const sub2 = await mk('/v2.0/subnets', { subnet: { name: 'subnet2', network_id: net2.id, ip_version: 4, cidr: '10.0.2.0/24' } });
  const boot = async (name: string, net: string, az: string) => {
    const res = expectStatus(
      await env.nova('POST', '/servers', { server: { name, flavorRef: '1', imageRef: imageId, availability_zone: az, networks: [{ uuid: net }] } }),
      202,
      `boot ${name}`,
    );
    const id = res.body.server.id as string;
    for (let i = 0; i < 400; i++) {
      if ((await env.nova('GET', `/servers/${id}`)).body.server.status === 'ACTIVE') break;
      await new Promise((r) => setTimeout(r, 25));
    }
    const [port] = (await env.top('GET', `/v2.0/ports?device_id=${id}`)).body.ports;
    return { server: id, port: port.id as string, ip: port.fixed_ips[0].ip_address as string };
  };
  const vm1 = await boot('vm1', net1.id, 'az1');
  const vm2 = await boot('vm2', net2.id, 'az2');
  for (const s of [sub1, sub2]) expectStatus(await env.top('PUT', `/v2.0/routers/${router.id}/add_router_interface`, { subnet_id: s.id }), 200);
  await settleJobs(env, 'walkthrough: interfaces');
  const fipSame = await mk('/v2.0/floatingips', { floatingip: { floating_network_id: ext.id, port_id: vm2.port } });
  const fipTwoHop = await mk('/v2.0/floatingips', { floatingip: { floating_network_id: ext.id, port_id: vm1.port } });
  await settleJobs(env, 'walkthrough: floating IPs');
  return {
    project,
    router: router.id,
    nets: { net1: net1.id, net2: net2.id, ext: ext.id },
    subnets: { subnet1: sub1.id, subnet2: sub2.id, ext: extSub.id },
    vm1,
    vm2,
    fipSame: { id: fipSame.id, address: fipSame.floating_ip_address },
    fipTwoHop: { id: fipTwoHop.id, address: fipTwoHop.floating_ip_address },
  };
}
