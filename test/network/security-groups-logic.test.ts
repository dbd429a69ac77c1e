import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../src/common/errors.js';
import { diffRules, expandRulesForPod, ruleKey } from '../../src/network/securityGroups/expand.js';
import type { RuleMatch } from '../../src/network/securityGroups/model.js';
import { parseGroupCreate, parseGroupUpdate, parseRuleCreate } from '../../src/network/securityGroups/validation.js';

const admin = { projectId: 'p-admin', isAdmin: true };
const user = { projectId: 'p1', isAdmin: false };
const SG = '5a7b2e0c-0000-4000-8000-000000000001';
const OTHER = '5a7b2e0c-0000-4000-8000-000000000002';

function rejects(fn: () => unknown, status: number, type: string, message?: RegExp | string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ApiError, `expected ApiError, got ${String(err)}`);
    assert.equal(err.status, status, err.message);
    assert.equal(err.type, type, err.message);
    if (typeof message === 'string') assert.equal(err.message, message);
    else if (message) assert.match(err.message, message);
    return true;
  });
}

const rule = (over: Partial<RuleMatch> = {}): RuleMatch => ({
  direction: 'ingress',
  ethertype: 'IPv4',
  protocol: null,
  portRangeMin: null,
  portRangeMax: null,
  remoteIpPrefix: null,
  remoteGroupId: null,
  ...over,
});

