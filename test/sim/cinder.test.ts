// The simulated Cinder of one pod, over real HTTP on loopback, against upstream sample shapes.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { assertSampleShape } from '../support/shapes.js';
import { ADMIN_PROJECT, PROJECT_A, PROJECT_B, call, startPod, waitFor, type CallOptions, type PodFixture } from './support-fakes.js';

let pod: PodFixture;
const A = `/v3/${PROJECT_A}`;
const B = `/v3/${PROJECT_B}`;
const ADM = `/v3/${ADMIN_PROJECT}`;
/** Admin requests on other projects' volumes use the project-less URL form (3.67+ style). */
const ANY = '/v3';

const cinder = (method: string, path: string, opts: CallOptions = {}) => call(pod.cinderUrl, method, path, opts);
const mv = (v: string) => ({ 'OpenStack-API-Version': `volume ${v}` });
const admin = { token: 'admin-token' };

async function createVolume(extra: Record<string, unknown> = {}, opts: CallOptions = {}, base = A): Promise<string> {
  const res = await cinder('POST', `${base}/volumes`, { ...opts, body: { volume: { size: 1, ...extra } } });
  assert.equal(res.status, 202, JSON.stringify(res.body));
  return res.body.volume.id;
}

async function volume(id: string, opts: CallOptions = {}, base = A): Promise<any> {
  return (await cinder('GET', `${base}/volumes/${id}`, opts)).body.volume;
}

async function waitVolume(id: string, status: string, opts: CallOptions = {}, base = A): Promise<void> {
  await waitFor(async () => ((await volume(id, opts, base))?.status === status ? true : undefined), 3000, `${id} ${status}`);
}

async function availableVolume(extra: Record<string, unknown> = {}, opts: CallOptions = {}, base = A): Promise<string> {
  const id = await createVolume(extra, opts, base);
  await waitVolume(id, 'available', opts, base);
  return id;
}

const action = (id: string, body: unknown, opts: CallOptions = {}, base = A) => cinder('POST', `${base}/volumes/${id}/action`, { ...opts, body });

before(async () => {
  pod = await startPod({ buildDelayMs: 120 });
  const res = await cinder('PUT', `${ADM}/os-quota-sets/${PROJECT_A}`, { ...admin, body: { quota_set: { volumes: 200, gigabytes: 5000 } } });
  assert.equal(res.status, 200);
});

after(async () => {
  await pod.close();
});

describe('versions, microversions, auth', () => {
  test('GET / answers 300 with the versions; GET /v3/ the version', async () => {
    let res = await cinder('GET', '/', { token: null });
    assert.equal(res.status, 300);
    assertSampleShape(res.body, 'cinder', 'versions/versions-response.json');
    assert.equal(res.body.versions[0].version, '3.70');
    res = await cinder('GET', '/v3/', { token: null });
    assert.equal(res.status, 200);
    assertSampleShape(res.body, 'cinder', 'versions/version-show-response.json');
    assert.equal(res.body.versions[0].links[1].href, `${pod.cinderUrl}/v3/`);
  });

  test('microversions: echoed, 406 outside 3.0–3.70, 400 malformed', async () => {
    let res = await cinder('GET', `${A}/volumes`);
    assert.equal(res.headers.get('openstack-api-version'), 'volume 3.0');
    assert.equal(res.headers.get('vary'), 'OpenStack-API-Version');
    assert.equal(res.headers.get('x-compute-request-id'), null);
    assert.match(res.headers.get('x-openstack-request-id') ?? '', /^req-/);
    res = await cinder('GET', `${A}/volumes`, { headers: mv('3.64') });
    assert.equal(res.headers.get('openstack-api-version'), 'volume 3.64');
    res = await cinder('GET', `${A}/volumes`, { headers: mv('latest') });
    assert.equal(res.headers.get('openstack-api-version'), 'volume 3.70');
    res = await cinder('GET', `${A}/volumes`, { headers: mv('3.71') });
    assert.equal(res.status, 406);
    assert.equal(res.body.computeFault.message, 'Version 3.71 is not supported by the API. Minimum is 3.0 and maximum is 3.70.');
    res = await cinder('GET', `${A}/volumes`, { headers: mv('three') });
    assert.equal(res.status, 400);
  });

  test('401 without token; project in URL must match; v2 and project-less paths work', async () => {
    assert.equal((await cinder('GET', `${A}/volumes`, { token: null })).status, 401);
    const res = await cinder('GET', `${B}/volumes`);
    assert.equal(res.status, 400);
    assert.equal(res.body.badRequest.message, 'Malformed request url');
    assert.equal((await cinder('GET', `/v2/${PROJECT_A}/volumes`)).status, 200);
    assert.equal((await cinder('GET', '/v3/volumes')).status, 200);
  });
});

