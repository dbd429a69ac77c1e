import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { parse as parseIni } from 'ini';
import { FEATURES_OFF, tempestConf, type TempestSite } from '../../tools/tempest/config.js';
import { excludedBy, parseExcludeList, parseList } from '../../tools/tempest/lists.js';
import { startRelay, type Relay } from '../../tools/tempest/relay.js';
import { markdown, report } from '../../tools/tempest/report.js';
import { areaOf, byArea, parseSubunit, SubunitParseError, summarize } from '../../tools/tempest/subunit.js';
import { repoRoot } from '../support/paths.js';

// The tempest runner's own parts (tools/tempest), without tempest: the tempest.conf it writes, the subunit
// stream it reads (a real one, recorded from `stestr last --subunit` of a run against the embedded cloud),
// its selection files and its relay.

const fixtures = join(repoRoot, 'test', 'tempest', 'fixtures');

const SITE: TempestSite = {
  authUrl: 'http://127.0.0.1:5000/v3',
  region: 'RegionOne',
  admin: { username: 'admin', password: 'secret', projectName: 'admin', domainName: 'Default' },
  imageRef: '11111111-1111-4111-8111-111111111111',
  imageRefAlt: '22222222-2222-4222-8222-222222222222',
  flavorRef: '42',
  flavorRefAlt: '84',
  publicNetworkId: '33333333-3333-4333-8333-333333333333',
  publicNetworkName: 'public',
  networkExtensions: ['external-net', 'router', 'security-group'],
  commonAz: 'az1',
  logDir: '/tmp/tempest-logs',
  computeMicroversions: { min: '2.1', max: '2.79' },
  volumeMicroversions: { min: '3.0', max: '3.70' },
};

describe('tempest.conf', () => {
  const conf = parseIni(tempestConf(SITE)) as Record<string, Record<string, string>>;

  test('points tempest at the top region with dynamic credentials made by the admin', () => {
    assert.equal(conf.identity.uri_v3, SITE.authUrl);
    assert.equal(conf.identity.auth_version, 'v3');
    assert.equal(conf.identity.region, 'RegionOne');
    assert.equal(conf['identity-feature-enabled'].api_v2, false);
    assert.equal(conf.auth.use_dynamic_credentials, true);
    assert.equal(conf.auth.admin_username, 'admin');
    assert.equal(conf.auth.admin_password, 'secret');
    assert.equal(conf.auth.admin_project_name, 'admin');
    assert.equal(conf.auth.admin_domain_name, 'Default');
    for (const section of ['compute', 'network', 'volume', 'image']) assert.equal(conf[section].region, 'RegionOne', section);
  });

  test('names the image, flavors, public network, common AZ and microversions', () => {
    assert.equal(conf.compute.image_ref, SITE.imageRef);
    assert.equal(conf.compute.image_ref_alt, SITE.imageRefAlt);
    assert.equal(conf.compute.flavor_ref, '42');
    assert.equal(conf.compute.flavor_ref_alt, '84');
    assert.equal(conf.compute.compute_volume_common_az, 'az1');
    assert.equal(conf.compute.min_microversion, '2.1');
    assert.equal(conf.compute.max_microversion, '2.79');
    assert.equal(conf.volume.max_microversion, '3.70');
    assert.equal(conf.network.public_network_id, SITE.publicNetworkId);
    assert.equal(conf.network.floating_network_name, 'public');
    assert.equal(conf['network-feature-enabled'].api_extensions, 'external-net,router,security-group');
    assert.equal(conf.compute.catalog_type, 'compute');
    assert.equal(conf.volume.catalog_type, 'volumev3');
  });

  test('switches off every feature the embedded cloud lacks, and only those', () => {
    let off = 0;
    for (const [section, switches] of Object.entries(FEATURES_OFF)) {
      for (const [key, reason] of Object.entries(switches)) {
        assert.equal(conf[section][key], false, `${section}.${key}`);
        assert.ok(reason.length > 10, `${section}.${key} says why`);
        off++;
      }
    }
    assert.equal(conf.validation.run_validation, false);
    const allFalse = Object.values(conf).flatMap((values) => Object.values(values).filter((v) => v === (false as unknown)));
    assert.equal(allFalse.length, off + 2, 'the only other false values are identity api_v2 and project_networks_reachable');
  });

  test('catalog types follow the relay when one is used, and a value with a line break is refused', () => {
    const relayed = parseIni(tempestConf({ ...SITE, catalogTypes: { compute: 'compute-relay', network: 'network-relay', volume: 'volumev3-relay' } }));
    assert.equal(relayed.compute.catalog_type, 'compute-relay');
    assert.equal(relayed.network.catalog_type, 'network-relay');
    assert.equal(relayed.volume.catalog_type, 'volumev3-relay');
    assert.throws(() => tempestConf({ ...SITE, imageRef: 'a\n[auth]' }), /line break/);
  });
});

