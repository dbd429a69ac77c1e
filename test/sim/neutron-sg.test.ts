// Simulated Neutron: security groups and rules, tags, IP availability, fault injection and the
// in-process SimNeutronApi used by the simulated Nova.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { assertSampleShape } from '../support/shapes.js';
import { SimServiceError } from '../../sim/types.js';
import { neutronError, PROJECT, startNeutron, type NeutronUnderTest, type Who } from './neutron-support.js';

const RULE_OPTIONAL = ['belongs_to_default_sg', 'tags', 'revisio[n_number'];
const SG_OPTIONAL = ['shared', 'belongs_to_default_sg'];

let n: NeutronUnderTest;

async function post(who: Who, path: string, key: string, attrs: Record<string, unknown>): Promise<any> {
  const res = await n.call(who, 'POST', path, { [key]: attrs });
  assert.equal(res.status, 201, res.text);
  return res.body[key];
}

before(async () => {
  n = await startNeutron();
});
after(async () => {
  await n.close();
});

describe('security groups', () => {
  test('the default group is made on first use with its four rules', async () => {
    const res = await n.call('alice', 'GET', '/v2.0/security-groups');
    assert.equal(res.status, 200);
    assertSampleShape(res.body, 'neutron', 'security-groups/security-groups-list-response.json', [
      ...SG_OPTIONAL.map((k) => `security_groups[].${k}`),
      ...RULE_OPTIONAL.map((k) => `security_groups[].security_group_rules[].${k}`),
    ]);
    assert.equal(res.body.security_groups.length, 1);
    const sg = res.body.security_groups[0];
    assert.equal(sg.name, 'default');
    assert.equal(sg.description, 'Default security group');
    assert.equal(sg.project_id, PROJECT.alice);
    const rules = sg.security_group_rules.map((r: any) => `${r.direction}/${r.ethertype}/${r.remote_group_id === sg.id ? 'self' : r.remote_group_id}`);
    assert.deepEqual(rules.sort(), ['egress/IPv4/null', 'egress/IPv6/null', 'ingress/IPv4/self', 'ingress/IPv6/self']);
    const again = await n.call('alice', 'GET', '/v2.0/security-groups');
    assert.equal(again.body.security_groups.length, 1, 'made once');
    const bob = await n.call('bob', 'GET', '/v2.0/security-groups');
    assert.equal(bob.body.security_groups.length, 1);
    assert.notEqual(bob.body.security_groups[0].id, sg.id);
  });

  test('create, show, update, delete; the default group is protected', async () => {
    const res = await n.call('alice', 'POST', '/v2.0/security-groups', { security_group: { name: 'new-webservers', description: 'security group for webservers' } });
    assert.equal(res.status, 201, res.text);
    assertSampleShape(res.body, 'neutron', 'security-groups/security-group-create-response.json', [
      ...SG_OPTIONAL.map((k) => `security_group.${k}`),
      ...RULE_OPTIONAL.map((k) => `security_group.security_group_rules[].${k}`),
    ]);
    const sg = res.body.security_group;
    assert.deepEqual(sg.security_group_rules.map((r: any) => `${r.direction}/${r.ethertype}`).sort(), ['egress/IPv4', 'egress/IPv6']);
    assert.equal(sg.stateful, true);
    const shown = await n.call('alice', 'GET', `/v2.0/security-groups/${sg.id}`);
    assertSampleShape(shown.body, 'neutron', 'security-groups/security-group-show-response.json', [
      ...SG_OPTIONAL.map((k) => `security_group.${k}`),
      ...RULE_OPTIONAL.map((k) => `security_group.security_group_rules[].${k}`),
    ]);
    const upd = await n.call('alice', 'PUT', `/v2.0/security-groups/${sg.id}`, { security_group: { name: 'mysecgroup', description: 'my sec group' } });
    assert.equal(upd.status, 200);
    assertSampleShape(upd.body, 'neutron', 'security-groups/security-group-update-response.json', [
      ...SG_OPTIONAL.map((k) => `security_group.${k}`),
      ...RULE_OPTIONAL.map((k) => `security_group.security_group_rules[].${k}`),
    ]);
    assert.equal(upd.body.security_group.name, 'mysecgroup');

    const named = await n.call('alice', 'POST', '/v2.0/security-groups', { security_group: { name: 'default' } });
    assert.equal(named.status, 409);
    assert.deepEqual(neutronError(named), { type: 'SecurityGroupDefaultAlreadyExists', message: 'Default security group already exists.', detail: '' });
    const def = (await n.call('alice', 'GET', '/v2.0/security-groups?name=default')).body.security_groups[0];
    const rename = await n.call('alice', 'PUT', `/v2.0/security-groups/${def.id}`, { security_group: { name: 'other' } });
    assert.equal(rename.status, 409);
    assert.equal(neutronError(rename).type, 'SecurityGroupCannotUpdateDefault');
    const delDefault = await n.call('alice', 'DELETE', `/v2.0/security-groups/${def.id}`);
    assert.equal(delDefault.status, 409);
    assert.deepEqual(neutronError(delDefault), {
      type: 'SecurityGroupCannotRemoveDefault',
      message: 'Insufficient rights for removing default security group.',
      detail: '',
    });

    const bob = await n.call('bob', 'GET', `/v2.0/security-groups/${sg.id}`);
    assert.equal(bob.status, 404);
    assert.deepEqual(neutronError(bob), { type: 'SecurityGroupNotFound', message: `Security group ${sg.id} does not exist`, detail: '' });

    const net = await post('alice', '/v2.0/networks', 'network', {});
    await post('alice', '/v2.0/subnets', 'subnet', { network_id: net.id, ip_version: 4, cidr: '10.0.0.0/24' });
    const port = await post('alice', '/v2.0/ports', 'port', { network_id: net.id, security_groups: [sg.id] });
    assert.deepEqual(port.security_groups, [sg.id]);
    const inUse = await n.call('alice', 'DELETE', `/v2.0/security-groups/${sg.id}`);
    assert.equal(inUse.status, 409);
    assert.deepEqual(neutronError(inUse), { type: 'SecurityGroupInUse', message: `Security Group ${sg.id} in use.`, detail: '' });
    await n.call('alice', 'DELETE', `/v2.0/ports/${port.id}`);
    assert.equal((await n.call('alice', 'DELETE', `/v2.0/security-groups/${sg.id}`)).status, 204);
    const rules = await n.call('alice', 'GET', `/v2.0/security-group-rules?security_group_id=${sg.id}`);
    assert.deepEqual(rules.body.security_group_rules, []);
  });

  test('rules: create, list, show, delete; duplicates refused', async () => {
    const sg = await post('alice', '/v2.0/security-groups', 'security_group', { name: 'web' });
    const res = await n.call('alice', 'POST', '/v2.0/security-group-rules', {
      security_group_rule: {
        direction: 'ingress',
        port_range_min: '80',
        ethertype: 'IPv4',
        port_range_max: '80',
        protocol: 'TCP',
        remote_group_id: sg.id,
        security_group_id: sg.id,
      },
    });
    assert.equal(res.status, 201, res.text);
    assertSampleShape(
      res.body,
      'neutron',
      'security-groups/security-group-rule-create-response.json',
      RULE_OPTIONAL.map((k) => `security_group_rule.${k}`),
    );
    const rule = res.body.security_group_rule;
    assert.equal(rule.protocol, 'tcp');
    assert.equal(rule.port_range_min, 80);
    assert.equal(rule.port_range_max, 80);
    assert.equal(rule.remote_ip_prefix, null);

    const dup = await n.call('alice', 'POST', '/v2.0/security-group-rules', {
      security_group_rule: { direction: 'ingress', protocol: '6', port_range_min: 80, port_range_max: 80, remote_group_id: sg.id, security_group_id: sg.id },
    });
    assert.equal(dup.status, 409);
    assert.deepEqual(neutronError(dup), {
      type: 'SecurityGroupRuleExists',
      message: `Security group rule already exists. Rule id is ${rule.id}.`,
      detail: '',
    });

    const prefixed = await post('alice', '/v2.0/security-group-rules', 'security_group_rule', {
      direction: 'ingress',
      protocol: 'icmp',
      port_range_min: 8,
      port_range_max: 0,
      remote_ip_prefix: '192.168.1.7/24',
      security_group_id: sg.id,
    });
    assert.equal(prefixed.remote_ip_prefix, '192.168.1.7/24');
    assert.equal(prefixed.normalized_cidr, '192.168.1.0/24');
    const anyV4 = await post('alice', '/v2.0/security-group-rules', 'security_group_rule', {
      direction: 'ingress',
      protocol: 'udp',
      port_range_min: 53,
      port_range_max: 53,
      remote_ip_prefix: '0.0.0.0/0',
      security_group_id: sg.id,
    });
    const dupAny = await n.call('alice', 'POST', '/v2.0/security-group-rules', {
      security_group_rule: { direction: 'ingress', protocol: 'udp', port_range_min: 53, port_range_max: 53, security_group_id: sg.id },
    });
    assert.equal(dupAny.status, 409, 'no prefix and 0.0.0.0/0 are the same rule');
    assert.equal(neutronError(dupAny).message, `Security group rule already exists. Rule id is ${anyV4.id}.`);

    const shown = await n.call('alice', 'GET', `/v2.0/security-group-rules/${rule.id}`);
    assert.equal(shown.status, 200);
    assertSampleShape(
      shown.body,
      'neutron',
      'security-groups/security-group-rule-show-response.json',
      RULE_OPTIONAL.map((k) => `security_group_rule.${k}`),
    );
    const list = await n.call('alice', 'GET', `/v2.0/security-group-rules/?security_group_id=${sg.id}&direction=ingress`);
    assertSampleShape(
      list.body,
      'neutron',
      'security-groups/security-group-rules-list-response.json',
      RULE_OPTIONAL.map((k) => `security_group_rules[].${k}`),
    );
    assert.equal(list.body.security_group_rules.length, 3);
    const bob = await n.call('bob', 'GET', `/v2.0/security-group-rules/${rule.id}`);
    assert.equal(bob.status, 404);
    assert.deepEqual(neutronError(bob), { type: 'SecurityGroupRuleNotFound', message: `Security group rule ${rule.id} does not exist`, detail: '' });
    assert.equal((await n.call('alice', 'DELETE', `/v2.0/security-group-rules/${rule.id}`)).status, 204);
    assert.equal((await n.call('alice', 'GET', `/v2.0/security-group-rules/${rule.id}`)).status, 404);
  });

  test('rule validation', async () => {
    const sg = await post('alice', '/v2.0/security-groups', 'security_group', { name: 'strict' });
    const base = { security_group_id: sg.id, direction: 'ingress' };
    const cases: [Record<string, unknown>, number, string, string][] = [
      [{ protocol: 'tcp', port_range_min: 90, port_range_max: 80 }, 400, 'SecurityGroupInvalidPortRange', 'For TCP/UDP protocols, port_range_min must be <= port_range_max'],
      [{ protocol: 'tcp', port_range_min: 80 }, 400, 'SecurityGroupInvalidPortRange', 'For TCP/UDP protocols, port_range_min must be <= port_range_max'],
      [{ port_range_min: 80, port_range_max: 80 }, 400, 'SecurityGroupProtocolRequiredWithPorts', 'Must also specify protocol if port range is given.'],
      [{ protocol: 'tcp', port_range_min: 70000, port_range_max: 70001 }, 400, 'SecurityGroupInvalidPortValue', 'Invalid value for port 70000'],
      [{ protocol: 'tcp', port_range_min: 0, port_range_max: 10 }, 400, 'SecurityGroupInvalidPortValue', 'Invalid value for port 0'],
      [{ protocol: 'icmp', port_range_min: 300 }, 400, 'SecurityGroupInvalidIcmpValue', 'Invalid value for ICMP type (port_range_min) 300. It must be 0 to 255.'],
      [{ protocol: 'icmp', port_range_max: 3 }, 400, 'SecurityGroupMissingIcmpType', 'ICMP code (port-range-max) 3 is provided but ICMP type (port-range-min) is missing.'],
      [
        { protocol: 'gre', port_range_min: 1, port_range_max: 2 },
        400,
        'SecurityGroupInvalidProtocolForPortRange',
        'Invalid protocol gre for port range, only supported for TCP, UDP, UDPLITE, SCTP and DCCP.',
      ],
      [{ ethertype: 'IPv6', remote_ip_prefix: '10.0.0.0/8' }, 400, 'SecurityGroupRuleParameterConflict', 'Conflicting value ethertype IPv6 for CIDR 10.0.0.0/8'],
      [{ remote_ip_prefix: '10.0.0.0/8', remote_group_id: sg.id }, 400, 'SecurityGroupRemoteGroupAndRemoteIpPrefix', 'Only remote_ip_prefix or remote_group_id may be provided.'],
      [{ protocol: 'ipv6-icmp' }, 400, 'SecurityGroupEthertypeConflictWithProtocol', 'Invalid ethertype IPv4 for protocol ipv6-icmp.'],
      [{ ethertype: 'IPv5' }, 400, 'SecurityGroupRuleInvalidEtherType', "Security group rule for ethertype 'IPv5' not supported. Allowed values are ['IPv4', 'IPv6']."],
      [{ direction: 'sideways' }, 400, 'HTTPBadRequest', "Invalid input for direction. Reason: sideways is not in ['ingress', 'egress']."],
      [{ remote_ip_prefix: 'not-a-cidr' }, 400, 'InvalidCIDR', 'Invalid CIDR not-a-cidr given as IP prefix.'],
      [{ remote_group_id: '0b6f8f47-7c0a-4a49-8b7e-2f2a3c1b9d11' }, 404, 'SecurityGroupNotFound', 'Security group 0b6f8f47-7c0a-4a49-8b7e-2f2a3c1b9d11 does not exist'],
    ];
    for (const [extra, status, type, message] of cases) {
      const res = await n.call('alice', 'POST', '/v2.0/security-group-rules', { security_group_rule: { ...base, ...extra } });
      assert.equal(res.status, status, `${JSON.stringify(extra)}: ${res.text}`);
      assert.deepEqual(neutronError(res), { type, message, detail: '' });
    }
    const proto = await n.call('alice', 'POST', '/v2.0/security-group-rules', { security_group_rule: { ...base, protocol: 'foo' } });
    assert.equal(proto.status, 400);
    assert.equal(neutronError(proto).type, 'SecurityGroupRuleInvalidProtocol');
    assert.match(
      neutronError(proto).message,
      /^Security group rule protocol foo not supported\. Only protocol values \[None, 'ah', .*'vrrp'\] and integer representations \[0 to 255\] are supported\.$/,
    );
    const missing = await n.call('alice', 'POST', '/v2.0/security-group-rules', { security_group_rule: { security_group_id: sg.id } });
    assert.equal(missing.status, 400);
    assert.equal(neutronError(missing).message, "Failed to parse request. Required attribute 'direction' not specified");
    const numeric = await post('alice', '/v2.0/security-group-rules', 'security_group_rule', { ...base, protocol: 132, port_range_min: 5000, port_range_max: 5001 });
    assert.equal(numeric.protocol, '132');
    const foreign = await n.call('bob', 'POST', '/v2.0/security-group-rules', { security_group_rule: { ...base } });
    assert.equal(foreign.status, 404);
  });

  test('bulk rule creation refuses duplicates within the request', async () => {
    const sg = await post('alice', '/v2.0/security-groups', 'security_group', { name: 'bulk' });
    const ok = await n.call('alice', 'POST', '/v2.0/security-group-rules', {
      security_group_rules: [
        { direction: 'ingress', protocol: 'tcp', port_range_min: 22, port_range_max: 22, security_group_id: sg.id },
        { direction: 'ingress', protocol: 'tcp', port_range_min: 443, port_range_max: 443, security_group_id: sg.id },
      ],
    });
    assert.equal(ok.status, 201, ok.text);
    assertSampleShape(
      ok.body,
      'neutron',
      'security-groups/security-group-rule-bulk-create-response.json',
      RULE_OPTIONAL.map((k) => `security_group_rules[].${k}`),
    );
    const dup = await n.call('alice', 'POST', '/v2.0/security-group-rules', {
      security_group_rules: [
        { direction: 'egress', protocol: 'udp', port_range_min: 53, port_range_max: 53, security_group_id: sg.id },
        { direction: 'egress', protocol: 'udp', port_range_min: 53, port_range_max: 53, security_group_id: sg.id },
      ],
    });
    assert.equal(dup.status, 409);
    assert.deepEqual(neutronError(dup), { type: 'DuplicateSecurityGroupRuleInPost', message: 'Duplicate Security Group Rule in POST.', detail: '' });
    const left = await n.call('alice', 'GET', `/v2.0/security-group-rules?security_group_id=${sg.id}&protocol=udp`);
    assert.deepEqual(left.body.security_group_rules, [], 'nothing of the failed request stays');
  });
});

