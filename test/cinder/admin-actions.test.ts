import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startCinderEnv, type CinderEnv } from './support.js';

/** Cinder lets an administrator act on any project's volume by id; so does the gateway. */
describe("Cinder gateway: an administrator acts on another project's volume by id", () => {
  let env: CinderEnv;
  const create = async (name: string) => {
    const res = await env.call('demo', 'POST', '/volumes', { body: { volume: { size: 1, name, availability_zone: 'az1' } } });
    assert.equal(res.status, 202, res.text);
    const id = res.body.volume.id as string;
    for (let i = 0; i < 100; i++) {
      if ((await env.call('demo', 'GET', `/volumes/${id}`)).body.volume.status === 'available') return id;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`volume ${name} never became available`);
  };

  before(async () => {
    env = await startCinderEnv();
  });
  after(async () => {
    await env?.close();
  });

  test('show, reset status, force detach and force delete by id', async () => {
    const id = await create('theirs');
    const shown = await env.call('admin', 'GET', `/volumes/${id}`);
    assert.equal(shown.status, 200, shown.text);
    assert.equal(shown.body.volume['os-vol-tenant-attr:tenant_id'], env.demo.project);

    const reset = await env.call('admin', 'POST', `/volumes/${id}/action`, { body: { 'os-reset_status': { status: 'error' } } });
    assert.equal(reset.status, 202, reset.text);
    assert.equal((await env.call('demo', 'GET', `/volumes/${id}`)).body.volume.status, 'error');

    const detach = await env.call('admin', 'POST', `/volumes/${id}/action`, { body: { 'os-force_detach': {} } });
    assert.notEqual(detach.status, 404, `force-detach reaches the volume: ${detach.text}`);

    const gone = await env.call('admin', 'POST', `/volumes/${id}/action`, { body: { 'os-force_delete': {} } });
    assert.equal(gone.status, 202, gone.text);
    for (let i = 0; i < 100 && (await env.call('demo', 'GET', `/volumes/${id}`)).status !== 404; i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal((await env.call('demo', 'GET', `/volumes/${id}`)).status, 404);
  });

  test("show, reset status and force delete another project's snapshot and backup by id", async () => {
    const vol = await create('with-records');
    const snap = await env.call('demo', 'POST', '/snapshots', { body: { snapshot: { volume_id: vol, name: 's' } } });
    assert.equal(snap.status, 202, snap.text);
    const sid = snap.body.snapshot.id as string;
    const backup = await env.call('demo', 'POST', '/backups', { body: { backup: { volume_id: vol, name: 'b' } } });
    assert.equal(backup.status, 202, backup.text);
    const bid = backup.body.backup.id as string;
    const settled = async (path: string, key: string) => {
      for (let i = 0; i < 100; i++) {
        const r = await env.call('demo', 'GET', path);
        if (r.body[key]?.status === 'available') return;
        await new Promise((res) => setTimeout(res, 50));
      }
      throw new Error(`${path} never became available`);
    };
    await settled(`/snapshots/${sid}`, 'snapshot');
    await settled(`/backups/${bid}`, 'backup');

    for (const [path, key] of [
      [`/snapshots/${sid}`, 'snapshot'],
      [`/backups/${bid}`, 'backup'],
    ] as const) {
      const shown = await env.call('admin', 'GET', path);
      assert.equal(shown.status, 200, shown.text);
      assert.equal(shown.body[key].id, path.split('/')[2]);
      const reset = await env.call('admin', 'POST', `${path}/action`, { body: { 'os-reset_status': { status: 'error' } } });
      assert.equal(reset.status, 202, reset.text);
      assert.equal((await env.call('demo', 'GET', path)).body[key].status, 'error');
      const gone = await env.call('admin', 'POST', `${path}/action`, { body: { 'os-force_delete': {} } });
      assert.equal(gone.status, 202, gone.text);
      let last = 200;
      for (let i = 0; i < 100 && last !== 404; i++) {
        last = (await env.call('demo', 'GET', path)).status;
        if (last !== 404) await new Promise((res) => setTimeout(res, 50));
      }
      assert.equal(last, 404, `${path} is gone for its owner`);
    }
    // The owner's own records stay private to other members: demo cannot see admin's snapshot.
    const mine = await create('admins-source');
    const adminSnap = await env.call('admin', 'POST', '/snapshots', { body: { snapshot: { volume_id: mine, name: 'admin-on-demo-volume' } } });
    assert.equal(adminSnap.status, 202, `an administrator snapshots another project's volume: ${adminSnap.text}`);
    assert.equal((await env.call('demo', 'GET', `/snapshots/${adminSnap.body.snapshot.id}`)).status, 404);
  });

  test("a non-admin still cannot reach another project's volume", async () => {
    const res = await env.call('admin', 'POST', '/volumes', { body: { volume: { size: 1, name: 'admins', availability_zone: 'az1' } } });
    assert.equal(res.status, 202, res.text);
    const other = await env.call('demo', 'GET', `/volumes/${res.body.volume.id}`);
    assert.equal(other.status, 404);
  });
});
