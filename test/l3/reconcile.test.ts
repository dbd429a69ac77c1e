import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startReconcileTimer, RECONCILE_JOB, ALL_PROJECTS } from '../../src/wiring/reconcile/index.js';
import { expectStatus, FAST_XJOB, startL3Env, type L3Env } from './external-harness.js';

/**
 * The reconciler against two simulated pods, run directly (no workers): what it repairs itself
 * (orphan copies, dangling routing rows, abandoned claims, external networks) and which jobs it
 * requests for routers and floating IPs that drifted.
 */
describe('reconciler: repairs and job requests', () => {
  let env: L3Env;
  let project: string;
  const submitted: { type: string; projectId: string; resourceId: string }[] = [];
  const run = async (opts: { staleAfterMs?: number } = {}) => {
    submitted.length = 0;
    return env.tc.wiring.reconcileProject(project, {
      submit: async (r) => {
        submitted.push(r);
        return 'job';
      },
      ...opts,
    });
  };
  const bottomNamed = async (region: string, collection: string, name: string) =>
    ((await env.pod(region, 'GET', `/v2.0/${collection}?name=${encodeURIComponent(name)}`)).body[collection] as any[]).filter((o) => o.name === name);
  const addRoute = (topId: string, bottomId: string | null, region: string, type: string, updatedAt?: number) =>
    env.tc.db.kysely
      .insertInto('resource_routings')
      .values({
        top_id: topId,
        bottom_id: bottomId,
        pod_id: env.pods[region].id,
        project_id: project,
        resource_type: type,
        created_at: updatedAt ?? Date.now(),
        updated_at: updatedAt ?? Date.now(),
      })
      .execute();

  before(async () => {
    env = await startL3Env();
    project = env.cluster.keystone.projectIdByName('admin')!;
  });
  after(async () => {
    await env?.close();
  });

  test('an orphan copy (its top network is gone) is deleted from the pod with its routing row', async () => {
    const orphanTop = '11111111-2222-4333-8444-555555555555';
    const copy = expectStatus(await env.pod('Pod1', 'POST', '/v2.0/networks', { network: { name: orphanTop } }), 201).body.network;
    await addRoute(orphanTop, copy.id, 'Pod1', 'network');
    const report = await run();
    assert.deepEqual(report.errors, []);
    assert.ok(
      report.findings.some((f) => f.repair === 'removed' && f.id === orphanTop),
      JSON.stringify(report.findings),
    );
    assert.equal((await env.pod('Pod1', 'GET', `/v2.0/networks/${copy.id}`)).status, 404);
    assert.deepEqual(await env.routes(orphanTop), []);
    // Rows of other schemes (names, not top ids) are left alone.
    const named = expectStatus(await env.pod('Pod1', 'POST', '/v2.0/networks', { network: { name: 'bridge_net_x' } }), 201).body.network;
    await addRoute('bridge_net_x', named.id, 'Pod1', 'network');
    await run();
    assert.equal((await env.routes('bridge_net_x')).length, 1);
    assert.equal((await env.pod('Pod1', 'GET', `/v2.0/networks/${named.id}`)).status, 200);
    await env.tc.db.kysely.deleteFrom('resource_routings').where('top_id', '=', 'bridge_net_x').execute();
    expectStatus(await env.pod('Pod1', 'DELETE', `/v2.0/networks/${named.id}`), 204);
  });

  test('an external network copy deleted in the pod is made again', async () => {
    const net = expectStatus(
      await env.top('POST', '/v2.0/networks', {
        network: { name: 'ext-drift', 'router:external': true, availability_zone_hints: ['Pod2'], 'provider:network_type': 'vlan', 'provider:physical_network': 'extern' },
      }),
      201,
    ).body.network;
    const subnet = expectStatus(await env.top('POST', '/v2.0/subnets', { subnet: { network_id: net.id, ip_version: 4, cidr: '10.80.0.0/24', enable_dhcp: false } }), 201).body
      .subnet;
    const [old] = await bottomNamed('Pod2', 'networks', net.id);
    expectStatus(await env.pod('Pod2', 'DELETE', `/v2.0/networks/${old.id}`), 204);

    const report = await run();
    assert.deepEqual(report.errors, []);
    assert.ok(
      report.findings.some((f) => f.repair === 'external_network' && f.id === net.id),
      JSON.stringify(report.findings),
    );
    const [fresh] = await bottomNamed('Pod2', 'networks', net.id);
    assert.ok(fresh && fresh.id !== old.id, 'a new copy');
    assert.equal(fresh['provider:physical_network'], 'extern');
    const [sc] = await bottomNamed('Pod2', 'subnets', subnet.id);
    assert.equal(sc.network_id, fresh.id);
    assert.deepEqual(
      (await env.routes(net.id)).map((r) => r.bottom_id),
      [fresh.id],
    );
    assert.deepEqual(
      (await env.routes(subnet.id)).map((r) => r.bottom_id),
      [sc.id],
    );

    // Nothing left to do: a second run finds nothing.
    const again = await run();
    assert.deepEqual(again.findings, []);
    assert.deepEqual(submitted, []);
    expectStatus(await env.top('DELETE', `/v2.0/networks/${net.id}`), 204);
  });

  test('abandoned claims: a copy is adopted, an empty claim and a volume placeholder are removed', async () => {
    const net = expectStatus(await env.top('POST', '/v2.0/networks', { network: { name: 'claimed', availability_zone_hints: ['az1'] } }), 201).body.network;
    const left = expectStatus(await env.pod('Pod1', 'POST', '/v2.0/networks', { network: { name: net.id } }), 201).body.network;
    await addRoute(net.id, null, 'Pod1', 'network', 1000);
    const empty = '22222222-3333-4444-8555-666666666666';
    await addRoute(empty, null, 'Pod1', 'port', 1000);
    await addRoute('pending-77777777-3333-4444-8555-666666666666', null, 'Pod1', 'volume', 1000);
    const young = '33333333-3333-4444-8555-666666666666';
    await addRoute(young, null, 'Pod1', 'port');

    await run({ staleAfterMs: 30_000 });
    assert.deepEqual(
      (await env.routes(net.id)).map((r) => r.bottom_id),
      [left.id],
      'the copy left by the crashed creator is adopted',
    );
    assert.deepEqual(await env.routes(empty), []);
    assert.deepEqual(await env.routes('pending-77777777-3333-4444-8555-666666666666'), []);
    assert.equal((await env.routes(young)).length, 1, 'a claim in progress is left alone');
    await env.tc.db.kysely.deleteFrom('resource_routings').where('top_id', '=', young).execute();
    expectStatus(await env.top('DELETE', `/v2.0/networks/${net.id}`), 204);
    assert.equal((await env.pod('Pod1', 'GET', `/v2.0/networks/${left.id}`)).status, 404, 'the adopted copy goes with its network');
  });

  test('a router whose bottom router is missing gets router_setup; one with a job waiting does not', async () => {
    const net = expectStatus(await env.top('POST', '/v2.0/networks', { network: { name: 'rnet', availability_zone_hints: ['az1'] } }), 201).body.network;
    const subnet = expectStatus(await env.top('POST', '/v2.0/subnets', { subnet: { network_id: net.id, ip_version: 4, cidr: '10.9.0.0/24' } }), 201).body.subnet;
    const router = expectStatus(await env.top('POST', '/v2.0/routers', { router: { name: 'r' } }), 201).body.router;
    expectStatus(await env.top('PUT', `/v2.0/routers/${router.id}/add_router_interface`, { subnet_id: subnet.id }), 200);
    // The network has a copy in Pod1 (as a boot would make it), the router none.
    const bn = expectStatus(await env.pod('Pod1', 'POST', '/v2.0/networks', { network: { name: net.id } }), 201).body.network;
    await addRoute(net.id, bn.id, 'Pod1', 'network');

    // The interface add requested a router_setup job, which no worker runs here: the reconciler leaves it be.
    const waiting = await env.tc.db.kysely.selectFrom('async_jobs').select('id').where('resource_id', '=', router.id).execute();
    assert.ok(waiting.length > 0, 'router_setup requested by the top change');
    let report = await run();
    assert.ok(!submitted.some((s) => s.resourceId === router.id), 'no second request while one waits');

    await env.tc.db.kysely.deleteFrom('async_jobs').where('resource_id', '=', router.id).execute();
    report = await run();
    assert.deepEqual(
      submitted.filter((s) => s.resourceId === router.id),
      [{ type: 'router_setup', projectId: project, resourceId: router.id }],
    );
    assert.ok(
      report.findings.some((f) => f.id === router.id && /no bottom router in Pod1/.test(f.reason)),
      JSON.stringify(report.findings),
    );

    // A routed bottom router that the pod lost: its row goes, and router_setup is requested.
    const br = expectStatus(await env.pod('Pod1', 'POST', '/v2.0/routers', { router: { name: router.id } }), 201).body.router;
    await addRoute(router.id, br.id, 'Pod1', 'router');
    expectStatus(await env.pod('Pod1', 'DELETE', `/v2.0/routers/${br.id}`), 204);
    report = await run();
    assert.deepEqual(await env.routes(router.id), []);
    assert.ok(submitted.some((s) => s.type === 'router_setup' && s.resourceId === router.id));

    // A pod that cannot be read is skipped, not judged.
    await env.cluster.setFaults('Pod1', { errorRate: 1 });
    try {
      report = await run();
    } finally {
      await env.cluster.setFaults('Pod1', { errorRate: 0 });
    }
    assert.ok(
      report.skippedPods.some((p) => p.startsWith('Pod1')),
      JSON.stringify(report),
    );
    assert.ok(!submitted.some((s) => s.resourceId === router.id));
  });

  test('the timer requests one reconcile of all projects per interval; the type is registered', async () => {
    assert.ok(env.tc.core.jobs.registry.get(RECONCILE_JOB), 'reconcile is a registered job type');
    const requests: unknown[] = [];
    const fake = {
      config: { ...env.tc.core.config, xjob: { ...env.tc.core.config.xjob, reconcile_interval: 0.05 } },
      logger: env.tc.core.logger,
      jobs: {
        submit: async (r: unknown) => {
          requests.push(r);
          return 'id';
        },
      },
    } as unknown as Parameters<typeof startReconcileTimer>[0];
    const timer = startReconcileTimer(fake, { random: () => 0 });
    await new Promise((r) => setTimeout(r, 180));
    await timer.close();
    const count = requests.length;
    assert.ok(count >= 2, `${count} requests`);
    assert.deepEqual(requests[0], { type: RECONCILE_JOB, projectId: ALL_PROJECTS, resource: { project_id: ALL_PROJECTS } });
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(requests.length, count, 'nothing after close');
    const off = startReconcileTimer({ ...fake, config: { ...fake.config, xjob: { ...fake.config.xjob, reconcile_interval: 0 } } } as typeof fake);
    await off.close();
  });
});

describe('reconciler: the periodic request in the xjob service', () => {
  let env: L3Env;
  before(async () => {
    env = await startL3Env({ services: ['admin-api', 'neutron-api', 'xjob'], extra: { xjob: { ...FAST_XJOB, reconcile_interval: 0.2 } } });
  });
  after(async () => {
    await env?.close();
  });

  test('reconcile of all projects runs every reconcile_interval', async () => {
    const until = Date.now() + 10_000;
    for (;;) {
      const jobs = (await env.admin('GET', '/v1.0/jobs?type=reconcile&limit=50')).body.jobs as { resource_id: string; status: string }[];
      if (jobs.filter((j) => j.resource_id === ALL_PROJECTS && j.status === 'SUCCESS').length >= 2) break;
      if (Date.now() > until) throw new Error(`no periodic reconcile ran: ${JSON.stringify(jobs)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  });
});
