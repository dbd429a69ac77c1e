import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../../src/common/errors.js';
import { createServiceApp } from '../../src/common/http.js';
import { createLogger } from '../../src/common/logging.js';
import {
  BodyValidator,
  CINDER_STYLE,
  Microversion,
  MicroversionNotAcceptable,
  Type,
  mountService,
  negotiateMicroversion,
  microversionHeaders,
  ok,
  answer,
  since,
} from '../../src/gateway/index.js';
import { createRequestContext } from '../../src/identity/index.js';
import { http } from '../support/http.js';

const compute: { serviceType: string; legacyHeader?: string } = { serviceType: 'compute', legacyHeader: 'X-OpenStack-Nova-API-Version' };
const volume = { serviceType: 'volume' };
const range = { min: Microversion.of('2.1'), max: Microversion.of('2.60') };
const volumeRange = { min: Microversion.of('3.0'), max: Microversion.of('3.70') };

const statusOf = (fn: () => unknown): number | undefined => {
  try {
    fn();
    return undefined;
  } catch (err) {
    return err instanceof ApiError ? err.status : -1;
  }
};

describe('microversion negotiation', () => {
  test('none asked is the minimum, latest the maximum, the service token picks the entry', () => {
    const v = (headers: Record<string, string>, spec = compute, r = range) => negotiateMicroversion(headers, spec, r).toString();
    assert.equal(v({}), '2.1');
    assert.equal(v({ 'openstack-api-version': 'compute latest' }), '2.60');
    assert.equal(v({ 'openstack-api-version': 'volume 3.5, compute 2.11' }), '2.11');
    assert.equal(v({ 'openstack-api-version': 'volume 3.5' }), '2.1', 'another service is not ours');
    assert.equal(v({ 'x-openstack-nova-api-version': '2.20' }), '2.20', 'the legacy header');
    assert.equal(v({ 'openstack-api-version': 'compute 2.30', 'x-openstack-nova-api-version': '2.20' }), '2.30', 'the new header wins');
    assert.equal(v({ 'x-openstack-nova-api-version': '2.20' }, volume, volumeRange), '3.0', 'a service without a legacy header ignores it');
    assert.equal(v({ 'openstack-api-version': 'compute 2.90, volume 3.44' }, volume, volumeRange), '3.44');
  });

  test('malformed is 400 with upstream words, outside the range 406', () => {
    assert.equal(
      statusOf(() => negotiateMicroversion({ 'openstack-api-version': 'volume 3.x' }, volume, volumeRange)),
      400,
    );
    assert.throws(
      () => negotiateMicroversion({ 'openstack-api-version': 'compute 2.x' }, compute, range),
      /^ApiError: API Version String 2.x is of invalid format. Must be of format MajorNum.MinorNum.$/,
    );
    assert.throws(() => negotiateMicroversion({ 'openstack-api-version': 'compute 2.61' }, compute, range), MicroversionNotAcceptable);
    assert.throws(
      () => negotiateMicroversion({ 'openstack-api-version': 'volume 2.0' }, volume, volumeRange),
      /Version 2.0 is not supported by the API. Minimum is 3.0 and maximum is 3.70./,
    );
  });

  test('versions compare numerically', () => {
    assert.ok(Microversion.of('2.10').ge('2.9'));
    assert.ok(Microversion.of('2.9').lt('2.10'));
    assert.equal(Microversion.parse('02.1'), undefined);
  });

  test('response headers per service', () => {
    assert.deepEqual(microversionHeaders(Microversion.of('2.5'), compute), {
      'openstack-api-version': 'compute 2.5',
      'x-openstack-nova-api-version': '2.5',
      vary: 'OpenStack-API-Version, X-OpenStack-Nova-API-Version',
    });
    assert.deepEqual(microversionHeaders(Microversion.of('3.5'), volume), { 'openstack-api-version': 'volume 3.5', vary: 'OpenStack-API-Version' });
  });
});