/** One subunit v2 packet, built as python-subunit writes them (for the error cases). */
function packet(flags: number, body: Buffer): Buffer {
  const length = 1 + 2 + 1 + body.length + 4;
  const head = Buffer.from([0xb3, flags >> 8, flags & 0xff, length]);
  const withoutCrc = Buffer.concat([head, body]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(withoutCrc));
  return Buffer.concat([withoutCrc, crc]);
}

describe('subunit results', () => {
  const stream = readFileSync(join(fixtures, 'keypairs-and-servers.subunit'));

  test('a recorded tempest run reads to one result per test, with skip reasons and failure tracebacks', () => {
    const summary = summarize(parseSubunit(stream));
    const expected = JSON.parse(readFileSync(join(fixtures, 'keypairs-and-servers.expected.json'), 'utf8')) as {
      run: number;
      passed: number;
      skipped: number;
      failed: number;
      failedIds: string[];
      skipped_example: { id: string; reason: string };
    };
    assert.deepEqual([summary.run, summary.passed, summary.skipped, summary.failed], [expected.run, expected.passed, expected.skipped, expected.failed]);
    assert.deepEqual(
      summary.tests.filter((t) => t.outcome === 'failed').map((t) => t.id),
      expected.failedIds,
    );
    for (const t of summary.tests.filter((x) => x.outcome === 'failed')) assert.match(t.detail, /Traceback|Error|Exception/, t.id);
    const skip = summary.tests.find((t) => t.id === expected.skipped_example.id);
    assert.equal(skip?.outcome, 'skipped');
    assert.equal(skip?.detail, expected.skipped_example.reason);
    assert.ok(!summary.tests.some((t) => t.id.endsWith(']')), 'attribute suffixes are stripped');
  });

  test('areas group tests by service and folder, setUpClass by its class', () => {
    assert.equal(areaOf('tempest.api.compute.servers.test_create_server.ServersTestJSON.test_list_servers'), 'compute.servers');
    assert.equal(areaOf('setUpClass (tempest.api.network.test_ports.PortsTestJSON)'), 'network');
    assert.equal(areaOf('tempest.api.volume.test_volumes_get.VolumesGetTest.test_volume_create_get_update_delete'), 'volume');
    assert.equal(areaOf('tempest.api.volume.admin.test_volume_types.VolumeTypesTest.test_x'), 'volume.admin');
    const rows = byArea(summarize(parseSubunit(stream)).tests);
    assert.equal(
      rows.reduce((n, r) => n + r.run, 0),
      summarize(parseSubunit(stream)).run,
    );
    for (const r of rows) assert.equal(r.run, r.passed + r.skipped + r.failed);
  });

  test('the printed report and the Markdown tables carry the same counts and name the failures', () => {
    const summary = summarize(parseSubunit(stream));
    const text = report(summary);
    assert.match(text, new RegExp(`tempest: run ${summary.run}, passed ${summary.passed}, skipped ${summary.skipped}, failed ${summary.failed}$`));
    for (const t of summary.tests.filter((x) => x.outcome === 'failed')) assert.ok(text.includes(`  ${t.id}\n`), t.id);
    const md = markdown(summary);
    assert.ok(md.includes(`| **total** | **${summary.run}** | **${summary.passed}** | **${summary.skipped}** | **${summary.failed}** |`));
    const skipRows = md
      .split('\n')
      .slice(md.split('\n').indexOf('| skipped by tempest because | tests |') + 2)
      .filter((l) => l.startsWith('| '));
    assert.equal(
      skipRows.reduce((n, l) => n + Number(l.split('|').at(-2)), 0),
      summary.skipped,
    );
  });

  test('the Markdown names how the run was made and lists every exclusion of exclude.txt with its reason', () => {
    const summary = summarize(parseSubunit(stream));
    const exclusions = parseExcludeList(readFileSync(join(repoRoot, 'tools', 'tempest', 'exclude.txt'), 'utf8'));
    const md = markdown(summary, { at: '2026-12-07 05:00 UTC', tempestSeconds: 543, concurrency: '3', selection: 'tools/tempest/include.txt' }, exclusions);
    assert.ok(md.startsWith('Run 2026-12-07 05:00 UTC: `tools/tempest/include.txt`, concurrency 3; tempest ran 543 s.'), md.slice(0, 200));
    const rows = md.split('\n').slice(md.split('\n').indexOf('| excluded (tools/tempest/exclude.txt) | why |') + 2);
    assert.equal(rows.filter((l) => l.startsWith('| `')).length, exclusions.length);
    for (const e of exclusions)
      assert.ok(
        rows.some((l) => l.includes(e.reason.replace(/\|/g, '\\|'))),
        e.regex,
      );
  });

  test('a torn stream, a bad checksum or a foreign format is an error, not an empty result', () => {
    assert.throws(() => parseSubunit(stream.subarray(0, stream.length - 3)), SubunitParseError);
    const corrupt = Buffer.from(stream);
    corrupt[10] ^= 0xff;
    assert.throws(() => parseSubunit(corrupt), SubunitParseError);
    assert.throws(() => parseSubunit(Buffer.from('test: foo\nsuccess: foo\n')), SubunitParseError);
    const id = Buffer.from('x.y');
    const ok = packet(0x2000 | 0x0800 | 3, Buffer.concat([Buffer.from([id.length]), id]));
    assert.deepEqual(
      parseSubunit(ok).map((p) => [p.testId, p.status]),
      [['x.y', 'success']],
    );
    const version1 = Buffer.from(ok);
    version1[1] = 0x10 | (version1[1] & 0x0f);
    assert.throws(() => parseSubunit(version1), /version 2/);
  });
});

