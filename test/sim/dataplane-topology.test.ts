// The dataplane's pure parts: what Linux networking a pod's Neutron state asks for, and the plan
// that gets there from what exists. No root needed.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultConfig, Neutron } from '../../sim/neutron/index.js';
import { Names } from '../../sim/dataplane/names.js';
import { planChanges, scriptOf, failuresOf } from '../../sim/dataplane/plan.js';
import { buildTopology, type PodState } from '../../sim/dataplane/topology.js';
import type { ActualNamespace } from '../../sim/dataplane/host.js';
import type { Topology } from '../../sim/dataplane/spec.js';

const ADMIN = { projectId: 'p1', isAdmin: true };
const names = new Names('tcdp-test-0000-');

/** A pod's Neutron driven through its services, as its HTTP routes drive it. */
function podNeutron() {
  const n = new Neutron(defaultConfig(['az1']));
  const net = (body: Record<string, unknown>) => n.tx(() => n.networks.create(ADMIN, { project_id: 'p1', ...body }));
  const subnet = (networkId: string, cidr: string, extra: Record<string, unknown> = {}) =>
    n.tx(() => n.subnets.create(ADMIN, { project_id: 'p1', network_id: networkId, cidr, ip_version: 4, ...extra }));
  const vm = (networkId: string, extra: Record<string, unknown> = {}) =>
    n.tx(() =>
      n.ports.create(ADMIN, { project_id: 'p1', network_id: networkId, device_id: `server-${Math.random()}`, device_owner: 'compute:az1', 'binding:host_id': 'host1', ...extra }),
    );
  return { n, net, subnet, vm };
}

const pods = (...list: Neutron[]): PodState[] => list.map((n, index) => ({ index, region: `Pod${index + 1}`, state: n.state }));

