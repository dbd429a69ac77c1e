// The reachability checker (test/support/reachability.ts): hand-built cross-pod topologies that
// work, deliberately broken ones that must fail with a precise reason, and the snapshot reader
// against the simulated pods' real Neutron wire format.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSimCluster, type SimCluster } from '../../sim/cluster.js';
import { issueToken } from '../identity/support.js';
import { http } from '../support/http.js';
import {
  buildModel,
  canReach,
  checkAll,
  formatReport,
  pairResult,
  podOf,
  snapshotPods,
  TopologyBuilder,
  type CheckReport,
  type IssueCode,
  type PortView,
  type Snapshot,
} from '../support/reachability.js';

// ------------------------------------------------------------------ topologies

const BRIDGE = { physnet: 'bridge', id: 2001 };
const NS_BRIDGE = { physnet: 'bridge', id: 2002 };

interface Opts {
  /** VLAN of the E-W bridge network in Pod2 (default the same as Pod1's). */
  pod2BridgeVlan?: number;
  /** CIDR of Pod2's copy of the E-W bridge subnet. */
  pod2BridgeCidr?: string;
  /** Leave Pod2's router without a bridge port. */
  noPod2BridgePort?: boolean;
  external?: boolean;
  twoHop?: boolean;
  dualStack?: boolean;
}

/** §8.2: net1/vm1 in Pod1, net2/vm2 in Pod2, E-W bridge VLAN 2001 100.0.0.0/24 (.2 and .3), extra routes both ways. */
function crossPod(o: Opts = {}): TopologyBuilder {
  const b = new TopologyBuilder();
  const p1 = b.pod('Pod1');
  const p2 = b.pod('Pod2');
  const net1 = p1.network('net1');
  const sn1 = p1.subnet(net1, '10.0.1.0/24');
  const vm1 = p1.vm(sn1, '10.0.1.5', 'vm1');
  const r1 = p1.router('r1');
  p1.attach(r1, sn1);
  const br1 = p1.network('ew-bridge', { vlan: BRIDGE });
  const brs1 = p1.subnet(br1, '100.0.0.0/24');
  p1.attach(r1, brs1, '100.0.0.2');
  p1.route(r1, '10.0.2.0/24', '100.0.0.3');

  const net2 = p2.network('net2');
  const sn2 = p2.subnet(net2, '10.0.2.0/24');
  const vm2 = p2.vm(sn2, '10.0.2.5', 'vm2');
  const r2 = p2.router('r2');
  p2.attach(r2, sn2);
  const br2 = p2.network('ew-bridge', { vlan: { physnet: 'bridge', id: o.pod2BridgeVlan ?? BRIDGE.id } });
  const brs2 = p2.subnet(br2, o.pod2BridgeCidr ?? '100.0.0.0/24');
  if (!o.noPod2BridgePort) p2.attach(r2, brs2, o.pod2BridgeCidr ? '100.0.1.3' : '100.0.0.3');
  p2.route(r2, '10.0.1.0/24', '100.0.0.2');

  if (o.dualStack) {
    const v6a = p1.subnet(net1, 'fd00:1::/64', { gateway: 'fd00:1::1' });
    const v6b = p2.subnet(net2, 'fd00:2::/64', { gateway: 'fd00:2::1' });
    vm1.fixed_ips.push({ subnet_id: v6a.id, ip_address: 'fd00:1::5' });
    vm2.fixed_ips.push({ subnet_id: v6b.id, ip_address: 'fd00:2::5' });
    p1.route(r1, 'fd00:2::/64', 'fd00:1::99');
  }

  if (o.external || o.twoHop) {
    // The external network lives in Pod2 only; r2's gateway is on it.
    const ext = p2.network('ext-net', { flat: 'extern', external: true });
    const exts = p2.subnet(ext, '10.50.11.0/26', { gateway: '10.50.11.1' });
    p2.gateway(r2, exts, '10.50.11.30');
    p2.fip(ext, '10.50.11.35', { port: vm2, router: r2 });
    if (o.twoHop) {
      // N-S bridge: internal in Pod2 (r2 holds its gateway .1), external in Pod1 (r1's gateway .2).
      const ns2 = p2.network('ns-bridge', { vlan: NS_BRIDGE });
      const nss2 = p2.subnet(ns2, '100.128.0.0/24');
      p2.attach(r2, nss2);
      const ns1 = p1.network('ns-bridge', { vlan: NS_BRIDGE, external: true });
      const nss1 = p1.subnet(ns1, '100.128.0.0/24');
      p1.gateway(r1, nss1, '100.128.0.2');
      // Two-hop NAT: outside → 10.50.11.36 (Pod2) → B = 100.128.0.5 (Pod2 bridge port) → Pod1 FIP B → vm1.
      const bPort = p2.port(nss2, '100.128.0.5', { name: 'ns-bridge-port-vm1' });
      p2.fip(ext, '10.50.11.36', { port: bPort, router: r2 });
      p1.fip(ns1, '100.128.0.5', { port: vm1, router: r1 });
    }
  }
  return b;
}

function codes(s: Snapshot | CheckReport): IssueCode[] {
  const issues = 'pods' in s ? buildModel(s).issues : s.issues;
  return issues.map((i) => i.code);
}

function issue(s: Snapshot, code: IssueCode): string {
  const found = buildModel(s).issues.filter((i) => i.code === code);
  assert.equal(found.length, 1, `one ${code} issue expected, got: ${JSON.stringify(buildModel(s).issues, null, 1)}`);
  return found[0].message;
}

const vm = (region: string, ip: string) => ({ region, ip });
const outside = { external: true as const };

function assertOk(report: CheckReport): void {
  assert.ok(report.ok, formatReport(report));
}

// ------------------------------------------------------------------ (1) E-W through the bridge

