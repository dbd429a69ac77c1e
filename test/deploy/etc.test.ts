import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/index.js';
import { repoRoot } from '../support/paths.js';
import { haproxyBinary } from './processes.js';

/** The deployment samples of etc/ (docs/operations.md): valid, and consistent with each other. */

const etc = join(repoRoot, 'etc');
const instancesDir = join(etc, 'systemd', 'instances');

function instances(): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  for (const file of readdirSync(instancesDir).filter((f) => f.endsWith('.env'))) {
    const vars = Object.fromEntries(
      readFileSync(join(instancesDir, file), 'utf8')
        .split('\n')
        .filter((l) => l.includes('=') && !l.startsWith('#'))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    out.set(file.replace(/\.env$/, ''), vars);
  }
  return out;
}

describe('etc/: the deployment samples', () => {
  test('the HAProxy sample is valid', { skip: haproxyBinary ? false : 'haproxy is not installed' }, () => {
    const out = execFileSync(haproxyBinary!, ['-c', '-f', join(etc, 'haproxy', 'tricircle.cfg')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    assert.match(out, /Configuration file is valid/);
  });

  test('every HTTP process of the systemd instances is a server of its HAProxy backend, on its port', () => {
    const cfg = readFileSync(join(etc, 'haproxy', 'tricircle.cfg'), 'utf8');
    const servers = new Map([...cfg.matchAll(/^\s+server (\S+) 127\.0\.0\.1:(\d+) check$/gm)].map((m) => [m[1], m[2]]));
    const httpInstances = [...instances()].filter(([, vars]) => vars.TRICIRCLE_SERVICE !== 'xjob');
    assert.equal(httpInstances.length, 8);
    for (const [name, vars] of httpInstances) {
      const port = Object.entries(vars).find(([k]) => k.endsWith('__BIND_PORT'))?.[1];
      assert.ok(port, `${name} sets its port`);
      assert.equal(servers.get(name), port, `${name} is in haproxy on port ${port}`);
      assert.ok(name.startsWith(`${vars.TRICIRCLE_SERVICE}-`), `${name} runs ${vars.TRICIRCLE_SERVICE}`);
      // The variable names a real option: loading it changes the listener.
      const section = Object.keys(vars).find((k) => k.endsWith('__BIND_PORT'))!;
      const loaded = loadConfig({ env: { [section]: port! }, configFile: '/dev/null' });
      assert.deepEqual(loaded.warnings, []);
    }
    assert.equal(servers.size, httpInstances.length, 'no haproxy server without its instance file');
  });

  test('tricircle.target starts every instance, and every instance has its file', () => {
    const target = readFileSync(join(etc, 'systemd', 'tricircle.target'), 'utf8');
    const wanted = [...target.matchAll(/tricircle@(\S+)\.service/g)].map((m) => m[1]).sort();
    assert.deepEqual(wanted, [...instances().keys()].sort());
    const unit = readFileSync(join(etc, 'systemd', 'tricircle@.service'), 'utf8');
    assert.match(unit, /^EnvironmentFile=\/etc\/tricircle\/instances\/%i\.env$/m);
    assert.match(unit, /^ExecStart=\/usr\/bin\/tricircle --config-file \/etc\/tricircle\/tricircle\.conf serve --only \$\{TRICIRCLE_SERVICE\}$/m);
  });

  test('the distributed configuration example loads without warnings', () => {
    const { config, warnings } = loadConfig({ configFile: join(etc, 'tricircle.conf.distributed-example'), env: {} });
    assert.deepEqual(warnings, []);
    assert.equal(config.database.auto_migrate, false);
    assert.match(config.xjob.transport_url, /^rabbit:\/\//);
    assert.match(config.database.connection, /^postgresql:\/\//);
    assert.equal(config.nova_apigw.public_url, 'https://cloud.example.net:19998');
  });
});
