import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { request } from 'undici';
import { http } from '../support/http.js';
import { startNovaEnv, waitForStatus, type NovaEnv } from '../nova/support.js';

/**
 * `[images] mode = copy` with one Glance per pod: the top region's Glance is the source of truth and
 * a boot in a pod whose Glance lacks the image copies it there first, through an image_copy job.
 */
describe('images across pods: copy mode', () => {
  let env: NovaEnv;
  const glanceOf = (region: string) => env.cluster.pods.find((p) => p.region === region)!.glanceUrl;
  const boot = (name: string, az: string, imageRef: string) =>
    env.call('demo', 'POST', '/servers', { version: '2.37', body: { server: { name, imageRef, flavorRef: '1', networks: 'none', availability_zone: az } } });
  const copyJobs = async (podId: string, imageId: string) => await env.tc.core.jobs.store.list({ type: 'image_copy', resourceId: `${podId}#${imageId}` }, { limit: 100 });

  /** A new public image in the top region's Glance, with a property and `size` bytes of data. */
  async function topImage(name: string, size: number): Promise<string> {
    const created = await http('POST', `${env.cluster.glanceUrl}/v2/images`, {
      token: env.tokens.admin,
      body: { name, disk_format: 'qcow2', container_format: 'bare', visibility: 'public', min_ram: 64, hw_rng_model: 'virtio' },
    });
    assert.equal(created.status, 201, created.text);
    const put = await request(`${env.cluster.glanceUrl}/v2/images/${created.body.id}/file`, {
      method: 'PUT',
      headers: { 'x-auth-token': env.tokens.admin, 'content-type': 'application/octet-stream' },
      body: randomBytes(size),
    });
    assert.equal(put.statusCode, 204);
    await put.body.dump();
    return created.body.id;
  }

  before(async () => {
    env = await startNovaEnv({ glancePerPod: true, services: ['xjob'], extra: { images: { mode: 'copy' } } });
  });
  after(async () => {
    await env?.close();
  });

  test('a boot in a pod whose Glance lacks the image copies it, same id, properties and data, and the server becomes active', async () => {
    const before = await http('GET', `${glanceOf('Pod2')}/v2/images/${env.imageId}`, { token: env.tokens.admin });
    assert.equal(before.status, 404, "Pod2's own Glance starts without the top's image");
    const res = await boot('copied', 'az2', env.imageId);
    assert.equal(res.status, 202, res.text);
    await waitForStatus(env, 'demo', res.body.server.id, ['ACTIVE']);

    const source = (await http('GET', `${env.cluster.glanceUrl}/v2/images/${env.imageId}`, { token: env.tokens.admin })).body;
    const copy = await http('GET', `${glanceOf('Pod2')}/v2/images/${env.imageId}`, { token: env.tokens.admin });
    assert.equal(copy.status, 200);
    for (const key of ['id', 'name', 'status', 'visibility', 'disk_format', 'container_format', 'checksum', 'size', 'os_hash_value', 'min_ram', 'min_disk']) {
      assert.deepEqual(copy.body[key], source[key], key);
    }
    const jobs = await copyJobs(env.pods.Pod2.id, env.imageId);
    assert.deepEqual(
      jobs.map((j) => j.status),
      ['SUCCESS'],
    );
    assert.equal((await copyJobs(env.pods.Pod1.id, env.imageId)).length, 0, 'no copy into a pod that was not booted in');
  });

  test('ten concurrent boots of an image a pod lacks copy it once, and every boot succeeds', async () => {
    const id = await topImage('big-enough', 3 * 1024 * 1024);
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => boot(`burst-${i}`, 'az1', id)));
    for (const res of answers) assert.equal(res.status, 202, res.text);
    const jobs = await copyJobs(env.pods.Pod1.id, id);
    assert.equal(jobs.length, 1, `one copy job, not ${jobs.length}`);
    assert.equal(jobs[0].status, 'SUCCESS');
    const copy = await http('GET', `${glanceOf('Pod1')}/v2/images/${id}`, { token: env.tokens.admin });
    assert.equal(copy.status, 200);
    assert.equal(copy.body.hw_rng_model, 'virtio', 'extra properties travel with the image');
    assert.equal(copy.body.size, 3 * 1024 * 1024);
    for (const res of answers) await waitForStatus(env, 'demo', res.body.server.id, ['ACTIVE']);

    const again = await boot('later', 'az1', id);
    assert.equal(again.status, 202, again.text);
    assert.equal((await copyJobs(env.pods.Pod1.id, id)).length, 1, 'an image already in the pod is not copied again');
  });

  test("an image the caller cannot see in the top region's Glance is refused as Nova does, and nothing is copied", async () => {
    const created = await http('POST', `${env.cluster.glanceUrl}/v2/images`, {
      token: env.tokens.admin,
      body: { name: 'admins-only', disk_format: 'raw', container_format: 'bare', visibility: 'private' },
    });
    assert.equal(created.status, 201, created.text);
    const res = await boot('not-mine', 'az2', created.body.id);
    assert.equal(res.status, 400, res.text);
    assert.equal(res.body.badRequest.message, 'Can not find requested image');
    assert.equal((await copyJobs(env.pods.Pod2.id, created.body.id)).length, 0);

    const unknown = await boot('unknown', 'az2', '5c0ffee0-0000-4000-8000-000000000000');
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.badRequest.message, 'Can not find requested image');
  });

  test('an image with no data in the top region cannot be copied: the boot fails cleanly, the job says why', async () => {
    const created = await http('POST', `${env.cluster.glanceUrl}/v2/images`, {
      token: env.tokens.admin,
      body: { name: 'queued', disk_format: 'raw', container_format: 'bare', visibility: 'public' },
    });
    const res = await boot('no-data', 'az2', created.body.id);
    assert.equal(res.status, 400, res.text);
    assert.equal(res.body.badRequest.message, `Image ${created.body.id} is not active.`);
    const servers = await env.pod('Pod2', 'demo', 'GET', '/servers?name=no-data');
    assert.equal(servers.body.servers.length, 0, 'nothing was booted');
  });
});