describe('(1) two pods, bridge network and extra routes', () => {
  test('vm1 ↔ vm2 through the bridge, both ways, no issues', () => {
    const snap = crossPod().snapshot();
    const report = checkAll(snap);
    assertOk(report);
    assert.deepEqual(report.issues, []);
    assert.equal(report.vms.length, 2);
    assert.equal(report.pairs.length, 2);
    const r = pairResult(report, '10.0.1.5', '10.0.2.5');
    assert.deepEqual(r.path, [
      'Pod1 VM port vm1 (10.0.1.5) on Pod1:net1-subnet 10.0.1.0/24',
      'Pod1 router r1: extra route 10.0.2.0/24 via 100.0.0.3',
      'Pod2 router r2: 10.0.2.0/24 connected (Pod2:net2)',
      'Pod2 VM port vm2 (10.0.2.5) via Pod2:net2 (vxlan 100)',
    ]);
    assert.deepEqual(r.deliveredTo, { region: 'Pod2', portId: 'port-vm2-Pod2', ip: '10.0.2.5' });
    assert.equal(r.sourceSeenAs, '10.0.1.5', 'no NAT east-west');
    assert.ok(r.reply?.ok);
    assert.ok(pairResult(report, '10.0.2.5', '10.0.1.5').ok);
  });

  test('networks of the same tenant type and id in two pods stay separate L2 domains', () => {
    // Both pods number their first vxlan network 100: vxlan is pod-local, only vlan/flat join pods.
    const snap = crossPod().snapshot();
    const model = buildModel(snap);
    const net1 = model.nets.get('Pod1/net-net1-Pod1')!;
    const net2 = model.nets.get('Pod2/net-net2-Pod2')!;
    assert.equal(net1.net['provider:segmentation_id'], net2.net['provider:segmentation_id']);
    assert.notEqual(net1.domain, net2.domain);
    assert.equal(model.nets.get('Pod1/net-ew-bridge-Pod1')!.domain, model.nets.get('Pod2/net-ew-bridge-Pod2')!.domain);
  });

  test('a missing extra route breaks vm1 → vm2 and the reply of vm2 → vm1', () => {
    const snap = crossPod().snapshot();
    podOf(snap, 'Pod1').routers[0].routes = [];
    const report = checkAll(snap);
    assert.equal(report.ok, false);
    const there = pairResult(report, '10.0.1.5', '10.0.2.5');
    assert.equal(there.ok, false);
    assert.equal(there.reason, 'Pod1 router r1 has no route to 10.0.2.5 (connected: 10.0.1.0/24, 100.0.0.0/24; extra routes: none; no default route (no gateway))');
    const back = pairResult(report, '10.0.2.5', '10.0.1.5');
    assert.equal(back.ok, false);
    assert.match(back.reason!, /^reply: Pod1 router r1 has no route to 10\.0\.2\.5/);
    assert.ok(back.path.includes('Pod1 router r1: 10.0.1.0/24 connected (Pod1:net1)'), 'the request itself got through');
    assert.equal(report.failures.length, 2);
  });

  test('a /32 route per VM (2.0.2 style) reaches that VM only', () => {
    const b = crossPod();
    const snap = b.snapshot();
    const p2 = podOf(snap, 'Pod2');
    p2.ports.push({ ...structuredClone(p2.ports.find((p) => p.name === 'vm2')!), id: 'port-vm3', name: 'vm3', fixed_ips: [{ ip_address: '10.0.2.6' }] });
    podOf(snap, 'Pod1').routers[0].routes = [{ destination: '10.0.2.5/32', nexthop: '100.0.0.3' }];
    assert.ok(canReach(snap, { from: vm('Pod1', '10.0.1.5'), to: '10.0.2.5' }).ok);
    const r = canReach(snap, { from: vm('Pod1', '10.0.1.5'), to: '10.0.2.6' });
    assert.match(r.reason!, /^Pod1 router r1 has no route to 10\.0\.2\.6 .*extra routes: 10\.0\.2\.5\/32 via 100\.0\.0\.3/);
  });

  test('a route whose nexthop is on a subnet not attached to the router is dead', () => {
    const snap = crossPod().snapshot();
    podOf(snap, 'Pod1').routers[0].routes = [{ destination: '10.0.2.0/24', nexthop: '100.0.1.3' }];
    assert.equal(
      issue(snap, 'route-nexthop-not-connected'),
      'Pod1 router r1: extra route 10.0.2.0/24 via 100.0.1.3: nexthop 100.0.1.3 is on no subnet attached to the router (connected: 10.0.1.0/24, 100.0.0.0/24); the route is dead',
    );
    const r = canReach(snap, { from: vm('Pod1', '10.0.1.5'), to: '10.0.2.5' });
    assert.match(r.reason!, /^Pod1 router r1 has no route to 10\.0\.2\.5/);
  });

  test('bridge networks with different VLAN ids in the two pods', () => {
    const snap = crossPod({ pod2BridgeVlan: 2002 }).snapshot();
    const dead = buildModel(snap).issues.filter((i) => i.code === 'route-nexthop-unanswered');
    assert.deepEqual(
      dead.map((i) => i.region),
      ['Pod1', 'Pod2'],
      'both routes are dead',
    );
    assert.match(
      dead[1].message,
      /^Pod2 router r2: extra route 10\.0\.1\.0\/24 via 100\.0\.0\.2: nothing on L2 domain vlan bridge\/2002 \[Pod2:ew-bridge\] answers for 100\.0\.0\.2; 100\.0\.0\.2 is Pod1 router r1 .*\(vlan bridge\/2001\), a different L2 domain/,
    );
    assert.equal(codes(snap).filter((c) => c === 'router-no-cross-pod-port').length, 2, 'neither router has a port on a network of both pods');
    const r = canReach(snap, { from: vm('Pod1', '10.0.1.5'), to: '10.0.2.5' });
    assert.equal(r.ok, false);
    assert.equal(
      r.reason,
      'Pod1 router r1 extra route 10.0.2.0/24 via 100.0.0.3: nothing on L2 domain vlan bridge/2001 [Pod1:ew-bridge] answers for 100.0.0.3; ' +
        '100.0.0.3 is Pod2 router r2 (interface 100.0.0.3 on Pod2:ew-bridge) on Pod2:ew-bridge (vlan bridge/2002), a different L2 domain (segments differ)',
    );
  });

  test('one VLAN, but the pods disagree on the bridge subnet', () => {
    const snap = crossPod({ pod2BridgeCidr: '100.0.1.0/24' }).snapshot();
    assert.equal(
      issue(snap, 'l2-subnet-mismatch'),
      'L2 domain vlan bridge/2001 joins networks whose subnets differ: Pod1:ew-bridge has 100.0.0.0/24; Pod2:ew-bridge has 100.0.1.0/24',
    );
    assert.equal(checkAll(snap).ok, false);
  });

  test('a router without a bridge port', () => {
    const snap = crossPod({ noPod2BridgePort: true }).snapshot();
    assert.equal(
      issue(snap, 'router-no-cross-pod-port'),
      'Pod2 router r2 has no port on any network shared with another pod (no bridge port): Pod1 router r1 cannot route to its subnets',
    );
    assert.match(
      issue(snap, 'route-nexthop-unanswered'),
      /Pod1 router r1: extra route 10\.0\.2\.0\/24 via 100\.0\.0\.3: nothing on L2 domain vlan bridge\/2001 \[Pod1:ew-bridge, Pod2:ew-bridge\] answers for 100\.0\.0\.3$/,
    );
    assert.ok(codes(snap).includes('route-nexthop-not-connected'), 'and r2 route via 100.0.0.2 is on no attached subnet');
    const report = checkAll(snap);
    assert.equal(pairResult(report, '10.0.1.5', '10.0.2.5').ok, false);
    assert.equal(
      pairResult(report, '10.0.2.5', '10.0.1.5').reason,
      'Pod2 router r2 has no route to 10.0.1.5 (connected: 10.0.2.0/24; extra routes: none; no default route (no gateway))',
    );
  });

  test('a nexthop that is a VM, a routing loop, a router that is down', () => {
    const b = crossPod();
    const snap = b.snapshot();
    const p1 = podOf(snap, 'Pod1');
    const p2 = podOf(snap, 'Pod2');
    // A VM on the bridge at .9 and a route through it.
    p2.ports.push({
      id: 'port-intruder',
      name: 'intruder',
      network_id: 'net-ew-bridge-Pod2',
      fixed_ips: [{ ip_address: '100.0.0.9' }],
      device_owner: 'compute:nova',
      device_id: 'server-x',
    });
    p1.routers[0].routes!.push({ destination: '10.0.8.0/24', nexthop: '100.0.0.9' });
    assert.equal(issue(snap, 'route-nexthop-not-router'), 'Pod1 router r1: extra route 10.0.8.0/24 via 100.0.0.9: the nexthop is Pod2 VM port intruder (100.0.0.9), not a router');
    assert.equal(
      canReach(snap, { from: vm('Pod1', '10.0.1.5'), to: '10.0.8.1' }).reason,
      'Pod1 router r1 extra route 10.0.8.0/24 via 100.0.0.9: 100.0.0.9 is Pod2 VM port intruder (100.0.0.9), not a router',
    );
    // Each router sends 10.0.9.0/24 to the other.
    p1.routers[0].routes!.push({ destination: '10.0.9.0/24', nexthop: '100.0.0.3' });
    p2.routers[0].routes!.push({ destination: '10.0.9.0/24', nexthop: '100.0.0.2' });
    const loop = canReach(snap, { from: vm('Pod1', '10.0.1.5'), to: '10.0.9.1' });
    assert.equal(loop.reason, 'routing loop: 10.0.9.1 came back to Pod1 router r1');
    assert.equal(loop.path.length, 3);
    p2.routers[0].admin_state_up = false;
    assert.equal(canReach(snap, { from: vm('Pod1', '10.0.1.5'), to: '10.0.2.5' }).reason, 'Pod2 router r2 is administratively down');
  });

  test('bad queries say what is wrong', () => {
    const snap = crossPod().snapshot();
    assert.equal(canReach(snap, { from: vm('Pod1', '10.0.1.99'), to: '10.0.2.5' }).reason, 'no port in Pod1 holds 10.0.1.99');
    assert.equal(canReach(snap, { from: vm('Pod1', '10.0.1.5'), to: 'nonsense' }).reason, 'nonsense is not an IPv4 address');
    assert.equal(canReach(snap, { from: vm('Pod1', '10.0.1.5'), to: '10.0.2.77' }).reason, 'nothing on L2 domain Pod2:net2 (vxlan 100) answers for 10.0.2.77');
    assert.equal(canReach(snap, { from: vm('Pod1', '10.0.1.5'), to: '100.0.0.3' }).reason, "100.0.0.3 is Pod2 router r2's own address, not a VM");
  });
});

