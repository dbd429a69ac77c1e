import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { describeEachDatabase } from '../support/databases.js';
import { http } from '../support/http.js';
import { startNovaEnv, waitForStatus, type NovaEnv } from './support.js';

describeEachDatabase('Nova API gateway: versions and top-level resources', (dialect) => {
  let env: NovaEnv;
  before(async () => {
    env = await startNovaEnv({ dialect });
  });
  after(async () => {
    await env?.close();
  });

  test('version documents without a token, the maximum the pods share', async () => {
    const root = await http('GET', `${env.gw}/`);
    assert.equal(root.status, 200);
    assert.equal(root.body.versions[0].id, 'v2.1');
    assert.equal(root.body.versions[0].version, '2.93');
    assert.equal(root.body.versions[0].links[0].href, `${env.gw}/v2.1/`);
    for (const path of ['/v2.1', '/v2.1/']) {
      const doc = await http('GET', `${env.gw}${path}`);
      assert.equal(doc.status, 200);
      assert.equal(doc.body.version.min_version, '2.1');
      assert.equal(doc.body.version['media-types'][0].type, 'application/vnd.openstack.compute+json;version=2.1');
    }
    const withProject = await env.call('demo', 'GET', `/${env.projects.demo}`);
    assert.equal(withProject.status, 200);
    assert.equal(withProject.body.version.id, 'v2.1');
    assert.equal((await http('GET', `${env.gw}/v2.1/servers`)).status, 401);
  });

  test('microversion headers: echoed, latest, 406 outside the range, 400 malformed', async () => {
    const plain = await env.call('demo', 'GET', '/flavors');
    assert.equal(plain.headers['openstack-api-version'], 'compute 2.1');
    assert.equal(plain.headers['x-openstack-nova-api-version'], '2.1');
    assert.match(String(plain.headers.vary), /OpenStack-API-Version/);
    const latest = await env.call('demo', 'GET', '/flavors', { headers: { 'openstack-api-version': 'compute latest' } });
    assert.equal(latest.headers['openstack-api-version'], 'compute 2.93');
    const legacy = await env.call('demo', 'GET', '/flavors', { headers: { 'x-openstack-nova-api-version': '2.55' } });
    assert.equal(legacy.headers['x-openstack-nova-api-version'], '2.55');
    assert.ok('description' in legacy.body.flavors[0], '2.55 flavors have descriptions');
    const tooNew = await env.call('demo', 'GET', '/flavors', { version: '2.94' });
    assert.equal(tooNew.status, 406);
    assert.deepEqual(tooNew.body, { computeFault: { code: 406, message: 'Version 2.94 is not supported by the API. Minimum is 2.1 and maximum is 2.93.' } });
    const bad = await env.call('demo', 'GET', '/flavors', { headers: { 'openstack-api-version': 'compute 2.x' } });
    assert.equal(bad.status, 400);
    assert.ok(typeof bad.headers['x-openstack-request-id'] === 'string');
  });

  test('the negotiated version is what the pod is asked for', async () => {
    const res = await env.call('demo', 'POST', '/servers', {
      version: '2.47',
      body: { server: { name: 'mv', imageRef: env.imageId, flavorRef: '1', networks: 'none', availability_zone: 'az1' } },
    });
    assert.equal(res.status, 202, res.text);
    await waitForStatus(env, 'demo', res.body.server.id, ['ACTIVE']);
    const shown = await env.call('demo', 'GET', `/servers/${res.body.server.id}`, { version: '2.47' });
    assert.equal(shown.body.server.flavor.original_name, 'm1.tiny', '2.47 embeds the flavor');
    assert.equal(shown.headers['openstack-api-version'], 'compute 2.47');
    const old = await env.call('demo', 'GET', `/servers/${res.body.server.id}`);
    assert.deepEqual(Object.keys(old.body.server.flavor).sort(), ['id', 'links']);
  });

  test('flavors: top-owned, admin-managed, with extra specs and access lists', async () => {
    const list = await env.call('demo', 'GET', '/flavors');
    assert.deepEqual(
      list.body.flavors.map((f: { name: string }) => f.name),
      ['m1.tiny', 'm1.small', 'm1.medium', 'm1.large', 'm1.nano', 'm1.xlarge', 'm1.micro'],
    );
    const detail = await env.call('demo', 'GET', '/flavors/detail?minRam=4096');
    assert.deepEqual(
      detail.body.flavors.map((f: { id: string }) => f.id),
      ['3', '4', '5'],
    );
    assert.equal(detail.body.flavors[0].swap, '');
    for (const key of ['__proto__', 'constructor', 'no_such_key']) assert.equal((await env.call('demo', 'GET', `/flavors/detail?sort_key=${key}`)).status, 400, `sort_key=${key}`);
    assert.equal((await env.call('demo', 'GET', '/flavors/detail', { version: '2.75' })).body.flavors[0].swap, 0);
    const page = await env.call('demo', 'GET', '/flavors?limit=2&marker=2');
    assert.deepEqual(
      page.body.flavors.map((f: { id: string }) => f.id),
      ['3', '4'],
    );
    assert.equal(page.body.flavors_links[0].href, `${env.gw}/v2.1/flavors?limit=2&marker=4`);

    const denied = await env.call('demo', 'POST', '/flavors', { body: { flavor: { name: 'x', ram: 1, vcpus: 1, disk: 1 } } });
    assert.equal(denied.status, 403);
    const made = await env.call('admin', 'POST', '/flavors', {
      version: '2.55',
      body: { flavor: { name: 'private.one', id: 'p1', ram: 128, vcpus: 1, disk: 1, 'os-flavor-access:is_public': false, description: 'd' } },
    });
    assert.equal(made.status, 200, made.text);
    assert.equal(made.body.flavor['os-flavor-access:is_public'], false);
    assert.equal(made.body.flavor.description, 'd');
    assert.equal((await env.call('admin', 'POST', '/flavors', { body: { flavor: { name: 'private.one', ram: 1, vcpus: 1, disk: 1 } } })).status, 409);
    assert.equal((await env.call('admin', 'POST', '/flavors', { body: { flavor: { name: 'other', id: 'p1', ram: 1, vcpus: 1, disk: 1 } } })).status, 409);
    assert.equal((await env.call('admin', 'POST', '/flavors', { body: { flavor: { name: 'noram', vcpus: 1, disk: 1 } } })).status, 400);

    assert.equal((await env.call('demo', 'GET', '/flavors/p1')).status, 404, 'private and not granted');
    const granted = await env.call('admin', 'POST', '/flavors/p1/action', { body: { addTenantAccess: { tenant: env.projects.demo } } });
    assert.equal(granted.status, 200, granted.text);
    assert.deepEqual(granted.body.flavor_access, [{ flavor_id: 'p1', tenant_id: env.projects.demo }]);
    assert.equal((await env.call('demo', 'GET', '/flavors/p1')).status, 200);
    assert.ok((await env.call('demo', 'GET', '/flavors')).body.flavors.some((f: { id: string }) => f.id === 'p1'));
    assert.equal((await env.call('admin', 'POST', '/flavors/p1/action', { body: { addTenantAccess: { tenant: env.projects.demo } } })).status, 409);
    assert.equal((await env.call('admin', 'GET', '/flavors/1/os-flavor-access')).status, 404);

    const specs = await env.call('admin', 'POST', '/flavors/p1/os-extra_specs', { body: { extra_specs: { 'hw:cpu_policy': 'dedicated' } } });
    assert.equal(specs.status, 200, specs.text);
    assert.deepEqual((await env.call('demo', 'GET', '/flavors/p1/os-extra_specs')).body, { extra_specs: { 'hw:cpu_policy': 'dedicated' } });
    assert.deepEqual((await env.call('demo', 'GET', '/flavors/p1/os-extra_specs/hw:cpu_policy')).body, { 'hw:cpu_policy': 'dedicated' });
    assert.equal((await env.call('admin', 'PUT', '/flavors/p1/os-extra_specs/hw:cpu_policy', { body: { other: 'x' } })).status, 400);
    assert.equal((await env.call('demo', 'GET', '/flavors/p1', { version: '2.61' })).body.flavor.extra_specs['hw:cpu_policy'], 'dedicated');
    await env.call('admin', 'PUT', '/flavors/p1/os-extra_specs/hw:mem_page_size', { body: { 'hw:mem_page_size': 'large' } });
    const unset = await env.call('admin', 'DELETE', '/flavors/p1/os-extra_specs/hw:mem_page_size');
    assert.equal(unset.status, 200, 'Nova answers an extra-spec delete with 200');
    assert.equal(unset.text, '');

    // The private flavor, its specs and the project's access reach the pod at boot.
    const boot = await env.call('demo', 'POST', '/servers', {
      version: '2.37',
      body: { server: { name: 'private', imageRef: env.imageId, flavorRef: 'p1', networks: 'none', availability_zone: 'az2' } },
    });
    assert.equal(boot.status, 202, boot.text);
    const inPod = await env.pod('Pod2', 'admin', 'GET', '/flavors/p1/os-extra_specs');
    assert.deepEqual(inPod.body, { extra_specs: { 'hw:cpu_policy': 'dedicated' } });

    assert.equal((await env.call('admin', 'PUT', '/flavors/p1', { version: '2.55', body: { flavor: { description: 'new' } } })).body.flavor.description, 'new');
    assert.equal((await env.call('admin', 'DELETE', '/flavors/p1')).status, 202);
    assert.equal((await env.call('admin', 'GET', '/flavors/p1')).status, 404);
  });

  test('key pairs: generated or imported, per user, paged from 2.35', async () => {
    const gen = await env.call('demo', 'POST', '/os-keypairs', { version: '2.2', body: { keypair: { name: 'gen' } } });
    assert.equal(gen.status, 201, gen.text);
    assert.match(gen.body.keypair.private_key, /BEGIN RSA PRIVATE KEY/);
    assert.equal(gen.body.keypair.type, 'ssh');
    const imported = await env.call('demo', 'POST', '/os-keypairs', { body: { keypair: { name: 'imp', public_key: gen.body.keypair.public_key } } });
    assert.equal(imported.status, 200);
    assert.equal(imported.body.keypair.fingerprint, gen.body.keypair.fingerprint);
    assert.equal(imported.body.keypair.private_key, undefined);
    assert.equal((await env.call('demo', 'POST', '/os-keypairs', { body: { keypair: { name: 'gen' } } })).status, 409);
    assert.equal((await env.call('demo', 'POST', '/os-keypairs', { body: { keypair: { name: 'bad', public_key: 'nonsense' } } })).status, 400);
    assert.equal((await env.call('demo', 'POST', '/os-keypairs', { body: { keypair: { name: 'bad*name' } } })).status, 400);
    assert.equal((await env.call('demo', 'POST', '/os-keypairs', { version: '2.92', body: { keypair: { name: 'nokey' } } })).status, 400);

    const list = await env.call('demo', 'GET', '/os-keypairs');
    assert.deepEqual(
      list.body.keypairs.map((k: { keypair: { name: string } }) => k.keypair.name),
      ['gen', 'imp'],
    );
    const paged = await env.call('demo', 'GET', '/os-keypairs?limit=1', { version: '2.35' });
    assert.equal(paged.body.keypairs.length, 1);
    assert.match(paged.body.keypairs_links[0].href, /marker=gen/);
    assert.deepEqual((await env.call('admin', 'GET', '/os-keypairs')).body.keypairs, [], 'key pairs are per user');
    const shown = await env.call('demo', 'GET', '/os-keypairs/gen', { version: '2.10' });
    assert.equal(shown.body.keypair.name, 'gen');
    assert.equal(typeof shown.body.keypair.user_id, 'string');
    assert.equal((await env.call('demo', 'DELETE', '/os-keypairs/imp', { version: '2.2' })).status, 204);
    assert.equal((await env.call('demo', 'DELETE', '/os-keypairs/imp')).status, 404);
  });

  test('key pairs: an x509 key pair is generated as a self-signed certificate, or imported', async () => {
    const gen = await env.call('demo', 'POST', '/os-keypairs', { version: '2.2', body: { keypair: { name: 'cert', type: 'x509' } } });
    assert.equal(gen.status, 201, gen.text);
    assert.equal(gen.body.keypair.type, 'x509');
    assert.match(gen.body.keypair.private_key, /BEGIN RSA PRIVATE KEY/);
    const cert = new X509Certificate(gen.body.keypair.public_key);
    assert.ok(cert.verify(cert.publicKey), 'self-signed');
    assert.ok(cert.checkPrivateKey(createPrivateKey(gen.body.keypair.private_key)), 'the certificate is of the private key returned');
    assert.match(cert.subject, new RegExp(`CN=${env.projects.demo}-`));
    assert.equal(gen.body.keypair.fingerprint, cert.fingerprint.toLowerCase());
    const shown = await env.call('demo', 'GET', '/os-keypairs/cert', { version: '2.2' });
    assert.equal(shown.body.keypair.type, 'x509');
    assert.equal(shown.body.keypair.public_key, gen.body.keypair.public_key);
    const imported = await env.call('demo', 'POST', '/os-keypairs', {
      version: '2.2',
      body: { keypair: { name: 'cert2', type: 'x509', public_key: gen.body.keypair.public_key } },
    });
    assert.equal(imported.status, 201, imported.text);
    assert.equal(imported.body.keypair.fingerprint, gen.body.keypair.fingerprint);
    for (const name of ['cert', 'cert2']) assert.equal((await env.call('demo', 'DELETE', `/os-keypairs/${name}`, { version: '2.2' })).status, 204);
  });

  test('availability zones and aggregates come from the pods', async () => {
    const zones = await env.call('demo', 'GET', '/os-availability-zone');
    assert.deepEqual(zones.body, {
      availabilityZoneInfo: [
        { zoneName: 'az1', zoneState: { available: true }, hosts: null },
        { zoneName: 'az2', zoneState: { available: true }, hosts: null },
      ],
    });
    assert.equal((await env.call('demo', 'GET', '/os-availability-zone/detail')).status, 403);
    const detail = await env.call('admin', 'GET', '/os-availability-zone/detail');
    assert.deepEqual(Object.keys(detail.body.availabilityZoneInfo[0].hosts), ['Pod1']);

    assert.equal((await env.call('demo', 'GET', '/os-aggregates')).status, 403);
    const aggs = await env.call('admin', 'GET', '/os-aggregates', { version: '2.41' });
    assert.equal(aggs.body.aggregates.length, 2);
    const [a1] = aggs.body.aggregates;
    assert.equal(a1.availability_zone, 'az1');
    assert.deepEqual(a1.hosts, ['Pod1']);
    assert.deepEqual(a1.metadata, { availability_zone: 'az1' });
    assert.match(a1.uuid, /^[0-9a-f-]{36}$/);
    assert.deepEqual((await env.call('admin', 'GET', `/os-aggregates/${a1.id}`, { version: '2.41' })).body.aggregate, a1);
    assert.equal((await env.call('admin', 'GET', '/os-aggregates/12345')).status, 404);
    const create = await env.call('admin', 'POST', '/os-aggregates', { body: { aggregate: { name: 'x', availability_zone: 'az3' } } });
    assert.equal(create.status, 400);
    assert.match(create.body.badRequest.message, /Admin API/);
  });

  test('limits and quota sets: top quotas, usage summed across pods, enforced at boot', async () => {
    const before = await env.call('admin', 'GET', '/limits');
    const usedBefore = before.body.limits.absolute.totalInstancesUsed;
    for (const az of ['az1', 'az2']) {
      const res = await env.call('admin', 'POST', '/servers', {
        version: '2.37',
        body: { server: { name: `q-${az}`, imageRef: env.imageId, flavorRef: '2', networks: 'none', availability_zone: az } },
      });
      assert.equal(res.status, 202, res.text);
    }
    const limits = await env.call('admin', 'GET', '/limits');
    const abs = limits.body.limits.absolute;
    assert.equal(abs.totalInstancesUsed, usedBefore + 2, 'one server in each pod, summed');
    assert.equal(abs.maxTotalInstances, 1000);
    assert.ok('maxPersonality' in abs && 'maxSecurityGroups' in abs);
    const v257 = (await env.call('admin', 'GET', '/limits', { version: '2.57' })).body.limits.absolute;
    assert.ok(!('maxPersonality' in v257) && !('maxSecurityGroups' in v257) && !('maxImageMeta' in v257));

    const detail = await env.call('admin', 'GET', `/os-quota-sets/${env.projects.admin}/detail`, { version: '2.57' });
    assert.equal(detail.body.quota_set.instances.in_use, usedBefore + 2);
    assert.equal(detail.body.quota_set.cores.in_use, abs.totalCoresUsed);
    assert.ok(!('floating_ips' in detail.body.quota_set) && !('injected_files' in detail.body.quota_set));
    assert.equal((await env.call('demo', 'GET', `/os-quota-sets/${env.projects.admin}`)).status, 403);
    assert.equal((await env.call('demo', 'GET', `/os-quota-sets/${env.projects.demo}/defaults`)).body.quota_set.instances, 10);
    assert.equal((await env.call('demo', 'PUT', `/os-quota-sets/${env.projects.demo}`, { body: { quota_set: { instances: 5 } } })).status, 403);

    const set = await env.call('admin', 'PUT', `/os-quota-sets/${env.projects.admin}`, { body: { quota_set: { instances: usedBefore + 2 } } });
    assert.equal(set.status, 200, set.text);
    assert.equal(set.body.quota_set.instances, usedBefore + 2);
    const over = await env.call('admin', 'POST', '/servers', {
      version: '2.37',
      body: { server: { name: 'over', imageRef: env.imageId, flavorRef: '1', networks: 'none', availability_zone: 'az1' } },
    });
    assert.equal(over.status, 403);
    assert.match(over.body.forbidden.message, /Quota exceeded for instances/);
    assert.equal((await env.call('admin', 'PUT', `/os-quota-sets/${env.projects.admin}`, { body: { quota_set: { instances: 'x' } } })).status, 400);
    assert.equal((await env.call('admin', 'DELETE', `/os-quota-sets/${env.projects.admin}`)).status, 202);
    assert.equal((await env.call('admin', 'GET', `/os-quota-sets/${env.projects.admin}`)).body.quota_set.instances, 10);
  });

  test('images through Glance, until 2.35', async () => {
    const list = await env.call('demo', 'GET', '/images/detail');
    assert.equal(list.status, 200, list.text);
    const img = list.body.images.find((i: { id: string }) => i.id === env.imageId);
    assert.equal(img.status, 'ACTIVE');
    assert.equal(img.progress, 100);
    assert.equal(img.links[0].href, `${env.gw}/v2.1/images/${env.imageId}`);
    assert.equal(img.links[2].rel, 'alternate');
    assert.match(img.created, /Z$/);
    const brief = await env.call('demo', 'GET', '/images');
    assert.deepEqual(Object.keys(brief.body.images[0]).sort(), ['id', 'links', 'name']);
    assert.equal((await env.call('demo', 'GET', `/images/${env.imageId}`)).body.image.id, env.imageId);
    assert.equal((await env.call('demo', 'GET', '/images/00000000-0000-4000-8000-000000000000')).status, 404);
    assert.equal((await env.call('demo', 'GET', '/images', { version: '2.36' })).status, 404, 'the proxy is gone at 2.36');
    const meta = await env.call('admin', 'POST', `/images/${env.imageId}/metadata`, { body: { metadata: { purpose: 'test' } } });
    assert.equal(meta.status, 200, meta.text);
    assert.equal(meta.body.metadata.purpose, 'test');
    assert.deepEqual((await env.call('admin', 'GET', `/images/${env.imageId}/metadata/purpose`)).body, { meta: { purpose: 'test' } });
    assert.equal((await env.call('admin', 'DELETE', `/images/${env.imageId}/metadata/purpose`)).status, 204);

    // `?server=` takes the server's link (as novaclient sends it) or its bare id.
    const boot = await env.call('demo', 'POST', '/servers', { version: '2.37', body: { server: { name: 'snapped', imageRef: env.imageId, flavorRef: '1', networks: 'none' } } });
    assert.equal(boot.status, 202, boot.text);
    const serverId = boot.body.server.id as string;
    await waitForStatus(env, 'demo', serverId, ['ACTIVE']);
    const snap = await env.call('demo', 'POST', `/servers/${serverId}/action`, { body: { createImage: { name: 'snap-of-snapped' } } });
    assert.equal(snap.status, 202, snap.text);
    for (const server of [`${env.gw}/v2.1/servers/${serverId}`, serverId]) {
      const byServer = await env.call('demo', 'GET', `/images?server=${encodeURIComponent(server)}`);
      assert.equal(byServer.status, 200, byServer.text);
      assert.deepEqual(
        byServer.body.images.map((i: { name: string }) => i.name),
        ['snap-of-snapped'],
        server,
      );
    }
  });
});
