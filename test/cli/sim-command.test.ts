import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { request } from 'undici';
import { entryPointArgv, repoRoot } from '../support/paths.js';

test('tricircle sim starts the simulator, prints its endpoints and stops on SIGTERM', async () => {
  const child = spawn(process.execPath, [...entryPointArgv('src/cli/main'), 'sim', '--pods', 'PodA:azA', '--latency', 'PodA=5'], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no endpoints printed in 60 s: ${out}`)), 60_000);
      child.stdout.on('data', () => {
        if (out.trimEnd().endsWith('}') && out.includes('"pods"')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => reject(new Error(`sim exited with ${code}`)));
    });
    const ready = JSON.parse(out);
    assert.equal(ready.pods[0].region, 'PodA');
    assert.equal(ready.pods[0].az, 'azA');
    const state = await request(`${ready.keystoneUrl}/sim/state`);
    assert.equal(state.statusCode, 200);
    const body = JSON.stringify(await state.body.json());
    assert.match(body, /"latencyMs":5/);
    const nova = await request(`${ready.pods[0].novaUrl}/`);
    assert.ok([200, 300].includes(nova.statusCode));
    await nova.body.dump();
  } finally {
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  }
});