describe('volumes', () => {
  test('create 202 creating → available, shapes per microversion', async () => {
    const res = await cinder('POST', `${A}/volumes`, {
      body: { volume: { size: 10, name: 'vol-1', description: 'first', metadata: { k: 'v' }, availability_zone: 'az1' } },
    });
    assert.equal(res.status, 202);
    assertSampleShape(res.body, 'cinder', 'volumes/volume-create-response.json');
    const v = res.body.volume;
    assert.equal(v.status, 'creating');
    assert.equal(v.volume_type, '__DEFAULT__');
    assert.equal(v.bootable, 'false');
    assert.equal(v.links[0].href, `${pod.cinderUrl}/v3/${PROJECT_A}/volumes/${v.id}`);
    assert.equal(v.links[1].href, `${pod.cinderUrl}/${PROJECT_A}/volumes/${v.id}`);
    assert.match(v.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
    await waitVolume(v.id, 'available');
    let show = await cinder('GET', `${A}/volumes/${v.id}`);
    assert.equal(show.body.volume['os-vol-tenant-attr:tenant_id'], PROJECT_A);
    assert.equal(show.body.volume['os-vol-host-attr:host'], undefined, 'admin only');
    show = await cinder('GET', `${ANY}/volumes/${v.id}`, admin);
    assertSampleShape(show.body, 'cinder', 'volumes/volume-show-response.json');
    show = await cinder('GET', `${ANY}/volumes/${v.id}`, { ...admin, headers: mv('3.69') });
    assertSampleShape(show.body, 'cinder', 'volumes/v3.69/volume-show-response.json');
    assert.equal(show.body.volume.volume_type_id, pod.cinder.state.defaultType.id);
    const created = await cinder('POST', `${ADM}/volumes`, { ...admin, headers: mv('3.69'), body: { volume: { size: 1 } } });
    assertSampleShape(created.body, 'cinder', 'volumes/v3.69/volume-create-response.json');
  });

  test('create validates like upstream', async () => {
    const bad = async (volume: unknown, status: number, pattern: RegExp) => {
      const res = await cinder('POST', `${A}/volumes`, { body: { volume } });
      assert.equal(res.status, status, JSON.stringify(res.body));
      const fault = res.body.badRequest ?? res.body.itemNotFound;
      assert.ok(fault, JSON.stringify(res.body));
      assert.match(fault.message, pattern);
    };
    await bad({}, 400, /Invalid volume size provided for create request: None/);
    await bad({ size: 0 }, 400, /Invalid input for field\/attribute size\. Value: 0\. 0 is less than the minimum of 1/);
    await bad({ size: 'ten' }, 400, /size/);
    await bad({ size: 1, availability_zone: 'az9' }, 400, /^Availability zone 'az9' is invalid\.$/);
    await bad({ size: 1, volume_type: 'gold' }, 404, /^Volume type with name gold could not be found\.$/);
    await bad({ size: 1, source_volid: '9d1f29b3-0000-4000-8000-000000000000' }, 404, /could not be found/);
    const extra = await cinder('POST', `${A}/volumes`, { body: { volume: { size: 1, bogus: true, backup_id: null } } });
    assert.equal(extra.status, 202, 'unknown volume attributes are ignored before 3.53');
    const strict = await cinder('POST', `${A}/volumes`, { headers: mv('3.53'), body: { volume: { size: 1, bogus: true } } });
    assert.equal(strict.status, 400);
    assert.match(strict.body.badRequest.message, /'bogus' was unexpected/);
    const res = await cinder('POST', `${A}/volumes`, { body: { vol: {} } });
    assert.equal(res.status, 400);
    const raw = await cinder('POST', `${A}/volumes`, { raw: '{' });
    assert.equal(raw.status, 400);
  });

  test('clone from a source volume, bootable from imageRef', async () => {
    const src = await availableVolume({ size: 2, imageRef: pod.imageId });
    const sv = await volume(src);
    assert.equal(sv.bootable, 'true');
    assert.equal(sv.volume_image_metadata.image_id, pod.imageId);
    const clone = await availableVolume({ source_volid: src, size: null });
    const cv = await volume(clone);
    assert.equal(cv.size, 2);
    assert.equal(cv.source_volid, src);
    const small = await cinder('POST', `${A}/volumes`, { body: { volume: { source_volid: src, size: 1 } } });
    assert.equal(small.status, 400);
  });

  test("from an image: read from the pod's Glance; 404 unknown, 400 not active, 400 smaller than min_disk or the image", async () => {
    const GiB = 1024 ** 3;
    const big = pod.glance.add('big-disk', { min_disk: 3, size: 1.5 * GiB, disk_format: 'raw', container_format: 'bare', checksum: 'abc' });
    const ok = await availableVolume({ size: 3, imageRef: big });
    const meta = (await volume(ok)).volume_image_metadata;
    assert.equal(meta.image_id, big);
    assert.equal(meta.image_name, 'big-disk');
    assert.equal(meta.min_disk, '3');
    assert.equal(meta.disk_format, 'raw');
    assert.equal(meta.size, String(1.5 * GiB));
    const before = (await cinder('GET', `${A}/volumes`)).body.volumes.length;
    const small = await cinder('POST', `${A}/volumes`, { body: { volume: { size: 2, imageRef: big } } });
    assert.equal(small.status, 400, JSON.stringify(small.body));
    assert.match(small.body.badRequest.message, /Invalid input received: Volume size 2GB cannot be smaller than the image minDisk size 3GB/);
    // No min_disk, but 1.5 GiB of data needs 2 GiB.
    const sized = pod.glance.add('sized', { size: 1.5 * GiB });
    const tooSmall = await cinder('POST', `${A}/volumes`, { body: { volume: { size: 1, imageRef: sized } } });
    assert.equal(tooSmall.status, 400, JSON.stringify(tooSmall.body));
    assert.match(tooSmall.body.badRequest.message, /Size of specified image 2GB is larger than volume size 1GB/);
    const off = pod.glance.add('deactivated', { status: 'deactivated' });
    const inactive = await cinder('POST', `${A}/volumes`, { body: { volume: { size: 1, imageRef: off } } });
    assert.equal(inactive.status, 400, JSON.stringify(inactive.body));
    assert.match(inactive.body.badRequest.message, new RegExp(`Image ${off} is not active`));
    const missing = await cinder('POST', `${A}/volumes`, { body: { volume: { size: 1, imageRef: '00000000-0000-4000-8000-00000000abcd' } } });
    assert.equal(missing.status, 404, JSON.stringify(missing.body));
    const othersPrivate = pod.glance.add('b-only', { visibility: 'private', owner: PROJECT_B });
    assert.equal((await cinder('POST', `${A}/volumes`, { body: { volume: { size: 1, imageRef: othersPrivate } } })).status, 404);
    assert.equal((await cinder('GET', `${A}/volumes`)).body.volumes.length, before, 'a refused create leaves no volume');
  });

  test('list, detail, filters, sort, pagination', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push(await createVolume({ name: `pg-${i}`, size: i + 1, metadata: { group: i % 2 ? 'odd' : 'even' } }));
    let res = await cinder('GET', `${A}/volumes?name=pg-2`);
    assertSampleShape(res.body, 'cinder', 'volumes/volumes-list-response.json');
    assert.deepEqual(
      res.body.volumes.map((v: { id: string }) => v.id),
      [ids[2]],
    );
    res = await cinder('GET', `${ANY}/volumes/detail?all_tenants=1&metadata=${encodeURIComponent("{'group': 'odd'}")}`, admin);
    assertSampleShape(res.body, 'cinder', 'volumes/volumes-list-detailed-response.json');
    assert.deepEqual(new Set(res.body.volumes.map((v: { id: string }) => v.id)), new Set([ids[1], ids[3]]));
    res = await cinder('GET', `${A}/volumes/detail?metadata=${encodeURIComponent('{"group":"even"}')}&sort=size:asc`);
    assert.deepEqual(
      res.body.volumes.map((v: { id: string }) => v.id),
      [ids[0], ids[2]],
    );
    res = await cinder('GET', `${A}/volumes?sort_key=name&sort_dir=asc&name=pg-1`);
    assert.equal(res.body.volumes.length, 1);
    res = await cinder('GET', `${A}/volumes?sort=name&sort_key=name`);
    assert.equal(res.status, 400);
    res = await cinder('GET', `${A}/volumes?sort=bogus:asc`);
    assert.equal(res.status, 400);
    res = await cinder('GET', `${A}/volumes?status=error`);
    assert.deepEqual(res.body.volumes, []);
    res = await cinder('GET', `${A}/volumes?availability_zone=az1&name=pg-0`);
    assert.equal(res.body.volumes.length, 1);
    // pagination over the four, newest first
    const seen: string[] = [];
    let path: string | undefined = `${A}/volumes/detail?limit=3&sort=created_at:desc&metadata=${encodeURIComponent('{"group":"odd"}')}`;
    path = `${A}/volumes?limit=3`;
    const all = (await cinder('GET', `${A}/volumes`)).body.volumes.map((v: { id: string }) => v.id);
    while (path) {
      res = await cinder('GET', path);
      seen.push(...res.body.volumes.map((v: { id: string }) => v.id));
      const next: string | undefined = res.body.volumes_links?.[0]?.href;
      if (next) assert.ok(next.startsWith(`${pod.cinderUrl}/v3/${PROJECT_A}/volumes?`), next);
      path = next?.slice(pod.cinderUrl.length);
    }
    assert.deepEqual(seen, all);
    assert.deepEqual(all.slice(0, 4), [...ids].reverse());
    res = await cinder('GET', `${A}/volumes?marker=9d1f29b3-0000-4000-8000-000000000000`);
    assert.equal(res.status, 404);
    res = await cinder('GET', `${A}/volumes?limit=x`);
    assert.equal(res.status, 400);
    res = await cinder('GET', `${A}/volumes?with_count=true&name=pg-1`, { headers: mv('3.45') });
    assert.equal(res.body.count, 1);
    res = await cinder('GET', `${A}/volumes/summary`, { headers: mv('3.36') });
    assert.ok(res.body['volume-summary'].total_count >= 4);
    assert.deepEqual(res.body['volume-summary'].metadata.group.sort(), ['even', 'odd']);
    assert.equal((await cinder('GET', `${A}/volumes/summary`)).status, 404, 'summary needs 3.12');
  });

  test('tenant isolation and all_tenants', async () => {
    const a = await createVolume({ name: 'iso-a' });
    const b = await createVolume({ name: 'iso-b' }, { token: 'token-b' }, B);
    assert.equal((await cinder('GET', `${B}/volumes/${a}`, { token: 'token-b' })).status, 404);
    const nf = await cinder('DELETE', `${B}/volumes/${a}`, { token: 'token-b' });
    assert.deepEqual(nf.body, { itemNotFound: { message: `Volume ${a} could not be found.`, code: 404 } });
    let res = await cinder('GET', `${B}/volumes?all_tenants=1`, { token: 'token-b' });
    assert.deepEqual(
      res.body.volumes.map((v: { id: string }) => v.id),
      [b],
      'all_tenants ignored for non-admin',
    );
    res = await cinder('GET', `${ADM}/volumes?all_tenants=1&name=iso-a`, admin);
    assert.deepEqual(
      res.body.volumes.map((v: { id: string }) => v.id),
      [a],
    );
    res = await cinder('GET', `${ADM}/volumes?all_tenants=1&project_id=${PROJECT_B}&name=iso-b`, admin);
    assert.deepEqual(
      res.body.volumes.map((v: { id: string }) => v.id),
      [b],
    );
    res = await cinder('GET', `${ADM}/volumes?name=iso-a`, admin);
    assert.deepEqual(res.body.volumes, []);
  });

  test('update and delete', async () => {
    const id = await availableVolume({ name: 'old' });
    let res = await cinder('PUT', `${A}/volumes/${id}`, { body: { volume: { name: 'new', description: 'd' } } });
    assert.equal(res.status, 200);
    assertSampleShape(res.body, 'cinder', 'volumes/volume-update-response.json', ['volume.metadata.name']);
    assert.equal(res.body.volume.name, 'new');
    assert.equal(res.body.volume['os-vol-tenant-attr:tenant_id'], undefined, 'the update answer carries no os-vol-* extension attributes');
    res = await cinder('PUT', `${A}/volumes/${id}`, { body: { volume: { size: 5 } } });
    assert.equal(res.status, 400);
    res = await cinder('DELETE', `${A}/volumes/${id}`);
    assert.equal(res.status, 202);
    assert.equal((await volume(id)).status, 'deleting');
    await waitFor(async () => ((await cinder('GET', `${A}/volumes/${id}`)).status === 404 ? true : undefined));
  });

  test('quota: volumes beyond the limit are 413', async () => {
    await cinder('PUT', `${ADM}/os-quota-sets/${PROJECT_B}`, { ...admin, body: { quota_set: { volumes: 2, gigabytes: 100 } } });
    const used = (await cinder('GET', `${B}/limits`, { token: 'token-b' })).body.limits.absolute.totalVolumesUsed;
    for (let i = used; i < 2; i++) await createVolume({}, { token: 'token-b' }, B);
    let res = await cinder('POST', `${B}/volumes`, { token: 'token-b', body: { volume: { size: 1 } } });
    assert.equal(res.status, 413);
    assert.equal(res.body.overLimit.message, "VolumeLimitExceeded: Maximum number of volumes allowed (2) exceeded for quota 'volumes'.");
    await cinder('PUT', `${ADM}/os-quota-sets/${PROJECT_B}`, { ...admin, body: { quota_set: { volumes: 10 } } });
    res = await cinder('POST', `${B}/volumes`, { token: 'token-b', body: { volume: { size: 500 } } });
    assert.equal(res.status, 413);
    assert.match(res.body.overLimit.message, /^VolumeSizeExceedsAvailableQuota/);
    await cinder('DELETE', `${ADM}/os-quota-sets/${PROJECT_B}`, admin);
  });
});

