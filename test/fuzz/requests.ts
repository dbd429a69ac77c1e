import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { type Dispatcher, request } from 'undici';

/** What the fuzz test sends requests to, as plain data (it crosses to worker threads). */
export interface Target {
  /** Service name → base URL. */
  urls: Record<string, string>;
  tokens: { admin: string; demo: string };
}

export interface Route {
  service: string;
  path: string;
  methods: string[];
}

/** Routes from Fastify's printRoutes tree (commonPrefix false: every node shows its own segment). */
export function routesOf(service: string, tree: string): Route[] {
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

/**
 * Operations routes take nothing from the request but its path; `/metrics` renders the whole registry
 * (every route × method × status series), so a round sends each of them one request instead of its share.
 */
export const OPS_PATHS = new Set(['/metrics', '/healthz', '/readyz']);

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

export function requestArb(route: Route) {
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

export type Spec = ReturnType<typeof requestArb> extends fc.Arbitrary<infer T> ? T : never;

export interface Answer {
  status: number;
  text: string;
  url: string;
}

export async function send(target: Target, dispatcher: Dispatcher, route: Route, spec: Spec): Promise<Answer> {
  let i = 0;
  const path = route.path.replace(/:[a-z_]+/g, () => encodeURIComponent(spec.params[i++ % spec.params.length]) || 'x');
  const base = target.urls[route.service]!;
  const qs = spec.query.length ? `?${new URLSearchParams(spec.query).toString()}` : '';
  const headers: Record<string, string> = { accept: 'application/json' };
  if (spec.token === 'admin' || spec.token === 'demo') headers['x-auth-token'] = target.tokens[spec.token];
  if (spec.token === 'garbage') headers['x-auth-token'] = 'gAAAA-not-a-token';
  if (spec.version) {
    headers['openstack-api-version'] = `${route.service === 'cinder-apigw' ? 'volume' : 'compute'} ${spec.version}`;
    headers['x-openstack-nova-api-version'] = spec.version;
  }
  const hasBody = spec.body !== undefined && spec.method !== 'GET' && spec.method !== 'HEAD';
  if (hasBody && spec.contentType) headers['content-type'] = spec.contentType;
  const res = await request(`${base}${path}${qs}`, { method: spec.method as 'GET', headers, body: hasBody ? spec.body : undefined, dispatcher });
  const text = await res.body.text();
  return { status: res.statusCode, text, url: `${spec.method} ${path}${qs}` };
}

/** Asserts an answer's properties (no 5xx; an error body in the upstream format) and counts its status. */
export function check(route: Route, spec: Spec, res: Answer, byStatus: Map<number, number>): void {
  byStatus.set(res.status, (byStatus.get(res.status) ?? 0) + 1);
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

/**
 * Sends `total` random requests, every route in turn (2,000 a round, operations routes once a round),
 * `concurrency` at a time over keep-alive connections; stops at the first failed check.
 */
export async function fuzzRounds(
  target: Target,
  dispatcher: Dispatcher,
  routes: Route[],
  opts: { total: number; seed: number; concurrency: number },
  byStatus: Map<number, number>,
): Promise<number> {
  const arbs = routes.map((r) => requestArb(r));
  const perRound = Math.max(1, Math.ceil(2000 / routes.length));
  let sent = 0;
  for (let round = 0; sent < opts.total; round++) {
    const specs = routes.flatMap((route, i) =>
      fc.sample(arbs[i], { numRuns: OPS_PATHS.has(route.path) ? 1 : perRound, seed: opts.seed + round * 7919 + i }).map((s) => [route, s] as const),
    );
    let next = 0;
    await Promise.all(
      Array.from({ length: opts.concurrency }, async () => {
        while (next < specs.length && sent < opts.total) {
          const [route, spec] = specs[next++];
          sent++;
          check(route, spec, await send(target, dispatcher, route, spec), byStatus);
        }
      }),
    );
  }
  return sent;
}

/** CPU seconds the calling thread has used (Linux /proc/thread-self), or undefined where unavailable. */
export function threadCpuSeconds(): number | undefined {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name; in clock ticks (100 Hz).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}
