import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startKeystoneSim, type SimKeystone } from '../../sim/keystone/index.js';
import { assertSampleShape } from '../support/shapes.js';

type Json = Record<string, any>;

interface Reply {
  status: number;
  headers: Headers;
  body: Json;
  text: string;
}

function client(base: () => string) {
  return async (method: string, path: string, opts: { token?: string; subject?: string; body?: unknown } = {}): Promise<Reply> => {
    const headers: Record<string, string> = {};
    if (opts.token) headers['x-auth-token'] = opts.token;
    if (opts.subject) headers['x-subject-token'] = opts.subject;
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(base() + path, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, body: text ? JSON.parse(text) : {} };
  };
}

function passwordAuth(user: string, scope?: unknown, password = 'password'): unknown {
  return {
    auth: {
      identity: { methods: ['password'], password: { user: { name: user, domain: { name: 'Default' }, password } } },
      ...(scope !== undefined && { scope }),
    },
  };
}

const projectScope = (name: string) => ({ project: { name, domain: { id: 'default' } } });

function assertKeystoneError(r: Reply, code: number, title: string): void {
  assert.equal(r.status, code, r.text);
  assert.equal(r.body.error.code, code);
  assert.equal(r.body.error.title, title);
  assert.equal(typeof r.body.error.message, 'string');
}

const ISO_MICRO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;
const HEX_ID = /^[0-9a-f]{32}$/;