describe('volume metadata', () => {
  test('all forms', async () => {
    const id = await availableVolume({ metadata: { a: '1' } });
    const base = `${A}/volumes/${id}/metadata`;
    let res = await cinder('GET', base);
    assertSampleShape(res.body, 'cinder', 'volumes/volume-metadata-show-response.json', ['metadata.name']);
    assert.deepEqual(res.body, { metadata: { a: '1' } });
    res = await cinder('POST', base, { body: { metadata: { name: 'metadata0' } } });
    assertSampleShape(res.body, 'cinder', 'volumes/volume-metadata-create-response.json');
    assert.deepEqual(res.body, { metadata: { a: '1', name: 'metadata0' } });
    res = await cinder('PUT', base, { body: { metadata: { name: 'metadata1' } } });
    assert.deepEqual(res.body, { metadata: { name: 'metadata1' } });
    res = await cinder('GET', `${base}/name`);
    assertSampleShape(res.body, 'cinder', 'volumes/volume-metadata-show-key-response.json');
    res = await cinder('PUT', `${base}/name`, { body: { meta: { name: 'new' } } });
    assertSampleShape(res.body, 'cinder', 'volumes/volume-metadata-update-key-response.json');
    assert.deepEqual(res.body, { meta: { name: 'new' } });
    res = await cinder('PUT', `${base}/name`, { body: { meta: { other: 'x' } } });
    assert.equal(res.status, 400);
    assert.equal((await cinder('DELETE', `${base}/name`)).status, 200);
    res = await cinder('GET', `${base}/name`);
    assert.equal(res.status, 404);
    assert.equal((await cinder('DELETE', `${base}/name`)).status, 404);
  });
});

