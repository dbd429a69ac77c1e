import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describeEachDatabase } from '../support/databases.js';
import { http } from '../support/http.js';
import { startCinderEnv, type CinderEnv } from './support.js';

describeEachDatabase('Cinder gateway: QoS specs and default types', (dialect) => {
  let env: CinderEnv;

  before(async () => {
    env = await startCinderEnv({ dialect });
  });
  after(async () => {
    await env?.close();
  });

  const podType = async (region: string, name: string) => (await env.pod(region, 'admin', 'GET', '/types?is_public=None')).body.volume_types.find((t: any) => t.name === name);

  test('QoS specs: top-owned; associate copies the spec into every pod holding the type; keys and delete follow', async () => {
    const made = await env.call('admin', 'POST', '/qos-specs', { body: { qos_specs: { name: 'gold', consumer: 'back-end', total_iops_sec: '500' } } });
    assert.equal(made.status, 200, made.text);
    const qos = made.body.qos_specs;
    assert.deepEqual(qos.specs, { total_iops_sec: '500' });
    assert.ok(made.body.links[0].href.startsWith(env.gw));
    assert.equal((await env.pod('Pod1', 'admin', 'GET', '/qos-specs')).body.qos_specs.length, 0, 'no copy before an association');
    assert.equal((await env.call('admin', 'POST', '/qos-specs', { body: { qos_specs: { name: 'gold' } } })).status, 409);
    assert.equal((await env.call('admin', 'POST', '/qos-specs', { body: { qos_specs: { name: 'bad', consumer: 'nobody' } } })).status, 400);
    assert.equal((await env.call('admin', 'POST', '/qos-specs', { body: { qos_specs: {} } })).status, 400);
    assert.equal((await env.call('demo', 'POST', '/qos-specs', { body: { qos_specs: { name: 'x' } } })).status, 403);
    assert.equal((await env.call('demo', 'GET', '/qos-specs')).status, 403);

    const type = await env.call('admin', 'POST', '/types', { body: { volume_type: { name: 'fast' } } });
    assert.equal(type.status, 200, type.text);
    const typeId = type.body.volume_type.id;
    const assoc = await env.call('admin', 'GET', `/qos-specs/${qos.id}/associate?vol_type_id=${typeId}`);
    assert.equal(assoc.status, 202, assoc.text);
    for (const region of ['Pod1', 'Pod2']) {
      const copies = (await env.pod(region, 'admin', 'GET', '/qos-specs')).body.qos_specs;
      assert.equal(copies.length, 1, region);
      assert.equal(copies[0].name, 'gold');
      assert.deepEqual(copies[0].specs, { total_iops_sec: '500' });
      assert.equal((await podType(region, 'fast')).qos_specs_id, copies[0].id, `${region}: the pod's type copy has the pod's spec copy`);
    }
    assert.equal((await env.call('admin', 'GET', `/types/${typeId}`)).body.volume_type.qos_specs_id, qos.id, "the top type's admin view names its top spec");
    assert.ok(
      (await env.call('admin', 'GET', '/types')).body.volume_types.some((t: any) => t.id === typeId && t.qos_specs_id === qos.id),
      'so does the admin list',
    );
    assert.ok(!('qos_specs_id' in (await env.call('demo', 'GET', `/types/${typeId}`)).body.volume_type), 'a member does not see it');
    const associations = await env.call('admin', 'GET', `/qos-specs/${qos.id}/associations`);
    assert.deepEqual(associations.body.qos_associations, [{ association_type: 'volume_type', name: 'fast', id: typeId }]);

    const upd = await env.call('admin', 'PUT', `/qos-specs/${qos.id}`, { body: { qos_specs: { read_iops_sec: '100' } } });
    assert.equal(upd.status, 200, upd.text);
    assert.deepEqual(upd.body.qos_specs, { read_iops_sec: '100' });
    assert.deepEqual((await env.pod('Pod2', 'admin', 'GET', '/qos-specs')).body.qos_specs[0].specs, { total_iops_sec: '500', read_iops_sec: '100' });
    assert.equal((await env.call('admin', 'PUT', `/qos-specs/${qos.id}/delete_keys`, { body: { keys: ['total_iops_sec'] } })).status, 202);
    assert.equal((await env.call('admin', 'PUT', `/qos-specs/${qos.id}/delete_keys`, { body: { keys: ['nope'] } })).status, 404);
    assert.deepEqual((await env.call('admin', 'GET', `/qos-specs/${qos.id}`)).body.qos_specs.specs, { read_iops_sec: '100' });
    assert.deepEqual((await env.pod('Pod1', 'admin', 'GET', '/qos-specs')).body.qos_specs[0].specs, { read_iops_sec: '100' });

    const list = await env.call('admin', 'GET', '/qos-specs?sort=name:asc');
    assert.ok(list.body.qos_specs.some((q: any) => q.id === qos.id));
    assert.equal((await env.call('admin', 'GET', `/qos-specs/${randomUUID()}`)).status, 404);

    // In use: delete refused unless forced; disassociate first, then delete removes the copies.
    assert.equal((await env.call('admin', 'DELETE', `/qos-specs/${qos.id}`)).status, 400);
    assert.equal((await env.call('admin', 'GET', `/qos-specs/${qos.id}/disassociate?vol_type_id=${typeId}`)).status, 202);
    assert.equal((await podType('Pod1', 'fast')).qos_specs_id, null);
    assert.equal((await env.call('admin', 'GET', `/types/${typeId}`)).body.volume_type.qos_specs_id, null, 'disassociated: null again');
    assert.deepEqual((await env.call('admin', 'GET', `/qos-specs/${qos.id}/associations`)).body.qos_associations, []);
    assert.equal((await env.call('admin', 'GET', `/qos-specs/${qos.id}/associate?vol_type_id=${typeId}`)).status, 202);
    assert.equal((await env.call('admin', 'GET', `/qos-specs/${qos.id}/disassociate_all`)).status, 202);
    assert.equal((await env.call('admin', 'DELETE', `/qos-specs/${qos.id}`)).status, 202);
    assert.equal((await env.pod('Pod1', 'admin', 'GET', '/qos-specs')).body.qos_specs.length, 0);
    assert.equal((await env.call('admin', 'GET', `/qos-specs/${qos.id}`)).status, 404);
  });

  test('default types (3.62): set, show, list, used by a create without a type, unset', async () => {
    const base = `${env.gw}/v3/default-types`;
    const h = (who: 'admin' | 'demo', version = '3.62') => ({ token: env[who].token, headers: { 'openstack-api-version': `volume ${version}` } });
    const type = await env.call('admin', 'POST', '/types', { body: { volume_type: { name: 'project-default' } } });
    assert.equal(
      (await http('PUT', `${base}/${env.demo.project}`, { ...h('admin', '3.61'), body: { default_type: { volume_type: 'project-default' } } })).status,
      404,
      'below 3.62',
    );
    const set = await http('PUT', `${base}/${env.demo.project}`, { ...h('admin'), body: { default_type: { volume_type: 'project-default' } } });
    assert.equal(set.status, 200, set.text);
    assert.deepEqual(set.body.default_type, { project_id: env.demo.project, volume_type_id: type.body.volume_type.id });
    assert.equal((await http('PUT', `${base}/${env.demo.project}`, { ...h('demo'), body: { default_type: { volume_type: 'project-default' } } })).status, 403);
    assert.equal((await http('PUT', `${base}/${env.demo.project}`, { ...h('admin'), body: { default_type: {} } })).status, 400);
    assert.equal((await http('GET', `${base}/${env.demo.project}`, h('demo'))).body.default_type.volume_type_id, type.body.volume_type.id);
    assert.equal((await http('GET', `${base}/${env.admin.project}`, h('demo'))).status, 403);
    assert.ok((await http('GET', base, h('admin'))).body.default_types.some((d: any) => d.project_id === env.demo.project));

    const vol = await env.call('demo', 'POST', '/volumes', { body: { volume: { size: 1, availability_zone: 'az1' } } });
    assert.equal(vol.status, 202, vol.text);
    assert.equal(vol.body.volume.volume_type, 'project-default');

    assert.equal((await http('DELETE', `${base}/${env.demo.project}`, h('admin'))).status, 204);
    assert.equal((await http('GET', `${base}/${env.demo.project}`, h('admin'))).status, 404);
    assert.equal((await http('DELETE', `${base}/${env.demo.project}`, h('admin'))).status, 404);
  });

  test('volume-type encryption: owned by the top, applied to every pod copy of the type', async () => {
    const type = await env.call('admin', 'POST', '/types', { body: { volume_type: { name: 'encrypted' } } });
    const id = type.body.volume_type.id;
    assert.deepEqual((await env.call('demo', 'GET', `/types/${id}/encryption`)).body, {});
    const spec = { provider: 'luks', cipher: 'aes-xts-plain64', key_size: 256, control_location: 'front-end' };
    assert.equal((await env.call('demo', 'POST', `/types/${id}/encryption`, { body: { encryption: spec } })).status, 403);
    assert.equal((await env.call('admin', 'POST', `/types/${id}/encryption`, { body: { encryption: { provider: 'luks' } } })).status, 400);
    const made = await env.call('admin', 'POST', `/types/${id}/encryption`, { body: { encryption: spec } });
    assert.equal(made.status, 200, made.text);
    assert.equal(made.body.encryption.volume_type_id, id);
    assert.equal(made.body.encryption.cipher, 'aes-xts-plain64');
    const encId = made.body.encryption.encryption_id;
    assert.equal((await env.call('admin', 'POST', `/types/${id}/encryption`, { body: { encryption: spec } })).status, 400, 'only one per type');
    for (const region of ['Pod1', 'Pod2']) {
      const copy = await podType(region, 'encrypted');
      const inPod = await env.pod(region, 'admin', 'GET', `/types/${copy.id}/encryption`);
      assert.equal(inPod.body.provider, 'luks', region);
    }
    const shown = await env.call('admin', 'GET', `/types/${id}/encryption`);
    assert.equal(shown.body.encryption_id, encId);
    assert.match(shown.body.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
    assert.deepEqual((await env.call('admin', 'GET', `/types/${id}/encryption/cipher`)).body, { cipher: 'aes-xts-plain64' });
    assert.equal((await env.call('admin', 'GET', `/types/${id}/encryption/bogus`)).status, 404);
    const upd = await env.call('admin', 'PUT', `/types/${id}/encryption/${encId}`, { body: { encryption: { key_size: 512 } } });
    assert.equal(upd.status, 200, upd.text);
    assert.equal((await env.pod('Pod2', 'admin', 'GET', `/types/${(await podType('Pod2', 'encrypted')).id}/encryption`)).body.key_size, 512);
    // Cinder does not read the last segment of update/delete: tempest and cinderclient send `provider`.
    const byProvider = await env.call('admin', 'PUT', `/types/${id}/encryption/provider`, { body: { encryption: { key_size: 128 } } });
    assert.equal(byProvider.status, 200, byProvider.text);
    assert.equal((await env.call('admin', 'GET', `/types/${id}/encryption`)).body.key_size, 128);
    assert.equal((await env.call('admin', 'DELETE', `/types/${id}/encryption/${encId}`)).status, 202);
    assert.equal((await env.call('admin', 'PUT', `/types/${id}/encryption/provider`, { body: { encryption: { key_size: 1 } } })).status, 404, 'no spec left');
    assert.deepEqual((await env.call('admin', 'GET', `/types/${id}/encryption`)).body, {});
    assert.deepEqual((await env.pod('Pod1', 'admin', 'GET', `/types/${(await podType('Pod1', 'encrypted')).id}/encryption`)).body, {});
  });
});
