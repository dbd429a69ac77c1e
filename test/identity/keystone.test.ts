import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { createKeystoneSim, startKeystoneSim } from '../../sim/keystone/index.js';
import { IdentityUnavailableError, KeystoneTokenValidator, ServiceAuth, UnauthorizedError, createAuthenticator, withRequestIds } from '../../src/identity/index.js';
import { countRequests, issueToken, revokeToken, sleep } from './support.js';

type Sim = Awaited<ReturnType<typeof startKeystoneSim>>;

const isTokenValidation = (method: string, url: string) => method === 'GET' && url.startsWith('/v3/auth/tokens');
const isTokenIssue = (method: string, url: string) => method === 'POST' && url.startsWith('/v3/auth/tokens');

const adminAccount = (url: string) => ({ authUrl: url, username: 'admin', password: 'password', projectName: 'admin' });

describe('KeystoneTokenValidator against the simulated Keystone', () => {
  let sim: Sim;
  let serviceAuth: ServiceAuth;
  let validator: KeystoneTokenValidator;

  before(async () => {
    sim = await startKeystoneSim();
    serviceAuth = new ServiceAuth(adminAccount(sim.url));
    validator = new KeystoneTokenValidator({ authUrl: `${sim.url}/v3`, serviceAuth });
  });
  after(async () => {
    await validator.close();
    await serviceAuth.close();
    await sim.close();
  });

  test('a valid token gives the user, project and roles', async () => {
    const token = await issueToken(sim.url, { user: 'demo', project: 'demo' });
    const info = await validator.validate(token);
    assert.equal(info.userName, 'demo');
    assert.equal(info.projectName, 'demo');
    assert.equal(info.projectId, sim.keystone.projectIdByName('demo'));
    assert.equal(info.domainId, 'default');
    assert.equal(info.projectDomainId, 'default');
    assert.ok(info.roles.includes('member'));
    assert.ok(!info.roles.includes('admin'));
    assert.ok(info.userId.length > 0);
    assert.ok(info.expiresAt.getTime() > Date.now());
  });

  test('an admin token carries the admin role', async () => {
    const token = await issueToken(sim.url, { user: 'admin', project: 'demo' });
    const info = await validator.validate(token);
    assert.equal(info.userName, 'admin');
    assert.equal(info.projectName, 'demo');
    assert.ok(info.roles.includes('admin'));
  });

  test('an unknown token is refused with 401, and the refusal is remembered briefly', async () => {
    const calls = countRequests(sim.keystone.app.server, isTokenValidation);
    const bogus = 'gAAAAABnot-a-real-token';
    for (let i = 0; i < 3; i++) {
      await assert.rejects(validator.validate(bogus), (err: unknown) => err instanceof UnauthorizedError && err.status === 401);
    }
    calls.stop();
    assert.equal(calls.count, 1);
  });

  test('an empty token is refused without asking Keystone', async () => {
    await assert.rejects(validator.validate(''), UnauthorizedError);
  });

  test('a revoked token is refused', async () => {
    const admin = await issueToken(sim.url, { user: 'admin', project: 'admin' });
    const token = await issueToken(sim.url, { user: 'demo', project: 'demo' });
    await revokeToken(sim.url, admin, token);
    await assert.rejects(validator.validate(token), UnauthorizedError);
  });

  test('an unscoped token is refused', async () => {
    const token = await issueToken(sim.url, { user: 'demo' });
    await assert.rejects(validator.validate(token), (err: unknown) => err instanceof UnauthorizedError && /project-scoped/.test(err.message));
  });

  test('a second validation is served from the cache', async () => {
    const token = await issueToken(sim.url, { user: 'demo', project: 'demo' });
    const calls = countRequests(sim.keystone.app.server, isTokenValidation);
    const first = await validator.validate(token);
    const second = await validator.validate(token);
    calls.stop();
    assert.equal(calls.count, 1);
    assert.deepEqual(second, first);
  });

  test('concurrent validations of one token share one Keystone call', async () => {
    const token = await issueToken(sim.url, { user: 'admin', project: 'admin' });
    const calls = countRequests(sim.keystone.app.server, isTokenValidation);
    const results = await Promise.all(Array.from({ length: 8 }, () => validator.validate(token)));
    calls.stop();
    assert.equal(calls.count, 1);
    for (const r of results) assert.equal(r.userName, 'admin');
  });

  test('a refused service token is renewed once and the validation retried', async () => {
    const { token: serviceToken } = await serviceAuth.getToken();
    const admin = await issueToken(sim.url, { user: 'admin', project: 'admin' });
    await revokeToken(sim.url, admin, serviceToken);
    const user = await issueToken(sim.url, { user: 'demo', project: 'demo' });
    const info = await validator.validate(user);
    assert.equal(info.userName, 'demo');
    assert.notEqual((await serviceAuth.getToken()).token, serviceToken);
  });

  test('the cache never holds the raw token', async () => {
    const token = await issueToken(sim.url, { user: 'demo', project: 'demo' });
    await validator.validate(token);
    assert.ok(!inspect(validator, { depth: 10, showHidden: true }).includes(token));
  });

  test('without a service account, tokens validate themselves', async () => {
    const selfValidating = new KeystoneTokenValidator({ authUrl: sim.url });
    try {
      const token = await issueToken(sim.url, { user: 'demo', project: 'demo' });
      assert.equal((await selfValidating.validate(token)).userName, 'demo');
      await assert.rejects(selfValidating.validate('nonsense'), UnauthorizedError);
    } finally {
      await selfValidating.close();
    }
  });

  test('with cacheSeconds 0 every validation asks Keystone', async () => {
    const uncached = new KeystoneTokenValidator({ authUrl: sim.url, serviceAuth, cacheSeconds: 0 });
    try {
      const token = await issueToken(sim.url, { user: 'demo', project: 'demo' });
      const calls = countRequests(sim.keystone.app.server, isTokenValidation);
      await uncached.validate(token);
      await uncached.validate(token);
      calls.stop();
      assert.equal(calls.count, 2);
    } finally {
      await uncached.close();
    }
  });

  test('a small cache evicts the least recently used token', async () => {
    const small = new KeystoneTokenValidator({ authUrl: sim.url, serviceAuth, cacheSize: 2 });
    try {
      const [a, b, c] = await Promise.all([1, 2, 3].map(() => issueToken(sim.url, { user: 'demo', project: 'demo' })));
      await small.validate(a);
      await small.validate(b);
      await small.validate(a); // a is now the most recently used
      await small.validate(c); // evicts b
      const calls = countRequests(sim.keystone.app.server, isTokenValidation);
      await small.validate(a);
      await small.validate(c);
      assert.equal(calls.count, 0);
      await small.validate(b);
      calls.stop();
      assert.equal(calls.count, 1);
    } finally {
      await small.close();
    }
  });
});

