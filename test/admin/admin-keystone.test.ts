import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startKeystoneSim } from '../../sim/keystone/index.js';
import { createScratchDatabase, type ScratchDatabase } from '../support/databases.js';
import { http } from '../support/http.js';
import { startTestTricircle } from '../support/tricircle.js';
import { issueToken } from '../identity/support.js';
import type { RunningTricircle } from '../../src/server.js';

describe('Admin API with Keystone authentication', () => {
  let keystone: Awaited<ReturnType<typeof startKeystoneSim>>;
  let scratch: ScratchDatabase;
  let tc: RunningTricircle;
  let base: string;

  before(async () => {
    keystone = await startKeystoneSim({ tokenTtlSeconds: 2 });
    scratch = await createScratchDatabase('sqlite');
    tc = await startTestTricircle({ databaseUrl: scratch.url, authStrategy: 'keystone', keystoneUrl: keystone.url, only: ['admin-api'] });
    base = tc.urls['admin-api']!;
  });
  after(async () => {
    await tc?.close();
    await keystone?.close();
    await scratch?.drop();
  });

  test('version documents need no token', async () => {
    assert.equal((await http('GET', `${base}/`)).status, 200);
    assert.equal((await http('GET', `${base}/v1.0`)).status, 200);
  });

  test('no token or an invalid token is 401 with an unauthorized body', async () => {
    const none = await http('GET', `${base}/v1.0/pods`);
    assert.equal(none.status, 401);
    assert.equal(none.body.unauthorized.code, 401);
    const bad = await http('GET', `${base}/v1.0/pods`, { token: 'not-a-token' });
    assert.equal(bad.status, 401);
  });

  test('an admin token works; a member token is 403', async () => {
    const admin = await issueToken(keystone.url, { user: 'admin', project: 'admin' });
    const created = await http('POST', `${base}/v1.0/pods`, { token: admin, body: { pod: { region_name: 'RegionOne' } } });
    assert.equal(created.status, 200);
    const member = await issueToken(keystone.url, { user: 'demo', project: 'demo' });
    const denied = await http('GET', `${base}/v1.0/pods`, { token: member });
    assert.equal(denied.status, 403);
    assert.match(denied.body.forbidden.message, /admin_api:pods:list/);
  });

  test('an expired token is refused even though it was cached', async () => {
    const admin = await issueToken(keystone.url, { user: 'admin', project: 'admin' });
    assert.equal((await http('GET', `${base}/v1.0/pods`, { token: admin })).status, 200);
    await new Promise((r) => setTimeout(r, 2300));
    assert.equal((await http('GET', `${base}/v1.0/pods`, { token: admin })).status, 401);
  });
});
