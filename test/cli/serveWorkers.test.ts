import { spawn } from 'node:child_process';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createScratchDatabase } from '../support/databases.js';
import { entryPointArgv, repoRoot } from '../support/paths.js';

test('serve --workers 2: two worker processes answer on one shared port, SIGTERM stops them all', { timeout: 120_000 }, async () => {
  const scratch = await createScratchDatabase('sqlite');
  const child = spawn(process.execPath, [...entryPointArgv('src/cli/main'), 'serve', '--only', 'admin-api', '--workers', '2'], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      TRICIRCLE_DATABASE__CONNECTION: scratch.url,
      TRICIRCLE_DEFAULT__AUTH_STRATEGY: 'noauth',
      TRICIRCLE_ADMIN_API__BIND_HOST: '127.0.0.1',
      TRICIRCLE_ADMIN_API__BIND_PORT: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.resume();
    const urls = await new Promise<string[]>((resolve, reject) => {
      const check = () => {
        const found = [...stdout.matchAll(/admin-api listening on (\S+)/g)].map((m) => m[1]);
        if (found.length >= 2) resolve(found);
      };
      child.stdout.on('data', check);
      child.once('exit', (code) => reject(new Error(`serve exited (${code}) before two workers listened: ${stdout}`)));
    });
    assert.equal(urls[0], urls[1], 'both workers listen on the same port');
    const res = await fetch(`${urls[0]}/`);
    assert.equal(res.status, 200);
    await res.arrayBuffer();
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.match(stdout, /stopping workers/);
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await scratch.drop();
  }
});