describe('tags', () => {
  test('replace, add, check, remove and clear tags', async () => {
    const net = await post('alice', '/v2.0/networks', 'network', { name: 'tagged', tags: ['a'] });
    assert.deepEqual(net.tags, ['a']);
    const put = await n.call('alice', 'PUT', `/v2.0/networks/${net.id}/tags`, { tags: ['red', 'blue'] });
    assert.equal(put.status, 200);
    assertSampleShape(put.body, 'neutron', 'tag/tag-update-response.json');
    assert.deepEqual(put.body.tags, ['red', 'blue']);
    const get = await n.call('alice', 'GET', `/v2.0/networks/${net.id}/tags`);
    assertSampleShape(get.body, 'neutron', 'tag/tag-obtain-response.json');
    assert.equal((await n.call('alice', 'GET', `/v2.0/networks/${net.id}/tags/red`)).status, 204);
    const missing = await n.call('alice', 'GET', `/v2.0/networks/${net.id}/tags/green`);
    assert.equal(missing.status, 404);
    assert.deepEqual(neutronError(missing), { type: 'TagNotFound', message: `Tag green could not be found for network ${net.id}.`, detail: '' });
    assert.equal((await n.call('alice', 'PUT', `/v2.0/networks/${net.id}/tags/green`)).status, 201);
    assert.equal((await n.call('alice', 'DELETE', `/v2.0/networks/${net.id}/tags/red`)).status, 204);
    const shown = await n.call('alice', 'GET', `/v2.0/networks/${net.id}`);
    assert.deepEqual(shown.body.network.tags, ['blue', 'green']);
    assert.ok(shown.body.network.revision_number > net.revision_number);
    assert.equal((await n.call('alice', 'DELETE', `/v2.0/networks/${net.id}/tags`)).status, 204);
    assert.deepEqual((await n.call('alice', 'GET', `/v2.0/networks/${net.id}/tags`)).body.tags, []);
    assert.equal((await n.call('bob', 'PUT', `/v2.0/networks/${net.id}/tags/x`)).status, 404);
    const comma = await n.call('alice', 'PUT', `/v2.0/networks/${net.id}/tags`, { tags: ['a,b'] });
    assert.equal(comma.status, 400);
    const sg = await post('alice', '/v2.0/security-groups', 'security_group', { name: 'tag-sg' });
    assert.equal((await n.call('alice', 'PUT', `/v2.0/security-groups/${sg.id}/tags/web`)).status, 201);
    const bySgTag = await n.call('alice', 'GET', '/v2.0/security-groups?tags=web');
    assert.deepEqual(
      bySgTag.body.security_groups.map((g: any) => g.id),
      [sg.id],
    );
  });
});