// ------------------------------------------------------------------ (2) single-hop floating IP

describe('(2) external network in Pod2, floating IP for a Pod2 VM', () => {
  test('outside → floating IP → vm2 and back', () => {
    const snap = crossPod({ external: true }).snapshot();
    const report = checkAll(snap);
    assertOk(report);
    assert.deepEqual(report.issues, []);
    assert.equal(report.fips.length, 1);
    const f = report.fips[0];
    assert.equal(f.outer, true);
    assert.deepEqual(f.result!.path, [
      'outside client 203.0.113.1 on flat extern [Pod2:ext-net]',
      'Pod2 router r2: DNAT 10.50.11.35 → 10.0.2.5 (Pod2 floating IP 10.50.11.35), 10.0.2.0/24 connected (Pod2:net2)',
      'Pod2 VM port vm2 (10.0.2.5) via Pod2:net2 (vxlan 100)',
    ]);
    assert.deepEqual(f.result!.reply!.path, [
      'Pod2 VM port vm2 (10.0.2.5) on Pod2:net2-subnet 10.0.2.0/24',
      'Pod2 router r2: un-DNAT source 10.0.2.5 → 10.50.11.35, default via 10.50.11.1 (gateway on Pod2:ext-net)',
      'upstream gateway 10.50.11.1 on flat extern [Pod2:ext-net] (outside the cloud)',
    ]);
    // The same, asked directly, from an on-link client of the external network.
    const onLink = canReach(snap, { from: { external: true, cidr: '10.50.11.0/26', ip: '10.50.11.60' }, to: '10.50.11.35' });
    assert.ok(onLink.ok, onLink.reason);
    assert.equal(onLink.reply!.path.at(-1), 'outside client 10.50.11.60 on flat extern [Pod2:ext-net]');
    // vm1 in Pod1 has no way out (r1 has no gateway and no route to the FIP).
    assert.match(canReach(snap, { from: vm('Pod1', '10.0.1.5'), to: '10.50.11.35' }).reason!, /^Pod1 router r1 has no route to 10\.50\.11\.35/);
    // vm2 reaches its own floating IP (hairpin through r2).
    assert.ok(canReach(snap, { from: vm('Pod2', '10.0.2.5'), to: '10.50.11.35' }).ok);
  });

  test('a fixed IP is not reachable from outside', () => {
    const snap = crossPod({ external: true }).snapshot();
    assert.equal(canReach(snap, { from: outside, to: '10.0.2.5' }).reason, 'no external network leading outside the cloud has a subnet containing 10.0.2.5');
    assert.equal(
      canReach(snap, { from: { external: true, networkId: 'net-ext-net-Pod2' }, to: '10.0.2.5' }).reason,
      'nothing on L2 domain flat extern [Pod2:ext-net] answers for 10.0.2.5',
    );
    assert.equal(canReach(snap, { from: outside, to: '10.50.11.40' }).reason, 'nothing on L2 domain flat extern [Pod2:ext-net] answers for 10.50.11.40');
  });

  test('a floating IP whose port has no router path', () => {
    const b = crossPod({ external: true });
    const p2 = b.pod('Pod2');
    const net3 = p2.network('net3');
    const sn3 = p2.subnet(net3, '10.0.3.0/24');
    const vm3 = p2.vm(sn3, '10.0.3.5', 'vm3');
    const snap = b.snapshot();
    const pod2 = podOf(snap, 'Pod2');
    pod2.floatingips.push({
      floating_ip_address: '10.50.11.37',
      floating_network_id: 'net-ext-net-Pod2',
      port_id: vm3.id,
      fixed_ip_address: '10.0.3.5',
      router_id: 'router-r2-Pod2',
    });
    const report = checkAll(snap);
    const f = report.fips.find((x) => x.address === '10.50.11.37')!;
    assert.equal(
      f.result!.reason,
      'Pod2 router r2 default via 10.50.11.1 (gateway on Pod2:ext-net) sends 10.0.3.5 out of the cloud (upstream gateway 10.50.11.1 on flat extern [Pod2:ext-net]): no route to it inside the cloud',
    );
    assert.ok(report.failures.some((l) => l.startsWith('outside → Pod2 floating IP 10.50.11.37: Pod2 router r2 default via 10.50.11.1')));
  });

  test('a floating IP on a router whose gateway is elsewhere, and one that is not associated', () => {
    const snap = crossPod({ external: true }).snapshot();
    const pod2 = podOf(snap, 'Pod2');
    pod2.routers.push({ id: 'router-r9', name: 'r9', external_gateway_info: null, routes: [] });
    pod2.floatingips[0].router_id = 'router-r9';
    pod2.floatingips.push({ floating_ip_address: '10.50.11.38', floating_network_id: 'net-ext-net-Pod2', port_id: null, fixed_ip_address: null, router_id: null });
    assert.equal(issue(snap, 'fip-invalid'), 'Pod2 floating IP 10.50.11.35: its router r9 has its gateway on no network, not on Pod2:ext-net');
    const report = checkAll(snap);
    assert.equal(
      report.fips.find((f) => f.address === '10.50.11.35')!.result!.reason,
      'Pod2 floating IP 10.50.11.35: its router r9 has its gateway on no network, not on Pod2:ext-net',
    );
    const loose = report.fips.find((f) => f.address === '10.50.11.38')!;
    assert.equal(loose.associated, false);
    assert.equal(loose.result, undefined, 'unassociated floating IPs are not expected to reach anything');
    assert.equal(
      canReach(snap, { from: outside, to: '10.50.11.38' }).reason,
      'nothing on L2 domain flat extern [Pod2:ext-net] answers for 10.50.11.38; Pod2 floating IP 10.50.11.38 is not associated with any port',
    );
  });

  test('an external subnet without a gateway: requests get in, replies cannot get out', () => {
    const snap = crossPod({ external: true }).snapshot();
    podOf(snap, 'Pod2').subnets.find((s) => s.cidr === '10.50.11.0/26')!.gateway_ip = null;
    const r = canReach(snap, { from: { external: true, networkId: 'net-ext-net-Pod2' }, to: '10.50.11.35' });
    assert.equal(r.ok, false);
    assert.match(r.reason!, /^reply: Pod2 router r2 has no route to 203\.0\.113\.1 \(.*no default route \(no gateway\)\)$/);
    assert.ok(r.path.length > 0 && r.reply!.path.length > 0);
  });
});

