import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSimCluster, type SimCluster } from '../../sim/cluster.js';
import { createRequestContext, type RequestContext } from '../../src/identity/index.js';
import type { SecurityGroupService } from '../../src/network/securityGroups/index.js';
import type { SecurityGroupSync } from '../../src/wiring/securityGroups/index.js';
import type { Pod } from '../../src/pods/index.js';
import type { RunningTricircle } from '../../src/server.js';
import { issueToken } from '../identity/support.js';
import { createScratchDatabase, describeEachDatabase, type ScratchDatabase } from '../support/databases.js';
import { http } from '../support/http.js';
import { startTestTricircle } from '../support/tricircle.js';

type Rule = Record<string, any>;

/** A rule as a comparable line: direction ethertype protocol ports prefix remote-group. */
const line = (r: Rule) =>
  [r.direction, r.ethertype, r.protocol ?? 'any', `${r.port_range_min ?? ''}-${r.port_range_max ?? ''}`, r.remote_ip_prefix ?? '*', r.remote_group_id ? 'group' : '']
    .join(' ')
    .trim();

describeEachDatabase('security groups mirrored to simulated pods', (dialect) => {
  let scratch: ScratchDatabase;
  let cluster: SimCluster;
  let tc: RunningTricircle;
  let neutron: string;
  let demoToken: string;
  let ctx: RequestContext;
  let sync: SecurityGroupSync;
  let service: SecurityGroupService;
  let netId: string;
  const pods: Record<string, Pod> = {};

  const top = (method: string, path: string, body?: unknown) => http(method, `${neutron}${path}`, { token: demoToken, body });
  const podNeutron = (region: string) => cluster.pods.find((p) => p.region === region)!.neutronUrl;

  /** The pod's copy of a top group (by name = top id) and its rules, as the pod shows them. */
  async function bottomGroup(region: string, topId: string): Promise<{ id: string; description: string; rules: string[] } | undefined> {
    const groups = await http('GET', `${podNeutron(region)}/v2.0/security-groups?name=${topId}`, { token: demoToken });
    assert.equal(groups.status, 200, groups.text);
    const sg = groups.body.security_groups[0];
    if (!sg) return undefined;
    const rules = await http('GET', `${podNeutron(region)}/v2.0/security-group-rules?security_group_id=${sg.id}`, { token: demoToken });
    return { id: sg.id, description: sg.description, rules: rules.body.security_group_rules.map(line).sort() };
  }

  async function createGroup(name: string, description = ''): Promise<Rule> {
    const res = await top('POST', '/v2.0/security-groups', { security_group: { name, description } });
    assert.equal(res.status, 201, res.text);
    return res.body.security_group;
  }

  async function createRule(rule: Rule): Promise<Rule> {
    const res = await top('POST', '/v2.0/security-group-rules', { security_group_rule: rule });
    assert.equal(res.status, 201, res.text);
    return res.body.security_group_rule;
  }

  async function addSubnet(cidr: string, ipVersion: 4 | 6): Promise<void> {
    const sub = await top('POST', '/v2.0/subnets', { subnet: { network_id: netId, cidr, ip_version: ipVersion } });
    assert.equal(sub.status, 201, sub.text);
  }

  async function topRules(groupId: string): Promise<string[]> {
    const res = await top('GET', `/v2.0/security-group-rules?security_group_id=${groupId}`);
    return res.body.security_group_rules.map(line).sort();
  }

  /** The pod the sync visits last (pods are visited in pod-id order): faults there exercise the undo. */
  const lastPod = () =>
    Object.values(pods)
      .sort((a, b) => a.id.localeCompare(b.id))
      .at(-1)!;
  const firstPod = () => Object.values(pods).sort((a, b) => a.id.localeCompare(b.id))[0];

  before(async () => {
    scratch = await createScratchDatabase(dialect);
    cluster = await startSimCluster({
      pods: [
        { region: 'Pod1', az: 'az1' },
        { region: 'Pod2', az: 'az2' },
      ],
      buildDelayMs: 0,
    });
    tc = await startTestTricircle({ databaseUrl: scratch.url, only: ['admin-api', 'neutron-api'], authStrategy: 'keystone', keystoneUrl: cluster.keystoneUrl });
    neutron = tc.urls['neutron-api'];
    const adminToken = await issueToken(cluster.keystoneUrl, { user: 'admin', project: 'admin' });
    demoToken = await issueToken(cluster.keystoneUrl, { user: 'demo', project: 'demo' });
    for (const pod of [{ region_name: 'RegionOne' }, { region_name: 'Pod1', az_name: 'az1' }, { region_name: 'Pod2', az_name: 'az2' }]) {
      const res = await http('POST', `${tc.urls['admin-api']}/v1.0/pods`, { token: adminToken, body: { pod } });
      assert.equal(res.status, 200, res.text);
      if (pod.region_name !== 'RegionOne') pods[pod.region_name] = await tc.core.pods.get(res.body.pod.pod_id);
    }
    ctx = createRequestContext({
      userId: 'demo',
      projectId: cluster.keystone.projectIdByName('demo')!,
      roles: ['member'],
      authToken: demoToken,
      requestId: 'req-sg-sync-test',
    });
    // The boot path's entry point and the API's service, as the running service built them.
    sync = tc.wiring.securityGroups;
    service = tc.network.securityGroups;

    const net = await top('POST', '/v2.0/networks', { network: { name: 'sg-net' } });
    assert.equal(net.status, 201, net.text);
    netId = net.body.network.id;
    for (const [cidr, ipVersion] of [
      ['10.0.1.0/24', 4],
      ['2001:db8:1::/64', 6],
    ] as const) {
      await addSubnet(cidr, ipVersion);
    }
  });
  after(async () => {
    await tc?.close();
    await cluster?.close();
    await scratch?.drop();
  });

  test('preparing a pod copies the group with remote-group rules expanded to the tenant subnets', async () => {
    const sg = await createGroup('web', 'web servers');
    await createRule({ security_group_id: sg.id, direction: 'ingress', protocol: 'tcp', port_range_min: 22, port_range_max: 22, remote_ip_prefix: '0.0.0.0/0' });
    await createRule({ security_group_id: sg.id, direction: 'ingress', protocol: 'tcp', port_range_min: 80, port_range_max: 80, remote_group_id: sg.id });
    const bottomId = await sync.prepareBottomSecurityGroup(pods.Pod1, sg.id, ctx);
    const copy = await bottomGroup('Pod1', sg.id);
    assert.equal(copy?.id, bottomId);
    assert.equal(copy?.description, 'web servers');
    assert.deepEqual(copy?.rules, ['egress IPv4 any - *', 'egress IPv6 any - *', 'ingress IPv4 tcp 22-22 0.0.0.0/0', 'ingress IPv4 tcp 80-80 10.0.1.0/24']);
    const routes = await tc.core.routings.findByTop(sg.id, 'security_group');
    assert.deepEqual(
      routes.map((r) => [r.podId, r.bottomId]),
      [[pods.Pod1.id, bottomId]],
    );
    assert.equal(await sync.prepareBottomSecurityGroup(pods.Pod1, sg.id, ctx), bottomId, 'a second preparation reuses the copy');
    assert.deepEqual((await bottomGroup('Pod1', sg.id))?.rules, copy?.rules);
    assert.equal(await bottomGroup('Pod2', sg.id), undefined, 'nothing is pushed to a pod before it needs the group');
  });

  test('the default group: ingress from its members becomes ingress from the tenant subnets, both families', async () => {
    const list = await top('GET', '/v2.0/security-groups?name=default');
    const def = list.body.security_groups[0];
    await sync.prepareBottomSecurityGroup(pods.Pod2, def.id, ctx);
    assert.deepEqual((await bottomGroup('Pod2', def.id))?.rules, [
      'egress IPv4 any - *',
      'egress IPv6 any - *',
      'ingress IPv4 any - 10.0.1.0/24',
      'ingress IPv6 any - 2001:db8:1::/64',
    ]);
  });

  test('a pod copy that drifted is brought back to the top rules', async () => {
    const sg = await createGroup('drift');
    const bottomId = await sync.prepareBottomSecurityGroup(pods.Pod1, sg.id, ctx);
    const stray = await http('POST', `${podNeutron('Pod1')}/v2.0/security-group-rules`, {
      token: demoToken,
      body: { security_group_rule: { security_group_id: bottomId, direction: 'ingress', protocol: 'udp', port_range_min: 1, port_range_max: 9 } },
    });
    assert.equal(stray.status, 201, stray.text);
    const egress = (await bottomGroup('Pod1', sg.id))!;
    const rules = await http('GET', `${podNeutron('Pod1')}/v2.0/security-group-rules?security_group_id=${bottomId}&direction=egress&ethertype=IPv6`, { token: demoToken });
    assert.equal((await http('DELETE', `${podNeutron('Pod1')}/v2.0/security-group-rules/${rules.body.security_group_rules[0].id}`, { token: demoToken })).status, 204);
    assert.equal(egress.rules.length, 3);
    // A boot takes a copy it found equal to the top within the last minute as still equal (a GET
    // less per boot); the group's resync (and boots after that minute) bring the pod back.
    await sync.prepareBottomSecurityGroup(pods.Pod1, sg.id, ctx);
    await sync.resyncGroup(sg.id, ctx);
    assert.deepEqual((await bottomGroup('Pod1', sg.id))?.rules, ['egress IPv4 any - *', 'egress IPv6 any - *']);
  });

  test('rule create and delete at the top are mirrored to every pod holding the group', async () => {
    const sg = await createGroup('mirror');
    await sync.prepareBottomSecurityGroup(pods.Pod1, sg.id, ctx);
    await sync.prepareBottomSecurityGroup(pods.Pod2, sg.id, ctx);
    const dns = await createRule({ security_group_id: sg.id, direction: 'ingress', protocol: 'udp', port_range_min: 53, port_range_max: 53 });
    const members = await createRule({ security_group_id: sg.id, direction: 'ingress', ethertype: 'IPv6', remote_group_id: sg.id });
    const explicit = await createRule({ security_group_id: sg.id, direction: 'ingress', ethertype: 'IPv6', remote_ip_prefix: '2001:db8:1::/64' });
    for (const region of ['Pod1', 'Pod2']) {
      assert.deepEqual((await bottomGroup(region, sg.id))?.rules, ['egress IPv4 any - *', 'egress IPv6 any - *', 'ingress IPv4 udp 53-53 *', 'ingress IPv6 any - 2001:db8:1::/64']);
    }
    assert.equal((await top('DELETE', `/v2.0/security-group-rules/${members.id}`)).status, 204);
    for (const region of ['Pod1', 'Pod2']) {
      assert.ok((await bottomGroup(region, sg.id))!.rules.includes('ingress IPv6 any - 2001:db8:1::/64'), 'still needed by the explicit rule');
    }
    assert.equal((await top('DELETE', `/v2.0/security-group-rules/${explicit.id}`)).status, 204);
    assert.equal((await top('DELETE', `/v2.0/security-group-rules/${dns.id}`)).status, 204);
    for (const region of ['Pod1', 'Pod2']) {
      assert.deepEqual((await bottomGroup(region, sg.id))?.rules, ['egress IPv4 any - *', 'egress IPv6 any - *']);
    }
  });

  test('a pod refusing a new rule rolls the change back everywhere', async () => {
    const sg = await createGroup('rollback-create');
    await sync.prepareBottomSecurityGroup(pods.Pod1, sg.id, ctx);
    await sync.prepareBottomSecurityGroup(pods.Pod2, sg.id, ctx);
    const before = await topRules(sg.id);
    await cluster.setFaults(lastPod().regionName, { errorRate: 1 });
    try {
      const res = await top('POST', '/v2.0/security-group-rules', {
        security_group_rule: { security_group_id: sg.id, direction: 'ingress', protocol: 'tcp', port_range_min: 443, port_range_max: 443 },
      });
      assert.equal(res.status, 500, res.text);
      assert.ok(res.body.NeutronError, res.text);
    } finally {
      await cluster.setFaults(lastPod().regionName, { errorRate: 0 });
    }
    assert.deepEqual(await topRules(sg.id), before, 'the top rule was removed again');
    for (const region of ['Pod1', 'Pod2']) {
      assert.deepEqual((await bottomGroup(region, sg.id))?.rules, ['egress IPv4 any - *', 'egress IPv6 any - *'], `nothing left in ${region}`);
    }
  });

  test('a pod refusing a rule delete keeps the rule at the top and puts it back in the other pods', async () => {
    const sg = await createGroup('rollback-delete');
    await sync.prepareBottomSecurityGroup(pods.Pod1, sg.id, ctx);
    await sync.prepareBottomSecurityGroup(pods.Pod2, sg.id, ctx);
    const rule = await createRule({ security_group_id: sg.id, direction: 'egress', protocol: 'tcp', port_range_min: 25, port_range_max: 25, remote_ip_prefix: '192.0.2.0/24' });
    await cluster.setFaults(lastPod().regionName, { errorRate: 1 });
    try {
      const res = await top('DELETE', `/v2.0/security-group-rules/${rule.id}`);
      assert.equal(res.status, 500, res.text);
    } finally {
      await cluster.setFaults(lastPod().regionName, { errorRate: 0 });
    }
    assert.equal((await top('GET', `/v2.0/security-group-rules/${rule.id}`)).status, 200, 'the top rule is still there');
    for (const pod of [firstPod(), lastPod()]) {
      assert.ok((await bottomGroup(pod.regionName, sg.id))!.rules.includes('egress IPv4 tcp 25-25 192.0.2.0/24'), `rule present in ${pod.regionName}`);
    }
    assert.equal((await top('DELETE', `/v2.0/security-group-rules/${rule.id}`)).status, 204);
    for (const region of ['Pod1', 'Pod2']) assert.ok(!(await bottomGroup(region, sg.id))!.rules.some((r) => r.includes('25-25')));
  });

  test('description changes reach the pods; deleting the group deletes the copies and their routes', async () => {
    const sg = await createGroup('lifecycle', 'v1');
    await sync.prepareBottomSecurityGroup(pods.Pod1, sg.id, ctx);
    await sync.prepareBottomSecurityGroup(pods.Pod2, sg.id, ctx);
    const upd = await top('PUT', `/v2.0/security-groups/${sg.id}`, { security_group: { description: 'v2' } });
    assert.equal(upd.status, 200, upd.text);
    assert.equal((await bottomGroup('Pod1', sg.id))?.description, 'v2');
    assert.equal((await bottomGroup('Pod2', sg.id))?.description, 'v2');
    assert.equal((await top('DELETE', `/v2.0/security-groups/${sg.id}`)).status, 204);
    assert.equal(await bottomGroup('Pod1', sg.id), undefined);
    assert.equal(await bottomGroup('Pod2', sg.id), undefined);
    assert.deepEqual(await tc.core.routings.findByTop(sg.id, 'security_group'), []);
  });

  test('after the tenant gets another subnet, a resync widens the remote-group expansions in the pods', async () => {
    const sg = await createGroup('resync');
    await createRule({ security_group_id: sg.id, direction: 'ingress', protocol: 'tcp', port_range_min: 8080, port_range_max: 8080, remote_group_id: sg.id });
    await sync.prepareBottomSecurityGroup(pods.Pod1, sg.id, ctx);
    assert.ok((await bottomGroup('Pod1', sg.id))!.rules.includes('ingress IPv4 tcp 8080-8080 10.0.1.0/24'));
    await addSubnet('10.0.3.0/24', 4);
    const resynced = await service.resyncRemoteGroupRules(ctx.projectId, ctx);
    assert.ok(resynced.includes(sg.id));
    const rules = (await bottomGroup('Pod1', sg.id))!.rules;
    assert.ok(rules.includes('ingress IPv4 tcp 8080-8080 10.0.1.0/24') && rules.includes('ingress IPv4 tcp 8080-8080 10.0.3.0/24'), rules.join('\n'));
  });
});
