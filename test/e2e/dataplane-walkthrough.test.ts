import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSimCluster, type SimCluster } from '../../sim/cluster.js';
import { fetchSimToken } from '../../sim/common/token.js';
import type { RunningTricircle } from '../../src/server.js';
import { checkOf, connectivityMatrix, ProbeAgentPool, verifyConnectivity, type ConnectivityReport } from '../../src/verify/index.js';
import { runCli } from '../support/cli.js';
import { createScratchDatabase, describeEachDatabase, type DialectName, type ScratchDatabase } from '../support/databases.js';
import { dataplaneSkipReason, hostLinksLikeOurs, hostTablesLikeOurs, inNetns, namespacesWith } from '../support/dataplane.js';
import { http } from '../support/http.js';
import { OPENSTACK_MISSING, openstack, openstackCli } from '../support/openstack.js';
import { startTestTricircle } from '../support/tricircle.js';
import { FAST_XJOB, L3_NETWORK_OPTIONS } from '../l3/external-harness.js';

/**
 * The original README's cross-pod scenario (reference §8.2) through the real openstack CLI, proven
 * with packets: the simulator realises both pods in network namespaces, and ping and TCP go between
 * vm1 (Pod1) and vm2 (Pod2) over the bridge, from both VMs to the host outside the cloud, and from
 * that host to vm2's floating IP (same pod as the external network) and vm1's (two hops). Then the
 * pods are broken on purpose (an extra route removed, the bridge network's copy deleted, floating IPs
 * disassociated in the pods), traffic stops exactly there, and the reconciler brings it back.
 * Finally nothing of the dataplane is left on the machine.
 *
 * On SQLite all of it, the walkthrough by the CLI; on PostgreSQL and MariaDB the same topology made
 * through the APIs (the CLI's start-up time is the bulk of the run), the whole matrix, one break and
 * its repair, and the teardown.
 */
const skip = openstackCli ? await dataplaneSkipReason() : OPENSTACK_MISSING;
const CLIENT = '203.0.113.1';
const PORT = 8000;
/** The command line's own probe agents answer on another port than the test's. */
const CLI_PORT = 8001;

describeEachDatabase('§8.2 cross-pod L3 with real packets (dataplane in network namespaces)', (dialect) => {
  describe(dialect === 'sqlite' ? 'the whole walkthrough' : 'the walkthrough through the APIs', { skip: skip ?? false }, () => scenario(dialect));
});