describe('quotas', () => {
  test('show, defaults, details; set by an admin and enforced with OverQuota', async () => {
    const show = await n.call('bob', 'GET', `/v2.0/quotas/${PROJECT.bob}`);
    assert.equal(show.status, 200);
    assertSampleShape(show.body, 'neutron', 'quotas/quotas-list-for-project-response.json');
    assert.equal(show.body.quota.network, -1, 'the simulated pod runs with unlimited defaults');
    assert.equal((await n.call('bob', 'GET', `/v2.0/quotas/${PROJECT.alice}`)).status, 403);
    const dflt = await n.call('bob', 'GET', `/v2.0/quotas/${PROJECT.bob}/default`);
    assert.equal(dflt.status, 200);

    const denied = await n.call('bob', 'PUT', `/v2.0/quotas/${PROJECT.bob}`, { quota: { network: 1 } });
    assert.equal(denied.status, 403);
    assert.equal(neutronError(denied).message, 'rule:update_quota is disallowed by policy');
    const set = await n.call('admin', 'PUT', `/v2.0/quotas/${PROJECT.bob}`, { quota: { network: 1, router: 0 } });
    assert.equal(set.status, 200);
    assertSampleShape(set.body, 'neutron', 'quotas/quotas-update-response.json');
    assert.equal(set.body.quota.network, 1);
    const bad = await n.call('admin', 'PUT', `/v2.0/quotas/${PROJECT.bob}`, { quota: { network: -5 } });
    assert.equal(bad.status, 400);
    const unknown = await n.call('admin', 'PUT', `/v2.0/quotas/${PROJECT.bob}`, { quota: { widgets: 5 } });
    assert.equal(unknown.status, 400);

    const list = await n.call('admin', 'GET', '/v2.0/quotas');
    assertSampleShape(list.body, 'neutron', 'quotas/quotas-list-response.json');
    assert.ok(list.body.quotas.some((q: any) => q.project_id === PROJECT.bob));

    const existing = (await n.call('bob', 'GET', `/v2.0/networks?project_id=${PROJECT.bob}`)).body.networks.length;
    if (existing === 0) await post('bob', '/v2.0/networks', 'network', { name: 'first' });
    const over = await n.call('bob', 'POST', '/v2.0/networks', { network: { name: 'second' } });
    assert.equal(over.status, 409);
    assert.deepEqual(neutronError(over), { type: 'OverQuota', message: "Quota exceeded for resources: ['network'].", detail: '' });
    assert.deepEqual((await n.call('bob', 'GET', '/v2.0/networks?name=second')).body.networks, []);
    const router = await n.call('bob', 'POST', '/v2.0/routers', { router: { name: 'r' } });
    assert.equal(router.status, 409);

    const details = await n.call('bob', 'GET', `/v2.0/quotas/${PROJECT.bob}/details.json`);
    assert.equal(details.status, 200);
    assert.deepEqual(details.body.quota.network, { limit: 1, used: 1, reserved: 0 });

    assert.equal((await n.call('admin', 'DELETE', `/v2.0/quotas/${PROJECT.bob}`)).status, 204);
    assert.equal((await n.call('bob', 'POST', '/v2.0/networks', { network: { name: 'second' } })).status, 201);
  });
});