describe('dataplane topology', () => {
  test('a VM is a namespace with the port MAC, its address with the subnet prefix and a default route via the gateway', () => {
    const { n, net, subnet, vm } = podNeutron();
    const network = net({ name: 'net1' });
    subnet(network.id, '10.0.1.0/24');
    const port = vm(network.id);
    const unbound = n.tx(() => n.ports.create(ADMIN, { project_id: 'p1', network_id: network.id, device_owner: 'compute:az1' }));
    const t = buildTopology(pods(n), { names });
    const ns = names.vm(port.id);
    assert.ok(t.namespaces.some((x) => x.name === ns && x.role === 'vm'));
    assert.ok(!t.namespaces.some((x) => x.name === names.vm(unbound.id)), 'a port without a host binding is no VM');
    const veth = t.veths.find((v) => v.b.netns === ns)!;
    assert.deepEqual(veth.b, { netns: ns, name: 'eth0', mac: port.mac_address, up: true });
    assert.equal(veth.a.netns, names.pod('Pod1'));
    assert.equal(veth.a.master, Names.networkBridge(network.id));
    const ip = port.fixed_ips[0].ip_address;
    assert.deepEqual(
      t.addresses.filter((a) => a.netns === ns),
      [{ netns: ns, dev: 'eth0', cidr: `${ip}/24` }],
    );
    assert.deepEqual(
      t.routes.filter((r) => r.netns === ns),
      [{ netns: ns, dst: 'default', via: '10.0.1.1', dev: 'eth0' }],
    );
    for (const v of t.veths) for (const end of [v.a, v.b]) assert.ok(end.name.length <= 15, end.name);
  });

  test('vlan networks of two pods meet on one switch bridge when their segment is the same, on different ones when not', () => {
    const a = podNeutron();
    const b = podNeutron();
    const vlan = (p: typeof a, id: number) => p.net({ 'provider:network_type': 'vlan', 'provider:physical_network': 'bridge', 'provider:segmentation_id': id });
    const na = vlan(a, 2001);
    const nb = vlan(b, 2001);
    const local = a.net({ 'provider:network_type': 'local' });
    const same = buildTopology(pods(a.n, b.n), { names });
    const uplinkA = same.veths.find((v) => v.a.name === Names.uplink(na.id))!;
    const uplinkB = same.veths.find((v) => v.a.name === Names.uplink(nb.id))!;
    assert.equal(uplinkA.b.netns, names.fabric);
    assert.equal(uplinkA.b.master, uplinkB.b.master, 'same VLAN: same switch');
    assert.ok(!same.veths.some((v) => v.a.name === Names.uplink(local.id)), 'a local network stays in its pod');

    b.n.tx(() => b.n.networks.delete(ADMIN, nb.id));
    const nc = vlan(b, 2002);
    const other = buildTopology(pods(a.n, b.n), { names });
    const c = other.veths.find((v) => v.a.name === Names.uplink(nc.id))!;
    assert.notEqual(c.b.master, other.veths.find((v) => v.a.name === Names.uplink(na.id))!.b.master, 'another VLAN id: another switch');
  });

  test('a router: interfaces, gateway with floating IPs, default and extra routes, NAT; a dead extra route is a note', () => {
    const { n, net, subnet, vm } = podNeutron();
    const inner = net({});
    const innerSub = subnet(inner.id, '10.0.2.0/24');
    const transit = net({});
    const transitSub = subnet(transit.id, '100.0.0.0/24');
    const ext = net({ 'router:external': true, 'provider:network_type': 'flat', 'provider:physical_network': 'extern' });
    subnet(ext.id, '10.50.11.0/26', { gateway_ip: '10.50.11.1', enable_dhcp: false });
    const port = vm(inner.id);
    const router = n.tx(() => n.routers.create(ADMIN, { project_id: 'p1', external_gateway_info: { network_id: ext.id } }));
    n.tx(() => n.routers.addInterface(ADMIN, router.id, { subnet_id: innerSub.id }));
    n.tx(() => n.routers.addInterface(ADMIN, router.id, { subnet_id: transitSub.id }));
    n.tx(() => n.routers.update(ADMIN, router.id, { routes: [{ destination: '10.0.1.0/24', nexthop: '100.0.0.7' }] }));
    const fip = n.tx(() => n.floatingips.create(ADMIN, { project_id: 'p1', floating_network_id: ext.id, port_id: port.id }));
    // Made valid at the time, then the interface it used went away: the route is dead.
    router.routes = [...router.routes, { destination: '10.9.0.0/16', nexthop: '172.16.0.1' }];

    const t = buildTopology(pods(n), { names });
    const ns = names.router(router.id);
    const gwPort = n.state.ports.get(router.gw_port_id!)!;
    const qg = Names.routerPort(gwPort.id, true);
    const gwIp = gwPort.fixed_ips[0].ip_address;
    const addrs = t.addresses
      .filter((a) => a.netns === ns)
      .map((a) => `${a.dev} ${a.cidr}`)
      .sort();
    assert.ok(addrs.includes(`${qg} ${gwIp}/26`));
    assert.ok(addrs.includes(`${qg} ${fip.floating_ip_address}/32`), 'the floating IP lives on the gateway');
    assert.ok(addrs.some((a) => a.startsWith('qr-') && a.endsWith(' 10.0.2.1/24')));
    assert.deepEqual(
      t.routes
        .filter((r) => r.netns === ns)
        .map((r) => `${r.dst} via ${r.via}`)
        .sort(),
      ['10.0.1.0/24 via 100.0.0.7', 'default via 10.50.11.1'],
    );
    assert.ok(
      t.notes.some((x) => x.includes('10.9.0.0/16 via 172.16.0.1')),
      t.notes.join('\n'),
    );
    const nft = t.namespaces.find((x) => x.name === ns)!.nft;
    assert.match(nft, new RegExp(`ip daddr ${fip.floating_ip_address} dnat to ${port.fixed_ips[0].ip_address}`));
    assert.match(nft, new RegExp(`ip saddr ${port.fixed_ips[0].ip_address} snat to ${fip.floating_ip_address}`));
    assert.match(nft, new RegExp(`oifname "${qg}" snat to ${gwIp}`));
    // The outside host is the external subnet's gateway, on the flat network's switch.
    assert.deepEqual(
      t.view.outside.interfaces.map((i) => [i.segment, i.addresses]),
      [['flat:extern', ['10.50.11.1/26']]],
    );
    assert.ok(t.addresses.some((a) => a.netns === names.outside && a.dev === 'lo' && a.cidr === '203.0.113.1/32'));

    n.tx(() => n.routers.update(ADMIN, router.id, { external_gateway_info: { network_id: ext.id, enable_snat: false } }));
    const nosnat = buildTopology(pods(n), { names }).namespaces.find((x) => x.name === ns)!.nft;
    assert.doesNotMatch(nosnat, new RegExp(`oifname "${qg}" snat`), 'SNAT off: only the floating IP translates');
    assert.match(nosnat, /snat to /);
  });

  test('an external network whose gateway address a router holds does not lead outside', () => {
    const { n, net, subnet } = podNeutron();
    const ext = net({ 'router:external': true, 'provider:network_type': 'vlan', 'provider:physical_network': 'bridge', 'provider:segmentation_id': 2002 });
    const s = subnet(ext.id, '100.0.1.0/24', { gateway_ip: '100.0.1.1' });
    const other = podNeutron();
    const inPod2 = other.net({ 'provider:network_type': 'vlan', 'provider:physical_network': 'bridge', 'provider:segmentation_id': 2002 });
    const s2 = other.subnet(inPod2.id, '100.0.1.0/24', { gateway_ip: '100.0.1.1' });
    const r = other.n.tx(() => other.n.routers.create(ADMIN, { project_id: 'p1' }));
    assert.equal(buildTopology(pods(n, other.n), { names }).view.outside.interfaces.length, 1, 'before a router holds the gateway, the outside does');
    other.n.tx(() => other.n.routers.addInterface(ADMIN, r.id, { subnet_id: s2.id }));
    void s;
    assert.deepEqual(buildTopology(pods(n, other.n), { names }).view.outside.interfaces, [], 'a router of the other pod answers for the gateway: it is the north-south bridge');
  });

  test('security groups: rules of the port, remote groups as the pod knows their members, port security off means no ruleset', () => {
    const { n, net, subnet, vm } = podNeutron();
    const network = net({});
    subnet(network.id, '10.0.3.0/24');
    const sg = n.tx(() => n.securityGroups.create(ADMIN, { project_id: 'p1', name: 'web' }));
    n.tx(() =>
      n.securityGroups.createRule(ADMIN, {
        security_group_id: sg.id,
        direction: 'ingress',
        ethertype: 'IPv4',
        protocol: 'tcp',
        port_range_min: 80,
        port_range_max: 81,
        remote_ip_prefix: '10.0.0.5/16',
      }),
    );
    n.tx(() =>
      n.securityGroups.createRule(ADMIN, { security_group_id: sg.id, direction: 'ingress', ethertype: 'IPv4', protocol: 'icmp', port_range_min: 8, remote_group_id: sg.id }),
    );
    const a = vm(network.id, { security_groups: [sg.id] });
    const b = vm(network.id, { security_groups: [sg.id] });
    const open = vm(network.id, { port_security_enabled: false, security_groups: [] });
    const t = buildTopology(pods(n), { names });
    const nft = t.namespaces.find((x) => x.name === names.vm(a.id))!.nft;
    assert.match(nft, /policy drop/);
    assert.match(nft, /ct state established,related accept/);
    assert.match(nft, /ip saddr 10\.0\.0\.0\/16 meta l4proto 6 th dport 80-81 accept/);
    assert.match(nft, /meta l4proto 1 icmp type 8 accept/);
    const members = [a, b].map((p) => p.fixed_ips[0].ip_address).sort();
    assert.match(nft, new RegExp(`elements = \\{ ${members.join(', ')} \\}`));
    assert.match(nft, new RegExp(`ip saddr != \\{ ${a.fixed_ips[0].ip_address} \\} drop`), 'the VM sends from its own address only');
    assert.equal(t.namespaces.find((x) => x.name === names.vm(open.id))!.nft, '');
  });
});

