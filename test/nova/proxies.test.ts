import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startNovaEnv, type NovaEnv } from './support.js';

describe('Nova API gateway: proxy APIs over the top networking service (until 2.35)', () => {
  let env: NovaEnv;
  before(async () => {
    env = await startNovaEnv({ withNeutron: true, services: ['cinder-apigw'] });
  });
  after(async () => {
    await env?.close();
  });

  test('security groups and rules: Nova views of the top networking service', async () => {
    const created = await env.call('demo', 'POST', '/os-security-groups', { body: { security_group: { name: 'web', description: 'web tier' } } });
    assert.equal(created.status, 200, created.text);
    const sg = created.body.security_group;
    assert.equal(sg.name, 'web');
    assert.equal(sg.tenant_id, env.projects.demo);
    assert.deepEqual(sg.rules, []);
    const rule = await env.call('demo', 'POST', '/os-security-group-rules', {
      body: { security_group_rule: { parent_group_id: sg.id, ip_protocol: 'tcp', from_port: 22, to_port: 22, cidr: '10.0.0.0/8' } },
    });
    assert.equal(rule.status, 200, rule.text);
    assert.deepEqual(
      { ...rule.body.security_group_rule, id: undefined },
      { id: undefined, from_port: 22, to_port: 22, ip_protocol: 'tcp', ip_range: { cidr: '10.0.0.0/8' }, group: {}, parent_group_id: sg.id },
    );
    const shown = await env.call('demo', 'GET', `/os-security-groups/${sg.id}`);
    assert.equal(shown.body.security_group.rules.length, 1);
    const neutron = await fetch(`${env.tc.urls['neutron-api']}/v2.0/security-groups/${sg.id}`, { headers: { 'x-auth-token': env.tokens.demo } });
    assert.equal(neutron.status, 200, "the group is the networking service's own");
    const list = await env.call('demo', 'GET', '/os-security-groups');
    assert.ok(list.body.security_groups.some((g: { id: string }) => g.id === sg.id));
    const renamed = await env.call('demo', 'PUT', `/os-security-groups/${sg.id}`, { body: { security_group: { name: 'web2', description: 'd' } } });
    assert.equal(renamed.body.security_group.name, 'web2');
    assert.equal((await env.call('demo', 'DELETE', `/os-security-group-rules/${rule.body.security_group_rule.id}`)).status, 202);
    assert.equal((await env.call('demo', 'DELETE', `/os-security-groups/${sg.id}`)).status, 202);
    const gone = await env.call('demo', 'GET', `/os-security-groups/${sg.id}`);
    assert.equal(gone.status, 404);
    assert.equal(gone.body.itemNotFound.message, `Security group ${sg.id} not found.`);
    assert.equal((await env.call('demo', 'GET', '/os-security-groups', { version: '2.36' })).status, 404, '404 from 2.36 as upstream');
  });

  test('addFloatingIp / removeFloatingIp below 2.44 look the address up in the networking service', async () => {
    const s = await env.call('demo', 'POST', '/servers', { version: '2.37', body: { server: { name: 'fip', imageRef: env.imageId, flavorRef: '1', networks: 'none' } } });
    assert.equal(s.status, 202, s.text);
    const id = s.body.server.id;
    const add = await env.call('demo', 'POST', `/servers/${id}/action`, { version: '2.43', body: { addFloatingIp: { address: '203.0.113.77' } } });
    assert.equal(add.status, 404, add.text);
    assert.equal(add.body.itemNotFound.message, 'floating IP not found');
    const remove = await env.call('demo', 'POST', `/servers/${id}/action`, { version: '2.43', body: { removeFloatingIp: { address: '203.0.113.77' } } });
    assert.equal(remove.status, 404, remove.text);
    const unknownServer = await env.call('demo', 'POST', '/servers/00000000-0000-4000-8000-000000000000/action', {
      version: '2.43',
      body: { addFloatingIp: { address: '203.0.113.77' } },
    });
    assert.equal(unknownServer.status, 404);
    assert.match(unknownServer.body.itemNotFound.message, /^Instance .* could not be found\.$/);
  });

  test('networks, floating IP pools and floating IPs read through the networking service', async () => {
    const nets = await env.call('demo', 'GET', '/os-tenant-networks');
    assert.equal(nets.status, 200, nets.text);
    assert.ok(Array.isArray(nets.body.networks));
    const all = await env.call('admin', 'GET', '/os-networks');
    assert.equal(all.status, 200, all.text);
    const pools = await env.call('demo', 'GET', '/os-floating-ip-pools');
    assert.equal(pools.status, 200, pools.text);
    const fips = await env.call('demo', 'GET', '/os-floating-ips');
    assert.equal(fips.status, 200, fips.text);
    assert.deepEqual(fips.body.floating_ips, []);
    const missing = await env.call('demo', 'GET', '/os-floating-ips/00000000-0000-4000-8000-000000000000');
    assert.equal(missing.status, 404);
    assert.equal((await env.call('demo', 'GET', '/os-networks', { version: '2.36' })).status, 404);
  });

  test('volumes and snapshots through the Block Storage gateway, in Nova views', async () => {
    // The volume endpoint was added to the catalog after the gateways started: wait until it is read.
    let created = await env.call('demo', 'POST', '/os-volumes', { body: { volume: { size: 1, display_name: 'v1', availability_zone: 'az1' } } });
    for (let i = 0; i < 40 && created.status === 503; i++) {
      env.tc.core.identity.endpoints.forget();
      await new Promise((r) => setTimeout(r, 100));
      created = await env.call('demo', 'POST', '/os-volumes', { body: { volume: { size: 1, display_name: 'v1', availability_zone: 'az1' } } });
    }
    assert.equal(created.status, 200, created.text);
    const v = created.body.volume;
    assert.equal(v.displayName, 'v1');
    assert.equal(v.size, 1);
    assert.equal(v.availabilityZone, 'az1');
    assert.deepEqual(v.attachments, [{}]);
    let shown;
    for (let i = 0; i < 100; i++) {
      shown = await env.call('demo', 'GET', `/os-volumes/${v.id}`);
      if (shown.body.volume?.status === 'available') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(shown!.body.volume.status, 'available', shown!.text);
    const list = await env.call('demo', 'GET', '/os-volumes/detail');
    assert.ok(list.body.volumes.some((x: { id: string }) => x.id === v.id));
    const snap = await env.call('demo', 'POST', '/os-snapshots', { body: { snapshot: { volume_id: v.id, display_name: 's1' } } });
    assert.equal(snap.status, 200, snap.text);
    assert.equal(snap.body.snapshot.volumeId, v.id);
    assert.equal(snap.body.snapshot.displayName, 's1');
    const snaps = await env.call('demo', 'GET', '/os-snapshots/detail');
    assert.ok(snaps.body.snapshots.some((x: { id: string }) => x.id === snap.body.snapshot.id));
    assert.equal((await env.call('demo', 'GET', `/os-snapshots/${snap.body.snapshot.id}`)).body.snapshot.id, snap.body.snapshot.id);
    const missing = await env.call('demo', 'GET', '/os-volumes/00000000-0000-4000-8000-000000000000');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.itemNotFound.message, 'Volume 00000000-0000-4000-8000-000000000000 could not be found.');
    assert.equal((await env.call('demo', 'GET', '/os-volumes', { version: '2.36' })).status, 404);
  });
});