// ------------------------------------------------------------------ (3) two-hop floating IP

describe('(3) floating IP for a Pod1 VM through the N-S bridge (two-hop NAT)', () => {
  test('outside → Pod2 FIP → bridge address B → Pod1 FIP B → vm1, and back', () => {
    const snap = crossPod({ twoHop: true }).snapshot();
    const report = checkAll(snap);
    assertOk(report);
    assert.deepEqual(report.issues, []);
    const outer = report.fips
      .filter((f) => f.outer)
      .map((f) => f.address)
      .sort();
    assert.deepEqual(outer, ['10.50.11.35', '10.50.11.36']);
    const inner = report.fips.find((f) => f.address === '100.128.0.5')!;
    assert.equal(inner.outer, false);
    assert.equal(inner.result, undefined);
    const two = report.fips.find((f) => f.address === '10.50.11.36')!.result!;
    assert.deepEqual(two.path, [
      'outside client 203.0.113.1 on flat extern [Pod2:ext-net]',
      'Pod2 router r2: DNAT 10.50.11.36 → 100.128.0.5 (Pod2 floating IP 10.50.11.36), 100.128.0.0/24 connected (Pod2:ns-bridge)',
      'Pod1 router r1: DNAT 100.128.0.5 → 10.0.1.5 (Pod1 floating IP 100.128.0.5), 10.0.1.0/24 connected (Pod1:net1)',
      'Pod1 VM port vm1 (10.0.1.5) via Pod1:net1 (vxlan 100)',
    ]);
    assert.deepEqual(two.deliveredTo, { region: 'Pod1', portId: 'port-vm1-Pod1', ip: '10.0.1.5' });
    assert.deepEqual(two.reply!.path, [
      'Pod1 VM port vm1 (10.0.1.5) on Pod1:net1-subnet 10.0.1.0/24',
      'Pod1 router r1: un-DNAT source 10.0.1.5 → 100.128.0.5, default via 100.128.0.1 (gateway on Pod1:ns-bridge)',
      'Pod2 router r2: un-DNAT source 100.128.0.5 → 10.50.11.36, default via 10.50.11.1 (gateway on Pod2:ext-net)',
      'upstream gateway 10.50.11.1 on flat extern [Pod2:ext-net] (outside the cloud)',
    ]);
    // vm1 reaches the outside world's view of vm2 (its FIP) through the N-S bridge, source-NATed.
    const hair = canReach(snap, { from: vm('Pod1', '10.0.1.5'), to: '10.50.11.35' });
    assert.ok(hair.ok, hair.reason);
    assert.equal(hair.sourceSeenAs, '10.50.11.30', 'r1 source-NATs vm1 to B, r2 (hairpin) to its gateway address');
    assert.deepEqual(hair.path.slice(1, 3), [
      'Pod1 router r1: default via 100.128.0.1 (gateway on Pod1:ns-bridge), SNAT 10.0.1.5 → 100.128.0.5',
      'Pod2 router r2: DNAT 10.50.11.35 → 10.0.2.5 (Pod2 floating IP 10.50.11.35), 10.0.2.0/24 connected (Pod2:net2), SNAT 100.128.0.5 → 10.50.11.30 (hairpin)',
    ]);
  });

  test('the inner floating IP missing: the outer one leads nowhere', () => {
    const snap = crossPod({ twoHop: true }).snapshot();
    podOf(snap, 'Pod1').floatingips = [];
    const report = checkAll(snap);
    assert.equal(report.ok, false);
    const r = report.fips.find((f) => f.address === '10.50.11.36')!.result!;
    assert.equal(
      r.reason,
      'nothing on L2 domain vlan bridge/2002 [Pod1:ns-bridge, Pod2:ns-bridge] answers for 100.128.0.5; ' +
        '100.128.0.5 is held by Pod2 port ns-bridge-port-vm1, a port attached to no VM or router, which does not answer for it',
    );
    assert.ok(report.fips.find((f) => f.address === '10.50.11.35')!.result!.ok, 'the single-hop one still works');
  });

  test('the outer floating IP missing: the inner one is an orphan', () => {
    const snap = crossPod({ twoHop: true }).snapshot();
    podOf(snap, 'Pod2').floatingips = podOf(snap, 'Pod2').floatingips.filter((f) => f.floating_ip_address !== '10.50.11.36');
    assert.equal(
      issue(snap, 'fip-inner-orphan'),
      'Pod1 floating IP 100.128.0.5 is on Pod1:ns-bridge, which does not lead outside the cloud, and no floating IP in another pod maps to it: nothing outside reaches it',
    );
  });

  test("Pod1's router without its gateway on the N-S bridge", () => {
    const snap = crossPod({ twoHop: true }).snapshot();
    const p1 = podOf(snap, 'Pod1');
    p1.routers[0].external_gateway_info = null;
    p1.ports = p1.ports.filter((p) => p.device_owner !== 'network:router_gateway');
    assert.equal(issue(snap, 'fip-invalid'), 'Pod1 floating IP 100.128.0.5: its router r1 has its gateway on no network, not on Pod1:ns-bridge');
    const r = checkAll(snap).fips.find((f) => f.address === '10.50.11.36')!.result!;
    assert.match(
      r.reason!,
      /answers for 100\.128\.0\.5; 100\.128\.0\.5 is held by Pod2 port ns-bridge-port-vm1.*; Pod1 floating IP 100\.128\.0\.5 is broken: its router r1 has its gateway on no network/,
    );
  });

  test("Pod2's router not attached to the N-S bridge: Pod1's default route leads nowhere", () => {
    const snap = crossPod({ twoHop: true }).snapshot();
    const p2 = podOf(snap, 'Pod2');
    p2.ports = p2.ports.filter((p) => !(p.device_owner === 'network:router_interface' && p.fixed_ips[0].ip_address === '100.128.0.1'));
    const report = checkAll(snap);
    assert.equal(report.ok, false);
    assert.equal(report.fips.find((f) => f.address === '100.128.0.5')!.outer, false, 'a bridge that is internal in some pod never counts as the outside');
    assert.equal(
      report.fips.find((f) => f.address === '10.50.11.36')!.result!.reason,
      'Pod2 router r2 default via 10.50.11.1 (gateway on Pod2:ext-net) sends 100.128.0.5 out of the cloud (upstream gateway 10.50.11.1 on flat extern [Pod2:ext-net]): no route to it inside the cloud',
    );
    assert.equal(
      canReach(snap, { from: vm('Pod1', '10.0.1.5'), to: '10.50.11.35' }).reason,
      'Pod1 router r1 default via 100.128.0.1 (gateway on Pod1:ns-bridge): nothing on L2 domain vlan bridge/2002 [Pod1:ns-bridge, Pod2:ns-bridge] answers for 100.128.0.1',
    );
  });

  test('reply through another router: asymmetric paths are caught', () => {
    const snap = crossPod({ twoHop: true }).snapshot();
    // Without its E-W route r1 sends vm1's traffic out of its gateway (SNAT) ...
    podOf(snap, 'Pod1').routers[0].routes = [];
    const there = canReach(snap, { from: vm('Pod1', '10.0.1.5'), to: '10.0.2.5' });
    assert.ok(there.ok, there.reason);
    assert.equal(there.sourceSeenAs, '100.128.0.5', "vm2 sees vm1's inner floating IP B");
    // ... which also catches vm2's replies, which then leave the wrong way.
    const back = canReach(snap, { from: vm('Pod2', '10.0.2.5'), to: '10.0.1.5' });
    assert.equal(
      back.reason,
      "reply: 10.0.1.5's reply leaves Pod1 router r1 by its gateway and would be source-NATed to 100.128.0.5, not the address the request was sent to (asymmetric path)",
    );
  });
});

