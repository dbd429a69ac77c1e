import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { http } from '../support/http.js';
import { assertSampleShape } from '../support/shapes.js';
import { sleep, startCinderEnv, type CinderEnv } from './support.js';

/**
 * The simulated Cinder's groups (the pods' side of issue 15 item 5; the gateway does not serve them
 * yet): group types and specs, groups with their volumes, group snapshots, upstream's state machines.
 */
describe('sim Cinder: group types, groups and group snapshots', () => {
  let env: CinderEnv;
  let base: string;
  const call = (who: 'admin' | 'demo', method: string, path: string, body?: unknown, version = '3.64') =>
    http(method, `${base}/v3/${env[who].project}${path}`, {
      token: env[who].token,
      headers: { 'openstack-api-version': `volume ${version}` },
      ...(body !== undefined ? { body } : {}),
    });
  const until = async (path: string, key: string, status: string) => {
    for (let i = 0; i < 200; i++) {
      const res = await call('demo', 'GET', path);
      if (res.body?.[key]?.status === status) return res.body[key];
      await sleep(10);
    }
    throw new Error(`${path} never became ${status}`);
  };

  before(async () => {
    env = await startCinderEnv({ pods: [{ region: 'Pod1', az: 'az1' }] });
    base = env.cluster.pods[0].cinderUrl;
  });
  after(async () => {
    await env?.close();
  });

  test('group types and specs: admin-managed, as upstream shapes them', async () => {
    const made = await call('admin', 'POST', '/group_types', { group_type: { name: 'gt', description: 'd', group_specs: { consistent_group_snapshot_enabled: '<is> False' } } });
    assert.equal(made.status, 202, made.text);
    assertSampleShape(made.body, 'cinder', 'group-type-show-response.json');
    const id = made.body.group_type.id;
    assert.equal((await call('demo', 'POST', '/group_types', { group_type: { name: 'x' } })).status, 403);
    assert.equal((await call('admin', 'POST', '/group_types', { group_type: { name: 'gt' } })).status, 409);
    assert.equal((await call('admin', 'GET', '/group_types', undefined, '3.10')).status, 404, 'group types are 3.11+');
    assert.ok((await call('demo', 'GET', '/group_types')).body.group_types.some((t: any) => t.id === id));
    assert.equal((await call('demo', 'GET', '/group_types/default')).body.group_type.name, 'default_group_type');
    const upd = await call('admin', 'PUT', `/group_types/${id}`, { group_type: { description: 'new' } });
    assert.equal(upd.body.group_type.description, 'new');
    assert.deepEqual((await call('admin', 'POST', `/group_types/${id}/group_specs`, { group_specs: { k: 'v' } })).body, { group_specs: { k: 'v' } });
    assert.deepEqual((await call('admin', 'GET', `/group_types/${id}/group_specs/k`)).body, { k: 'v' });
    assert.deepEqual((await call('admin', 'PUT', `/group_types/${id}/group_specs/k`, { k: 'w' })).body, { k: 'w' });
    assert.equal((await call('admin', 'PUT', `/group_types/${id}/group_specs/k`, { other: 'w' })).status, 400);
    assert.equal((await call('admin', 'DELETE', `/group_types/${id}/group_specs/k`)).status, 202);
    assert.equal((await call('admin', 'GET', `/group_types/${id}/group_specs/k`)).status, 404);
    assert.equal((await call('admin', 'DELETE', `/group_types/${id}`)).status, 202);
    assert.equal((await call('admin', 'GET', `/group_types/${id}`)).status, 404);
  });

  test('a group: creating → available; volumes created into it; update adds and removes; group snapshots; delete with volumes', async () => {
    const gt = (await call('admin', 'POST', '/group_types', { group_type: { name: 'for-groups' } })).body.group_type;
    const vt = (await call('admin', 'GET', '/types/default')).body.volume_type;
    const made = await call('demo', 'POST', '/groups', { group: { name: 'g1', group_type: gt.id, volume_types: [vt.id] } });
    assert.equal(made.status, 202, made.text);
    assertSampleShape(made.body, 'cinder', 'group-create-response.json');
    const gid = made.body.group.id;
    const shown = await until(`/groups/${gid}`, 'group', 'available');
    assert.deepEqual(shown.volume_types, [vt.id]);
    assert.equal((await call('demo', 'POST', '/groups', { group: { name: 'x', group_type: gt.id, volume_types: [vt.id], availability_zone: 'az9' } })).status, 400);

    const vol = await call('demo', 'POST', '/volumes', { volume: { size: 1, group_id: gid } });
    assert.equal(vol.status, 202, vol.text);
    assert.equal(vol.body.volume.group_id, gid);
    const loose = await call('demo', 'POST', '/volumes', { volume: { size: 1 } });
    await until(`/volumes/${vol.body.volume.id}`, 'volume', 'available');
    await until(`/volumes/${loose.body.volume.id}`, 'volume', 'available');
    const otherType = (await call('admin', 'POST', '/types', { volume_type: { name: 'not-in-group' } })).body.volume_type;
    assert.equal((await call('demo', 'POST', '/volumes', { volume: { size: 1, group_id: gid, volume_type: otherType.id } })).status, 400, 'a type the group lacks');

    assert.equal((await call('demo', 'PUT', `/groups/${gid}`, { group: { add_volumes: loose.body.volume.id, name: 'g1b' } })).status, 202);
    let detail = (await call('demo', 'GET', `/groups/${gid}`)).body.group;
    assert.equal(detail.name, 'g1b');
    assert.deepEqual([...detail.volumes].sort(), [vol.body.volume.id, loose.body.volume.id].sort());
    assert.equal((await call('demo', 'PUT', `/groups/${gid}`, { group: { remove_volumes: loose.body.volume.id } })).status, 202);
    detail = (await call('demo', 'GET', `/groups/${gid}`)).body.group;
    assert.deepEqual(detail.volumes, [vol.body.volume.id]);
    assert.ok((await call('demo', 'GET', '/groups')).body.groups.some((g: any) => g.id === gid && Object.keys(g).length === 2));

    const gs = await call('demo', 'POST', '/group_snapshots', { group_snapshot: { group_id: gid, name: 'gs' } });
    assert.equal(gs.status, 202, gs.text);
    const gsid = gs.body.group_snapshot.id;
    const gsShown = await until(`/group_snapshots/${gsid}`, 'group_snapshot', 'available');
    assertSampleShape({ group_snapshot: gsShown }, 'cinder', 'group-snapshots-show-response.json');
    const snaps = (await call('demo', 'GET', `/snapshots/detail?volume_id=${vol.body.volume.id}`)).body.snapshots;
    assert.equal(snaps.length, 1);
    assert.equal(snaps[0].group_snapshot_id, gsid);

    const copy = await call('demo', 'POST', '/groups/action', { 'create-from-src': { name: 'from-snap', group_snapshot_id: gsid } });
    assert.equal(copy.status, 202, copy.text);
    const copied = await until(`/groups/${copy.body.group.id}`, 'group', 'available');
    assert.equal(copied.group_snapshot_id, gsid);
    assert.equal(copied.volumes.length, 1);

    assert.equal((await call('demo', 'POST', `/groups/${gid}/action`, { reset_status: { status: 'error' } })).status, 403, 'reset_status is admin');
    assert.equal((await call('admin', 'POST', `/group_snapshots/${gsid}/action`, { reset_status: { status: 'error' } })).status, 202);
    assert.equal((await call('demo', 'GET', `/group_snapshots/${gsid}`)).body.group_snapshot.status, 'error');
    assert.equal((await call('demo', 'DELETE', `/group_snapshots/${gsid}`)).status, 202);
    for (let i = 0; i < 200 && (await call('demo', 'GET', `/group_snapshots/${gsid}`)).status !== 404; i++) await sleep(10);

    assert.equal((await call('demo', 'POST', `/groups/${gid}/action`, { delete: {} })).status, 400, 'still has volumes');
    assert.equal((await call('demo', 'POST', `/groups/${gid}/action`, { delete: { 'delete-volumes': true } })).status, 202);
    for (let i = 0; i < 200 && (await call('demo', 'GET', `/groups/${gid}`)).status !== 404; i++) await sleep(10);
    assert.equal((await call('demo', 'GET', `/groups/${gid}`)).status, 404);
    assert.equal((await call('demo', 'GET', `/volumes/${vol.body.volume.id}`)).status, 404, 'its volumes went with it');
    assert.equal((await call('demo', 'GET', `/volumes/${loose.body.volume.id}`)).status, 200, 'a removed volume stays');
    assert.equal((await call('demo', 'POST', `/groups/${copied.id}/action`, { enable_replication: {} })).status, 400, 'no replication targets');
  });
});