describe('selection files', () => {
  test('every exclusion in the repository says why', () => {
    const entries = parseExcludeList(readFileSync(join(repoRoot, 'tools', 'tempest', 'exclude.txt'), 'utf8'));
    for (const e of entries) assert.ok(e.reason.length > 0, `line ${e.line}`);
    const include = parseList(readFileSync(join(repoRoot, 'tools', 'tempest', 'include.txt'), 'utf8')).map((e) => e.regex);
    for (const area of ['network', 'compute\\.servers', 'compute\\.flavors', 'compute\\.keypairs', 'compute\\.volumes', 'volume']) {
      assert.ok(
        include.some((r) => r.includes(area)),
        area,
      );
    }
  });

  test('an exclusion without a reason is refused; reasons come from the line or the comment above', () => {
    assert.throws(() => parseExcludeList('^tempest\\.api\\.a\\.b # why\n^tempest\\.api\\.c\n'), /line\(s\) 2/);
    const entries = parseExcludeList('# no consoles in the simulator\n^tempest\\.x\\.console\n^tempest\\.x\\.vnc # vnc too\n\n^tempest\\.y # own\n');
    assert.deepEqual(
      entries.map((e) => [e.regex, e.reason]),
      [
        ['^tempest\\.x\\.console', 'no consoles in the simulator'],
        ['^tempest\\.x\\.vnc', 'vnc too'],
        ['^tempest\\.y', 'own'],
      ],
    );
    assert.equal(excludedBy(entries, 'tempest.x.vnc.Test.test_a')?.reason, 'vnc too');
    assert.equal(excludedBy(entries, 'tempest.z.Test.test_a'), undefined);
    assert.throws(() => parseList('^tempest\\.(\n'), /line 1: not a regular expression/);
  });
});

describe('the empty-body relay', () => {
  let upstream: Server;
  let relay: Relay;
  const seen: { method: string; headers: IncomingHttpHeaders; body: string }[] = [];
  before(async () => {
    upstream = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        seen.push({ method: req.method ?? '', headers: req.headers, body });
        res.writeHead(req.method === 'DELETE' ? 204 : 200, { 'x-openstack-request-id': 'req-1', ...(req.method === 'DELETE' ? {} : { 'content-type': 'application/json' }) });
        res.end(req.method === 'DELETE' ? undefined : JSON.stringify({ echo: body }));
      });
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    relay = await startRelay(`http://127.0.0.1:${(upstream.address() as AddressInfo).port}`);
  });
  after(async () => {
    await relay.close();
    await new Promise<void>((r) => upstream.close(() => r()));
  });

  function send(method: string, path: string, body?: string): Promise<{ status: number; headers: IncomingHttpHeaders; text: string }> {
    return new Promise((resolve, reject) => {
      const req = request(`${relay.url}${path}`, { method, headers: { 'content-type': 'application/json', 'x-auth-token': 't' } }, (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  test('drops Content-Type from a bodiless request only, and passes everything else both ways', async () => {
    const del = await send('DELETE', '/v2.1/servers/abc?x=1');
    assert.equal(del.status, 204);
    assert.equal(seen.at(-1)?.headers['content-type'], undefined);
    assert.equal(seen.at(-1)?.headers['x-auth-token'], 't');
    const post = await send('POST', '/v2.1/servers', '{"server":{}}');
    assert.equal(post.status, 200);
    assert.equal(post.headers['x-openstack-request-id'], 'req-1');
    assert.deepEqual(JSON.parse(post.text), { echo: '{"server":{}}' });
    assert.equal(seen.at(-1)?.headers['content-type'], 'application/json');
    assert.equal(relay.stripped, 1);
  });
});