// ------------------------------------------------------------------ (4) shared VLAN

/** One tenant network on VLAN physnet1/2100 in both pods, per-pod gateways (.1 in Pod1, .2 in Pod2). */
function sharedVlan(o: { pod2Vlan?: number; pod2Gateway?: string; pod2RouterAt?: string; pod2Cidr?: string } = {}): TopologyBuilder {
  const b = new TopologyBuilder();
  const p1 = b.pod('Pod1');
  const p2 = b.pod('Pod2');
  const n1 = p1.network('shared', { vlan: { physnet: 'physnet1', id: 2100 } });
  const s1 = p1.subnet(n1, '10.0.5.0/24', { gateway: '10.0.5.1' });
  p1.vm(s1, '10.0.5.10', 'vm1');
  const r1 = p1.router('r1');
  p1.attach(r1, s1);
  // Pod1's router reaches Pod2's other subnet through Pod2's router on the shared VLAN.
  p1.route(r1, '10.0.6.0/24', '10.0.5.2');
  const n2 = p2.network('shared', { vlan: { physnet: 'physnet1', id: o.pod2Vlan ?? 2100 } });
  const s2 = p2.subnet(n2, o.pod2Cidr ?? '10.0.5.0/24', { gateway: o.pod2Gateway ?? '10.0.5.2' });
  p2.vm(s2, '10.0.5.20', 'vm2');
  const r2 = p2.router('r2');
  p2.attach(r2, s2, o.pod2RouterAt ?? '10.0.5.2');
  const n3 = p2.network('local');
  const s3 = p2.subnet(n3, '10.0.6.0/24');
  p2.vm(s3, '10.0.6.5', 'vm3');
  p2.attach(r2, s3);
  return b;
}