describe('keystone sim', () => {
  let url = '';
  let keystone: SimKeystone;
  let close: () => Promise<void>;
  const call = client(() => url);
  let adminToken = '';
  let demoToken = '';

  const issue = async (body: unknown, query = '') => {
    const r = await call('POST', `/v3/auth/tokens${query}`, { body });
    assert.equal(r.status, 201, r.text);
    return { token: r.headers.get('x-subject-token')!, r };
  };

  before(async () => {
    const started = await startKeystoneSim();
    url = started.url;
    keystone = started.keystone;
    close = started.close;
    keystone.addEndpoint({ region: 'Pod1', serviceType: 'compute', serviceName: 'nova', interface: 'public', url: 'http://127.0.0.1:1/v2.1' });
    keystone.addEndpoint({ region: 'Pod1', serviceType: 'volumev3', serviceName: 'cinderv3', interface: 'public', url: 'http://127.0.0.1:2/v3/$(project_id)s' });
    adminToken = (await issue(passwordAuth('admin', projectScope('admin')))).token;
    demoToken = (await issue(passwordAuth('demo', projectScope('demo')))).token;
  });
  after(() => close());

  describe('version discovery', () => {
    test('GET / answers 300 with versions.values', async () => {
      const r = await call('GET', '/');
      assert.equal(r.status, 300);
      const v = r.body.versions.values[0];
      assert.equal(v.id, 'v3.14');
      assert.equal(v.status, 'stable');
      assert.equal(v.links[0].href, `${url}/v3/`);
      assert.equal(v['media-types'][0].type, 'application/vnd.openstack.identity-v3+json');
    });
    test('GET /v3 answers 200 with the version', async () => {
      for (const path of ['/v3', '/v3/']) {
        const r = await call('GET', path);
        assert.equal(r.status, 200);
        assert.equal(r.body.version.id, 'v3.14');
        assert.ok(r.headers.get('x-openstack-request-id')?.startsWith('req-'));
      }
    });
  });

  describe('POST /v3/auth/tokens', () => {
    test('password, project scoped by name: 201, X-Subject-Token, sample shape, catalog', async () => {
      const { token, r } = await issue(passwordAuth('admin', projectScope('admin')));
      assert.ok(token.length > 100);
      assert.equal(r.headers.get('vary'), 'X-Auth-Token');
      assertSampleShape(r.body, 'keystone', 'auth-password-project-scoped-response.json');
      const t = r.body.token;
      assert.deepEqual(t.methods, ['password']);
      assert.equal(t.project.name, 'admin');
      assert.deepEqual(t.project.domain, { id: 'default', name: 'Default' });
      assert.match(t.project.id, HEX_ID);
      assert.match(t.user.id, HEX_ID);
      assert.equal(t.user.name, 'admin');
      assert.equal(t.is_domain, false);
      assert.deepEqual(t.roles.map((x: Json) => x.name).sort(), ['admin', 'member', 'reader']);
      assert.match(t.expires_at, ISO_MICRO);
      assert.match(t.issued_at, ISO_MICRO);
      const ttl = Date.parse(t.expires_at) - Date.parse(t.issued_at);
      assert.ok(Math.abs(ttl - 3600_000) < 1000);
      assert.equal(t.audit_ids.length, 1);
      const identity = t.catalog.find((s: Json) => s.type === 'identity');
      assert.equal(identity.name, 'keystone');
      assert.deepEqual(Object.keys(identity.endpoints[0]).sort(), ['id', 'interface', 'region', 'region_id', 'url']);
      assert.equal(identity.endpoints.find((e: Json) => e.interface === 'public').url, `${url}/v3`);
      const volume = t.catalog.find((s: Json) => s.type === 'volumev3');
      assert.equal(volume.endpoints[0].url, `http://127.0.0.1:2/v3/${t.project.id}`);
      assert.equal(volume.endpoints[0].region, 'Pod1');
    });

    test('password by user id and project by id', async () => {
      const first = (await issue(passwordAuth('demo', projectScope('demo')))).r.body.token;
      const { r } = await issue({
        auth: {
          identity: { methods: ['password'], password: { user: { id: first.user.id, password: 'password' } } },
          scope: { project: { id: first.project.id } },
        },
      });
      assert.equal(r.body.token.project.id, first.project.id);
      assert.deepEqual(r.body.token.roles.map((x: Json) => x.name).sort(), ['member', 'reader']);
    });

    test('?nocatalog leaves the catalog out', async () => {
      const { r } = await issue(passwordAuth('admin', projectScope('demo')), '?nocatalog');
      assert.equal(r.body.token.catalog, undefined);
      assert.equal(r.body.token.project.name, 'demo');
    });

    test('unscoped token: no roles, no catalog', async () => {
      const { r } = await issue(passwordAuth('admin'));
      assertSampleShape(r.body, 'keystone', 'auth-password-unscoped-response.json');
      assert.equal(r.body.token.roles, undefined);
      assert.equal(r.body.token.catalog, undefined);
      assert.equal(r.body.token.project, undefined);
    });

    test('domain-scoped token', async () => {
      const { r } = await issue(passwordAuth('admin', { domain: { id: 'default' } }));
      assert.deepEqual(r.body.token.domain, { id: 'default', name: 'Default' });
      assert.ok(r.body.token.roles.some((x: Json) => x.name === 'admin'));
      // Endpoints that need a project id are left out of a domain-scoped catalog.
      assert.equal(
        r.body.token.catalog.find((s: Json) => s.type === 'volumev3'),
        undefined,
      );
      assert.ok(r.body.token.catalog.find((s: Json) => s.type === 'compute'));
    });

    test('token method rescopes an unscoped token, keeping expiry and audit chain', async () => {
      const unscoped = await issue(passwordAuth('demo'));
      const { token, r } = await issue({
        auth: { identity: { methods: ['token'], token: { id: unscoped.token } }, scope: projectScope('demo') },
      });
      assert.notEqual(token, unscoped.token);
      assertSampleShape(r.body, 'keystone', 'auth-token-scoped-response.json');
      assert.deepEqual(r.body.token.methods, ['token']);
      assert.equal(r.body.token.expires_at, unscoped.r.body.token.expires_at);
      assert.deepEqual(r.body.token.audit_ids[1], unscoped.r.body.token.audit_ids[0]);
      const again = await issue({ auth: { identity: { methods: ['token'], token: { id: token } } } });
      assertSampleShape(again.r.body, 'keystone', 'auth-token-unscoped-response.json');
    });

    test('wrong password, unknown user, project without role, unknown project: 401', async () => {
      assertKeystoneError(await call('POST', '/v3/auth/tokens', { body: passwordAuth('admin', projectScope('admin'), 'nope') }), 401, 'Unauthorized');
      assertKeystoneError(await call('POST', '/v3/auth/tokens', { body: passwordAuth('ghost') }), 401, 'Unauthorized');
      assertKeystoneError(await call('POST', '/v3/auth/tokens', { body: passwordAuth('demo', projectScope('admin')) }), 401, 'Unauthorized');
      assertKeystoneError(await call('POST', '/v3/auth/tokens', { body: passwordAuth('admin', projectScope('nothing')) }), 401, 'Unauthorized');
      assertKeystoneError(await call('POST', '/v3/auth/tokens', { body: { auth: { identity: { methods: ['token'], token: { id: 'bogus' } } } } }), 401, 'Unauthorized');
    });

    test('malformed bodies: 400', async () => {
      assertKeystoneError(await call('POST', '/v3/auth/tokens', { body: {} }), 400, 'Bad Request');
      assertKeystoneError(await call('POST', '/v3/auth/tokens', { body: { auth: { identity: { methods: [] } } } }), 400, 'Bad Request');
      const res = await fetch(`${url}/v3/auth/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"auth":' });
      assert.equal(res.status, 400);
      assert.equal(((await res.json()) as Json).error.code, 400);
    });
  });

  describe('GET/HEAD/DELETE /v3/auth/tokens', () => {
    test('validate: 200 with body and X-Subject-Token; ?nocatalog', async () => {
      const r = await call('GET', '/v3/auth/tokens', { token: adminToken, subject: demoToken });
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('x-subject-token'), demoToken);
      assertSampleShape(r.body, 'keystone', 'auth-password-project-scoped-response.json');
      assert.equal(r.body.token.user.name, 'demo');
      const n = await call('GET', '/v3/auth/tokens?nocatalog', { token: adminToken, subject: demoToken });
      assert.equal(n.body.token.catalog, undefined);
    });
    test('HEAD: 200 without body', async () => {
      const res = await fetch(`${url}/v3/auth/tokens`, { method: 'HEAD', headers: { 'x-auth-token': adminToken, 'x-subject-token': demoToken } });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('x-subject-token'), demoToken);
      assert.equal(await res.text(), '');
    });
    test('invalid subject: 404 keystone error; invalid caller: 401', async () => {
      const r = await call('GET', '/v3/auth/tokens', { token: adminToken, subject: 'gAAAAABnope' });
      assertKeystoneError(r, 404, 'Not Found');
      const u = await call('GET', '/v3/auth/tokens', { token: 'bad', subject: demoToken });
      assertKeystoneError(u, 401, 'Unauthorized');
      assert.match(u.headers.get('www-authenticate') ?? '', /^Keystone uri=/);
      assertKeystoneError(await call('GET', '/v3/auth/tokens', { subject: demoToken }), 401, 'Unauthorized');
    });
    test('a non-admin may validate only its own tokens', async () => {
      assert.equal((await call('GET', '/v3/auth/tokens', { token: demoToken, subject: demoToken })).status, 200);
      assertKeystoneError(await call('GET', '/v3/auth/tokens', { token: demoToken, subject: adminToken }), 403, 'Forbidden');
    });
    test('DELETE revokes: 204, then 404 on validation and 401 on use', async () => {
      const { token } = await issue(passwordAuth('demo', projectScope('demo')));
      const d = await call('DELETE', '/v3/auth/tokens', { token: adminToken, subject: token });
      assert.equal(d.status, 204);
      assert.equal(d.text, '');
      assertKeystoneError(await call('GET', '/v3/auth/tokens', { token: adminToken, subject: token }), 404, 'Not Found');
      assertKeystoneError(await call('GET', '/v3/auth/projects', { token }), 401, 'Unauthorized');
      assertKeystoneError(await call('DELETE', '/v3/auth/tokens', { token: adminToken, subject: token }), 404, 'Not Found');
      assert.equal(keystone.validator.validate(token), undefined);
    });
  });

  describe('token expiry', () => {
    test('tokens expire after tokenTtlSeconds; allow_expired still validates', async () => {
      const short = await startKeystoneSim({ tokenTtlSeconds: 1 });
      try {
        const c = client(() => short.url);
        const a = await c('POST', '/v3/auth/tokens', { body: passwordAuth('admin', projectScope('admin')) });
        const token = a.headers.get('x-subject-token')!;
        const ttl = Date.parse(a.body.token.expires_at) - Date.parse(a.body.token.issued_at);
        assert.ok(Math.abs(ttl - 1000) < 50);
        assert.ok(short.keystone.validator.validate(token));
        await new Promise((r) => setTimeout(r, 1100));
        assert.equal(short.keystone.validator.validate(token), undefined);
        const b = await c('POST', '/v3/auth/tokens', { body: passwordAuth('admin', projectScope('admin')) });
        const fresh = b.headers.get('x-subject-token')!;
        assertKeystoneError(await c('GET', '/v3/auth/tokens', { token: fresh, subject: token }), 404, 'Not Found');
        assertKeystoneError(await c('GET', '/v3/auth/tokens', { token, subject: fresh }), 401, 'Unauthorized');
        assert.equal((await c('GET', '/v3/auth/tokens?allow_expired=1', { token: fresh, subject: token })).status, 200);
      } finally {
        await short.close();
      }
    });
  });

  describe('token-bound lookups', () => {
    test('GET /v3/auth/catalog', async () => {
      const r = await call('GET', '/v3/auth/catalog', { token: demoToken });
      assert.equal(r.status, 200);
      assertSampleShape(r.body, 'keystone', 'get-service-catalog-response.json');
      assert.ok(r.body.catalog.some((s: Json) => s.type === 'compute'));
      const unscoped = (await issue(passwordAuth('demo'))).token;
      assertKeystoneError(await call('GET', '/v3/auth/catalog', { token: unscoped }), 403, 'Forbidden');
    });
    test('GET /v3/auth/projects and /v3/auth/domains', async () => {
      const r = await call('GET', '/v3/auth/projects', { token: demoToken });
      assert.equal(r.status, 200);
      assert.deepEqual(
        r.body.projects.map((p: Json) => p.name),
        ['demo'],
      );
      assertSampleShape(r.body, 'keystone', 'projects-list-response.json');
      const a = await call('GET', '/v3/auth/projects', { token: adminToken });
      assert.deepEqual(a.body.projects.map((p: Json) => p.name).sort(), ['admin', 'demo']);
      const d = await call('GET', '/v3/auth/domains', { token: adminToken });
      assert.deepEqual(
        d.body.domains.map((x: Json) => x.id),
        ['default'],
      );
    });
  });

  describe('catalog administration', () => {
    test('regions: list, show, create, delete', async () => {
      const list = await call('GET', '/v3/regions', { token: demoToken });
      assert.equal(list.status, 200);
      assertSampleShape(list.body, 'keystone', 'regions-list-response.json');
      assert.deepEqual(list.body.regions.map((r: Json) => r.id).sort(), ['Pod1', 'RegionOne']);
      const show = await call('GET', '/v3/regions/Pod1', { token: demoToken });
      assertSampleShape(show.body, 'keystone', 'region-show-response.json');
      assert.equal(show.body.region.links.self, `${url}/v3/regions/Pod1`);
      assertKeystoneError(await call('GET', '/v3/regions/Nope', { token: demoToken }), 404, 'Not Found');
      assertKeystoneError(await call('POST', '/v3/regions', { token: demoToken, body: { region: { id: 'X' } } }), 403, 'Forbidden');
      const created = await call('POST', '/v3/regions', { token: adminToken, body: { region: { id: 'Pod9', description: 'nine', parent_region_id: 'RegionOne' } } });
      assert.equal(created.status, 201);
      assertSampleShape(created.body, 'keystone', 'region-create-response.json');
      assertKeystoneError(await call('POST', '/v3/regions', { token: adminToken, body: { region: { id: 'Pod9' } } }), 409, 'Conflict');
      assert.equal((await call('DELETE', '/v3/regions/Pod9', { token: adminToken })).status, 204);
      assertKeystoneError(await call('DELETE', '/v3/regions/Pod1', { token: adminToken }), 403, 'Forbidden');
    });

    test('services: list (admin only), create, show, delete', async () => {
      assertKeystoneError(await call('GET', '/v3/services', { token: demoToken }), 403, 'Forbidden');
      const list = await call('GET', '/v3/services', { token: adminToken });
      assertSampleShape(list.body, 'keystone', 'services-list-response.json');
      assert.ok(list.body.services.some((s: Json) => s.type === 'identity' && s.name === 'keystone'));
      const byType = await call('GET', '/v3/services?type=compute', { token: adminToken });
      assert.deepEqual(
        byType.body.services.map((s: Json) => s.name),
        ['nova'],
      );
      const created = await call('POST', '/v3/services', { token: adminToken, body: { service: { type: 'compute', name: 'compute2', description: 'Compute service 2' } } });
      assert.equal(created.status, 201);
      assertSampleShape(created.body, 'keystone', 'service-create-response.json');
      const id = created.body.service.id;
      assertSampleShape(await call('GET', `/v3/services/${id}`, { token: adminToken }).then((r) => r.body), 'keystone', 'service-show-response.json');
      assertKeystoneError(await call('POST', '/v3/services', { token: adminToken, body: { service: { name: 'x' } } }), 400, 'Bad Request');
      assert.equal((await call('DELETE', `/v3/services/${id}`, { token: adminToken })).status, 204);
      assertKeystoneError(await call('GET', `/v3/services/${id}`, { token: adminToken }), 404, 'Not Found');
    });

    test('endpoints: list with filters, create, show, update, delete', async () => {
      assertKeystoneError(await call('GET', '/v3/endpoints', { token: demoToken }), 403, 'Forbidden');
      const list = await call('GET', '/v3/endpoints', { token: adminToken });
      assertSampleShape(list.body, 'keystone', 'endpoints-list-response.json');
      const compute = (await call('GET', '/v3/services?type=compute', { token: adminToken })).body.services[0];
      const filtered = await call('GET', `/v3/endpoints?service_id=${compute.id}&interface=public&region_id=Pod1`, { token: adminToken });
      assert.deepEqual(
        filtered.body.endpoints.map((e: Json) => e.url),
        ['http://127.0.0.1:1/v2.1'],
      );
      assert.equal((await call('GET', '/v3/endpoints?interface=admin&region_id=Pod1', { token: adminToken })).body.endpoints.length, 0);
      const created = await call('POST', '/v3/endpoints', {
        token: adminToken,
        body: { endpoint: { interface: 'internal', region_id: 'Pod1', url: 'http://127.0.0.1:3/v2.1', service_id: compute.id } },
      });
      assert.equal(created.status, 201);
      assertSampleShape(created.body, 'keystone', 'endpoint-create-response.json');
      const id = created.body.endpoint.id;
      assertSampleShape((await call('GET', `/v3/endpoints/${id}`, { token: adminToken })).body, 'keystone', 'endpoint-show-response.json');
      const patched = await call('PATCH', `/v3/endpoints/${id}`, { token: adminToken, body: { endpoint: { url: 'http://127.0.0.1:4/v2.1' } } });
      assertSampleShape(patched.body, 'keystone', 'endpoint-update-response.json');
      assert.equal(patched.body.endpoint.url, 'http://127.0.0.1:4/v2.1');
      assertKeystoneError(
        await call('POST', '/v3/endpoints', { token: adminToken, body: { endpoint: { interface: 'bogus', region_id: 'Pod1', url: 'x', service_id: compute.id } } }),
        400,
        'Bad Request',
      );
      assertKeystoneError(
        await call('POST', '/v3/endpoints', { token: adminToken, body: { endpoint: { interface: 'public', region_id: 'Pod1', url: 'x', service_id: 'nope' } } }),
        404,
        'Not Found',
      );
      assert.equal((await call('DELETE', `/v3/endpoints/${id}`, { token: adminToken })).status, 204);
      assertKeystoneError(await call('DELETE', `/v3/endpoints/${id}`, { token: adminToken }), 404, 'Not Found');
    });

    test('addEndpoint / removeEndpoints re-point a service in a region', async () => {
      keystone.addEndpoint({ region: 'Pod2', serviceType: 'network', serviceName: 'neutron', interface: 'public', url: 'http://127.0.0.1:5' });
      const tokenOf = async () => (await issue(passwordAuth('demo', projectScope('demo')))).r.body.token;
      const urls = (t: Json) =>
        t.catalog
          .find((s: Json) => s.type === 'network')
          ?.endpoints.filter((e: Json) => e.region === 'Pod2')
          .map((e: Json) => e.url) ?? [];
      assert.deepEqual(urls(await tokenOf()), ['http://127.0.0.1:5']);
      keystone.removeEndpoints('Pod2', 'network');
      assert.deepEqual(urls(await tokenOf()), []);
      keystone.addEndpoint({ region: 'Pod2', serviceType: 'network', serviceName: 'neutron', interface: 'public', url: 'http://127.0.0.1:6' });
      assert.deepEqual(urls(await tokenOf()), ['http://127.0.0.1:6']);
      const regions = (await call('GET', '/v3/regions', { token: demoToken })).body.regions.map((r: Json) => r.id);
      assert.ok(regions.includes('Pod2'));
    });
  });

  describe('identity resources', () => {
    test('domains', async () => {
      const list = await call('GET', '/v3/domains', { token: adminToken });
      assert.deepEqual(
        list.body.domains.map((d: Json) => d.name),
        ['Default'],
      );
      assertKeystoneError(await call('GET', '/v3/domains', { token: demoToken }), 403, 'Forbidden');
      const show = await call('GET', '/v3/domains/default', { token: demoToken });
      assertSampleShape(show.body, 'keystone', 'domain-show-response.json');
      assertKeystoneError(await call('GET', '/v3/domains/nope', { token: adminToken }), 404, 'Not Found');
    });

    test('projects: list, filter by name, show, non-admin rules', async () => {
      const list = await call('GET', '/v3/projects', { token: adminToken });
      assertSampleShape(list.body, 'keystone', 'projects-list-response.json');
      assert.deepEqual(list.body.projects.map((p: Json) => p.name).sort(), ['admin', 'demo', 'service']);
      const byName = await call('GET', '/v3/projects?name=demo', { token: adminToken });
      assert.equal(byName.body.projects.length, 1);
      const demo = byName.body.projects[0];
      const show = await call('GET', `/v3/projects/${demo.id}`, { token: demoToken });
      assertSampleShape(show.body, 'keystone', 'project-show-response.json');
      assert.equal(show.body.project.parent_id, 'default');
      assertKeystoneError(await call('GET', '/v3/projects', { token: demoToken }), 403, 'Forbidden');
      const adminProject = list.body.projects.find((p: Json) => p.name === 'admin');
      assertKeystoneError(await call('GET', `/v3/projects/${adminProject.id}`, { token: demoToken }), 403, 'Forbidden');
      assertKeystoneError(await call('GET', '/v3/projects/nope', { token: adminToken }), 404, 'Not Found');
    });

    test('users, roles and role assignments', async () => {
      const users = await call('GET', '/v3/users', { token: adminToken });
      assert.deepEqual(users.body.users.map((u: Json) => u.name).sort(), ['admin', 'demo']);
      const demo = users.body.users.find((u: Json) => u.name === 'demo');
      assert.match(demo.id, HEX_ID);
      assert.equal(demo.domain_id, 'default');
      assert.equal((await call('GET', `/v3/users/${demo.id}`, { token: demoToken })).body.user.name, 'demo');
      assertKeystoneError(await call('GET', '/v3/users', { token: demoToken }), 403, 'Forbidden');
      const own = await call('GET', `/v3/users/${demo.id}/projects`, { token: demoToken });
      assert.deepEqual(
        own.body.projects.map((p: Json) => p.name),
        ['demo'],
      );

      const roles = await call('GET', '/v3/roles', { token: adminToken });
      assert.deepEqual(roles.body.roles.map((r: Json) => r.name).sort(), ['admin', 'member', 'reader', 'service']);
      const member = (await call('GET', '/v3/roles?name=member', { token: adminToken })).body.roles[0];

      const ra = await call('GET', `/v3/role_assignments?user.id=${demo.id}&include_names`, { token: adminToken });
      assert.equal(ra.status, 200);
      assert.equal(ra.body.role_assignments.length, 1);
      const a = ra.body.role_assignments[0];
      assert.equal(a.role.name, 'member');
      assert.equal(a.scope.project.name, 'demo');
      assert.equal(a.user.name, 'demo');
      assert.match(a.links.assignment, /\/v3\/projects\/[0-9a-f]{32}\/users\/[0-9a-f]{32}\/roles\/[0-9a-f]{32}$/);
      const effective = await call('GET', `/v3/role_assignments?user.id=${demo.id}&effective`, { token: adminToken });
      assert.equal(effective.body.role_assignments.length, 2);
      const byProject = await call('GET', `/v3/role_assignments?scope.project.id=${a.scope.project.id}`, { token: adminToken });
      assert.equal(byProject.body.role_assignments.length, 2);
      assertKeystoneError(await call('GET', '/v3/role_assignments', { token: demoToken }), 403, 'Forbidden');

      // A new tenant: project, user, grant, then the user can scope to it.
      const p = await call('POST', '/v3/projects', { token: adminToken, body: { project: { name: 'tenant2', domain_id: 'default' } } });
      assert.equal(p.status, 201);
      assertKeystoneError(await call('POST', '/v3/projects', { token: adminToken, body: { project: { name: 'tenant2' } } }), 409, 'Conflict');
      const u = await call('POST', '/v3/users', { token: adminToken, body: { user: { name: 'alice', password: 'secret', default_project_id: p.body.project.id } } });
      assert.equal(u.status, 201);
      assertKeystoneError(await call('POST', '/v3/auth/tokens', { body: passwordAuth('alice', projectScope('tenant2'), 'secret') }), 401, 'Unauthorized');
      const grantPath = `/v3/projects/${p.body.project.id}/users/${u.body.user.id}/roles/${member.id}`;
      assert.equal((await call('PUT', grantPath, { token: adminToken })).status, 204);
      assert.equal((await call('HEAD', grantPath, { token: adminToken })).status, 204);
      const granted = await call('GET', `/v3/projects/${p.body.project.id}/users/${u.body.user.id}/roles`, { token: adminToken });
      assert.deepEqual(
        granted.body.roles.map((r: Json) => r.name),
        ['member'],
      );
      const alice = await issue(passwordAuth('alice', projectScope('tenant2'), 'secret'));
      assert.equal(alice.r.body.token.project.name, 'tenant2');
      const caller = keystone.validator.validate(alice.token)!;
      assert.equal(caller.projectName, 'tenant2');
      assert.equal(caller.isAdmin, false);
      // Without scope the default project is used.
      const dflt = await issue(passwordAuth('alice', undefined, 'secret'));
      assert.equal(dflt.r.body.token.project.name, 'tenant2');
      assert.equal((await call('DELETE', grantPath, { token: adminToken })).status, 204);
      assert.equal((await call('HEAD', grantPath, { token: adminToken })).status, 404);
      assert.equal((await call('DELETE', `/v3/users/${u.body.user.id}`, { token: adminToken })).status, 204);
      assert.equal(keystone.validator.validate(alice.token), undefined);
      assert.equal((await call('DELETE', `/v3/projects/${p.body.project.id}`, { token: adminToken })).status, 204);
    });
  });

  describe('validator', () => {
    test('resolves project-scoped tokens to a SimCaller; rejects others', async () => {
      const caller = keystone.validator.validate(adminToken)!;
      assert.equal(caller.userName, 'admin');
      assert.equal(caller.projectName, 'admin');
      assert.match(caller.projectId, HEX_ID);
      assert.equal(caller.domainId, 'default');
      assert.equal(caller.isAdmin, true);
      assert.ok(caller.roles.includes('admin'));
      assert.ok(caller.expiresAt instanceof Date);
      assert.equal(keystone.validator.validate('nope'), undefined);
      const unscoped = (await issue(passwordAuth('admin'))).token;
      assert.equal(keystone.validator.validate(unscoped), undefined);
      assert.equal(keystone.projectIdByName('demo'), keystone.validator.validate(demoToken)!.projectId);
    });
  });

  test('unknown paths answer a keystone-style 404', async () => {
    assertKeystoneError(await call('GET', '/v3/nothing', { token: adminToken }), 404, 'Not Found');
  });
});
