import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, envName, loadConfig, renderEffectiveConfig, renderSampleConfig } from '../../src/config/index.js';
import { repoRoot } from '../support/paths.js';

function confFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'tricircle-conf-'));
  const path = join(dir, 'tricircle.conf');
  writeFileSync(path, text);
  return path;
}

describe('configuration', () => {
  test('etc/tricircle.conf.sample is generated from the option definitions (run `tricircle config sample > etc/tricircle.conf.sample`)', () => {
    assert.equal(readFileSync(join(repoRoot, 'etc', 'tricircle.conf.sample'), 'utf8'), renderSampleConfig());
  });

  test('defaults apply without a file', () => {
    const { config, sources } = loadConfig({ env: {}, configFile: '/dev/null' });
    assert.equal(config.admin_api.bind_port, 19999);
    assert.equal(config.nova_apigw.bind_port, 19998);
    assert.equal(config.cinder_apigw.bind_port, 19997);
    assert.equal(config.neutron.bind_port, 9696);
    assert.equal(config.database.connection, 'sqlite:///tricircle.sqlite');
    assert.equal(sources['admin_api.bind_port'], 'default');
  });

  test('the INI file is read and typed; environment variables override it', () => {
    const path = confFile('[DEFAULT]\nauth_strategy = noauth\n[admin_api]\nbind_port = 2999\n[client]\nauto_refresh_endpoint = false\npod_timeout = 2.5\n');
    const env = { [envName('database', 'connection')]: 'postgresql://u:secret@db/tricircle', TRICIRCLE_ADMIN_API__BIND_HOST: '0.0.0.0' };
    const { config, sources } = loadConfig({ env, configFile: path });
    assert.equal(config.DEFAULT.auth_strategy, 'noauth');
    assert.equal(config.admin_api.bind_port, 2999);
    assert.equal(config.admin_api.bind_host, '0.0.0.0');
    assert.equal(config.client.auto_refresh_endpoint, false);
    assert.equal(config.client.pod_timeout, 2.5);
    assert.equal(config.database.connection, 'postgresql://u:secret@db/tricircle');
    assert.equal(sources['admin_api.bind_port'], path);
    assert.equal(sources['database.connection'], 'environment TRICIRCLE_DATABASE__CONNECTION');
    assert.equal(envName('database', 'connection'), 'TRICIRCLE_DATABASE__CONNECTION');
  });

  test('a bad value names the option and where it came from', () => {
    const path = confFile('[admin_api]\nbind_port = high\n');
    assert.throws(
      () => loadConfig({ env: {}, configFile: path }),
      (err: Error) => {
        assert.ok(err instanceof ConfigError);
        assert.match(err.message, /\[admin_api\] bind_port/);
        assert.match(err.message, new RegExp(path.replace(/[/.]/g, '\\$&')));
        assert.match(err.message, /integer/);
        return true;
      },
    );
    assert.throws(() => loadConfig({ env: { TRICIRCLE_DEFAULT__AUTH_STRATEGY: 'magic' }, configFile: '/dev/null' }), /TRICIRCLE_DEFAULT__AUTH_STRATEGY.*one of keystone, noauth/);
    assert.throws(() => loadConfig({ env: { TRICIRCLE_ADMIN_API__BIND_PORT: '70000' }, configFile: '/dev/null' }), /<= 65535/);
    assert.throws(() => loadConfig({ env: { TRICIRCLE_CLIENT__AUTO_REFRESH_ENDPOINT: 'perhaps' }, configFile: '/dev/null' }), /true or false/);
    assert.throws(() => loadConfig({ env: {}, configFile: '/nonexistent/tricircle.conf' }), /cannot read config file/);
  });

  test('unknown sections and options are reported as warnings', () => {
    const path = confFile('[admin_api]\ncolour = red\n[nonsense]\na = b\n');
    const { warnings } = loadConfig({ env: {}, configFile: path });
    assert.deepEqual(warnings.sort(), [`unknown option [admin_api] colour in ${path} ignored`, `unknown section [nonsense] in ${path} ignored`]);
  });

  test('config show masks secrets, including passwords inside URLs', () => {
    const loaded = loadConfig({
      env: { TRICIRCLE_DATABASE__CONNECTION: 'mysql+pymysql://root:hunter2@db/tricircle', TRICIRCLE_CLIENT__ADMIN_PASSWORD: 's3cret' },
      configFile: '/dev/null',
    });
    const text = renderEffectiveConfig(loaded.config, loaded.sources);
    assert.doesNotMatch(text, /hunter2|s3cret/);
    assert.match(text, /connection = mysql\+pymysql:\/\/root:\*\*\*@db\/tricircle/);
    assert.match(text, /admin_password = \*\*\*/);
  });
});
