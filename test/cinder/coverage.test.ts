import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openstackApiDir } from '../support/paths.js';
import { startCinderEnv, type CinderEnv } from './support.js';

/**
 * The share of upstream's block-storage routes (../shared/openstack-api/cinder/ROUTES.tsv) that the
 * built gateway's route table serves. Every row with a method and a path counts once (rows of one
 * action URL count once each, as upstream documents each action separately). Rows without a path
 * are left out. One correction: upstream's reference spells the show-one-snapshot-metadata-key URL
 * `/snapshot/{id}/metadata/{key}` (singular) while Cinder serves `/snapshots/...`; the served path
 * is checked.
 */
export function upstreamRoutes(): { group: string; method: string; path: string }[] {
  const text = readFileSync(join(openstackApiDir, 'cinder', 'ROUTES.tsv'), 'utf8');
  const out: { group: string; method: string; path: string }[] = [];
  for (const line of text.split('\n')) {
    const [group, route] = line.split('\t');
    const m = /^(GET|POST|PUT|DELETE|PATCH)\s+(\S+)$/.exec((route ?? '').trim());
    if (!m) continue;
    let path = m[2].startsWith('/') ? m[2] : `/${m[2]}`;
    path = path.replace('/snapshot/{snapshot_id}/', '/snapshots/{snapshot_id}/');
    out.push({ group, method: m[1], path });
  }
  return out;
}

/** `{project_id}` and friends as route parameters; a trailing slash dropped (`/v3/default-types/`). */
function asRoutePattern(path: string): string {
  const p = path.replace(/\{[^}]+\}/g, (_, i) => `:p${i}`);
  return p.length > 1 ? p.replace(/\/+$/, '') || '/' : p;
}

describe('Cinder gateway: coverage of upstream block-storage routes', () => {
  let env: CinderEnv;

  before(async () => {
    env = await startCinderEnv();
  });
  after(async () => {
    await env?.close();
  });

  test('at least 75 % of ROUTES.tsv is in the gateway route table', () => {
    const app = env.tc.apps['cinder-apigw'];
    assert.ok(app, 'the cinder-apigw app is running');
    const routes = upstreamRoutes();
    assert.equal(routes.length, 183, 'ROUTES.tsv rows with a method and path');
    const served = routes.filter((r) => app.hasRoute({ method: r.method as 'GET', url: asRoutePattern(r.path) }));
    const missing = routes.filter((r) => !served.includes(r));
    const share = served.length / routes.length;
    const missingGroups = [...new Set(missing.map((r) => `${r.group} ${r.method} ${r.path}`))];
    console.log(`served ${served.length}/${routes.length} = ${(share * 100).toFixed(1)} %; not served:\n  ${missingGroups.join('\n  ')}`);
    assert.ok(share >= 0.75, `served ${served.length}/${routes.length}`);
  });

  test("rows without a path (quota-classes) are not counted; upstream's paths for them are served", () => {
    const app = env.tc.apps['cinder-apigw'];
    const text = readFileSync(join(openstackApiDir, 'cinder', 'ROUTES.tsv'), 'utf8');
    const pathless = text.split('\n').filter((l) => /^quota-classes\t\s*$/.test(l));
    assert.equal(pathless.length, 2, 'ROUTES.tsv lists quota-classes twice, without method or path');
    for (const method of ['GET', 'PUT'] as const) assert.ok(app.hasRoute({ method, url: '/v3/:p0/os-quota-class-sets/:p1' }), method);
  });

  test('the route table is not an illusion: a served route answers, a missing one is the 404 of an unknown route', async () => {
    const snapshots = await env.call('demo', 'GET', '/snapshots');
    assert.equal(snapshots.status, 200, snapshots.text);
    assert.ok(!env.tc.apps['cinder-apigw'].hasRoute({ method: 'GET', url: '/v3/:p/no-such-collection' }));
    assert.equal((await env.call('demo', 'GET', '/no-such-collection')).status, 404);
  });
});
