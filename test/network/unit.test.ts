import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { eui64Address, formatCidr, formatIp, mergeCidrs, parseCidr, parseIp, rangeToCidrs, subtractRanges, usableRange } from '../../src/network/ip.js';
import { loadNetworkSettings, NetworkSettingsError, parseVlanRanges } from '../../src/network/settings.js';
import { paginationLinks, parseListParams, type ListSchema } from '../../src/network/query.js';
import { planAllocations, randomMac, type IpamSubnet } from '../../src/network/ports/ipam.js';
import { checkGateway, checkPools, defaultGateway, defaultPools } from '../../src/network/subnets/addressing.js';
import { podRefusal, validateProviderRequest } from '../../src/network/segments.js';
import { bodyItems } from '../../src/network/input.js';
import { testConfig } from '../support/tricircle.js';
import type { ApiError } from '../../src/common/errors.js';

const typeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (err) {
    return (err as ApiError).type;
  }
  return undefined;
};

describe('IP arithmetic', () => {
  test('parses and prints IPv4 and IPv6 canonically', () => {
    assert.equal(formatIp(6, parseIp('2001:DB8:0:0::1')!.value), '2001:db8::1');
    assert.equal(parseIp('10.0.0.256'), undefined);
    assert.equal(parseIp('010.0.0.1'), undefined, 'no octal-looking quads');
    assert.equal(parseIp(' 10.0.0.1'), undefined);
    const c = parseCidr('10.1.2.3/16')!;
    assert.equal(c.hostBits, true);
    assert.equal(formatCidr(c), '10.1.0.0/16');
  });
  test('usable ranges: IPv4 loses network and broadcast, IPv6 the anycast address', () => {
    const v4 = usableRange(parseCidr('192.168.0.0/24')!)!;
    assert.equal(formatIp(4, v4.first), '192.168.0.1');
    assert.equal(formatIp(4, v4.last), '192.168.0.254');
    const v6 = usableRange(parseCidr('fd00::/126')!)!;
    assert.equal(formatIp(6, v6.first), 'fd00::1');
    assert.equal(formatIp(6, v6.last), 'fd00::3');
    assert.equal(usableRange(parseCidr('10.0.0.1/32')!), undefined);
  });
  test('ranges: subtract, to CIDRs, merge', () => {
    const r = { first: parseIp('10.0.0.0')!.value, last: parseIp('10.0.0.255')!.value };
    const holes = [{ first: parseIp('10.0.0.10')!.value, last: parseIp('10.0.0.19')!.value }];
    const left = subtractRanges(r, holes);
    assert.deepEqual(
      left.map((x) => [formatIp(4, x.first), formatIp(4, x.last)]),
      [
        ['10.0.0.0', '10.0.0.9'],
        ['10.0.0.20', '10.0.0.255'],
      ],
    );
    assert.deepEqual(rangeToCidrs(4, left[0]).map(formatCidr), ['10.0.0.0/29', '10.0.0.8/31']);
    assert.deepEqual(mergeCidrs([parseCidr('10.0.0.0/25')!, parseCidr('10.0.0.128/25')!, parseCidr('10.0.1.0/24')!]).map(formatCidr), ['10.0.0.0/23']);
  });
  test('EUI-64 addresses flip the universal/local bit', () => {
    assert.equal(formatIp(6, eui64Address(parseCidr('2001:db8::/64')!, 'fa:16:3e:12:34:56')), '2001:db8::f816:3eff:fe12:3456');
  });
  test('random MACs use the fa:16:3e prefix', () => {
    assert.match(randomMac(), /^fa:16:3e(:[0-9a-f]{2}){3}$/);
  });
});

