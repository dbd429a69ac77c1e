import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Agent, request } from 'undici';
import { startNovaEnv, type NovaEnv } from '../nova/support.js';

/**
 * Property-based fuzzing of every route the running services serve (derived from the apps' own route
 * tables): random and mutated bodies, paths, query strings, headers, methods and tokens. Properties:
 * no answer is a 5xx; every error body is in the service's upstream fault format; a 4xx writes
 * nothing (checked on a sequential sample: row counts of every table unchanged).
 *
 * TRICIRCLE_FUZZ_REQUESTS sets how many requests are sent (default 100,000; CI runs the default).
 */
const TOTAL = Number(process.env.TRICIRCLE_FUZZ_REQUESTS ?? 100_000);
const WRITE_CHECKS = Math.min(600, Math.ceil(TOTAL / 100));
const CONCURRENCY = 24;

interface Route {
  service: string;
  path: string;
  methods: string[];
}

/** Routes from Fastify's printRoutes tree (commonPrefix false: every node shows its own segment). */
function routesOf(service: string, tree: string): Route[] {
  const out: Route[] = [];
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    const m = /^([│ ]*)(?:├── |└── )(.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!m) continue;
    const depth = m[1].length / 4;
    stack.length = depth;
    stack.push(m[2]);
    if (m[3]) out.push({ service, path: stack.join('').replace(/\/{2,}/g, '/'), methods: m[3].split(', ') });
  }
  return out;
}

const NOVA_FAULTS =
  /^(badRequest|unauthorized|forbidden|itemNotFound|badMethod|notAcceptable|conflictingRequest|overLimit|badMediaType|unprocessableEntity|notImplemented|serviceUnavailable|computeFault)$/;

/** Whether an error body is the service's upstream format. */
function upstreamFault(service: string, status: number, body: unknown): boolean {
  if (typeof body !== 'object' || body === null) return false;
  if (service === 'neutron-api') {
    const e = (body as { NeutronError?: { type?: unknown; message?: unknown; detail?: unknown } }).NeutronError;
    return !!e && typeof e.type === 'string' && typeof e.message === 'string' && 'detail' in e;
  }
  const keys = Object.keys(body);
  if (keys.length !== 1 || !NOVA_FAULTS.test(keys[0])) return false;
  const f = (body as Record<string, { message?: unknown; code?: unknown }>)[keys[0]];
  return typeof f.message === 'string' && f.code === status;
}

let env: NovaEnv;
let routes: Route[];
const agent = new Agent({ connections: CONCURRENCY, pipelining: 1 });

before(async () => {
  env = await startNovaEnv({ withNeutron: true, services: ['cinder-apigw'], extra: { nova_apigw: { list_pod_timeout: 2 }, cinder_apigw: { list_pod_timeout: 2 } } });
  routes = Object.entries(env.tc.apps).flatMap(([service, app]) => routesOf(service, app.printRoutes({ commonPrefix: false })));
});
after(async () => {
  await agent.close();
  await env?.close();
});

const ident = fc.oneof(fc.uuid(), fc.string({ maxLength: 40 }), fc.constantFrom('', '..', '%00', 'detail', '0', '-1', '1e9', 'admin', '%ff', 'a/b'));
const scalar = fc.oneof(fc.string({ maxLength: 30 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null));
const FIELDS = [
  'name',
  'id',
  'size',
  'flavorRef',
  'imageRef',
  'network_id',
  'subnet_id',
  'port_id',
  'cidr',
  'ip_version',
  'fixed_ips',
  'security_groups',
  'quota_set',
  'quota',
  'metadata',
  'volume_type',
  'availability_zone',
  'region_name',
  'az_name',
  'job',
  'type',
  'resource',
  'min_count',
  'max_count',
  'networks',
  'addTenantAccess',
  'extra_specs',
  'routes',
  'external_gateway_info',
  'limit',
  'marker',
];
const mutatedObject = fc.dictionary(
  fc.oneof(fc.constantFrom(...FIELDS), fc.string({ maxLength: 12 })),
  fc.oneof(scalar, fc.array(scalar, { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 8 }), scalar, { maxKeys: 3 })),
  { maxKeys: 6 },
);

