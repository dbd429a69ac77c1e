import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/cli.js';
import { OPENSTACK_MISSING, openstack, openstackCli } from '../support/openstack.js';
import { entryPointArgv, repoRoot } from '../support/paths.js';

function parseOpenrc(text: string): Record<string, string> {
  return Object.fromEntries([...text.matchAll(/^export (\w+)=(.*)$/gm)].map((m) => [m[1], m[2]]));
}

describe('the one-command demo (npm start)', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'tricircle-demo-'));
  let demo: ChildProcess;
  let output = '';
  after(() => {
    if (demo && demo.exitCode === null) demo.kill('SIGKILL');
    rmSync(stateDir, { recursive: true, force: true });
  });

  test('starts the simulator and Tricircle, registers pods, seeds flavors and prints an openrc', async () => {
    demo = spawn(process.execPath, [...entryPointArgv('src/cli/main'), 'demo', '--state-dir', stateDir], {
      cwd: repoRoot,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/tmp',
        // Ephemeral ports, so the test never collides with a running Tricircle.
        TRICIRCLE_ADMIN_API__BIND_PORT: '0',
        TRICIRCLE_NOVA_APIGW__BIND_PORT: '0',
        TRICIRCLE_CINDER_APIGW__BIND_PORT: '0',
        TRICIRCLE_NEUTRON__BIND_PORT: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    demo.stdout!.on('data', (d) => (output += d));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`demo not ready in 90 s:\n${output}`)), 90_000);
      demo.stdout!.on('data', () => {
        if (output.includes('Stop with Ctrl-C.')) {
          clearTimeout(timer);
          resolve();
        }
      });
      demo.once('exit', (code) => reject(new Error(`demo exited with ${code}:\n${output}`)));
    });
    assert.match(output, /registered pods: RegionOne \(top\), Pod1 \(az1\), Pod2 \(az2\)/);
    assert.match(output, /export OS_REGION_NAME=RegionOne/);
    const rc = parseOpenrc(readFileSync(join(stateDir, 'openrc'), 'utf8'));
    assert.equal(rc.OS_USERNAME, 'admin');
    assert.match(rc.OS_AUTH_URL, /^http:\/\/127\.0\.0\.1:\d+\/v3$/);

    const pods = await runCli(['pod', 'list', '-f', 'json'], rc);
    assert.equal(pods.code, 0, pods.stderr);
    assert.deepEqual(
      JSON.parse(pods.stdout).map((p: { region_name: string }) => p.region_name),
      ['Pod1', 'Pod2', 'RegionOne'],
    );
  });

  test('the real openstack CLI works with the printed variables', { skip: openstackCli ? false : OPENSTACK_MISSING }, async () => {
    const rc = parseOpenrc(readFileSync(join(stateDir, 'openrc'), 'utf8'));
    const creds = { authUrl: rc.OS_AUTH_URL };
    const endpoints = await openstack(creds, ['endpoint', 'list', '-f', 'json']);
    assert.equal(endpoints.code, 0, endpoints.stderr);
    const list = JSON.parse(endpoints.stdout) as { Region: string; 'Service Type': string }[];
    assert.ok(list.some((e) => e.Region === 'RegionOne' && e['Service Type'] === 'tricircle'));
    for (const region of ['Pod1', 'Pod2']) {
      const flavors = await openstack({ ...creds, regionName: region }, ['flavor', 'list', '-f', 'json']);
      assert.equal(flavors.code, 0, flavors.stderr);
      const names = (JSON.parse(flavors.stdout) as { Name: string }[]).map((f) => f.Name);
      for (const name of ['m1.tiny', 'm1.small', 'm1.medium', 'm1.large', 'm1.xlarge']) assert.ok(names.includes(name), `${name} in ${region}`);
    }
    const images = await openstack(creds, ['image', 'list', '-f', 'json']);
    assert.equal(images.code, 0, images.stderr);
    assert.ok((JSON.parse(images.stdout) as { Name: string }[]).some((i) => i.Name === 'cirros-0.6.2-x86_64-disk'));
  });

  test('tricircle pod check with the configuration the demo wrote: every check of every pod passes', async () => {
    const res = await runCli(['--config-file', join(stateDir, 'tricircle.conf'), 'pod', 'check', '-f', 'json'], {});
    assert.equal(res.code, 0, `${res.stdout}\n${res.stderr}`);
    const reports = JSON.parse(res.stdout) as { pod: string; ok: boolean; checks: { check: string; result: string; detail: string }[] }[];
    assert.deepEqual(
      reports.map((r) => r.pod),
      ['Pod1', 'Pod2', 'RegionOne'],
    );
    for (const r of reports) for (const c of r.checks) assert.equal(c.result, 'pass', `${r.pod} ${c.check}: ${c.detail}`);
    assert.ok(reports[0].checks.some((c) => c.check === 'physnet bridge 2001-3000'));
  });

  test('stops cleanly on SIGTERM', async () => {
    const exited = new Promise<number | null>((resolve) => demo.once('exit', (code) => resolve(code)));
    demo.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.match(output, /stopping/);
  });
});