describe('subnet addressing', () => {
  const cidr = parseCidr('10.0.0.0/24')!;
  test('default gateway and pools', () => {
    assert.equal(defaultGateway(cidr), '10.0.0.1');
    assert.deepEqual(defaultPools(cidr, '10.0.0.1'), [{ start: '10.0.0.2', end: '10.0.0.254' }]);
    assert.deepEqual(defaultPools(cidr, '10.0.0.100'), [
      { start: '10.0.0.1', end: '10.0.0.99' },
      { start: '10.0.0.101', end: '10.0.0.254' },
    ]);
    assert.deepEqual(defaultPools(cidr, null), [{ start: '10.0.0.1', end: '10.0.0.254' }]);
  });
  test('pool and gateway checks answer with upstream fault types', () => {
    assert.equal(
      typeOf(() => checkPools(cidr, '10.0.0.0/24', [{ start: '10.0.0.20', end: '10.0.0.10' }])),
      'InvalidAllocationPool',
    );
    assert.equal(
      typeOf(() => checkPools(cidr, '10.0.0.0/24', [{ start: '10.0.0.0', end: '10.0.0.10' }])),
      'OutOfBoundsAllocationPool',
    );
    assert.equal(
      typeOf(() =>
        checkPools(cidr, '10.0.0.0/24', [
          { start: '10.0.0.2', end: '10.0.0.10' },
          { start: '10.0.0.10', end: '10.0.0.20' },
        ]),
      ),
      'OverlappingAllocationPools',
    );
    assert.equal(
      typeOf(() => checkGateway(cidr, '10.0.0.5', [{ start: '10.0.0.2', end: '10.0.0.10' }])),
      'GatewayConflictWithAllocationPools',
    );
    assert.equal(
      typeOf(() => checkGateway(cidr, '10.0.0.255', [])),
      'InvalidInput',
    );
    assert.equal(
      typeOf(() => checkGateway(cidr, '192.168.0.1', [])),
      undefined,
      'a gateway outside the subnet is allowed, as upstream',
    );
  });
});

describe('IPAM planning', () => {
  const v4: IpamSubnet = { id: 's4', networkId: 'n', cidr: parseCidr('10.0.0.0/24')!, gatewayIp: '10.0.0.1', pools: [{ start: '10.0.0.2', end: '10.0.0.254' }], addressMode: null };
  const slaac: IpamSubnet = { id: 's6', networkId: 'n', cidr: parseCidr('fd00::/64')!, gatewayIp: 'fd00::1', pools: [], addressMode: 'slaac' };
  test('no fixed_ips: one IPv4 address and every automatic IPv6 address', () => {
    const steps = planAllocations('n', [v4, slaac], undefined, '');
    assert.deepEqual(
      steps.map((s) => s.kind),
      ['any', 'eui64'],
    );
  });
  test('requested addresses are checked against the subnets', () => {
    assert.equal(
      typeOf(() => planAllocations('n', [v4], [{ ipAddress: '10.0.1.5' }], '')),
      'InvalidIpForNetwork',
    );
    assert.equal(
      typeOf(() => planAllocations('n', [v4], [{ subnetId: 's4', ipAddress: '10.0.0.255' }], '')),
      'InvalidIpForSubnet',
    );
    assert.equal(
      typeOf(() => planAllocations('n', [v4], [{ subnetId: 'other' }], '')),
      'InvalidInput',
    );
    assert.equal(
      typeOf(() => planAllocations('n', [v4], [{ ipAddress: '10.0.0.1' }], '')),
      'IpAddressAlreadyAllocated',
    );
    assert.equal(planAllocations('n', [v4], [{ ipAddress: '10.0.0.1' }], 'network:router_interface')[0].kind, 'fixed');
    assert.equal(
      typeOf(() => planAllocations('n', [slaac], [{ ipAddress: 'fd00::5' }], '')),
      'AllocationOnAutoAddressSubnet',
    );
    assert.deepEqual(planAllocations('n', [v4], [], ''), []);
  });
});

