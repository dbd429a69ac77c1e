import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { floatingIpDrift, routerDrift, RouteIndex, type DriftInput, type PodView, type RouteRow, type TopFloatingIp, type TopRouter } from '../../src/wiring/reconcile/index.js';
import { parseCidr } from '../../src/network/ip.js';
import type { Pod } from '../../src/pods/index.js';

/**
 * The reconciler's drift checks on hand-made states: the §8.2 topology (router with net1 in Pod1,
 * net2 in Pod2, external network in Pod2, a bridge between the two copies) as a correct pod side
 * leaves it, then one thing broken at a time.
 */
const pod = (id: string, regionName: string): Pod => ({
  id,
  regionName,
  azName: regionName === 'Pod1' ? 'az1' : 'az2',
  podAzName: '',
  dcName: '',
  disabled: false,
  health: 'up',
  createdAt: 0,
  updatedAt: 0,
});
const P1 = pod('p1', 'Pod1');
const P2 = pod('p2', 'Pod2');

let rowId = 1;
const row = (type: string, topId: string, podId: string, bottomId: string | null): RouteRow => ({ id: rowId++, topId, bottomId, podId, projectId: 'demo', type, updatedAt: 0 });

function world() {
  const router: TopRouter = {
    id: 'R',
    projectId: 'demo',
    gatewayNetworkId: 'EXT',
    interfaces: [
      { portId: 'if1', networkId: 'N1', subnetIds: ['S1'] },
      { portId: 'if2', networkId: 'N2', subnetIds: ['S2'] },
    ],
    routes: [],
  };
  const fips: TopFloatingIp[] = [
    { id: 'F-same', projectId: 'demo', networkId: 'EXT', address: '10.50.11.31', fixedPortId: 'vm2port', routerId: 'R' },
    { id: 'F-two', projectId: 'demo', networkId: 'EXT', address: '10.50.11.32', fixedPortId: 'vm1port', routerId: 'R' },
  ];
  const rows = [
    row('network', 'N1', 'p1', 'bn1'),
    row('subnet', 'S1', 'p1', 'bs1'),
    row('network', 'N2', 'p2', 'bn2'),
    row('subnet', 'S2', 'p2', 'bs2'),
    row('network', 'EXT', 'p2', 'bext'),
    row('router', 'R', 'p1', 'br1'),
    row('router', 'R', 'p2', 'br2'),
    row('port', 'vm1port', 'p1', 'bvm1'),
    row('port', 'vm2port', 'p2', 'bvm2'),
  ];
  const subnet = (id: string, cidr: string, network_id: string) => ({ id, cidr, network_id, ip_version: 4, name: id });
  const port = (id: string, device_id: string, device_owner: string, network_id: string, subnet_id: string, ip: string) => ({
    id,
    device_id,
    device_owner,
    network_id,
    mac_address: 'fa:16:3e:00:00:00',
    fixed_ips: [{ subnet_id, ip_address: ip }],
  });
  const p1: PodView = {
    pod: P1,
    routers: new Map([
      [
        'br1',
        {
          id: 'br1',
          name: 'R',
          routes: [
            { destination: '10.0.2.0/24', nexthop: '100.0.0.3' },
            { destination: '0.0.0.0/0', nexthop: '100.0.0.3' },
          ],
          external_gateway_info: null,
        },
      ],
    ]),
    routerPorts: [port('i1', 'br1', 'network:router_interface', 'bn1', 'bs1', '10.0.1.1'), port('b1', 'br1', 'network:router_interface', 'bb1', 'bb1s', '100.0.0.2')],
    missing: new Map(),
    subnets: new Map([
      ['bs1', subnet('bs1', '10.0.1.0/24', 'bn1')],
      ['bb1s', subnet('bb1s', '100.0.0.0/24', 'bb1')],
    ]),
    tenantPorts: [port('bvm1', 'vm1', 'compute:az1', 'bn1', 'bs1', '10.0.1.5')],
    floatingIps: [{ id: 'inner', floating_ip_address: '100.0.0.9', floating_network_id: 'bb1', port_id: 'bvm1' }],
  };
  const p2: PodView = {
    pod: P2,
    routers: new Map([['br2', { id: 'br2', name: 'R', routes: [{ destination: '10.0.1.0/24', nexthop: '100.0.0.2' }], external_gateway_info: { network_id: 'bext' } }]]),
    routerPorts: [port('i2', 'br2', 'network:router_interface', 'bn2', 'bs2', '10.0.2.1'), port('b2', 'br2', 'network:router_interface', 'bb2', 'bb2s', '100.0.0.3')],
    missing: new Map(),
    subnets: new Map([
      ['bs2', subnet('bs2', '10.0.2.0/24', 'bn2')],
      ['bb2s', subnet('bb2s', '100.0.0.0/24', 'bb2')],
    ]),
    tenantPorts: [port('bvm2', 'vm2', 'compute:az2', 'bn2', 'bs2', '10.0.2.5')],
    floatingIps: [
      { id: 'outer-same', floating_ip_address: '10.50.11.31', floating_network_id: 'bext', port_id: 'bvm2' },
      { id: 'outer-two', floating_ip_address: '10.50.11.32', floating_network_id: 'bext', port_id: 'bridgeport' },
    ],
  };
  const input: DriftInput = {
    routers: [router],
    floatingIps: fips,
    routes: new RouteIndex(rows),
    pods: new Map([
      ['p1', p1],
      ['p2', p2],
    ]),
    externalPods: new Map([['EXT', 'p2']]),
    bridgeCidr: parseCidr('100.0.0.0/9')!,
    bridgeSubnets: new Set(),
  };
  return { input, p1, p2, router, fips };
}

