import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createScratchDatabase } from '../support/databases.js';
import { entryPointArgv, repoRoot, runningFromDist } from '../support/paths.js';

const recorder = join(repoRoot, ...(runningFromDist ? ['dist', 'test', 'cli', 'fixtures', 'recordModules.js'] : ['test', 'cli', 'fixtures', 'recordModules.ts']));

/**
 * Runs `tricircle serve [--only …]` with a loader hook that records every file module loaded, waits
 * until each HTTP service listens, kills it, and returns the project's own source modules loaded
 * (paths under src/, e.g. `nova/module`), once each.
 */
async function loadedModules(only: string[], listening: string[]): Promise<string[]> {
  const scratch = await createScratchDatabase('sqlite');
  const dir = mkdtempSync(join(tmpdir(), 'tc-modules-'));
  const log = join(dir, 'modules.log');
  const args = only.length > 0 ? ['--only', ...only] : [];
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    TRICIRCLE_TEST_MODULE_LOG: log,
    TRICIRCLE_DATABASE__CONNECTION: scratch.url,
    TRICIRCLE_DEFAULT__AUTH_STRATEGY: 'noauth',
  };
  for (const section of ['ADMIN_API', 'NOVA_APIGW', 'CINDER_APIGW', 'NEUTRON']) {
    env[`TRICIRCLE_${section}__BIND_HOST`] = '127.0.0.1';
    env[`TRICIRCLE_${section}__BIND_PORT`] = '0';
  }
  const child = spawn(process.execPath, ['--import', recorder, ...entryPointArgv('src/cli/main'), 'serve', ...args], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d) => {
        stdout += d;
        if (listening.every((s) => stdout.includes(`${s} listening on `))) resolve();
      });
      child.once('exit', (code) => reject(new Error(`serve exited (${code}) before listening: ${stdout}${stderr}`)));
    });
    // Every module is recorded as it loads, so the log is complete once the services listen.
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
    const src = `${join(repoRoot, ...(runningFromDist ? ['dist', 'src'] : ['src']))}/`;
    const files = readFileSync(log, 'utf8')
      .split('\n')
      .filter((u) => u.startsWith('file:'))
      .map((u) => decodeURIComponent(new URL(u).pathname))
      .filter((p) => p.startsWith(src))
      .map((p) => p.slice(src.length).replace(/\.(js|ts)$/, ''));
    return [...new Set(files)].sort();
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    await scratch.drop();
  }
}

const inFolder = (files: string[], folder: string) => files.filter((f) => f.startsWith(`${folder}/`));

test('serve loads only the modules of the services it runs', { timeout: 180_000 }, async (t) => {
  const all = await loadedModules([], ['admin-api', 'neutron-api', 'nova-apigw', 'cinder-apigw']);
  const nova = await loadedModules(['nova-apigw'], ['nova-apigw']);
  const cinder = await loadedModules(['cinder-apigw'], ['cinder-apigw']);
  t.diagnostic(`own modules loaded: all ${all.length}, --only nova-apigw ${nova.length}, --only cinder-apigw ${cinder.length}`);

  // Every service, as `npm start` runs it: every module is there.
  for (const folder of ['admin', 'nova', 'cinder', 'network', 'wiring', 'imagecopy', 'xjob']) assert.ok(inFolder(all, folder).length > 0, `all services load src/${folder}`);

  // Nova's gateway keeps what its requests use (networking for the boot path, image copies, the job
  // service to enqueue its cleanup jobs) and nothing of Cinder or the Admin API.
  for (const folder of ['nova', 'network', 'wiring', 'imagecopy', 'xjob']) assert.ok(inFolder(nova, folder).length > 0, `nova-apigw loads src/${folder}`);
  assert.deepEqual(inFolder(nova, 'cinder'), []);
  assert.deepEqual(inFolder(nova, 'admin'), []);
  assert.ok(nova.length < all.length);

  // Cinder's gateway needs none of the Nova, networking, wiring, image-copy or Admin modules.
  assert.ok(inFolder(cinder, 'cinder').length > 0);
  for (const folder of ['nova', 'network', 'wiring', 'imagecopy', 'admin']) assert.deepEqual(inFolder(cinder, folder), [], `cinder-apigw loads no src/${folder}`);
  assert.ok(cinder.length < nova.length);
});