/** What the machine would hold after the topology is realised (as the dataplane reads it). */
function realised(t: Topology): Map<string, ActualNamespace> {
  const out = new Map<string, ActualNamespace>();
  for (const ns of t.namespaces)
    out.set(ns.name, { name: ns.name, links: new Map([['lo', { name: 'lo', kind: 'loopback', mac: '00:00:00:00:00:00', up: true, addresses: ['127.0.0.1/8'] }]]), routes: [] });
  for (const b of t.bridges) out.get(b.netns)!.links.set(b.name, { name: b.name, kind: 'bridge', mac: 'aa:00:00:00:00:01', up: b.up, addresses: [] });
  for (const v of t.veths)
    for (const e of [v.a, v.b])
      out
        .get(e.netns)!
        .links.set(e.name, { name: e.name, kind: 'veth', mac: (e.mac ?? 'aa:00:00:00:00:02').toLowerCase(), up: e.up, addresses: [], ...(e.master && { master: e.master }) });
  for (const a of t.addresses) out.get(a.netns)!.links.get(a.dev)!.addresses.push(a.cidr);
  for (const r of t.routes) out.get(r.netns)!.routes.push({ dst: r.dst, ...(r.via && { via: r.via }), dev: r.dev ?? 'eth0' });
  return out;
}

