import assert from 'node:assert/strict';
import { startSimCluster, type SimCluster } from '../../sim/cluster.js';
import { createRequestContext, type RequestContext } from '../../src/identity/index.js';
import { createWiring, type Wiring, type WiringOptions } from '../../src/wiring/index.js';
import type { Pod } from '../../src/pods/index.js';
import type { RunningTricircle } from '../../src/server.js';
import { issueToken } from '../identity/support.js';
import { createScratchDatabase, type DialectName, type ScratchDatabase } from '../support/databases.js';
import { http, type HttpResult } from '../support/http.js';
import { startTestTricircle } from '../support/tricircle.js';

/** Tricircle (Admin API + top Neutron, Keystone auth) in front of two simulated pods, Pod1 (az1) and Pod2 (az2). */
export interface PrepareHarness {
  cluster: SimCluster;
  tc: RunningTricircle;
  pods: Record<'Pod1' | 'Pod2', Pod>;
  adminToken: string;
  demoToken: string;
  demoProject: string;
  /** The demo user's context, as the Nova API gateway passes it. */
  ctx: RequestContext;
  preparer: Wiring['preparer'];
  /** A preparer over the same services with other options (fault injection). */
  preparerWith(opts: WiringOptions): Wiring['preparer'];
  top<T = any>(method: string, path: string, body?: unknown, token?: string): Promise<HttpResult<T>>;
  /** The pod's Neutron, as admin. */
  pod<T = any>(region: string, method: string, path: string, body?: unknown): Promise<HttpResult<T>>;
  /** A top network (demo project) with one subnet; extra network attributes as given. */
  network(cidr: string, attrs?: Record<string, unknown>, token?: string): Promise<{ net: any; subnet: any }>;
  /** A fresh project with a member user: its token and context. */
  altProject(): Promise<{ token: string; ctx: RequestContext; projectId: string }>;
  /** The admin user's context (admin project). */
  adminContext(): Promise<RequestContext>;
  routes(topIds: string[]): Promise<{ top_id: string; bottom_id: string | null; pod_id: string; resource_type: string }[]>;
  close(): Promise<void>;
}

/** `extra`: further configuration sections (e.g. `{ tricircle: { type_drivers: ... } }`). */
export async function startPrepareHarness(dialect: DialectName = 'sqlite', extra: Record<string, Record<string, unknown>> = {}): Promise<PrepareHarness> {
  const cluster = await startSimCluster({
    pods: [
      { region: 'Pod1', az: 'az1' },
      { region: 'Pod2', az: 'az2' },
    ],
    buildDelayMs: 0,
  });
  let scratch: ScratchDatabase | undefined;
  let tc: RunningTricircle | undefined;
  try {
    scratch = await createScratchDatabase(dialect);
    tc = await startTestTricircle({
      databaseUrl: scratch.url,
      only: ['admin-api', 'neutron-api'],
      authStrategy: 'keystone',
      keystoneUrl: cluster.keystoneUrl,
      extra: { database: { max_pool_size: 10 }, ...extra },
    });
  } catch (err) {
    await cluster.close();
    await scratch?.drop();
    throw err;
  }
  const running = tc;
  const adminToken = await issueToken(cluster.keystoneUrl, { user: 'admin', project: 'admin' });
  const demoToken = await issueToken(cluster.keystoneUrl, { user: 'demo', project: 'demo' });
  const demoProject = cluster.keystone.projectIdByName('demo')!;
  const pods = {} as Record<'Pod1' | 'Pod2', Pod>;
  for (const pod of [{ region_name: 'RegionOne' }, { region_name: 'Pod1', az_name: 'az1' }, { region_name: 'Pod2', az_name: 'az2' }]) {
    const res = await http('POST', `${running.urls['admin-api']}/v1.0/pods`, { token: adminToken, body: { pod } });
    assert.equal(res.status, 200, res.text);
    if (pod.region_name !== 'RegionOne') pods[pod.region_name as 'Pod1' | 'Pod2'] = await running.core.pods.get(res.body.pod.pod_id);
  }
  const ctx = createRequestContext({ userId: 'demo', projectId: demoProject, roles: ['member'], authToken: demoToken, requestId: 'req-prepare-test' });
  const neutronUrl = running.urls['neutron-api'];
  const top = (method: string, path: string, body?: unknown, token = demoToken) => http(method, `${neutronUrl}${path}`, { body, token });
  const h: PrepareHarness = {
    cluster,
    tc: running,
    pods,
    adminToken,
    demoToken,
    demoProject,
    ctx,
    preparer: running.wiring.preparer,
    preparerWith: (opts) => createWiring(running.core, running.network.state, opts).preparer,
    top,
    pod: (region, method, path, body) => http(method, `${cluster.pods.find((p) => p.region === region)!.neutronUrl}${path}`, { body, token: adminToken }),
    async network(cidr, attrs = {}, token = demoToken) {
      const net = await top('POST', '/v2.0/networks', { network: { name: `net-${cidr}`, ...attrs } }, token);
      assert.equal(net.status, 201, net.text);
      const subnet = await top('POST', '/v2.0/subnets', { subnet: { network_id: net.body.network.id, ip_version: 4, cidr, name: `sub-${cidr}` } }, token);
      assert.equal(subnet.status, 201, subnet.text);
      return { net: net.body.network, subnet: subnet.body.subnet };
    },
    async altProject() {
      const ks = `${cluster.keystoneUrl}/v3`;
      const name = `p${Math.random().toString(16).slice(2, 10)}`;
      const project = await http('POST', `${ks}/projects`, { token: adminToken, body: { project: { name, domain_id: 'default' } } });
      assert.equal(project.status, 201, project.text);
      const user = await http('POST', `${ks}/users`, { token: adminToken, body: { user: { name, domain_id: 'default', password: 'password' } } });
      assert.equal(user.status, 201, user.text);
      const roles = await http('GET', `${ks}/roles?name=member`, { token: adminToken });
      const grant = await http('PUT', `${ks}/projects/${project.body.project.id}/users/${user.body.user.id}/roles/${roles.body.roles[0].id}`, { token: adminToken });
      assert.equal(grant.status, 204, grant.text);
      const token = await issueToken(cluster.keystoneUrl, { user: name, project: name });
      const projectId = project.body.project.id as string;
      return { token, projectId, ctx: createRequestContext({ userId: name, projectId, roles: ['member'], authToken: token, requestId: 'req-alt' }) };
    },
    async adminContext() {
      return createRequestContext({ userId: 'admin', projectId: cluster.keystone.projectIdByName('admin')!, roles: ['admin'], authToken: adminToken, requestId: 'req-admin' });
    },
    routes: (topIds) =>
      running.db.kysely
        .selectFrom('resource_routings')
        .select(['top_id', 'bottom_id', 'pod_id', 'resource_type'])
        .where('top_id', 'in', topIds.length ? topIds : ['-'])
        .execute(),
    async close() {
      await running.close();
      await cluster.close();
      await scratch!.drop();
    },
  };
  return h;
}

/** The pod's copies named for a top id (the recovery-by-name key), by kind. */
export async function copiesNamed(h: PrepareHarness, region: string, kind: 'networks' | 'subnets' | 'ports', topId: string): Promise<any[]> {
  const res = await h.pod(region, 'GET', `/v2.0/${kind}?name=${topId}`);
  assert.equal(res.status, 200, res.text);
  return res.body[kind];
}
