import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDatabase } from '../support/databases.js';
import { ADMIN, ALICE, BOB, neutronError, startNeutron, type NeutronHarness } from './support.js';

const CAROL = { 'x-user-id': 'carol', 'x-project-id': 'p-carol', 'x-roles': 'member' };

describeEachDatabase('top Neutron: RBAC policies and QoS', (dialect) => {
  let h: NeutronHarness;
  let net: string;

  const jobs = (type: string, id: string) => h.tc.db.kysely.selectFrom('async_jobs').selectAll().where('type', '=', type).where('resource_id', '=', id).execute();

  before(async () => {
    h = await startNeutron(dialect);
    await h.addPods({ Pod1: 'az1', Pod2: 'az2' });
    net = (await h.call('POST', '/v2.0/networks', { network: { name: 'alice-net' } }, ALICE)).body.network.id;
    assert.equal((await h.call('POST', '/v2.0/subnets', { subnet: { network_id: net, ip_version: 4, cidr: '10.9.0.0/24' } }, ALICE)).status, 201);
  });
  after(() => h?.close());

  test('sharing a network with one project: it sees it, uses it, and revoking is refused while it does', async () => {
    neutronError(await h.call('GET', `/v2.0/networks/${net}`, undefined, BOB), 404, 'NetworkNotFound');
    neutronError(await h.call('POST', '/v2.0/ports', { port: { network_id: net } }, BOB), 404);
    // Bob cannot share Alice's network, nor can Alice share with everyone.
    neutronError(
      await h.call('POST', '/v2.0/rbac-policies', { rbac_policy: { object_type: 'network', object_id: net, action: 'access_as_shared', target_tenant: 'p-bob' } }, BOB),
      404,
      'NetworkNotFound',
    );
    neutronError(
      await h.call('POST', '/v2.0/rbac-policies', { rbac_policy: { object_type: 'network', object_id: net, action: 'access_as_shared', target_tenant: '*' } }, ALICE),
      403,
      'PolicyNotAuthorized',
    );
    neutronError(
      await h.call('POST', '/v2.0/rbac-policies', { rbac_policy: { object_type: 'router', object_id: net, action: 'access_as_shared', target_tenant: 'x' } }, ALICE),
      400,
    );

    const created = await h.call(
      'POST',
      '/v2.0/rbac-policies',
      { rbac_policy: { object_type: 'network', object_id: net, action: 'access_as_shared', target_tenant: 'p-bob' } },
      ALICE,
    );
    assert.equal(created.status, 201, created.text);
    // Bob sees it now but does not own it: sharing it on is refused with 400 InvalidInput, as upstream.
    neutronError(
      await h.call('POST', '/v2.0/rbac-policies', { rbac_policy: { object_type: 'network', object_id: net, action: 'access_as_shared', target_tenant: 'p-carol' } }, BOB),
      400,
      'InvalidInput',
    );
    const rbac = created.body.rbac_policy;
    assert.deepEqual(
      { ...rbac, id: undefined, created_at: undefined, updated_at: undefined },
      {
        id: undefined,
        project_id: 'p-alice',
        tenant_id: 'p-alice',
        object_type: 'network',
        object_id: net,
        action: 'access_as_shared',
        target_tenant: 'p-bob',
        created_at: undefined,
        updated_at: undefined,
      },
    );
    neutronError(
      await h.call('POST', '/v2.0/rbac-policies', { rbac_policy: { object_type: 'network', object_id: net, action: 'access_as_shared', target_tenant: 'p-bob' } }, ALICE),
      409,
      'DuplicateRbacPolicy',
    );
    // The pods follow through a job.
    assert.ok((await jobs('network_sync', net)).length >= 1);

    // Bob sees the network and its subnet (Carol does not), and may make a port on it.
    assert.equal((await h.call('GET', `/v2.0/networks/${net}`, undefined, BOB)).status, 200);
    assert.equal((await h.call('GET', `/v2.0/subnets?network_id=${net}`, undefined, BOB)).body.subnets.length, 1);
    assert.equal((await h.call('GET', `/v2.0/networks/${net}`, undefined, CAROL)).status, 404);
    assert.equal((await h.call('GET', `/v2.0/networks/${net}`, undefined, BOB)).body.network.shared, false);
    const port = await h.call('POST', '/v2.0/ports', { port: { network_id: net } }, BOB);
    assert.equal(port.status, 201, port.text);

    // Only the owner (and admins) see the entry; filters work.
    assert.equal((await h.call('GET', '/v2.0/rbac-policies', undefined, BOB)).body.rbac_policies.length, 0);
    const listed = (await h.call('GET', `/v2.0/rbac-policies?object_id=${net}&action=access_as_shared`, undefined, ALICE)).body.rbac_policies;
    assert.deepEqual(
      listed.map((r: any) => r.id),
      [rbac.id],
    );
    neutronError(await h.call('GET', '/v2.0/rbac-policies?bogus=1', undefined, ALICE), 400);

    // Revoking (or retargeting) while Bob's port is there: 409; after it is gone: 204.
    neutronError(await h.call('DELETE', `/v2.0/rbac-policies/${rbac.id}`, undefined, ALICE), 409, 'RbacPolicyInUse');
    neutronError(await h.call('PUT', `/v2.0/rbac-policies/${rbac.id}`, { rbac_policy: { target_tenant: 'p-carol' } }, ALICE), 409, 'RbacPolicyInUse');
    assert.equal((await h.call('DELETE', `/v2.0/ports/${port.body.port.id}`, undefined, BOB)).status, 204);
    const moved = await h.call('PUT', `/v2.0/rbac-policies/${rbac.id}`, { rbac_policy: { target_tenant: 'p-carol' } }, ALICE);
    assert.equal(moved.status, 200, moved.text);
    assert.equal(moved.body.rbac_policy.target_tenant, 'p-carol');
    assert.equal((await h.call('GET', `/v2.0/networks/${net}`, undefined, BOB)).status, 404);
    assert.equal((await h.call('GET', `/v2.0/networks/${net}`, undefined, CAROL)).status, 200);
    assert.equal((await h.call('DELETE', `/v2.0/rbac-policies/${rbac.id}`, undefined, ALICE)).status, 204);
    neutronError(await h.call('GET', `/v2.0/rbac-policies/${rbac.id}`, undefined, ALICE), 404, 'RbacPolicyNotFound');
  });

  test('a wildcard entry is the network shared flag, both ways', async () => {
    const wild = await h.call('POST', '/v2.0/rbac-policies', { rbac_policy: { object_type: 'network', object_id: net, action: 'access_as_shared', target_tenant: '*' } }, ADMIN);
    assert.equal(wild.status, 201, wild.text);
    assert.equal((await h.call('GET', `/v2.0/networks/${net}`, undefined, ALICE)).body.network.shared, true);
    assert.equal((await h.call('GET', `/v2.0/networks/${net}`, undefined, CAROL)).status, 200);
    assert.equal((await h.call('DELETE', `/v2.0/rbac-policies/${wild.body.rbac_policy.id}`, undefined, ADMIN)).status, 204);
    assert.equal((await h.call('GET', `/v2.0/networks/${net}`, undefined, ALICE)).body.network.shared, false);

    const shared = await h.call('POST', '/v2.0/networks', { network: { name: 'shared', shared: true } }, ADMIN);
    const entries = (await h.call('GET', `/v2.0/rbac-policies?object_id=${shared.body.network.id}`, undefined, ADMIN)).body.rbac_policies;
    assert.deepEqual(
      entries.map((e: any) => [e.action, e.target_tenant]),
      [['access_as_shared', '*']],
    );
    await h.call('PUT', `/v2.0/networks/${shared.body.network.id}`, { network: { shared: false } }, ADMIN);
    assert.equal((await h.call('GET', `/v2.0/rbac-policies?object_id=${shared.body.network.id}`, undefined, ADMIN)).body.rbac_policies.length, 0);
  });

  test('QoS policies and their rules, as upstream', async () => {
    const created = await h.call('POST', '/v2.0/qos/policies', { policy: { name: 'gold', description: 'fast' } }, ALICE);
    assert.equal(created.status, 201, created.text);
    const policy = created.body.policy;
    assert.equal(policy.name, 'gold');
    assert.equal(policy.shared, false);
    assert.equal(policy.is_default, false);
    assert.deepEqual(policy.rules, []);
    assert.equal(policy.project_id, 'p-alice');
    assert.equal(policy.revision_number, 1);

    const bw = await h.call('POST', `/v2.0/qos/policies/${policy.id}/bandwidth_limit_rules`, { bandwidth_limit_rule: { max_kbps: 10000 } }, ALICE);
    assert.equal(bw.status, 201, bw.text);
    assert.deepEqual({ ...bw.body.bandwidth_limit_rule, id: undefined }, { id: undefined, max_kbps: 10000, max_burst_kbps: 0, direction: 'egress' });
    neutronError(await h.call('POST', `/v2.0/qos/policies/${policy.id}/bandwidth_limit_rules`, { bandwidth_limit_rule: { max_kbps: 5 } }, ALICE), 409);
    const ingress = await h.call('POST', `/v2.0/qos/policies/${policy.id}/bandwidth_limit_rules`, { bandwidth_limit_rule: { max_kbps: 5, direction: 'ingress' } }, ALICE);
    assert.equal(ingress.status, 201);
    neutronError(await h.call('POST', `/v2.0/qos/policies/${policy.id}/dscp_marking_rules`, { dscp_marking_rule: { dscp_mark: 7 } }, ALICE), 400);
    const dscp = await h.call('POST', `/v2.0/qos/policies/${policy.id}/dscp_marking_rules`, { dscp_marking_rule: { dscp_mark: 26 } }, ALICE);
    assert.deepEqual(Object.keys(dscp.body.dscp_marking_rule).sort(), ['dscp_mark', 'id']);
    const minbw = await h.call('POST', `/v2.0/qos/policies/${policy.id}/minimum_bandwidth_rules`, { minimum_bandwidth_rule: { min_kbps: 1000 } }, ALICE);
    assert.equal(minbw.status, 201);
    const minpps = await h.call('POST', `/v2.0/qos/policies/${policy.id}/minimum_packet_rate_rules`, { minimum_packet_rate_rule: { min_kpps: 100, direction: 'any' } }, ALICE);
    assert.equal(minpps.status, 201, minpps.text);
    const prl = await h.call('POST', `/v2.0/qos/policies/${policy.id}/packet_rate_limit_rules`, { packet_rate_limit_rule: { max_kpps: 50 } }, ALICE);
    assert.equal(prl.status, 201, prl.text);

    const shown = (await h.call('GET', `/v2.0/qos/policies/${policy.id}`, undefined, ALICE)).body.policy;
    assert.deepEqual(shown.rules.map((r: any) => r.type).sort(), [
      'bandwidth_limit',
      'bandwidth_limit',
      'dscp_marking',
      'minimum_bandwidth',
      'minimum_packet_rate',
      'packet_rate_limit',
    ]);
    assert.ok(shown.rules.every((r: any) => r.qos_policy_id === policy.id));
    assert.equal(shown.revision_number, 7);

    const upd = await h.call(
      'PUT',
      `/v2.0/qos/policies/${policy.id}/bandwidth_limit_rules/${bw.body.bandwidth_limit_rule.id}`,
      { bandwidth_limit_rule: { max_kbps: 2000 } },
      ALICE,
    );
    assert.equal(upd.body.bandwidth_limit_rule.max_kbps, 2000);
    const alias = await h.call('GET', `/v2.0/qos/alias_bandwidth_limit_rules/${bw.body.bandwidth_limit_rule.id}`, undefined, ALICE);
    assert.equal(alias.status, 200, alias.text);
    assert.equal(alias.body.alias_bandwidth_limit_rule.qos_policy_id, policy.id);
    assert.equal((await h.call('GET', `/v2.0/qos/alias_bandwidth_limit_rules/${bw.body.bandwidth_limit_rule.id}`, undefined, BOB)).status, 404);
    assert.equal((await h.call('DELETE', `/v2.0/qos/alias_dscp_marking_rules/${dscp.body.dscp_marking_rule.id}`, undefined, ALICE)).status, 204);
    assert.equal((await h.call('GET', `/v2.0/qos/policies/${policy.id}/dscp_marking_rules`, undefined, ALICE)).body.dscp_marking_rules.length, 0);
    assert.ok((await jobs('qos_policy_sync', policy.id)).length >= 1);

    // Rule types: everyone lists them, details are admin-only.
    const types = (await h.call('GET', '/v2.0/qos/rule-types', undefined, BOB)).body.rule_types.map((t: any) => t.type);
    assert.deepEqual(types.sort(), ['bandwidth_limit', 'dscp_marking', 'minimum_bandwidth', 'minimum_packet_rate', 'packet_rate_limit']);
    neutronError(await h.call('GET', '/v2.0/qos/rule-types/bandwidth_limit', undefined, BOB), 403);
    assert.equal((await h.call('GET', '/v2.0/qos/rule-types/bandwidth_limit', undefined, ADMIN)).body.rule_type.type, 'bandwidth_limit');

    // Bob does not see it until it is shared with him; then his port may use it, and revoking is refused.
    neutronError(await h.call('GET', `/v2.0/qos/policies/${policy.id}`, undefined, BOB), 404, 'QosPolicyNotFound');
    const bobNet = (await h.call('POST', '/v2.0/networks', { network: { name: 'bob' } }, BOB)).body.network.id;
    neutronError(await h.call('POST', '/v2.0/ports', { port: { network_id: bobNet, qos_policy_id: policy.id } }, BOB), 404, 'QosPolicyNotFound');
    const share = await h.call(
      'POST',
      '/v2.0/rbac-policies',
      { rbac_policy: { object_type: 'qos_policy', object_id: policy.id, action: 'access_as_shared', target_tenant: 'p-bob' } },
      ALICE,
    );
    assert.equal(share.status, 201, share.text);
    const port = await h.call('POST', '/v2.0/ports', { port: { network_id: bobNet, qos_policy_id: policy.id } }, BOB);
    assert.equal(port.status, 201, port.text);
    assert.equal(port.body.port.qos_policy_id, policy.id);
    neutronError(await h.call('DELETE', `/v2.0/rbac-policies/${share.body.rbac_policy.id}`, undefined, ALICE), 409, 'RbacPolicyInUse');
    neutronError(await h.call('DELETE', `/v2.0/qos/policies/${policy.id}`, undefined, ALICE), 409, 'QosPolicyInUse');
    const cleared = await h.call('PUT', `/v2.0/ports/${port.body.port.id}`, { port: { qos_policy_id: null } }, BOB);
    assert.equal(cleared.body.port.qos_policy_id, null);
    assert.ok((await jobs('port_sync', port.body.port.id)).length >= 1);

    // A network carries one too; the filter finds it.
    const qnet = await h.call('POST', '/v2.0/networks', { network: { name: 'q', qos_policy_id: policy.id } }, ALICE);
    assert.equal(qnet.body.network.qos_policy_id, policy.id);
    assert.equal((await h.call('GET', `/v2.0/networks?qos_policy_id=${policy.id}`, undefined, ALICE)).body.networks.length, 1);
    await h.call('PUT', `/v2.0/networks/${qnet.body.network.id}`, { network: { qos_policy_id: null } }, ALICE);

    assert.equal((await h.call('DELETE', `/v2.0/rbac-policies/${share.body.rbac_policy.id}`, undefined, ALICE)).status, 204);
    assert.equal((await h.call('DELETE', `/v2.0/qos/policies/${policy.id}`, undefined, ALICE)).status, 204);
    neutronError(await h.call('GET', `/v2.0/qos/policies/${policy.id}`, undefined, ALICE), 404, 'QosPolicyNotFound');
  });

  test('one default QoS policy per project; shared policies need admin', async () => {
    const a = await h.call('POST', '/v2.0/qos/policies', { policy: { name: 'd1', is_default: true } }, ALICE);
    assert.equal(a.status, 201);
    neutronError(await h.call('POST', '/v2.0/qos/policies', { policy: { name: 'd2', is_default: true } }, ALICE), 409);
    neutronError(await h.call('POST', '/v2.0/qos/policies', { policy: { name: 's', shared: true } }, ALICE), 403);
    const s = await h.call('POST', '/v2.0/qos/policies', { policy: { name: 's', shared: true } }, ADMIN);
    assert.equal((await h.call('GET', `/v2.0/qos/policies/${s.body.policy.id}`, undefined, BOB)).body.policy.shared, true);
    const page = await h.call('GET', '/v2.0/qos/policies?limit=1&sort_key=name&sort_dir=asc', undefined, ADMIN);
    assert.equal(page.body.policies.length, 1);
    assert.equal(page.body.policies_links[0].rel, 'next');
  });

  test('QoS policy tags through /v2.0/qos/policies/{id}/tags: the owner tags, others may not, the view and filters follow', async () => {
    const p = (await h.call('POST', '/v2.0/qos/policies', { policy: { name: 'tagged' } }, ALICE)).body.policy;
    const put = await h.call('PUT', `/v2.0/qos/policies/${p.id}/tags`, { tags: ['gold', 'red'] }, ALICE);
    assert.equal(put.status, 200, put.text);
    assert.deepEqual(put.body.tags, ['gold', 'red']);
    assert.equal((await h.call('PUT', `/v2.0/qos/policies/${p.id}/tags/blue`, undefined, ALICE)).status, 201);
    assert.deepEqual((await h.call('GET', `/v2.0/qos/policies/${p.id}/tags`, undefined, ALICE)).body.tags, ['blue', 'gold', 'red']);
    assert.equal((await h.call('GET', `/v2.0/qos/policies/${p.id}/tags/gold`, undefined, ALICE)).status, 204);
    assert.deepEqual((await h.call('GET', `/v2.0/qos/policies/${p.id}`, undefined, ALICE)).body.policy.tags, ['blue', 'gold', 'red']);
    assert.deepEqual(
      (await h.call('GET', '/v2.0/qos/policies?tags=gold', undefined, ALICE)).body.policies.map((x: { id: string }) => x.id),
      [p.id],
    );
    neutronError(await h.call('GET', `/v2.0/qos/policies/${p.id}/tags`, undefined, BOB), 404, 'QosPolicyNotFound');
    assert.equal((await h.call('DELETE', `/v2.0/qos/policies/${p.id}/tags/red`, undefined, ALICE)).status, 204);
    neutronError(await h.call('DELETE', `/v2.0/qos/policies/${p.id}/tags/red`, undefined, ALICE), 404);
    assert.equal((await h.call('DELETE', `/v2.0/qos/policies/${p.id}/tags`, undefined, ALICE)).status, 204);
    assert.deepEqual((await h.call('GET', `/v2.0/qos/policies/${p.id}/tags`, undefined, ALICE)).body.tags, []);
  });
});
