import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { computeExtraRoutes, sameRoutes } from '../../src/wiring/l3/routes.js';
import { planRouter } from '../../src/wiring/l3/plan.js';

describe('router plan (pure)', () => {
  const gateways = new Map<string, string | null>([
    ['s1', '10.0.1.1'],
    ['s2', '10.0.2.1'],
    ['s3', '10.0.3.1'],
  ]);

  test('a copy where an interface network has a copy, and in the external pod; bridge from two pods on', () => {
    const plan = planRouter({
      interfaces: [
        { portId: 'p1', networkId: 'n1', fixedIps: [{ subnetId: 's1', ipAddress: '10.0.1.1' }] },
        { portId: 'p2', networkId: 'n2', fixedIps: [{ subnetId: 's2', ipAddress: '10.0.2.1' }] },
      ],
      subnetGateways: gateways,
      networkPods: new Map([
        ['n1', ['podA']],
        ['n2', ['podB']],
      ]),
      externalPodId: 'podC',
    });
    assert.deepEqual(
      plan.pods.map((p) => [p.podId, p.external, p.attachments.map((a) => (a.kind === 'subnet' ? a.subnetId : a.portId))]),
      [
        ['podA', false, ['s1']],
        ['podB', false, ['s2']],
        ['podC', true, []],
      ],
    );
    assert.equal(plan.needsBridge, true);
  });

  test('one pod: no bridge; an interface whose network has no copy yet is nowhere', () => {
    const plan = planRouter({
      interfaces: [
        { portId: 'p1', networkId: 'n1', fixedIps: [{ subnetId: 's1', ipAddress: '10.0.1.1' }] },
        { portId: 'p3', networkId: 'n3', fixedIps: [{ subnetId: 's3', ipAddress: '10.0.3.1' }] },
      ],
      subnetGateways: gateways,
      networkPods: new Map([['n1', ['podA']]]),
      externalPodId: 'podA',
    });
    assert.deepEqual(
      plan.pods.map((p) => [p.podId, p.external, p.attachments.length]),
      [['podA', true, 1]],
    );
    assert.equal(plan.needsBridge, false);
    assert.equal(planRouter({ interfaces: [], subnetGateways: gateways, networkPods: new Map(), externalPodId: null }).pods.length, 0, 'no interface, no gateway: no copy');
  });

  test('a network spanning pods is attached by subnet in each; an interface by port on another address only in the first pod', () => {
    const plan = planRouter({
      interfaces: [
        { portId: 'p1', networkId: 'n1', fixedIps: [{ subnetId: 's1', ipAddress: '10.0.1.1' }] },
        { portId: 'p2', networkId: 'n2', fixedIps: [{ subnetId: 's2', ipAddress: '10.0.2.77' }] },
      ],
      subnetGateways: gateways,
      networkPods: new Map([
        ['n1', ['podB', 'podA']],
        ['n2', ['podB', 'podA']],
      ]),
      externalPodId: null,
    });
    const byPod = new Map(plan.pods.map((p) => [p.podId, p.attachments]));
    assert.deepEqual(byPod.get('podA'), [{ kind: 'subnet', networkId: 'n1', subnetId: 's1' }]);
    assert.deepEqual(byPod.get('podB'), [
      { kind: 'subnet', networkId: 'n1', subnetId: 's1' },
      { kind: 'port', networkId: 'n2', portId: 'p2', subnetIds: ['s2'] },
    ]);
  });
});

describe('extra routes (pure)', () => {
  test('each copy reaches the subnets of the others through their bridge addresses, both ways', () => {
    const { routes } = computeExtraRoutes({
      sites: [
        { podId: 'A', bridgeIp: '100.0.0.1', cidrs: ['10.0.1.0/24'] },
        { podId: 'B', bridgeIp: '100.0.0.7', cidrs: ['10.0.2.0/24', '10.0.3.0/24'] },
      ],
      userRoutes: [],
    });
    assert.deepEqual(routes.get('A'), [
      { destination: '10.0.2.0/24', nexthop: '100.0.0.7' },
      { destination: '10.0.3.0/24', nexthop: '100.0.0.7' },
    ]);
    assert.deepEqual(routes.get('B'), [{ destination: '10.0.1.0/24', nexthop: '100.0.0.1' }]);
  });

  test('a CIDR attached locally too (a vlan network spanning both pods) is not routed across the bridge', () => {
    const { routes } = computeExtraRoutes({
      sites: [
        { podId: 'A', bridgeIp: '100.0.0.5', cidrs: ['10.0.1.0/24', '10.0.9.0/24'] },
        { podId: 'B', bridgeIp: '100.0.0.7', cidrs: ['10.0.9.0/24'] },
        { podId: 'C', bridgeIp: '100.0.0.9', cidrs: ['10.0.9.0/24', '10.0.1.0/24'] },
      ],
      userRoutes: [],
    });
    assert.deepEqual(routes.get('A'), []);
    assert.deepEqual(routes.get('B'), [{ destination: '10.0.1.0/24', nexthop: '100.0.0.5' }], 'one next hop per CIDR: the first pod');
    assert.deepEqual(routes.get('C'), []);
  });

  test('user routes are kept where their next hop is attached; IPv6 subnets are not routed over the IPv4 bridge', () => {
    const { routes } = computeExtraRoutes({
      sites: [
        { podId: 'A', bridgeIp: '100.0.0.5', cidrs: [] },
        { podId: 'B', bridgeIp: '100.0.0.7', cidrs: ['10.0.2.0/24', 'fd00::/64'] },
      ],
      userRoutes: [{ destination: '192.168.0.0/16', nexthop: '10.0.2.50' }],
    });
    assert.deepEqual(routes.get('A'), [{ destination: '10.0.2.0/24', nexthop: '100.0.0.7' }]);
    assert.deepEqual(routes.get('B'), [{ destination: '192.168.0.0/16', nexthop: '10.0.2.50' }]);
  });

  test('a copy off the bridge gets no bridge routes; more than max routes are reported', () => {
    const many = Array.from({ length: 5 }, (_, i) => `10.1.${i}.0/24`);
    const { routes, dropped } = computeExtraRoutes({
      sites: [
        { podId: 'A', bridgeIp: null, cidrs: ['10.0.1.0/24'] },
        { podId: 'B', bridgeIp: '100.0.0.7', cidrs: many },
        { podId: 'C', bridgeIp: '100.0.0.9', cidrs: ['10.0.3.0/24'] },
      ],
      userRoutes: [],
      maxRoutes: 3,
    });
    assert.deepEqual(routes.get('A'), []);
    assert.equal(routes.get('C')!.length, 3);
    assert.equal(dropped.get('C')!.length, 2);
    assert.deepEqual(routes.get('B'), [{ destination: '10.0.3.0/24', nexthop: '100.0.0.9' }], 'A is not on the bridge: not a next hop');
  });

  test('sameRoutes ignores order and spelling', () => {
    assert.ok(
      sameRoutes(
        [
          { destination: '10.0.0.0/24', nexthop: '1.1.1.1' },
          { destination: '0.0.0.0/0', nexthop: '2.2.2.2' },
        ],
        [
          { destination: '0.0.0.0/0', nexthop: '2.2.2.2' },
          { destination: '10.0.0.0/24', nexthop: '1.1.1.1' },
        ],
      ),
    );
    assert.ok(!sameRoutes([{ destination: '10.0.0.0/24', nexthop: '1.1.1.1' }], [{ destination: '10.0.0.0/24', nexthop: '1.1.1.2' }]));
  });
});