describe('volume actions', () => {
  test('os-extend', async () => {
    const id = await availableVolume({ size: 1 });
    let res = await action(id, { 'os-extend': { new_size: 1 } });
    assert.equal(res.status, 400);
    assert.match(res.body.badRequest.message, /New size for extend must be greater than current size/);
    res = await action(id, { 'os-extend': { new_size: 3 } });
    assert.equal(res.status, 202);
    assert.equal((await volume(id)).status, 'extending');
    await waitVolume(id, 'available');
    assert.equal((await volume(id)).size, 3);
    res = await action(id, { 'os-extend': {} });
    assert.equal(res.status, 400);
  });

  test('attach/detach, reserve/unreserve, begin/roll detaching', async () => {
    const id = await availableVolume();
    const server = '95d9ef50-507d-11e5-b970-0800200c9a66';
    assert.equal((await action(id, { 'os-reserve': null })).status, 202);
    assert.equal((await volume(id)).status, 'attaching');
    assert.equal((await action(id, { 'os-reserve': null })).status, 400);
    assert.equal((await action(id, { 'os-unreserve': null })).status, 202);
    assert.equal((await volume(id)).status, 'available');
    assert.equal((await action(id, { 'os-attach': { instance_uuid: server, mountpoint: '/dev/vdc' } })).status, 202);
    let v = await volume(id);
    assert.equal(v.status, 'in-use');
    assert.equal(v.attachments.length, 1);
    assert.deepEqual(Object.keys(v.attachments[0]).sort(), ['attached_at', 'attachment_id', 'device', 'host_name', 'id', 'server_id', 'volume_id']);
    assert.equal(v.attachments[0].server_id, server);
    assert.equal(v.attachments[0].device, '/dev/vdc');
    const del = await cinder('DELETE', `${A}/volumes/${id}`);
    assert.equal(del.status, 400);
    assert.match(del.body.badRequest.message, /^Invalid volume: Volume status must be available/);
    assert.equal((await action(id, { 'os-extend': { new_size: 5 } })).status, 400, 'in-use needs 3.42');
    assert.equal((await action(id, { 'os-begin_detaching': null })).status, 202);
    assert.equal((await volume(id)).status, 'detaching');
    assert.equal((await action(id, { 'os-roll_detaching': null })).status, 202);
    assert.equal((await volume(id)).status, 'in-use');
    assert.equal((await action(id, { 'os-detach': { attachment_id: v.attachments[0].attachment_id } })).status, 202);
    v = await volume(id);
    assert.equal(v.status, 'available');
    assert.deepEqual(v.attachments, []);
    // Cinder's manager: detaching a volume that is not attached is no error; it stays available.
    assert.equal((await action(id, { 'os-detach': {} })).status, 202);
    assert.equal((await volume(id)).status, 'available');
    assert.equal((await action(id, { 'os-begin_detaching': null })).status, 400);
  });

  test('admin actions: reset_status, force_detach, force_delete', async () => {
    const id = await availableVolume();
    let res = await action(id, { 'os-reset_status': { status: 'error' } });
    assert.equal(res.status, 403);
    assert.match(res.body.forbidden.message, /reset_status/);
    res = await action(id, { 'os-reset_status': { status: 'error' } }, admin, ANY);
    assert.equal(res.status, 202);
    assert.equal((await volume(id)).status, 'error');
    assert.equal((await action(id, { 'os-reset_status': { status: 'bogus' } }, admin, ANY)).status, 400);
    await action(id, { 'os-reset_status': { status: 'available' } }, admin, ANY);
    await action(id, { 'os-attach': { instance_uuid: '95d9ef50-507d-11e5-b970-0800200c9a66', mountpoint: '/dev/vdb' } });
    assert.equal((await action(id, { 'os-force_detach': {} })).status, 403);
    assert.equal((await action(id, { 'os-force_detach': {} }, admin, ANY)).status, 202);
    assert.equal((await volume(id)).status, 'available');
    assert.equal((await action(id, { 'os-force_delete': {} }, admin, ANY)).status, 202);
    await waitFor(async () => ((await cinder('GET', `${A}/volumes/${id}`)).status === 404 ? true : undefined));
  });

  test('image metadata, readonly flag, bootable, retype, connections, unknown action', async () => {
    const id = await availableVolume();
    let res = await action(id, { 'os-set_image_metadata': { metadata: { image_name: 'image', min_ram: '0' } } });
    assert.equal(res.status, 200);
    assertSampleShape(res.body, 'cinder', 'image-metadata-show-response.json', ['metadata.key1', 'metadata.key2']);
    assert.deepEqual(res.body.metadata, { image_name: 'image', min_ram: '0' });
    res = await action(id, { 'os-show_image_metadata': null });
    assert.deepEqual(res.body, { metadata: { image_name: 'image', min_ram: '0' } });
    assert.equal((await action(id, { 'os-unset_image_metadata': { key: 'min_ram' } })).status, 200);
    assert.equal((await action(id, { 'os-unset_image_metadata': { key: 'min_ram' } })).status, 404);
    assert.deepEqual((await volume(id)).volume_image_metadata, { image_name: 'image' });
    assert.equal((await volume(id)).metadata.readonly, undefined);
    assert.equal((await action(id, { 'os-update_readonly_flag': { readonly: true } })).status, 202);
    assert.equal((await volume(id)).metadata.readonly, 'True', 'the flag shows in metadata, as Cinder adds visible admin metadata');
    assert.equal((await action(id, { 'os-update_readonly_flag': { readonly: false } })).status, 202);
    assert.equal((await volume(id)).metadata.readonly, 'False');
    assert.equal((await action(id, { 'os-update_readonly_flag': { readonly: true } })).status, 202);
    assert.equal((await action(id, { 'os-set_bootable': { bootable: true } })).status, 200);
    assert.equal((await volume(id)).bootable, 'true');
    const t = await cinder('POST', `${ADM}/types`, { ...admin, body: { volume_type: { name: 'gold' } } });
    assert.equal((await action(id, { 'os-retype': { new_type: '__DEFAULT__' } })).status, 400);
    assert.equal((await action(id, { 'os-retype': { new_type: 'platinum' } })).status, 404);
    assert.equal((await action(id, { 'os-retype': { new_type: 'gold', migration_policy: 'never' } })).status, 202);
    await waitVolume(id, 'available');
    assert.equal((await volume(id)).volume_type, 'gold');
    res = await action(id, { 'os-initialize_connection': { connector: { host: 'h' } } });
    assert.equal(res.status, 200);
    assert.equal(res.body.connection_info.data.access_mode, 'ro');
    assert.equal((await action(id, { 'os-terminate_connection': { connector: {} } })).status, 202);
    res = await action(id, { 'os-frobnicate': {} });
    assert.equal(res.status, 400);
    assert.equal(res.body.badRequest.message, 'There is no such action: os-frobnicate');
    assert.equal((await cinder('DELETE', `${ADM}/types/${t.body.volume_type.id}`, admin)).status, 400, 'type in use');
  });
});

