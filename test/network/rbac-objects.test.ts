/**
 * RBAC sharing of security groups, address scopes and subnet pools (object types beside networks and
 * QoS policies): the target project sees and uses the object but cannot change it; revoking is refused
 * (409 RbacPolicyInUse) while the target uses it; deleting the object takes its entries along.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDatabase } from '../support/databases.js';
import { ADMIN, ALICE, BOB, neutronError, startNeutron, type NeutronHarness } from './support.js';

describeEachDatabase('top Neutron: RBAC sharing of security groups, address scopes and subnet pools', (dialect) => {
  let h: NeutronHarness;
  before(async () => {
    h = await startNeutron(dialect);
  });
  after(() => h?.close());

  const share = (objectType: string, objectId: string, who = ALICE, target = 'p-bob') =>
    h.call('POST', '/v2.0/rbac-policies', { rbac_policy: { object_type: objectType, object_id: objectId, action: 'access_as_shared', target_tenant: target } }, who);

  test('object types and actions are checked', async () => {
    const sg = (await h.call('POST', '/v2.0/security-groups', { security_group: { name: 'x' } }, ALICE)).body.security_group;
    neutronError(
      await h.call(
        'POST',
        '/v2.0/rbac-policies',
        { rbac_policy: { object_type: 'security_group', object_id: sg.id, action: 'access_as_external', target_tenant: 'p-bob' } },
        ALICE,
      ),
      400,
    );
    neutronError(await share('security_group', sg.id, BOB), 404, 'SecurityGroupNotFound');
    neutronError(await share('subnetpool', sg.id), 404, 'SubnetPoolNotFound');
    neutronError(await share('address_scope', sg.id), 404, 'AddressScopeNotFound');
    neutronError(await share('security_group', sg.id, ALICE, '*'), 403, 'PolicyNotAuthorized');
  });

  test('a shared security group: Bob sees it and its rules, puts it on his port, cannot change it; revoking waits for the port', async () => {
    const sg = (await h.call('POST', '/v2.0/security-groups', { security_group: { name: 'web' } }, ALICE)).body.security_group;
    neutronError(await h.call('GET', `/v2.0/security-groups/${sg.id}`, undefined, BOB), 404, 'SecurityGroupNotFound');
    const entry = await share('security_group', sg.id);
    assert.equal(entry.status, 201, entry.text);
    assert.equal(entry.body.rbac_policy.object_type, 'security_group');
    const seen = await h.call('GET', `/v2.0/security-groups/${sg.id}`, undefined, BOB);
    assert.equal(seen.status, 200, seen.text);
    assert.ok((await h.call('GET', '/v2.0/security-groups', undefined, BOB)).body.security_groups.some((g: { id: string }) => g.id === sg.id));
    const ruleIds = (seen.body.security_group.security_group_rules as { id: string }[]).map((r) => r.id);
    const listed = (await h.call('GET', `/v2.0/security-group-rules?security_group_id=${sg.id}`, undefined, BOB)).body.security_group_rules;
    assert.deepEqual(listed.map((r: { id: string }) => r.id).sort(), [...ruleIds].sort());

    neutronError(await h.call('PUT', `/v2.0/security-groups/${sg.id}`, { security_group: { name: 'mine' } }, BOB), 403, 'PolicyNotAuthorized');
    neutronError(
      await h.call('POST', '/v2.0/security-group-rules', { security_group_rule: { security_group_id: sg.id, direction: 'ingress', protocol: 'tcp' } }, BOB),
      403,
      'PolicyNotAuthorized',
    );
    neutronError(await h.call('DELETE', `/v2.0/security-group-rules/${ruleIds[0]}`, undefined, BOB), 403, 'PolicyNotAuthorized');
    neutronError(await h.call('DELETE', `/v2.0/security-groups/${sg.id}`, undefined, BOB), 403, 'PolicyNotAuthorized');

    const net = (await h.call('POST', '/v2.0/networks', { network: { name: 'bob-net' } }, BOB)).body.network.id;
    const port = await h.call('POST', '/v2.0/ports', { port: { network_id: net, security_groups: [sg.id] } }, BOB);
    assert.equal(port.status, 201, port.text);
    const inUse = neutronError(await h.call('DELETE', `/v2.0/rbac-policies/${entry.body.rbac_policy.id}`, undefined, ALICE), 409, 'RbacPolicyInUse');
    assert.match(inUse.message, /p-bob/);
    assert.equal((await h.call('DELETE', `/v2.0/ports/${port.body.port.id}`, undefined, BOB)).status, 204);
    assert.equal((await h.call('DELETE', `/v2.0/rbac-policies/${entry.body.rbac_policy.id}`, undefined, ALICE)).status, 204);
    neutronError(await h.call('GET', `/v2.0/security-groups/${sg.id}`, undefined, BOB), 404, 'SecurityGroupNotFound');
    neutronError(await h.call('POST', '/v2.0/ports', { port: { network_id: net, security_groups: [sg.id] } }, BOB), 404, 'SecurityGroupNotFound');

    // Deleting the group takes its entries along.
    assert.equal((await share('security_group', sg.id)).status, 201);
    assert.equal((await h.call('DELETE', `/v2.0/security-groups/${sg.id}`, undefined, ALICE)).status, 204);
    assert.equal((await h.call('GET', `/v2.0/rbac-policies?object_id=${sg.id}`, undefined, ALICE)).body.rbac_policies.length, 0);
  });

  test('a shared address scope and subnet pool: Bob joins the scope with his pool and carves a subnet from the shared pool', async () => {
    const scope = (await h.call('POST', '/v2.0/address-scopes', { address_scope: { name: 'scope', ip_version: 4 } }, ALICE)).body.address_scope;
    neutronError(
      await h.call('POST', '/v2.0/subnetpools', { subnetpool: { name: 'b', prefixes: ['10.40.0.0/16'], address_scope_id: scope.id } }, BOB),
      404,
      'AddressScopeNotFound',
    );
    const scopeEntry = (await share('address_scope', scope.id)).body.rbac_policy;
    const seenScope = await h.call('GET', `/v2.0/address-scopes/${scope.id}`, undefined, BOB);
    assert.equal(seenScope.status, 200, seenScope.text);
    assert.equal(seenScope.body.address_scope.shared, false, 'an entry for one project is not the shared flag');
    neutronError(await h.call('PUT', `/v2.0/address-scopes/${scope.id}`, { address_scope: { name: 'b' } }, BOB), 403);
    const bobPool = await h.call('POST', '/v2.0/subnetpools', { subnetpool: { name: 'b', prefixes: ['10.40.0.0/16'], address_scope_id: scope.id } }, BOB);
    assert.equal(bobPool.status, 201, bobPool.text);
    neutronError(await h.call('DELETE', `/v2.0/rbac-policies/${scopeEntry.id}`, undefined, ALICE), 409, 'RbacPolicyInUse');

    const pool = (await h.call('POST', '/v2.0/subnetpools', { subnetpool: { name: 'a', prefixes: ['10.50.0.0/16'], default_prefixlen: 24 } }, ALICE)).body.subnetpool;
    const net = (await h.call('POST', '/v2.0/networks', { network: { name: 'bob-pool-net' } }, BOB)).body.network.id;
    neutronError(await h.call('POST', '/v2.0/subnets', { subnet: { network_id: net, ip_version: 4, subnetpool_id: pool.id } }, BOB), 404, 'SubnetPoolNotFound');
    const poolEntry = (await share('subnetpool', pool.id)).body.rbac_policy;
    assert.ok((await h.call('GET', '/v2.0/subnetpools', undefined, BOB)).body.subnetpools.some((p: { id: string }) => p.id === pool.id));
    const subnet = await h.call('POST', '/v2.0/subnets', { subnet: { network_id: net, ip_version: 4, subnetpool_id: pool.id } }, BOB);
    assert.equal(subnet.status, 201, subnet.text);
    assert.match(subnet.body.subnet.cidr, /^10\.50\.\d+\.0\/24$/);
    neutronError(await h.call('DELETE', `/v2.0/rbac-policies/${poolEntry.id}`, undefined, ALICE), 409, 'RbacPolicyInUse');
    assert.equal((await h.call('DELETE', `/v2.0/subnets/${subnet.body.subnet.id}`, undefined, BOB)).status, 204);
    assert.equal((await h.call('DELETE', `/v2.0/rbac-policies/${poolEntry.id}`, undefined, ALICE)).status, 204);
    neutronError(await h.call('GET', `/v2.0/subnetpools/${pool.id}`, undefined, BOB), 404, 'SubnetPoolNotFound');

    // A wildcard entry (admin) is the shared flag; removing it clears the flag.
    const wild = await share('subnetpool', pool.id, ADMIN, '*');
    assert.equal(wild.status, 201, wild.text);
    assert.equal((await h.call('GET', `/v2.0/subnetpools/${pool.id}`, undefined, BOB)).body.subnetpool.shared, true);
    assert.equal((await h.call('DELETE', `/v2.0/rbac-policies/${wild.body.rbac_policy.id}`)).status, 204);
    assert.equal((await h.call('GET', `/v2.0/subnetpools/${pool.id}`)).body.subnetpool.shared, false);
    assert.equal((await h.call('DELETE', `/v2.0/subnetpools/${pool.id}`, undefined, ALICE)).status, 204);
    assert.equal((await h.call('GET', `/v2.0/rbac-policies?object_id=${pool.id}`)).body.rbac_policies.length, 0);
  });
});
