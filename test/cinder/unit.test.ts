import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../src/common/errors.js';
import { BodyValidator, CINDER_STYLE, Microversion, negotiateMicroversion, requestedMicroversion } from '../../src/gateway/index.js';
import { VERSION_RANGE } from '../../src/cinder/versions.js';
import { LinkRewriter, serviceRoot } from '../../src/cinder/relay.js';
import { mergeAbsoluteLimits, mergeQuotaSets, tighterLimit } from '../../src/cinder/quotas/merge.js';
import { parseSort } from '../../src/cinder/volumes/list.js';
import { VolumeCreate } from '../../src/cinder/volumes/schemas.js';

// Cinder's negotiation and create-body check, as the gateway kit does them.
const negotiate = (header: string | undefined) => negotiateMicroversion(header === undefined ? {} : { 'openstack-api-version': header }, { serviceType: 'volume' }, VERSION_RANGE);
const requestedVolumeVersion = (header: string) => requestedMicroversion({ 'openstack-api-version': header }, { serviceType: 'volume' });
const checkVolumeCreate = new BodyValidator(CINDER_STYLE).compile(VolumeCreate);
const validateBody = (version: string, body: unknown) => checkVolumeCreate(body, Microversion.of(version));

const statusOf = (fn: () => unknown): number | undefined => {
  try {
    fn();
    return undefined;
  } catch (err) {
    return err instanceof ApiError ? err.status : -1;
  }
};

describe('Cinder gateway units', () => {
  test('microversions: default 3.0, latest, other services ignored, 400 malformed, 406 out of range', () => {
    assert.equal(negotiate(undefined).toString(), '3.0');
    assert.equal(negotiate('volume latest').toString(), '3.70');
    assert.equal(negotiate('compute 2.90, volume 3.44').toString(), '3.44');
    assert.equal(requestedVolumeVersion('compute 2.1'), undefined);
    assert.equal(
      statusOf(() => negotiate('volume 3.x')),
      400,
    );
    assert.equal(
      statusOf(() => negotiate('volume 3.71')),
      406,
    );
    assert.equal(
      statusOf(() => negotiate('volume 2.0')),
      406,
    );
  });

  test('sort parameters: Cinder pairing, defaults appended in the first direction, errors', () => {
    assert.deepEqual(parseSort(undefined, undefined, undefined), [
      { key: 'created_at', dir: 'desc' },
      { key: 'id', dir: 'desc' },
    ]);
    assert.deepEqual(parseSort('name:asc,size', undefined, undefined), [
      { key: 'name', dir: 'asc' },
      { key: 'size', dir: 'desc' },
      { key: 'created_at', dir: 'asc' },
      { key: 'id', dir: 'asc' },
    ]);
    assert.deepEqual(
      parseSort(undefined, 'display_name', 'asc').map((k) => k.key),
      ['name', 'created_at', 'id'],
    );
    assert.equal(
      statusOf(() => parseSort('name', 'size', undefined)),
      400,
    );
    assert.equal(
      statusOf(() => parseSort('nope:asc', undefined, undefined)),
      400,
    );
    assert.equal(
      statusOf(() => parseSort('name:up', undefined, undefined)),
      400,
    );
  });

  test('links: the pod root becomes the gateway root, never a longer port, /v2 for v2 clients', () => {
    assert.equal(serviceRoot('http://pod:8776/v3/abc'), 'http://pod:8776');
    assert.equal(serviceRoot('https://pod/volume/v3/abc/'), 'https://pod/volume');
    const r = new LinkRewriter('http://10.0.0.1:876/v3/p', 'http://gw:19997', 'v3');
    const body = '{"a":"http://10.0.0.1:876/v3/p/volumes/1","b":"http://10.0.0.1:8765/x","c":"http:\\/\\/10.0.0.1:876\\/p\\/volumes\\/1"}';
    assert.equal(r.text(body), '{"a":"http://gw:19997/v3/p/volumes/1","b":"http://10.0.0.1:8765/x","c":"http://gw:19997\\/p\\/volumes\\/1"}');
    const v2 = new LinkRewriter('http://10.0.0.1:876/v3/p', 'http://gw:19997', 'v2');
    assert.equal(v2.text('"http://10.0.0.1:876/v3/p/volumes/1"'), '"http://gw:19997/v2/p/volumes/1"');
    const buf = Buffer.from('{"x":1}');
    assert.equal(r.bytes(buf), buf, 'untouched bodies are not copied');
  });

  test('create schema: Cinder messages, additional properties allowed before 3.53 only', () => {
    const v = (version: string) => version;
    assert.doesNotThrow(() => validateBody(v('3.0'), { volume: { size: 1, anything: true } }));
    assert.throws(() => validateBody(v('3.53'), { volume: { size: 1, anything: true } }), /Additional properties are not allowed \('anything' was unexpected\)/);
    assert.throws(() => validateBody(v('3.0'), { volume: { size: 'x' } }), /Invalid input for field\/attribute size\. Value: x\. 'x' does not match/);
    assert.throws(() => validateBody(v('3.0'), { volume: { size: 1, metadata: { 'bad key!': 'v' } } }), /does not match any of the regexes/);
    assert.throws(() => validateBody(v('3.0'), {}), /'volume' is a required property/);
    assert.doesNotThrow(() => validateBody(v('3.0'), { volume: { size: '3', name: null, source_volid: null } }));
  });

  test('quota merge: tightest limit (-1 is unlimited), summed usage', () => {
    assert.equal(tighterLimit(-1, 5), 5);
    assert.equal(tighterLimit(3, 5), 3);
    assert.equal(tighterLimit(-1, -1), -1);
    assert.deepEqual(
      mergeAbsoluteLimits([
        { maxTotalVolumes: 10, totalVolumesUsed: 2 },
        { maxTotalVolumes: -1, totalVolumesUsed: 3 },
      ]),
      { maxTotalVolumes: 10, totalVolumesUsed: 5 },
    );
    assert.deepEqual(
      mergeQuotaSets(
        [
          { id: 'p', volumes: { in_use: 1, limit: 10, reserved: 0 }, gigabytes: 100 },
          { id: 'p', volumes: { in_use: 2, limit: 8, reserved: 1 }, gigabytes: -1 },
        ],
        'p',
      ),
      { gigabytes: 100, volumes: { in_use: 3, limit: 8, reserved: 1 }, id: 'p' },
    );
  });
});