describe('IP availability and faults', () => {
  test('network IP availability is admin-only and counts allocations', async () => {
    const net = await post('alice', '/v2.0/networks', 'network', { name: 'avail' });
    const s = await post('alice', '/v2.0/subnets', 'subnet', { network_id: net.id, ip_version: 4, cidr: '10.5.0.0/24' });
    await post('alice', '/v2.0/ports', 'port', { network_id: net.id });
    const denied = await n.call('alice', 'GET', `/v2.0/network-ip-availabilities/${net.id}`);
    assert.equal(denied.status, 403);
    const res = await n.call('admin', 'GET', `/v2.0/network-ip-availabilities/${net.id}`);
    assert.equal(res.status, 200);
    assertSampleShape(res.body, 'neutron', 'network-ip-availability/network-ip-availability-show.json', [
      'network_ip_availability.ip_availability_details',
      'network_ip_availability.subnet_ip_availability[].ip_availability_details',
    ]);
    assert.equal(res.body.network_ip_availability.total_ips, 253);
    assert.equal(res.body.network_ip_availability.used_ips, 2);
    assert.equal(res.body.network_ip_availability.subnet_ip_availability[0].subnet_id, s.id);
    const list = await n.call('admin', 'GET', `/v2.0/network-ip-availabilities?network_id=${net.id}`);
    assert.equal(list.body.network_ip_availabilities.length, 1);
  });

  test('an injected error rate answers 500 NeutronError', async () => {
    n.faults.errorRate = 1;
    try {
      const res = await n.call('alice', 'GET', '/v2.0/networks');
      assert.equal(res.status, 500);
      assert.equal(neutronError(res).type, 'HTTPInternalServerError');
    } finally {
      n.faults.errorRate = 0;
    }
  });

  test("a pod's availability zone is its Neutron AZ", async () => {
    const pod = await startNeutron({ az: 'az1' });
    try {
      const azs = await pod.call('alice', 'GET', '/v2.0/availability_zones?resource=network');
      assert.deepEqual(azs.body.availability_zones, [{ name: 'az1', resource: 'network', state: 'available' }]);
      const net = await pod.call('alice', 'POST', '/v2.0/networks', { network: { availability_zone_hints: ['az1'] } });
      assert.equal(net.status, 201);
      assert.deepEqual(net.body.network.availability_zones, ['az1']);
      const router = await pod.call('alice', 'POST', '/v2.0/routers', { router: { availability_zone_hints: ['nova'] } });
      assert.equal(router.status, 404);
      assert.equal(neutronError(router).type, 'AvailabilityZoneNotFound');
    } finally {
      await pod.close();
    }
  });

  test('requests without a valid token answer 401', async () => {
    const res = await n.call(null, 'GET', '/v2.0/networks');
    assert.equal(res.status, 401);
  });
});