describe('token expiry', () => {
  let sim: Sim;
  before(async () => {
    sim = await startKeystoneSim({ tokenTtlSeconds: 1 });
  });
  after(async () => {
    await sim.close();
  });

  test('a cached token is refused once it has expired', async () => {
    const validator = new KeystoneTokenValidator({ authUrl: sim.url, cacheSeconds: 300 });
    try {
      const token = await issueToken(sim.url, { user: 'demo', project: 'demo' });
      assert.equal((await validator.validate(token)).userName, 'demo');
      await sleep(1100);
      await assert.rejects(validator.validate(token), (err: unknown) => err instanceof UnauthorizedError && err.status === 401);
    } finally {
      await validator.close();
    }
  });
});

describe('Keystone failures', () => {
  test('an unreachable Keystone is a 503, not a 500 or a 401', async () => {
    const sim = await startKeystoneSim();
    const url = sim.url;
    await sim.close();
    const validator = new KeystoneTokenValidator({ authUrl: url, timeoutMs: 2000 });
    try {
      await assert.rejects(validator.validate('some-token'), (err: unknown) => {
        assert.ok(err instanceof IdentityUnavailableError);
        assert.equal(err.status, 503);
        assert.ok(!err.message.includes('some-token'));
        return true;
      });
    } finally {
      await validator.close();
    }
  });

  test('Keystone errors and timeouts are 503s, and are not cached', async () => {
    let url = '';
    const faults = { latencyMs: 0, errorRate: 0, down: false, hangMs: 0, createAnswerDelayMs: 0 };
    const keystone = createKeystoneSim({ publicUrl: () => url, faults });
    await keystone.app.listen({ host: '127.0.0.1', port: 0 });
    url = `http://127.0.0.1:${(keystone.app.server.address() as { port: number }).port}`;
    const validator = new KeystoneTokenValidator({ authUrl: url, timeoutMs: 300 });
    try {
      const token = await issueToken(url, { user: 'demo', project: 'demo' });
      faults.errorRate = 1;
      await assert.rejects(validator.validate(token), (err: unknown) => err instanceof IdentityUnavailableError && /HTTP 500/.test(err.message));
      faults.errorRate = 0;
      faults.hangMs = 1000;
      await assert.rejects(validator.validate(token), (err: unknown) => err instanceof IdentityUnavailableError && /timed out/.test(err.message));
      faults.hangMs = 0;
      assert.equal((await validator.validate(token)).userName, 'demo');
    } finally {
      await validator.close();
      await keystone.app.close();
    }
  });

  test('a service account that may not validate tokens is a 503 naming the problem', async () => {
    const sim = await startKeystoneSim();
    const demoAccount = new ServiceAuth({ authUrl: sim.url, username: 'demo', password: 'password', projectName: 'demo' });
    const validator = new KeystoneTokenValidator({ authUrl: sim.url, serviceAuth: demoAccount });
    try {
      const token = await issueToken(sim.url, { user: 'admin', project: 'admin' });
      await assert.rejects(validator.validate(token), (err: unknown) => err instanceof IdentityUnavailableError && /403/.test(err.message));
    } finally {
      await validator.close();
      await demoAccount.close();
      await sim.close();
    }
  });
});

