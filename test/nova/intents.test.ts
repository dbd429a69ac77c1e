import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { http } from '../support/http.js';
import { startNovaEnv, type NovaEnv } from './support.js';

/**
 * Intent first in the server boot (docs/routing.md): the routing intent is written before the pod is
 * asked and settled after; a boot whose answer is lost leaves it, and the reconciler's repair routes
 * the server the pod made (binding its top port) or drops the intent and releases the port.
 */
const POD_TIMEOUT_S = 3;

describe('Nova API gateway: server boots write their route intent first', () => {
  let env: NovaEnv;
  let netId: string;
  const neutron = (method: string, path: string, body?: unknown) => http(method, `${env.tc.urls['neutron-api']}/v2.0${path}`, { token: env.tokens.demo, body });
  const boot = (name: string, extra: Record<string, unknown> = {}) =>
    env.call('demo', 'POST', '/servers', {
      version: '2.37',
      body: { server: { name, imageRef: env.imageId, flavorRef: '1', networks: [{ uuid: netId }], availability_zone: 'az1', ...extra } },
    });
  const intents = () => env.tc.core.routings.staleIntents({ olderThanMs: 0, projectId: env.projects.demo });
  const repair = () => env.tc.wiring.reconcileProject(env.projects.demo, { submit: async () => 'none', intentStaleAfterMs: 0 });
  const podServers = async (name: string) =>
    ((await env.pod('Pod1', 'admin', 'GET', `/servers/detail?all_tenants=1&name=^${name}$`)).body.servers as { id: string; name: string }[]).filter((s) => s.name === name);

  before(async () => {
    env = await startNovaEnv({ withNeutron: true, extra: { client: { pod_timeout: POD_TIMEOUT_S } } });
    const net = await neutron('POST', '/networks', { network: { name: 'net-intents' } });
    assert.equal(net.status, 201, net.text);
    netId = net.body.network.id;
    const subnet = await neutron('POST', '/subnets', { subnet: { network_id: netId, cidr: '10.0.9.0/24', ip_version: 4, name: 'sub-intents' } });
    assert.equal(subnet.status, 201, subnet.text);
  });
  after(async () => {
    await env?.cluster.setFaults('Pod1', { createAnswerDelayMs: 0 });
    await env?.close();
  });

  test('a boot the pod accepts leaves one route and no intent; one it refuses leaves neither, nor a port', async () => {
    const ok = await boot('intent-ok');
    assert.equal(ok.status, 202, ok.text);
    assert.deepEqual(
      (await env.tc.core.routings.findByTop(ok.body.server.id, 'server')).map((r) => r.bottomId),
      [ok.body.server.id],
    );
    assert.deepEqual(await intents(), []);

    const portsBefore = (await neutron('GET', `/ports?network_id=${netId}`)).body.ports.length;
    const refused = await boot('intent-refused', { imageRef: randomUUID() });
    assert.equal(refused.status, 400, refused.text);
    assert.deepEqual(await intents(), []);
    assert.equal((await neutron('GET', `/ports?network_id=${netId}`)).body.ports.length, portsBefore, 'the port made for the refused boot is gone');
  });

  test('an answer lost after the pod booted: the repair routes the server and binds its top port', async () => {
    // The pod boots, then holds its 202 longer than the gateway waits.
    await env.cluster.setFaults('Pod1', { createAnswerDelayMs: (POD_TIMEOUT_S + 5) * 1000 });
    const lost = await boot('intent-lost');
    await env.cluster.setFaults('Pod1', { createAnswerDelayMs: 0 });
    assert.equal(lost.status, 503, lost.text);
    const [made] = await podServers('intent-lost');
    assert.ok(made, 'the pod made the server');
    assert.equal((await env.call('demo', 'GET', `/servers/${made.id}`)).status, 404, 'not routed yet');
    const left = await intents();
    assert.deepEqual(
      left.map((i) => [i.resourceType, i.name]),
      [['server', 'intent-lost']],
    );

    const report = await repair();
    assert.deepEqual(report.errors, []);
    assert.ok(
      report.findings.some((f) => f.id === made.id && /routed/.test(f.reason)),
      JSON.stringify(report.findings),
    );
    assert.deepEqual(await intents(), []);
    const shown = await env.call('demo', 'GET', `/servers/${made.id}`);
    assert.equal(shown.status, 200, shown.text);
    const bound = await neutron('GET', `/ports?device_id=${made.id}`);
    assert.equal(bound.body.ports.length, 1, 'the top port made for the boot is bound to the server');
    assert.equal(bound.body.ports[0].network_id, netId);

    // A second run finds nothing more to do.
    assert.deepEqual((await repair()).findings, []);
  });

  test('an answer lost for a boot into a server group: the repaired server is a member of the group', async () => {
    const created = await env.call('demo', 'POST', '/os-server-groups', { version: '2.64', body: { server_group: { name: 'intent-group', policy: 'affinity' } } });
    assert.equal(created.status, 200, created.text);
    const group = created.body.server_group;
    await env.cluster.setFaults('Pod1', { createAnswerDelayMs: (POD_TIMEOUT_S + 5) * 1000 });
    const lost = await env.call('demo', 'POST', '/servers', {
      version: '2.37',
      body: {
        server: { name: 'intent-grouped', imageRef: env.imageId, flavorRef: '1', networks: 'none', availability_zone: 'az1' },
        'os:scheduler_hints': { group: group.id },
      },
    });
    await env.cluster.setFaults('Pod1', { createAnswerDelayMs: 0 });
    assert.equal(lost.status, 503, lost.text);
    const [made] = await podServers('intent-grouped');
    assert.ok(made, 'the pod made the server');
    assert.deepEqual((await env.call('demo', 'GET', `/os-server-groups/${group.id}`, { version: '2.64' })).body.server_group.members, []);

    const report = await repair();
    assert.deepEqual(report.errors, []);
    assert.deepEqual(await intents(), []);
    assert.deepEqual((await env.call('demo', 'GET', `/os-server-groups/${group.id}`, { version: '2.64' })).body.server_group.members, [made.id]);
  });

  test('an answer lost, and the server gone from the pod before the repair: the intent is dropped and the port released', async () => {
    const portsBefore = (await neutron('GET', `/ports?network_id=${netId}`)).body.ports.length;
    await env.cluster.setFaults('Pod1', { createAnswerDelayMs: (POD_TIMEOUT_S + 5) * 1000 });
    const lost = await boot('intent-gone');
    await env.cluster.setFaults('Pod1', { createAnswerDelayMs: 0 });
    assert.equal(lost.status, 503, lost.text);
    assert.equal((await intents()).length, 1, 'the outcome was unknown: the intent is left');
    assert.equal((await neutron('GET', `/ports?network_id=${netId}`)).body.ports.length, portsBefore + 1, 'with the port made for the boot');

    const [made] = await podServers('intent-gone');
    assert.ok(made, 'the pod made the server');
    assert.equal((await env.pod('Pod1', 'admin', 'DELETE', `/servers/${made.id}`)).status, 204);
    for (let i = 0; i < 200 && (await podServers('intent-gone')).length > 0; i++) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(await podServers('intent-gone'), []);

    const report = await repair();
    assert.deepEqual(report.errors, []);
    assert.ok(
      report.findings.some((f) => /dropped/.test(f.reason)),
      JSON.stringify(report.findings),
    );
    assert.deepEqual(await intents(), []);
    assert.equal((await neutron('GET', `/ports?network_id=${netId}`)).body.ports.length, portsBefore, 'the port made for the boot is released');
  });
});
