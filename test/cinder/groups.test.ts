import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDatabase } from '../support/databases.js';
import { http } from '../support/http.js';
import { assertSampleShape } from '../support/shapes.js';
import { sleep, startCinderEnv, waitForStatus, type CinderEnv } from './support.js';

/** Group types (top-owned, synced), groups and group snapshots (in one pod, routed) through the gateway. */
describeEachDatabase('Cinder gateway: group types, groups, group snapshots', (dialect) => {
  let env: CinderEnv;
  const v = (version: string) => ({ 'openstack-api-version': `volume ${version}` });
  const call = (who: 'admin' | 'demo', method: string, path: string, body?: unknown, version = '3.20') =>
    env.call(who, method, path, { ...(body !== undefined ? { body } : {}), headers: v(version) });

  async function waitFor(path: string, member: string, statuses: string[]): Promise<any> {
    for (let i = 0; i < 250; i++) {
      const res = await call('demo', 'GET', path);
      if (res.status === 200 && statuses.includes(res.body[member].status)) return res.body[member];
      if (res.status === 404 && statuses.includes('gone')) return undefined;
      await sleep(20);
    }
    throw new Error(`${path} did not reach ${statuses.join('/')}`);
  }

  before(async () => {
    env = await startCinderEnv({ dialect, extra: { cinder_apigw: { list_pod_timeout: 2, down_pod_probe_interval: 0 } } });
  });
  after(async () => {
    await env?.close();
  });

  test('group types and specs: owned by the top, admin-managed, 3.11+, changes reach the pod copies', async () => {
    assert.equal((await call('admin', 'GET', '/group_types', undefined, '3.10')).status, 404, 'group types are 3.11+');
    const made = await call('admin', 'POST', '/group_types', {
      group_type: { name: 'gt-a', description: 'd', group_specs: { consistent_group_snapshot_enabled: '<is> False', k1: 'v1' } },
    });
    assert.equal(made.status, 202, made.text);
    assertSampleShape(made.body, 'cinder', 'group-type-show-response.json');
    const id = made.body.group_type.id;
    assert.equal((await env.tc.core.db.kysely.selectFrom('group_types').select('id').where('name', '=', 'gt-a').executeTakeFirst())?.id, id);
    assert.equal((await call('demo', 'POST', '/group_types', { group_type: { name: 'x' } })).status, 403);
    assert.equal((await call('admin', 'POST', '/group_types', { group_type: { name: 'gt-a' } })).status, 409);
    assert.equal((await call('admin', 'POST', '/group_types', { group_type: { name: '' } })).status, 400);
    assert.equal((await call('admin', 'POST', '/group_types', { group_type: { name: 'y', bogus: 1 } })).status, 400);
    const listed = await call('demo', 'GET', '/group_types');
    assert.ok(listed.body.group_types.some((t: any) => t.id === id));
    assert.equal(listed.body.group_types.find((t: any) => t.id === id).group_specs, undefined, 'specs are for administrators');
    assert.equal((await call('demo', 'GET', '/group_types/default')).body.group_type.name, 'default_group_type');
    const priv = (await call('admin', 'POST', '/group_types', { group_type: { name: 'b-private', is_public: false } })).body.group_type;
    const names = async (who: 'admin' | 'demo', q: string) => (await call(who, 'GET', `/group_types?${q}`)).body.group_types.map((t: any) => t.name);
    assert.ok(!(await names('demo', '')).includes('b-private'), 'a private type is hidden from users');
    assert.deepEqual(await names('admin', 'is_public=false'), ['b-private']);
    assert.ok(!(await names('admin', 'is_public=true')).includes('b-private'));
    const asc = await names('admin', 'is_public=None&sort=name:asc');
    assert.deepEqual(asc, [...asc].sort());
    assert.deepEqual(await names('admin', 'is_public=None&sort=name:desc'), [...asc].reverse());
    assert.equal((await call('admin', 'GET', '/group_types?sort=bogus')).status, 400);
    assert.equal((await call('admin', 'DELETE', `/group_types/${priv.id}`)).status, 202);
    assert.equal((await call('admin', 'PUT', `/group_types/${id}`, { group_type: { description: 'new' } })).body.group_type.description, 'new');
    assert.deepEqual((await call('admin', 'POST', `/group_types/${id}/group_specs`, { group_specs: { k2: 'v2' } })).body, { group_specs: { k2: 'v2' } });
    assert.deepEqual((await call('admin', 'GET', `/group_types/${id}/group_specs`)).body, { group_specs: { consistent_group_snapshot_enabled: '<is> False', k1: 'v1', k2: 'v2' } });
    assert.deepEqual((await call('admin', 'PUT', `/group_types/${id}/group_specs/k2`, { k2: 'w' })).body, { k2: 'w' });
    assert.equal((await call('admin', 'PUT', `/group_types/${id}/group_specs/k2`, { other: 'w' })).status, 400);
    assert.equal((await call('demo', 'GET', `/group_types/${id}/group_specs`)).status, 403);
    assert.equal((await call('admin', 'DELETE', `/group_types/${id}/group_specs/k1`)).status, 202);
    assert.equal((await call('admin', 'GET', `/group_types/${id}/group_specs/k1`)).status, 404);
    // Not copied to any pod until a group needs it.
    assert.equal((await env.tc.core.routings.findByTop(id, 'group_type')).length, 0);
    assert.equal((await call('admin', 'DELETE', `/group_types/${id}`)).status, 202);
    assert.equal((await call('admin', 'GET', `/group_types/${id}`)).status, 404);
  });

  test('a group lives in its AZ pod with its types copied there; volumes, snapshots and sources stay there', async () => {
    const gt = (await call('admin', 'POST', '/group_types', { group_type: { name: 'gt-b', group_specs: { s: '1' } } })).body.group_type;
    const vt = (await call('admin', 'POST', '/types', { volume_type: { name: 'vt-groups' } })).body.volume_type;
    assert.equal((await call('demo', 'POST', '/groups', { group: { name: 'g', group_type: gt.id, volume_types: [vt.id] } }, '3.12')).status, 404, 'groups are 3.13+');
    assert.equal((await call('demo', 'POST', '/groups', { group: { name: 'g', group_type: gt.id, volume_types: [] } })).status, 400);
    assert.equal((await call('demo', 'POST', '/groups', { group: { name: 'g', group_type: 'nope', volume_types: [vt.id] } })).status, 404);
    assert.equal((await call('demo', 'POST', '/groups', { group: { name: 'g', group_type: gt.id, volume_types: [vt.id], availability_zone: 'az9' } })).status, 400);

    const made = await call('demo', 'POST', '/groups', { group: { name: 'g1', group_type: gt.id, volume_types: [vt.name], availability_zone: 'az2' } });
    assert.equal(made.status, 202, made.text);
    assertSampleShape(made.body, 'cinder', 'group-create-response.json');
    const gid = made.body.group.id;
    const route = (await env.tc.core.routings.findByTop(gid, 'group'))[0];
    assert.equal(route.podId, env.pods.Pod2.id);
    const typeRoute = (await env.tc.core.routings.findByTop(gt.id, 'group_type')).find((r) => r.podId === env.pods.Pod2.id);
    assert.ok(typeRoute?.bottomId, 'the group type is copied to the group pod');
    const podCopy = await http('GET', `${env.cluster.pods.find((p) => p.region === 'Pod2')!.cinderUrl}/v3/${env.admin.project}/group_types/${typeRoute!.bottomId}`, {
      token: env.admin.token,
      headers: v('3.11'),
    });
    assert.deepEqual(podCopy.body.group_type?.group_specs, { s: '1' });
    assert.equal((await env.tc.core.routings.findByTop(gt.id, 'group_type')).filter((r) => r.podId === env.pods.Pod1.id).length, 0, 'not copied where not needed');

    const shown = await waitFor(`/groups/${gid}`, 'group', ['available']);
    assert.equal(shown.group_type, gt.id, 'the top id of the group type');
    assert.deepEqual(shown.volume_types, [vt.id], 'the top ids of the volume types');
    assert.equal(shown.availability_zone, 'az2');

    // A volume in the group goes to the group pod; a different AZ is refused.
    assert.equal((await call('demo', 'POST', '/volumes', { volume: { size: 1, group_id: gid, volume_type: vt.id, availability_zone: 'az1' } })).status, 400);
    const inGroup = await call('demo', 'POST', '/volumes', { volume: { size: 1, group_id: gid, volume_type: vt.id } });
    assert.equal(inGroup.status, 202, inGroup.text);
    assert.equal((await env.tc.core.routings.findByTop(inGroup.body.volume.id, 'volume'))[0].podId, env.pods.Pod2.id);
    await waitForStatus(env, 'demo', inGroup.body.volume.id, ['available']);

    // Adding a volume from the other pod is a clear 400; one from the same pod is fine.
    const far = await call('demo', 'POST', '/volumes', { volume: { size: 1, volume_type: vt.id, availability_zone: 'az1' } });
    const near = await call('demo', 'POST', '/volumes', { volume: { size: 1, volume_type: vt.id, availability_zone: 'az2' } });
    await waitForStatus(env, 'demo', far.body.volume.id, ['available']);
    await waitForStatus(env, 'demo', near.body.volume.id, ['available']);
    const refused = await call('demo', 'PUT', `/groups/${gid}`, { group: { add_volumes: far.body.volume.id } });
    assert.equal(refused.status, 400);
    assert.match(refused.text, /one pod/);
    assert.equal((await call('demo', 'PUT', `/groups/${gid}`, { group: { add_volumes: near.body.volume.id, name: 'g1b' } })).status, 202);
    const detail = await call('demo', 'GET', `/groups/${gid}`, undefined, '3.25');
    assert.equal(detail.body.group.name, 'g1b');
    assert.deepEqual([...detail.body.group.volumes].sort(), [inGroup.body.volume.id, near.body.volume.id].sort());

    // Lists: brief and detailed, another project's group hidden, the down pod named.
    const other = await call('admin', 'POST', '/groups', { group: { name: 'admins', group_type: gt.id, volume_types: [vt.id], availability_zone: 'az1' } });
    assert.equal(other.status, 202, other.text);
    const brief = await call('demo', 'GET', '/groups');
    assert.deepEqual(brief.body.groups, [{ id: gid, name: 'g1b' }]);
    const det = await call('demo', 'GET', '/groups/detail');
    assert.equal(det.body.groups[0].group_type, gt.id);
    assert.equal((await call('demo', 'GET', `/groups/${other.body.group.id}`)).status, 404);
    const all = await call('admin', 'GET', '/groups/detail?all_tenants=1');
    assert.deepEqual(all.body.groups.map((g: any) => g.id).sort(), [gid, other.body.group.id].sort());
    await env.cluster.setFaults('Pod2', { down: true });
    try {
      const partial = await call('admin', 'GET', '/groups?all_tenants=1');
      assert.equal(partial.status, 200, partial.text);
      assert.equal(partial.headers['x-tricircle-unavailable-pods'], 'Pod2');
      assert.deepEqual(
        partial.body.groups.map((g: any) => g.id),
        [other.body.group.id],
      );
    } finally {
      await env.cluster.setFaults('Pod2', { down: false });
    }

    // Group snapshots: in the group pod, routed; a group made from one stays there.
    assert.equal((await call('demo', 'POST', '/group_snapshots', { group_snapshot: { group_id: gid } }, '3.13')).status, 404, 'group snapshots are 3.14+');
    const gs = await call('demo', 'POST', '/group_snapshots', { group_snapshot: { group_id: gid, name: 'gs1' } });
    assert.equal(gs.status, 202, gs.text);
    const gsid = gs.body.group_snapshot.id;
    assertSampleShape(gs.body, 'cinder', 'group-snapshots-create-response.json');
    assert.equal(gs.body.group_snapshot.group_type_id, gt.id, 'the create answer names the top group type');
    assert.equal((await env.tc.core.routings.findByTop(gsid, 'group_snapshot'))[0].podId, env.pods.Pod2.id);
    const gsShown = await waitFor(`/group_snapshots/${gsid}`, 'group_snapshot', ['available']);
    assert.equal(gsShown.group_id, gid);
    assert.equal(gsShown.group_type_id, gt.id);
    assert.deepEqual((await call('demo', 'GET', '/group_snapshots')).body.group_snapshots, [{ id: gsid, name: 'gs1' }]);
    assert.equal((await call('demo', 'GET', '/group_snapshots/detail')).body.group_snapshots[0].group_type_id, gt.id);
    assert.equal((await call('demo', 'POST', `/group_snapshots/${gsid}/action`, { reset_status: { status: 'error' } })).status, 403);
    assert.equal((await call('admin', 'POST', `/group_snapshots/${gsid}/action`, { reset_status: { status: 'available' } })).status, 202);
    const copy = await call('demo', 'POST', '/groups/action', { 'create-from-src': { name: 'copy', group_snapshot_id: gsid } });
    assert.equal(copy.status, 202, copy.text);
    assert.equal((await env.tc.core.routings.findByTop(copy.body.group.id, 'group'))[0].podId, env.pods.Pod2.id);
    assert.equal((await call('demo', 'POST', '/groups/action', { 'create-from-src': { name: 'x' } })).status, 400);
    await waitFor(`/groups/${copy.body.group.id}`, 'group', ['available']);

    // Admin reset_status (3.20), then deletes: the snapshot, the groups with their volumes.
    assert.equal((await call('demo', 'POST', `/groups/${gid}/action`, { reset_status: { status: 'error' } })).status, 403);
    assert.equal((await call('admin', 'POST', `/groups/${gid}/action`, { reset_status: { status: 'available' } })).status, 202);
    assert.equal((await call('demo', 'DELETE', `/group_snapshots/${gsid}`)).status, 202);
    await waitFor(`/group_snapshots/${gsid}`, 'group_snapshot', ['gone']);
    assert.equal((await call('demo', 'POST', `/groups/${gid}/action`, { delete: {} })).status, 400, 'still has volumes');
    for (const id of [gid, copy.body.group.id]) assert.equal((await call('demo', 'POST', `/groups/${id}/action`, { delete: { 'delete-volumes': true } })).status, 202);
    await waitFor(`/groups/${gid}`, 'group', ['gone']);
    assert.equal((await env.tc.core.routings.findByTop(gid, 'group')).length, 0, 'the route goes with the group');
    // A group type in use in a pod cannot be deleted there: the top keeps it.
    assert.equal((await call('admin', 'DELETE', `/group_types/${gt.id}`)).status, 400);
    assert.equal((await call('admin', 'GET', `/group_types/${gt.id}`)).status, 200);
  });
});
