import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { computeRoot, replaceJsonStringMember } from '../../src/nova/links.js';
import {
  BodyValidator,
  Microversion as ApiVersion,
  MicroversionNotAcceptable as VersionNotAcceptable,
  NOVA_STYLE,
  negotiateMicroversion,
  replaceAllBytes,
  rewritePodLinks,
  rewritePodUrl,
  type VersionRange,
} from '../../src/gateway/index.js';
import { PodVersionRanges } from '../../src/nova/versionRange.js';
import { sshFingerprint, generateSshKeypair } from '../../src/nova/keypairs/keys.js';
import { ServerCreate } from '../../src/nova/servers/schemas.js';
import type { Pod } from '../../src/pods/index.js';

// Nova's negotiation and server-create check, as the gateway kit does them.
const negotiateVersion = (headers: Record<string, string>, r: VersionRange) =>
  negotiateMicroversion(headers, { serviceType: 'compute', legacyHeader: 'X-OpenStack-Nova-API-Version' }, r);
const checkServerCreate = new BodyValidator(NOVA_STYLE).compile(ServerCreate);
const serverCreateSchema = (v: ApiVersion) => v;
const validateBody = (v: ApiVersion, body: unknown) => checkServerCreate(body, v);

const range = { min: ApiVersion.of('2.1'), max: ApiVersion.of('2.60') };

describe('microversions', () => {
  test('no header is the minimum; latest the maximum; both header forms', () => {
    assert.equal(negotiateVersion({}, range).toString(), '2.1');
    assert.equal(negotiateVersion({ 'openstack-api-version': 'compute latest' }, range).toString(), '2.60');
    assert.equal(negotiateVersion({ 'openstack-api-version': 'compute 2.37' }, range).toString(), '2.37');
    assert.equal(negotiateVersion({ 'x-openstack-nova-api-version': '2.20' }, range).toString(), '2.20');
    assert.equal(negotiateVersion({ 'openstack-api-version': 'compute 2.30', 'x-openstack-nova-api-version': '2.20' }, range).toString(), '2.30', 'the new header wins');
    assert.equal(negotiateVersion({ 'openstack-api-version': 'volume 3.5' }, range).toString(), '2.1', 'another service is not ours');
    assert.equal(negotiateVersion({ 'openstack-api-version': 'volume 3.5, compute 2.11' }, range).toString(), '2.11');
  });
  test('outside the range is 406, malformed is 400', () => {
    assert.throws(() => negotiateVersion({ 'openstack-api-version': 'compute 2.61' }, range), VersionNotAcceptable);
    assert.throws(() => negotiateVersion({ 'openstack-api-version': 'compute 3.0' }, range), VersionNotAcceptable);
    assert.throws(
      () => negotiateVersion({ 'x-openstack-nova-api-version': '2.x' }, range),
      (e: { status?: number }) => e.status === 400,
    );
  });
  test('versions compare numerically', () => {
    assert.ok(ApiVersion.of('2.10').ge('2.9'));
    assert.ok(ApiVersion.of('2.9').lt('2.10'));
  });

  test('the advertised range is the lowest maximum of the pods that answer', async () => {
    const docs: Record<string, unknown> = { A: { version: { version: '2.93', min_version: '2.1' } }, B: { version: { version: '2.60', min_version: '2.1' } }, C: 'down' };
    let calls = 0;
    const clients = {
      client: (pod: Pod) => ({
        request: async () => {
          calls++;
          const d = docs[pod.regionName];
          if (d === 'down') throw new Error('ECONNREFUSED');
          return { status: 200, headers: {}, body: Buffer.from(JSON.stringify(d)), baseUrl: '' };
        },
      }),
    };
    const pod = (regionName: string) => ({ id: regionName, regionName, azName: 'az', podAzName: '', dcName: '', disabled: false, health: 'up', createdAt: 0, updatedAt: 0 });
    const ranges = new PodVersionRanges({
      pods: async () => [pod('A'), pod('B'), pod('C'), { ...pod('Top'), azName: '' }],
      clients: clients as never,
      cacheMs: 60_000,
      timeoutMs: 100,
    });
    const r = await ranges.range();
    assert.equal(r.max.toString(), '2.60');
    assert.equal(r.min.toString(), '2.1');
    assert.equal(calls, 3, 'the top pod is not asked');
    await ranges.range();
    assert.equal(calls, 3, 'cached');
  });
});

