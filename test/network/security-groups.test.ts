import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createScratchDatabase, describeEachDatabase, type ScratchDatabase } from '../support/databases.js';
import { http, type HttpResult } from '../support/http.js';
import { assertSampleShape } from '../support/shapes.js';
import { startTestTricircle } from '../support/tricircle.js';
import type { RunningTricircle } from '../../src/server.js';

const ALICE = { 'x-user-id': 'alice', 'x-project-id': 'proj-alice', 'x-roles': 'member' };
const BOB = { 'x-user-id': 'bob', 'x-project-id': 'proj-bob', 'x-roles': 'member' };
const ADMIN = { 'x-user-id': 'admin', 'x-project-id': 'proj-admin', 'x-roles': 'admin' };

// Upstream samples carry keys no real Neutron sends on rules (tags, a typo'd revision_number).
const RULE_OPTIONAL = (prefix: string) => [`${prefix}.tags`, `${prefix}.revisio[n_number`];

function assertFault(res: HttpResult, status: number, type: string, message?: RegExp | string): void {
  assert.equal(res.status, status, res.text);
  assert.equal(res.body?.NeutronError?.type, type, res.text);
  assert.equal(typeof res.body.NeutronError.message, 'string');
  assert.equal(res.body.NeutronError.detail, '');
  if (typeof message === 'string') assert.equal(res.body.NeutronError.message, message);
  else if (message) assert.match(res.body.NeutronError.message, message);
}

