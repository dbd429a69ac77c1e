import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildWalkthrough, FAST_XJOB, startL3Env, type L3Env, type Walkthrough } from '../l3/external-harness.js';
import { OPENSTACK_MISSING, openstack, openstackCli } from '../support/openstack.js';

type Address = { addr: string; 'OS-EXT-IPS:type': string };

/** The floating addresses a server view shows, over all its networks. */
const floatingOf = (addresses: Record<string, Address[]>) =>
  Object.values(addresses)
    .flat()
    .filter((a) => a['OS-EXT-IPS:type'] === 'floating')
    .map((a) => a.addr);

describe('server views show the top floating IP of a two-hop floating IP', () => {
  let env: L3Env;
  let w: Walkthrough;

  before(async () => {
    env = await startL3Env({ services: ['admin-api', 'neutron-api', 'nova-apigw', 'xjob'], extra: { xjob: FAST_XJOB } });
    w = await buildWalkthrough(env);
  });
  after(async () => {
    await env?.close();
  });

  test("the pod shows the bridge address; the gateway's show and list show the top one", async () => {
    const inPod = await (async () => {
      const nova = env.cluster.pods.find((p) => p.region === 'Pod1')!.novaUrl;
      const res = await fetch(`${nova}/v2.1/servers/${w.vm1.server}`, { headers: { 'x-auth-token': env.token } });
      return ((await res.json()) as { server: { addresses: Record<string, Address[]> } }).server;
    })();
    const podFloating = floatingOf(inPod.addresses);
    assert.equal(podFloating.length, 1, `the pod shows one floating address: ${JSON.stringify(inPod.addresses)}`);
    assert.notEqual(podFloating[0], w.fipTwoHop.address, 'in the pod it is the bridge address');

    const shown = await env.nova('GET', `/servers/${w.vm1.server}`);
    assert.equal(shown.status, 200, shown.text);
    assert.deepEqual(floatingOf(shown.body.server.addresses), [w.fipTwoHop.address]);
    const fixed = Object.values(shown.body.server.addresses as Record<string, Address[]>)
      .flat()
      .filter((a) => a['OS-EXT-IPS:type'] === 'fixed')
      .map((a) => a.addr);
    assert.deepEqual(fixed, [w.vm1.ip], 'the fixed address is untouched');

    const listed = await env.nova('GET', '/servers/detail');
    const vm1 = listed.body.servers.find((s: { id: string }) => s.id === w.vm1.server);
    assert.deepEqual(floatingOf(vm1.addresses), [w.fipTwoHop.address]);
  });

  test('openstack server show prints the top floating IP', { skip: openstackCli ? false : OPENSTACK_MISSING }, async () => {
    const res = await openstack({ authUrl: `${env.cluster.keystoneUrl}/v3`, username: 'admin', projectName: 'admin' }, ['server', 'show', w.vm1.server, '-f', 'json']);
    assert.equal(res.code, 0, res.stderr);
    const addresses = JSON.stringify(JSON.parse(res.stdout).addresses);
    assert.ok(addresses.includes(w.fipTwoHop.address), addresses);
  });
});
