// Benchmark: one pod's simulated Nova (with the simulated Keystone, Glance, Neutron and Cinder
// behind it) creating N servers over HTTP with bounded concurrency, then listing them.
//
//   node --import tsx bench/sim-servers.ts [--servers 1000] [--concurrency 20] [--build-delay 50] [--fake-neutron]
//
// --fake-neutron replaces the simulated Neutron by the minimal in-test one (test/sim/support-fakes.ts)
// to show the cost of Nova alone.
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { Pool } from 'undici';
import { newFaults } from '../sim/common/http.js';
import { createCinderSim } from '../sim/cinder/index.js';
import { createGlanceSim, SEED_IMAGE_NAME } from '../sim/glance/index.js';
import { createKeystoneSim } from '../sim/keystone/index.js';
import { createNeutronSim } from '../sim/neutron/index.js';
import { createNovaSim } from '../sim/nova/index.js';
import { FakeNeutron } from '../test/sim/support-fakes.js';

const { values: args } = parseArgs({
  options: {
    servers: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '20' },
    'build-delay': { type: 'string', default: '50' },
    'list-rounds': { type: 'string', default: '10' },
    'fake-neutron': { type: 'boolean', default: false },
  },
});
const SERVERS = Number(args.servers);
const CONCURRENCY = Number(args.concurrency);
const BUILD_DELAY = Number(args['build-delay']);
const LIST_ROUNDS = Number(args['list-rounds']);
const FAKE_NEUTRON = args['fake-neutron'] === true;

const apps: FastifyInstance[] = [];
async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  apps.push(app);
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

interface Res {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any;
  bytes: number;
}

