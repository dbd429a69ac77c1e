import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDatabase } from '../support/databases.js';
import { http } from '../support/http.js';
import { assertSampleShape } from '../support/shapes.js';
import { startCinderEnv, waitForStatus, type CinderEnv } from './support.js';

describeEachDatabase('Cinder gateway: versions, volume types, availability zones', (dialect) => {
  let env: CinderEnv;

  before(async () => {
    env = await startCinderEnv({
      dialect,
      pods: [
        { region: 'Pod1', az: 'az1' },
        { region: 'Pod2', az: 'az2' },
        { region: 'Pod3', az: 'az3' },
      ],
      unregistered: ['Pod3'],
    });
  });
  after(async () => {
    await env?.close();
  });

  /** The pod's types by name (admin view). */
  async function podTypes(region: string): Promise<Map<string, any>> {
    const res = await env.pod(region, 'admin', 'GET', '/types?is_public=None');
    assert.equal(res.status, 200, res.text);
    return new Map(res.body.volume_types.map((t: any) => [t.name, t]));
  }

  test('version documents without a token; microversions negotiated and echoed', async () => {
    const root = await http('GET', `${env.gw}/`);
    assert.equal(root.status, 300);
    assert.equal(root.body.versions[0].id, 'v3.0');
    assert.equal(root.body.versions[0].links.find((l: any) => l.rel === 'self').href, `${env.gw}/v3/`);
    const v3 = await http('GET', `${env.gw}/v3/`);
    assert.equal(v3.status, 200);
    assertSampleShape(v3.body, 'cinder', 'versions/version-show-response.json');
    assert.equal(v3.body.versions[0].min_version, '3.0');
    assert.equal((await http('GET', `${env.gw}/v2`)).body.versions[0].id, 'v2.0');
    const latest = await env.call('demo', 'GET', '/types', { headers: { 'openstack-api-version': 'volume latest' } });
    assert.equal(latest.headers['openstack-api-version'], `volume ${v3.body.versions[0].version}`);
    const none = await env.call('demo', 'GET', '/types');
    assert.equal(none.headers['openstack-api-version'], 'volume 3.0');
    assert.equal((await http('GET', `${env.gw}/v3/${env.demo.project}/types`)).status, 401);
  });

  test('a type created at the top is copied into every pod, extra specs included', async () => {
    const res = await env.call('admin', 'POST', '/types', { body: { volume_type: { name: 'gold', description: 'fast', extra_specs: { tier: '1' } } } });
    assert.equal(res.status, 200, res.text);
    assertSampleShape(res.body, 'cinder', 'volume_type/volume-type-create-response.json', ['volume_type.extra_specs.capabilities']);
    assert.ok(!('qos_specs_id' in res.body.volume_type), 'a create answer has no qos_specs_id, as upstream');
    const gold = res.body.volume_type;
    const adminShow = await env.call('admin', 'GET', `/types/${gold.id}`);
    assert.equal(adminShow.body.volume_type.qos_specs_id, null, 'the admin show view has it');
    const renamed = await env.call('admin', 'PUT', `/types/${gold.id}`, { body: { volume_type: { description: 'faster' } } });
    assert.equal(renamed.status, 200, renamed.text);
    assert.ok(!('qos_specs_id' in renamed.body.volume_type), 'nor has an update answer');
    assert.ok(!('os-volume-type-access:is_public' in renamed.body.volume_type), 'an update answer has no access key either (tempest forbids it)');
    assertSampleShape(renamed.body, 'cinder', 'volume_type/volume-type-update-response.json', ['volume_type.extra_specs.capabilities']);
    const memberShow = await env.call('demo', 'GET', `/types/${gold.id}`);
    assert.ok(!('qos_specs_id' in memberShow.body.volume_type), 'a member never sees qos_specs_id');
    assert.ok((await env.call('demo', 'GET', '/types')).body.volume_types.every((t: any) => !('qos_specs_id' in t)));
    assert.ok(
      (await env.call('admin', 'GET', '/types')).body.volume_types.every((t: any) => 'qos_specs_id' in t),
      'an admin list has it on every type',
    );
    const dflt = await env.call('admin', 'GET', '/types/default');
    assertSampleShape(dflt.body, 'cinder', 'volume_type/volume-type-default-response.json', ['volume_type.extra_specs.capabilities']);
    assert.ok(!('os-volume-type-access:is_public' in dflt.body.volume_type));
    await env.call('admin', 'PUT', `/types/${gold.id}`, { body: { volume_type: { description: 'fast' } } });
    assert.equal(gold.name, 'gold');
    assert.deepEqual(gold.extra_specs, { tier: '1' });
    for (const region of ['Pod1', 'Pod2']) {
      const copy = (await podTypes(region)).get('gold');
      assert.ok(copy, `gold in ${region}`);
      assert.equal(copy.description, 'fast');
      assert.deepEqual(copy.extra_specs, { tier: '1' });
    }
    const routes = await env.tc.core.routings.findByTop(gold.id, 'volume_type');
    assert.equal(routes.length, 2);
    assert.ok(
      routes.every((r) => r.bottomId && r.bottomId !== gold.id),
      'the pods keep their own ids',
    );

    const shown = await env.call('demo', 'GET', `/types/${gold.id}`);
    assert.equal(shown.status, 200);
    assert.deepEqual(shown.body.volume_type.extra_specs, {}, 'non-admins see only user-visible extra specs');
    const listed = await env.call('demo', 'GET', '/types');
    assert.deepEqual(listed.body.volume_types.map((t: any) => t.name).sort(), ['__DEFAULT__', 'gold']);
    assert.equal((await env.call('demo', 'GET', '/types/default')).body.volume_type.name, '__DEFAULT__');
  });

  test('types: admin only, validated, unique', async () => {
    const denied = await env.call('demo', 'POST', '/types', { body: { volume_type: { name: 'mine' } } });
    assert.equal(denied.status, 403);
    assert.match(denied.body.forbidden.message, /volume_extension:types_manage/);
    assert.equal((await env.call('admin', 'POST', '/types', { body: { volume_type: { name: 'gold' } } })).status, 409);
    for (const body of [
      {},
      { volume_type: {} },
      { volume_type: { name: '' } },
      { volume_type: { name: 'x', bogus: 1 } },
      { volume_type: { name: 'x', 'os-volume-type-access:is_public': 'maybe' } },
    ]) {
      const res = await env.call('admin', 'POST', '/types', { body });
      assert.equal(res.status, 400, `${JSON.stringify(body)}: ${res.text}`);
      assert.ok(res.body.badRequest);
    }
    assert.equal((await env.call('admin', 'GET', '/types/00000000-0000-0000-0000-000000000000')).status, 404);
    assert.equal((await env.call('admin', 'DELETE', '/types/default')).status, 400);
  });

  test('update and extra specs follow into the pods', async () => {
    const t = (await env.call('admin', 'POST', '/types', { body: { volume_type: { name: 'silver' } } })).body.volume_type;
    const upd = await env.call('admin', 'PUT', `/types/${t.id}`, { body: { volume_type: { name: 'silver2', description: 'renamed' } } });
    assert.equal(upd.status, 200, upd.text);
    assert.equal(upd.body.volume_type.name, 'silver2');
    const specs = await env.call('admin', 'POST', `/types/${t.id}/extra_specs`, { body: { extra_specs: { a: '1', b: '2' } } });
    assert.deepEqual(specs.body, { extra_specs: { a: '1', b: '2' } });
    assert.deepEqual((await env.call('admin', 'PUT', `/types/${t.id}/extra_specs/a`, { body: { a: '9' } })).body, { a: '9' });
    assert.equal((await env.call('admin', 'DELETE', `/types/${t.id}/extra_specs/b`)).status, 202);
    assert.deepEqual((await env.call('admin', 'GET', `/types/${t.id}/extra_specs`)).body, { extra_specs: { a: '9' } });
    assert.deepEqual((await env.call('admin', 'GET', `/types/${t.id}/extra_specs/a`)).body, { a: '9' });
    assert.equal((await env.call('admin', 'GET', `/types/${t.id}/extra_specs/b`)).status, 404);
    for (const region of ['Pod1', 'Pod2']) {
      const types = await podTypes(region);
      assert.ok(!types.has('silver'));
      assert.equal(types.get('silver2').description, 'renamed');
      assert.deepEqual(types.get('silver2').extra_specs, { a: '9' });
    }
  });

  test('private types: shared projects only, in the pods too', async () => {
    const t = (await env.call('admin', 'POST', '/types', { body: { volume_type: { name: 'secret', 'os-volume-type-access:is_public': false } } })).body.volume_type;
    assert.equal(t.is_public, false);
    assert.equal((await env.call('demo', 'GET', `/types/${t.id}`)).status, 404);
    assert.ok(!(await env.call('demo', 'GET', '/types')).body.volume_types.some((x: any) => x.id === t.id));
    const add = await env.call('admin', 'POST', `/types/${t.id}/action`, { body: { addProjectAccess: { project: env.demo.project } } });
    assert.equal(add.status, 202, add.text);
    assert.equal((await env.call('admin', 'POST', `/types/${t.id}/action`, { body: { addProjectAccess: { project: env.demo.project } } })).status, 409);
    const access = await env.call('admin', 'GET', `/types/${t.id}/os-volume-type-access`);
    // Only the projects it was shared with: Cinder does not add the creator's project (tempest counts them).
    assert.deepEqual(
      access.body.volume_type_access.map((a: any) => a.project_id),
      [env.demo.project],
    );
    assert.equal((await env.call('demo', 'GET', `/types/${t.id}`)).status, 200);
    assert.ok((await env.call('demo', 'GET', '/types')).body.volume_types.some((x: any) => x.id === t.id));
    // The pods hold private copies, shared with the same projects: a member's volume of the type is made.
    for (const region of ['Pod1', 'Pod2']) assert.equal((await podTypes(region)).get('secret').is_public, false);
    const vol = await env.call('demo', 'POST', '/volumes', { body: { volume: { size: 1, volume_type: t.id, availability_zone: 'az1' } } });
    assert.equal(vol.status, 202, vol.text);
    assert.equal(vol.body.volume.volume_type, 'secret');
    const copy = (await podTypes('Pod1')).get('secret');
    const podAccess = await env.pod('Pod1', 'admin', 'GET', `/types/${copy.id}/os-volume-type-access`);
    assert.ok(
      podAccess.body.volume_type_access.some((a: any) => a.project_id === env.demo.project),
      podAccess.text,
    );
    const remove = await env.call('admin', 'POST', `/types/${t.id}/action`, { body: { removeProjectAccess: { project: env.demo.project } } });
    assert.equal(remove.status, 202);
    assert.equal((await env.call('demo', 'GET', `/types/${t.id}`)).status, 404);
  });

  test('a pod registered later gets its copy on first use', async () => {
    const t = (await env.call('admin', 'POST', '/types', { body: { volume_type: { name: 'late', extra_specs: { x: 'y' } } } })).body.volume_type;
    await env.register('Pod3');
    assert.ok(!(await podTypes('Pod3')).has('late'));
    // The endpoint resolver re-reads the Keystone catalog at most every 2 s; let the new region show up.
    await new Promise((r) => setTimeout(r, 2100));
    const v = await env.call('demo', 'POST', '/volumes', { body: { volume: { size: 1, volume_type: t.id, availability_zone: 'az3' } } });
    assert.equal(v.status, 202, v.text);
    assert.equal(v.body.volume.volume_type, 'late');
    assert.equal(v.body.volume.availability_zone, 'az3');
    assert.deepEqual((await podTypes('Pod3')).get('late').extra_specs, { x: 'y' });
  });

  test('delete removes the copies; a type in use is refused with the pod error and kept', async () => {
    const used = (await env.call('admin', 'POST', '/types', { body: { volume_type: { name: 'used' } } })).body.volume_type;
    const vol = await env.call('demo', 'POST', '/volumes', { body: { volume: { size: 1, volume_type: 'used', availability_zone: 'az1' } } });
    assert.equal(vol.status, 202);
    await waitForStatus(env, 'demo', vol.body.volume.id, ['available']);
    const refused = await env.call('admin', 'DELETE', `/types/${used.id}`);
    assert.equal(refused.status, 400, refused.text);
    assert.equal((await env.call('admin', 'GET', `/types/${used.id}`)).status, 200);
    assert.equal((await env.call('demo', 'DELETE', `/volumes/${vol.body.volume.id}`)).status, 202);
    for (let i = 0; i < 100 && (await env.call('demo', 'GET', `/volumes/${vol.body.volume.id}`)).status !== 404; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal((await env.call('admin', 'DELETE', `/types/${used.id}`)).status, 202);
    assert.equal((await env.call('admin', 'GET', `/types/${used.id}`)).status, 404);
    for (const region of ['Pod1', 'Pod2']) assert.ok(!(await podTypes(region)).has('used'), region);
    assert.equal((await env.tc.core.routings.findByTop(used.id, 'volume_type')).length, 0);
  });

  test("availability zones are the pods' top AZ names", async () => {
    const res = await env.call('demo', 'GET', '/os-availability-zone');
    assert.equal(res.status, 200);
    assertSampleShape(res.body, 'cinder', 'availability-zone-list-response.json');
    assert.deepEqual(
      res.body.availabilityZoneInfo.map((z: any) => [z.zoneName, z.zoneState.available]),
      [
        ['az1', true],
        ['az2', true],
        ['az3', true],
      ],
    );
    await env.tc.core.pods.update(env.pods.Pod2.id, { disabled: true });
    try {
      const after = await env.call('demo', 'GET', '/os-availability-zone');
      assert.deepEqual(after.body.availabilityZoneInfo.find((z: any) => z.zoneName === 'az2').zoneState, { available: false });
      const create = await env.call('demo', 'POST', '/volumes', { body: { volume: { size: 1, availability_zone: 'az2' } } });
      assert.equal(create.status, 400);
    } finally {
      await env.tc.core.pods.update(env.pods.Pod2.id, { disabled: false });
    }
  });
});