describe('security group rule validation', () => {
  test('accepts the upstream sample shape with string ports and normalises fields', () => {
    const r = parseRuleCreate(
      { direction: 'ingress', port_range_min: '80', ethertype: 'ipv4', port_range_max: '80', protocol: 'TCP', remote_group_id: OTHER, security_group_id: SG },
      user,
    );
    assert.equal(r.protocol, 'tcp');
    assert.equal(r.ethertype, 'IPv4');
    assert.equal(r.portRangeMin, 80);
    assert.equal(r.portRangeMax, 80);
    assert.equal(r.remoteGroupId, OTHER);
    assert.equal(r.projectId, undefined);
  });

  test('protocol names, numbers and "any"', () => {
    assert.equal(parseRuleCreate({ security_group_id: SG, direction: 'egress', protocol: 17 }, user).protocol, '17');
    assert.equal(parseRuleCreate({ security_group_id: SG, direction: 'egress', protocol: '132' }, user).protocol, '132');
    assert.equal(parseRuleCreate({ security_group_id: SG, direction: 'egress', protocol: 'any' }, user).protocol, null);
    assert.equal(parseRuleCreate({ security_group_id: SG, direction: 'egress', protocol: 0 }, user).protocol, null);
    rejects(
      () => parseRuleCreate({ security_group_id: SG, direction: 'egress', protocol: 'bogus' }, user),
      400,
      'SecurityGroupRuleInvalidProtocol',
      /protocol bogus not supported/,
    );
    rejects(() => parseRuleCreate({ security_group_id: SG, direction: 'egress', protocol: 256 }, user), 400, 'SecurityGroupRuleInvalidProtocol');
  });

  test('required attributes, direction and ethertype values, unknown attributes', () => {
    rejects(() => parseRuleCreate({ security_group_id: SG }, user), 400, 'HTTPBadRequest', "Failed to parse request. Required attribute 'direction' not specified");
    rejects(() => parseRuleCreate({ direction: 'ingress' }, user), 400, 'HTTPBadRequest', /'security_group_id' not specified/);
    rejects(
      () => parseRuleCreate({ security_group_id: SG, direction: 'up' }, user),
      400,
      'HTTPBadRequest',
      "Invalid input for direction. Reason: 'up' is not in ['ingress', 'egress'].",
    );
    rejects(() => parseRuleCreate({ security_group_id: SG, direction: 'ingress', ethertype: 'IPv5' }, user), 400, 'SecurityGroupRuleInvalidEtherType');
    rejects(() => parseRuleCreate({ security_group_id: SG, direction: 'ingress', foo: 1 }, user), 400, 'HTTPBadRequest', "Unrecognized attribute(s) 'foo'");
    rejects(() => parseRuleCreate({ security_group_id: SG, direction: 'ingress', id: 'x' }, user), 400, 'HTTPBadRequest', "Attribute 'id' not allowed in POST");
  });

  test('port ranges', () => {
    rejects(
      () => parseRuleCreate({ security_group_id: SG, direction: 'ingress', protocol: 'tcp', port_range_min: 90, port_range_max: 80 }, user),
      400,
      'SecurityGroupInvalidPortRange',
    );
    rejects(() => parseRuleCreate({ security_group_id: SG, direction: 'ingress', protocol: 'tcp', port_range_min: 80 }, user), 400, 'SecurityGroupInvalidPortRange');
    rejects(
      () => parseRuleCreate({ security_group_id: SG, direction: 'ingress', protocol: 'tcp', port_range_min: 0, port_range_max: 10 }, user),
      400,
      'SecurityGroupInvalidPortValue',
      'Invalid value for port 0.',
    );
    rejects(
      () => parseRuleCreate({ security_group_id: SG, direction: 'ingress', protocol: 'udp', port_range_min: 1, port_range_max: 70000 }, user),
      400,
      'SecurityGroupInvalidPortValue',
    );
    rejects(() => parseRuleCreate({ security_group_id: SG, direction: 'ingress', port_range_min: 22, port_range_max: 22 }, user), 400, 'SecurityGroupProtocolRequiredWithPorts');
    rejects(
      () => parseRuleCreate({ security_group_id: SG, direction: 'ingress', protocol: 'gre', port_range_min: 22, port_range_max: 22 }, user),
      400,
      'SecurityGroupInvalidProtocolForPort',
    );
    rejects(
      () => parseRuleCreate({ security_group_id: SG, direction: 'ingress', protocol: 'tcp', port_range_min: 'x', port_range_max: 22 }, user),
      400,
      'SecurityGroupInvalidPortValue',
    );
    const ok = parseRuleCreate({ security_group_id: SG, direction: 'ingress', protocol: 'tcp', port_range_min: 1, port_range_max: 65535 }, user);
    assert.deepEqual([ok.portRangeMin, ok.portRangeMax], [1, 65535]);
  });

  test('ICMP type and code', () => {
    const r = parseRuleCreate({ security_group_id: SG, direction: 'ingress', protocol: 'icmp', port_range_min: 8, port_range_max: 0 }, user);
    assert.deepEqual([r.portRangeMin, r.portRangeMax], [8, 0]);
    rejects(
      () => parseRuleCreate({ security_group_id: SG, direction: 'ingress', protocol: 'icmp', port_range_min: 256 }, user),
      400,
      'SecurityGroupInvalidIcmpValue',
      'Invalid value for ICMP type (port_range_min) 256. It must be 0 to 255.',
    );
    rejects(
      () => parseRuleCreate({ security_group_id: SG, direction: 'ingress', protocol: 'icmp', port_range_min: 3, port_range_max: 300 }, user),
      400,
      'SecurityGroupInvalidIcmpValue',
    );
    rejects(() => parseRuleCreate({ security_group_id: SG, direction: 'ingress', protocol: 'icmp', port_range_max: 3 }, user), 400, 'SecurityGroupMissingIcmpType');
  });

  test('ethertype against prefix family and IPv6-only protocols', () => {
    rejects(
      () => parseRuleCreate({ security_group_id: SG, direction: 'ingress', ethertype: 'IPv4', remote_ip_prefix: '2001:db8::/64' }, user),
      400,
      'SecurityGroupRuleParameterConflict',
    );
    rejects(
      () => parseRuleCreate({ security_group_id: SG, direction: 'ingress', ethertype: 'IPv4', protocol: 'ipv6-icmp' }, user),
      400,
      'SecurityGroupEthertypeConflictWithProtocol',
    );
    rejects(() => parseRuleCreate({ security_group_id: SG, direction: 'ingress', remote_ip_prefix: '10.0.0.300/24' }, user), 400, 'InvalidCIDR');
    const r = parseRuleCreate({ security_group_id: SG, direction: 'ingress', ethertype: 'IPv6', remote_ip_prefix: '2001:DB8:0::1/64' }, user);
    assert.equal(r.remoteIpPrefix, '2001:db8::1/64');
    assert.equal(parseRuleCreate({ security_group_id: SG, direction: 'ingress', remote_ip_prefix: '10.1.2.3' }, user).remoteIpPrefix, '10.1.2.3/32');
  });

  test('remote group and remote prefix are exclusive', () => {
    rejects(
      () => parseRuleCreate({ security_group_id: SG, direction: 'ingress', remote_group_id: OTHER, remote_ip_prefix: '10.0.0.0/8' }, user),
      400,
      'SecurityGroupMultipleRemoteEntites',
    );
  });

  test('project fields: only an admin may name another project', () => {
    rejects(() => parseRuleCreate({ security_group_id: SG, direction: 'ingress', project_id: 'p2' }, user), 400, 'HTTPBadRequest', /requires admin privileges/);
    rejects(
      () => parseRuleCreate({ security_group_id: SG, direction: 'ingress', project_id: 'p2', tenant_id: 'p3' }, admin),
      400,
      'HTTPBadRequest',
      "'project_id' and 'tenant_id' do not match",
    );
    assert.equal(parseRuleCreate({ security_group_id: SG, direction: 'ingress', tenant_id: 'p2' }, admin).projectId, 'p2');
  });
});

