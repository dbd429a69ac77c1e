import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { startKeystoneSim } from '../../sim/keystone/index.js';
import { BottomError, PodClientFactory, PodUnreachableError, isBottomNotFound, type BottomCallContext } from '../../src/bottom/index.js';
import { EndpointResolver, ServiceAuth, createRequestContext, type PodRef } from '../../src/identity/index.js';
import { PodHealth } from '../../src/pods/index.js';
import { MemoryEndpointStore, countRequests, issueToken } from '../identity/support.js';

type Sim = Awaited<ReturnType<typeof startKeystoneSim>>;
type Seen = { method: string; url: string; headers: IncomingHttpHeaders; body: Buffer };
type Handler = (req: Seen, res: ServerResponse) => void | Promise<void>;

/** A stand-in pod service on loopback that records what reaches it. */
class FakeService {
  readonly seen: Seen[] = [];
  connections = 0;
  active = 0;
  maxActive = 0;
  handler: Handler = (_req, res) => json(res, 200, {});
  private constructor(readonly server: Server) {}

  static async start(): Promise<FakeService> {
    const server = createServer();
    const svc = new FakeService(server);
    server.on('connection', () => svc.connections++);
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const seen = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) };
        svc.seen.push(seen);
        svc.active++;
        svc.maxActive = Math.max(svc.maxActive, svc.active);
        res.on('close', () => svc.active--);
        await svc.handler(seen, res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return svc;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe('bottom clients over real HTTP', () => {
  let sim: Sim;
  let serviceAuth: ServiceAuth;
  let store: MemoryEndpointStore;
  let resolver: EndpointResolver;
  let registry: Registry;
  let health: PodHealth;
  let healthWrites: { podId: string; health: string }[];
  let factory: PodClientFactory;
  let userToken: string;
  let ctx: BottomCallContext;
  let logLines: string[];
  let podSeq = 0;
  const services: FakeService[] = [];

  /** A new pod whose `type` endpoint is `url` in the Keystone catalog. */
  function newPod(type: string, url: string, serviceName = type): PodRef {
    const pod = { id: `pod-${++podSeq}-id`, regionName: `Pod${podSeq}` };
    store.pods.push(pod);
    sim.keystone.addEndpoint({ region: pod.regionName, serviceType: type, serviceName, interface: 'public', url });
    return pod;
  }

  async function service(): Promise<FakeService> {
    const s = await FakeService.start();
    services.push(s);
    return s;
  }

  before(async () => {
    sim = await startKeystoneSim();
    serviceAuth = new ServiceAuth({ authUrl: sim.url, username: 'admin', password: 'password', projectName: 'admin' });
    store = new MemoryEndpointStore();
    resolver = new EndpointResolver({ serviceAuth, store, minRefreshIntervalMs: 0 });
    registry = new Registry();
    healthWrites = [];
    health = new PodHealth({
      store: { setHealth: async (podId, h) => void healthWrites.push({ podId, health: h }) },
      failureThreshold: 3,
      registry,
    });
    logLines = [];
    const logger = pino(
      { level: 'debug' },
      new Writable({
        write(chunk, _enc, cb) {
          logLines.push(String(chunk));
          cb();
        },
      }),
    );
    factory = new PodClientFactory({ endpoints: resolver, serviceAuth, timeoutMs: 5_000, health, registry, logger });
    userToken = await issueToken(sim.url, { user: 'demo', project: 'demo' });
    ctx = createRequestContext({ userId: 'u-demo', projectId: 'p-demo', roles: ['member'], authToken: userToken, requestId: 'req-local' });
  });
  after(async () => {
    await factory.close();
    await Promise.all(services.map((s) => s.close()));
    await serviceAuth.close();
    await sim.close();
  });

  test('raw calls relay bytes both ways and send token, request id and microversion', async () => {
    const nova = await service();
    const answer = Buffer.concat([Buffer.from('{"server":  {"id": "s1"}}\n'), Buffer.from([0xff, 0xfe, 0x00])]);
    nova.handler = (_req, res) => {
      res.writeHead(202, { 'content-type': 'application/json', 'x-compute-request-id': 'req-pod', location: 'http://pod/v2.1/servers/s1' });
      res.end(answer);
    };
    const pod = newPod('compute', `${nova.url}/v2.1`, 'nova');
    const sent = Buffer.from('{"server": {"name": "vm",   "flavorRef": "1"}}');
    const withGlobal = createRequestContext({ userId: 'u', projectId: 'p', roles: [], authToken: userToken, requestId: 'req-local', globalRequestId: 'req-global' });
    const res = await factory.client(pod, 'compute').request(withGlobal, {
      method: 'POST',
      path: '/servers',
      query: { a: 'x y', multi: ['1', '2'] },
      body: sent,
      microversion: '2.47',
    });
    assert.equal(res.status, 202);
    assert.ok(res.body.equals(answer));
    assert.equal(res.headers.location, 'http://pod/v2.1/servers/s1');
    assert.equal(res.baseUrl, `${nova.url}/v2.1`);
    const seen = nova.seen.at(-1)!;
    assert.equal(seen.url, '/v2.1/servers?a=x+y&multi=1&multi=2');
    assert.ok(seen.body.equals(sent));
    assert.equal(seen.headers['x-auth-token'], userToken);
    assert.equal(seen.headers['x-openstack-request-id'], 'req-global');
    assert.equal(seen.headers['x-openstack-nova-api-version'], '2.47');
    assert.equal(seen.headers['openstack-api-version'], 'compute 2.47');
    assert.equal(seen.headers['content-type'], 'application/json');

    await factory.client(pod, 'compute').request(ctx, { method: 'GET', path: '/servers/s1' });
    assert.equal(nova.seen.at(-1)!.headers['x-openstack-request-id'], 'req-local', 'without a global id the request id is passed');
  });

  test('one keep-alive pool per origin, shared by every client of the factory', async () => {
    const neutron = await service();
    const pod = newPod('network', neutron.url, 'neutron');
    const poolsBefore = factory.poolCount;
    for (let i = 0; i < 20; i++)
      await factory
        .neutron(pod)
        .listNetworks(ctx)
        .catch(() => undefined);
    await factory.client(pod, 'network').request(ctx, { method: 'GET', path: '/ports' });
    assert.equal(neutron.seen.length, 21);
    // undici may open a second socket while the first is being released; after that both are reused.
    assert.ok(neutron.connections <= 2, `21 sequential calls over ${neutron.connections} connections`);
    assert.equal(factory.poolCount, poolsBefore + 1);
  });

  test('connections per origin are bounded', async () => {
    const slow = await service();
    slow.handler = async (_req, res) => {
      await sleep(50);
      json(res, 200, { networks: [] });
    };
    const pod = newPod('network', slow.url, 'neutron');
    const small = new PodClientFactory({ endpoints: resolver, serviceAuth, timeoutMs: 5_000, connections: 2 });
    try {
      await Promise.all(Array.from({ length: 8 }, () => small.neutron(pod).listNetworks(ctx)));
      assert.equal(slow.seen.length, 8);
      assert.ok(slow.maxActive <= 2, `at most 2 requests at once, saw ${slow.maxActive}`);
      assert.ok(slow.connections <= 2);
    } finally {
      await small.close();
    }
  });

  test('a pod slower than the per-call timeout fails fast with PodUnreachableError', async () => {
    const slow = await service();
    slow.handler = async (_req, res) => {
      await sleep(1_000);
      json(res, 200, { volumes: [] });
    };
    const pod = newPod('volumev3', `${slow.url}/v3/$(project_id)s`, 'cinderv3');
    const started = Date.now();
    const err = await factory
      .cinder(pod)
      .listVolumes(ctx, undefined, { timeoutMs: 150 })
      .then(
        () => assert.fail('expected a timeout'),
        (e: unknown) => e,
      );
    assert.ok(err instanceof PodUnreachableError);
    assert.equal(err.status, 503);
    assert.equal(err.reason, 'timeout');
    assert.equal(err.region, pod.regionName);
    assert.ok(Date.now() - started < 800, "the deadline is the caller's, not the pod's");
    assert.equal(slow.seen.length, 1, 'a timeout is not retried');
  });

  test('connection refused: the catalog is re-read and the call retried once at the moved endpoint', async () => {
    const dead = await closedPort();
    const pod = newPod('network', `http://127.0.0.1:${dead}`, 'neutron');
    // Resolve (and memoise) the dead URL first, as a running process would have.
    assert.equal(await resolver.resolve(pod, 'network'), `http://127.0.0.1:${dead}`);
    const moved = await service();
    moved.handler = (_req, res) => json(res, 200, { networks: [{ id: 'n1', name: 'net' }] });
    sim.keystone.removeEndpoints(pod.regionName, 'network');
    sim.keystone.addEndpoint({ region: pod.regionName, serviceType: 'network', serviceName: 'neutron', interface: 'public', url: moved.url });
    const catalogReads = countRequests(sim.keystone.app.server, (m, u) => m === 'GET' && u.startsWith('/v3/endpoints'));
    try {
      const networks = await factory.neutron(pod).listNetworks(ctx);
      assert.deepEqual(networks, [{ id: 'n1', name: 'net' }]);
      assert.equal(moved.seen.length, 1);
      assert.equal(moved.seen[0].url, '/v2.0/networks');
      assert.equal(catalogReads.count, 1);
    } finally {
      catalogReads.stop();
    }
  });

  test('connection refused with no better endpoint: one catalog read, no retry, PodUnreachableError', async () => {
    const dead = await closedPort();
    const pod = newPod('network', `http://127.0.0.1:${dead}`, 'neutron');
    await resolver.resolve(pod, 'network');
    const catalogReads = countRequests(sim.keystone.app.server, (m, u) => m === 'GET' && u.startsWith('/v3/endpoints'));
    try {
      const err = await factory
        .client(pod, 'network')
        .request(ctx, { method: 'GET', path: '/networks' })
        .catch((e: unknown) => e);
      assert.ok(err instanceof PodUnreachableError);
      assert.equal(err.reason, 'ECONNREFUSED');
      assert.equal(catalogReads.count, 1);
    } finally {
      catalogReads.stop();
    }
  });

  test('HTTP errors are answers, not connection failures: no refresh, no retry; json() raises the pod fault', async () => {
    const neutron = await service();
    neutron.handler = (req, res) => {
      if (req.url.startsWith('/v2.0/networks/missing')) json(res, 404, { NeutronError: { type: 'NetworkNotFound', message: 'Network missing could not be found.', detail: '' } });
      else json(res, 500, { NeutronError: { type: 'HTTPInternalServerError', message: 'boom', detail: '' } });
    };
    const pod = newPod('network', neutron.url, 'neutron');
    await resolver.resolve(pod, 'network');
    const catalogReads = countRequests(sim.keystone.app.server);
    try {
      const raw = await factory.client(pod, 'network').request(ctx, { method: 'GET', path: '/ports' });
      assert.equal(raw.status, 500);
      const err = await factory
        .neutron(pod)
        .getNetwork(ctx, 'missing')
        .catch((e: unknown) => e);
      assert.ok(err instanceof BottomError);
      assert.equal(err.status, 404);
      assert.equal(err.type, 'NetworkNotFound');
      assert.equal(err.message, 'Network missing could not be found.');
      assert.equal(err.region, pod.regionName);
      assert.deepEqual(err.body, { NeutronError: { type: 'NetworkNotFound', message: 'Network missing could not be found.', detail: '' } });
      assert.ok(isBottomNotFound(err));
      assert.equal(neutron.seen.length, 2);
      assert.equal(catalogReads.count, 0);
    } finally {
      catalogReads.stop();
    }
  });

  test('Nova and Cinder faults keep their message; Cinder URLs carry the project', async () => {
    const cinder = await service();
    cinder.handler = (_req, res) => json(res, 400, { badRequest: { message: 'Invalid volume size.', code: 400 } });
    const pod = newPod('volumev3', `${cinder.url}/v3/$(project_id)s`, 'cinderv3');
    const err = await factory
      .cinder(pod)
      .createVolume(ctx, { size: -1 })
      .catch((e: unknown) => e);
    assert.ok(err instanceof BottomError);
    assert.equal(err.status, 400);
    assert.equal(err.message, 'Invalid volume size.');
    assert.equal(cinder.seen[0].url, '/v3/p-demo/volumes');
    assert.deepEqual(JSON.parse(cinder.seen[0].body.toString()), { volume: { size: -1 } });
  });

  test('asAdmin uses the service token and renews it once after a 401', async () => {
    const nova = await service();
    const refused = new Set<string>();
    nova.handler = (req, res) => {
      const token = String(req.headers['x-auth-token']);
      if (refused.size === 0) {
        refused.add(token);
        json(res, 401, { error: { message: 'The request you have made requires authentication.', code: 401 } });
      } else if (refused.has(token)) {
        json(res, 401, { error: { message: 'still refused', code: 401 } });
      } else {
        json(res, 200, { flavor: { id: 'f1', name: 'm1.tiny', ram: 512, vcpus: 1, disk: 1 } });
      }
    };
    const pod = newPod('compute', `${nova.url}/v2.1`, 'nova');
    const flavor = await factory.nova(pod).createFlavor(ctx, { name: 'm1.tiny', ram: 512, vcpus: 1, disk: 1 }, { asAdmin: true });
    assert.equal(flavor.id, 'f1');
    assert.equal(nova.seen.length, 2);
    const [first, second] = nova.seen.map((s) => s.headers['x-auth-token']);
    assert.notEqual(first, userToken);
    assert.notEqual(second, first, 'a fresh service token after the 401');
  });

  test("a 401 to the caller's own token is passed back without retry", async () => {
    const nova = await service();
    nova.handler = (_req, res) => json(res, 401, { error: { message: 'expired', code: 401 } });
    const pod = newPod('compute', `${nova.url}/v2.1`, 'nova');
    const err = await factory
      .nova(pod)
      .getServer(ctx, 's1')
      .catch((e: unknown) => e);
    assert.ok(err instanceof BottomError);
    assert.equal(err.status, 401);
    assert.equal(nova.seen.length, 1);
  });

  test('a context without a token (a job) calls with the service token and its project', async () => {
    const cinder = await service();
    cinder.handler = (_req, res) => json(res, 200, { volume: { id: 'v1' } });
    const pod = newPod('volumev3', `${cinder.url}/v3/$(project_id)s`, 'cinderv3');
    await factory.cinder(pod).getVolume({ requestId: 'req-job' }, 'v1');
    const adminProject = sim.keystone.projectIdByName('admin');
    assert.equal(cinder.seen[0].url, `/v3/${adminProject}/volumes/v1`);
    assert.notEqual(cinder.seen[0].headers['x-auth-token'], userToken);
  });

  test("typed wrappers speak the services' wire shapes", async () => {
    const neutron = await service();
    const nova = await service();
    const glance = await service();
    neutron.handler = (req, res) => {
      if (req.method === 'GET') return json(res, 200, { ports: [{ id: 'p1' }] });
      if (req.method === 'DELETE') return void res.writeHead(204).end();
      if (req.url.endsWith('/add_router_interface')) return json(res, 200, { id: 'r1', subnet_id: 's1', port_id: 'p9' });
      const body = JSON.parse(req.body.toString());
      json(res, req.method === 'POST' ? 201 : 200, { [Object.keys(body)[0]]: { id: 'x1', ...(Object.values(body)[0] as object) } });
    };
    nova.handler = (req, res) => {
      if (req.url.endsWith('/action')) return void res.writeHead(202).end();
      if (req.url.includes('os-volume_attachments')) return json(res, 200, { volumeAttachment: { id: 'v1', volumeId: 'v1', serverId: 's1' } });
      json(res, 202, { server: { id: 's1', links: [] } });
    };
    glance.handler = (req, res) => {
      if (req.url.startsWith('/v2/images/')) return json(res, 200, { id: 'img-1', name: 'cirros' });
      json(res, 200, { images: [{ id: 'img-1' }], next: '/v2/images?marker=img-1' });
    };
    const netPod = newPod('network', `${neutron.url}/`, 'neutron');
    const novaPod = newPod('compute', `${nova.url}/v2.1`, 'nova');
    const imgPod = newPod('image', glance.url, 'glance');
    const n = factory.neutron(netPod);

    assert.deepEqual(await n.listPorts(ctx, { network_id: 'net1', device_owner: ['compute:az1', 'network:dhcp'], fields: undefined }), [{ id: 'p1' }]);
    assert.equal(neutron.seen.at(-1)!.url, '/v2.0/ports?network_id=net1&device_owner=compute%3Aaz1&device_owner=network%3Adhcp');
    const net = await n.createNetwork(ctx, { name: 'top-id#net' }, { asAdmin: true });
    assert.deepEqual(net, { id: 'x1', name: 'top-id#net' });
    assert.deepEqual(JSON.parse(neutron.seen.at(-1)!.body.toString()), { network: { name: 'top-id#net' } });
    await n.updateRouterRoutes(ctx, 'r1', [{ destination: '10.0.1.0/24', nexthop: '100.0.0.2' }]);
    assert.equal(neutron.seen.at(-1)!.method, 'PUT');
    assert.equal(neutron.seen.at(-1)!.url, '/v2.0/routers/r1');
    assert.deepEqual(JSON.parse(neutron.seen.at(-1)!.body.toString()), { router: { routes: [{ destination: '10.0.1.0/24', nexthop: '100.0.0.2' }] } });
    assert.equal((await n.addRouterInterface(ctx, 'r1', { subnet_id: 's1' })).port_id, 'p9');
    await n.createSecurityGroupRule(ctx, { security_group_id: 'sg', direction: 'ingress' });
    assert.equal(neutron.seen.at(-1)!.url, '/v2.0/security-group-rules');
    await n.deleteFloatingIp(ctx, 'f/1');
    assert.equal(neutron.seen.at(-1)!.url, '/v2.0/floatingips/f%2F1');

    const server = await factory.nova(novaPod).createServer(ctx, { name: 'vm', flavorRef: '1' }, { schedulerHints: { group: 'g1' } });
    assert.equal(server.id, 's1');
    assert.deepEqual(JSON.parse(nova.seen.at(-1)!.body.toString()), { server: { name: 'vm', flavorRef: '1' }, 'os:scheduler_hints': { group: 'g1' } });
    assert.equal(await factory.nova(novaPod).serverAction(ctx, 's1', { 'os-stop': null }), undefined);
    assert.equal(nova.seen.at(-1)!.url, '/v2.1/servers/s1/action');
    await factory.nova(novaPod).attachVolume(ctx, 's1', { volumeId: 'v1' });
    assert.deepEqual(JSON.parse(nova.seen.at(-1)!.body.toString()), { volumeAttachment: { volumeId: 'v1' } });

    assert.equal((await factory.glance(imgPod).getImage(ctx, 'img-1')).name, 'cirros');
    assert.equal(glance.seen.at(-1)!.url, '/v2/images/img-1');
    assert.deepEqual(await factory.glance(imgPod).listImages(ctx, { limit: 1 }), { images: [{ id: 'img-1' }], next: '/v2/images?marker=img-1' });
  });

  test('calls are counted per pod, service and method, and no token reaches the logs', async () => {
    const text = await registry.getSingleMetricAsString('tricircle_pod_requests_total');
    assert.match(text, /tricircle_pod_requests_total\{pod="Pod\d+",service="compute",method="POST",status="202"\} \d+/);
    assert.match(text, /status="timeout"/);
    assert.match(text, /status="unreachable"/);
    const latency = await registry.getSingleMetricAsString('tricircle_pod_request_duration_seconds');
    assert.match(latency, /tricircle_pod_request_duration_seconds_count\{pod="Pod\d+",service="network",method="GET"\} \d+/);
    const logs = logLines.join('');
    assert.ok(logs.includes('pod call'), 'debug logs were written');
    assert.ok(!logs.includes(userToken), 'the user token never appears in logs');
    const { token: serviceToken } = await serviceAuth.getToken();
    assert.ok(!logs.includes(serviceToken), 'the service token never appears in logs');
  });

  test('after close() no pool is open and calls are refused', async () => {
    const f = new PodClientFactory({ endpoints: resolver, serviceAuth, timeoutMs: 1_000 });
    const s = await service();
    const pod = newPod('network', s.url, 'neutron');
    await f
      .neutron(pod)
      .listNetworks(ctx)
      .catch(() => undefined);
    assert.equal(f.poolCount, 1);
    await f.close();
    assert.equal(f.poolCount, 0);
    await assert.rejects(f.client(pod, 'network').request(ctx, { method: 'GET', path: '/networks' }), /closed/);
  });
});