describeEachDatabase('top Neutron: security groups API', (dialect) => {
  let scratch: ScratchDatabase;
  let tc: RunningTricircle;
  let base: string;
  const as = (who: Record<string, string>) => ({
    get: (path: string) => http('GET', `${base}${path}`, { headers: who }),
    post: (path: string, body: unknown) => http('POST', `${base}${path}`, { headers: who, body }),
    put: (path: string, body: unknown) => http('PUT', `${base}${path}`, { headers: who, body }),
    del: (path: string) => http('DELETE', `${base}${path}`, { headers: who }),
  });
  const alice = as(ALICE);
  const bob = as(BOB);
  const admin = as(ADMIN);

  before(async () => {
    scratch = await createScratchDatabase(dialect);
    tc = await startTestTricircle({ databaseUrl: scratch.url, only: ['neutron-api'] });
    base = tc.urls['neutron-api'];
    // These tests make more groups than Neutron's default quota of 10 allows.
    for (const project of ['proj-alice', 'proj-bob', 'proj-admin']) {
      const res = await fetch(`${base}/v2.0/quotas/${project}`, {
        method: 'PUT',
        headers: { ...ADMIN, 'content-type': 'application/json' },
        body: JSON.stringify({ quota: { security_group: -1, security_group_rule: -1 } }),
      });
      assert.equal(res.status, 200);
    }
  });
  after(async () => {
    await tc?.close();
    await scratch?.drop();
  });

  const createGroup = async (who: ReturnType<typeof as>, body: Record<string, unknown>) => {
    const res = await who.post('/v2.0/security-groups', { security_group: body });
    assert.equal(res.status, 201, res.text);
    return res.body.security_group;
  };
  const createRule = async (who: ReturnType<typeof as>, body: Record<string, unknown>) => {
    const res = await who.post('/v2.0/security-group-rules', { security_group_rule: body });
    assert.equal(res.status, 201, res.text);
    return res.body.security_group_rule;
  };

  test('the first list of a project creates its default group, once', async () => {
    const first = await alice.get('/v2.0/security-groups');
    assert.equal(first.status, 200, first.text);
    assertSampleShape(first.body, 'neutron', 'security-groups/security-groups-list-response.json', RULE_OPTIONAL('security_groups[].security_group_rules[]'));
    assert.equal(first.body.security_groups.length, 1);
    const sg = first.body.security_groups[0];
    assert.equal(sg.name, 'default');
    assert.equal(sg.description, 'Default security group');
    assert.equal(sg.project_id, 'proj-alice');
    assert.equal(sg.tenant_id, 'proj-alice');
    assert.equal(sg.stateful, true);
    assert.equal(sg.shared, false);
    const rules = sg.security_group_rules.map((r: any) => `${r.direction} ${r.ethertype} ${r.remote_group_id === sg.id ? 'self' : r.remote_group_id}`).sort();
    assert.deepEqual(rules, ['egress IPv4 null', 'egress IPv6 null', 'ingress IPv4 self', 'ingress IPv6 self']);
    assert.ok(sg.security_group_rules.every((r: any) => r.belongs_to_default_sg === true));
    const again = await alice.get('/v2.0/security-groups');
    assert.deepEqual(
      again.body.security_groups.map((g: any) => g.id),
      [sg.id],
    );
  });

  test('concurrent first uses agree on one default group', async () => {
    const results = await Promise.all(Array.from({ length: 6 }, () => as({ ...ALICE, 'x-project-id': 'proj-race' }).get('/v2.0/security-groups')));
    for (const r of results) assert.equal(r.status, 200, r.text);
    const ids = new Set(results.map((r) => r.body.security_groups[0].id));
    assert.equal(ids.size, 1);
    const all = await admin.get('/v2.0/security-groups?project_id=proj-race');
    assert.equal(all.body.security_groups.length, 1);
  });

  test('create returns the group with its two egress rules (upstream shape)', async () => {
    const res = await alice.post('/v2.0/security-groups', { security_group: { name: 'new-webservers', description: 'security group for webservers', stateful: true } });
    assert.equal(res.status, 201, res.text);
    assertSampleShape(res.body, 'neutron', 'security-groups/security-group-create-response.json', RULE_OPTIONAL('security_group.security_group_rules[]'));
    const sg = res.body.security_group;
    assert.equal(sg.revision_number, 1);
    assert.match(sg.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.deepEqual(sg.security_group_rules.map((r: any) => `${r.direction} ${r.ethertype}`).sort(), ['egress IPv4', 'egress IPv6']);
    assert.ok(sg.security_group_rules.every((r: any) => r.belongs_to_default_sg === false && r.security_group_id === sg.id));
    const show = await alice.get(`/v2.0/security-groups/${sg.id}`);
    assert.equal(show.status, 200);
    assertSampleShape(show.body, 'neutron', 'security-groups/security-group-show-response.json', RULE_OPTIONAL('security_group.security_group_rules[]'));
  });

  test('names: "default" is reserved; the default group cannot be renamed', async () => {
    assertFault(
      await alice.post('/v2.0/security-groups', { security_group: { name: 'Default' } }),
      409,
      'SecurityGroupDefaultAlreadyExists',
      'Default security group already exists.',
    );
    const def = (await alice.get('/v2.0/security-groups?name=default')).body.security_groups[0];
    assertFault(await alice.put(`/v2.0/security-groups/${def.id}`, { security_group: { name: 'other' } }), 409, 'SecurityGroupCannotUpdateDefault');
    const ok = await alice.put(`/v2.0/security-groups/${def.id}`, { security_group: { description: 'mine' } });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.body.security_group.description, 'mine');
  });

  test('update changes name, description and stateful and bumps the revision', async () => {
    const sg = await createGroup(alice, { name: 'upd' });
    const res = await alice.put(`/v2.0/security-groups/${sg.id}`, { security_group: { name: 'mysecgroup', description: 'my security group', stateful: false } });
    assert.equal(res.status, 200, res.text);
    assertSampleShape(res.body, 'neutron', 'security-groups/security-group-update-response.json', ['security_group.belongs_to_default_sg']);
    assert.equal(res.body.security_group.name, 'mysecgroup');
    assert.equal(res.body.security_group.stateful, false);
    assert.equal(res.body.security_group.revision_number, 2);
    const same = await alice.put(`/v2.0/security-groups/${sg.id}`, { security_group: { name: 'mysecgroup' } });
    assert.equal(same.body.security_group.revision_number, 2, 'an update that changes nothing keeps the revision');
    assertFault(await alice.put(`/v2.0/security-groups/${sg.id}`, { security_group: { project_id: 'x' } }), 400, 'HTTPBadRequest', 'Cannot update read-only attribute project_id');
    assertFault(await alice.put(`/v2.0/security-groups/${sg.id}`, { security_group: { bogus: 1 } }), 400, 'HTTPBadRequest', "Unrecognized attribute(s) 'bogus'");
  });

  test('rules: create, show, duplicate (409 with the existing id), revision of the group', async () => {
    const sg = await createGroup(alice, { name: 'web' });
    const res = await alice.post('/v2.0/security-group-rules', {
      security_group_rule: {
        direction: 'ingress',
        port_range_min: '80',
        ethertype: 'IPv4',
        port_range_max: '80',
        protocol: 'tcp',
        remote_group_id: sg.id,
        security_group_id: sg.id,
      },
    });
    assert.equal(res.status, 201, res.text);
    assertSampleShape(res.body, 'neutron', 'security-groups/security-group-rule-create-response.json');
    const rule = res.body.security_group_rule;
    assert.equal(rule.port_range_min, 80);
    assert.equal(rule.project_id, 'proj-alice');
    const show = await alice.get(`/v2.0/security-group-rules/${rule.id}`);
    assert.equal(show.status, 200);
    assertSampleShape(show.body, 'neutron', 'security-groups/security-group-rule-show-response.json');
    const dup = await alice.post('/v2.0/security-group-rules', {
      security_group_rule: { direction: 'ingress', port_range_min: 80, port_range_max: 80, protocol: '6', remote_group_id: sg.id, security_group_id: sg.id },
    });
    assertFault(dup, 409, 'SecurityGroupRuleExists', `Security group rule already exists. Rule id is ${rule.id}.`);
    const group = (await alice.get(`/v2.0/security-groups/${sg.id}`)).body.security_group;
    assert.equal(group.revision_number, 2);
    assert.equal(group.security_group_rules.length, 3);
  });

  test('rules: validation answers with upstream fault types', async () => {
    const sg = await createGroup(alice, { name: 'val' });
    const post = (rule: Record<string, unknown>) => alice.post('/v2.0/security-group-rules', { security_group_rule: { security_group_id: sg.id, ...rule } });
    assertFault(await post({ direction: 'ingress', protocol: 'tcp', port_range_min: 90, port_range_max: 80 }), 400, 'SecurityGroupInvalidPortRange');
    assertFault(await post({ direction: 'ingress', protocol: 'icmp', port_range_min: 300 }), 400, 'SecurityGroupInvalidIcmpValue');
    assertFault(await post({ direction: 'ingress', protocol: 'nope' }), 400, 'SecurityGroupRuleInvalidProtocol');
    assertFault(await post({ direction: 'ingress', ethertype: 'IPv6', remote_ip_prefix: '10.0.0.0/8' }), 400, 'SecurityGroupRuleParameterConflict');
    assertFault(await post({ direction: 'ingress', remote_ip_prefix: '10.0.0.0/8', remote_group_id: sg.id }), 400, 'SecurityGroupMultipleRemoteEntites');
    assertFault(await post({ direction: 'sideways' }), 400, 'HTTPBadRequest', /^Invalid input for direction/);
    assertFault(await post({}), 400, 'HTTPBadRequest', "Failed to parse request. Required attribute 'direction' not specified");
    assertFault(await post({ direction: 'ingress', remote_group_id: '00000000-0000-4000-8000-000000000000' }), 404, 'SecurityGroupNotFound');
    assertFault(
      await alice.post('/v2.0/security-group-rules', { security_group_rule: { security_group_id: '00000000-0000-4000-8000-000000000000', direction: 'ingress' } }),
      404,
      'SecurityGroupNotFound',
      'Security group 00000000-0000-4000-8000-000000000000 does not exist',
    );
    const stored = (await alice.get(`/v2.0/security-group-rules?security_group_id=${sg.id}`)).body.security_group_rules;
    assert.equal(stored.length, 2, 'no refused rule was stored');
  });

  test('rules: bulk create, single group only, duplicates in one request refused', async () => {
    const sg = await createGroup(alice, { name: 'bulk' });
    const other = await createGroup(alice, { name: 'bulk2' });
    const res = await alice.post('/v2.0/security-group-rules', {
      security_group_rules: [
        { direction: 'ingress', port_range_min: '80', ethertype: 'IPv4', port_range_max: '80', protocol: 'tcp', remote_group_id: other.id, security_group_id: sg.id },
        { direction: 'ingress', port_range_min: '443', ethertype: 'IPv4', port_range_max: '443', protocol: 'tcp', remote_group_id: other.id, security_group_id: sg.id },
      ],
    });
    assert.equal(res.status, 201, res.text);
    assertSampleShape(res.body, 'neutron', 'security-groups/security-group-rule-bulk-create-response.json');
    assert.deepEqual(
      res.body.security_group_rules.map((r: any) => r.port_range_min),
      [80, 443],
    );
    assertFault(
      await alice.post('/v2.0/security-group-rules', {
        security_group_rules: [
          { direction: 'ingress', protocol: 'udp', port_range_min: 53, port_range_max: 53, security_group_id: sg.id },
          { direction: 'ingress', protocol: 'udp', port_range_min: 53, port_range_max: 53, security_group_id: other.id },
        ],
      }),
      400,
      'SecurityGroupNotSingleGroupRules',
    );
    assertFault(
      await alice.post('/v2.0/security-group-rules', {
        security_group_rules: [
          { direction: 'ingress', protocol: 'udp', port_range_min: 53, port_range_max: 53, security_group_id: sg.id },
          { direction: 'ingress', protocol: '17', port_range_min: 53, port_range_max: 53, security_group_id: sg.id },
        ],
      }),
      409,
      'DuplicateSecurityGroupRuleInPost',
    );
    assert.equal((await alice.get(`/v2.0/security-group-rules?security_group_id=${sg.id}`)).body.security_group_rules.length, 4);
  });

  test('groups: bulk create', async () => {
    const res = await bob.post('/v2.0/security-groups', { security_groups: [{ name: 'b1' }, { name: 'b2', description: 'two' }] });
    assert.equal(res.status, 201, res.text);
    assert.deepEqual(
      res.body.security_groups.map((g: any) => g.name),
      ['b1', 'b2'],
    );
    assert.ok(res.body.security_groups.every((g: any) => g.project_id === 'proj-bob' && g.security_group_rules.length === 2));
  });

  test('tenant scoping: others see nothing of a group; admins see and act on all', async () => {
    const sg = await createGroup(alice, { name: 'private' });
    const rule = await createRule(alice, { security_group_id: sg.id, direction: 'ingress', protocol: 'tcp', port_range_min: 22, port_range_max: 22 });
    assertFault(await bob.get(`/v2.0/security-groups/${sg.id}`), 404, 'SecurityGroupNotFound');
    assertFault(await bob.put(`/v2.0/security-groups/${sg.id}`, { security_group: { name: 'x' } }), 404, 'SecurityGroupNotFound');
    assertFault(await bob.del(`/v2.0/security-groups/${sg.id}`), 404, 'SecurityGroupNotFound');
    assertFault(await bob.get(`/v2.0/security-group-rules/${rule.id}`), 404, 'SecurityGroupRuleNotFound');
    assertFault(await bob.del(`/v2.0/security-group-rules/${rule.id}`), 404, 'SecurityGroupRuleNotFound');
    assertFault(await bob.post('/v2.0/security-group-rules', { security_group_rule: { security_group_id: sg.id, direction: 'ingress' } }), 404, 'SecurityGroupNotFound');
    const bobGroup = await createGroup(bob, { name: 'bobs' });
    assertFault(
      await alice.post('/v2.0/security-group-rules', { security_group_rule: { security_group_id: sg.id, direction: 'ingress', remote_group_id: bobGroup.id } }),
      404,
      'SecurityGroupNotFound',
    );
    const bobList = (await bob.get('/v2.0/security-groups')).body.security_groups;
    assert.ok(bobList.every((g: any) => g.project_id === 'proj-bob'));
    const bobRules = (await bob.get('/v2.0/security-group-rules')).body.security_group_rules;
    assert.ok(bobRules.length > 0 && bobRules.every((r: any) => r.project_id === 'proj-bob'));
    assertFault(await bob.post('/v2.0/security-groups', { security_group: { name: 'x', project_id: 'proj-alice' } }), 400, 'HTTPBadRequest', /requires admin privileges/);
    const adminList = (await admin.get('/v2.0/security-groups')).body.security_groups;
    assert.ok(adminList.some((g: any) => g.id === sg.id) && adminList.some((g: any) => g.id === bobGroup.id));
    const forAlice = await admin.post('/v2.0/security-groups', { security_group: { name: 'by-admin', tenant_id: 'proj-alice' } });
    assert.equal(forAlice.status, 201, forAlice.text);
    assert.equal(forAlice.body.security_group.project_id, 'proj-alice');
    const adminRule = await createRule(admin, { security_group_id: sg.id, direction: 'egress', protocol: 'udp', port_range_min: 53, port_range_max: 53 });
    assert.equal(adminRule.project_id, 'proj-alice');
  });

  test('lists: filters, fields, sorting, limit/marker with links, tags', async () => {
    const who = as({ ...ALICE, 'x-project-id': 'proj-list' });
    const names = ['l-c', 'l-a', 'l-d', 'l-b'];
    for (const name of names) await createGroup(who, { name, tags: name === 'l-a' || name === 'l-b' ? ['blue', 'x'] : ['red'] });
    const byName = await who.get('/v2.0/security-groups?name=l-a&name=l-b&fields=id&fields=name');
    assert.deepEqual(
      byName.body.security_groups.map((g: any) => Object.keys(g).sort()),
      [
        ['id', 'name'],
        ['id', 'name'],
      ],
    );
    const sorted = await who.get('/v2.0/security-groups?sort_key=name&sort_dir=desc&fields=name');
    assert.deepEqual(
      sorted.body.security_groups.map((g: any) => g.name),
      ['l-d', 'l-c', 'l-b', 'l-a', 'default'],
    );
    const page1 = await who.get('/v2.0/security-groups?sort_key=name&sort_dir=asc&limit=2');
    assert.deepEqual(
      page1.body.security_groups.map((g: any) => g.name),
      ['default', 'l-a'],
    );
    const next = page1.body.security_groups_links.find((l: any) => l.rel === 'next');
    assert.ok(next?.href.startsWith(`${base}/v2.0/security-groups?`), JSON.stringify(page1.body.security_groups_links));
    const page2 = await http('GET', next.href, { headers: { ...ALICE, 'x-project-id': 'proj-list' } });
    assert.deepEqual(
      page2.body.security_groups.map((g: any) => g.name),
      ['l-b', 'l-c'],
    );
    const tagged = await who.get('/v2.0/security-groups?tags=blue,x&fields=name&sort_key=name');
    assert.deepEqual(
      tagged.body.security_groups.map((g: any) => g.name),
      ['l-a', 'l-b'],
    );
    const notRed = await who.get('/v2.0/security-groups?not-tags-any=red&fields=name&sort_key=name');
    assert.deepEqual(
      notRed.body.security_groups.map((g: any) => g.name),
      ['default', 'l-a', 'l-b'],
    );
    assert.deepEqual((await who.get('/v2.0/security-groups?shared=true')).body.security_groups, []);
    assertFault(await who.get('/v2.0/security-groups?bogus=1'), 400, 'HTTPBadRequest', "['bogus'] is invalid attribute for filtering");
    assertFault(await who.get('/v2.0/security-groups?sort_key=description'), 400, 'HTTPBadRequest');
    const la = (await who.get('/v2.0/security-groups?name=l-a')).body.security_groups[0];
    assert.deepEqual(la.tags, ['blue', 'x']);

    const sg = la.id;
    for (const port of [443, 22, 80]) await createRule(who, { security_group_id: sg, direction: 'ingress', protocol: 'tcp', port_range_min: port, port_range_max: port });
    const rules = await who.get(`/v2.0/security-group-rules?security_group_id=${sg}&direction=ingress&sort_key=port_range_min&sort_dir=asc`);
    assert.deepEqual(
      rules.body.security_group_rules.map((r: any) => r.port_range_min),
      [22, 80, 443],
    );
    const rp1 = await who.get(`/v2.0/security-group-rules?security_group_id=${sg}&protocol=tcp&sort_key=port_range_min&limit=2`);
    assert.deepEqual(
      rp1.body.security_group_rules.map((r: any) => r.port_range_min),
      [22, 80],
    );
    const rnext = rp1.body.security_group_rules_links.find((l: any) => l.rel === 'next');
    const rp2 = await http('GET', rnext.href, { headers: { ...ALICE, 'x-project-id': 'proj-list' } });
    assert.deepEqual(
      rp2.body.security_group_rules.map((r: any) => r.port_range_min),
      [443],
    );
    const defaults = await who.get('/v2.0/security-group-rules?belongs_to_default_sg=true');
    assert.equal(defaults.body.security_group_rules.length, 4);
    assertSampleShape(defaults.body, 'neutron', 'security-groups/security-group-rules-list-response.json');
  });

  test("rule delete: 204, then gone; the default group's rules may be deleted too", async () => {
    const sg = await createGroup(alice, { name: 'del-rule' });
    const rule = await createRule(alice, { security_group_id: sg.id, direction: 'ingress', protocol: 'icmp' });
    const res = await alice.del(`/v2.0/security-group-rules/${rule.id}`);
    assert.equal(res.status, 204);
    assert.equal(res.text, '');
    assertFault(await alice.get(`/v2.0/security-group-rules/${rule.id}`), 404, 'SecurityGroupRuleNotFound', `Security group rule ${rule.id} does not exist`);
    assertFault(await alice.del(`/v2.0/security-group-rules/${rule.id}`), 404, 'SecurityGroupRuleNotFound');
    const def = (await alice.get('/v2.0/security-groups?name=default')).body.security_groups[0];
    const ingress = def.security_group_rules.find((r: any) => r.direction === 'ingress' && r.ethertype === 'IPv6');
    assert.equal((await alice.del(`/v2.0/security-group-rules/${ingress.id}`)).status, 204);
  });

  test('group delete: 204; the default group only by an admin (and it comes back on the next list)', async () => {
    const sg = await createGroup(alice, { name: 'gone' });
    assert.equal((await alice.del(`/v2.0/security-groups/${sg.id}`)).status, 204);
    assertFault(await alice.get(`/v2.0/security-groups/${sg.id}`), 404, 'SecurityGroupNotFound');
    const carol = as({ ...ALICE, 'x-project-id': 'proj-carol' });
    const def = (await carol.get('/v2.0/security-groups')).body.security_groups[0];
    assertFault(await carol.del(`/v2.0/security-groups/${def.id}`), 409, 'SecurityGroupCannotRemoveDefault');
    assert.equal((await admin.del(`/v2.0/security-groups/${def.id}`)).status, 204);
    const fresh = (await carol.get('/v2.0/security-groups')).body.security_groups;
    assert.equal(fresh.length, 1);
    assert.notEqual(fresh[0].id, def.id);
  });

  test('deleting a group removes rules of other groups that name it as remote group', async () => {
    const target = await createGroup(alice, { name: 'remote-target' });
    const holder = await createGroup(alice, { name: 'remote-holder' });
    const rule = await createRule(alice, { security_group_id: holder.id, direction: 'ingress', remote_group_id: target.id });
    assert.equal((await alice.del(`/v2.0/security-groups/${target.id}`)).status, 204);
    assertFault(await alice.get(`/v2.0/security-group-rules/${rule.id}`), 404, 'SecurityGroupRuleNotFound');
  });

  test('a group used by a port cannot be deleted or change statefulness', async () => {
    const sg = await createGroup(alice, { name: 'in-use' });
    const net = await alice.post('/v2.0/networks', { network: { name: 'sg-net' } });
    assert.equal(net.status, 201, net.text);
    const port = await alice.post('/v2.0/ports', { port: { network_id: net.body.network.id, security_groups: [sg.id] } });
    assert.equal(port.status, 201, port.text);
    assertFault(await alice.del(`/v2.0/security-groups/${sg.id}`), 409, 'SecurityGroupInUse', `Security Group ${sg.id} in use.`);
    assertFault(await alice.put(`/v2.0/security-groups/${sg.id}`, { security_group: { stateful: false } }), 409, 'SecurityGroupInUse');
    assert.equal((await alice.del(`/v2.0/ports/${port.body.port.id}`)).status, 204);
    assert.equal((await alice.del(`/v2.0/security-groups/${sg.id}`)).status, 204);
  });

  test('bad input never reaches the database', async () => {
    const raw = await http('POST', `${base}/v2.0/security-groups`, { headers: { ...ALICE, 'content-type': 'application/json' }, raw: '{"security_group": ' });
    assertFault(raw, 400, 'HTTPBadRequest');
    assertFault(await alice.post('/v2.0/security-groups', { security_group: 'x' }), 400, 'HTTPBadRequest');
    assertFault(await alice.post('/v2.0/security-groups', { group: {} }), 400, 'HTTPBadRequest', "Unable to find 'security_group' in request body");
    assertFault(await alice.post('/v2.0/security-groups', { security_group: { name: 7 } }), 400, 'HTTPBadRequest');
    assertFault(await alice.post('/v2.0/security-groups', { security_group: { id: 'mine' } }), 400, 'HTTPBadRequest', "Attribute 'id' not allowed in POST");
    const put = await alice.put('/v2.0/security-group-rules/abc', { security_group_rule: {} });
    assert.equal(put.status, 405);
    assertFault(await alice.get('/v2.0/security-groups/does-not-exist'), 404, 'SecurityGroupNotFound');
    const names = (await alice.get('/v2.0/security-groups?fields=name')).body.security_groups.map((g: any) => g.name);
    assert.ok(!names.includes('mine'));
  });
});
