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

  test("a non-admin still cannot reach another project's volume", async () => {
    const res = await env.call('admin', 'POST', '/volumes', { body: { volume: { size: 1, name: 'admins', availability_zone: 'az1' } } });
    assert.equal(res.status, 202, res.text);
    const other = await env.call('demo', 'GET', `/volumes/${res.body.volume.id}`);
    assert.equal(other.status, 404);
  });
});