function scenario(dialect: DialectName): void {
  const full = dialect === 'sqlite';
  const sqliteOnly = full ? {} : { skip: 'on SQLite only: the pods and the packets do not depend on the database' };
  let cluster: SimCluster;
  let scratch: ScratchDatabase;
  let tc: RunningTricircle;
  let token: string;
  let project: string;
  let prefix: string;
  /** One probe agent per host, kept across the checks. */
  const agents = new ProbeAgentPool(PORT);

  const cli = async (args: string[], json = true): Promise<any> => {
    const res = await openstack({ authUrl: `${cluster.keystoneUrl}/v3` }, [...args, ...(json ? ['-f', 'json'] : [])]);
    if (res.code !== 0) throw new Error(`openstack ${args.join(' ')} failed (${res.code}): ${res.stderr.trim()}`);
    return json ? JSON.parse(res.stdout) : res.stdout;
  };
  const top = (method: string, path: string, body?: unknown) => http(method, `${tc.urls['neutron-api']}${path}`, { body, token });
  const admin = (method: string, path: string, body?: unknown) => http(method, `${tc.urls['admin-api']}${path}`, { body, token });
  const pod = (region: string) => {
    const p = cluster.pods.find((x) => x.region === region)!;
    return (method: string, path: string, body?: unknown) => http(method, `${p.neutronUrl}${path}`, { body, token });
  };

  async function settle(what: string, timeoutMs = 120_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const [fresh, running, failed] = await Promise.all(['NEW', 'RUNNING', 'FAIL'].map(async (s) => (await admin('GET', `/v1.0/jobs?status=${s}`)).body.jobs as any[]));
      if (failed.length) throw new Error(`${what}: job(s) failed: ${failed.map((j) => `${j.type} ${j.resource_id}: ${j.last_error}`).join('; ')}`);
      if (fresh.length === 0 && running.length === 0) return;
      if (Date.now() > until) throw new Error(`${what}: jobs still pending: ${[...fresh, ...running].map((j) => `${j.type} ${j.status}`).join('; ')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  const verify = () =>
    verifyConnectivity({
      token,
      networkUrl: tc.urls['neutron-api']!,
      computeUrl: `${tc.urls['nova-apigw']}/v2.1`,
      dataplaneUrl: `${cluster.keystoneUrl}/sim/dataplane`,
      projectId: project,
      agents,
    });

  interface Made {
    vm1: { port: string; ip: string };
    vm2: { port: string; ip: string };
    fipA: { id: string; address: string };
    fipB: { id: string; address: string };
    router: string;
  }
  let made: Made;

  const matrixText = (r: ConnectivityReport) => {
    const { columns, rows } = connectivityMatrix(r);
    return rows.map((row) => columns.map((c) => `${c}: ${row[c]}`).join(' | ')).join('\n');
  };
  /** Each named check is ok or not as expected; every other check is ok. */
  function expect(report: ConnectivityReport, failing: [string, string][], why: string): void {
    const keys = new Set(failing.map(([f, t]) => `${f}>${t}`));
    for (const c of report.checks) {
      const shouldFail = keys.has(`${c.from}>${c.to}`);
      assert.equal(
        c.ok,
        !shouldFail,
        `${why}: ${c.kind} ${c.from} → ${c.address} should ${shouldFail ? 'fail' : 'pass'} (icmp ${c.icmp.detail}, tcp ${c.tcp.detail})\n${matrixText(report)}`,
      );
    }
    for (const [f, t] of failing) assert.ok(checkOf(report, f, t), `${why}: no check ${f} → ${t}`);
  }

  before(async () => {
    cluster = await startSimCluster({
      pods: [
        { region: 'Pod1', az: 'az1' },
        { region: 'Pod2', az: 'az2' },
      ],
      top: { region: 'RegionOne', endpoints: {} },
      buildDelayMs: 0,
      dataplane: true,
    });
    prefix = cluster.dataplane!.prefix;
    scratch = await createScratchDatabase(dialect);
    tc = await startTestTricircle({
      databaseUrl: scratch.url,
      authStrategy: 'keystone',
      keystoneUrl: cluster.keystoneUrl,
      only: ['admin-api', 'neutron-api', 'nova-apigw', 'xjob'],
      extra: { tricircle: L3_NETWORK_OPTIONS, xjob: FAST_XJOB },
    });
    for (const iface of ['public', 'internal', 'admin'] as const) {
      cluster.keystone.addEndpoint({ region: 'RegionOne', serviceType: 'compute', serviceName: 'nova', interface: iface, url: `${tc.urls['nova-apigw']}/v2.1` });
      cluster.keystone.addEndpoint({ region: 'RegionOne', serviceType: 'network', serviceName: 'neutron', interface: iface, url: tc.urls['neutron-api']! });
      cluster.keystone.addEndpoint({ region: 'RegionOne', serviceType: 'tricircle', serviceName: 'tricircle', interface: iface, url: `${tc.urls['admin-api']}/v1.0` });
    }
    await tc.core.pods.create({ regionName: 'RegionOne' });
    for (const p of cluster.pods) await tc.core.pods.create({ regionName: p.region, azName: p.az, podAzName: p.az });
    token = (await fetchSimToken(cluster.keystoneUrl, { project: 'admin' })).token;
    project = cluster.keystone.projectIdByName('admin')!;
  });
  after(async () => {
    await agents.close();
    await tc?.close();
    await cluster?.close();
    await scratch?.drop();
  });

  /** §8.2 steps 3-12 by the openstack CLI; steps that do not depend on each other run side by side. */
  async function walkByCli(imageId: string): Promise<{ router: string; vm1: string; vm2: string }> {
    // The order of the top operations does not matter (test/l3/order.test.ts); running independent
    // CLI calls side by side keeps the CLI's start-up time in bounds.
    await Promise.all([
      cli(['network', 'create', '--availability-zone-hint', 'az1', 'net1']),
      cli(['network', 'create', '--availability-zone-hint', 'az2', 'net2']),
      cli(['network', 'create', '--external', '--provider-network-type', 'vlan', '--provider-physical-network', 'extern', '--availability-zone-hint', 'Pod2', 'ext-net']),
    ]);
    const [router] = await Promise.all([
      cli(['router', 'create', 'router']),
      cli([
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
      ]),
      cli(['subnet', 'create', '--network', 'net1', '--subnet-range', '10.0.1.0/24', 'subnet1']),
      cli(['subnet', 'create', '--network', 'net2', '--subnet-range', '10.0.2.0/24', 'subnet2']),
    ]);
    const [, vm1, vm2] = await Promise.all([
      cli(['router', 'set', '--external-gateway', 'ext-net', 'router'], false),
      cli(['server', 'create', '--flavor', 'm1.tiny', '--image', imageId, '--network', 'net1', '--availability-zone', 'az1', '--wait', 'vm1']),
      cli(['server', 'create', '--flavor', 'm1.tiny', '--image', imageId, '--network', 'net2', '--availability-zone', 'az2', '--wait', 'vm2']),
    ]);
    await Promise.all([cli(['router', 'add', 'subnet', 'router', 'subnet1'], false), cli(['router', 'add', 'subnet', 'router', 'subnet2'], false)]);
    return { router: router.id, vm1: vm1.id, vm2: vm2.id };
  }

  /** The same topology through the top APIs. */
  async function walkByApi(imageId: string): Promise<{ router: string; vm1: string; vm2: string }> {
    const mk = async (path: string, body: unknown) => {
      const res = await top('POST', path, body);
      assert.equal(res.status, 201, `${path}: ${res.text}`);
      return Object.values(res.body as Record<string, any>)[0];
    };
    const net1 = await mk('/v2.0/networks', { network: { name: 'net1', availability_zone_hints: ['az1'] } });
    const net2 = await mk('/v2.0/networks', { network: { name: 'net2', availability_zone_hints: ['az2'] } });
    const ext = await mk('/v2.0/networks', {
      network: { name: 'ext-net', 'router:external': true, 'provider:network_type': 'vlan', 'provider:physical_network': 'extern', availability_zone_hints: ['Pod2'] },
    });
    await mk('/v2.0/subnets', {
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
    const nova = (method: string, path: string, body?: unknown) => http(method, `${tc.urls['nova-apigw']}/v2.1${path}`, { body, token });
    const boot = async (name: string, net: string, az: string) => {
      const res = await nova('POST', '/servers', { server: { name, flavorRef: '1', imageRef: imageId, availability_zone: az, networks: [{ uuid: net }] } });
      assert.equal(res.status, 202, res.text);
      for (let i = 0; i < 400; i++) {
        if ((await nova('GET', `/servers/${res.body.server.id}`)).body.server.status === 'ACTIVE') return res.body.server.id as string;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`${name} not ACTIVE`);
    };
    const vm1 = await boot('vm1', net1.id, 'az1');
    const vm2 = await boot('vm2', net2.id, 'az2');
    for (const sub of [sub1, sub2]) assert.equal((await top('PUT', `/v2.0/routers/${router.id}/add_router_interface`, { subnet_id: sub.id })).status, 200);
    return { router: router.id, vm1, vm2 };
  }

  test(
    full
      ? 'the §8.2 walkthrough by the openstack CLI; the VMs reach each other, the outside, and are reached on both floating IPs'
      : 'the §8.2 topology through the APIs; the VMs reach each other, the outside, and are reached on both floating IPs',
    async () => {
      const imageId = (await http('GET', `${cluster.glanceUrl}/v2/images`, { token })).body.images[0].id;
      const made0 = full ? await walkByCli(imageId) : await walkByApi(imageId);
      const router = { id: made0.router };
      const vm1 = { id: made0.vm1 };
      const vm2 = { id: made0.vm2 };
      const portOf = async (serverId: string) => {
        const ports = (await top('GET', `/v2.0/ports?device_id=${serverId}`)).body.ports;
        return { port: ports[0].id as string, ip: ports[0].fixed_ips[0].ip_address as string };
      };
      const p1 = await portOf(vm1.id);
      const p2 = await portOf(vm2.id);
      // Steps 11-12: vm2's floating IP (same pod as ext-net) and vm1's (two hops).
      const extId = ((await top('GET', '/v2.0/networks?name=ext-net')).body.networks as { id: string }[])[0].id;
      const fip = async (port: string) => {
        if (full) return cli(['floating', 'ip', 'create', '--port', port, 'ext-net']);
        const res = await top('POST', '/v2.0/floatingips', { floatingip: { floating_network_id: extId, port_id: port } });
        assert.equal(res.status, 201, res.text);
        return res.body.floatingip;
      };
      const [fipA, fipB] = await Promise.all([fip(p2.port), fip(p1.port)]);
      await settle('after the walkthrough');
      made = { vm1: p1, vm2: p2, fipA: { id: fipA.id, address: fipA.floating_ip_address }, fipB: { id: fipB.id, address: fipB.floating_ip_address }, router: router.id };

      // The VM namespaces appeared where the pods' Nova bound the ports.
      const status = (await http('POST', `${cluster.keystoneUrl}/sim/dataplane/sync`)).body.dataplane;
      assert.equal(status.converged, true, JSON.stringify(status.errors));
      const vmRegions = Object.fromEntries(status.topology.vms.map((v: any) => [v.ips[0], v.region]));
      assert.equal(vmRegions[p1.ip], 'Pod1');
      assert.equal(vmRegions[p2.ip], 'Pod2');

      // The default security group lets nothing in from outside the project's subnets yet.
      const closed = await verify();
      const A = `fip:${made.fipA.address}`;
      const B = `fip:${made.fipB.address}`;
      const v1 = `vm:${p1.port}`;
      const v2 = `vm:${p2.port}`;
      expect(
        closed,
        [
          ['outside', A],
          ['outside', B],
        ],
        'before the security group rules',
      );
      assert.equal(checkOf(closed, 'outside', A)!.icmp.ok, false);

      // The user opens the default group to one outside address, for ping and the probes' TCP ports.
      const groups = (await top('GET', `/v2.0/security-groups?project_id=${project}&name=default`)).body.security_groups as { id: string }[];
      assert.equal(groups.length, 1);
      const rules = [{ protocol: 'icmp' }, { protocol: 'tcp', port_range_min: PORT, port_range_max: CLI_PORT }];
      for (const r of rules) {
        const res = await top('POST', '/v2.0/security-group-rules', {
          security_group_rule: { security_group_id: groups[0].id, direction: 'ingress', ethertype: 'IPv4', remote_ip_prefix: `${CLIENT}/32`, ...r },
        });
        assert.equal(res.status, 201, res.text);
      }
      // The matrix through the command line, as an operator runs it.
      const env = {
        OS_AUTH_URL: `${cluster.keystoneUrl}/v3`,
        OS_USERNAME: 'admin',
        OS_PASSWORD: 'password',
        OS_PROJECT_NAME: 'admin',
        OS_USER_DOMAIN_NAME: 'Default',
        OS_PROJECT_DOMAIN_NAME: 'Default',
        OS_REGION_NAME: 'RegionOne',
      };
      let open: ConnectivityReport;
      if (full) {
        const table = await runCli(['verify', 'connectivity', '--project', 'admin', '--tcp-port', String(CLI_PORT)], env);
        assert.equal(table.code, 0, `${table.stdout}\n${table.stderr}`);
        console.log(table.stdout);
        const json = await runCli(['verify', 'connectivity', '--tcp-port', String(CLI_PORT), '-f', 'json'], env);
        assert.equal(json.code, 0, json.stderr);
        open = JSON.parse(json.stdout) as ConnectivityReport;
      } else {
        open = await verify();
      }
      expect(open, [], 'after the security group rules');
      assert.deepEqual(
        open.checks.map((c) => `${c.kind} ${c.from} ${c.to}`).sort(),
        [`east-west ${v1} ${v2}`, `east-west ${v2} ${v1}`, `floating-ip outside ${A}`, `floating-ip outside ${B}`, `north-south ${v1} outside`, `north-south ${v2} outside`].sort(),
      );
      const paths = Object.fromEntries(open.targets.filter((t) => t.kind === 'floating-ip').map((t) => [t.key, t.path]));
      assert.deepEqual(paths, { [A]: 'same pod', [B]: 'two hops' });
    },
  );

  /** Asks the reconciler to repair the project, waits for its jobs. */
  async function reconcile(viaCli = false): Promise<void> {
    if (viaCli) {
      const res = await runCli(['job', 'create', '--type', 'reconcile', '--project-id', project, '--resource', `project_id=${project}`], {
        OS_TOKEN: token,
        OS_AUTH_URL: `${cluster.keystoneUrl}/v3`,
        TRICIRCLE_ADMIN_URL: tc.urls['admin-api']!,
      });
      assert.equal(res.code, 0, res.stderr);
    } else {
      const res = await admin('POST', '/v1.0/jobs', { job: { type: 'reconcile', project_id: project, resource: { project_id: project } } });
      assert.ok(res.status < 300, res.text);
    }
    await settle('after the reconcile job');
  }

  const copyOf = async (region: string, collection: 'routers' | 'networks' | 'subnets' | 'floatingips', match: (x: any) => boolean) => {
    const list = (await pod(region)('GET', `/v2.0/${collection}`)).body[collection] as any[];
    const found = list.filter(match);
    assert.equal(found.length, 1, `one ${collection} match in ${region}: ${JSON.stringify(list.map((x) => x.name ?? x.floating_ip_address))}`);
    return found[0];
  };

  test('an extra route removed in Pod2 stops east-west traffic both ways; the reconciler brings it back', async () => {
    assert.ok(made, 'the walkthrough ran');
    const r2 = await copyOf('Pod2', 'routers', (r) => r.name === made.router);
    assert.ok(r2.routes.length > 0);
    assert.equal((await pod('Pod2')('PUT', `/v2.0/routers/${r2.id}`, { router: { routes: [] } })).status, 200);
    // Pod2's router now sends 10.0.1.0/24 to its default route, out of the cloud: requests from vm2
    // and replies to vm1 are lost. The floating IPs and the way out do not depend on that route.
    const v1 = `vm:${made.vm1.port}`;
    const v2 = `vm:${made.vm2.port}`;
    expect(
      await verify(),
      [
        [v1, v2],
        [v2, v1],
      ],
      'route removed',
    );
    await reconcile(full);
    expect(await verify(), [], 'route repaired');
  });

  test("the bridge network's copy deleted in Pod1 stops east-west traffic; the reconciler rebuilds it", sqliteOnly, async () => {
    assert.ok(made, 'the walkthrough ran');
    const p1 = pod('Pod1');
    const r1 = await copyOf('Pod1', 'routers', (r) => r.name === made.router);
    // The east-west bridge: the network of the router's interface on an address of the bridge range.
    const ports = (await p1('GET', `/v2.0/ports?device_id=${r1.id}&device_owner=network:router_interface`)).body.ports as any[];
    const onBridge = ports.filter((p) => p.fixed_ips.some((f: any) => f.ip_address.startsWith('100.')));
    assert.equal(onBridge.length, 1, `one bridge interface in Pod1: ${JSON.stringify(ports.map((p) => p.fixed_ips))}`);
    const bridgeNet = await copyOf('Pod1', 'networks', (n) => n.id === onBridge[0].network_id);
    const bridgeSubnet = await copyOf('Pod1', 'subnets', (s) => s.network_id === bridgeNet.id);
    // Neutron refuses to drop an interface that routes still use, or a network with a router on it.
    assert.equal((await p1('PUT', `/v2.0/routers/${r1.id}`, { router: { routes: [] } })).status, 200);
    assert.equal((await p1('PUT', `/v2.0/routers/${r1.id}/remove_router_interface`, { subnet_id: bridgeSubnet.id })).status, 200);
    const del = await p1('DELETE', `/v2.0/networks/${bridgeNet.id}`);
    assert.equal(del.status, 204, del.text);
    const v1 = `vm:${made.vm1.port}`;
    const v2 = `vm:${made.vm2.port}`;
    expect(
      await verify(),
      [
        [v1, v2],
        [v2, v1],
      ],
      'bridge copy deleted',
    );
    await reconcile();
    expect(await verify(), [], 'bridge rebuilt');
  });

  test('floating IPs disassociated in the pods stop outside traffic to them; the reconciler re-binds them', sqliteOnly, async () => {
    assert.ok(made, 'the walkthrough ran');
    // Same pod: vm2's floating IP in Pod2. Two hops: the inner floating IP of vm1 in Pod1.
    const outerA = await copyOf('Pod2', 'floatingips', (f) => f.floating_ip_address === made.fipA.address);
    const innerB = await copyOf('Pod1', 'floatingips', (f) => f.port_id !== null && String(f.floating_ip_address).startsWith('100.'));
    assert.equal((await pod('Pod2')('PUT', `/v2.0/floatingips/${outerA.id}`, { floatingip: { port_id: null } })).status, 200);
    assert.equal((await pod('Pod1')('PUT', `/v2.0/floatingips/${innerB.id}`, { floatingip: { port_id: null } })).status, 200);
    const A = `fip:${made.fipA.address}`;
    const B = `fip:${made.fipB.address}`;
    // Without its floating IP vm1 still leaves by the routers' source NAT; so does vm2.
    expect(
      await verify(),
      [
        ['outside', A],
        ['outside', B],
      ],
      'floating IPs disassociated in the pods',
    );
    await reconcile();
    expect(await verify(), [], 'floating IPs re-bound');
  });

  test('a floating IP disassociated at the top stays unreachable after a reconcile, and comes back when associated again', sqliteOnly, async () => {
    assert.ok(made, 'the walkthrough ran');
    assert.equal((await top('PUT', `/v2.0/floatingips/${made.fipB.id}`, { floatingip: { port_id: null } })).status, 200);
    await settle('after the disassociation');
    const B = `fip:${made.fipB.address}`;
    const report = await verify();
    assert.equal(
      report.targets.some((t) => t.key === B),
      false,
      'a floating IP without a port is not a target',
    );
    await reconcile();
    const out = inNetns(
      (await http('GET', `${cluster.keystoneUrl}/sim/dataplane`)).body.dataplane.topology.outside.netns,
      `ping -n -q -c 1 -W 1 -I ${CLIENT} ${made.fipB.address}`,
    );
    assert.equal(out.ok, false, `outside → ${made.fipB.address} must not answer: ${out.out}`);
    assert.equal((await top('PUT', `/v2.0/floatingips/${made.fipB.id}`, { floatingip: { port_id: made.vm1.port } })).status, 200);
    await settle('after the association');
    expect(await verify(), [], 'associated again');
  });

  test('stopping the simulator leaves nothing of the dataplane on the machine', async () => {
    assert.ok(prefix);
    assert.ok(namespacesWith(prefix).length > 0, 'the dataplane is there while the simulator runs');
    await agents.close();
    await tc.close();
    await cluster.close();
    assert.deepEqual(namespacesWith(prefix), [], 'no namespace of the run is left');
    assert.deepEqual(namespacesWith(`tcdp-${process.pid.toString(36)}-`), [], 'no namespace of this process is left');
    assert.deepEqual(hostLinksLikeOurs(), [], "no bridge or veth in the host's own namespace");
    assert.deepEqual(hostTablesLikeOurs(), [], "no nftables table in the host's own namespace");
  });
}
