import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startPrepareHarness, type PrepareHarness } from './prepare-support.js';

describe('top Neutron: agents and their schedulers, gathered from the pods', () => {
  let h: PrepareHarness;
  /** The top Neutron as admin. */
  let top: PrepareHarness['top'];
  before(async () => {
    h = await startPrepareHarness();
    top = (method, path, body, token = h.adminToken) => h.top(method, path, body, token);
  });
  after(async () => h?.close());

  test('agents of every pod, tagged by region; filters; admin only', async () => {
    const res = await top('GET', '/v2.0/agents');
    assert.equal(res.status, 200, res.text);
    const agents = res.body.agents as any[];
    const pod1 = (await h.pod('Pod1', 'GET', '/v2.0/agents')).body.agents as any[];
    const pod2 = (await h.pod('Pod2', 'GET', '/v2.0/agents')).body.agents as any[];
    assert.equal(agents.length, pod1.length + pod2.length);
    assert.ok(pod1.length >= 2);
    for (const a of pod1) assert.equal(agents.find((x) => x.id === a.id)['tricircle:region'], 'Pod1');
    assert.equal(res.headers['x-tricircle-unavailable-pods'], undefined);
    const dhcp = await top('GET', '/v2.0/agents?agent_type=DHCP%20agent&fields=id&fields=tricircle:region');
    assert.deepEqual(dhcp.body.agents.map((a: any) => a['tricircle:region']).sort(), ['Pod1', 'Pod2']);
    assert.deepEqual(Object.keys(dhcp.body.agents[0]).sort(), ['id', 'tricircle:region']);
    const asMember = await h.top('GET', '/v2.0/agents');
    assert.equal(asMember.status, 200, 'a member lists no agents (upstream filters them out by policy)');
    assert.deepEqual(asMember.body.agents, []);

    const one = await top('GET', `/v2.0/agents/${pod2[0].id}`);
    assert.equal(one.body.agent['tricircle:region'], 'Pod2');
    const upd = await top('PUT', `/v2.0/agents/${pod2[0].id}`, { agent: { description: 'maintenance' } });
    assert.equal(upd.status, 200, upd.text);
    assert.equal((await h.pod('Pod2', 'GET', `/v2.0/agents/${pod2[0].id}`)).body.agent.description, 'maintenance');
    assert.equal((await top('PUT', `/v2.0/agents/${pod2[0].id}`, { agent: { host: 'x' } })).status, 400);
    const missing = await top('GET', '/v2.0/agents/00000000-0000-4000-8000-000000000000');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.NeutronError.type, 'AgentNotFound');
  });

  test('DHCP scheduling speaks top ids; a network is hosted in the pods holding its copies', async () => {
    const { net } = await h.network('10.77.0.0/24');
    await h.preparer.prepareServerNics(h.ctx, h.pods.Pod1, [{ networkId: net.id }], { serverId: 'srv-agents' });
    const dhcp1 = ((await h.pod('Pod1', 'GET', '/v2.0/agents?agent_type=DHCP%20agent')).body.agents as any[])[0];
    const hosted = await top('GET', `/v2.0/agents/${dhcp1.id}/dhcp-networks`);
    assert.equal(hosted.status, 200, hosted.text);
    assert.ok(
      hosted.body.networks.some((n: any) => n.id === net.id),
      'the top id, not the pod copy',
    );
    const agents = await top('GET', `/v2.0/networks/${net.id}/dhcp-agents`);
    assert.deepEqual(
      agents.body.agents.map((a: any) => a['tricircle:region']),
      ['Pod1'],
    );

    assert.equal((await top('DELETE', `/v2.0/agents/${dhcp1.id}/dhcp-networks/${net.id}`)).status, 204);
    assert.ok(!(await top('GET', `/v2.0/agents/${dhcp1.id}/dhcp-networks`)).body.networks.some((n: any) => n.id === net.id));
    assert.equal((await top('GET', `/v2.0/networks/${net.id}/dhcp-agents`)).body.agents.length, 0);
    assert.equal((await top('POST', `/v2.0/agents/${dhcp1.id}/dhcp-networks`, { network_id: net.id })).status, 201);
    assert.equal((await top('GET', `/v2.0/networks/${net.id}/dhcp-agents`)).body.agents.length, 1);

    // Pod2 has no copy: adding the network to Pod2's agent copies it there first, subnets included.
    const dhcp2 = ((await h.pod('Pod2', 'GET', '/v2.0/agents?agent_type=DHCP%20agent')).body.agents as any[])[0];
    assert.equal((await h.pod('Pod2', 'GET', `/v2.0/networks?name=${net.id}`)).body.networks.length, 0);
    const added = await top('POST', `/v2.0/agents/${dhcp2.id}/dhcp-networks`, { network_id: net.id });
    assert.equal(added.status, 201, added.text);
    const copies = (await h.pod('Pod2', 'GET', `/v2.0/networks?name=${net.id}`)).body.networks as any[];
    assert.equal(copies.length, 1, 'the network is copied into Pod2 under its top id as name');
    assert.equal(copies[0].subnets.length, 1);
    assert.ok((await top('GET', `/v2.0/agents/${dhcp2.id}/dhcp-networks`)).body.networks.some((n: any) => n.id === net.id));
    assert.deepEqual((await top('GET', `/v2.0/networks/${net.id}/dhcp-agents`)).body.agents.map((a: any) => a['tricircle:region']).sort(), ['Pod1', 'Pod2']);
    assert.equal((await top('GET', '/v2.0/networks/00000000-0000-4000-8000-000000000000/dhcp-agents')).status, 404);
  });

  test('a disabled pod is skipped', async () => {
    const admin = h.tc.urls['admin-api']!;
    const put = await fetch(`${admin}/v1.0/pods/${h.pods.Pod2.id}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', 'x-auth-token': h.adminToken },
      body: JSON.stringify({ pod: { disabled: true } }),
    });
    assert.equal(put.status, 200, await put.text());
    const res = await top('GET', '/v2.0/agents');
    assert.ok((res.body.agents as any[]).every((a) => a['tricircle:region'] === 'Pod1'));
  });
});