const reasons = (input: DriftInput) => [...routerDrift(input), ...floatingIpDrift(input)].map((f) => `${f.repair} ${f.id}: ${f.reason}`);

describe('reconciler drift checks', () => {
  test('a correct §8.2 state has no drift', () => {
    assert.deepEqual(reasons(world().input), []);
  });

  test('per-VM /32 routes count as well as per-CIDR ones', () => {
    const { input, p1, p2 } = world();
    p1.routers.get('br1')!.routes = [{ destination: '10.0.2.5/32', nexthop: '100.0.0.3' }];
    p2.routers.get('br2')!.routes = [{ destination: '10.0.1.5/32', nexthop: '100.0.0.2' }];
    assert.deepEqual(reasons(input), []);
  });

  test('a router outside the external pod may meet the others with its gateway on the bridge', () => {
    const { input, p1 } = world();
    p1.routerPorts.find((p) => p.id === 'b1')!.device_owner = 'network:router_gateway';
    assert.deepEqual(reasons(input), []);
  });

  test('separate east-west and north-south bridges (gateway of Pod1 on the north-south one)', () => {
    const { input, p1, p2 } = world();
    const port = (id: string, device_id: string, device_owner: string, network_id: string, subnet_id: string, ip: string) => ({
      id,
      device_id,
      device_owner,
      network_id,
      mac_address: 'fa:16:3e:00:00:01',
      fixed_ips: [{ subnet_id, ip_address: ip }],
    });
    p1.routerPorts.push(port('g1', 'br1', 'network:router_gateway', 'ns1', 'ns1s', '100.0.1.5'));
    p1.subnets.set('ns1s', { id: 'ns1s', cidr: '100.0.1.0/24', network_id: 'ns1', ip_version: 4, name: 'ns' });
    p2.routerPorts.push(port('n2', 'br2', 'network:router_interface', 'ns2', 'ns2s', '100.0.1.1'));
    p2.subnets.set('ns2s', { id: 'ns2s', cidr: '100.0.1.0/24', network_id: 'ns2', ip_version: 4, name: 'ns' });
    p1.routers.get('br1')!.routes = [{ destination: '10.0.2.0/24', nexthop: '100.0.0.3' }];
    assert.deepEqual(reasons(input), []);
  });

  test('a deleted bottom router', () => {
    const { input, p1 } = world();
    p1.routers.delete('br1');
    assert.deepEqual(reasons(input), ['router_setup R: no bottom router in Pod1']);
  });

  test('a missing interface, and one the top no longer has', () => {
    const a = world();
    a.p2.routerPorts = a.p2.routerPorts.filter((p) => p.id !== 'i2');
    assert.match(reasons(a.input)[0], /^router_setup R: the bottom router in Pod2 has no interface on subnet S2/);
    const b = world();
    b.router.interfaces = b.router.interfaces.filter((i) => i.networkId !== 'N1');
    assert.match(reasons(b.input)[0], /^router_setup R: the bottom router in Pod1 still has an interface on subnet S1/);
  });

  test('a removed gateway', () => {
    const { input, p2 } = world();
    p2.routers.get('br2')!.external_gateway_info = null;
    assert.deepEqual(reasons(input), ['router_setup R: the bottom router in Pod2 has no gateway on external network EXT']);
  });

  test('a removed extra route, a stale one, a missing bridge', () => {
    const a = world();
    a.p1.routers.get('br1')!.routes = [
      { destination: '0.0.0.0/0', nexthop: '100.0.0.3' },
      { destination: '10.0.1.0/24', nexthop: '100.0.0.3' },
    ];
    // 0.0.0.0/0 still covers vm2: only a route that leads nowhere behind Pod2 is flagged.
    assert.deepEqual(reasons(a.input), ['router_setup R: the bottom router in Pod1 has a stale route to 10.0.1.0/24 via 100.0.0.3']);
    const b = world();
    b.p2.routers.get('br2')!.routes = [];
    assert.deepEqual(reasons(b.input), ['router_setup R: the bottom router in Pod2 has no route to 10.0.1.5 (in Pod1) via 100.0.0.2']);
    const c = world();
    c.p2.routerPorts = c.p2.routerPorts.filter((p) => p.id !== 'b2');
    assert.deepEqual(reasons(c.input), ['router_setup R: no bridge between the bottom routers in Pod1 and Pod2']);
  });

  test('a user route at the top is not stale', () => {
    const { input, p1, router } = world();
    p1.routers.get('br1')!.routes!.push({ destination: '192.168.9.0/24', nexthop: '10.0.1.7' });
    router.routes.push({ destination: '192.168.9.0/24', nexthop: '10.0.1.7' });
    assert.deepEqual(reasons(input), []);
  });

  test('floating IPs: same pod, two hops, disassociated', () => {
    const a = world();
    a.p2.floatingIps = a.p2.floatingIps.filter((f) => f.id !== 'outer-same');
    assert.deepEqual(reasons(a.input), ['fip_setup F-same: no bound floating IP 10.50.11.31 in Pod2']);
    const b = world();
    b.p1.floatingIps = [];
    assert.deepEqual(reasons(b.input), ["fip_setup F-two: no floating IP bound to the VM's port in Pod1 (second hop of 10.50.11.32)"]);
    const c = world();
    c.p2.floatingIps[0].port_id = 'someone-else';
    assert.deepEqual(reasons(c.input), ["fip_setup F-same: 10.50.11.31 in Pod2 is not bound to the VM's port"]);
    const d = world();
    d.fips[0].fixedPortId = null;
    assert.deepEqual(reasons(d.input), ['fip_setup F-same: 10.50.11.31 is still bound in Pod2']);
  });

  test('an unreadable pod is not judged; a VM not yet booted needs nothing', () => {
    const a = world();
    a.p1.error = 'down';
    a.p1.routers.clear();
    assert.deepEqual(reasons(a.input), []);
    const b = world();
    b.input.routes.remove(b.input.routes.all().find((r) => r.topId === 'vm1port')!);
    b.p1.floatingIps = [];
    assert.deepEqual(reasons(b.input), []);
  });
});
