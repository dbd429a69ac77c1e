/**
 * Default security group rules: the template (`/v2.0/default-security-group-rules`) starts with
 * upstream's four rules, and new security groups (a project's default group and the others) take
 * their rules from it as it is when they are made.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDatabase } from '../support/databases.js';
import { ALICE, BOB, neutronError, startNeutron, type NeutronHarness } from './support.js';

type Rule = Record<string, unknown>;
const match = (r: Rule) =>
  `${r.direction} ${r.ethertype} ${r.protocol ?? '*'} ${r.port_range_min ?? ''}-${r.port_range_max ?? ''} ${r.remote_ip_prefix ?? ''} ${r.remote_group_id ?? ''}`;

describeEachDatabase('top Neutron: default security group rules shape new groups', (dialect) => {
  let h: NeutronHarness;
  before(async () => {
    h = await startNeutron(dialect);
  });
  after(async () => h?.close());

  const groupRules = async (id: string, who = ALICE) => {
    const g = await h.call('GET', `/v2.0/security-groups/${id}`, undefined, who);
    assert.equal(g.status, 200, g.text);
    return (g.body.security_group.security_group_rules as Rule[]).map(match).sort();
  };

  test('the template starts as upstream: egress everywhere, ingress from the group itself in default groups', async () => {
    const list = await h.call('GET', '/v2.0/default-security-group-rules', undefined, ALICE);
    assert.equal(list.status, 200, list.text);
    const rules = (list.body.default_security_group_rules as Rule[]).map((r) => `${match(r)} default=${r.used_in_default_sg} other=${r.used_in_non_default_sg}`).sort();
    assert.deepEqual(rules, [
      'egress IPv4 * -   default=true other=true',
      'egress IPv6 * -   default=true other=true',
      'ingress IPv4 * -  PARENT default=true other=false',
      'ingress IPv6 * -  PARENT default=true other=false',
    ]);
    const sg = (await h.call('POST', '/v2.0/security-groups', { security_group: { name: 'web' } }, ALICE)).body.security_group;
    assert.deepEqual(await groupRules(sg.id), ['egress IPv4 * -  ', 'egress IPv6 * -  ']);
    const def = (await h.call('GET', '/v2.0/security-groups?name=default', undefined, ALICE)).body.security_groups[0];
    assert.deepEqual(await groupRules(def.id), ['egress IPv4 * -  ', 'egress IPv6 * -  ', `ingress IPv4 * -  ${def.id}`, `ingress IPv6 * -  ${def.id}`]);
  });

  test('rules added to or removed from the template shape the groups made afterwards', async () => {
    const ssh = { direction: 'ingress', protocol: 'tcp', port_range_min: 22, port_range_max: 22, remote_ip_prefix: '0.0.0.0/0', used_in_default_sg: true };
    const added = await h.call('POST', '/v2.0/default-security-group-rules', { default_security_group_rule: ssh });
    assert.equal(added.status, 201, added.text);
    const dup = neutronError(await h.call('POST', '/v2.0/default-security-group-rules', { default_security_group_rule: ssh }), 409, 'DuplicateDefaultSgRule');
    assert.match(dup.message, new RegExp(added.body.default_security_group_rule.id));
    const icmpOnlyDefault = { direction: 'ingress', protocol: 'icmp', used_in_default_sg: true, used_in_non_default_sg: false };
    assert.equal((await h.call('POST', '/v2.0/default-security-group-rules', { default_security_group_rule: icmpOnlyDefault })).status, 201);
    const v6egress = (await h.call('GET', '/v2.0/default-security-group-rules?direction=egress&ethertype=IPv6')).body.default_security_group_rules[0];
    assert.equal((await h.call('DELETE', `/v2.0/default-security-group-rules/${v6egress.id}`)).status, 204);

    const sg = (await h.call('POST', '/v2.0/security-groups', { security_group: { name: 'after' } }, ALICE)).body.security_group;
    assert.deepEqual(await groupRules(sg.id), ['egress IPv4 * -  ', 'ingress IPv4 tcp 22-22 0.0.0.0/0 ']);
    // Bob's default group is made now (on his first look), from the changed template.
    const def = (await h.call('GET', '/v2.0/security-groups?name=default', undefined, BOB)).body.security_groups[0];
    assert.deepEqual(
      await groupRules(def.id, BOB),
      ['egress IPv4 * -  ', 'ingress IPv4 icmp -  ', `ingress IPv4 * -  ${def.id}`, `ingress IPv6 * -  ${def.id}`, 'ingress IPv4 tcp 22-22 0.0.0.0/0 '].sort(),
    );
    // Groups made before the change keep their rules.
    const web = (await h.call('GET', '/v2.0/security-groups?name=web', undefined, ALICE)).body.security_groups[0];
    assert.deepEqual(await groupRules(web.id), ['egress IPv4 * -  ', 'egress IPv6 * -  ']);
  });
});