describe('SimNeutronApi (for the simulated Nova)', () => {
  test('create, bind, list, read and delete ports in process', async () => {
    const net = await post('alice', '/v2.0/networks', 'network', { name: 'nova-net' });
    const s = await post('alice', '/v2.0/subnets', 'subnet', { network_id: net.id, ip_version: 4, cidr: '10.6.0.0/24' });
    const port = n.api.createPort(PROJECT.alice, { network_id: net.id, device_owner: 'compute:nova', device_id: 'srv-1' });
    assert.equal(port.project_id, PROJECT.alice);
    assert.equal(port.status, 'DOWN');
    assert.deepEqual(port.fixed_ips, [{ subnet_id: s.id, ip_address: '10.6.0.3' }]);
    assert.equal(n.api.getSubnet(s.id)?.ip_version, 4);
    assert.equal(n.api.getNetwork(net.id)?.name, 'nova-net');

    const bound = n.api.updatePort(port.id, { 'binding:host_id': 'compute-1' });
    assert.equal(bound.status, 'ACTIVE');
    assert.equal(bound['binding:vif_type'], 'ovs');
    assert.deepEqual(
      n.api.listPorts({ device_id: 'srv-1' }).map((p) => p.id),
      [port.id],
    );
    const viaHttp = await n.call('alice', 'GET', `/v2.0/ports/${port.id}`);
    assert.equal(viaHttp.body.port.status, 'ACTIVE');
    // Nova reports the VIF state (server stopped → DOWN); unrelated updates keep it.
    assert.equal(n.api.updatePort(port.id, { status: 'DOWN' }).status, 'DOWN');
    const renamed = await n.call('alice', 'PUT', `/v2.0/ports/${port.id}`, { port: { name: 'eth0' } });
    assert.equal(renamed.body.port.status, 'DOWN');
    assert.equal(n.api.updatePort(port.id, { status: 'ACTIVE' }).status, 'ACTIVE');
    assert.throws(
      () => n.api.updatePort(port.id, { status: 'SLEEPY' }),
      (e: unknown) => e instanceof SimServiceError && e.status === 400,
    );
    const withSg = n.api.createPort(PROJECT.alice, { network_id: net.id, security_groups: ['default'] });
    const defaultSg = (await n.call('alice', 'GET', '/v2.0/security-groups?name=default')).body.security_groups[0];
    assert.deepEqual(withSg.security_groups, [defaultSg.id]);
    n.api.deletePort(withSg.id);

    assert.throws(
      () => n.api.createPort(PROJECT.alice, { network_id: net.id, fixed_ips: [{ ip_address: '10.6.0.3' }] }),
      (e: unknown) => e instanceof SimServiceError && e.status === 409 && e.type === 'IpAddressAlreadyAllocated',
    );
    const bobNet = await post('bob', '/v2.0/networks', 'network', {});
    assert.throws(
      () => n.api.createPort(PROJECT.alice, { network_id: bobNet.id }),
      (e: unknown) => e instanceof SimServiceError && e.status === 404 && e.type === 'NetworkNotFound',
    );
    assert.throws(
      () => n.api.createPort(PROJECT.alice, { port: { network_id: net.id, bogus: 1 } }),
      (e: unknown) => e instanceof SimServiceError && e.status === 400,
    );
    assert.throws(
      () => n.api.updatePort('nope', {}),
      (e: unknown) => e instanceof SimServiceError && e.type === 'PortNotFound',
    );

    n.api.deletePort(port.id);
    assert.equal(n.api.getPort(port.id), undefined);
    const reuse = n.api.createPort(PROJECT.alice, { port: { network_id: net.id, fixed_ips: [{ ip_address: '10.6.0.3' }] } });
    assert.equal(reuse.fixed_ips[0].ip_address, '10.6.0.3');
  });
});
