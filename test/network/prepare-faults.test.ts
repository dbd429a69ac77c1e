import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { NeutronOf } from '../../src/wiring/prepare/index.js';
import { copiesNamed, startPrepareHarness, type PrepareHarness } from './prepare-support.js';

type Mode = 'before' | 'after' | undefined;

/**
 * Failures in a pod while preparing: whatever step fails, nothing is left half made (no open claim,
 * no copy without its route, no port made for the failed server), and a retry succeeds.
 */
describe('server network preparation when a pod fails', () => {
  let h: PrepareHarness;

  before(async () => {
    h = await startPrepareHarness();
  });
  after(async () => {
    await h?.close();
  });

  /** The pods' Neutron clients, with `decide` choosing calls to fail before or after the pod did the work. */
  function faulty(decide: (method: string, args: unknown[]) => Mode): NeutronOf {
    return (pod) => {
      const real = h.tc.core.podClients.neutron(pod);
      return new Proxy(real, {
        get(target, prop, receiver) {
          const value = Reflect.get(target, prop, receiver) as unknown;
          if (typeof value !== 'function') return value;
          return async (...args: unknown[]) => {
            const mode = decide(String(prop), args);
            if (mode === 'before') throw Object.assign(new Error(`injected failure in ${String(prop)}`), { status: 500 });
            const out = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
            if (mode === 'after') throw Object.assign(new Error(`answer of ${String(prop)} lost`), { status: 504 });
            return out;
          };
        },
      });
    };
  }

  const body = (args: unknown[]) => (args[1] ?? {}) as Record<string, unknown>;

  /** Nothing half made in `region` for the network, its subnet and ports. */
  async function assertConsistent(region: 'Pod1' | 'Pod2', net: any, subnet: any, serverId: string) {
    const topPorts = (await h.top('GET', `/v2.0/ports?network_id=${net.id}`, undefined, h.adminToken)).body.ports;
    assert.deepEqual(
      topPorts.filter((p: any) => p.device_id === serverId),
      [],
      'no top port left for the failed server',
    );
    const routes = await h.routes([net.id, subnet.id, ...topPorts.map((p: any) => p.id)]);
    assert.deepEqual(
      routes.filter((r) => r.bottom_id === null),
      [],
      'no open claim',
    );
    const here = routes.filter((r) => r.pod_id === h.pods[region].id);
    const kinds = { network: 'networks', subnet: 'subnets', port: 'ports' } as const;
    for (const r of here) {
      const res = await h.pod(region, 'GET', `/v2.0/${kinds[r.resource_type as keyof typeof kinds]}/${r.bottom_id}`);
      assert.equal(res.status, 200, `the ${r.resource_type} route points at a copy`);
    }
    const named: [keyof typeof kinds, string][] = [['network', net.id], ['subnet', subnet.id], ...topPorts.map((p: any) => ['port', p.id] as [keyof typeof kinds, string])];
    for (const [kind, topId] of named) {
      for (const copy of await copiesNamed(h, region, kinds[kind], topId)) {
        assert.ok(
          here.some((r) => r.resource_type === kind && r.bottom_id === copy.id),
          `the ${kind} copy ${copy.id} has its route`,
        );
      }
    }
  }

  async function assertOneCopyEach(region: 'Pod1' | 'Pod2', net: any, subnet: any) {
    const nets = await copiesNamed(h, region, 'networks', net.id);
    assert.equal(nets.length, 1);
    assert.equal((await copiesNamed(h, region, 'subnets', subnet.id)).length, 1);
    const dhcp = (await h.pod(region, 'GET', `/v2.0/ports?network_id=${nets[0].id}&device_owner=network:dhcp`)).body.ports;
    assert.equal(dhcp.length, 1);
  }

  const steps: [string, (m: string, args: unknown[]) => Mode][] = [
    ['network create refused', (m) => (m === 'createNetwork' ? 'before' : undefined)],
    ['network made but its answer lost', (m) => (m === 'createNetwork' ? 'after' : undefined)],
    ['subnet create refused', (m) => (m === 'createSubnet' ? 'before' : undefined)],
    ['subnet made but its answer lost', (m) => (m === 'createSubnet' ? 'after' : undefined)],
    ['DHCP port create refused', (m, a) => (m === 'createPort' && body(a).device_owner === 'network:dhcp' ? 'before' : undefined)],
    ['DHCP switch-on refused', (m) => (m === 'updateSubnet' ? 'before' : undefined)],
    ['server port create refused', (m, a) => (m === 'createPort' && body(a).device_owner !== 'network:dhcp' ? 'before' : undefined)],
    ['server port made but its answer lost', (m, a) => (m === 'createPort' && body(a).device_owner !== 'network:dhcp' ? 'after' : undefined)],
  ];
  let n = 0;
  for (const [name, decide] of steps) {
    test(`${name}: nothing half made, and a retry succeeds`, async () => {
      n++;
      const { net, subnet } = await h.network(`10.5${n}.0.0/24`);
      const broken = h.preparerWith({ neutronOf: faulty(decide) });
      await assert.rejects(broken.prepareServerNics(h.ctx, h.pods.Pod1, [{ networkId: net.id }], { serverId: `srv-f${n}` }));
      await assertConsistent('Pod1', net, subnet, `srv-f${n}`);

      const ok = await h.preparer.prepareServerNics(h.ctx, h.pods.Pod1, [{ networkId: net.id }], { serverId: `srv-f${n}` });
      assert.equal(ok.nics.length, 1);
      await assertOneCopyEach('Pod1', net, subnet);
      assert.equal((await copiesNamed(h, 'Pod1', 'ports', ok.nics[0].topPortId)).length, 1);
      await assertConsistent('Pod1', net, subnet, 'none');
    });
  }

  test('a pod answering only errors: the boot preparation fails, nothing is half made, a retry succeeds', async () => {
    const { net, subnet } = await h.network('10.60.0.0/24');
    await h.cluster.setFaults('Pod2', { errorRate: 1 });
    try {
      await assert.rejects(h.preparer.prepareServerNics(h.ctx, h.pods.Pod2, [{ networkId: net.id }], { serverId: 'srv-e1' }), (err: any) => err.status >= 500);
    } finally {
      await h.cluster.setFaults('Pod2', { errorRate: 0 });
    }
    await assertConsistent('Pod2', net, subnet, 'srv-e1');
    await h.preparer.prepareServerNics(h.ctx, h.pods.Pod2, [{ networkId: net.id }], { serverId: 'srv-e1' });
    await assertOneCopyEach('Pod2', net, subnet);
  });

  test('a pod that is down: 503, nothing half made, a retry succeeds once it is back', async () => {
    const { net, subnet } = await h.network('10.61.0.0/24');
    await h.cluster.setFaults('Pod2', { down: true });
    try {
      await assert.rejects(h.preparer.prepareServerNics(h.ctx, h.pods.Pod2, [{ networkId: net.id }], { serverId: 'srv-d1' }), { status: 503 });
    } finally {
      await h.cluster.setFaults('Pod2', { down: false });
    }
    await assertConsistent('Pod2', net, subnet, 'srv-d1');
    await h.preparer.prepareServerNics(h.ctx, h.pods.Pod2, [{ networkId: net.id }], { serverId: 'srv-d1' });
    await assertOneCopyEach('Pod2', net, subnet);
  });

  test('a creator that crashed: its abandoned claim is recovered by name, the copy it made is adopted', async () => {
    const { net, subnet } = await h.network('10.62.0.0/24');
    const made = await h.pod('Pod1', 'POST', '/v2.0/networks', { network: { name: net.id, project_id: h.demoProject } });
    assert.equal(made.status, 201, made.text);
    await h.tc.db.kysely
      .insertInto('resource_routings')
      .values({ top_id: net.id, bottom_id: null, pod_id: h.pods.Pod1.id, project_id: h.demoProject, resource_type: 'network', created_at: 0, updated_at: 0 })
      .execute();
    await h.preparer.prepareServerNics(h.ctx, h.pods.Pod1, [{ networkId: net.id }], { serverId: 'srv-r1' });
    const nets = await copiesNamed(h, 'Pod1', 'networks', net.id);
    assert.deepEqual(
      nets.map((x) => x.id),
      [made.body.network.id],
    );
    const route = (await h.routes([net.id])).find((r) => r.resource_type === 'network')!;
    assert.equal(route.bottom_id, made.body.network.id);
    await assertConsistent('Pod1', net, subnet, 'none');
  });

  test('a failure on the second NIC undoes the first', async () => {
    const { net } = await h.network('10.63.0.0/24');
    const bare = (await h.top('POST', '/v2.0/networks', { network: { name: 'b' } })).body.network;
    await h.top('POST', '/v2.0/subnets', { subnet: { network_id: bare.id, ip_version: 4, cidr: '10.64.0.0/24' } });
    let seen = 0;
    const broken = h.preparerWith({
      neutronOf: faulty((m, a) => (m === 'createPort' && body(a).device_owner !== 'network:dhcp' && ++seen === 2 ? 'before' : undefined)),
    });
    await assert.rejects(broken.prepareServerNics(h.ctx, h.pods.Pod1, [{ networkId: net.id }, { networkId: bare.id }], { serverId: 'srv-two' }));
    for (const id of [net.id, bare.id]) {
      const ports = (await h.top('GET', `/v2.0/ports?network_id=${id}&device_id=srv-two`)).body.ports;
      assert.deepEqual(ports, []);
    }
  });
});