describe('type drivers and settings', () => {
  test('VLAN ranges parse; bad ones name the option', () => {
    const r = parseVlanRanges(['bridge:2001:2003', 'extern', 'bridge:10:11']);
    assert.deepEqual(r.get('bridge'), [
      { min: 2001, max: 2003 },
      { min: 10, max: 11 },
    ]);
    assert.deepEqual(r.get('extern'), []);
    assert.throws(() => parseVlanRanges(['bridge:0:10']), /network_vlan_ranges/);
    assert.throws(() => parseVlanRanges(['bridge:10']), /network_vlan_ranges/);
    assert.throws(
      () => loadNetworkSettings(testConfig({ databaseUrl: 'sqlite:///:memory:', extra: { tricircle: { tenant_network_types: 'vxlan' } } })),
      (err: Error) => err instanceof NetworkSettingsError && /tenant_network_types/.test(err.message),
    );
  });
  test('provider requests are validated as ML2 does', () => {
    const settings = loadNetworkSettings(testConfig({ databaseUrl: 'sqlite:///:memory:' }));
    const physnets = new Set(settings.vlanRanges.keys());
    assert.equal(settings.tenantNetworkTypes.join(), 'vlan');
    assert.equal(
      typeOf(() => validateProviderRequest(settings, { networkType: 'flat' }, physnets)),
      'InvalidInput',
    );
    assert.equal(
      typeOf(() => validateProviderRequest(settings, { networkType: 'vlan', physicalNetwork: 'nope' }, physnets)),
      'InvalidInput',
    );
    assert.equal(
      typeOf(() => validateProviderRequest(settings, { networkType: 'vlan', segmentationId: 5 }, physnets)),
      'InvalidInput',
    );
    assert.equal(
      typeOf(() => validateProviderRequest(settings, { networkType: 'vlan', physicalNetwork: 'bridge', segmentationId: 4095 }, physnets)),
      'InvalidInput',
    );
    assert.equal(
      typeOf(() => validateProviderRequest(settings, { networkType: 'local', physicalNetwork: 'bridge' }, physnets)),
      'InvalidInput',
    );
    assert.equal(
      typeOf(() => validateProviderRequest(settings, { physicalNetwork: 'bridge' }, physnets)),
      'InvalidInput',
    );
  });
  test('a local network stays in its first pod', () => {
    assert.equal(podRefusal('local', [], 'p1'), undefined);
    assert.equal(podRefusal('local', ['p1'], 'p1'), undefined);
    assert.match(podRefusal('local', ['p1'], 'p2')!, /one pod/);
    assert.equal(podRefusal('vlan', ['p1'], 'p2'), undefined);
  });
});

describe('list parameters and links', () => {
  const schema: ListSchema = {
    collection: 'things',
    idColumn: 'things.id',
    attrs: { id: { kind: 'string', column: 'things.id', sortable: true }, name: { kind: 'string', column: 'things.name', sortable: true } },
  };
  test('upstream errors for bad filters, sorts and limits', () => {
    assert.throws(() => parseListParams(new URLSearchParams('color=red'), schema), /\['color'\] is invalid attribute for filtering/);
    assert.throws(() => parseListParams(new URLSearchParams('sort_key=color&sort_dir=asc'), schema), /is invalid attribute for sort_keys/);
    assert.throws(() => parseListParams(new URLSearchParams('sort_key=name&sort_dir=up'), schema), /is invalid value for sort_dirs/);
    assert.throws(() => parseListParams(new URLSearchParams('sort_key=name&sort_key=id&sort_dir=asc'), schema), /must be same/);
    assert.throws(() => parseListParams(new URLSearchParams('limit=-1'), schema), /Limit must be an integer 0 or greater/);
  });
  test('next and previous links replace marker and page_reverse, keeping the rest', () => {
    const params = parseListParams(new URLSearchParams('name=a&limit=2&marker=x&page_reverse=True'), schema);
    params.pageReverse = false;
    const links = paginationLinks('http://h/v2.0/things', params, [{ id: 'a1' }, { id: 'a2' }])!;
    assert.deepEqual(links, [
      { rel: 'next', href: 'http://h/v2.0/things?name=a&limit=2&marker=a2' },
      { rel: 'previous', href: 'http://h/v2.0/things?name=a&limit=2&marker=a1&page_reverse=True' },
    ]);
    assert.deepEqual(
      paginationLinks('http://h/v2.0/things', params, [{ id: 'a1' }])!.map((l) => l.rel),
      ['previous'],
    );
    // The empty page past the end: its previous link has no marker, so it leads to the last page.
    assert.deepEqual(paginationLinks('http://h/v2.0/things', parseListParams(new URLSearchParams('limit=2&marker=a2'), schema), []), [
      { rel: 'previous', href: 'http://h/v2.0/things?limit=2&page_reverse=True' },
    ]);
    assert.equal(paginationLinks('http://h', parseListParams(new URLSearchParams(''), schema), []), undefined);
  });
  test('bulk bodies: bare items as upstream, wrapped items too', () => {
    assert.deepEqual(bodyItems({ networks: [{ name: 'a' }, { network: { name: 'b' } }] }, 'network', 'networks'), { items: [{ name: 'a' }, { name: 'b' }], bulk: true });
    assert.equal(
      typeOf(() => bodyItems({ networks: [] }, 'network', 'networks')),
      'HTTPBadRequest',
    );
  });
});
