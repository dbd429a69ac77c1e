import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkAll, formatReport, snapshotPods, type Snapshot } from '../support/reachability.js';
import { buildWalkthrough, expectStatus, FAST_XJOB, settleJobs, startL3Env, type L3Env, type Walkthrough } from './external-harness.js';

/**
 * The reconciler with the real pod side (router_setup / fip_setup jobs) running: the §8.2 topology is
 * built through the APIs, then broken in a pod by hand — a bottom router deleted, a floating IP
 * deleted, extra routes removed — and one `reconcile` job (admin API) puts it back: same
 * reachability, and a further reconcile finds nothing to do.
 */
describe('reconciler: repairs with the L3 jobs', () => {
  test('the L3 job handlers are registered', () => assert.ok(['router_setup', 'fip_setup'].every((t) => env.tc.core.jobs.registry.get(t))));

  let env: L3Env;
  let w: Walkthrough;

  const snapshot = () =>
    snapshotPods(
      env.cluster.pods.map((p) => ({ region: p.region, neutronUrl: p.neutronUrl })),
      env.token,
    );
  const podOf = (snap: Snapshot, region: string) => snap.pods.find((p) => p.region === region)!;
  const reconcile = async () => {
    const res = await env.admin('POST', '/v1.0/jobs', { job: { type: 'reconcile', project_id: w.project, resource: { project_id: w.project } } });
    assert.ok(res.status < 300, res.text);
    await settleJobs(env, 'reconcile');
  };
  /** Reachable as the walkthrough left it, and nothing left for the reconciler to find. */
  const assertHealthy = async () => {
    const report = checkAll(await snapshot());
    assert.ok(report.ok, formatReport(report));
    const again = await env.tc.wiring.reconcileProject(w.project, { submit: async () => 'none' });
    assert.deepEqual(again.findings, [], 'no drift left');
  };
  const pod = (region: string, method: string, path: string, body?: unknown) => env.pod(region, method, path, body);

  before(async () => {
    env = await startL3Env({ services: ['admin-api', 'neutron-api', 'nova-apigw', 'xjob'], extra: { xjob: FAST_XJOB } });
    w = await buildWalkthrough(env);
  });
  after(async () => {
    await env?.close();
  });

  test('the walkthrough is healthy to start with', async () => {
    await assertHealthy();
  });

  test('a bottom router deleted in its pod is made again', async () => {
    const snap = await snapshot();
    const p1 = podOf(snap, 'Pod1');
    const router = p1.routers.find((r) => r.name === w.router)!;
    assert.ok(router, 'Pod1 has the router copy');
    // What Neutron needs gone before a router can be deleted: its routes, floating IPs, interfaces and gateway.
    expectStatus(await pod('Pod1', 'PUT', `/v2.0/routers/${router.id}`, { router: { routes: [] } }), 200);
    for (const f of p1.floatingips.filter((x) => x.router_id === router.id)) expectStatus(await pod('Pod1', 'DELETE', `/v2.0/floatingips/${f.id}`), 204);
    for (const p of p1.ports.filter((x) => x.device_id === router.id && (x.device_owner ?? '').startsWith('network:router_interface'))) {
      expectStatus(await pod('Pod1', 'PUT', `/v2.0/routers/${router.id}/remove_router_interface`, { port_id: p.id }), 200);
    }
    expectStatus(await pod('Pod1', 'PUT', `/v2.0/routers/${router.id}`, { router: { external_gateway_info: null } }), 200);
    expectStatus(await pod('Pod1', 'DELETE', `/v2.0/routers/${router.id}`), 204);
    assert.equal(checkAll(await snapshot()).ok, false, 'broken');

    await reconcile();
    const fresh = podOf(await snapshot(), 'Pod1').routers.filter((r) => r.name === w.router);
    assert.equal(fresh.length, 1);
    assert.notEqual(fresh[0].id, router.id);
    await assertHealthy();
  });

  test('a bottom floating IP deleted in its pod is made again', async () => {
    const p2 = podOf(await snapshot(), 'Pod2');
    const fip = p2.floatingips.find((f) => f.floating_ip_address === w.fipSame.address)!;
    assert.ok(fip, 'Pod2 has the floating IP of vm2');
    expectStatus(await pod('Pod2', 'DELETE', `/v2.0/floatingips/${fip.id}`), 204);
    // (The checker only walks floating IPs the pods have; that this one is missing only the top knows.)
    assert.equal(
      checkAll(await snapshot()).fips.some((f) => f.address === w.fipSame.address),
      false,
      'gone',
    );

    await reconcile();
    const again = podOf(await snapshot(), 'Pod2').floatingips.filter((f) => f.floating_ip_address === w.fipSame.address);
    assert.equal(again.length, 1);
    assert.ok(again[0].port_id, 'bound again');
    await assertHealthy();
  });

  test('extra routes removed from a bottom router are put back', async () => {
    const p2 = podOf(await snapshot(), 'Pod2');
    const router = p2.routers.find((r) => r.name === w.router)!;
    const routes = router.routes ?? [];
    assert.ok(routes.length > 0, 'Pod2 router has extra routes');
    expectStatus(await pod('Pod2', 'PUT', `/v2.0/routers/${router.id}`, { router: { routes: [] } }), 200);
    assert.equal(checkAll(await snapshot()).ok, false, 'broken');

    await reconcile();
    const back = podOf(await snapshot(), 'Pod2').routers.find((r) => r.id === router.id)!;
    const key = (r: { destination: string; nexthop: string }) => `${r.destination} ${r.nexthop}`;
    assert.deepEqual((back.routes ?? []).map(key).sort(), routes.map(key).sort());
    await assertHealthy();
  });

  test('a reconcile of all projects fans out to one job per project and runs clean', async () => {
    const res = await env.admin('POST', '/v1.0/jobs', { job: { type: 'reconcile', project_id: 'all', resource: { project_id: 'all' } } });
    assert.ok(res.status < 300, res.text);
    await settleJobs(env, 'reconcile all');
    const done = (await env.admin('GET', '/v1.0/jobs?type=reconcile&limit=50')).body.jobs as { resource_id: string; status: string }[];
    assert.ok(
      done.some((j) => j.resource_id === 'all' && j.status === 'SUCCESS'),
      JSON.stringify(done),
    );
    assert.ok(
      done.some((j) => j.resource_id === w.project && j.status === 'SUCCESS'),
      JSON.stringify(done),
    );
    await assertHealthy();
  });

  test("the inner floating IP of the two-hop path deleted in the VM's pod is made again", async () => {
    const p1 = podOf(await snapshot(), 'Pod1');
    const vmCopy = p1.ports.find((p) => p.name === w.vm1.port)!;
    const inner = p1.floatingips.find((f) => f.port_id === vmCopy.id)!;
    assert.ok(inner, 'Pod1 has the inner floating IP of vm1');
    expectStatus(await pod('Pod1', 'DELETE', `/v2.0/floatingips/${inner.id}`), 204);

    await reconcile();
    assert.equal(podOf(await snapshot(), 'Pod1').floatingips.filter((f) => f.port_id === vmCopy.id).length, 1);
    await assertHealthy();
  });
});