/** What a request body can be: nothing, JSON values, resource-shaped objects with mutated members, deep nesting, broken text. */
function bodyArb(resourceKey: string) {
  return fc.oneof(
    { weight: 2, arbitrary: fc.constant(undefined) },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
    { weight: 5, arbitrary: mutatedObject.map((o) => JSON.stringify({ [resourceKey]: o })) },
    { weight: 1, arbitrary: mutatedObject.map((o) => JSON.stringify({ [`${resourceKey}s`]: [o, o] })) },
    { weight: 1, arbitrary: fc.constantFrom(5000, 200).map((d) => `{"${resourceKey}": ${'['.repeat(d)}${']'.repeat(d)}}`) },
    { weight: 1, arbitrary: fc.string({ maxLength: 60 }) },
  );
}

const query = fc.array(
  fc.tuple(
    fc.oneof(
      fc.constantFrom('limit', 'marker', 'sort_key', 'sort_dir', 'fields', 'all_tenants', 'name', 'status', 'usage', 'tenant_id', 'changes-since', 'page_reverse', 'detail'),
      fc.string({ maxLength: 8 }),
    ),
    fc.oneof(fc.string({ maxLength: 20 }), fc.integer().map(String), fc.constantFrom('true', '-1', '0', 'asc', 'desc', 'id')),
  ),
  { maxLength: 4 },
);

function requestArb(route: Route) {
  const segs = route.path.split('/').filter((s) => s !== '' && !s.startsWith(':'));
  const last = segs[segs.length - 1] ?? 'x';
  const resourceKey = last.replace(/-/g, '_').replace(/ies$/, 'y').replace(/s$/, '');
  return fc.record({
    method: fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom(...route.methods) },
      { weight: 1, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS') },
    ),
    params: fc.array(ident, { minLength: 8, maxLength: 8 }),
    query,
    body: bodyArb(resourceKey),
    token: fc.constantFrom('admin', 'admin', 'demo', 'demo', 'none', 'garbage'),
    version: fc.oneof(fc.constant(undefined), fc.constantFrom('2.1', '2.37', '2.100', 'latest', 'x', '3.0', '3.70', '1.0')),
    contentType: fc.constantFrom('application/json', 'application/json', 'text/plain', undefined),
  });
}

type Spec = ReturnType<typeof requestArb> extends fc.Arbitrary<infer T> ? T : never;

async function send(route: Route, spec: Spec) {
  let i = 0;
  const path = route.path.replace(/:[a-z_]+/g, () => encodeURIComponent(spec.params[i++ % spec.params.length]) || 'x');
  const base = env.tc.urls[route.service]!;
  const qs = spec.query.length ? `?${new URLSearchParams(spec.query).toString()}` : '';
  const headers: Record<string, string> = { accept: 'application/json' };
  if (spec.token === 'admin' || spec.token === 'demo') headers['x-auth-token'] = env.tokens[spec.token];
  if (spec.token === 'garbage') headers['x-auth-token'] = 'gAAAA-not-a-token';
  if (spec.version) {
    headers['openstack-api-version'] = `${route.service === 'cinder-apigw' ? 'volume' : 'compute'} ${spec.version}`;
    headers['x-openstack-nova-api-version'] = spec.version;
  }
  const hasBody = spec.body !== undefined && spec.method !== 'GET' && spec.method !== 'HEAD';
  if (hasBody && spec.contentType) headers['content-type'] = spec.contentType;
  const res = await request(`${base}${path}${qs}`, { method: spec.method as 'GET', headers, body: hasBody ? spec.body : undefined, dispatcher: agent });
  const text = await res.body.text();
  return { status: res.statusCode, text, url: `${spec.method} ${path}${qs}` };
}