describe('security group validation', () => {
  test('defaults and the reserved name', () => {
    assert.deepEqual(parseGroupCreate({}, user), { name: '', description: '', stateful: true, tags: [] });
    assert.equal(parseGroupCreate({ stateful: 'false' }, user).stateful, false);
    rejects(() => parseGroupCreate({ name: 'Default' }, user), 409, 'SecurityGroupDefaultAlreadyExists', 'Default security group already exists.');
    rejects(() => parseGroupCreate({ name: 'x'.repeat(256) }, user), 400, 'HTTPBadRequest', /exceeds maximum length of 255/);
    rejects(() => parseGroupCreate({ name: 5 }, user), 400, 'HTTPBadRequest', "Invalid input for name. Reason: '5' is not a valid string.");
    rejects(() => parseGroupCreate({ stateful: 'maybe' }, user), 400, 'InvalidInput', /cannot be converted to boolean/);
    rejects(() => parseGroupCreate({ security_group_rules: [] }, user), 400, 'HTTPBadRequest', "Attribute 'security_group_rules' not allowed in POST");
  });

  test('update accepts name, description, stateful only', () => {
    assert.deepEqual(parseGroupUpdate({ name: 'web', description: 'd' }), { name: 'web', description: 'd' });
    rejects(() => parseGroupUpdate({ project_id: 'x' }), 400, 'HTTPBadRequest', 'Cannot update read-only attribute project_id');
    rejects(() => parseGroupUpdate({ name: 'default' }), 409, 'SecurityGroupDefaultAlreadyExists');
  });
});

describe('rule keys (duplicate detection)', () => {
  test('protocol by number, ICMP on IPv6, any-address prefixes, prefix networks', () => {
    assert.equal(ruleKey(rule({ protocol: 'tcp' })), ruleKey(rule({ protocol: '6' })));
    assert.equal(ruleKey(rule({ ethertype: 'IPv6', protocol: 'icmp' })), ruleKey(rule({ ethertype: 'IPv6', protocol: 'ipv6-icmp' })));
    assert.equal(ruleKey(rule({ ethertype: 'IPv6', protocol: 'icmpv6' })), ruleKey(rule({ ethertype: 'IPv6', protocol: '58' })));
    assert.notEqual(ruleKey(rule({ protocol: 'icmp' })), ruleKey(rule({ protocol: 'tcp' })));
    assert.equal(ruleKey(rule({ remoteIpPrefix: '0.0.0.0/0' })), ruleKey(rule()));
    assert.equal(ruleKey(rule({ remoteIpPrefix: '10.0.0.5/24' })), ruleKey(rule({ remoteIpPrefix: '10.0.0.0/24' })));
    assert.notEqual(ruleKey(rule({ direction: 'egress' })), ruleKey(rule()));
  });
});

