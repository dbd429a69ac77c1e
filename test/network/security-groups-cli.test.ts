import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { startSimCluster, type SimCluster } from '../../sim/cluster.js';
import type { RunningTricircle } from '../../src/server.js';
import { createScratchDatabase, type ScratchDatabase } from '../support/databases.js';
import { startTestTricircle } from '../support/tricircle.js';

function findOpenstack(): string | undefined {
  try {
    return execFileSync('sh', ['-c', 'command -v openstack'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

const openstackBin = findOpenstack();

describe('openstack CLI against the top Neutron: security groups', { skip: openstackBin ? false : 'the openstack CLI (python3-openstackclient) is not installed' }, () => {
  let scratch: ScratchDatabase;
  let cluster: SimCluster;
  let tc: RunningTricircle;
  let env: Record<string, string>;

  /** Runs `openstack <args> -f json` as the demo user and parses the output. */
  function os(args: string[], json = true): Promise<any> {
    return new Promise((resolve, reject) => {
      execFile(openstackBin!, json ? [...args, '-f', 'json'] : args, { env, timeout: 60_000 }, (err, stdout, stderr) => {
        if (err) reject(new Error(`openstack ${args.join(' ')} failed: ${stderr || err.message}`));
        else resolve(json ? JSON.parse(stdout) : stdout);
      });
    });
  }

  before(async () => {
    scratch = await createScratchDatabase('sqlite');
    cluster = await startSimCluster({ pods: [{ region: 'Pod1', az: 'az1' }], top: { region: 'RegionOne', endpoints: {} }, buildDelayMs: 0 });
    tc = await startTestTricircle({ databaseUrl: scratch.url, only: ['neutron-api'], authStrategy: 'keystone', keystoneUrl: cluster.keystoneUrl });
    for (const iface of ['public', 'internal', 'admin'] as const) {
      cluster.keystone.addEndpoint({ region: 'RegionOne', serviceType: 'network', serviceName: 'neutron', interface: iface, url: tc.urls['neutron-api'] });
    }
    env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/tmp',
      OS_AUTH_URL: `${cluster.keystoneUrl}/v3`,
      OS_IDENTITY_API_VERSION: '3',
      OS_USERNAME: 'demo',
      OS_PASSWORD: 'password',
      OS_PROJECT_NAME: 'demo',
      OS_USER_DOMAIN_NAME: 'Default',
      OS_PROJECT_DOMAIN_NAME: 'Default',
      OS_REGION_NAME: 'RegionOne',
      OS_INTERFACE: 'public',
    };
  });
  after(async () => {
    await tc?.close();
    await cluster?.close();
    await scratch?.drop();
  });

  test('security group create, rule create/list/delete, show, list, delete', async () => {
    const sg = await os(['security', 'group', 'create', 'web-cli', '--description', 'made by the CLI']);
    assert.equal(sg.name, 'web-cli');
    assert.equal(sg.description, 'made by the CLI');
    assert.match(sg.id, /^[0-9a-f-]{36}$/);

    const rule = await os(['security', 'group', 'rule', 'create', '--protocol', 'tcp', '--dst-port', '22', '--remote-ip', '10.0.0.0/8', 'web-cli']);
    assert.equal(rule.port_range_min, 22);
    assert.equal(rule.port_range_max, 22);
    assert.equal(rule.protocol, 'tcp');
    assert.equal(rule.remote_ip_prefix, '10.0.0.0/8');
    assert.equal(rule.security_group_id, sg.id);
    const icmp = await os(['security', 'group', 'rule', 'create', '--protocol', 'icmp', '--ingress', '--remote-group', 'web-cli', 'web-cli']);
    assert.equal(icmp.remote_group_id, sg.id);

    const rules: any[] = await os(['security', 'group', 'rule', 'list', 'web-cli']);
    assert.equal(rules.length, 4, JSON.stringify(rules));
    assert.ok(
      rules.some((r) => r.ID === rule.id && r['IP Range'] === '10.0.0.0/8'),
      JSON.stringify(rules),
    );
    const all: any[] = await os(['security', 'group', 'rule', 'list']);
    assert.ok(all.some((r) => r.ID === icmp.id));

    await os(['security', 'group', 'rule', 'delete', rule.id], false);
    const after = await os(['security', 'group', 'rule', 'list', 'web-cli']);
    assert.equal(after.length, 3);

    const shown = await os(['security', 'group', 'show', 'web-cli']);
    assert.equal(shown.id, sg.id);
    const groups: any[] = await os(['security', 'group', 'list']);
    assert.deepEqual(groups.map((g) => g.Name).sort(), ['default', 'web-cli']);

    await os(['security', 'group', 'set', 'web-cli', '--name', 'web-cli-2', '--description', 'renamed'], false);
    assert.equal((await os(['security', 'group', 'show', 'web-cli-2'])).description, 'renamed');
    await os(['security', 'group', 'delete', 'web-cli-2'], false);
    assert.deepEqual(
      (await os(['security', 'group', 'list'])).map((g: any) => g.Name),
      ['default'],
    );
  });
});
