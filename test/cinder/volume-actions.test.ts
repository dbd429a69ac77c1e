import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { http } from '../support/http.js';
import { startCinderEnv, waitForStatus, type CinderEnv } from './support.js';

/** Volume actions whose effect reaches past the volume: an image in Glance, a detach of nothing. */
describe('Cinder gateway: os-volume_upload_image and os-detach through the top', () => {
  let env: CinderEnv;
  before(async () => {
    env = await startCinderEnv();
  });
  after(async () => {
    await env?.close();
  });

  const volume = async (name: string) => {
    const res = await env.call('demo', 'POST', '/volumes', { body: { volume: { size: 1, name, availability_zone: 'az1' } } });
    assert.equal(res.status, 202, res.text);
    await waitForStatus(env, 'demo', res.body.volume.id, ['available']);
    return res.body.volume.id as string;
  };

  test('os-volume_upload_image makes an image of the volume in Glance; the volume is uploading, then available', async () => {
    const id = await volume('to-image');
    const res = await env.call('demo', 'POST', `/volumes/${id}/action`, { body: { 'os-volume_upload_image': { image_name: 'from-volume', disk_format: 'raw' } } });
    assert.equal(res.status, 202, res.text);
    const up = res.body['os-volume_upload_image'];
    assert.equal(up.id, id);
    assert.equal(up.image_name, 'from-volume');
    assert.equal(up.disk_format, 'raw');
    const image = await http('GET', `${env.cluster.glanceUrl}/v2/images/${up.image_id}`, { token: env.demo.token });
    assert.equal(image.status, 200, image.text);
    assert.equal(image.body.name, 'from-volume');
    assert.equal(image.body.disk_format, 'raw');
    assert.equal(image.body.status, 'active');
    await waitForStatus(env, 'demo', id, ['available']);
    const bad = await env.call('demo', 'POST', `/volumes/${id}/action`, { body: { 'os-volume_upload_image': { disk_format: 'raw' } } });
    assert.equal(bad.status, 400, 'image_name is required');
  });

  test('os-detach of a volume that is not attached leaves it available (Cinder does not refuse it)', async () => {
    const id = await volume('never-attached');
    const reset = await env.call('admin', 'POST', `/volumes/${id}/action`, { body: { 'os-reset_status': { status: 'error' } } });
    assert.equal(reset.status, 202, reset.text);
    const res = await env.call('demo', 'POST', `/volumes/${id}/action`, { body: { 'os-detach': {} } });
    assert.equal(res.status, 202, res.text);
    const shown = await waitForStatus(env, 'demo', id, ['available']);
    assert.deepEqual(shown.attachments, []);
  });
});