describe('link rewriting (byte level)', () => {
  test('the compute root of a versioned endpoint', () => {
    assert.equal(computeRoot('http://h:8774/v2.1'), 'http://h:8774');
    assert.equal(computeRoot('http://h:8774/v2.1/abc123'), 'http://h:8774');
    assert.equal(computeRoot('https://pod.example/compute/v2.1/'), 'https://pod.example/compute');
  });
  test('pod URLs become gateway URLs; a longer port is not matched', () => {
    const body = Buffer.from('{"a":"http://h:877/v2.1/servers/1","b":"http://h:8774/servers/1","c":"http:\\/\\/h:877\\/x"}');
    const out = rewritePodLinks(body, 'http://h:877', 'http://gw:19998').toString();
    assert.equal(out, '{"a":"http://gw:19998/v2.1/servers/1","b":"http://h:8774/servers/1","c":"http:\\/\\/gw:19998\\/x"}');
    assert.equal(rewritePodUrl('http://h:877/v2.1/servers/1', 'http://h:877', 'http://gw'), 'http://gw/v2.1/servers/1');
    assert.equal(rewritePodUrl('http://h:8774/v2.1', 'http://h:877', 'http://gw'), 'http://h:8774/v2.1');
  });
  test('no match returns the same buffer', () => {
    const body = Buffer.from('{"x":1}');
    assert.equal(replaceAllBytes(body, Buffer.from('zz'), Buffer.from('y')), body);
  });
  test('a string member is replaced whatever the spacing, escapes included', () => {
    const body = Buffer.from('{"OS-EXT-AZ:availability_zone": "nova", "x": {"OS-EXT-AZ:availability_zone":"q\\"uoted"}, "OS-EXT-AZ:availability_zone" : null}');
    const out = replaceJsonStringMember(body, 'OS-EXT-AZ:availability_zone', 'az1').toString();
    assert.deepEqual(JSON.parse(out), { 'OS-EXT-AZ:availability_zone': null, x: { 'OS-EXT-AZ:availability_zone': 'az1' } });
    assert.match(out, /^\{"OS-EXT-AZ:availability_zone": "az1"/);
  });
});

describe('key pairs', () => {
  test('a generated key is a valid OpenSSH key with its MD5 fingerprint', () => {
    const k = generateSshKeypair();
    assert.match(k.publicKey, /^ssh-rsa AAAAB3NzaC1yc2E[A-Za-z0-9+/=]+ Generated-by-Nova$/);
    assert.equal(sshFingerprint(k.publicKey), k.fingerprint);
    assert.match(k.fingerprint, /^([0-9a-f]{2}:){15}[0-9a-f]{2}$/);
    assert.match(k.privateKey, /^-----BEGIN RSA PRIVATE KEY-----/);
  });
  test('garbage is refused', () => {
    assert.throws(() => sshFingerprint('ssh-rsa not-base64!'), /Keypair data is invalid/);
    assert.throws(() => sshFingerprint(`ssh-ed25519 ${Buffer.from('\0\0\0\x07ssh-rsa').toString('base64')}`), /Keypair data is invalid/);
  });
});

describe('server create validation', () => {
  const ok = { server: { name: 'a', flavorRef: '1', imageRef: '9940f163-4746-4446-ac88-ad3677677453', networks: 'none' } };
  test('valid bodies pass; version-gated fields are refused below their version', () => {
    validateBody(serverCreateSchema(ApiVersion.of('2.37')), ok);
    validateBody(serverCreateSchema(ApiVersion.of('2.52')), { server: { ...ok.server, tags: ['x'] } });
    assert.throws(() => validateBody(serverCreateSchema(ApiVersion.of('2.37')), { server: { ...ok.server, tags: ['x'] } }), /'tags' was unexpected/);
    assert.throws(() => validateBody(serverCreateSchema(ApiVersion.of('2.37')), { server: { ...ok.server, networks: [{ port: 'x' }] } }), /port/);
    validateBody(serverCreateSchema(ApiVersion.of('2.1')), { server: { name: 'a', flavorRef: 1 } });
  });
});