describe('expandRulesForPod', () => {
  const cidrs = ['10.0.1.0/24', '10.0.2.0/24', '2001:db8:1::/64', 'junk'];

  test('copies rules without a remote group unchanged', () => {
    const rules = [rule({ direction: 'egress' }), rule({ protocol: 'tcp', portRangeMin: 22, portRangeMax: 22, remoteIpPrefix: '192.168.0.0/16' })];
    assert.deepEqual(expandRulesForPod(rules, cidrs), rules);
  });

  test('expands a remote-group rule into one rule per CIDR of its family', () => {
    const out = expandRulesForPod([rule({ remoteGroupId: SG, protocol: 'tcp', portRangeMin: 80, portRangeMax: 80 }), rule({ ethertype: 'IPv6', remoteGroupId: SG })], cidrs);
    assert.deepEqual(
      out.map((r) => [r.ethertype, r.remoteIpPrefix, r.remoteGroupId, r.protocol, r.portRangeMin]),
      [
        ['IPv4', '10.0.1.0/24', null, 'tcp', 80],
        ['IPv4', '10.0.2.0/24', null, 'tcp', 80],
        ['IPv6', '2001:db8:1::/64', null, null, null],
      ],
    );
  });

  test('a remote-group rule without CIDRs of its family allows nothing', () => {
    assert.deepEqual(expandRulesForPod([rule({ ethertype: 'IPv6', remoteGroupId: SG })], ['10.0.0.0/24']), []);
    assert.deepEqual(expandRulesForPod([rule({ remoteGroupId: SG })], []), []);
  });

  test('drops duplicates produced by expansion (same CIDR twice, or an explicit rule equal to an expanded one)', () => {
    const out = expandRulesForPod([rule({ remoteIpPrefix: '10.0.1.0/24' }), rule({ remoteGroupId: SG }), rule({ remoteGroupId: OTHER })], ['10.0.1.0/24', '10.0.1.7/24']);
    assert.equal(out.length, 1);
  });

  test('the default group: ingress from itself and egress anywhere', () => {
    const out = expandRulesForPod(
      [rule({ remoteGroupId: SG }), rule({ ethertype: 'IPv6', remoteGroupId: SG }), rule({ direction: 'egress' }), rule({ direction: 'egress', ethertype: 'IPv6' })],
      ['10.0.1.0/24'],
    );
    assert.deepEqual(
      out.map((r) => `${r.direction} ${r.ethertype} ${r.remoteIpPrefix}`),
      ['ingress IPv4 10.0.1.0/24', 'egress IPv4 null', 'egress IPv6 null'],
    );
  });
});

describe('diffRules', () => {
  test('removes extra and duplicate rules, adds missing ones', () => {
    const current = [
      { ...rule({ direction: 'egress' }), id: 'a' },
      { ...rule({ direction: 'egress' }), id: 'a2' },
      { ...rule({ remoteGroupId: 'bottom-default' }), id: 'b' },
      { ...rule({ protocol: 'tcp', portRangeMin: 22, portRangeMax: 22 }), id: 'c' },
    ];
    const desired = [rule({ direction: 'egress' }), rule({ protocol: '6', portRangeMin: 22, portRangeMax: 22 }), rule({ remoteIpPrefix: '10.0.0.0/24' })];
    const { remove, add } = diffRules(current, desired);
    assert.deepEqual(
      remove.map((r) => r.id),
      ['a2', 'b'],
    );
    assert.deepEqual(add, [rule({ remoteIpPrefix: '10.0.0.0/24' })]);
  });
});
