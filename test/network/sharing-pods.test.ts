import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../../src/common/index.js';
import { copiesNamed, startPrepareHarness, type PrepareHarness } from './prepare-support.js';

/**
 * The pods' side of RBAC sharing, QoS, update pushing and trunks, against two simulated pods over real
 * HTTP: the boot path shares a copy with the server's project, and the sync jobs (run here by their
 * handlers, as a worker runs them) bring every copy to the top's state.
 */
describe('sharing, QoS, updates and trunks in the pods', () => {
  let h: PrepareHarness;

  /** Runs the job handler of `type` for `id`, as an XJob worker would. */
  const runJob = async (type: string, id: string) => {
    const handler = h.tc.wiring.jobHandlers[type];
    assert.ok(handler, `a handler for ${type}`);
    const job = { id: `job-${type}-${id}`, type, resourceId: id, resource: { id }, projectId: '', attempt: 1, createdAt: Date.now() };
    await handler.run(job, { logger: silentLogger, signal: new AbortController().signal, submit: async () => '' } as never);
  };
  const pending = async (type: string, id: string) =>
    (await h.tc.db.kysely.selectFrom('async_jobs').select('id').where('type', '=', type).where('resource_id', '=', id).execute()).length;

  before(async () => {
    h = await startPrepareHarness();
  });
  after(async () => {
    await h?.close();
  });

  test('a network shared with project B: B boots on it in Pod2, the copy is shared with B there, revoking is refused', async () => {
    const { net } = await h.network('10.41.0.0/24');
    const b = await h.altProject();
    await assert.rejects(h.preparer.prepareServerNics(b.ctx, h.pods.Pod2, [{ networkId: net.id }], { serverId: 'srv-b0' }));
    const share = await h.top('POST', '/v2.0/rbac-policies', {
      rbac_policy: { object_type: 'network', object_id: net.id, action: 'access_as_shared', target_tenant: b.projectId },
    });
    assert.equal(share.status, 201, share.text);

    const a = await h.preparer.prepareServerNics(h.ctx, h.pods.Pod1, [{ networkId: net.id }], { serverId: 'srv-a1' });
    const prepared = await h.preparer.prepareServerNics(b.ctx, h.pods.Pod2, [{ networkId: net.id }], { serverId: 'srv-b1' });
    assert.equal(prepared.nics.length, 1);
    assert.equal(a.nics.length, 1);
    const [bnet] = await copiesNamed(h, 'Pod2', 'networks', net.id);
    assert.equal(bnet.project_id, h.demoProject, 'the copy belongs to the network owner');
    const rbac = (await h.pod('Pod2', 'GET', `/v2.0/rbac-policies?object_id=${bnet.id}`)).body.rbac_policies;
    assert.deepEqual(
      rbac.map((r: any) => [r.action, r.target_tenant]),
      [['access_as_shared', b.projectId]],
    );
    const bport = (await h.pod('Pod2', 'GET', `/v2.0/ports/${prepared.nics[0].bottomPortId}`)).body.port;
    assert.equal(bport.project_id, b.projectId);
    // Pod1's copy is not shared with B (B has nothing there).
    const [pod1net] = await copiesNamed(h, 'Pod1', 'networks', net.id);
    assert.equal((await h.pod('Pod1', 'GET', `/v2.0/rbac-policies?object_id=${pod1net.id}`)).body.rbac_policies.length, 0);

    const revoke = await h.top('DELETE', `/v2.0/rbac-policies/${share.body.rbac_policy.id}`);
    assert.equal(revoke.status, 409, revoke.text);
    assert.equal(revoke.body.NeutronError.type, 'RbacPolicyInUse');

    // The sync job makes every copy's entries the top's: Pod1's copy gets B too.
    await runJob('network_sync', net.id);
    assert.equal((await h.pod('Pod1', 'GET', `/v2.0/rbac-policies?object_id=${pod1net.id}`)).body.rbac_policies.length, 1);
    await h.preparer.cleanupServerPorts(b.ctx, 'srv-b1');
    const gone = await h.top('DELETE', `/v2.0/rbac-policies/${share.body.rbac_policy.id}`);
    assert.equal(gone.status, 204, gone.text);
    assert.ok((await pending('network_sync', net.id)) >= 1);
    await runJob('network_sync', net.id);
    for (const region of ['Pod1', 'Pod2']) {
      const [copy] = await copiesNamed(h, region, 'networks', net.id);
      assert.equal((await h.pod(region, 'GET', `/v2.0/rbac-policies?object_id=${copy.id}`)).body.rbac_policies.length, 0, `${region} no longer shares it`);
    }
  });

  test('network and subnet updates reach every copy', async () => {
    const { net, subnet } = await h.network('10.42.0.0/24');
    await h.preparer.prepareServerNics(h.ctx, h.pods.Pod1, [{ networkId: net.id }], { serverId: 'srv-u1' });
    await h.preparer.prepareServerNics(h.ctx, h.pods.Pod2, [{ networkId: net.id }], { serverId: 'srv-u2' });
    assert.equal((await h.top('PUT', `/v2.0/networks/${net.id}`, { network: { mtu: 1400, name: 'renamed' } })).status, 200);
    const upd = await h.top('PUT', `/v2.0/subnets/${subnet.id}`, {
      subnet: {
        dns_nameservers: ['10.0.0.53'],
        host_routes: [{ destination: '192.168.0.0/24', nexthop: '10.42.0.254' }],
        allocation_pools: [{ start: '10.42.0.100', end: '10.42.0.200' }],
      },
    });
    assert.equal(upd.status, 200, upd.text);
    assert.ok((await pending('network_sync', net.id)) >= 1);
    await runJob('network_sync', net.id);
    for (const region of ['Pod1', 'Pod2']) {
      const [bnet] = await copiesNamed(h, region, 'networks', net.id);
      assert.equal(bnet.mtu, 1400, `${region} MTU`);
      assert.equal(bnet.name, net.id, 'copies keep their top-id names');
      const [bsub] = await copiesNamed(h, region, 'subnets', subnet.id);
      assert.deepEqual(bsub.dns_nameservers, ['10.0.0.53']);
      assert.deepEqual(bsub.host_routes, [{ destination: '192.168.0.0/24', nexthop: '10.42.0.254' }]);
      const pools = bsub.allocation_pools as { start: string; end: string }[];
      assert.ok(
        pools.every((p) => p.start >= '10.42.0.100' && p.end <= '10.42.0.200'),
        `${region} pools ${JSON.stringify(pools)}`,
      );
    }
  });

  test('a port with a QoS policy: the pod gets a copy of the policy on the port copy; rule and port changes follow', async () => {
    const { net } = await h.network('10.43.0.0/24');
    const policy = (await h.top('POST', '/v2.0/qos/policies', { policy: { name: 'bw' } })).body.policy;
    const rule = await h.top('POST', `/v2.0/qos/policies/${policy.id}/bandwidth_limit_rules`, { bandwidth_limit_rule: { max_kbps: 1000, max_burst_kbps: 100 } });
    assert.equal(rule.status, 201, rule.text);
    const port = (await h.top('POST', '/v2.0/ports', { port: { network_id: net.id, qos_policy_id: policy.id } })).body.port;
    const prepared = await h.preparer.prepareServerNics(h.ctx, h.pods.Pod1, [{ portId: port.id }], { serverId: 'srv-q1' });
    const bport = (await h.pod('Pod1', 'GET', `/v2.0/ports/${prepared.nics[0].bottomPortId}`)).body.port;
    assert.ok(bport.qos_policy_id, 'the port copy carries a policy');
    const bpolicy = (await h.pod('Pod1', 'GET', `/v2.0/qos/policies/${bport.qos_policy_id}`)).body.policy;
    assert.equal(bpolicy.name, policy.id, 'the copy is named by the top id');
    assert.deepEqual(
      bpolicy.rules.map((r: any) => [r.type, r.max_kbps, r.max_burst_kbps, r.direction]),
      [['bandwidth_limit', 1000, 100, 'egress']],
    );

    await h.top('PUT', `/v2.0/qos/policies/${policy.id}/bandwidth_limit_rules/${rule.body.bandwidth_limit_rule.id}`, { bandwidth_limit_rule: { max_kbps: 2000 } });
    await h.top('POST', `/v2.0/qos/policies/${policy.id}/dscp_marking_rules`, { dscp_marking_rule: { dscp_mark: 26 } });
    await runJob('qos_policy_sync', policy.id);
    const after = (await h.pod('Pod1', 'GET', `/v2.0/qos/policies/${bport.qos_policy_id}`)).body.policy;
    assert.deepEqual(after.rules.map((r: any) => [r.type, r.max_kbps ?? r.dscp_mark]).sort(), [
      ['bandwidth_limit', 2000],
      ['dscp_marking', 26],
    ]);

    // `port set --no-qos-policy`: the copy follows; then the policy can go, and its copy with it.
    assert.equal((await h.top('PUT', `/v2.0/ports/${port.id}`, { port: { qos_policy_id: null } })).status, 200);
    await runJob('port_sync', port.id);
    assert.equal((await h.pod('Pod1', 'GET', `/v2.0/ports/${bport.id}`)).body.port.qos_policy_id, null);
    assert.equal((await h.top('DELETE', `/v2.0/qos/policies/${policy.id}`)).status, 204);
    await runJob('qos_policy_sync', policy.id);
    assert.equal((await h.pod('Pod1', 'GET', `/v2.0/qos/policies/${bport.qos_policy_id}`)).status, 404);
    assert.deepEqual(await h.routes([policy.id]), []);
  });

  test('a trunk follows its parent port into its pod, with the subports and their networks', async () => {
    const { net } = await h.network('10.44.0.0/24');
    const { net: subNet } = await h.network('10.45.0.0/24');
    const parent = (await h.top('POST', '/v2.0/ports', { port: { network_id: net.id } })).body.port;
    const child = (await h.top('POST', '/v2.0/ports', { port: { network_id: subNet.id } })).body.port;
    const trunk = await h.top('POST', '/v2.0/trunks', {
      trunk: { name: 't', port_id: parent.id, sub_ports: [{ port_id: child.id, segmentation_type: 'vlan', segmentation_id: 100 }] },
    });
    assert.equal(trunk.status, 201, trunk.text);
    const trunkId = trunk.body.trunk.id;
    // Nothing in any pod before the parent port is.
    await runJob('trunk_sync', trunkId);
    assert.deepEqual(await h.routes([trunkId]), []);

    const prepared = await h.preparer.prepareServerNics(h.ctx, h.pods.Pod2, [{ portId: parent.id }], { serverId: 'srv-t1' });
    assert.ok((await pending('trunk_sync', trunkId)) >= 1, 'the boot asked for the trunk');
    await runJob('trunk_sync', trunkId);
    const btrunks = (await h.pod('Pod2', 'GET', `/v2.0/trunks?name=${trunkId}`)).body.trunks;
    assert.equal(btrunks.length, 1);
    assert.equal(btrunks[0].port_id, prepared.nics[0].bottomPortId);
    const [subCopy] = await copiesNamed(h, 'Pod2', 'ports', child.id);
    assert.ok(subCopy, 'the subport is copied into the parent port pod');
    assert.deepEqual(btrunks[0].sub_ports, [{ port_id: subCopy.id, segmentation_type: 'vlan', segmentation_id: 100 }]);
    assert.equal((await copiesNamed(h, 'Pod2', 'networks', subNet.id)).length, 1, "the subport's network is prepared there");

    // Removing the subport at the top removes it from the pod's trunk; deleting the trunk removes it.
    await h.top('PUT', `/v2.0/trunks/${trunkId}/remove_subports`, { sub_ports: [{ port_id: child.id }] });
    await runJob('trunk_sync', trunkId);
    assert.deepEqual((await h.pod('Pod2', 'GET', `/v2.0/trunks?name=${trunkId}`)).body.trunks[0].sub_ports, []);
    assert.equal((await h.top('DELETE', `/v2.0/trunks/${trunkId}`)).status, 204);
    await runJob('trunk_sync', trunkId);
    assert.equal((await h.pod('Pod2', 'GET', `/v2.0/trunks?name=${trunkId}`)).body.trunks.length, 0);
  });

  test('port bindings are admin-only and routed to the port pod', async () => {
    const { net } = await h.network('10.46.0.0/24');
    const port = (await h.top('POST', '/v2.0/ports', { port: { network_id: net.id } })).body.port;
    assert.equal((await h.top('GET', `/v2.0/ports/${port.id}/bindings`)).status, 403);
    assert.deepEqual((await h.top('GET', `/v2.0/ports/${port.id}/bindings`, undefined, h.adminToken)).body.bindings, []);
    const early = await h.top('POST', `/v2.0/ports/${port.id}/bindings`, { binding: { host: 'h1' } }, h.adminToken);
    assert.equal(early.status, 400, early.text);

    const prepared = await h.preparer.prepareServerNics(h.ctx, h.pods.Pod1, [{ portId: port.id }], { serverId: 'srv-bind' });
    const first = await h.top('POST', `/v2.0/ports/${port.id}/bindings`, { binding: { host: 'host-a' } }, h.adminToken);
    assert.equal(first.status, 201, first.text);
    assert.equal(first.body.binding.status, 'ACTIVE');
    const second = await h.top('POST', `/v2.0/ports/${port.id}/bindings`, { binding: { host: 'host-b' } }, h.adminToken);
    assert.equal(second.body.binding.status, 'INACTIVE');
    const dup = await h.top('POST', `/v2.0/ports/${port.id}/bindings`, { binding: { host: 'host-b' } }, h.adminToken);
    assert.equal(dup.status, 409);
    assert.equal(dup.body.NeutronError.type, 'PortBindingAlreadyExists');
    const act = await h.top('PUT', `/v2.0/ports/${port.id}/bindings/host-b/activate`, undefined, h.adminToken);
    assert.equal(act.status, 200, act.text);
    assert.equal((await h.pod('Pod1', 'GET', `/v2.0/ports/${prepared.nics[0].bottomPortId}`)).body.port['binding:host_id'], 'host-b', 'the pod copy is bound');
    const list = (await h.top('GET', `/v2.0/ports/${port.id}/bindings`, undefined, h.adminToken)).body.bindings;
    assert.deepEqual(list.map((b: any) => [b.host, b.status]).sort(), [
      ['host-a', 'INACTIVE'],
      ['host-b', 'ACTIVE'],
    ]);
    assert.equal((await h.top('DELETE', `/v2.0/ports/${port.id}/bindings/host-a`, undefined, h.adminToken)).status, 204);
    assert.equal((await h.top('DELETE', `/v2.0/ports/${port.id}/bindings/host-a`, undefined, h.adminToken)).status, 404);
  });
});