async function req(pool: Pool, method: 'GET' | 'POST' | 'PUT', path: string, token: string, body?: unknown): Promise<Res> {
  const r = await pool.request({
    method,
    path,
    headers: { 'x-auth-token': token, accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await r.body.text();
  return { status: r.statusCode, headers: r.headers, body: text ? JSON.parse(text) : undefined, bytes: text.length };
}

function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function summary(label: string, latencies: number[], totalMs: number, extra = ''): string {
  const s = [...latencies].sort((a, b) => a - b);
  const rps = (latencies.length / totalMs) * 1000;
  return `| ${label} | ${latencies.length} | ${totalMs.toFixed(0)} | ${rps.toFixed(0)} | ${pct(s, 50).toFixed(1)} | ${pct(s, 99).toFixed(1)} | ${extra} |`;
}

async function main(): Promise<void> {
  const urls = { keystone: '', glance: '', neutron: '', cinder: '', nova: '' };
  const faults = newFaults();
  const ks = createKeystoneSim({ publicUrl: () => urls.keystone });
  const keystone = ks.validator;
  const gl = createGlanceSim({ keystone, publicUrl: () => urls.glance });
  const net = createNeutronSim({ region: 'Pod1', faults, keystone, publicUrl: () => urls.neutron });
  const fake = new FakeNeutron();
  const cin = createCinderSim({ region: 'Pod1', az: 'az1', faults, keystone, publicUrl: () => urls.cinder, buildDelayMs: BUILD_DELAY });
  const nova = createNovaSim({
    region: 'Pod1',
    az: 'az1',
    faults,
    keystone,
    neutron: FAKE_NEUTRON ? fake : net.api,
    cinder: cin.api,
    glance: gl.api,
    publicUrl: () => urls.nova,
    buildDelayMs: BUILD_DELAY,
  });
  urls.keystone = await listen(ks.app);
  urls.glance = await listen(gl.app);
  urls.neutron = await listen(net.app);
  urls.cinder = await listen(cin.app);
  urls.nova = await listen(nova);

  const token = async (user: string, project: string): Promise<string> => {
    const r = await fetch(`${urls.keystone}/v3/auth/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        auth: {
          identity: { methods: ['password'], password: { user: { name: user, domain: { id: 'default' }, password: 'password' } } },
          scope: { project: { name: project, domain: { id: 'default' } } },
        },
      }),
    });
    if (r.status !== 201) throw new Error(`token for ${user}: ${r.status} ${await r.text()}`);
    return r.headers.get('x-subject-token')!;
  };
  const demo = await token('demo', 'demo');
  const admin = await token('admin', 'admin');
  const demoProject = ks.projectIdByName('demo')!;

  const neutronPool = new Pool(urls.neutron, { connections: 2 });
  let networkId: string;
  if (FAKE_NEUTRON) {
    networkId = fake.addNetwork('private', '10.0.0.0/16', demoProject).networkId;
  } else {
    const n = await req(neutronPool, 'POST', '/v2.0/networks', demo, { network: { name: 'private' } });
    networkId = n.body.network.id;
    const s = await req(neutronPool, 'POST', '/v2.0/subnets', demo, { subnet: { network_id: networkId, cidr: '10.0.0.0/16', ip_version: 4 } });
    if (s.status !== 201) throw new Error(`subnet: ${s.status}`);
  }
  const images = (await (await fetch(`${urls.glance}/v2/images`, { headers: { 'x-auth-token': demo } })).json()) as {
    images: Array<{ id: string; name: string }>;
  };
  const imageId = images.images.find((i) => i.name === SEED_IMAGE_NAME)!.id;

  const pool = new Pool(urls.nova, { connections: CONCURRENCY, pipelining: 1 });
  const q = await req(pool, 'PUT', `/v2.1/os-quota-sets/${demoProject}`, admin, {
    quota_set: { instances: SERVERS * 2, cores: SERVERS * 2, ram: SERVERS * 1024 },
  });
  if (q.status !== 200) throw new Error(`quota: ${q.status} ${JSON.stringify(q.body)}`);

  // ---- create
  const createLat: number[] = [];
  let next = 0;
  let failures = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (;;) {
        const i = next++;
        if (i >= SERVERS) return;
        const start = performance.now();
        const r = await req(pool, 'POST', '/v2.1/servers', demo, {
          server: { name: `bench-${i}`, imageRef: imageId, flavorRef: '1', networks: [{ uuid: networkId }] },
        });
        createLat.push(performance.now() - start);
        if (r.status !== 202) failures++;
      }
    }),
  );
  const createMs = performance.now() - t0;

  // ---- all ACTIVE
  const t1 = performance.now();
  for (;;) {
    const r = await req(pool, 'GET', '/v2.1/servers?status=BUILD', demo);
    if (r.body.servers.length === 0) break;
    await new Promise((res) => setTimeout(res, 20));
  }
  const activeMs = performance.now() - t1 + createMs;

  // ---- lists
  const lists: string[] = [];
  const timeList = async (label: string, path: string) => {
    const lat: number[] = [];
    let bytes = 0;
    let count = 0;
    const start = performance.now();
    for (let i = 0; i < LIST_ROUNDS; i++) {
      const a = performance.now();
      const r = await req(pool, 'GET', path, demo);
      lat.push(performance.now() - a);
      bytes = r.bytes;
      count = r.body.servers.length;
    }
    lists.push(summary(label, lat, performance.now() - start, `${count} servers, ${(bytes / 1024).toFixed(0)} KiB`));
  };
  await timeList('GET /servers/detail (no limit)', '/v2.1/servers/detail');
  await timeList('GET /servers (no limit)', '/v2.1/servers');
  await timeList('GET /servers/detail?limit=100', '/v2.1/servers/detail?limit=100');
  await timeList('GET /servers/detail?name=^bench-99', '/v2.1/servers/detail?name=^bench-99');

  // full walk with limit/marker
  const walkLat: number[] = [];
  const walkStart = performance.now();
  let walked = 0;
  for (let round = 0; round < Math.max(1, Math.floor(LIST_ROUNDS / 2)); round++) {
    const a = performance.now();
    let path: string | undefined = '/v2.1/servers/detail?limit=100';
    walked = 0;
    while (path) {
      const r = await req(pool, 'GET', path, demo);
      walked += r.body.servers.length;
      const href: string | undefined = r.body.servers_links?.[0]?.href;
      path = href ? href.slice(urls.nova.length) : undefined;
    }
    walkLat.push(performance.now() - a);
  }
  lists.push(summary('walk /servers/detail?limit=100 → all pages', walkLat, performance.now() - walkStart, `${walked} servers per walk`));

  const lines = [
    `machine: ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), node ${process.version}, ${process.platform}/${process.arch}`,
    `servers: ${SERVERS}, concurrency: ${CONCURRENCY}, buildDelayMs: ${BUILD_DELAY}, neutron: ${FAKE_NEUTRON ? 'in-test fake' : 'sim/neutron'}, create failures: ${failures}`,
    '',
    '| operation | requests | total ms | req/s | p50 ms | p99 ms | notes |',
    '| --- | ---: | ---: | ---: | ---: | ---: | --- |',
    summary('POST /servers', createLat, createMs, `all ACTIVE after ${activeMs.toFixed(0)} ms`),
    ...lists,
  ];
  console.log(lines.join('\n'));

  await pool.close();
  await neutronPool.close();
  for (const app of apps.reverse()) await app.close();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