describe('ServiceAuth', () => {
  let sim: Sim;
  before(async () => {
    sim = await startKeystoneSim({ tokenTtlSeconds: 2 });
  });
  after(async () => {
    await sim.close();
  });

  test('the service token is cached, shared by concurrent callers and renewed before expiry', async () => {
    const auth = new ServiceAuth({ ...adminAccount(sim.url), refreshMarginSeconds: 60 });
    try {
      const calls = countRequests(sim.keystone.app.server, isTokenIssue);
      const [a, b, c] = await Promise.all([auth.getToken(), auth.getToken(), auth.getToken()]);
      assert.equal(calls.count, 1);
      assert.equal(a.token, b.token);
      assert.equal(b.token, c.token);
      assert.equal(a.projectId, sim.keystone.projectIdByName('admin'));
      assert.ok(
        a.catalog.some((entry) => entry.type === 'identity'),
        'the catalog comes with the token',
      );
      assert.ok(a.expiresAt.getTime() > Date.now());

      await sleep(1000);
      assert.equal((await auth.getToken()).token, a.token, 'still well before expiry');
      assert.equal(calls.count, 1);

      // Margin: min(60 s, a tenth of the 2 s lifetime) = 0.2 s, so at 1.85 s a new token is fetched.
      await sleep(850);
      const renewed = await auth.getToken();
      calls.stop();
      assert.notEqual(renewed.token, a.token);
      assert.equal(calls.count, 2);
      assert.ok(renewed.expiresAt.getTime() > a.expiresAt.getTime());
    } finally {
      await auth.close();
    }
  });

  test('invalidate forces a new token; invalidating a stale token keeps the current one', async () => {
    const auth = new ServiceAuth(adminAccount(sim.url));
    try {
      const first = await auth.getToken();
      auth.invalidate(first.token);
      const second = await auth.getToken();
      assert.notEqual(second.token, first.token);
      auth.invalidate(first.token);
      assert.equal((await auth.getToken()).token, second.token);
      auth.invalidate();
      assert.notEqual((await auth.getToken()).token, second.token);
    } finally {
      await auth.close();
    }
  });

  test('wrong credentials are a 503 that names the account but not the password', async () => {
    const auth = new ServiceAuth({ ...adminAccount(sim.url), password: 'wrong-secret' });
    try {
      await assert.rejects(auth.getToken(), (err: unknown) => {
        assert.ok(err instanceof IdentityUnavailableError);
        assert.equal(err.status, 503);
        assert.match(err.message, /admin/);
        assert.ok(!err.message.includes('wrong-secret'));
        return true;
      });
    } finally {
      await auth.close();
    }
  });

  test('a failed early renewal keeps using the still-valid token', async () => {
    const own = await startKeystoneSim({ tokenTtlSeconds: 2 });
    const auth = new ServiceAuth({ ...adminAccount(own.url), timeoutMs: 500 });
    try {
      const first = await auth.getToken();
      await own.close();
      await sleep(1850);
      assert.equal((await auth.getToken()).token, first.token);
      await sleep(300);
      await assert.rejects(auth.getToken(), IdentityUnavailableError);
    } finally {
      await auth.close();
    }
  });
});

