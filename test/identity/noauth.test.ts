import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createAuthenticator, createRequestContext, noauthWarning } from '../../src/identity/index.js';
import { PolicyEnforcer } from '../../src/policy/index.js';

describe('noauth', () => {
  const authenticate = createAuthenticator({ strategy: 'noauth' });

  test('no headers: admin in project admin with role admin', async () => {
    const ctx = await authenticate({});
    assert.equal(ctx.userId, 'admin');
    assert.equal(ctx.projectId, 'admin');
    assert.deepEqual(ctx.roles, ['admin']);
    assert.equal(ctx.isAdmin, true);
    assert.equal(ctx.authToken, 'admin:admin');
  });

  test('X-Auth-Token user:project, as Nova noauth2', async () => {
    const ctx = await authenticate({ 'x-auth-token': 'alice:proj-a' });
    assert.equal(ctx.userId, 'alice');
    assert.equal(ctx.projectId, 'proj-a');
    assert.deepEqual(ctx.roles, ['member']);
    assert.equal(ctx.isAdmin, false);
    assert.equal(ctx.authToken, 'alice:proj-a');
    const admin = await authenticate({ 'x-auth-token': 'admin:proj-a' });
    assert.equal(admin.isAdmin, true);
    assert.equal(admin.projectId, 'proj-a');
  });

  test('user: alone means the project of the same name', async () => {
    const ctx = await authenticate({ 'x-auth-token': 'bob:' });
    assert.equal(ctx.projectId, 'bob');
  });

  test('X-User-Id / X-Project-Id / X-Roles headers', async () => {
    const ctx = await authenticate({ 'x-user-id': 'u1', 'x-project-id': 'p1', 'x-roles': 'reader, Admin' });
    assert.equal(ctx.userId, 'u1');
    assert.equal(ctx.projectId, 'p1');
    assert.deepEqual(ctx.roles, ['reader', 'Admin']);
    assert.equal(ctx.isAdmin, true, 'admin role in any case');
  });

  test('X-Roles also applies to a user:project token', async () => {
    const ctx = await authenticate({ 'x-auth-token': 'admin:p', 'x-roles': 'member' });
    assert.equal(ctx.isAdmin, false);
  });

  test('a token without a colon falls back to the headers', async () => {
    const ctx = await authenticate({ 'x-auth-token': 'opaque', 'x-project-id': 'p7' });
    assert.equal(ctx.userId, 'admin');
    assert.equal(ctx.projectId, 'p7');
    assert.equal(ctx.authToken, 'opaque');
  });

  test('request ids', async () => {
    const ctx = await authenticate({}, { requestId: 'req-1', globalRequestId: 'req-2' });
    assert.equal(ctx.requestId, 'req-1');
    assert.equal(ctx.globalRequestId, 'req-2');
  });

  test('the start-up warning is loud and clear', () => {
    const text = noauthWarning('nova-apigw');
    assert.match(text, /nova-apigw/);
    assert.match(text, /noauth/);
    assert.match(text, /NOT validated/);
    assert.match(text, /development and tests only/);
  });

  test('noauth contexts work with the policy engine', async () => {
    const policy = new PolicyEnforcer();
    assert.equal(policy.enforce('admin_api:pods:create', {}, await authenticate({})), true);
    assert.equal(policy.enforce('admin_api:pods:create', {}, await authenticate({ 'x-auth-token': 'eve:p' })), false);
  });
});

describe('createRequestContext', () => {
  test('isAdmin follows the roles, ignoring case (not the original exact X-Role match)', () => {
    const base = { userId: 'u', projectId: 'p', authToken: 't', requestId: 'r' };
    assert.equal(createRequestContext({ ...base, roles: ['ADMIN'] }).isAdmin, true);
    assert.equal(createRequestContext({ ...base, roles: ['member', 'admin'] }).isAdmin, true);
    assert.equal(createRequestContext({ ...base, roles: ['member'] }).isAdmin, false);
    assert.equal(createRequestContext({ ...base, roles: ['administrator'] }).isAdmin, false);
  });

  test('the token is hidden from serialisation but readable', () => {
    const ctx = createRequestContext({ userId: 'u', projectId: 'p', roles: [], authToken: 'secret-token', requestId: 'r' });
    assert.equal(ctx.authToken, 'secret-token');
    assert.ok(!JSON.stringify(ctx).includes('secret-token'));
    assert.ok(!JSON.stringify({ ctx }).includes('secret-token'));
    assert.equal(ctx.userName, '');
    assert.throws(() => {
      (ctx as { userId: string }).userId = 'other';
    }, TypeError);
  });
});
