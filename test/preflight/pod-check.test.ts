import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { startSimCluster, type SimCluster } from '../../sim/cluster.js';
import { fetchSimToken } from '../../sim/common/token.js';
import { PodClientFactory } from '../../src/bottom/index.js';
import { EndpointResolver } from '../../src/identity/index.js';
import { isTopPod } from '../../src/pods/index.js';
import { checkPods, CurrentCatalogStore, preflightSettings } from '../../src/preflight/index.js';
import type { RunningTricircle } from '../../src/server.js';
import { runCli, type CliResult } from '../support/cli.js';
import { createScratchDatabase, describeEachDatabase, type ScratchDatabase } from '../support/databases.js';
import { http } from '../support/http.js';
import { startTestTricircle } from '../support/tricircle.js';

/**
 * `tricircle pod check` against simulated pods set up the way docs/operations.md says, and against
 * pods that are not: Pod1 knows every physical network and got the top's images copied by hand;
 * Pod2's ML2 knows only `bridge` and its own Glance lacks the top's images.
 */

type Check = { check: string; result: string; detail: string };
type Report = { pod: string; ok: boolean; checks: Check[] };

const VLAN_RANGES = ['bridge:2001:3000', 'extern:3001:4000'];

describeEachDatabase('tricircle pod check', (dialect) => {
  let cluster: SimCluster;
  let scratch: ScratchDatabase;
  let tc: RunningTricircle;
  let token: string;
  let topImage: { id: string; name: string };
  let env: Record<string, string>;

  const pod = (region: string) => cluster.pods.find((p) => p.region === region)!;
  const check = (args: string[]): Promise<CliResult> => runCli(['pod', 'check', ...args], env);
  const checkJson = async (args: string[]): Promise<{ code: number; reports: Report[]; stderr: string }> => {
    const res = await check([...args, '-f', 'json']);
    return { code: res.code, reports: JSON.parse(res.stdout || '[]'), stderr: res.stderr };
  };
  const byName = (report: Report) => Object.fromEntries(report.checks.map((c) => [c.check, c]));

  /** What an operator does when pods have their own Glance: copy each image under the same id. */
  async function copyImage(id: string, glanceUrl: string): Promise<void> {
    const source = (await http('GET', `${cluster.glanceUrl}/v2/images/${id}`, { token })).body;
    const { name, disk_format, container_format, visibility } = source;
    const created = await http('POST', `${glanceUrl}/v2/images`, { token, body: { id, name, disk_format, container_format, visibility } });
    assert.equal(created.status, 201, created.text);
    const data = await request(`${cluster.glanceUrl}/v2/images/${id}/file`, { headers: { 'x-auth-token': token } });
    const put = await request(`${glanceUrl}/v2/images/${id}/file`, {
      method: 'PUT',
      headers: { 'x-auth-token': token, 'content-type': 'application/octet-stream' },
      body: Buffer.from(await data.body.arrayBuffer()),
    });
    assert.equal(put.statusCode, 204);
  }

  before(async () => {
    cluster = await startSimCluster({
      pods: [
        { region: 'Pod1', az: 'az1' },
        { region: 'Pod2', az: 'az2', physicalNetworks: ['bridge'] },
      ],
      top: { region: 'RegionOne', endpoints: {} },
      glancePerPod: true,
    });
    scratch = await createScratchDatabase(dialect);
    tc = await startTestTricircle({
      databaseUrl: scratch.url,
      authStrategy: 'keystone',
      keystoneUrl: cluster.keystoneUrl,
      only: ['admin-api', 'neutron-api', 'nova-apigw', 'cinder-apigw'],
      // External networks are left for first use, so one can point at a physnet its pod lacks.
      extra: { tricircle: { network_vlan_ranges: VLAN_RANGES, external_network_copy_at_create: false } },
    });
    const top: [string, string, string][] = [
      ['compute', 'nova', `${tc.urls['nova-apigw']}/v2.1`],
      ['volumev3', 'cinderv3', `${tc.urls['cinder-apigw']}/v3/$(project_id)s`],
      ['network', 'neutron', tc.urls['neutron-api']!],
      ['tricircle', 'tricircle', `${tc.urls['admin-api']}/v1.0`],
    ];
    for (const [serviceType, serviceName, url] of top) cluster.keystone.addEndpoint({ region: 'RegionOne', serviceType, serviceName, interface: 'public', url });
    await tc.core.pods.create({ regionName: 'RegionOne' });
    for (const p of cluster.pods) await tc.core.pods.create({ regionName: p.region, azName: p.az, podAzName: p.az });
    token = (await fetchSimToken(cluster.keystoneUrl, { project: 'admin' })).token;
    topImage = (await http('GET', `${cluster.glanceUrl}/v2/images`, { token })).body.images[0];
    await copyImage(topImage.id, pod('Pod1').glanceUrl);
    for (const region of ['Pod1', 'Pod2']) {
      const res = await http('POST', `${tc.urls['neutron-api']}/v2.0/networks`, {
        token,
        body: {
          network: { name: `ext-${region}`, 'router:external': true, 'provider:network_type': 'vlan', 'provider:physical_network': 'extern', availability_zone_hints: [region] },
        },
      });
      assert.equal(res.status, 201, res.text);
    }
    const v3 = `${cluster.keystoneUrl}/v3`;
    env = {
      TRICIRCLE_DATABASE__CONNECTION: scratch.url,
      TRICIRCLE_KEYSTONE_AUTHTOKEN__AUTH_URL: v3,
      TRICIRCLE_CLIENT__AUTH_URL: v3,
      TRICIRCLE_CLIENT__ADMIN_PASSWORD: 'password',
      TRICIRCLE_TRICIRCLE__NETWORK_VLAN_RANGES: VLAN_RANGES.join(','),
    };
  });
  after(async () => {
    await tc?.close();
    await cluster?.close();
    await scratch?.drop();
  });

  /** The checks in this process, wired as the CLI wires them (for cases whose exit status is covered above). */
  async function checkInProcess(region: string, copiesImages = false): Promise<Report> {
    const pods = await tc.core.pods.list();
    const target = pods.find((p) => p.regionName === region)!;
    const top = pods.find(isTopPod)!;
    const endpoints = new EndpointResolver({ serviceAuth: tc.core.identity.serviceAuth, store: new CurrentCatalogStore(tc.core.endpoints) });
    const clients = new PodClientFactory({ endpoints, serviceAuth: tc.core.identity.serviceAuth, timeoutMs: 10_000 });
    try {
      const [report] = await checkPods(
        [{ id: target.id, regionName: target.regionName, isTop: isTopPod(target) }],
        { top, bottomPodCount: pods.length - 1 },
        {
          endpoints,
          clients,
          serviceAuth: tc.core.identity.serviceAuth,
          settings: { ...preflightSettings(tc.core.config, 10_000), copiesImages },
        },
      );
      return report;
    } finally {
      await clients.close();
    }
  }

  test('a pod configured as the guide says passes every check (exit 0), and no probe network is left behind', async () => {
    const { code, reports, stderr } = await checkJson(['Pod1']);
    assert.equal(code, 0, stderr);
    assert.equal(reports.length, 1);
    const [report] = reports;
    assert.equal(report.ok, true);
    assert.deepEqual(
      report.checks.map((c) => c.check),
      [
        'service account',
        'compute API',
        'volume API',
        'network API',
        'image API',
        'admin rights',
        'physnet bridge 2001-3000',
        'physnet extern 3001-4000',
        'external networks',
        'images',
      ],
    );
    for (const c of report.checks) assert.equal(c.result, 'pass', `${c.check}: ${c.detail}`);
    const checks = byName(report);
    assert.match(checks['compute API'].detail, /v2\.1, microversions 2\.1–2\.\d+/);
    assert.match(checks['physnet bridge 2001-3000'].detail, /vlan 3000 on bridge network created and deleted/);
    assert.match(checks['external networks'].detail, /ext-Pod1 \(vlan on extern\)/);
    assert.match(checks.images.detail, /all 1 image\(s\)/);
    const left = await http('GET', `${pod('Pod1').neutronUrl}/v2.0/networks`, { token });
    assert.deepEqual(left.body.networks, [], 'the probes deleted their networks');
  });

  test('every pod at once: an unknown physnet, an external network on it and missing images fail by name (exit 1)', async () => {
    const res = await check([]);
    assert.equal(res.code, 1, res.stderr);
    for (const name of ['compute API', 'volume API', 'network API', 'image API']) assert.match(res.stdout, new RegExp(`\\| RegionOne +\\| ${name} +\\| pass +\\|`));
    assert.doesNotMatch(res.stdout, /\| Pod1 +\|[^|]+\| fail/);
    assert.match(res.stdout, /\| Pod2 +\| physnet bridge 2001-3000 +\| pass +\|/);
    assert.match(
      res.stdout,
      /\| Pod2 +\| physnet extern 3001-4000 +\| fail +\| the pod refused a vlan 4000 on extern network: Invalid input for operation: physical_network 'extern' unknown for VLAN provider network/,
    );
    assert.match(res.stdout, /\| Pod2 +\| external networks +\| fail +\| ext-Pod2 \(vlan on extern\): /);
    assert.match(
      res.stdout,
      new RegExp(`\\| Pod2 +\\| images +\\| fail +\\| 1 of the top's 1 image\\(s\\) are not in the pod's Glance under the same id: ${topImage.name} \\(${topImage.id}\\)`),
    );
    assert.match(res.stdout, /FAILED: Pod2\n$/);
  });

  test('an unknown pod is an error', async () => {
    const unknown = await check(['Pod9']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no pod with id or region name Pod9/);
  });

  test('with [images] mode = copy, a missing image is only a warning: the first boot copies it', async () => {
    const report = await checkInProcess('Pod2', true);
    assert.equal(byName(report).images.result, 'warn');
    assert.match(byName(report).images.detail, /copied on first boot/);
  });

  test('once the image is copied under the same id, the images check passes', async () => {
    await copyImage(topImage.id, pod('Pod2').glanceUrl);
    const report = await checkInProcess('Pod2');
    assert.equal(byName(report).images.result, 'pass', byName(report).images.detail);
    assert.equal(byName(report)['physnet extern 3001-4000'].result, 'fail');
  });

  test('a wrong endpoint fails its API check; the other services are still checked', async () => {
    const pod1 = (await tc.core.pods.list()).find((p) => p.regionName === 'Pod1')!;
    await tc.core.endpoints.setOverride(pod1.id, 'compute', 'http://127.0.0.1:9/v2.1');
    try {
      const report = await checkInProcess('Pod1');
      assert.equal(report.ok, false);
      const checks = byName(report);
      assert.equal(checks['compute API'].result, 'fail');
      assert.match(checks['compute API'].detail, /^http:\/\/127\.0\.0\.1:9\/v2\.1\/ does not answer: ECONNREFUSED$/);
      assert.equal(checks['admin rights'].result, 'pass');
      assert.match(checks['admin rights'].detail, /admin in Cinder, Neutron$/);
      assert.equal(checks['network API'].result, 'pass');
    } finally {
      await tc.core.endpoints.setOverride(pod1.id, 'compute', null);
    }
  });
});