describe('(4) shared VLAN network spanning both pods', () => {
  test('vm1 ↔ vm2 at L2, no router; each pod leaves by its own gateway', () => {
    const snap = sharedVlan().snapshot();
    const report = checkAll(snap);
    assertOk(report);
    assert.deepEqual(report.issues, []);
    const r = pairResult(report, '10.0.5.10', '10.0.5.20');
    assert.deepEqual(r.path, ['Pod1 VM port vm1 (10.0.5.10) on Pod1:shared-subnet 10.0.5.0/24', 'Pod2 VM port vm2 (10.0.5.20) via vlan physnet1/2100 [Pod1:shared, Pod2:shared]']);
    // vm2 → vm3 by Pod2's gateway .2; vm1 → vm3 by Pod1's .1 and its route to r2 across the VLAN.
    assert.deepEqual(pairResult(report, '10.0.5.20', '10.0.6.5').path.slice(1, 2), ['Pod2 router r2: 10.0.6.0/24 connected (Pod2:local)']);
    assert.deepEqual(pairResult(report, '10.0.5.10', '10.0.6.5').path.slice(1, 3), [
      'Pod1 router r1: extra route 10.0.6.0/24 via 10.0.5.2',
      'Pod2 router r2: 10.0.6.0/24 connected (Pod2:local)',
    ]);
    // Without that route, vm3's replies to vm1 die in r1.
    podOf(snap, 'Pod1').routers[0].routes = [];
    assert.match(canReach(snap, { from: vm('Pod2', '10.0.6.5'), to: '10.0.5.10' }).reason!, /^reply: Pod1 router r1 has no route to 10\.0\.6\.5/);
  });

  test('a gateway nobody answers for on the shared VLAN', () => {
    const snap = sharedVlan({ pod2Gateway: '10.0.5.3' }).snapshot();
    assert.equal(
      issue(snap, 'gateway-unanswered'),
      'Pod2:shared-subnet 10.0.5.0/24: gateway_ip 10.0.5.3 is answered by no router port on L2 domain vlan physnet1/2100 [Pod1:shared, Pod2:shared] ' +
        '(routers on the subnet: Pod1 router r1 at 10.0.5.1, Pod2 router r2 at 10.0.5.2); VMs of Pod2 cannot leave the subnet',
    );
    assert.equal(
      canReach(snap, { from: vm('Pod2', '10.0.5.20'), to: '10.0.6.5' }).reason,
      'gateway 10.0.5.3 of Pod2:shared-subnet 10.0.5.0/24: nothing on L2 domain vlan physnet1/2100 [Pod1:shared, Pod2:shared] answers for 10.0.5.3',
    );
    assert.ok(canReach(snap, { from: vm('Pod2', '10.0.5.20'), to: '10.0.5.10' }).ok, 'L2 still works');
  });

  test('both pods put their router on the same gateway address', () => {
    const snap = sharedVlan({ pod2Gateway: '10.0.5.1', pod2RouterAt: '10.0.5.1' }).snapshot();
    assert.equal(
      issue(snap, 'duplicate-ip'),
      '10.0.5.1 is answered by several ports on L2 domain vlan physnet1/2100 [Pod1:shared, Pod2:shared]: ' +
        'Pod1 router r1 (interface 10.0.5.1 on Pod1:shared); Pod2 router r2 (interface 10.0.5.1 on Pod2:shared)',
    );
    assert.match(canReach(snap, { from: vm('Pod2', '10.0.5.20'), to: '10.0.6.5' }).reason!, /^gateway 10\.0\.5\.1 of Pod2:shared.*: 10\.0\.5\.1 is ambiguous on L2 domain/);
  });

  test('different VLAN ids: the two halves are cut apart', () => {
    const snap = sharedVlan({ pod2Vlan: 2101 }).snapshot();
    const r = canReach(snap, { from: vm('Pod1', '10.0.5.10'), to: '10.0.5.20' });
    assert.equal(
      r.reason,
      'nothing on L2 domain vlan physnet1/2100 [Pod1:shared] answers for 10.0.5.20; 10.0.5.20 is Pod2 VM port vm2 (10.0.5.20) on Pod2:shared (vlan physnet1/2101), a different L2 domain (segments differ)',
    );
  });

  test('same VLAN, different CIDRs', () => {
    const snap = sharedVlan({ pod2Cidr: '10.0.7.0/24', pod2Gateway: '10.0.7.1', pod2RouterAt: '10.0.7.1' }).snapshot();
    assert.match(issue(snap, 'l2-subnet-mismatch'), /Pod1:shared has 10\.0\.5\.0\/24; Pod2:shared has 10\.0\.7\.0\/24/);
  });
});

// ------------------------------------------------------------------ (5) IPv4 only

describe('(5) IPv4 only', () => {
  test('IPv6 subnets, addresses and routes are ignored; IPv6 queries say so', () => {
    const snap = crossPod({ dualStack: true }).snapshot();
    const report = checkAll(snap);
    assertOk(report);
    assert.deepEqual(report.issues, []);
    assert.deepEqual(report.vms.map((v) => v.ip).sort(), ['10.0.1.5', '10.0.2.5']);
    assert.equal(canReach(snap, { from: vm('Pod1', '10.0.1.5'), to: 'fd00:2::5' }).reason, 'IPv6 is not modelled (IPv4 only)');
    assert.equal(canReach(snap, { from: vm('Pod1', 'fd00:1::5'), to: '10.0.2.5' }).reason, 'IPv6 is not modelled (IPv4 only)');
  });
});

