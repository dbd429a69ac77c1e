import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startNovaEnv, waitForStatus, type NovaEnv } from './support.js';

/** Every per-server call of the gateway, as [method, path below the server, body, microversion]. */
const PER_SERVER: [string, string, unknown?, string?][] = [
  ['GET', ''],
  ['PUT', '', { server: { name: 'stolen' } }],
  ['DELETE', ''],
  ['POST', '/action', { 'os-stop': null }],
  ['POST', '/action', { 'os-start': null }],
  ['POST', '/action', { reboot: { type: 'HARD' } }],
  ['POST', '/action', { pause: null }],
  ['POST', '/action', { suspend: null }],
  ['POST', '/action', { shelve: null }],
  ['POST', '/action', { lock: null }],
  ['POST', '/action', { resize: { flavorRef: '2' } }],
  ['POST', '/action', { rebuild: { imageRef: '00000000-0000-4000-8000-000000000000' } }],
  ['POST', '/action', { createImage: { name: 'snap' } }],
  ['POST', '/action', { 'os-getConsoleOutput': {} }],
  ['POST', '/action', { forceDelete: null }],
  ['POST', '/action', { 'os-resetState': { state: 'error' } }],
  ['POST', '/action', { addSecurityGroup: { name: 'default' } }],
  ['GET', '/ips'],
  ['GET', '/ips/private'],
  ['GET', '/metadata'],
  ['POST', '/metadata', { metadata: { a: 'b' } }],
  ['PUT', '/metadata', { metadata: { a: 'b' } }],
  ['GET', '/metadata/a'],
  ['PUT', '/metadata/a', { meta: { a: 'b' } }],
  ['DELETE', '/metadata/a'],
  ['GET', '/tags', undefined, '2.26'],
  ['PUT', '/tags', { tags: ['x'] }, '2.26'],
  ['DELETE', '/tags', undefined, '2.26'],
  ['GET', '/tags/x', undefined, '2.26'],
  ['PUT', '/tags/x', undefined, '2.26'],
  ['DELETE', '/tags/x', undefined, '2.26'],
  ['GET', '/os-volume_attachments'],
  ['POST', '/os-volume_attachments', { volumeAttachment: { volumeId: '00000000-0000-4000-8000-000000000001' } }],
  ['GET', '/os-volume_attachments/00000000-0000-4000-8000-000000000001'],
  ['DELETE', '/os-volume_attachments/00000000-0000-4000-8000-000000000001'],
  ['GET', '/os-interface'],
  ['GET', '/os-interface/00000000-0000-4000-8000-000000000002'],
  ['POST', '/os-interface', { interfaceAttachment: { net_id: '00000000-0000-4000-8000-000000000003' } }],
  ['DELETE', '/os-interface/00000000-0000-4000-8000-000000000002'],
  ['GET', '/os-instance-actions'],
  ['GET', '/os-instance-actions/req-1'],
  ['GET', '/os-server-password'],
  ['DELETE', '/os-server-password'],
  ['GET', '/os-security-groups'],
  ['GET', '/diagnostics'],
  ['POST', '/remote-consoles', { remote_console: { protocol: 'vnc', type: 'novnc' } }, '2.6'],
  ['GET', '/migrations', undefined, '2.23'],
];

describe('Nova API gateway: project isolation', () => {
  let env: NovaEnv;
  let serverId: string;

  before(async () => {
    env = await startNovaEnv();
    const res = await env.call('admin', 'POST', '/servers', {
      version: '2.37',
      body: { server: { name: 'admins-server', imageRef: env.imageId, flavorRef: '1', networks: 'none', availability_zone: 'az1' } },
    });
    assert.equal(res.status, 202, res.text);
    serverId = res.body.server.id;
    await waitForStatus(env, 'admin', serverId, ['ACTIVE']);
  });
  after(async () => {
    await env?.close();
  });

  test("project B gets Nova's 404 on project A's server for every per-server call", async () => {
    for (const [method, sub, body, version] of PER_SERVER) {
      const res = await env.call('demo', method, `/servers/${serverId}${sub}`, { body, version });
      assert.equal(res.status, 404, `${method} /servers/{id}${sub}: ${res.status} ${res.text}`);
      assert.deepEqual(res.body, { itemNotFound: { message: `Instance ${serverId} could not be found.`, code: 404 } }, `${method} ${sub}`);
    }
    // Nothing happened to the server, and its route is intact.
    const shown = await env.call('admin', 'GET', `/servers/${serverId}`);
    assert.equal(shown.status, 200);
    assert.equal(shown.body.server.name, 'admins-server');
    assert.equal(shown.body.server.status, 'ACTIVE');
    assert.equal((await env.tc.core.routings.findByTop(serverId, 'server')).length, 1);
  });

  test('lists and markers do not reveal it either', async () => {
    const list = await env.call('demo', 'GET', '/servers/detail');
    assert.equal(list.status, 200);
    assert.ok(!list.body.servers.some((s: { id: string }) => s.id === serverId));
    const marker = await env.call('demo', 'GET', `/servers?marker=${serverId}`);
    assert.equal(marker.status, 400);
    assert.equal(marker.body.badRequest.message, `marker [${serverId}] not found`);
  });

  test("a project id in the URL must be the token's", async () => {
    const res = await env.call('demo', 'GET', `/${env.projects.admin}/servers/${serverId}`);
    assert.equal(res.status, 400);
    assert.match(res.body.badRequest.message, /Malformed request URL/);
    const own = await env.call('admin', 'GET', `/${env.projects.admin}/servers/${serverId}`);
    assert.equal(own.status, 200);
  });
});
