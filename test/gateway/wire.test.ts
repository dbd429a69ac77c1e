import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { randomUUID } from 'node:crypto';
import { http } from '../support/http.js';
import { startNovaEnv, type NovaEnv } from '../nova/support.js';

/** Writes `head` (and `bodyLength` bytes of body) on a raw connection; resolves with what came back. */
function rawCall(url: string, head: string, bodyLength = 0): Promise<{ response: string; error?: string }> {
  return new Promise((resolve) => {
    const { hostname, port } = new URL(url);
    const socket = net.connect(Number(port), hostname);
    let response = '';
    let error: string | undefined;
    socket.on('data', (d) => {
      response += d.toString();
    });
    socket.on('error', (e: Error & { code?: string }) => {
      error = e.code ?? e.message;
    });
    socket.on('close', () => resolve({ response, ...(error ? { error } : {}) }));
    socket.write(head);
    const chunk = Buffer.alloc(64 * 1024, 'a');
    let sent = 0;
    const pump = () => {
      while (sent < bodyLength) {
        const piece = chunk.subarray(0, Math.min(chunk.length, bodyLength - sent));
        sent += piece.length;
        if (!socket.write(piece)) return void socket.once('drain', pump);
      }
    };
    pump();
  });
}

const statusOf = (response: string) => Number(response.split(' ', 2)[1]);
const bodyOf = (response: string) => JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4));