describe('model odds and ends', () => {
  test('an isolated network: VMs talk at L2, an unused gateway_ip is fine', () => {
    const b = new TopologyBuilder();
    const p = b.pod('Pod1');
    const n = p.network('solo');
    const s = p.subnet(n, '192.168.0.0/24');
    p.vm(s, '192.168.0.10', 'a');
    p.vm(s, '192.168.0.11', 'b');
    const report = checkAll(b.snapshot());
    assertOk(report);
    assert.deepEqual(report.issues, []);
    assert.match(
      canReach(b.snapshot(), { from: vm('Pod1', '192.168.0.10'), to: '10.1.1.1' }).reason!,
      /^gateway 192\.168\.0\.1 of Pod1:solo.*nothing on L2 domain Pod1:solo \(vxlan 100\) answers for 192\.168\.0\.1$/,
    );
  });

  test('VMs of different projects are not paired unless asked', () => {
    const b = new TopologyBuilder();
    const p = b.pod('Pod1');
    const n = p.network('solo');
    const s = p.subnet(n, '192.168.0.0/24');
    p.vm(s, '192.168.0.10', 'a');
    const other = p.vm(s, '192.168.0.11', 'b');
    other.project_id = 'project-b';
    assert.equal(checkAll(b.snapshot()).pairs.length, 0);
    assert.equal(checkAll(b.snapshot(), { sameProjectOnly: false }).pairs.length, 2);
  });

  test('networks read without provider attributes are flagged', () => {
    const snap = crossPod().snapshot();
    for (const n of podOf(snap, 'Pod1').networks) {
      delete n['provider:network_type'];
      delete n['provider:physical_network'];
      delete n['provider:segmentation_id'];
    }
    assert.match(issue(snap, 'missing-provider-attributes'), /^Pod1: 2 network\(s\) without provider attributes/);
  });

  test('the same ids in two pods (bottom resources keep the top ids) do not mix', () => {
    const snap = crossPod().snapshot();
    // Rename Pod2's ids to Pod1's: the model keys everything by (region, id).
    const p2 = podOf(snap, 'Pod2');
    const rename = (id: string) => id.replace('net2', 'net1').replace('r2', 'r1').replace('Pod2', 'Pod1');
    const text = JSON.stringify(p2).replace(/"(net|subnet|port|router)-[^"]*"/g, (m) => JSON.stringify(rename(JSON.parse(m) as string)));
    snap.pods[1] = JSON.parse(text);
    const report = checkAll(snap);
    assertOk(report);
  });
});

// ------------------------------------------------------------------ the simulated pods

