import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSimCluster, type SimCluster } from '../../sim/cluster.js';
import { fetchSimToken } from '../../sim/common/token.js';
import type { RunningTricircle } from '../../src/server.js';
import { parseCidr, parseIp, cidrContains } from '../../src/network/ip.js';
import { createScratchDatabase, type ScratchDatabase } from '../support/databases.js';
import { http } from '../support/http.js';
import { OPENSTACK_MISSING, openstack, openstackCli } from '../support/openstack.js';
import { checkAll, formatReport, pairResult, snapshotPods, type Snapshot } from '../support/reachability.js';
import { startTestTricircle } from '../support/tricircle.js';
import { L3_NETWORK_OPTIONS } from '../l3/external-harness.js';

/**
 * Reference §8.2, steps 1–12: two pods (Pod1/az1, Pod2/az2), the external network in Pod2, one router
 * with net1 (az1) and net2 (az2), vm1 and vm2, floating IPs for vm2 (same pod as the external network)
 * and vm1 (two hops over the bridge). Driven by the real openstack CLI against Tricircle (top Neutron,
 * Nova API gateway, XJob); after the jobs settle, each pod's Neutron is read and checked: routers,
 * interfaces, bridge, extra routes, floating IPs, and reachability (test/support/reachability.ts).
 * Then a route is broken by hand (the checker sees it, the reconciler repairs it), everything is torn
 * down, and the walkthrough runs again in another order (interfaces before boot, external network
 * last) to the same state.
 */
const BRIDGE = parseCidr('100.0.0.0/9')!;
const inBridge = (ip: string) => {
  const v = parseIp(ip);
  return v !== undefined && v.version === 4 && cidrContains(BRIDGE, v.value);
};

