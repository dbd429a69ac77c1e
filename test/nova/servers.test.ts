import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDatabase } from '../support/databases.js';
import { startNovaEnv, waitForGone, waitForStatus, type NovaEnv } from './support.js';

const V = '2.37';

describeEachDatabase('Nova API gateway: the server lifecycle through simulated pods', (dialect) => {
  let env: NovaEnv;
  const boot = (name: string, extra: Record<string, unknown> = {}, who: 'admin' | 'demo' = 'demo', version = V) =>
    env.call(who, 'POST', '/servers', { version, body: { server: { name, imageRef: env.imageId, flavorRef: '1', networks: 'none', ...extra } } });

  before(async () => {
    env = await startNovaEnv({ dialect });
  });
  after(async () => {
    await env?.close();
  });

  test('boot in az1 and az2: each lands in the pod of its AZ, with a routing entry and gateway links', async () => {
    const one = await boot('vm-az1', { availability_zone: 'az1' });
    assert.equal(one.status, 202, one.text);
    const id1 = one.body.server.id as string;
    assert.ok(one.body.server.adminPass);
    assert.equal(one.headers.location, `${env.gw}/v2.1/servers/${id1}`);
    for (const link of one.body.server.links) assert.ok(String(link.href).startsWith(env.gw), link.href);
    const two = await boot('vm-az2', { availability_zone: 'az2' });
    assert.equal(two.status, 202, two.text);
    const id2 = two.body.server.id as string;

    const [r1] = await env.tc.core.routings.findByTop(id1, 'server');
    const [r2] = await env.tc.core.routings.findByTop(id2, 'server');
    assert.equal(r1.podId, env.pods.Pod1.id);
    assert.equal(r1.bottomId, id1, 'the top id is the pod id');
    assert.equal(r1.projectId, env.projects.demo);
    assert.equal(r2.podId, env.pods.Pod2.id);
    assert.equal((await env.pod('Pod1', 'demo', 'GET', `/servers/${id1}`)).status, 200);
    assert.equal((await env.pod('Pod2', 'demo', 'GET', `/servers/${id2}`)).status, 200);

    const shown = await waitForStatus(env, 'demo', id1, ['ACTIVE']);
    assert.equal(shown['OS-EXT-AZ:availability_zone'], 'az1');
    assert.ok(!JSON.stringify(shown).includes(env.cluster.pods[0].novaUrl), 'no pod URL leaks');
    assert.equal(shown.image.links[0].href, `${env.gw}/images/${env.imageId}`);

    const list = await env.call('demo', 'GET', '/servers/detail', { version: V });
    assert.equal(list.status, 200);
    const ids = list.body.servers.map((s: { id: string }) => s.id);
    assert.ok(ids.includes(id1) && ids.includes(id2));
    const brief = await env.call('demo', 'GET', '/servers');
    const entry = brief.body.servers.find((s: { id: string }) => s.id === id2);
    assert.deepEqual(Object.keys(entry).sort(), ['id', 'links', 'name']);
    assert.equal(entry.links[0].href, `${env.gw}/v2.1/servers/${id2}`);
  });

  test('the AZ shown is the top one even when the pod calls its zone otherwise', async () => {
    const local = await startNovaEnv({ pods: [{ region: 'PodX', az: 'top-az', podAz: 'nova' }] });
    try {
      const res = await local.call('demo', 'POST', '/servers', {
        version: V,
        body: { server: { name: 'x', imageRef: local.imageId, flavorRef: '1', networks: 'none', availability_zone: 'top-az' } },
      });
      assert.equal(res.status, 202, res.text);
      const inPod = await local.pod('PodX', 'demo', 'GET', `/servers/${res.body.server.id}`);
      assert.equal(inPod.body.server['OS-EXT-AZ:availability_zone'], 'nova', 'the pod got its own AZ name');
      const shown = await local.call('demo', 'GET', `/servers/${res.body.server.id}`);
      assert.equal(shown.body.server['OS-EXT-AZ:availability_zone'], 'top-az');
      const listed = await local.call('demo', 'GET', '/servers/detail');
      assert.equal(listed.body.servers[0]['OS-EXT-AZ:availability_zone'], 'top-az');
    } finally {
      await local.close();
    }
  });

  test('every boot field reaches the pod', async () => {
    await env.call('demo', 'POST', '/os-keypairs', { body: { keypair: { name: 'kp-fields' } } });
    const res = await boot(
      'vm-fields',
      {
        availability_zone: 'az1',
        key_name: 'kp-fields',
        metadata: { role: 'web', tier: '1' },
        user_data: Buffer.from('#!/bin/sh\necho hi\n').toString('base64'),
        config_drive: true,
        description: 'described',
        tags: ['a', 'b'],
        accessIPv4: '192.0.2.7',
        'OS-DCF:diskConfig': 'AUTO',
      },
      'demo',
      '2.52',
    );
    assert.equal(res.status, 202, res.text);
    const inPod = await env.pod('Pod1', 'admin', 'GET', `/servers/${res.body.server.id}`, { version: '2.52' });
    const s = inPod.body.server;
    assert.equal(s.key_name, 'kp-fields');
    assert.deepEqual(s.metadata, { role: 'web', tier: '1' });
    assert.equal(s['OS-EXT-SRV-ATTR:user_data'], Buffer.from('#!/bin/sh\necho hi\n').toString('base64'));
    assert.equal(s.config_drive, 'True');
    assert.equal(s.description, 'described');
    assert.deepEqual(s.tags.sort(), ['a', 'b']);
    assert.equal(s.accessIPv4, '192.0.2.7');
    assert.equal(s['OS-DCF:diskConfig'], 'AUTO');
    const kp = await env.pod('Pod1', 'demo', 'GET', '/os-keypairs/kp-fields');
    assert.equal(kp.status, 200, 'the key pair was copied to the pod');
    const top = await env.call('demo', 'GET', '/os-keypairs/kp-fields');
    assert.equal(kp.body.keypair.fingerprint, top.body.keypair.fingerprint);
  });

  test('a top flavor unknown to the pod is copied there on the first boot', async () => {
    const made = await env.call('admin', 'POST', '/flavors', { body: { flavor: { name: 'top.custom', id: 'top-custom-1', ram: 256, vcpus: 1, disk: 2 } } });
    assert.equal(made.status, 200, made.text);
    assert.equal((await env.pod('Pod2', 'admin', 'GET', '/flavors/top-custom-1')).status, 404);
    const res = await boot('vm-custom', { availability_zone: 'az2', flavorRef: 'top-custom-1' });
    assert.equal(res.status, 202, res.text);
    const flavor = await env.pod('Pod2', 'admin', 'GET', '/flavors/top-custom-1');
    assert.equal(flavor.status, 200);
    assert.equal(flavor.body.flavor.ram, 256);
    assert.equal(flavor.body.flavor.name, 'top.custom');
  });

  test('a flavor of the pod with the same id but other sizes is refused, and nothing is booted', async () => {
    await env.call('admin', 'POST', '/flavors', { body: { flavor: { name: 'clash', id: 'clash-1', ram: 1024, vcpus: 2, disk: 10 } } });
    await env.pod('Pod1', 'admin', 'POST', '/flavors', { body: { flavor: { name: 'clash-pod', id: 'clash-1', ram: 64, vcpus: 1, disk: 1 } } });
    const before = (await env.tc.core.routings.list({ resourceType: 'server' })).length;
    const res = await boot('vm-clash', { availability_zone: 'az1', flavorRef: 'clash-1' });
    assert.equal(res.status, 409, res.text);
    assert.match(res.body.conflictingRequest.message, /differs from the top flavor/);
    assert.equal((await env.tc.core.routings.list({ resourceType: 'server' })).length, before);
  });

  test('a boot the pod refuses is relayed and leaves no route', async () => {
    const before = (await env.tc.core.routings.list({ resourceType: 'server' })).length;
    const res = await boot('vm-bad-image', { availability_zone: 'az1', imageRef: '00000000-0000-4000-8000-000000000000' });
    assert.equal(res.status, 400, res.text);
    assert.match(res.body.badRequest.message, /image/i);
    assert.equal((await env.tc.core.routings.list({ resourceType: 'server' })).length, before);
  });

  test('without an AZ the policy picks a pod and binds the project; an unknown AZ is a clear 400', async () => {
    const res = await boot('vm-any', {}, 'admin');
    assert.equal(res.status, 202, res.text);
    const [route] = await env.tc.core.routings.findByTop(res.body.server.id, 'server');
    assert.equal(route.podId, env.pods.Pod1.id, 'fewest resources of this project, ties by region name');
    const bindings = await env.tc.core.bindings.list({ projectId: env.projects.admin });
    assert.ok(bindings.some((b: { podId: string }) => b.podId === env.pods.Pod1.id));
    const bad = await boot('vm-nowhere', { availability_zone: 'az9' });
    assert.equal(bad.status, 400);
    assert.match(bad.body.badRequest.message, /availability zone az9/);
  });

  test('multi-create routes every server it made', async () => {
    const res = await boot('vm-many', { availability_zone: 'az2', min_count: 3, max_count: 3 });
    assert.equal(res.status, 202, res.text);
    const routes = (await env.tc.core.routings.list({ resourceType: 'server', podId: env.pods.Pod2.id, projectId: env.projects.demo })).map((r) => r.topId);
    const inPod = await env.pod('Pod2', 'demo', 'GET', '/servers?name=vm-many');
    assert.equal(inPod.body.servers.length, 3);
    for (const s of inPod.body.servers) assert.ok(routes.includes(s.id), `route for ${s.name}`);
    const old = await env.call('demo', 'POST', '/servers', {
      body: { server: { name: 'vm-many21', imageRef: env.imageId, flavorRef: '1', availability_zone: 'az1', min_count: 2 } },
    });
    assert.equal(old.status, 202, old.text);
    const inPod1 = await env.pod('Pod1', 'demo', 'GET', '/servers?name=vm-many21');
    assert.equal(inPod1.body.servers.length, 2);
    for (const s of inPod1.body.servers) assert.equal((await env.tc.core.routings.findByTop(s.id, 'server')).length, 1, 'routed at 2.1 too');
    const reserved = await boot('vm-resv', { availability_zone: 'az2', min_count: 2, return_reservation_id: true });
    assert.equal(reserved.status, 202);
    assert.match(reserved.body.reservation_id, /^r-/);
    const resv = await env.pod('Pod2', 'demo', 'GET', '/servers?name=vm-resv');
    assert.equal(resv.body.servers.length, 2);
    for (const s of resv.body.servers) assert.equal((await env.tc.core.routings.findByTop(s.id, 'server')).length, 1);
  });

  test('update, actions and sub-resources go to the server pod', async () => {
    const res = await boot('vm-ops', { availability_zone: 'az2' }, 'demo', '2.52');
    const id = res.body.server.id;
    await waitForStatus(env, 'demo', id, ['ACTIVE']);
    // The update answer shows the extended attributes (the AZ among them) from 2.75, as upstream.
    const renamed = await env.call('demo', 'PUT', `/servers/${id}`, { body: { server: { name: 'vm-ops-renamed' } }, version: '2.75' });
    assert.equal(renamed.status, 200, renamed.text);
    assert.equal(renamed.body.server.name, 'vm-ops-renamed');
    assert.equal(renamed.body.server['OS-EXT-AZ:availability_zone'], 'az2');

    const act = (body: unknown, version?: string) => env.call('demo', 'POST', `/servers/${id}/action`, { body, version });
    assert.equal((await act({ 'os-stop': null })).status, 202);
    await waitForStatus(env, 'demo', id, ['SHUTOFF']);
    assert.equal((await act({ 'os-start': null })).status, 202);
    await waitForStatus(env, 'demo', id, ['ACTIVE']);
    assert.equal((await act({ reboot: { type: 'SOFT' } })).status, 202);
    await waitForStatus(env, 'demo', id, ['ACTIVE']);
    assert.equal((await act({ pause: null })).status, 202);
    await waitForStatus(env, 'demo', id, ['PAUSED']);
    assert.equal((await act({ unpause: null })).status, 202);
    await waitForStatus(env, 'demo', id, ['ACTIVE']);
    assert.equal((await act({ lock: null })).status, 202);
    assert.equal((await act({ unlock: null })).status, 202);
    const console = await act({ 'os-getConsoleOutput': { length: 5 } });
    assert.equal(console.status, 200);
    assert.equal(typeof console.body.output, 'string');
    const resize = await act({ resize: { flavorRef: 'top-custom-1' } });
    assert.equal(resize.status, 202, resize.text);
    await waitForStatus(env, 'demo', id, ['VERIFY_RESIZE']);
    assert.equal((await act({ confirmResize: null })).status, 204);
    await waitForStatus(env, 'demo', id, ['ACTIVE']);
    assert.equal((await act({ resize: { flavorRef: 'no-such-flavor' } })).status, 400);
    const bogus = await act({ fly: null });
    assert.equal(bogus.status, 400);
    assert.match(bogus.body.badRequest.message, /no such action: fly/);
    // Done by the top networking service below 2.44; this cloud runs none.
    const floating = await act({ addFloatingIp: { address: '203.0.113.5' } }, '2.1');
    assert.equal(floating.status, 503);
    assert.match(floating.body.serviceUnavailable.message, /network endpoint/);
    assert.equal((await act({ addFloatingIp: { address: '203.0.113.5' } }, '2.44')).status, 400, 'refused from 2.44 as upstream');
    const conflict = await act({ 'os-start': null });
    assert.equal(conflict.status, 409, 'the pod state machine answers as is');
    assert.match(conflict.body.conflictingRequest.message, /vm_state active/);

    assert.equal((await env.call('demo', 'PUT', `/servers/${id}/metadata/color`, { body: { meta: { color: 'blue' } } })).status, 200);
    assert.deepEqual((await env.call('demo', 'GET', `/servers/${id}/metadata`)).body.metadata, { color: 'blue' });
    const missingKey = await env.call('demo', 'GET', `/servers/${id}/metadata/nope`);
    assert.equal(missingKey.status, 404);
    assert.equal((await env.tc.core.routings.findByTop(id, 'server')).length, 1, 'a missing key does not drop the route');
    assert.equal((await env.call('demo', 'PUT', `/servers/${id}/tags/blue`, { version: '2.26' })).status, 201);
    assert.deepEqual((await env.call('demo', 'GET', `/servers/${id}/tags`, { version: '2.26' })).body.tags, ['blue']);
    assert.equal((await env.call('demo', 'GET', `/servers/${id}/tags`)).status, 404, 'tags need 2.26');
    assert.deepEqual((await env.call('demo', 'GET', `/servers/${id}/ips`)).body, { addresses: {} });
    const actions = await env.call('demo', 'GET', `/servers/${id}/os-instance-actions`);
    assert.ok(actions.body.instanceActions.some((a: { action: string }) => a.action === 'stop'));
    assert.deepEqual((await env.call('demo', 'GET', `/servers/${id}/os-interface`)).body, { interfaceAttachments: [] });
  });

  test('volume attachments need a volume of the same pod', async () => {
    const res = await boot('vm-vol', { availability_zone: 'az1' });
    const id = res.body.server.id;
    await waitForStatus(env, 'demo', id, ['ACTIVE']);
    const cinder = (region: string) => env.cluster.pods.find((p) => p.region === region)!.cinderUrl;
    const { http } = await import('../support/http.js');
    const mk = async (region: string) => {
      const v = await http('POST', `${cinder(region)}/v3/${env.projects.demo}/volumes`, { token: env.tokens.demo, body: { volume: { size: 1, name: `v-${region}` } } });
      assert.equal(v.status, 202, v.text);
      const volId = v.body.volume.id;
      await env.tc.core.routings.create({ topId: volId, bottomId: volId, podId: env.pods[region].id, projectId: env.projects.demo, resourceType: 'volume' });
      for (let i = 0; i < 100; i++) {
        const got = await http('GET', `${cinder(region)}/v3/${env.projects.demo}/volumes/${volId}`, { token: env.tokens.demo });
        if (got.body.volume.status === 'available') break;
        await new Promise((r) => setTimeout(r, 20));
      }
      return volId;
    };
    const far = await mk('Pod2');
    const cross = await env.call('demo', 'POST', `/servers/${id}/os-volume_attachments`, { body: { volumeAttachment: { volumeId: far } } });
    assert.equal(cross.status, 400);
    assert.equal(cross.body.badRequest.message, 'Server and volume not in the same pod.');
    const unknown = await env.call('demo', 'POST', `/servers/${id}/os-volume_attachments`, { body: { volumeAttachment: { volumeId: '00000000-0000-4000-8000-00000000beef' } } });
    assert.equal(unknown.status, 404);
    const near = await mk('Pod1');
    const ok = await env.call('demo', 'POST', `/servers/${id}/os-volume_attachments`, { body: { volumeAttachment: { volumeId: near } } });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.body.volumeAttachment.volumeId, near);
    const listed = await env.call('demo', 'GET', `/servers/${id}/os-volume_attachments`);
    assert.equal(listed.body.volumeAttachments.length, 1);
    assert.equal((await env.call('demo', 'GET', `/servers/${id}/os-volume_attachments/${near}`)).status, 200);
    assert.equal((await env.call('demo', 'DELETE', `/servers/${id}/os-volume_attachments/${near}`)).status, 202);
  });

  test('delete: 204, then 404 once the pod has forgotten the server, and the route is gone', async () => {
    const res = await boot('vm-del', { availability_zone: 'az1' });
    const id = res.body.server.id;
    await waitForStatus(env, 'demo', id, ['ACTIVE']);
    const del = await env.call('demo', 'DELETE', `/servers/${id}`);
    assert.equal(del.status, 204);
    await waitForGone(env, 'demo', id);
    for (let i = 0; i < 50 && (await env.tc.core.routings.findByTop(id, 'server')).length > 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(await env.tc.core.routings.findByTop(id, 'server'), []);
    const again = await env.call('demo', 'DELETE', `/servers/${id}`);
    assert.equal(again.status, 404);
    assert.deepEqual(again.body, { itemNotFound: { message: `Instance ${id} could not be found.`, code: 404 } });
  });

  test('from 2.21 the instance actions of a deleted server are still shown (the pod checks the owner)', async () => {
    const res = await boot('vm-gone-actions', { availability_zone: 'az2' });
    const id = res.body.server.id;
    await waitForStatus(env, 'demo', id, ['ACTIVE']);
    assert.equal((await env.call('demo', 'DELETE', `/servers/${id}`)).status, 204);
    await waitForGone(env, 'demo', id);
    for (let i = 0; i < 50 && (await env.tc.core.routings.findByTop(id, 'server')).length > 0; i++) await new Promise((r) => setTimeout(r, 20));
    const list = await env.call('demo', 'GET', `/servers/${id}/os-instance-actions`, { version: '2.21' });
    assert.equal(list.status, 200, list.text);
    assert.deepEqual(list.body.instanceActions.map((a: { action: string }) => a.action).sort(), ['create', 'delete']);
    const del = list.body.instanceActions.find((a: { action: string }) => a.action === 'delete');
    const one = await env.call('demo', 'GET', `/servers/${id}/os-instance-actions/${del.request_id}`, { version: '2.21' });
    assert.equal(one.status, 200, one.text);
    assert.equal(one.body.instanceAction.action, 'delete');
    assert.equal((await env.call('demo', 'GET', `/servers/${id}/os-instance-actions`, { version: '2.20' })).status, 404, 'before 2.21 a deleted server is not found');
    const admin = await env.call('admin', 'GET', `/servers/${id}/os-instance-actions`, { version: '2.21' });
    assert.equal(admin.status, 200, 'an administrator reads any project');
    assert.equal((await env.call('demo', 'GET', '/servers/00000000-0000-4000-8000-00000000abcd/os-instance-actions', { version: '2.21' })).status, 404);
  });

  test("a server deleted behind the gateway's back: the pod 404 removes the stale route", async () => {
    const res = await boot('vm-stale', { availability_zone: 'az2' });
    const id = res.body.server.id;
    await waitForStatus(env, 'demo', id, ['ACTIVE']);
    assert.equal((await env.pod('Pod2', 'demo', 'DELETE', `/servers/${id}`)).status, 204);
    const shown = await env.call('demo', 'GET', `/servers/${id}`);
    assert.equal(shown.status, 404);
    assert.deepEqual(await env.tc.core.routings.findByTop(id, 'server'), []);
  });

  test('networks: checked by the networking service before the pod is asked; "auto" and (before 2.37) no networks boot without a NIC when the project has no network', async () => {
    const withNet = await boot('vm-net', { availability_zone: 'az1', networks: [{ uuid: '5a9b2a1c-0000-4000-8000-000000000001' }] });
    assert.equal(withNet.status, 400);
    assert.match(withNet.body.badRequest.message, /Network 5a9b2a1c-0000-4000-8000-000000000001 could not be found/);
    const auto = await boot('vm-auto', { availability_zone: 'az1', networks: 'auto' });
    assert.equal(auto.status, 202, auto.text);
    const legacy = await env.call('demo', 'POST', '/servers', { body: { server: { name: 'vm-legacy', imageRef: env.imageId, flavorRef: '1', availability_zone: 'az1' } } });
    assert.equal(legacy.status, 202, legacy.text);
  });
});