describe('wire: what real clients send and expect, on every service', () => {
  let env: NovaEnv;
  let urls: Record<string, string>;
  const JSON_HEADER = { 'content-type': 'application/json' };

  before(async () => {
    env = await startNovaEnv({ withNeutron: true, services: ['cinder-apigw'] });
    urls = env.tc.urls;
  });
  after(async () => {
    await env?.close();
  });

  describe('a bodiless DELETE with Content-Type: application/json is read as having no body', () => {
    test('Nova: 404 itemNotFound for a random server id', async () => {
      const id = randomUUID();
      const res = await http('DELETE', `${urls['nova-apigw']}/v2.1/servers/${id}`, { token: env.tokens.demo, headers: JSON_HEADER });
      assert.equal(res.status, 404, res.text);
      assert.deepEqual(res.body, { itemNotFound: { code: 404, message: `Instance ${id} could not be found.` } });
    });
    test('Cinder: 404 itemNotFound for a random volume id', async () => {
      const id = randomUUID();
      const res = await http('DELETE', `${urls['cinder-apigw']}/v3/${env.projects.demo}/volumes/${id}`, { token: env.tokens.demo, headers: JSON_HEADER });
      assert.equal(res.status, 404, res.text);
      assert.deepEqual(res.body, { itemNotFound: { code: 404, message: `Volume ${id} could not be found.` } });
    });
    test('Neutron: 404 NetworkNotFound for a random network id', async () => {
      const id = randomUUID();
      const res = await http('DELETE', `${urls['neutron-api']}/v2.0/networks/${id}`, { token: env.tokens.demo, headers: JSON_HEADER });
      assert.equal(res.status, 404, res.text);
      assert.deepEqual(res.body, { NeutronError: { type: 'NetworkNotFound', message: `Network ${id} could not be found.`, detail: '' } });
    });
    test('Admin API: 404 itemNotFound for a random pod id', async () => {
      const id = randomUUID();
      const res = await http('DELETE', `${urls['admin-api']}/v1.0/pods/${id}`, { token: env.tokens.admin, headers: JSON_HEADER });
      assert.equal(res.status, 404, res.text);
      assert.equal(res.body.itemNotFound.code, 404);
      assert.match(res.body.itemNotFound.message, new RegExp(id));
    });
    test('a POST whose JSON body is empty is still refused by the schema, not by the framework', async () => {
      const res = await http('POST', `${urls['nova-apigw']}/v2.1/servers`, { token: env.tokens.demo, headers: JSON_HEADER, raw: '' });
      assert.equal(res.status, 400, res.text);
      assert.ok(res.body.badRequest, res.text);
      assert.doesNotMatch(res.body.badRequest.message, /body is empty/);
    });
  });

  describe('unknown first path segments are unknown resources, not mismatched projects', () => {
    for (const path of ['/nonexistent', '/os-not-served-here', '/os-no-such-thing/servers']) {
      test(`Nova GET /v2.1${path}: 404`, async () => {
        const res = await http('GET', `${urls['nova-apigw']}/v2.1${path}`, { token: env.tokens.demo });
        assert.equal(res.status, 404, res.text);
        assert.deepEqual(res.body, { itemNotFound: { code: 404, message: 'The resource could not be found.' } });
      });
    }
    test('a served first segment (os-hypervisors) is its route, never a project mismatch', async () => {
      const res = await http('GET', `${urls['nova-apigw']}/v2.1/os-hypervisors`, { token: env.tokens.admin });
      assert.notEqual(res.status, 400, res.text);
      assert.doesNotMatch(res.text, /Malformed request URL/);
    });
    test('Cinder GET /v3/nonexistent/volumes: 404', async () => {
      const res = await http('GET', `${urls['cinder-apigw']}/v3/nonexistent/volumes`, { token: env.tokens.demo });
      assert.equal(res.status, 404, res.text);
      assert.deepEqual(res.body, { itemNotFound: { code: 404, message: 'The resource could not be found.' } });
    });
    test('a project id of another (hex) project is still the upstream 400', async () => {
      const res = await http('GET', `${urls['nova-apigw']}/v2.1/${env.projects.admin}/servers`, { token: env.tokens.demo });
      assert.equal(res.status, 400, res.text);
      assert.match(res.body.badRequest.message, /doesn't match/);
    });
  });

  describe('empty ids answer 404', () => {
    const cases: [string, string, string][] = [
      ['cinder-apigw', 'GET', '/v3/{p}/volumes/'],
      ['cinder-apigw', 'DELETE', '/v3/{p}/volumes/'],
      ['cinder-apigw', 'PUT', '/v3/{p}/volumes/'],
      ['nova-apigw', 'DELETE', '/v2.1/images/'],
      ['nova-apigw', 'DELETE', '/v2.1/servers/'],
    ];
    for (const [service, method, path] of cases) {
      test(`${method} ${path}`, async () => {
        const res = await http(method, `${urls[service]}${path.replace('{p}', env.projects.demo)}`, { token: env.tokens.demo, headers: JSON_HEADER });
        assert.equal(res.status, 404, res.text);
        assert.equal(res.body.itemNotFound.code, 404);
      });
    }
    test('version documents keep their trailing slash', async () => {
      assert.equal((await http('GET', `${urls['nova-apigw']}/v2.1/`)).status, 200);
      assert.equal((await http('GET', `${urls['cinder-apigw']}/v3/`)).status, 200);
    });
  });

  describe("framework errors come in the service's own fault format", () => {
    test('a malformed percent-escape in the path: 404', async () => {
      const nova = await http('GET', `${urls['nova-apigw']}/v2.1/servers/%zz`, { token: env.tokens.demo });
      assert.equal(nova.status, 404);
      assert.deepEqual(nova.body, { itemNotFound: { code: 404, message: 'The resource could not be found.' } });
      assert.equal(nova.headers['content-type'], 'application/json');
      const neutron = await http('GET', `${urls['neutron-api']}/v2.0/networks/%zz`, { token: env.tokens.demo });
      assert.equal(neutron.status, 404);
      assert.equal(neutron.body.NeutronError.type, 'HTTPNotFound');
    });
    test('a path parameter longer than the router matches: 404', async () => {
      const cinder = await http('GET', `${urls['cinder-apigw']}/v3/${env.projects.demo}/volumes/${'a'.repeat(500)}`, { token: env.tokens.demo });
      assert.equal(cinder.status, 404, cinder.text);
      assert.equal(cinder.body.itemNotFound.code, 404);
      assert.ok(cinder.headers['x-openstack-request-id']);
      const neutron = await http('GET', `${urls['neutron-api']}/v2.0/ports/${'a'.repeat(500)}`, { token: env.tokens.demo });
      assert.equal(neutron.status, 404, neutron.text);
      assert.equal(neutron.body.NeutronError.type, 'HTTPNotFound');
    });
    test('an oversized header block: 400 with a fault body, then the connection closes', async () => {
      const { response } = await rawCall(urls['nova-apigw'], `GET /v2.1/servers HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(40_000)}\r\n\r\n`);
      assert.equal(statusOf(response), 400, response);
      assert.deepEqual(bodyOf(response), { badRequest: { code: 400, message: 'Request header fields too large.' } });
      const neutron = await rawCall(urls['neutron-api'], `GET /v2.0/networks HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(40_000)}\r\n\r\n`);
      assert.equal(bodyOf(neutron.response).NeutronError.type, 'HTTPBadRequest');
    });
    test('an oversized body: 413 written after the body was read, no reset while sending', async () => {
      const size = 3 * 1024 * 1024;
      for (const [service, path, fault] of [
        ['nova-apigw', '/v2.1/servers', 'overLimit'],
        ['neutron-api', '/v2.0/networks', 'NeutronError'],
      ] as const) {
        const head = `POST ${path} HTTP/1.1\r\nHost: x\r\nX-Auth-Token: ${env.tokens.demo}\r\nContent-Type: application/json\r\nContent-Length: ${size}\r\n\r\n`;
        const { response, error } = await rawCall(urls[service], head, size);
        assert.equal(error, undefined, `${service}: the client saw ${error}`);
        assert.equal(statusOf(response), 413, response.slice(0, 300));
        assert.ok(bodyOf(response)[fault], response.slice(0, 300));
      }
    });
  });

  describe('framework errors on every service (Nova, Cinder, Neutron, Admin API)', () => {
    /** Each service's path to a single object, its 404 check and its fault key for other statuses. */
    const services = () =>
      [
        ['nova-apigw', '/v2.1/servers', 'itemNotFound', 'badRequest', 'overLimit'],
        ['cinder-apigw', `/v3/${env.projects.demo}/volumes`, 'itemNotFound', 'badRequest', 'overLimit'],
        ['neutron-api', '/v2.0/networks', 'NeutronError', 'NeutronError', 'NeutronError'],
        ['admin-api', '/v1.0/pods', 'itemNotFound', 'badRequest', 'overLimit'],
      ] as const;
    test('a malformed percent-escape: 404 in the fault format, no charset', async () => {
      for (const [service, collection, notFound] of services()) {
        const res = await http('GET', `${urls[service]}${collection}/%zz`, { token: env.tokens.admin });
        assert.equal(res.status, 404, `${service}: ${res.text}`);
        assert.ok(res.body?.[notFound], `${service}: ${res.text}`);
        assert.equal(res.headers['content-type'], 'application/json', service);
      }
    });
    test('a path parameter longer than the router matches: 404 in the fault format', async () => {
      for (const [service, collection, notFound] of services()) {
        const res = await http('GET', `${urls[service]}${collection}/${'a'.repeat(500)}`, { token: env.tokens.admin });
        assert.equal(res.status, 404, `${service}: ${res.text}`);
        assert.ok(res.body?.[notFound], `${service}: ${res.text}`);
      }
    });
    test('an oversized header block: 400 in the fault format', async () => {
      for (const [service, collection, , badRequest] of services()) {
        const { response } = await rawCall(urls[service], `GET ${collection} HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(40_000)}\r\n\r\n`);
        assert.equal(statusOf(response), 400, `${service}: ${response.slice(0, 300)}`);
        assert.ok(bodyOf(response)[badRequest], `${service}: ${response.slice(0, 300)}`);
      }
    });
    test('an oversized body: 413 in the fault format, after the body was read (no reset)', async () => {
      const size = 3 * 1024 * 1024;
      for (const [service, collection, , , overLimit] of services()) {
        const head = `POST ${collection} HTTP/1.1\r\nHost: x\r\nX-Auth-Token: ${env.tokens.admin}\r\nContent-Type: application/json\r\nContent-Length: ${size}\r\n\r\n`;
        const { response, error } = await rawCall(urls[service], head, size);
        assert.equal(error, undefined, `${service}: the client saw ${error}`);
        assert.equal(statusOf(response), 413, `${service}: ${response.slice(0, 300)}`);
        assert.ok(bodyOf(response)[overLimit], `${service}: ${response.slice(0, 300)}`);
      }
    });
  });

  describe('request ids', () => {
    test("a server's instance actions are found by the request ids the gateway answered with", async () => {
      const boot = await http('POST', `${urls['nova-apigw']}/v2.1/servers`, {
        token: env.tokens.demo,
        body: { server: { name: 'rid', imageRef: env.imageId, flavorRef: '1', networks: 'none' } },
        headers: { 'openstack-api-version': 'compute 2.37' },
      });
      assert.equal(boot.status, 202, boot.text);
      const id = boot.body.server.id as string;
      const createId = String(boot.headers['x-openstack-request-id']);
      assert.equal(boot.headers['x-compute-request-id'], createId);
      for (let i = 0; i < 100; i++) {
        const s = await http('GET', `${urls['nova-apigw']}/v2.1/servers/${id}`, { token: env.tokens.demo });
        if (s.body.server.status === 'ACTIVE') break;
        await new Promise((r) => setTimeout(r, 20));
      }
      const created = await http('GET', `${urls['nova-apigw']}/v2.1/servers/${id}/os-instance-actions/${createId}`, { token: env.tokens.demo });
      assert.equal(created.status, 200, created.text);
      assert.equal(created.body.instanceAction.action, 'create');
      assert.equal(created.body.instanceAction.request_id, createId);

      const stop = await http('POST', `${urls['nova-apigw']}/v2.1/servers/${id}/action`, { token: env.tokens.demo, body: { 'os-stop': null } });
      assert.equal(stop.status, 202, stop.text);
      const stopId = String(stop.headers['x-openstack-request-id']);
      const listed = await http('GET', `${urls['nova-apigw']}/v2.1/servers/${id}/os-instance-actions`, { token: env.tokens.demo });
      assert.deepEqual(listed.body.instanceActions.map((a: { request_id: string }) => a.request_id).sort(), [createId, stopId].sort());
    });
  });

  describe('headers as upstream', () => {
    test('compute and volume version documents carry the microversion headers and Vary', async () => {
      for (const [service, path, type, status] of [
        ['nova-apigw', '/', 'compute', 200],
        ['nova-apigw', '/v2.1/', 'compute', 200],
        ['cinder-apigw', '/', 'volume', 300],
        ['cinder-apigw', '/v3/', 'volume', 200],
      ] as const) {
        const res = await http('GET', `${urls[service]}${path}`);
        assert.equal(res.status, status, `${service} ${path}`);
        assert.match(String(res.headers['openstack-api-version']), new RegExp(`^${type} \\d+\\.\\d+$`), `${service} ${path}`);
        assert.match(String(res.headers.vary), /OpenStack-API-Version/, `${service} ${path}`);
      }
      const asked = await http('GET', `${urls['nova-apigw']}/v2.1/`, { headers: { 'openstack-api-version': 'compute 2.50' } });
      assert.equal(asked.headers['openstack-api-version'], 'compute 2.50');
      assert.equal(asked.headers['x-openstack-nova-api-version'], '2.50');
    });
    test('Neutron lists its resources under /v2.0/ and answers 404 at /v2.0', async () => {
      const listed = await http('GET', `${urls['neutron-api']}/v2.0/`, { token: env.tokens.demo });
      assert.equal(listed.status, 200);
      assert.ok(listed.body.resources.some((r: { collection: string }) => r.collection === 'networks'));
      const bare = await http('GET', `${urls['neutron-api']}/v2.0`, { token: env.tokens.demo });
      assert.equal(bare.status, 404);
      assert.equal(bare.body.NeutronError.type, 'HTTPNotFound');
    });
    test('Content-Type: application/json without a charset on answers and faults of every service', async () => {
      const calls: [string, string][] = [
        ['nova-apigw', '/v2.1/servers'],
        ['nova-apigw', '/v2.1/servers/nope'],
        ['cinder-apigw', `/v3/${env.projects.demo}/volumes`],
        ['neutron-api', '/v2.0/networks'],
        ['neutron-api', '/v2.0/networks/nope'],
        ['admin-api', '/v1.0/pods'],
      ];
      for (const [service, path] of calls) {
        const res = await http('GET', `${urls[service]}${path}`, { token: env.tokens.admin });
        assert.equal(res.headers['content-type'], 'application/json', `${service} ${path}: ${res.status}`);
      }
    });
  });
});