describe('§8.2 cross-pod L3 walkthrough through the openstack CLI', { skip: openstackCli ? false : OPENSTACK_MISSING }, () => {
  let cluster: SimCluster;
  let scratch: ScratchDatabase;
  let tc: RunningTricircle;
  let token: string;
  let project: string;
  let imageId: string;
  /** The state order A left, to compare order B with. */
  let shapeA: unknown;

  const cli = async (args: string[], json = true): Promise<any> => {
    const res = await openstack({ authUrl: `${cluster.keystoneUrl}/v3` }, [...args, ...(json ? ['-f', 'json'] : [])]);
    if (res.code !== 0) throw new Error(`openstack ${args.join(' ')} failed (${res.code}): ${res.stderr.trim()}`);
    return json ? JSON.parse(res.stdout) : res.stdout;
  };
  const top = (method: string, path: string, body?: unknown) => http(method, `${tc.urls['neutron-api']}${path}`, { body, token });
  const nova = (method: string, path: string, body?: unknown) => http(method, `${tc.urls['nova-apigw']}/v2.1${path}`, { body, token });
  const admin = (method: string, path: string, body?: unknown) => http(method, `${tc.urls['admin-api']}${path}`, { body, token });
  const podUrls = () => cluster.pods.map((p) => ({ region: p.region, neutronUrl: p.neutronUrl }));
  const snapshot = () => snapshotPods(podUrls(), token);

  /** Waits until no job is waiting or running; a job that failed for good fails the test with its error. */
  async function settle(what: string, timeoutMs = 20_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const [fresh, running, failed] = await Promise.all(['NEW', 'RUNNING', 'FAIL'].map(async (s) => (await admin('GET', `/v1.0/jobs?status=${s}`)).body.jobs as any[]));
      if (failed.length) throw new Error(`${what}: job(s) failed: ${failed.map((j) => `${j.type} ${j.resource_id}: ${j.last_error}`).join('; ')}`);
      if (fresh.length === 0 && running.length === 0) return;
      if (Date.now() > until) {
        const unknown = [...fresh, ...running].filter((j) => !tc.core.jobs.registry.get(j.type)).map((j) => j.type);
        throw new Error(
          `${what}: jobs still pending after ${timeoutMs} ms${unknown.length ? ` (no handler registered for ${[...new Set(unknown)].join(', ')})` : ''}: ` +
            [...fresh, ...running].map((j) => `${j.type} ${j.resource_id} ${j.status} attempts=${j.attempts} ${j.last_error ?? ''}`).join('; '),
        );
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** The top ids the walkthrough made, by label. */
  interface Made {
    router: string;
    nets: Record<'net1' | 'net2' | 'ext-net', string>;
    subnets: Record<'subnet1' | 'subnet2' | 'ext-subnet', string>;
    vmPorts: Record<'vm1' | 'vm2', { id: string; ip: string }>;
    servers: Record<'vm1' | 'vm2', string>;
    fips: Record<'fipA' | 'fipB', { id: string; address: string }>;
  }

  /**
   * The pods' state with ids and addresses replaced by what they are: which pod has which router
   * copy, on which subnets, with which gateway and routes, and which floating IPs bound to what.
   */
  function shapeOf(snap: Snapshot, made: Made, bridges: Map<string, string>) {
    const labels = new Map<string, string>(bridges);
    for (const [k, v] of Object.entries(made.nets)) labels.set(v, k);
    for (const [k, v] of Object.entries(made.subnets)) labels.set(v, k);
    for (const [k, v] of Object.entries(made.vmPorts)) labels.set(v.id, k);
    const fipByAddress = new Map(Object.entries(made.fips).map(([k, v]) => [v.address, k]));
    const vmByIp = new Map(Object.entries(made.vmPorts).map(([k, v]) => [v.ip, k]));
    const bridgeIpOwner = new Map<string, string>();
    for (const pod of snap.pods) {
      for (const r of pod.routers.filter((x) => x.name === made.router)) {
        for (const p of pod.ports.filter((x) => x.device_id === r.id)) {
          for (const f of p.fixed_ips) {
            const on = pod.subnets.find((x) => x.id === f.subnet_id);
            if (inBridge(f.ip_address)) bridgeIpOwner.set(f.ip_address, `${pod.region} router on ${labels.get(on?.name ?? '') ?? 'bridge'}`);
          }
        }
      }
    }
    const net = (pod: Snapshot['pods'][number], id: string | undefined) => {
      const n = pod.networks.find((x) => x.id === id);
      if (!n) return 'none';
      return labels.get(n.name ?? '') ?? `other:${n.name}`;
    };
    const subnet = (pod: Snapshot['pods'][number], id: string) => {
      const s = pod.subnets.find((x) => x.id === id);
      if (!s) return `missing:${id}`;
      return labels.get(s.name ?? '') ?? `other:${s.cidr}`;
    };
    const dest = (cidr: string) => {
      if (cidr === '0.0.0.0/0') return 'default';
      const [addr, len] = cidr.split('/');
      if (len === '32' && vmByIp.has(addr)) return vmByIp.get(addr)!;
      if (cidr === '10.0.1.0/24') return 'subnet1';
      if (cidr === '10.0.2.0/24') return 'subnet2';
      return cidr;
    };
    return Object.fromEntries(
      snap.pods
        .slice()
        .sort((a, b) => a.region.localeCompare(b.region))
        .map((pod) => {
          const routers = pod.routers.filter((r) => r.name === made.router);
          const portLabel = (portId: string | null | undefined) => {
            const p = pod.ports.find((x) => x.id === portId);
            if (!p) return 'nothing';
            return labels.get(p.name ?? '') ?? (p.fixed_ips.some((f) => inBridge(f.ip_address)) ? 'bridge port' : `other:${p.device_owner ?? ''}`);
          };
          return [
            pod.region,
            {
              networks: pod.networks.map((n) => net(pod, n.id)).sort(),
              routers: routers.map((r) => ({
                interfaces: pod.ports
                  .filter((p) => p.device_id === r.id && (p.device_owner ?? '').startsWith('network:router_interface'))
                  .flatMap((p) => p.fixed_ips.map((f) => subnet(pod, f.subnet_id ?? '')))
                  .sort(),
                gateway: net(pod, (r.external_gateway_info as { network_id?: string } | null)?.network_id),
                routes: (r.routes ?? []).map((x) => `${dest(x.destination)} via ${bridgeIpOwner.get(x.nexthop) ?? x.nexthop}`).sort(),
              })),
              floatingIps: pod.floatingips
                .map(
                  (f) =>
                    `${fipByAddress.get(f.floating_ip_address) ?? (inBridge(f.floating_ip_address) ? 'bridge address' : f.floating_ip_address)} on ${net(pod, f.floating_network_id)} -> ${portLabel(f.port_id)}`,
                )
                .sort(),
            },
          ];
        }),
    );
  }

  before(async () => {
    cluster = await startSimCluster({
      pods: [
        { region: 'Pod1', az: 'az1' },
        { region: 'Pod2', az: 'az2' },
      ],
      top: { region: 'RegionOne', endpoints: {} },
      buildDelayMs: 0,
    });
    scratch = await createScratchDatabase('sqlite');
    tc = await startTestTricircle({
      databaseUrl: scratch.url,
      authStrategy: 'keystone',
      keystoneUrl: cluster.keystoneUrl,
      only: ['admin-api', 'neutron-api', 'nova-apigw', 'xjob'],
      extra: {
        tricircle: L3_NETWORK_OPTIONS,
        xjob: { scan_interval: 0.2, retry_backoff_base: 0.1, retry_backoff_cap: 1, heartbeat_interval: 1, job_run_expire: 10, reconcile_interval: 0 },
      },
    });
    for (const iface of ['public', 'internal', 'admin'] as const) {
      cluster.keystone.addEndpoint({ region: 'RegionOne', serviceType: 'compute', serviceName: 'nova', interface: iface, url: `${tc.urls['nova-apigw']}/v2.1` });
      cluster.keystone.addEndpoint({ region: 'RegionOne', serviceType: 'network', serviceName: 'neutron', interface: iface, url: tc.urls['neutron-api']! });
    }
    // §8.2 step 2: the pods (RegionOne, Pod1/az1, Pod2/az2).
    await tc.core.pods.create({ regionName: 'RegionOne' });
    for (const p of cluster.pods) await tc.core.pods.create({ regionName: p.region, azName: p.az, podAzName: p.az });
    token = (await fetchSimToken(cluster.keystoneUrl, { project: 'admin' })).token;
    project = cluster.keystone.projectIdByName('admin')!;
    imageId = (await http('GET', `${cluster.glanceUrl}/v2/images`, { token })).body.images[0].id;
    const quota = { quota_set: { instances: 100, cores: 200, ram: 1_000_000 } };
    await nova('PUT', `/os-quota-sets/${project}`, quota);
    for (const p of cluster.pods) await http('PUT', `${p.novaUrl}/v2.1/os-quota-sets/${project}`, { token, body: quota });
  });
  after(async () => {
    await tc?.close();
    await cluster?.close();
    await scratch?.drop();
  });

  /** Checks what §8.2 expects of the pods after steps 9 and 12, and returns the snapshot. */
  async function checkPods(made: Made, opts: { fips: boolean }): Promise<Snapshot> {
    const snap = await snapshot();
    const pod = (region: string) => snap.pods.find((p) => p.region === region)!;
    const routerIn = (region: string) => {
      const found = pod(region).routers.filter((r) => r.name === made.router);
      assert.equal(found.length, 1, `${region} has one copy of the router (name = top id); has ${found.length}`);
      return found[0];
    };
    const r1 = routerIn('Pod1');
    const r2 = routerIn('Pod2');
    const copyOf = (region: string, coll: 'networks' | 'subnets', topId: string) => {
      const found = (pod(region)[coll] as { id: string; name?: string }[]).filter((x) => x.name === topId);
      assert.equal(found.length, 1, `${region} has one copy of ${coll.slice(0, -1)} ${topId}`);
      return found[0].id;
    };
    const portsOf = (region: string, routerId: string) => pod(region).ports.filter((p) => p.device_id === routerId);
    const interfaceSubnets = (region: string, routerId: string) =>
      portsOf(region, routerId)
        .filter((p) => (p.device_owner ?? '').startsWith('network:router_interface'))
        .flatMap((p) => p.fixed_ips.map((f) => f.subnet_id));
    // Interfaces on the tenant subnets' copies.
    assert.ok(interfaceSubnets('Pod1', r1.id).includes(copyOf('Pod1', 'subnets', made.subnets.subnet1)), 'Pod1 router has an interface on subnet1');
    assert.ok(interfaceSubnets('Pod2', r2.id).includes(copyOf('Pod2', 'subnets', made.subnets.subnet2)), 'Pod2 router has an interface on subnet2');
    // The gateway on the external network's copy in Pod2.
    const extCopy = copyOf('Pod2', 'networks', made.nets['ext-net']);
    assert.equal((r2.external_gateway_info as { network_id?: string } | null)?.network_id, extCopy, 'Pod2 router gateway on ext-net');
    assert.equal(pod('Pod1').networks.filter((n) => n.name === made.nets['ext-net']).length, 0, 'no ext-net copy in Pod1');
    // The east-west bridge: a bridge subnet both routers have an interface on, each at its own
    // address, with the same CIDR and VLAN in both pods.
    const bridgeInterfaces = (region: string, routerId: string) =>
      portsOf(region, routerId)
        .filter((p) => (p.device_owner ?? '').startsWith('network:router_interface'))
        .flatMap((p) => p.fixed_ips.filter((f) => inBridge(f.ip_address)).map((f) => ({ ip: f.ip_address, subnet: pod(region).subnets.find((x) => x.id === f.subnet_id)! })));
    const i1 = bridgeInterfaces('Pod1', r1.id);
    const i2 = bridgeInterfaces('Pod2', r2.id);
    const shared = i1.filter((a) => i2.some((b) => b.subnet?.cidr === a.subnet?.cidr));
    assert.equal(shared.length, 1, `one bridge both routers are on: Pod1 ${JSON.stringify(i1.map((x) => x.ip))}, Pod2 ${JSON.stringify(i2.map((x) => x.ip))}`);
    const b1 = shared[0].ip;
    const b2 = i2.find((b) => b.subnet.cidr === shared[0].subnet.cidr)!.ip;
    assert.notEqual(b1, b2, 'bridge addresses differ');
    const vlanOf = (region: string, networkId: string) => pod(region).networks.find((n) => n.id === networkId)?.['provider:segmentation_id'];
    assert.equal(
      vlanOf('Pod1', shared[0].subnet.network_id),
      vlanOf('Pod2', i2.find((b) => b.subnet.cidr === shared[0].subnet.cidr)!.subnet.network_id),
      'same bridge VLAN in both pods',
    );
    // Extra routes: each router reaches the other pod's VM via the other router's bridge address.
    const covers = (routes: { destination: string; nexthop: string }[] | undefined, ip: string, via: string) =>
      (routes ?? []).some(
        (r) =>
          r.nexthop === via &&
          (() => {
            const c = parseCidr(r.destination);
            const v = parseIp(ip);
            return c !== undefined && v !== undefined && cidrContains(c, v.value);
          })(),
      );
    assert.ok(covers(r1.routes, made.vmPorts.vm2.ip, b2), `Pod1 router routes ${JSON.stringify(r1.routes)} reach vm2 ${made.vmPorts.vm2.ip} via ${b2}`);
    assert.ok(covers(r2.routes, made.vmPorts.vm1.ip, b1), `Pod2 router routes ${JSON.stringify(r2.routes)} reach vm1 ${made.vmPorts.vm1.ip} via ${b1}`);

    if (opts.fips) {
      const vmPortCopy = (region: string, vm: 'vm1' | 'vm2') => {
        const found = pod(region).ports.filter((p) => p.name === made.vmPorts[vm].id);
        assert.equal(found.length, 1, `${region} has the copy of ${vm}'s port`);
        return found[0].id;
      };
      // Same pod: fipA in Pod2 on ext-net, bound to vm2's port.
      const a = pod('Pod2').floatingips.filter((f) => f.floating_ip_address === made.fips.fipA.address);
      assert.equal(a.length, 1, 'Pod2 has fipA');
      assert.equal(a[0].floating_network_id, extCopy);
      assert.equal(a[0].port_id, vmPortCopy('Pod2', 'vm2'), 'fipA bound to vm2');
      // Two hops: fipB in Pod2 bound to a bridge port (address B), and B in Pod1 bound to vm1's port.
      const b = pod('Pod2').floatingips.filter((f) => f.floating_ip_address === made.fips.fipB.address);
      assert.equal(b.length, 1, 'Pod2 has fipB');
      const hop = pod('Pod2').ports.find((p) => p.id === b[0].port_id);
      assert.ok(
        hop?.fixed_ips.some((f) => inBridge(f.ip_address)),
        'fipB bound to a port on the bridge',
      );
      const inner = pod('Pod1').floatingips.filter((f) => f.port_id === vmPortCopy('Pod1', 'vm1'));
      assert.equal(inner.length, 1, 'Pod1 has the inner floating IP of vm1');
      assert.equal(inner[0].floating_ip_address, hop!.fixed_ips.find((f) => inBridge(f.ip_address))!.ip_address, 'the inner floating IP is the bridge address B');
      assert.equal(pod('Pod1').floatingips.filter((f) => !inBridge(f.floating_ip_address)).length, 0, 'no real floating address in Pod1');
    }

    return snap;
  }

  /** vm1 ↔ vm2 and (with floating IPs) outside → each floating IP, by the reachability checker. */
  function assertReachable(snap: Snapshot, made: Made, opts: { fips: boolean }): void {
    const report = checkAll(snap);
    assert.ok(pairResult(report, made.vmPorts.vm1.ip, made.vmPorts.vm2.ip).ok, `vm1 → vm2:\n${formatReport(report)}`);
    assert.ok(pairResult(report, made.vmPorts.vm2.ip, made.vmPorts.vm1.ip).ok, `vm2 → vm1:\n${formatReport(report)}`);
    if (opts.fips) {
      for (const f of Object.values(made.fips)) {
        const check = report.fips.find((x) => x.address === f.address && x.outer);
        assert.ok(check?.result?.ok, `outside → ${f.address}:\n${formatReport(report)}`);
      }
    }
    assert.ok(report.ok, formatReport(report));
  }

  /** Tricircle's own top networks and subnets (no project), labelled by their names without the project. */
  const bridgeLabels = async () => {
    const out = new Map<string, string>();
    for (const t of ['networks', 'subnets'] as const) {
      for (const r of await tc.db.kysely.selectFrom(t).select(['id', 'name']).where('project_id', '=', '').execute()) out.set(r.id, r.name.replace(/_[^_]*$/, ''));
    }
    return out;
  };

  const vmPort = async (serverId: string) => {
    const ports = (await top('GET', `/v2.0/ports?device_id=${serverId}`)).body.ports;
    assert.equal(ports.length, 1, `one port for server ${serverId}`);
    return { id: ports[0].id as string, ip: ports[0].fixed_ips[0].ip_address as string };
  };

  let made: Made;

  test('order A (§8.2 as written): boot, add interfaces, floating IPs in the same pod and over two hops', async () => {
    // Step 3: tenant networks, each in one AZ.
    const net1 = await cli(['network', 'create', '--availability-zone-hint', 'az1', 'net1']);
    const net2 = await cli(['network', 'create', '--availability-zone-hint', 'az2', 'net2']);
    // Step 4: the external network, in Pod2 at once.
    const ext = await cli([
      'network',
      'create',
      '--external',
      '--provider-network-type',
      'vlan',
      '--provider-physical-network',
      'extern',
      '--availability-zone-hint',
      'Pod2',
      'ext-net',
    ]);
    assert.equal(ext['router:external'], true);
    // Step 5: its subnet, in Pod2 at once.
    const extSub = await cli([
      'subnet',
      'create',
      '--network',
      'ext-net',
      '--subnet-range',
      '10.50.11.0/26',
      '--no-dhcp',
      '--allocation-pool',
      'start=10.50.11.30,end=10.50.11.50',
      '--gateway',
      '10.50.11.1',
      'ext-subnet',
    ]);
    const pod2 = (await snapshot()).pods.find((p) => p.region === 'Pod2')!;
    assert.equal(pod2.networks.filter((n) => n.name === ext.id && n['router:external'] === true).length, 1, 'ext-net copy in Pod2');
    assert.equal(pod2.subnets.filter((s) => s.name === extSub.id && s.cidr === '10.50.11.0/26').length, 1, 'ext-subnet copy in Pod2');
    // Step 6: router with its gateway.
    const router = await cli(['router', 'create', 'router']);
    await cli(['router', 'set', '--external-gateway', 'ext-net', 'router'], false);
    // Step 7: tenant subnets.
    const sub1 = await cli(['subnet', 'create', '--network', 'net1', '--subnet-range', '10.0.1.0/24', 'subnet1']);
    const sub2 = await cli(['subnet', 'create', '--network', 'net2', '--subnet-range', '10.0.2.0/24', 'subnet2']);
    // Step 8: the VMs, each in its pod.
    const vm1 = await cli(['server', 'create', '--flavor', 'm1.tiny', '--image', imageId, '--network', 'net1', '--availability-zone', 'az1', '--wait', 'vm1']);
    const vm2 = await cli(['server', 'create', '--flavor', 'm1.tiny', '--image', imageId, '--network', 'net2', '--availability-zone', 'az2', '--wait', 'vm2']);
    assert.equal(vm1.status, 'ACTIVE');
    assert.equal(vm2.status, 'ACTIVE');
    // Step 9: interfaces.
    await cli(['router', 'add', 'subnet', 'router', 'subnet1'], false);
    await cli(['router', 'add', 'subnet', 'router', 'subnet2'], false);
    await settle('after router add subnet');
    made = {
      router: router.id,
      nets: { net1: net1.id, net2: net2.id, 'ext-net': ext.id },
      subnets: { subnet1: sub1.id, subnet2: sub2.id, 'ext-subnet': extSub.id },
      vmPorts: { vm1: await vmPort(vm1.id), vm2: await vmPort(vm2.id) },
      servers: { vm1: vm1.id, vm2: vm2.id },
      fips: { fipA: { id: '', address: '' }, fipB: { id: '', address: '' } },
    };
    // Step 10: vm1 and vm2 reach each other.
    const beforeFips = await checkPods(made, { fips: false });
    assertReachable(beforeFips, made, { fips: false });

    // Steps 11-12: floating IPs, vm2 (same pod as ext-net) and vm1 (two hops).
    const fipA = await cli(['floating', 'ip', 'create', 'ext-net']);
    const fipB = await cli(['floating', 'ip', 'create', 'ext-net']);
    assert.equal(fipA.status, 'DOWN');
    await cli(['floating', 'ip', 'set', '--port', made.vmPorts.vm2.id, fipA.id], false);
    await cli(['floating', 'ip', 'set', '--port', made.vmPorts.vm1.id, fipB.id], false);
    await settle('after floating ip set');
    made.fips = { fipA: { id: fipA.id, address: fipA.floating_ip_address }, fipB: { id: fipB.id, address: fipB.floating_ip_address } };
    const snap = await checkPods(made, { fips: true });
    shapeA = shapeOf(snap, made, await bridgeLabels());
    for (const f of [fipA, fipB]) assert.equal((await cli(['floating', 'ip', 'show', f.id])).status, 'ACTIVE', `${f.floating_ip_address} ACTIVE once in place`);
    assertReachable(snap, made, { fips: true });
  });

  test('a deliberately broken route is caught by the checker, and the reconciler repairs it', async () => {
    assert.ok(shapeA, 'order A ran');
    const pod1 = cluster.pods.find((p) => p.region === 'Pod1')!;
    const copy = (await snapshot()).pods.find((p) => p.region === 'Pod1')!.routers.find((r) => r.name === made.router)!;
    const put = await http('PUT', `${pod1.neutronUrl}/v2.0/routers/${copy.id}`, { token, body: { router: { routes: [] } } });
    assert.equal(put.status, 200, put.text);
    const broken = checkAll(await snapshot());
    assert.equal(broken.ok, false, 'the checker sees the broken route');
    // Without its routes Pod1's router sends everything through its gateway (north-south): vm2's
    // traffic to vm1 comes in east-west and its reply leaves north-south, source-NATed.
    const pairs = [pairResult(broken, made.vmPorts.vm1.ip, made.vmPorts.vm2.ip), pairResult(broken, made.vmPorts.vm2.ip, made.vmPorts.vm1.ip)];
    assert.ok(
      pairs.some((p) => !p.ok),
      formatReport(broken),
    );

    const res = await admin('POST', '/v1.0/jobs', { job: { type: 'reconcile', project_id: project, resource: { project_id: project } } });
    assert.ok(res.status === 200 || res.status === 201 || res.status === 202, res.text);
    await settle('after the reconcile job');
    const repaired = await checkPods(made, { fips: true });
    assert.deepEqual(shapeOf(repaired, made, await bridgeLabels()), shapeA, 'the reconciler put the pods back as they were');
    assertReachable(repaired, made, { fips: true });
  });

  test('teardown: floating IPs deleted, interfaces removed, router deleted; the pods are clean, bridge included', async () => {
    assert.ok(made?.fips.fipA.id, 'order A ran');
    await cli(['floating', 'ip', 'delete', made.fips.fipA.id, made.fips.fipB.id], false);
    await cli(['router', 'remove', 'subnet', 'router', 'subnet1'], false);
    await cli(['router', 'remove', 'subnet', 'router', 'subnet2'], false);
    await cli(['router', 'delete', 'router'], false);
    await settle('after router delete');
    const snap = await snapshot();
    for (const pod of snap.pods) {
      assert.deepEqual(
        pod.routers.map((r) => r.name),
        [],
        `${pod.region}: no router left`,
      );
      assert.deepEqual(
        pod.floatingips.map((f) => f.floating_ip_address),
        [],
        `${pod.region}: no floating IP left`,
      );
      assert.deepEqual(
        pod.subnets.filter((s) => inBridge(s.cidr.split('/')[0])).map((s) => s.cidr),
        [],
        `${pod.region}: no bridge subnet left`,
      );
      assert.deepEqual(
        pod.ports.filter((p) => p.fixed_ips.some((f) => inBridge(f.ip_address))).map((p) => p.id),
        [],
        `${pod.region}: no bridge port left`,
      );
    }
    assert.deepEqual(
      (await tc.db.kysely.selectFrom('networks').select('name').where('project_id', '=', '').execute()).map((n) => n.name),
      [],
      'the top bridge networks are gone',
    );
    // The rest, through the APIs.
    for (const id of Object.values(made.servers)) assert.equal((await nova('DELETE', `/servers/${id}`)).status, 204);
    for (let i = 0; i < 100; i++) {
      if ((await nova('GET', '/servers')).body.servers.length === 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await settle('after server delete');
    for (const id of Object.values(made.nets)) {
      let res = await top('DELETE', `/v2.0/networks/${id}`);
      for (let i = 0; i < 40 && res.status === 409; i++) {
        await new Promise((r) => setTimeout(r, 100));
        res = await top('DELETE', `/v2.0/networks/${id}`);
      }
      assert.equal(res.status, 204, res.text);
    }
    const clean = await snapshot();
    for (const pod of clean.pods)
      assert.deepEqual(
        pod.networks.map((n) => n.name),
        [],
        `${pod.region}: no network left`,
      );
  });

  test('order B (interfaces before boot, external network last) ends in the same state', async () => {
    assert.ok(shapeA, 'order A ran');
    const mk = async (path: string, body: unknown) => {
      const res = await top('POST', path, body);
      assert.equal(res.status, 201, `${path}: ${res.text}`);
      return Object.values(res.body as Record<string, any>)[0];
    };
    const net1 = await mk('/v2.0/networks', { network: { name: 'net1', availability_zone_hints: ['az1'] } });
    const net2 = await mk('/v2.0/networks', { network: { name: 'net2', availability_zone_hints: ['az2'] } });
    const sub1 = await mk('/v2.0/subnets', { subnet: { name: 'subnet1', network_id: net1.id, ip_version: 4, cidr: '10.0.1.0/24' } });
    const sub2 = await mk('/v2.0/subnets', { subnet: { name: 'subnet2', network_id: net2.id, ip_version: 4, cidr: '10.0.2.0/24' } });
    const router = await mk('/v2.0/routers', { router: { name: 'router' } });
    for (const s of [sub1, sub2]) assert.equal((await top('PUT', `/v2.0/routers/${router.id}/add_router_interface`, { subnet_id: s.id })).status, 200);
    await settle('B: after interfaces');
    const boot = async (name: string, net: string, az: string) => {
      const res = await nova('POST', '/servers', { server: { name, flavorRef: '1', imageRef: imageId, availability_zone: az, networks: [{ uuid: net }] } });
      assert.equal(res.status, 202, res.text);
      for (let i = 0; i < 200; i++) {
        const s = (await nova('GET', `/servers/${res.body.server.id}`)).body.server;
        if (s.status === 'ACTIVE') return s.id as string;
        await new Promise((r) => setTimeout(r, 25));
      }
      throw new Error(`${name} not ACTIVE`);
    };
    const vm1 = await boot('vm1', net1.id, 'az1');
    const vm2 = await boot('vm2', net2.id, 'az2');
    await settle('B: after boot');
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
    assert.equal((await top('PUT', `/v2.0/routers/${router.id}`, { router: { external_gateway_info: { network_id: ext.id } } })).status, 200);
    const m: Made = {
      router: router.id,
      nets: { net1: net1.id, net2: net2.id, 'ext-net': ext.id },
      subnets: { subnet1: sub1.id, subnet2: sub2.id, 'ext-subnet': extSub.id },
      vmPorts: { vm1: await vmPort(vm1), vm2: await vmPort(vm2) },
      servers: { vm1, vm2 },
      fips: { fipA: { id: '', address: '' }, fipB: { id: '', address: '' } },
    };
    const fipA = await mk('/v2.0/floatingips', { floatingip: { floating_network_id: ext.id, port_id: m.vmPorts.vm2.id } });
    const fipB = await mk('/v2.0/floatingips', { floatingip: { floating_network_id: ext.id, port_id: m.vmPorts.vm1.id } });
    m.fips = { fipA: { id: fipA.id, address: fipA.floating_ip_address }, fipB: { id: fipB.id, address: fipB.floating_ip_address } };
    await settle('B: after floating IPs');
    const snap = await checkPods(m, { fips: true });
    assert.deepEqual(shapeOf(snap, m, await bridgeLabels()), shapeA);
    assertReachable(snap, m, { fips: true });
  });
});
