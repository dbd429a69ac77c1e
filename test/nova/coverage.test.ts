import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import { novaApiGatewayModule } from '../../src/nova/index.js';
import { join } from 'node:path';
import { openstackApiDir } from '../support/paths.js';
import { startNovaEnv, type NovaEnv } from './support.js';

/**
 * The share of upstream's live compute routes the gateway serves, derived from
 * ../shared/openstack-api/nova/ROUTES.tsv and the gateway's own route table.
 *
 * Not counted (removed upstream, 410 or gone): cells, fping, cloudpipe, agents, certificates, fixed
 * IPs, floating-IP DNS and bulk, and nova-network (default security group rules, XenAPI consoles, and
 * the writes of os-networks and os-tenant-networks).
 */
const REMOVED_TAGS = new Set([
  'os-cells',
  'os-fping',
  'os-cloudpipe',
  'os-agents',
  'os-certificates',
  'os-fixed-ips',
  'os-floating-ip-dns',
  'os-floating-ips-bulk',
  'os-security-group-default-rules',
  'os-consoles',
]);
const removed = (tag: string, method: string) => REMOVED_TAGS.has(tag) || ((tag === 'os-networks' || tag === 'os-tenant-network') && method !== 'GET');

/**
 * `POST /servers/{id}/action` lines differ only by the action in the body: each api-ref section's
 * actions (the lines of a tag, in order), probed one by one.
 */
const ACTIONS: Record<string, string[]> = {
  'servers-action-console-output': ['os-getConsoleOutput'],
  'servers-action-crash-dump': ['trigger_crash_dump'],
  'servers-action-deferred-delete': ['restore', 'forceDelete'],
  'servers-action-evacuate': ['evacuate'],
  'servers-action-fixed-ip': ['addFixedIp', 'removeFixedIp'],
  'servers-action-rdp-remote-consoles': ['os-getRDPConsole'],
  'servers-action-remote-consoles': ['os-getSerialConsole', 'os-getSPICEConsole', 'os-getVNCConsole'],
  'servers-action-shelve': ['shelve', 'shelveOffload', 'unshelve'],
  'servers-actions': [
    'addFloatingIp',
    'addSecurityGroup',
    'changePassword',
    'confirmResize',
    'createBackup',
    'createImage',
    'lock',
    'pause',
    'reboot',
    'rebuild',
    'removeFloatingIp',
    'removeSecurityGroup',
    'rescue',
    'resize',
    'resume',
    'revertResize',
    'os-start',
    'os-stop',
    'suspend',
    'unlock',
    'unpause',
    'unrescue',
  ],
  'servers-admin-action': ['injectNetworkInfo', 'migrate', 'os-migrateLive', 'os-resetNetwork', 'os-resetState'],
};

const normalise = (path: string) => path.replace(/\{[^}]+\}/g, '*').replace(/:[^/]+/g, '*');

let env: NovaEnv;
before(async () => {
  env = await startNovaEnv();
});
after(async () => {
  await env?.close();
});

test('the gateway serves at least 90 % of the live compute routes', async (t) => {
  // The gateway's route table: the module registered on an app of our own, its routes recorded.
  const app = Fastify();
  const routes = new Set<string>();
  app.addHook('onRoute', (r) => {
    for (const m of [r.method].flat()) routes.add(`${m} ${normalise(r.url)}`);
  });
  await novaApiGatewayModule(undefined as never).register(app, env.tc.core, () => env.gw);
  await app.ready();
  await app.close();

  const tsv = await readFile(join(openstackApiDir, 'nova', 'ROUTES.tsv'), 'utf8');
  const lines = tsv
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const [tag, route] = l.split('\t');
      const [method, path] = route.split(' ');
      return { tag, method, path };
    });
  const live = lines.filter((l) => !removed(l.tag, l.method));
  assert.equal(lines.length - live.length, 50, 'the removed APIs are the 50 routes the issue names');

  // A path is served when a route of the table matches it as the router would (a literal segment such
  // as `disable` in PUT /os-services/disable is taken by a `:service_id` route).
  // `GET /v2.1/:project_id` (the version document of a project URL) would match every one-segment GET.
  routes.delete('GET /v2.1/*');
  const patterns = [...routes].map((r) => {
    const [method, path] = r.split(' ');
    return { method, re: new RegExp(`^${path.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]+')}$`) };
  });
  const served_ = (method: string, path: string) => {
    const concrete = path.replace(/\{[^}]+\}/g, 'x1');
    return patterns.some((p) => p.method === method && p.re.test(concrete));
  };
  const seenOfTag = new Map<string, number>();
  const missing: string[] = [];
  let served = 0;
  for (const l of live) {
    let ok: boolean;
    if (l.path === '/') ok = routes.has('GET /');
    else if (l.path === '/{api_version}/') ok = routes.has('GET /v2.1');
    else if (ACTIONS[l.tag]) {
      const i = seenOfTag.get(l.tag) ?? 0;
      seenOfTag.set(l.tag, i + 1);
      const action = ACTIONS[l.tag][i];
      // A served action looks the server up (404 for an unknown one); an unserved one is refused first.
      const res = await env.call('admin', 'POST', `/servers/${randomUUID()}/action`, { body: { [action]: null } });
      ok = res.status === 404 && /^Instance .* could not be found\.$/.test(res.body?.itemNotFound?.message ?? '');
      if (!ok) missing.push(`${l.method} ${l.path} (${action})`);
      if (ok) served += 1;
      continue;
    } else ok = served_(l.method, `/v2.1${l.path}`);
    if (ok) served += 1;
    else missing.push(`${l.method} ${l.path}`);
  }
  const share = served / live.length;
  t.diagnostic(`compute routes served: ${served} of ${live.length} live (${(share * 100).toFixed(1)} %)`);
  t.diagnostic(`not served: ${missing.join('; ')}`);
  assert.ok(share >= 0.9, `${served}/${live.length} = ${(share * 100).toFixed(1)} %; not served: ${missing.join(', ')}`);
});
