import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describeEachDatabase } from '../support/databases.js';
import { http } from '../support/http.js';
import { assertSampleShape } from '../support/shapes.js';
import { bootServerInPod, sleep, startCinderEnv, waitForStatus, type CinderEnv } from './support.js';

describeEachDatabase('Cinder gateway: volumes', (dialect) => {
  let env: CinderEnv;

  before(async () => {
    env = await startCinderEnv({ dialect });
  });
  after(async () => {
    await env?.close();
  });

  const routesOf = (id: string) => env.tc.core.routings.findByTop(id, 'volume');
  async function create(who: 'admin' | 'demo', volume: Record<string, unknown>): Promise<any> {
    const res = await env.call(who, 'POST', '/volumes', { body: { volume } });
    assert.equal(res.status, 202, res.text);
    return res.body.volume;
  }

  test('create in az1 and az2: 202, top AZ shown, links at the gateway, one route with the same id top and bottom', async () => {
    for (const [az, region] of [
      ['az1', 'Pod1'],
      ['az2', 'Pod2'],
    ] as const) {
      const res = await env.call('demo', 'POST', '/volumes', { body: { volume: { size: 1, name: `v-${az}`, availability_zone: az, metadata: { k: 'v' } } } });
      assert.equal(res.status, 202, res.text);
      const v = res.body.volume;
      assertSampleShape(res.body, 'cinder', 'volumes/volume-create-response.json', [
        'volume.os-vol-host-attr:host',
        'volume.os-vol-mig-status-attr:migstat',
        'volume.os-vol-mig-status-attr:name_id',
        'volume.os-vol-tenant-attr:tenant_id',
        'volume.volume_image_metadata',
      ]);
      assert.equal(v.availability_zone, az);
      assert.deepEqual(v.metadata, { k: 'v' });
      for (const link of v.links) assert.ok(link.href.startsWith(env.gw), link.href);
      const routes = await routesOf(v.id);
      assert.equal(routes.length, 1);
      assert.equal(routes[0].bottomId, v.id);
      assert.equal(routes[0].podId, env.pods[region].id);
      assert.equal(routes[0].projectId, env.demo.project);
      const inPod = await env.pod(region, 'demo', 'GET', `/volumes/${v.id}`);
      assert.equal(inPod.status, 200);
      assert.equal(inPod.body.volume.name, `v-${az}`);
      const shown = await waitForStatus(env, 'demo', v.id, ['available']);
      assert.equal(shown.availability_zone, az);
    }
    const pending = await env.tc.core.routings.list({ resourceType: 'volume' });
    assert.ok(
      pending.every((r) => r.bottomId !== null),
      'no placeholder route is left behind',
    );
  });

  test('every create field reaches the pod; the pod gets its own AZ name and its copy of the type', async () => {
    const type = await env.call('admin', 'POST', '/types', { body: { volume_type: { name: 'fields-type' } } });
    assert.equal(type.status, 200, type.text);
    const images = await http('GET', `${env.cluster.glanceUrl}/v2/images`, { token: env.demo.token });
    const source = await create('demo', { size: 1, availability_zone: 'az1' });
    await waitForStatus(env, 'demo', source.id, ['available']);
    const v = await create('demo', {
      size: 2,
      name: 'clone',
      description: 'all fields',
      volume_type: 'fields-type',
      metadata: { a: '1' },
      source_volid: source.id,
      imageRef: images.body.images[0].id,
      multiattach: true,
    });
    assert.equal(v.volume_type, 'fields-type');
    assert.equal(v.source_volid, source.id);
    assert.equal(v.availability_zone, 'az1', 'a clone lands in its source pod');
    const inPod = (await env.pod('Pod1', 'demo', 'GET', `/volumes/${v.id}`)).body.volume;
    assert.equal(inPod.size, 2);
    assert.equal(inPod.description, 'all fields');
    assert.equal(inPod.multiattach, true);
    assert.equal(inPod.bootable, 'true');
    assert.equal(inPod.volume_type, 'fields-type');

    // 3.63 shows volume_type_id: the top's id, not the pod's copy.
    const shown = await env.call('demo', 'GET', `/volumes/${v.id}`, { headers: { 'openstack-api-version': 'volume 3.63' } });
    assert.equal(shown.status, 200);
    assert.equal(shown.headers['openstack-api-version'], 'volume 3.63');
    assert.equal(shown.body.volume.volume_type_id, type.body.volume_type.id);

    const wrongAz = await env.call('demo', 'POST', '/volumes', { body: { volume: { size: 1, source_volid: source.id, availability_zone: 'az2' } } });
    assert.equal(wrongAz.status, 400);
    assert.match(wrongAz.body.badRequest.message, /same availability zone as the source volume/);
  });

  test('a project stays bound to one pod per AZ, shared with servers', async () => {
    const a = await create('demo', { size: 1, availability_zone: 'az2' });
    const b = await create('demo', { size: 1, availability_zone: 'az2' });
    assert.equal((await routesOf(a.id))[0].podId, (await routesOf(b.id))[0].podId);
    const bindings = await env.tc.core.bindings.list({ projectId: env.demo.project });
    assert.ok(bindings.some((x) => x.podId === env.pods.Pod2.id && x.isCurrent));
  });

  test('show, update, metadata in all forms', async () => {
    const v = await create('demo', { size: 1, name: 'meta', availability_zone: 'az2' });
    await waitForStatus(env, 'demo', v.id, ['available']);
    const shown = await env.call('demo', 'GET', `/volumes/${v.id}`);
    assertSampleShape(shown.body, 'cinder', 'volumes/volume-show-response.json', [
      'volume.os-vol-host-attr:host',
      'volume.os-vol-mig-status-attr:migstat',
      'volume.os-vol-mig-status-attr:name_id',
      'volume.volume_image_metadata',
    ]);
    assert.equal(shown.body.volume.availability_zone, 'az2');
    assert.ok(shown.headers['x-openstack-request-id']);
    // An admin sees the backend host named as the admin views name it, so it finds the volume's service.
    const host = (await env.call('admin', 'GET', `/volumes/${v.id}`)).body.volume['os-vol-host-attr:host'] as string;
    assert.match(host, /^Pod2:[^:]+@/);
    const services = await env.call('admin', 'GET', `/os-services?host=${encodeURIComponent(host.split('@')[0])}&binary=cinder-volume`);
    assert.equal(services.status, 200, services.text);
    assert.equal(services.body.services.length, 1, services.text);
    assert.equal(services.body.services[0].host.split('@')[0], host.split('@')[0]);

    const upd = await env.call('demo', 'PUT', `/volumes/${v.id}`, { body: { volume: { name: 'renamed', description: 'd' } } });
    assert.equal(upd.status, 200, upd.text);
    assert.equal(upd.body.volume.name, 'renamed');
    assert.equal(upd.body.volume.availability_zone, 'az2');
    const badUpd = await env.call('demo', 'PUT', `/volumes/${v.id}`, { body: { volume: { size: 5 } } });
    assert.equal(badUpd.status, 400);
    assert.ok(badUpd.body.badRequest);

    const m = (method: string, path: string, body?: unknown) => env.call('demo', method, `/volumes/${v.id}/metadata${path}`, body === undefined ? {} : { body });
    assert.equal((await m('POST', '', { metadata: { a: '1', b: '2' } })).status, 200);
    assert.deepEqual((await m('GET', '')).body, { metadata: { a: '1', b: '2' } });
    assert.deepEqual((await m('PUT', '', { metadata: { c: '3' } })).body, { metadata: { c: '3' } });
    assert.deepEqual((await m('GET', '/c')).body, { meta: { c: '3' } });
    assert.deepEqual((await m('PUT', '/d', { meta: { d: '4' } })).body, { meta: { d: '4' } });
    assert.equal((await m('DELETE', '/c')).status, 200);
    const missingKey = await m('GET', '/c');
    assert.equal(missingKey.status, 404);
    assert.ok(missingKey.body.itemNotFound);
    assert.equal((await routesOf(v.id)).length, 1, 'a missing metadata key does not drop the route');
    assert.deepEqual((await m('GET', '')).body, { metadata: { d: '4' } });
  });

  test('actions: extend, image metadata, readonly, reset status, retype, attach/detach by host, unknown action', async () => {
    const v = await create('admin', { size: 1, availability_zone: 'az1' });
    await waitForStatus(env, 'admin', v.id, ['available']);
    const act = (body: unknown, who: 'admin' | 'demo' = 'admin') => env.call(who, 'POST', `/volumes/${v.id}/action`, { body });

    assert.equal((await act({ 'os-extend': { new_size: 3 } })).status, 202);
    const extended = await waitForStatus(env, 'admin', v.id, ['available']);
    assert.equal(extended.size, 3);
    const shrink = await act({ 'os-extend': { new_size: 1 } });
    assert.equal(shrink.status, 400);

    const set = await act({ 'os-set_image_metadata': { metadata: { distro: 'debian' } } });
    assert.equal(set.status, 200, set.text);
    assert.equal(set.body.metadata.distro, 'debian');
    assert.equal((await act({ 'os-show_image_metadata': null })).body.metadata.distro, 'debian');
    assert.equal((await act({ 'os-unset_image_metadata': { key: 'distro' } })).status, 200);

    assert.equal((await act({ 'os-update_readonly_flag': { readonly: true } })).status, 202);
    assert.equal((await act({ 'os-update_readonly_flag': { readonly: false } })).status, 202);

    const gold = await env.call('admin', 'POST', '/types', { body: { volume_type: { name: 'retype-gold' } } });
    assert.equal(gold.status, 200);
    assert.equal((await act({ 'os-retype': { new_type: 'retype-gold' } })).status, 202);
    const retyped = await waitForStatus(env, 'admin', v.id, ['available']);
    assert.equal(retyped.volume_type, 'retype-gold');
    const noType = await act({ 'os-retype': { new_type: 'no-such-type' } });
    assert.equal(noType.status, 404);

    assert.equal((await act({ 'os-attach': { mountpoint: '/dev/vdb', host_name: 'host1' } })).status, 202);
    assert.equal((await waitForStatus(env, 'admin', v.id, ['in-use'])).attachments.length, 1);
    assert.equal((await act({ 'os-detach': {} })).status, 202);
    await waitForStatus(env, 'admin', v.id, ['available']);

    assert.equal((await act({ 'os-reset_status': { status: 'error' } })).status, 202);
    await waitForStatus(env, 'admin', v.id, ['error']);
    assert.equal((await act({ 'os-reset_status': { status: 'available' } })).status, 202);
    assert.equal((await act({ 'os-force_detach': {} })).status, 202);

    const unknown = await act({ 'os-fly': {} });
    assert.equal(unknown.status, 400);
    assert.match(unknown.body.badRequest.message, /There is no such action: os-fly/);
    const migrate = await act({ 'os-migrate_volume': { host: 'x' } });
    assert.equal(migrate.status, 400);
    assert.match(migrate.body.badRequest.message, /not supported/);
  });

  test('os-attach to a server: same pod works, another pod is 400, an unknown server 404', async () => {
    const server = await bootServerInPod(env, 'Pod1', 'demo');
    const v1 = await create('demo', { size: 1, availability_zone: 'az1' });
    await waitForStatus(env, 'demo', v1.id, ['available']);
    const attach = await env.call('demo', 'POST', `/volumes/${v1.id}/action`, { body: { 'os-attach': { instance_uuid: server, mountpoint: '/dev/vdb' } } });
    assert.equal(attach.status, 202, attach.text);
    const inUse = await waitForStatus(env, 'demo', v1.id, ['in-use']);
    assert.equal(inUse.attachments[0].server_id, server);
    const detach = await env.call('demo', 'POST', `/volumes/${v1.id}/action`, { body: { 'os-detach': { attachment_id: inUse.attachments[0].attachment_id } } });
    assert.equal(detach.status, 202, detach.text);
    await waitForStatus(env, 'demo', v1.id, ['available']);

    const v2 = await create('demo', { size: 1, availability_zone: 'az2' });
    await waitForStatus(env, 'demo', v2.id, ['available']);
    const cross = await env.call('demo', 'POST', `/volumes/${v2.id}/action`, { body: { 'os-attach': { instance_uuid: server, mountpoint: '/dev/vdb' } } });
    assert.equal(cross.status, 400);
    assert.match(cross.body.badRequest.message, /Server and volume not in the same pod/);
    assert.match(cross.body.badRequest.message, /az1/);
    assert.match(cross.body.badRequest.message, /az2/);

    const missing = await env.call('demo', 'POST', `/volumes/${v2.id}/action`, { body: { 'os-attach': { instance_uuid: randomUUID(), mountpoint: '/dev/vdb' } } });
    assert.equal(missing.status, 404);
    assert.ok(missing.body.itemNotFound);
  });

  test('delete: 202, the pod deletes; the route goes when the pod no longer knows the volume', async () => {
    const v = await create('demo', { size: 1, availability_zone: 'az1' });
    await waitForStatus(env, 'demo', v.id, ['available']);
    const del = await env.call('demo', 'DELETE', `/volumes/${v.id}`);
    assert.equal(del.status, 202);
    assert.equal(del.text, '');
    let gone;
    for (let i = 0; i < 100; i++) {
      gone = await env.call('demo', 'GET', `/volumes/${v.id}`);
      if (gone.status === 404) break;
      await sleep(20);
    }
    assert.equal(gone!.status, 404);
    assert.deepEqual(gone!.body, { itemNotFound: { message: `Volume ${v.id} could not be found.`, code: 404 } });
    assert.equal((await routesOf(v.id)).length, 0);
  });

  test('a volume deleted behind Tricircle: the pod 404 removes the stale route', async () => {
    const v = await create('demo', { size: 1, availability_zone: 'az2' });
    await waitForStatus(env, 'demo', v.id, ['available']);
    assert.equal((await env.pod('Pod2', 'demo', 'DELETE', `/volumes/${v.id}`)).status, 202);
    for (let i = 0; i < 100 && (await env.pod('Pod2', 'demo', 'GET', `/volumes/${v.id}`)).status !== 404; i++) await sleep(20);
    const res = await env.call('demo', 'POST', `/volumes/${v.id}/metadata`, { body: { metadata: { a: 'b' } } });
    assert.equal(res.status, 404);
    assert.equal((await routesOf(v.id)).length, 0, 'the route is gone after any call found the volume missing');
  });

  test('an unknown id is the upstream 404 for every per-volume call', async () => {
    const id = randomUUID();
    for (const [method, path, body] of perVolumeCalls(id)) {
      const res = await env.call('demo', method, path, body === undefined ? {} : { body });
      assert.equal(res.status, 404, `${method} ${path}: ${res.text}`);
      assert.deepEqual(res.body, { itemNotFound: { message: `Volume ${id} could not be found.`, code: 404 } }, `${method} ${path}`);
    }
  });

  // An administrator reaches any project's volume by id, as in Cinder (test/cinder/admin-actions.test.ts).
  test("isolation: another project's volume is 404 for every per-volume call of a non-admin", async () => {
    const mine = await create('admin', { size: 1, availability_zone: 'az1', metadata: { a: '1' } });
    const theirs = await create('demo', { size: 1, availability_zone: 'az1', metadata: { a: '1' } });
    await waitForStatus(env, 'admin', mine.id, ['available']);
    await waitForStatus(env, 'demo', theirs.id, ['available']);
    for (const [who, id] of [['demo', mine.id]] as const) {
      for (const [method, path, body] of perVolumeCalls(id)) {
        const res = await env.call(who, method, path, body === undefined ? {} : { body });
        assert.equal(res.status, 404, `${who} ${method} ${path}: ${res.text}`);
        assert.equal(res.body.itemNotFound.message, `Volume ${id} could not be found.`);
      }
    }
    // Untouched.
    const still = await env.call('admin', 'GET', `/volumes/${mine.id}`);
    assert.equal(still.body.volume.status, 'available');
    assert.deepEqual(still.body.volume.metadata, { a: '1' });
    assert.equal((await env.call('demo', 'GET', `/volumes/${theirs.id}`)).body.volume.status, 'available');
    const list = await env.call('demo', 'GET', '/volumes/detail');
    assert.ok(!list.body.volumes.some((v: any) => v.id === mine.id));
    // A project id in the URL that is not the token's is refused.
    const foreign = await http('GET', `${env.gw}/v3/${env.admin.project}/volumes/${mine.id}`, { token: env.demo.token });
    assert.equal(foreign.status, 400);
  });

  test('bad input: 400 bodies, nothing scheduled or created', async () => {
    const before = (await env.tc.core.routings.list({ resourceType: 'volume' })).length;
    const cases: [unknown, RegExp, Record<string, string>?][] = [
      [{}, /'volume' is a required property/],
      [{ volume: { size: 'abc' } }, /Invalid input for field\/attribute size/],
      [{ volume: { size: 0 } }, /size/],
      [{ volume: { size: 1 }, extra: 1 }, /Additional properties are not allowed/],
      [{ volume: { size: 1, name: 'x'.repeat(256) } }, /name/],
      [{ volume: { size: 1, metadata: { k: 1 } } }, /Invalid input for field\/attribute k/],
      [{ volume: { size: 1, source_volid: 'not-a-uuid' } }, /source_volid/],
      [{ volume: { size: 1, availability_zone: 'nowhere' } }, /Availability zone 'nowhere' is invalid/],
      [{ volume: { size: 1, bogus: true } }, /Additional properties are not allowed \('bogus' was unexpected\)/, { 'openstack-api-version': 'volume 3.53' }],
      ['just a string', /is not of type 'object'/],
    ];
    for (const [body, message, headers] of cases) {
      const res = await env.call('demo', 'POST', '/volumes', { body, headers });
      assert.equal(res.status, 400, `${JSON.stringify(body)}: ${res.text}`);
      assert.equal(res.body.badRequest.code, 400);
      assert.match(res.body.badRequest.message, message);
    }
    const malformed = await env.call('demo', 'POST', '/volumes', { raw: '{"volume": ', headers: { 'content-type': 'application/json' } });
    assert.equal(malformed.status, 400);
    assert.ok(malformed.body.badRequest);
    const noType = await env.call('demo', 'POST', '/volumes', { body: { volume: { size: 1, volume_type: 'no-such' } } });
    assert.equal(noType.status, 404);
    assert.match(noType.body.itemNotFound.message, /Volume type with name no-such could not be found/);
    const pod400 = await env.call('demo', 'POST', '/volumes', { body: { volume: { size: 100000 } } });
    assert.equal(pod400.status, 413, 'the pod refusing (quota) is relayed');
    assert.equal((await env.tc.core.routings.list({ resourceType: 'volume' })).length, before, 'no route was left behind');
    const badVersion = await env.call('demo', 'GET', '/volumes', { headers: { 'openstack-api-version': 'volume 3.999' } });
    assert.equal(badVersion.status, 406);
    const malformedVersion = await env.call('demo', 'GET', '/volumes', { headers: { 'openstack-api-version': 'volume three' } });
    assert.equal(malformedVersion.status, 400);
  });

  test('a body nested 5,000 deep is a 400 with a short message, never a 500', async () => {
    const before = (await env.tc.core.routings.list({ resourceType: 'volume' })).length;
    const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
    for (const raw of [deep, `{"volume": {"size": ${deep}}}`, `{"volume": {"size": 1, "metadata": {"k": ${deep}}}}`]) {
      const res = await env.call('demo', 'POST', '/volumes', { raw, headers: { 'content-type': 'application/json' } });
      assert.equal(res.status, 400, res.text.slice(0, 200));
      assert.ok(res.body.badRequest.message.length < 1000, `${res.body.badRequest.message.length} characters`);
    }
    assert.equal((await env.tc.core.routings.list({ resourceType: 'volume' })).length, before, 'no route was left behind');
  });

  test('project-less /v3 URLs (3.67) and admin all_tenants lists', async () => {
    const v = await create('demo', { size: 1, availability_zone: 'az2', name: 'projectless' });
    const shown = await http('GET', `${env.gw}/v3/volumes/${v.id}`, { token: env.demo.token, headers: { 'openstack-api-version': 'volume 3.67' } });
    assert.equal(shown.status, 200, shown.text);
    assert.equal(shown.body.volume.availability_zone, 'az2');
    const listed = await http('GET', `${env.gw}/v3/volumes?name=projectless`, { token: env.demo.token, headers: { 'openstack-api-version': 'volume 3.67' } });
    assert.deepEqual(
      listed.body.volumes.map((x: any) => x.id),
      [v.id],
    );
    const all = await env.call('admin', 'GET', '/volumes/detail?all_tenants=1&name=projectless');
    assert.equal(all.status, 200, all.text);
    assert.deepEqual(
      all.body.volumes.map((x: any) => x.id),
      [v.id],
    );
    const own = await env.call('admin', 'GET', '/volumes/detail?name=projectless');
    assert.deepEqual(own.body.volumes, [], 'without all_tenants an admin sees only its project');
    const ignored = await env.call('demo', 'GET', `/volumes?all_tenants=1`);
    assert.ok(ignored.body.volumes.every((x: any) => x.id !== undefined));
  });

  test('v2 API: same volumes, links under /v2', async () => {
    const v = await create('demo', { size: 1, availability_zone: 'az1' });
    const res = await http('GET', `${env.gw}/v2/${env.demo.project}/volumes/${v.id}`, { token: env.demo.token });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers['openstack-api-version'], undefined);
    assert.ok(res.body.volume.links[0].href.startsWith(`${env.gw}/v2/`), res.body.volume.links[0].href);
  });
});