describe('dataplane plan', () => {
  const sample = () => {
    const { n, net, subnet, vm } = podNeutron();
    const network = net({ 'provider:network_type': 'vlan', 'provider:physical_network': 'physnet1', 'provider:segmentation_id': 1100 });
    subnet(network.id, '10.0.4.0/24');
    const port = vm(network.id);
    return { n, port, t: buildTopology(pods(n), { names }) };
  };

  test('from nothing: namespaces, then links, then their settings, then rulesets', () => {
    const { t } = sample();
    const plan = planChanges(t, new Map(), new Map());
    const kinds = plan.steps.map((s) => (s.kind === 'ip' ? (s.netns ? `ip ${s.lines[0].args.split(' ').slice(0, 2).join(' ')}` : 'host') : s.script.split(' ')[0]));
    assert.equal(kinds[0], 'host', 'namespaces first');
    assert.ok(plan.steps[0].kind === 'ip' && plan.steps[0].lines.every((l) => l.args.startsWith('netns add')));
    const lastMake = plan.steps.findLastIndex((s) => s.kind === 'ip' && s.lines.some((l) => l.args.startsWith('link add')));
    const firstSet = plan.steps.findIndex((s) => s.kind === 'ip' && s.lines.some((l) => l.args.startsWith('link set') || l.args.startsWith('addr add')));
    assert.ok(lastMake < firstSet, 'every link exists before any is configured');
    assert.equal(plan.steps.at(-1)!.kind, 'exec', 'rulesets last');
    assert.ok(plan.changes > 10);
  });

  test('realised: nothing to do; the applied rulesets are not loaded again', () => {
    const { t } = sample();
    const applied = new Map(t.namespaces.filter((n) => n.nft).map((n) => [n.name, n.nft]));
    assert.deepEqual(planChanges(t, realised(t), applied).steps, []);
  });

  test('changes are minimal: a port gone removes its namespace and veth, a new address is added, a stray route removed', () => {
    const { n, port, t } = sample();
    const actual = realised(t);
    const applied = new Map(t.namespaces.filter((x) => x.nft).map((x) => [x.name, x.nft]));
    actual.get(names.pod('Pod1'))!.links.set('stray0', { name: 'stray0', kind: 'veth', mac: 'aa:00:00:00:00:09', up: true, addresses: [] });
    n.tx(() => n.ports.remove(n.state.ports.get(port.id)!));
    const after = buildTopology(pods(n), { names });
    const plan = planChanges(after, actual, applied);
    const lines = plan.steps.flatMap((s) => (s.kind === 'ip' ? s.lines.map((l) => `${s.netns ?? 'host'}: ${l.args}`) : [`${s.netns}: ${s.script}`]));
    assert.ok(lines.includes(`${names.vm(port.id)}: link del eth0`));
    assert.ok(lines.includes(`host: netns del ${names.vm(port.id)}`));
    assert.ok(lines.includes(`${names.pod('Pod1')}: link del stray0`));
    assert.ok(!lines.some((l) => l.includes('netns add')), 'nothing is made');
  });

  test('script and failures: a failed batch line is reported with its message, optional lines are not', () => {
    const steps = [
      {
        kind: 'ip' as const,
        netns: 'tcdp-x-0000-a',
        lines: [
          { args: 'link del gone0', what: 'remove gone0', optional: true },
          { args: 'addr add 10.0.0.1/24 dev eth9', what: 'add 10.0.0.1/24 to eth9' },
        ],
      },
      { kind: 'exec' as const, netns: 'tcdp-x-0000-a', script: 'nft -f -', stdin: 'flush ruleset\n', what: 'load the ruleset', ruleset: '' },
    ];
    const script = scriptOf(steps);
    assert.match(script, /ip -n tcdp-x-0000-a -force -batch - <<'__TRICIRCLE_0__'/);
    const stderr = [
      '@@step 0',
      'Cannot find device "gone0"',
      'Command failed -:1',
      'Cannot find device "eth9"',
      'Command failed -:2',
      '@@step 1',
      'Error: syntax error',
      '@@fail',
    ].join('\n');
    assert.deepEqual(failuresOf(stderr, steps), [
      { what: 'add 10.0.0.1/24 to eth9', message: 'Cannot find device "eth9"' },
      { what: 'load the ruleset', message: 'Error: syntax error', rulesetOf: 'tcdp-x-0000-a' },
    ]);
  });
});