describe('gateway router over HTTP', () => {
  let app: FastifyInstance;
  let base: string;
  before(async () => {
    app = createServiceApp({
      service: 'kit-test',
      faultStyle: 'compute',
      logger: createLogger('silent'),
      authenticate: async (req) => createRequestContext({ userId: 'u', projectId: 'p1', roles: [], authToken: 't', requestId: req.id }),
    });
    const router = mountService(app, {
      prefixes: [
        { path: '/v3/:project_id', api: 'v3' },
        { path: '/v2/:project_id', api: 'v2', microversions: false },
      ],
      microversions: { ...volume, range: () => volumeRange, notAcceptableBody: (message) => ({ computeFault: { code: 406, message } }) },
      validator: new BodyValidator(CINDER_STYLE),
      requestIdHeader: 'x-compute-request-id',
      publicUrl: () => 'http://gw',
    });
    router.get('/things/:thing_id', (call) =>
      ok(
        { id: call.params.thing_id, version: call.version.toString(), negotiated: call.negotiated, api: call.api, links: call.links, query: call.rawQuery },
        { 'openstack-api-version': 'volume 9.9' },
      ),
    );
    router.get('/new', () => ok({}), { minVersion: '3.10' });
    router.post('/things', (call) => answer(202, { name: call.body.thing.name }), {
      body: Type.Object({ thing: Type.Object({ name: Type.String({ maxLength: 3 }), extra: since('3.5', Type.String()) }, { additionalProperties: false }) }),
    });
    router.get('/bytes', () => ({ status: 203, headers: { 'x-pod': 'yes' }, body: Buffer.from('{"raw":true}') }));
    base = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  after(async () => {
    await app?.close();
  });

  test('a negotiated call: typed params, version headers, links as the client addressed the service', async () => {
    const res = await http('GET', `${base}/v3/p1/things/t1?x=1`, { headers: { 'openstack-api-version': 'volume 3.7' } });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { id: 't1', version: '3.7', negotiated: true, api: 'v3', links: { versioned: 'http://gw/v3/p1', bookmark: 'http://gw/p1' }, query: 'x=1' });
    assert.equal(res.headers['openstack-api-version'], 'volume 3.7', "an answer cannot override the gateway's version header");
    assert.equal(res.headers.vary, 'OpenStack-API-Version');
    assert.equal(res.headers['x-compute-request-id'], res.headers['x-openstack-request-id']);
    assert.match(String(res.headers['content-type']), /^application\/json/);
  });

  test('an API without microversions answers at the minimum, without version headers', async () => {
    const res = await http('GET', `${base}/v2/p1/things/t1`, { headers: { 'openstack-api-version': 'volume 3.999' } });
    assert.equal(res.status, 200);
    assert.equal(res.body.version, '3.0');
    assert.equal(res.body.negotiated, false);
    assert.equal(res.headers['openstack-api-version'], undefined);
  });

  test('400 for a malformed version, 406 in the service style, 404 below a route version', async () => {
    const bad = await http('GET', `${base}/v3/p1/things/t1`, { headers: { 'openstack-api-version': 'volume three' } });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.badRequest.message, 'API Version String three is of invalid format. Must be of format MajorNum.MinorNum.');
    const far = await http('GET', `${base}/v3/p1/things/t1`, { headers: { 'openstack-api-version': 'volume 3.71' } });
    assert.deepEqual(far.body, { computeFault: { code: 406, message: 'Version 3.71 is not supported by the API. Minimum is 3.0 and maximum is 3.70.' } });
    assert.equal((await http('GET', `${base}/v3/p1/new`, { headers: { 'openstack-api-version': 'volume 3.9' } })).status, 404);
    assert.equal((await http('GET', `${base}/v3/p1/new`, { headers: { 'openstack-api-version': 'volume 3.10' } })).status, 200);
  });

  test("another project's id in the URL is refused", async () => {
    const res = await http('GET', `${base}/v3/ab12/things/t1`);
    assert.equal(res.status, 400);
    assert.equal(res.body.badRequest.message, "Malformed request URL: URL's project_id 'ab12' doesn't match Context's project_id 'p1'");
  });

  test('a first segment that cannot be a project id names an unknown resource: 404', async () => {
    const res = await http('GET', `${base}/v3/p2/things/t1`);
    assert.equal(res.status, 404);
    assert.deepEqual(res.body, { itemNotFound: { code: 404, message: 'The resource could not be found.' } });
  });

  test('bodies are validated for the call version before the handler runs', async () => {
    assert.equal((await http('POST', `${base}/v3/p1/things`, { body: { thing: { name: 'abc' } } })).status, 202);
    const long = await http('POST', `${base}/v3/p1/things`, { body: { thing: { name: 'abcd' } } });
    assert.equal(long.body.badRequest.message, "Invalid input for field/attribute name. Value: abcd. 'abcd' is too long");
    const early = await http('POST', `${base}/v3/p1/things`, { body: { thing: { name: 'a', extra: 'x' } }, headers: { 'openstack-api-version': 'volume 3.4' } });
    assert.match(early.body.badRequest.message, /'extra' was unexpected/);
    const later = await http('POST', `${base}/v3/p1/things`, { body: { thing: { name: 'a', extra: 'x' } }, headers: { 'openstack-api-version': 'volume 3.5' } });
    assert.equal(later.status, 202);
    const deep = await http('POST', `${base}/v3/p1/things`, {
      raw: `{"thing": {"name": ${'['.repeat(5000)}${']'.repeat(5000)}}}`,
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(deep.status, 400);
  });

  test('bytes are relayed as they are', async () => {
    const res = await http('GET', `${base}/v3/p1/bytes`);
    assert.equal(res.status, 203);
    assert.equal(res.text, '{"raw":true}');
    assert.equal(res.headers['x-pod'], 'yes');
  });
});