describe('SimCinderApi (used by Nova)', () => {
  test('attach sets in-use, second attach refused, detach frees', async () => {
    const id = await availableVolume();
    const api = pod.cinder.volumes;
    const { attachmentId } = api.attach(id, 'srv-1', '/dev/vdb', 'host-1');
    const v = await volume(id);
    assert.equal(v.status, 'in-use');
    assert.equal(v.attachments[0].attachment_id, attachmentId);
    assert.equal(v.attachments[0].host_name, 'host-1');
    assert.throws(
      () => api.attach(id, 'srv-2', '/dev/vdb', ''),
      (e: { status: number }) => e.status === 400,
    );
    assert.throws(
      () => api.attach('nope', 'srv-2', '/dev/vdb', ''),
      (e: { status: number }) => e.status === 404,
    );
    assert.equal(api.getVolume(id)?.['os-vol-tenant-attr:tenant_id'], PROJECT_A);
    api.detach(id, 'srv-1');
    assert.equal((await volume(id)).status, 'available');
    assert.throws(
      () => api.detach(id, 'srv-1'),
      (e: { status: number }) => e.status === 404,
    );
    const multi = await availableVolume({ multiattach: true });
    api.attach(multi, 'srv-1', '/dev/vdb', '');
    api.attach(multi, 'srv-2', '/dev/vdb', '');
    assert.equal((await volume(multi)).attachments.length, 2);
  });
});