describe('createAuthenticator', () => {
  let sim: Sim;
  let serviceAuth: ServiceAuth;
  let validator: KeystoneTokenValidator;
  before(async () => {
    sim = await startKeystoneSim();
    serviceAuth = new ServiceAuth(adminAccount(sim.url));
    validator = new KeystoneTokenValidator({ authUrl: sim.url, serviceAuth });
  });
  after(async () => {
    await validator.close();
    await serviceAuth.close();
    await sim.close();
  });

  test('keystone: headers to a RequestContext', async () => {
    const authenticate = createAuthenticator({ strategy: 'keystone', validator });
    const token = await issueToken(sim.url, { user: 'admin', project: 'admin' });
    const globalId = 'req-0f0e0d0c-0b0a-4908-8706-050403020100';
    const ctx = await authenticate({ 'x-auth-token': token, 'x-openstack-request-id': globalId }, { requestId: 'req-local' });
    assert.equal(ctx.userName, 'admin');
    assert.equal(ctx.projectName, 'admin');
    assert.equal(ctx.projectId, sim.keystone.projectIdByName('admin'));
    assert.equal(ctx.isAdmin, true);
    assert.equal(ctx.authToken, token);
    assert.equal(ctx.requestId, 'req-local');
    assert.equal(ctx.globalRequestId, globalId);
    assert.ok(ctx.expiresAt instanceof Date);
  });

  test('the token never shows in JSON, inspect or keys', async () => {
    const authenticate = createAuthenticator({ strategy: 'keystone', validator });
    const token = await issueToken(sim.url, { user: 'demo', project: 'demo' });
    const ctx = await authenticate({ 'x-auth-token': token });
    assert.equal(ctx.isAdmin, false);
    assert.ok(ctx.roles.includes('member'));
    assert.match(ctx.requestId, /^req-[0-9a-f-]{36}$/);
    assert.equal(ctx.globalRequestId, undefined);
    assert.ok(!JSON.stringify(ctx).includes(token));
    assert.ok(!inspect(ctx, { depth: 5 }).includes(token));
    assert.ok(!Object.keys(ctx).includes('authToken'));
    assert.ok(Object.isFrozen(ctx));
    const copy = withRequestIds(ctx, { requestId: 'req-other' });
    assert.equal(copy.authToken, token);
    assert.equal(copy.requestId, 'req-other');
  });

  test('a malformed global request id is ignored', async () => {
    const authenticate = createAuthenticator({ strategy: 'keystone', validator });
    const token = await issueToken(sim.url, { user: 'demo', project: 'demo' });
    const ctx = await authenticate({ 'x-auth-token': token, 'x-openstack-request-id': 'evil\nvalue' });
    assert.equal(ctx.globalRequestId, undefined);
  });

  test('a missing or empty X-Auth-Token is a 401', async () => {
    const authenticate = createAuthenticator({ strategy: 'keystone', validator });
    await assert.rejects(authenticate({}), (err: unknown) => err instanceof UnauthorizedError && err.status === 401);
    await assert.rejects(authenticate({ 'x-auth-token': '  ' }), UnauthorizedError);
  });

  test('a bad token is a 401', async () => {
    const authenticate = createAuthenticator({ strategy: 'keystone', validator });
    await assert.rejects(authenticate({ 'x-auth-token': 'bad' }), UnauthorizedError);
  });

  test('header names are matched case-insensitively and arrays use their first value', async () => {
    const authenticate = createAuthenticator({ strategy: 'keystone', validator });
    const token = await issueToken(sim.url, { user: 'demo', project: 'demo' });
    assert.equal((await authenticate({ 'X-Auth-Token': token })).userName, 'demo');
    assert.equal((await authenticate({ 'x-auth-token': [token, 'other'] })).userName, 'demo');
  });

  test('keystone strategy needs a validator', () => {
    assert.throws(() => createAuthenticator({ strategy: 'keystone' }), TypeError);
  });
});