/** [method, path, body] of every per-volume call. */
function perVolumeCalls(id: string): [string, string, unknown?][] {
  return [
    ['GET', `/volumes/${id}`],
    ['PUT', `/volumes/${id}`, { volume: { name: 'x' } }],
    ['DELETE', `/volumes/${id}`],
    ['GET', `/volumes/${id}/metadata`],
    ['POST', `/volumes/${id}/metadata`, { metadata: { a: 'b' } }],
    ['PUT', `/volumes/${id}/metadata`, { metadata: { a: 'b' } }],
    ['GET', `/volumes/${id}/metadata/a`],
    ['PUT', `/volumes/${id}/metadata/a`, { meta: { a: 'c' } }],
    ['DELETE', `/volumes/${id}/metadata/a`],
    ['POST', `/volumes/${id}/action`, { 'os-extend': { new_size: 5 } }],
    ['POST', `/volumes/${id}/action`, { 'os-reset_status': { status: 'error' } }],
    ['POST', `/volumes/${id}/action`, { 'os-set_image_metadata': { metadata: { a: 'b' } } }],
    ['POST', `/volumes/${id}/action`, { 'os-unset_image_metadata': { key: 'a' } }],
    ['POST', `/volumes/${id}/action`, { 'os-show_image_metadata': null }],
    ['POST', `/volumes/${id}/action`, { 'os-force_detach': {} }],
    ['POST', `/volumes/${id}/action`, { 'os-attach': { mountpoint: '/dev/vdb', host_name: 'h' } }],
    ['POST', `/volumes/${id}/action`, { 'os-detach': {} }],
    ['POST', `/volumes/${id}/action`, { 'os-update_readonly_flag': { readonly: true } }],
    ['POST', `/volumes/${id}/action`, { 'os-retype': { new_type: 'x' } }],
  ];
}