describe('snapshotPods against two simulated pods', () => {
  let cluster: SimCluster;
  let token: string;

  before(async () => {
    cluster = await startSimCluster({
      pods: [
        { region: 'Pod1', az: 'az1' },
        { region: 'Pod2', az: 'az2' },
      ],
    });
    token = await issueToken(cluster.keystoneUrl, { user: 'admin', project: 'admin' });
  });
  after(async () => {
    await cluster?.close();
  });

  function api(region: string) {
    const pod = cluster.pods.find((p) => p.region === region)!;
    const call = async (method: string, path: string, body?: unknown, expect = method === 'POST' ? 201 : 200): Promise<any> => {
      const res = await http(method, `${pod.neutronUrl}${path}`, { body, token });
      assert.equal(res.status, expect, `${region} ${method} ${path}: ${res.text}`);
      return res.body;
    };
    return {
      net: async (attrs: Record<string, unknown>) => (await call('POST', '/v2.0/networks', { network: attrs })).network,
      subnet: async (attrs: Record<string, unknown>) => (await call('POST', '/v2.0/subnets', { subnet: { ip_version: 4, ...attrs } })).subnet,
      port: async (attrs: Record<string, unknown>): Promise<PortView> => (await call('POST', '/v2.0/ports', { port: attrs })).port,
      router: async (attrs: Record<string, unknown>) => (await call('POST', '/v2.0/routers', { router: attrs })).router,
      addInterface: (router: string, body: Record<string, unknown>) => call('PUT', `/v2.0/routers/${router}/add_router_interface`, body),
      updateRouter: (router: string, attrs: Record<string, unknown>) => call('PUT', `/v2.0/routers/${router}`, { router: attrs }),
      fip: async (attrs: Record<string, unknown>) => (await call('POST', '/v2.0/floatingips', { floatingip: attrs })).floatingip,
    };
  }

  test('§8.2 built through the pods’ Neutron APIs: E-W, single-hop and two-hop floating IPs; then broken', async () => {
    const p1 = api('Pod1');
    const p2 = api('Pod2');
    const server = (n: number) => `0000000${n}-0000-4000-8000-000000000000`;

    // Pod1: net1 + vm1, E-W bridge (.2), N-S bridge as an external network.
    const net1 = await p1.net({ name: 'net1' });
    const sn1 = await p1.subnet({ network_id: net1.id, cidr: '10.0.1.0/24' });
    const vm1 = await p1.port({ network_id: net1.id, name: 'vm1', fixed_ips: [{ subnet_id: sn1.id, ip_address: '10.0.1.10' }], device_owner: 'compute:az1', device_id: server(1) });
    const r1 = await p1.router({ name: 'r1' });
    await p1.addInterface(r1.id, { subnet_id: sn1.id });
    const ew1 = await p1.net({ name: 'ew-bridge', 'provider:network_type': 'vlan', 'provider:physical_network': 'bridge', 'provider:segmentation_id': 2001 });
    const ews1 = await p1.subnet({ network_id: ew1.id, cidr: '100.0.0.0/24', enable_dhcp: false });
    const bp1 = await p1.port({ network_id: ew1.id, fixed_ips: [{ subnet_id: ews1.id, ip_address: '100.0.0.2' }] });
    await p1.addInterface(r1.id, { port_id: bp1.id });
    const ns1 = await p1.net({
      name: 'ns-bridge',
      'router:external': true,
      'provider:network_type': 'vlan',
      'provider:physical_network': 'bridge',
      'provider:segmentation_id': 2002,
    });
    const nss1 = await p1.subnet({ network_id: ns1.id, cidr: '100.128.0.0/24', enable_dhcp: false });
    await p1.updateRouter(r1.id, { external_gateway_info: { network_id: ns1.id, external_fixed_ips: [{ subnet_id: nss1.id, ip_address: '100.128.0.2' }] } });

    // Pod2: net2 + vm2, E-W bridge (.3), ext-net with r2's gateway, N-S bridge internal (r2 at .1).
    const net2 = await p2.net({ name: 'net2' });
    const sn2 = await p2.subnet({ network_id: net2.id, cidr: '10.0.2.0/24' });
    const vm2 = await p2.port({ network_id: net2.id, name: 'vm2', fixed_ips: [{ subnet_id: sn2.id, ip_address: '10.0.2.10' }], device_owner: 'compute:az2', device_id: server(2) });
    const r2 = await p2.router({ name: 'r2' });
    await p2.addInterface(r2.id, { subnet_id: sn2.id });
    const ew2 = await p2.net({ name: 'ew-bridge', 'provider:network_type': 'vlan', 'provider:physical_network': 'bridge', 'provider:segmentation_id': 2001 });
    const ews2 = await p2.subnet({ network_id: ew2.id, cidr: '100.0.0.0/24', enable_dhcp: false });
    const bp2 = await p2.port({ network_id: ew2.id, fixed_ips: [{ subnet_id: ews2.id, ip_address: '100.0.0.3' }] });
    await p2.addInterface(r2.id, { port_id: bp2.id });
    const ext = await p2.net({ name: 'ext-net', 'router:external': true, 'provider:network_type': 'flat', 'provider:physical_network': 'extern' });
    await p2.subnet({ network_id: ext.id, cidr: '10.50.11.0/26', gateway_ip: '10.50.11.1', enable_dhcp: false, allocation_pools: [{ start: '10.50.11.30', end: '10.50.11.50' }] });
    await p2.updateRouter(r2.id, { external_gateway_info: { network_id: ext.id } });
    const ns2 = await p2.net({ name: 'ns-bridge', 'provider:network_type': 'vlan', 'provider:physical_network': 'bridge', 'provider:segmentation_id': 2002 });
    const nss2 = await p2.subnet({ network_id: ns2.id, cidr: '100.128.0.0/24', enable_dhcp: false });
    await p2.addInterface(r2.id, { subnet_id: nss2.id });

    // Extra routes both ways.
    await p1.updateRouter(r1.id, { routes: [{ destination: '10.0.2.0/24', nexthop: '100.0.0.3' }] });
    await p2.updateRouter(r2.id, { routes: [{ destination: '10.0.1.0/24', nexthop: '100.0.0.2' }] });

    // Floating IPs: vm2 single hop; vm1 two-hop through B = 100.128.0.5.
    const fip2 = await p2.fip({ floating_network_id: ext.id, port_id: vm2.id });
    const b = await p2.port({ network_id: ns2.id, name: 'ns-bridge-port-vm1', fixed_ips: [{ subnet_id: nss2.id, ip_address: '100.128.0.5' }] });
    const fip1 = await p2.fip({ floating_network_id: ext.id, port_id: b.id });
    await p1.fip({ floating_network_id: ns1.id, floating_ip_address: '100.128.0.5', port_id: vm1.id });

    const pods = cluster.pods.map((p) => ({ region: p.region, neutronUrl: p.neutronUrl }));
    const snap = await snapshotPods(pods, token, { pageSize: 2 });
    const unpaged = await snapshotPods(pods, token);
    assert.deepEqual(snap, unpaged, 'following the next links yields the same snapshot');
    assert.ok(
      podOf(snap, 'Pod2').ports.some((p) => p.device_owner === 'network:router_gateway'),
      'admin sees the gateway ports',
    );
    assert.equal(podOf(snap, 'Pod1').networks.find((n) => n.id === ew1.id)!['provider:segmentation_id'], 2001);

    const report = checkAll(snap);
    assertOk(report);
    assert.deepEqual(report.issues, []);
    assert.deepEqual(report.vms.map((v) => v.label).sort(), ['Pod1 vm1 (10.0.1.10)', 'Pod2 vm2 (10.0.2.10)']);
    assert.ok(pairResult(report, '10.0.1.10', '10.0.2.10').path.includes('Pod1 router r1: extra route 10.0.2.0/24 via 100.0.0.3'));
    assert.ok(pairResult(report, '10.0.2.10', '10.0.1.10').ok);
    const outer = report.fips.filter((f) => f.outer);
    assert.deepEqual(outer.map((f) => f.address).sort(), [fip1.floating_ip_address, fip2.floating_ip_address].sort());
    for (const f of outer) assert.ok(f.result!.ok, f.result!.reason);
    assert.deepEqual(report.fips.find((f) => f.address === fip1.floating_ip_address)!.result!.deliveredTo, { region: 'Pod1', portId: vm1.id, ip: '10.0.1.10' });
    assert.deepEqual(report.fips.find((f) => f.address === fip2.floating_ip_address)!.result!.deliveredTo, { region: 'Pod2', portId: vm2.id, ip: '10.0.2.10' });

    // Break it through the API: Pod2's route back to Pod1 goes away.
    await p2.updateRouter(r2.id, { routes: [] });
    const broken = checkAll(await snapshotPods(pods, token));
    assert.equal(broken.ok, false);
    assert.equal(
      pairResult(broken, '10.0.2.10', '10.0.1.10').reason,
      'Pod2 router r2 default via 10.50.11.1 (gateway on Pod2:ext-net) sends 10.0.1.10 out of the cloud (upstream gateway 10.50.11.1 on flat extern [Pod2:ext-net]): no route to it inside the cloud',
    );
    assert.match(pairResult(broken, '10.0.1.10', '10.0.2.10').reason!, /^reply: Pod2 router r2 default via 10\.50\.11\.1 .* sends 10\.0\.1\.10 out of the cloud/);
    for (const f of broken.fips.filter((x) => x.outer)) assert.ok(f.result!.ok, 'floating IPs do not need the E-W routes');
  });
});