describe('Nova API gateway: request validation', () => {
  let env: NovaEnv;
  before(async () => {
    env = await startNovaEnv();
  });
  after(async () => {
    await env?.close();
  });
  const create = (body: unknown, version = V) => env.call('demo', 'POST', '/servers', { version, body });
  const server = (extra: Record<string, unknown>) => ({ server: { name: 'v', imageRef: env.imageId, flavorRef: '1', networks: 'none', ...extra } });

  test('upstream 400 bodies for malformed server creates', async () => {
    const cases: [unknown, RegExp][] = [
      [{}, /'server' is a required property/],
      [{ server: { imageRef: env.imageId, flavorRef: '1', networks: 'none' } }, /'name' is a required property/],
      [{ server: { name: 'v', imageRef: env.imageId, flavorRef: '1' } }, /'networks' is a required property/],
      [server({ name: 12 }), /Invalid input for field\/attribute name\. Value: 12\. 12 is not of type 'string'/],
      [server({ name: ' lead' }), /An invalid 'name' value was provided/],
      [server({ imageRef: 'not-a-uuid' }), /Invalid input for field\/attribute imageRef/],
      [server({ networks: 'some' }), /Invalid input for field\/attribute networks/],
      [server({ min_count: 0 }), /less than the minimum of 1/],
      [server({ min_count: 3, max_count: 2 }), /min_count must be <= max_count/],
      [server({ metadata: { k: 5 } }), /5 is not of type 'string'/],
      [server({ bogus: 1 }), /Additional properties are not allowed \('bogus' was unexpected\)/],
      [server({ flavorRef: '999' }), /Invalid flavorRef provided\./],
      [server({ key_name: 'nope' }), /Invalid key_name provided\./],
      [server({ user_data: 'not base64!' }), /user_data/],
      [server({ accessIPv4: '300.1.1.1' }), /is not a 'ipv4'/],
    ];
    for (const [body, message] of cases) {
      const res = await create(body);
      assert.equal(res.status, 400, `${JSON.stringify(body)} → ${res.text}`);
      assert.equal(res.body.badRequest.code, 400);
      assert.match(res.body.badRequest.message, message);
    }
    assert.deepEqual(await env.tc.core.routings.list({ resourceType: 'server' }), [], 'no bad request left a route');
  });

  test('malformed JSON, wrong content type and oversized bodies are upstream 4xx, never 500', async () => {
    const bad = await env.call('demo', 'POST', '/servers', { raw: '{"server": ', headers: { 'content-type': 'application/json' } });
    assert.equal(bad.status, 400);
    assert.ok(bad.body.badRequest);
    const text = await env.call('demo', 'POST', '/servers', { raw: 'hello', headers: { 'content-type': 'text/plain' } });
    assert.equal(text.status, 415);
    const big = await env.call('demo', 'POST', '/servers', { raw: JSON.stringify({ server: { name: 'x'.repeat(2_000_000) } }), headers: { 'content-type': 'application/json' } });
    assert.equal(big.status, 413);
    const update = await env.call('demo', 'PUT', '/servers/00000000-0000-4000-8000-000000000000', { body: { server: { name: 5 } } });
    assert.equal(update.status, 400);
    const action = await env.call('demo', 'POST', '/servers/00000000-0000-4000-8000-000000000000/action', { body: [] });
    assert.equal(action.status, 400);
  });

  test('a body nested 5,000 deep is a 400 with a short message, never a 500', async () => {
    const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
    let nested = '"leaf"';
    for (let i = 0; i < 1000; i++) nested = `{"a":${nested}}`;
    for (const raw of [
      deep,
      `{"server": {"name": ${deep}, "flavorRef": "1", "networks": "none"}}`,
      `{"server": {"name": "v", "flavorRef": "1", "networks": "none", "metadata": {"k": ${nested}}}}`,
    ]) {
      const res = await env.call('demo', 'POST', '/servers', { raw, headers: { 'content-type': 'application/json' } });
      assert.equal(res.status, 400, res.text.slice(0, 200));
      assert.match(res.body.badRequest.message, /^Invalid input for field\/attribute (body|name|k)\. Value: /);
      assert.ok(res.body.badRequest.message.length < 1000, `${res.body.badRequest.message.length} characters`);
    }
    assert.deepEqual(await env.tc.core.routings.list({ resourceType: 'server' }), [], 'nothing was routed');
  });

  test('unknown ids are Nova 404s', async () => {
    const id = '00000000-0000-4000-8000-000000000000';
    for (const [method, path] of [
      ['GET', `/servers/${id}`],
      ['DELETE', `/servers/${id}`],
      ['GET', `/servers/${id}/ips`],
      ['POST', `/servers/${id}/action`],
    ] as const) {
      const res = await env.call('demo', method, path, method === 'POST' ? { body: { 'os-stop': null } } : {});
      assert.equal(res.status, 404, `${method} ${path}`);
      assert.deepEqual(res.body, { itemNotFound: { message: `Instance ${id} could not be found.`, code: 404 } });
    }
    const flavor = await env.call('demo', 'GET', '/flavors/nope');
    assert.deepEqual(flavor.body, { itemNotFound: { message: 'Flavor nope could not be found.', code: 404 } });
    const route = await env.call('demo', 'GET', '/no-such-thing/here');
    assert.equal(route.status, 404);
  });

  test('list parameters: bad limit, marker and sort keys', async () => {
    assert.equal((await env.call('demo', 'GET', '/servers?limit=abc')).status, 400);
    assert.equal((await env.call('demo', 'GET', '/servers?limit=-1')).status, 400);
    const marker = await env.call('demo', 'GET', '/servers?marker=00000000-0000-4000-8000-000000000000');
    assert.equal(marker.status, 400);
    assert.equal(marker.body.badRequest.message, 'marker [00000000-0000-4000-8000-000000000000] not found');
    assert.equal((await env.call('demo', 'GET', '/servers?sort_key=bogus')).status, 400);
    assert.equal((await env.call('demo', 'GET', '/servers?sort_key=display_name&sort_dir=up')).status, 400);
    assert.equal((await env.call('demo', 'GET', '/servers?sort_key=host')).status, 403);
    assert.equal((await env.call('demo', 'GET', '/servers?all_tenants=1')).status, 403);
  });
});