describe('volume types', () => {
  test('list, show, default, create, update, extra specs, delete', async () => {
    let res = await cinder('GET', `${A}/types`);
    assert.equal(res.status, 200);
    assert.ok(res.body.volume_types.some((t: { name: string }) => t.name === '__DEFAULT__'));
    res = await cinder('GET', `${ADM}/types`, admin);
    assertSampleShape(res.body, 'cinder', 'volume_type/volume-types-list-response.json', ['volume_types[].extra_specs.capabilities']);
    res = await cinder('GET', `${A}/types/default`);
    assert.equal(res.body.volume_type.name, '__DEFAULT__');
    const body = { volume_type: { name: 'vol-type-001', description: 'volume type 0001', 'os-volume-type-access:is_public': true, extra_specs: { capabilities: 'gpu' } } };
    assert.equal((await cinder('POST', `${A}/types`, { body })).status, 403);
    res = await cinder('POST', `${ADM}/types`, { ...admin, body });
    assert.equal(res.status, 200);
    assertSampleShape(res.body, 'cinder', 'volume_type/volume-type-create-response.json');
    const id = res.body.volume_type.id;
    res = await cinder('POST', `${ADM}/types`, { ...admin, body });
    assert.equal(res.status, 409);
    res = await cinder('GET', `${ADM}/types/${id}`, admin);
    assertSampleShape(res.body, 'cinder', 'volume_type/volume-type-show-response.json');
    res = await cinder('PUT', `${ADM}/types/${id}`, { ...admin, body: { volume_type: { description: 'changed' } } });
    assert.equal(res.body.volume_type.description, 'changed');
    res = await cinder('POST', `${ADM}/types/${id}/extra_specs`, { ...admin, body: { extra_specs: { multiattach: '<is> True' } } });
    assert.deepEqual(res.body, { extra_specs: { multiattach: '<is> True' } });
    res = await cinder('GET', `${ADM}/types/${id}/extra_specs`, admin);
    assert.deepEqual(res.body, { extra_specs: { capabilities: 'gpu', multiattach: '<is> True' } });
    res = await cinder('GET', `${ADM}/types/${id}/extra_specs/capabilities`, admin);
    assert.deepEqual(res.body, { capabilities: 'gpu' });
    res = await cinder('PUT', `${ADM}/types/${id}/extra_specs/capabilities`, { ...admin, body: { capabilities: 'cpu' } });
    assert.deepEqual(res.body, { capabilities: 'cpu' });
    assert.equal((await cinder('DELETE', `${ADM}/types/${id}/extra_specs/capabilities`, admin)).status, 202);
    assert.equal((await cinder('GET', `${ADM}/types/${id}/extra_specs/capabilities`, admin)).status, 404);
    // multiattach type → multiattach volumes
    const vid = await createVolume({ volume_type: 'vol-type-001' });
    assert.equal((await volume(vid)).multiattach, true);
    assert.equal((await cinder('DELETE', `${ADM}/types/${id}`, admin)).status, 400);
    await waitVolume(vid, 'available');
    await cinder('DELETE', `${A}/volumes/${vid}`);
    await waitFor(async () => ((await cinder('GET', `${A}/volumes/${vid}`)).status === 404 ? true : undefined));
    assert.equal((await cinder('DELETE', `${ADM}/types/${id}`, admin)).status, 202);
    assert.equal((await cinder('GET', `${ADM}/types/${id}`, admin)).status, 404);
    res = await cinder('DELETE', `${ADM}/types/${pod.cinder.state.defaultType.id}`, admin);
    assert.equal(res.status, 400);
    assert.equal(res.body.badRequest.message, 'Default volume type can not be deleted.');
  });
});

