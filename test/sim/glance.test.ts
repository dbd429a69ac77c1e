import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { SimListener } from '../../sim/common/listener.js';
import { fetchSimToken } from '../../sim/common/token.js';
import { createGlanceSim, SEED_IMAGE_NAME, type SimGlance } from '../../sim/glance/index.js';
import { startKeystoneSim } from '../../sim/keystone/index.js';

type Json = Record<string, any>;

const PATCH_TYPE = 'application/openstack-images-v2.1-json-patch';
const IMAGE_KEYS = [
  'checksum',
  'container_format',
  'created_at',
  'disk_format',
  'file',
  'id',
  'min_disk',
  'min_ram',
  'name',
  'os_hash_algo',
  'os_hash_value',
  'os_hidden',
  'owner',
  'protected',
  'schema',
  'self',
  'size',
  'status',
  'tags',
  'updated_at',
  'virtual_size',
  'visibility',
];
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

describe('glance sim', () => {
  let ks: Awaited<ReturnType<typeof startKeystoneSim>>;
  let glance: SimGlance;
  let listener: SimListener;
  let admin = '';
  let demo = '';
  let demoProject = '';
  let adminProject = '';

  const call = async (method: string, path: string, opts: { token?: string; body?: unknown; raw?: Buffer; type?: string } = {}) => {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (opts.token) headers['x-auth-token'] = opts.token;
    let body: string | Buffer | undefined;
    if (opts.raw) {
      body = opts.raw;
      headers['content-type'] = opts.type ?? 'application/octet-stream';
    } else if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['content-type'] = opts.type ?? 'application/json';
    }
    const res = await fetch(listener.url + path, { method, headers, body });
    const bytes = Buffer.from(await res.arrayBuffer());
    const isJson = (res.headers.get('content-type') ?? '').includes('json');
    return { status: res.status, headers: res.headers, bytes, body: (isJson && bytes.length ? JSON.parse(bytes.toString()) : {}) as Json };
  };
  const create = async (token: string, body: Json) => {
    const r = await call('POST', '/v2/images', { token, body });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body;
  };
  const patch = (token: string, id: string, ops: unknown[]) => call('PATCH', `/v2/images/${id}`, { token, body: ops, type: PATCH_TYPE });
  const assertGlanceError = (r: { status: number; body: Json }, status: number, title: string) => {
    assert.equal(r.status, status, JSON.stringify(r.body));
    assert.equal(r.body.code, `${status} ${title}`);
    assert.equal(r.body.title, title);
    assert.equal(typeof r.body.message, 'string');
  };

  before(async () => {
    ks = await startKeystoneSim();
    glance = createGlanceSim({
      keystone: ks.keystone.validator,
      publicUrl: () => listener.url,
      keystoneUrl: () => ks.url,
      seedOwner: ks.keystone.projectIdByName('admin'),
    });
    listener = new SimListener(glance.app, '127.0.0.1');
    await listener.start();
    admin = (await fetchSimToken(ks.url, { user: 'admin', project: 'admin' })).token;
    demo = (await fetchSimToken(ks.url, { user: 'demo', project: 'demo' })).token;
    demoProject = ks.keystone.projectIdByName('demo')!;
    adminProject = ks.keystone.projectIdByName('admin')!;
  });
  after(async () => {
    await listener.stop();
    await glance.app.close();
    await ks.close();
  });

  test('version discovery: / answers 300, /versions 200', async () => {
    const root = await call('GET', '/');
    assert.equal(root.status, 300);
    assert.equal(root.body.versions[0].id, 'v2.16');
    assert.equal(root.body.versions[0].status, 'CURRENT');
    assert.equal(root.body.versions[0].links[0].href, `${listener.url}/v2/`);
    assert.equal((await call('GET', '/versions')).status, 200);
  });

  test('requests without a valid token answer 401 like keystonemiddleware', async () => {
    for (const token of [undefined, 'bogus']) {
      const r = await call('GET', '/v2/images', { token });
      assert.equal(r.status, 401);
      assert.deepEqual(r.body, { error: { code: 401, title: 'Unauthorized', message: 'The request you have made requires authentication.' } });
      assert.equal(r.headers.get('www-authenticate'), `Keystone uri="${ks.url}"`);
    }
  });

  test('the seeded cirros image is public and active', async () => {
    const r = await call('GET', `/v2/images?name=${SEED_IMAGE_NAME}`, { token: demo });
    assert.equal(r.status, 200);
    assert.equal(r.body.images.length, 1);
    const img = r.body.images[0];
    assert.equal(img.status, 'active');
    assert.equal(img.visibility, 'public');
    assert.equal(img.owner, adminProject);
    assert.equal(img.size, 4096);
    assert.match(img.checksum, /^[0-9a-f]{32}$/);
    assert.match(img.id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  test('create: 201, queued, Location, default visibility shared, extra properties', async () => {
    const r = await call('POST', '/v2/images', { token: demo, body: { name: 'mine', disk_format: 'qcow2', container_format: 'bare', tags: ['a', 'a', 'b'], os_distro: 'cirros' } });
    assert.equal(r.status, 201);
    const img = r.body;
    assert.equal(r.headers.get('location'), `${listener.url}/v2/images/${img.id}`);
    for (const key of IMAGE_KEYS) assert.ok(key in img, `missing ${key}`);
    assert.equal(img.status, 'queued');
    assert.equal(img.visibility, 'shared');
    assert.equal(img.owner, demoProject);
    assert.equal(img.size, null);
    assert.equal(img.checksum, null);
    assert.deepEqual(img.tags, ['a', 'b']);
    assert.equal(img.os_distro, 'cirros');
    assert.equal(img.protected, false);
    assert.equal(img.os_hidden, false);
    assert.equal(img.self, `/v2/images/${img.id}`);
    assert.equal(img.file, `/v2/images/${img.id}/file`);
    assert.equal(img.schema, '/v2/schemas/image');
    assert.match(img.created_at, ISO);
    assert.match(img.updated_at, ISO);
    const shown = await call('GET', `/v2/images/${img.id}`, { token: demo });
    assert.equal(shown.status, 200);
    assert.deepEqual(shown.body, img);
  });

  test('create with a given id; conflicts and bad input', async () => {
    const id = '2b0b5e4e-3b0f-4c39-9a4f-7f0b0b4f2a11';
    assert.equal((await create(demo, { id, name: 'fixed' })).id, id);
    assertGlanceError(await call('POST', '/v2/images', { token: demo, body: { id } }), 409, 'Conflict');
    assertGlanceError(await call('POST', '/v2/images', { token: demo, body: { id: 'not-a-uuid' } }), 400, 'Bad Request');
    assertGlanceError(await call('POST', '/v2/images', { token: demo, body: { disk_format: 'floppy' } }), 400, 'Bad Request');
    assertGlanceError(await call('POST', '/v2/images', { token: demo, body: { min_ram: -1 } }), 400, 'Bad Request');
    assertGlanceError(await call('POST', '/v2/images', { token: demo, body: { custom: 5 } }), 400, 'Bad Request');
    assertGlanceError(await call('POST', '/v2/images', { token: demo, body: { status: 'active' } }), 403, 'Forbidden');
    assertGlanceError(await call('POST', '/v2/images', { token: demo, body: { visibility: 'public' } }), 403, 'Forbidden');
    assertGlanceError(await call('POST', '/v2/images', { token: demo, body: [] }), 400, 'Bad Request');
    assert.equal((await create(admin, { name: 'pub', visibility: 'public' })).visibility, 'public');
  });

  test('visibility: private images of another project are not found', async () => {
    const img = await create(admin, { name: 'admin-private', visibility: 'private' });
    assertGlanceError(await call('GET', `/v2/images/${img.id}`, { token: demo }), 404, 'Not Found');
    const list = await call('GET', '/v2/images?limit=1000', { token: demo });
    assert.ok(!list.body.images.some((i: Json) => i.id === img.id));
    assertGlanceError(await call('GET', '/v2/images/00000000-0000-0000-0000-000000000000', { token: demo }), 404, 'Not Found');
  });

  test('PATCH: replace, add, remove, tags; media type and rule checks', async () => {
    const img = await create(demo, { name: 'p', disk_format: 'raw', container_format: 'bare' });
    const r = await patch(demo, img.id, [
      { op: 'replace', path: '/name', value: 'renamed' },
      { op: 'add', path: '/hw_disk_bus', value: 'scsi' },
      { op: 'add', path: '/tags/-', value: 'x' },
      { op: 'replace', path: '/min_ram', value: 512 },
      { op: 'replace', path: '/protected', value: true },
    ]);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.name, 'renamed');
    assert.equal(r.body.hw_disk_bus, 'scsi');
    assert.deepEqual(r.body.tags, ['x']);
    assert.equal(r.body.min_ram, 512);
    assert.equal(r.body.protected, true);
    const removed = await patch(demo, img.id, [
      { op: 'remove', path: '/hw_disk_bus' },
      { op: 'remove', path: '/tags/x' },
      { op: 'replace', path: '/protected', value: false },
    ]);
    assert.equal(removed.status, 200);
    assert.equal('hw_disk_bus' in removed.body, false);
    assert.deepEqual(removed.body.tags, []);

    const json = await call('PATCH', `/v2/images/${img.id}`, { token: demo, body: [{ op: 'replace', path: '/name', value: 'x' }] });
    assertGlanceError(json, 415, 'Unsupported Media Type');
    assertGlanceError(await patch(demo, img.id, [{ op: 'replace', path: '/status', value: 'active' }]), 403, 'Forbidden');
    assertGlanceError(await patch(demo, img.id, [{ op: 'remove', path: '/nothing' }]), 409, 'Conflict');
    assertGlanceError(await patch(demo, img.id, [{ op: 'replace', path: '/nothing', value: 'v' }]), 409, 'Conflict');
    assertGlanceError(await patch(demo, img.id, [{ op: 'move', path: '/name' }]), 400, 'Bad Request');
    assertGlanceError(await patch(demo, img.id, { op: 'replace' } as unknown as unknown[]), 400, 'Bad Request');
    // A failing operation leaves the image as it was.
    assertGlanceError(
      await patch(demo, img.id, [
        { op: 'replace', path: '/name', value: 'half' },
        { op: 'replace', path: '/size', value: 1 },
      ]),
      403,
      'Forbidden',
    );
    assert.equal((await call('GET', `/v2/images/${img.id}`, { token: demo })).body.name, 'renamed');
    const seed = (await call('GET', `/v2/images?name=${SEED_IMAGE_NAME}`, { token: demo })).body.images[0];
    assertGlanceError(await patch(demo, seed.id, [{ op: 'replace', path: '/name', value: 'mine' }]), 403, 'Forbidden');
  });

  test('upload and download data', async () => {
    const img = await create(demo, { name: 'data', disk_format: 'raw', container_format: 'bare' });
    const empty = await call('GET', `/v2/images/${img.id}/file`, { token: demo });
    assert.equal(empty.status, 204);
    const bytes = Buffer.from('not really a disk image\n'.repeat(100));
    const up = await call('PUT', `/v2/images/${img.id}/file`, { token: demo, raw: bytes });
    assert.equal(up.status, 204);
    const shown = (await call('GET', `/v2/images/${img.id}`, { token: demo })).body;
    assert.equal(shown.status, 'active');
    assert.equal(shown.size, bytes.length);
    assert.equal(shown.checksum, createHash('md5').update(bytes).digest('hex'));
    assert.equal(shown.os_hash_algo, 'sha512');
    assert.equal(shown.os_hash_value, createHash('sha512').update(bytes).digest('hex'));
    const down = await call('GET', `/v2/images/${img.id}/file`, { token: demo });
    assert.equal(down.status, 200);
    assert.equal(down.headers.get('content-type'), 'application/octet-stream');
    assert.equal(down.headers.get('content-md5'), shown.checksum);
    assert.deepEqual(down.bytes, bytes);
    assertGlanceError(await call('PUT', `/v2/images/${img.id}/file`, { token: demo, raw: bytes }), 409, 'Conflict');
    const other = await create(demo, { name: 'data2' });
    assertGlanceError(await call('PUT', `/v2/images/${other.id}/file`, { token: demo, raw: bytes, type: 'application/json' }), 415, 'Unsupported Media Type');
    assertGlanceError(await patch(demo, img.id, [{ op: 'replace', path: '/disk_format', value: 'qcow2' }]), 403, 'Forbidden');
  });

  test('deactivate and reactivate (admin or the owning project)', async () => {
    const img = await create(demo, { name: 'deact', disk_format: 'raw', container_format: 'bare' });
    assert.equal((await call('PUT', `/v2/images/${img.id}/file`, { token: demo, raw: Buffer.from('abc') })).status, 204);
    const adminsOwn = await create(admin, { name: 'deact-admin', disk_format: 'raw', container_format: 'bare', visibility: 'public' });
    assert.equal((await call('PUT', `/v2/images/${adminsOwn.id}/file`, { token: admin, raw: Buffer.from('abc') })).status, 204);
    assertGlanceError(await call('POST', `/v2/images/${adminsOwn.id}/actions/deactivate`, { token: demo }), 403, 'Forbidden');
    assert.equal((await call('POST', `/v2/images/${img.id}/actions/deactivate`, { token: demo })).status, 204);
    assert.equal((await call('POST', `/v2/images/${img.id}/actions/reactivate`, { token: demo })).status, 204);
    assert.equal((await call('POST', `/v2/images/${img.id}/actions/deactivate`, { token: admin })).status, 204);
    assert.equal((await call('GET', `/v2/images/${img.id}`, { token: demo })).body.status, 'deactivated');
    assertGlanceError(await call('GET', `/v2/images/${img.id}/file`, { token: demo }), 403, 'Forbidden');
    assert.equal((await call('POST', `/v2/images/${img.id}/actions/reactivate`, { token: admin })).status, 204);
    assert.equal((await call('GET', `/v2/images/${img.id}/file`, { token: demo })).status, 200);
  });

  describe('list', () => {
    let ids: string[] = [];
    before(async () => {
      ids = [];
      for (const name of ['l-c', 'l-a', 'l-b']) {
        ids.push((await create(demo, { name, visibility: 'private', disk_format: 'raw', container_format: 'bare', tags: ['list'] })).id);
        await new Promise((r) => setTimeout(r, 5));
      }
    });

    test('body shape: images, first, schema; filters', async () => {
      const r = await call('GET', '/v2/images?tag=list', { token: demo });
      assert.equal(r.status, 200);
      assert.equal(r.body.schema, '/v2/schemas/images');
      assert.equal(r.body.first, '/v2/images?tag=list');
      assert.equal(r.body.next, undefined);
      // Default order: created_at desc.
      assert.deepEqual(
        r.body.images.map((i: Json) => i.id),
        [...ids].reverse(),
      );
      assert.deepEqual(
        (await call('GET', '/v2/images?name=l-a', { token: demo })).body.images.map((i: Json) => i.name),
        ['l-a'],
      );
      assert.deepEqual(
        (await call('GET', '/v2/images?name=in:l-a,l-b&sort_key=name&sort_dir=asc', { token: demo })).body.images.map((i: Json) => i.name),
        ['l-a', 'l-b'],
      );
      const priv = (await call('GET', '/v2/images?visibility=private&limit=1000', { token: demo })).body.images;
      assert.ok(priv.length >= 3 && priv.every((i: Json) => i.visibility === 'private'));
      const owned = (await call('GET', `/v2/images?owner=${demoProject}&limit=1000`, { token: demo })).body.images;
      assert.ok(owned.every((i: Json) => i.owner === demoProject));
      const queued = (await call('GET', '/v2/images?status=queued&tag=list', { token: demo })).body.images;
      assert.equal(queued.length, 3);
      assert.equal((await call('GET', '/v2/images?status=active&tag=list', { token: demo })).body.images.length, 0);
      assert.equal((await call('GET', '/v2/images?tag=list', { token: admin })).body.images.length, 3);
    });

    test('sorting with sort_key/sort_dir and sort=', async () => {
      const asc = await call('GET', '/v2/images?tag=list&sort_key=name&sort_dir=asc', { token: demo });
      assert.deepEqual(
        asc.body.images.map((i: Json) => i.name),
        ['l-a', 'l-b', 'l-c'],
      );
      const desc = await call('GET', '/v2/images?tag=list&sort=name:desc', { token: demo });
      assert.deepEqual(
        desc.body.images.map((i: Json) => i.name),
        ['l-c', 'l-b', 'l-a'],
      );
      assertGlanceError(await call('GET', '/v2/images?sort_key=bogus', { token: demo }), 400, 'Bad Request');
      assertGlanceError(await call('GET', '/v2/images?sort_dir=sideways', { token: demo }), 400, 'Bad Request');
      assertGlanceError(await call('GET', '/v2/images?sort=name&sort_key=name', { token: demo }), 400, 'Bad Request');
    });

    test('limit, marker and next link', async () => {
      const first = await call('GET', '/v2/images?tag=list&sort_key=name&sort_dir=asc&limit=2', { token: demo });
      assert.deepEqual(
        first.body.images.map((i: Json) => i.name),
        ['l-a', 'l-b'],
      );
      assert.equal(first.body.next, `/v2/images?tag=list&sort_key=name&sort_dir=asc&limit=2&marker=${first.body.images[1].id}`);
      const second = await call('GET', first.body.next, { token: demo });
      assert.deepEqual(
        second.body.images.map((i: Json) => i.name),
        ['l-c'],
      );
      assert.equal(second.body.next, undefined);
      assert.equal(second.body.first, '/v2/images?tag=list&sort_key=name&sort_dir=asc&limit=2');
      assertGlanceError(await call('GET', '/v2/images?marker=00000000-0000-0000-0000-000000000000', { token: demo }), 400, 'Bad Request');
      assertGlanceError(await call('GET', '/v2/images?limit=abc', { token: demo }), 400, 'Bad Request');
    });

    test('shared images and member_status', async () => {
      const img = await create(admin, { name: 'shared-one', visibility: 'shared' });
      const mine = () => call('GET', '/v2/images?name=shared-one', { token: demo }).then((r) => r.body.images.length);
      assert.equal(await mine(), 0);
      const added = await call('POST', `/v2/images/${img.id}/members`, { token: admin, body: { member: demoProject } });
      assert.equal(added.status, 200);
      assert.equal(added.body.status, 'pending');
      assert.equal(added.body.schema, '/v2/schemas/member');
      assert.equal(await mine(), 0);
      assert.equal((await call('GET', '/v2/images?name=shared-one&member_status=pending', { token: demo })).body.images.length, 1);
      assert.equal((await call('GET', `/v2/images/${img.id}`, { token: demo })).status, 200);
      const accepted = await call('PUT', `/v2/images/${img.id}/members/${demoProject}`, { token: demo, body: { status: 'accepted' } });
      assert.equal(accepted.body.status, 'accepted');
      assert.equal(await mine(), 1);
      const members = await call('GET', `/v2/images/${img.id}/members`, { token: admin });
      assert.deepEqual(
        members.body.members.map((m: Json) => m.member_id),
        [demoProject],
      );
      assert.equal(members.body.schema, '/v2/schemas/members');
      assert.equal((await call('GET', `/v2/images/${img.id}/members/${demoProject}`, { token: demo })).status, 200);
      assertGlanceError(await call('POST', `/v2/images/${img.id}/members`, { token: admin, body: { member: demoProject } }), 409, 'Conflict');
      assert.equal((await call('DELETE', `/v2/images/${img.id}/members/${demoProject}`, { token: admin })).status, 204);
      assert.equal(await mine(), 0);
      const priv = await create(admin, { name: 'p2', visibility: 'private' });
      assertGlanceError(await call('POST', `/v2/images/${priv.id}/members`, { token: admin, body: { member: demoProject } }), 403, 'Forbidden');
    });
  });

  test('delete: 204, protected 403, other owner 403, then 404', async () => {
    const img = await create(demo, { name: 'del', protected: true });
    assertGlanceError(await call('DELETE', `/v2/images/${img.id}`, { token: demo }), 403, 'Forbidden');
    assert.equal((await patch(demo, img.id, [{ op: 'replace', path: '/protected', value: false }])).status, 200);
    const seed = (await call('GET', `/v2/images?name=${SEED_IMAGE_NAME}`, { token: demo })).body.images[0];
    assertGlanceError(await call('DELETE', `/v2/images/${seed.id}`, { token: demo }), 403, 'Forbidden');
    const d = await call('DELETE', `/v2/images/${img.id}`, { token: demo });
    assert.equal(d.status, 204);
    assertGlanceError(await call('GET', `/v2/images/${img.id}`, { token: demo }), 404, 'Not Found');
    assertGlanceError(await call('DELETE', `/v2/images/${img.id}`, { token: demo }), 404, 'Not Found');
  });

  test('schemas', async () => {
    const image = await call('GET', '/v2/schemas/image', { token: demo });
    assert.equal(image.status, 200);
    assert.equal(image.body.name, 'image');
    for (const key of IMAGE_KEYS) assert.ok(key in image.body.properties, `schema lacks ${key}`);
    assert.deepEqual(image.body.additionalProperties, { type: 'string' });
    const images = await call('GET', '/v2/schemas/images', { token: demo });
    assert.equal(images.body.name, 'images');
    assert.equal(images.body.properties.images.items.name, 'image');
    assert.equal((await call('GET', '/v2/schemas/member', { token: demo })).body.name, 'member');
    assert.equal((await call('GET', '/v2/schemas/members', { token: demo })).body.name, 'members');
  });

  test('SimGlanceApi: getImage and createImage (snapshots)', async () => {
    const id = glance.api.createImage(demoProject, 'snap', { image_type: 'snapshot', instance_uuid: 'abc', min_disk: 1 });
    const img = glance.api.getImage(id)!;
    assert.equal(img.name, 'snap');
    assert.equal(img.status, 'active');
    assert.equal(img.owner, demoProject);
    assert.equal(img.visibility, 'private');
    assert.equal(img.image_type, 'snapshot');
    assert.equal(img.min_disk, 1);
    assert.equal(glance.api.getImage('nope'), undefined);
    assert.equal((await call('GET', `/v2/images/${id}`, { token: demo })).body.instance_uuid, 'abc');
  });
});