function check(route: Route, spec: Spec, res: { status: number; text: string; url: string }, stats: { byStatus: Map<number, number> }) {
  stats.byStatus.set(res.status, (stats.byStatus.get(res.status) ?? 0) + 1);
  const what = `${route.service} ${res.url} [${spec.token}] body=${String(spec.body).slice(0, 300)} → ${res.status} ${res.text.slice(0, 300)}`;
  assert.ok(res.status < 500, `5xx: ${what}`);
  if (res.status >= 400 && spec.method !== 'HEAD' && res.text !== '') {
    let body: unknown;
    try {
      body = JSON.parse(res.text);
    } catch {
      assert.fail(`error body is not JSON: ${what}`);
    }
    assert.ok(upstreamFault(route.service, res.status, body), `error body not in the upstream format: ${what}`);
  }
}

/** Row counts of every table of the database (the writes a request may have made). */
async function rowCounts(): Promise<Map<string, number>> {
  const tables = (await env.tc.db.kysely.introspection.getTables()).map((t) => t.name).filter((n) => !n.startsWith('tricircle_migrations'));
  const out = new Map<string, number>();
  for (const t of tables) {
    const row = await env.tc.db.kysely
      .selectFrom(t as 'pods')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    out.set(t, Number(row.n));
  }
  return out;
}

test('every served route: no 5xx, upstream fault bodies, nothing written on a 4xx', { timeout: 40 * 60_000 }, async () => {
  assert.ok(routes.length > 150, `routes found: ${routes.length}`);
  const arbs = routes.map((r) => requestArb(r));
  const stats = { byStatus: new Map<number, number>() };
  const started = Date.now();

  // Sequential sample: a 4xx leaves every table as it was.
  let writeChecked = 0;
  for (const [route, spec] of fc.sample(
    fc.integer({ min: 0, max: routes.length - 1 }).chain((i) => fc.tuple(fc.constant(routes[i]), arbs[i])),
    { numRuns: WRITE_CHECKS, seed: 12 },
  )) {
    if (spec.method === 'GET' || spec.method === 'HEAD') continue;
    const before = await rowCounts();
    const res = await send(route, spec);
    check(route, spec, res, stats);
    if (res.status >= 400) {
      const afterCounts = await rowCounts();
      for (const [table, n] of before)
        assert.equal(afterCounts.get(table), n, `${table} changed on a ${res.status}: ${route.service} ${res.url} body=${String(spec.body).slice(0, 200)}`);
      writeChecked++;
    }
  }

  // The bulk: every route in turn, random requests, CONCURRENCY at a time.
  let sent = 0;
  const seed = Number(process.env.TRICIRCLE_FUZZ_SEED ?? Date.now() % 100_000);
  const batch = 2000;
  for (let round = 0; sent < TOTAL; round++) {
    const specs = routes.flatMap((route, i) =>
      fc.sample(arbs[i], { numRuns: Math.max(1, Math.ceil(batch / routes.length)), seed: seed + round * 7919 + i }).map((s) => [route, s] as const),
    );
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < specs.length && sent < TOTAL) {
          const [route, spec] = specs[next++];
          sent++;
          check(route, spec, await send(route, spec), stats);
        }
      }),
    );
  }
  const seconds = (Date.now() - started) / 1000;
  const codes = [...stats.byStatus.entries()]
    .sort(([a], [b]) => a - b)
    .map(([c, n]) => `${c}:${n}`)
    .join(' ');
  // The figures the issue asks for, in the test output.
  process.stdout.write(
    `# fuzz: ${sent + writeChecked} requests over ${routes.length} routes in ${seconds.toFixed(1)} s (seed ${seed}); ${writeChecked} 4xx checked for writes; statuses ${codes}\n`,
  );
  assert.ok(sent >= TOTAL);
});