describe('availability zones, limits, quotas', () => {
  test('os-services (admin)', async () => {
    const res = await cinder('GET', `${ADM}/os-services`, admin);
    assert.equal(res.status, 200);
    assertSampleShape(res.body, 'cinder', 'services-list-response.json', [
      'services[].cluster',
      'services[].backend_state',
      'services[].replication_status',
      'services[].active_backend_id',
      'services[].frozen',
    ]);
    assert.equal((await cinder('GET', `${A}/os-services`)).status, 403);
  });

  test('os-availability-zone', async () => {
    const res = await cinder('GET', `${A}/os-availability-zone`);
    assertSampleShape(res.body, 'cinder', 'availability-zone-list-response.json');
    assert.equal(res.body.availabilityZoneInfo[0].zoneName, 'az1');
  });

  test('limits with usage', async () => {
    const res = await cinder('GET', `${A}/limits`);
    assertSampleShape(res.body, 'cinder', 'limits/limits-show-response.json');
    assert.ok(res.body.limits.absolute.totalVolumesUsed > 0);
    assert.equal(res.body.limits.absolute.maxTotalVolumes, 200);
  });

  test('quota sets: show, usage, defaults, update, delete', async () => {
    let res = await cinder('GET', `${A}/os-quota-sets/${PROJECT_A}`);
    assertSampleShape(res.body, 'cinder', 'quota_sets/quotas-show-response.json');
    res = await cinder('GET', `${A}/os-quota-sets/${PROJECT_A}?usage=true`);
    assertSampleShape(res.body, 'cinder', 'quota_sets/quotas-show-usage-response.json');
    assert.ok(res.body.quota_set.volumes.in_use > 0);
    assert.ok(res.body.quota_set.volumes___DEFAULT__.in_use > 0);
    res = await cinder('GET', `${A}/os-quota-sets/${PROJECT_A}/defaults`);
    assertSampleShape(res.body, 'cinder', 'quota_sets/quotas-show-defaults-response.json');
    assert.equal(res.body.quota_set.volumes, 10);
    assert.equal((await cinder('GET', `${A}/os-quota-sets/${PROJECT_B}`)).status, 403);
    assert.equal((await cinder('PUT', `${A}/os-quota-sets/${PROJECT_A}`, { body: { quota_set: { volumes: 5 } } })).status, 403);
    res = await cinder('PUT', `${ADM}/os-quota-sets/${PROJECT_B}`, { ...admin, body: { quota_set: { groups: 11, volumes: 5, backups: 4 } } });
    assert.equal(res.status, 200);
    assertSampleShape(res.body, 'cinder', 'quota_sets/quotas-update-response.json');
    assert.equal(res.body.quota_set.volumes, 5);
    res = await cinder('PUT', `${ADM}/os-quota-sets/${PROJECT_B}`, { ...admin, body: { quota_set: { bogus: 5 } } });
    assert.equal(res.status, 400);
    assert.equal((await cinder('DELETE', `${ADM}/os-quota-sets/${PROJECT_B}`, admin)).status, 200);
    assert.equal((await cinder('GET', `${B}/os-quota-sets/${PROJECT_B}`, { token: 'token-b' })).body.quota_set.volumes, 10);
  });
});
