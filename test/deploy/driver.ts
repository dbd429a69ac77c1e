/**
 * A client of the cloud through the front, as a careful user drives it while processes die: a
 * request that gets no answer or a 5xx may or may not have been done, so before repeating a create
 * it looks the resource up by name (and adopts it), and before repeating an action it reads the
 * state. Every request and its outcome is counted; every create answered 2xx is recorded so the
 * audit can check that it exists.
 */
import { type Agent, request } from 'undici';

export type Service = 'neutron-api' | 'nova-apigw' | 'cinder-apigw' | 'admin-api';

export interface Answer {
  status: number;
  body: any;
  text: string;
}

export interface RequestStats {
  /** Every request sent, retries included. */
  sent: number;
  /** Creates, updates, actions and deletes answered 2xx. */
  accepted: number;
  /** Requests answered 5xx, or with no answer (connection reset, process killed mid-request). */
  failed: number;
  /** 4xx answers (expected ones are counted too, e.g. 404 of a deleted server). */
  refused: number;
}

export type ResourceKind = 'network' | 'subnet' | 'router' | 'server' | 'floatingip' | 'volume';

/** A resource a create made, and whether that create was answered 2xx (else it was found by name after a failed answer). */
export interface Made {
  kind: ResourceKind;
  id: string;
  name: string;
  projectId: string;
  accepted: boolean;
}

/** What the walkthroughs made and which state changes were accepted. */
export class Ledger {
  readonly made: Made[] = [];
  /** Router interfaces (router → subnet) and gateways (router → external network) that were put in place. */
  readonly interfaces: { projectId: string; routerId: string; subnetId: string }[] = [];
  readonly gateways: { projectId: string; routerId: string; networkId: string }[] = [];
  /** Floating IPs associated with a VM port. */
  readonly associations: { projectId: string; fipId: string; portId: string }[] = [];
  /** Servers and volumes whose delete was accepted. */
  readonly deleted: { kind: 'server' | 'volume'; id: string; projectId: string }[] = [];
  /** Pairs of VMs that must reach each other (fixed IPs), per project. */
  readonly vmPairs: { projectId: string; a: string; b: string }[] = [];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const failedAnswer = (a: Answer) => a.status === 0 || a.status >= 500;

/** Requests in flight per service, across every client (the chaos loop aims its kills with it). */
export type InFlight = Record<Service, number>;

/** Requests of one project through the front. */
export class FrontClient {
  constructor(
    private readonly urls: Record<Service, string>,
    readonly token: string,
    readonly projectId: string,
    private readonly stats: RequestStats,
    private readonly agent: Agent,
    private readonly inFlight: InFlight,
  ) {}

  async call(service: Service, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    this.stats.sent++;
    this.inFlight[service]++;
    let status = 0;
    let text = '';
    try {
      const res = await request(`${this.urls[service]}${path}`, {
        method: method as 'GET',
        dispatcher: this.agent,
        headers: { accept: 'application/json', 'x-auth-token': this.token, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
        headersTimeout: 60_000,
        bodyTimeout: 60_000,
      });
      status = res.statusCode;
      text = await res.body.text();
    } catch (err) {
      text = String((err as Error).message);
      status = 0;
    } finally {
      this.inFlight[service]--;
    }
    if (failedAnswer({ status, body: undefined, text })) this.stats.failed++;
    else if (status >= 400) this.stats.refused++;
    else if (method !== 'GET') this.stats.accepted++;
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status, body: parsed, text };
  }

  /** A read, repeated while the answer is a failure (a process of the service may be restarting). */
  async read(service: Service, path: string, timeoutMs = 30_000): Promise<Answer> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const a = await this.call(service, 'GET', path);
      if (!failedAnswer(a)) return a;
      if (Date.now() > until) throw new Error(`GET ${service} ${path} kept failing: ${a.status} ${a.text.slice(0, 300)}`);
      await sleep(200);
    }
  }
}

/**
 * Creates a resource once: a 2xx is recorded as accepted; after a failed answer the resource is
 * looked up by name and adopted if it is there, else the create is sent again.
 */
async function createOnce(
  c: FrontClient,
  ledger: Ledger,
  kind: ResourceKind,
  name: string,
  send: () => Promise<Answer>,
  idOf: (a: Answer) => string,
  find: () => Promise<string[]>,
): Promise<string> {
  for (let attempt = 1; attempt <= 10; attempt++) {
    const a = await send();
    if (a.status >= 200 && a.status < 300) {
      const id = idOf(a);
      ledger.made.push({ kind, id, name, projectId: c.projectId, accepted: true });
      return id;
    }
    if (!failedAnswer(a)) throw new Error(`create ${kind} ${name} refused: ${a.status} ${a.text.slice(0, 500)}`);
    const found = await find();
    if (found.length > 1) throw new Error(`create ${kind} ${name}: ${found.length} made by one create that failed (${found.join(', ')})`);
    if (found.length === 1) {
      ledger.made.push({ kind, id: found[0], name, projectId: c.projectId, accepted: false });
      return found[0];
    }
    await sleep(300);
  }
  throw new Error(`create ${kind} ${name}: no success after 10 attempts`);
}

/** An action that is done when `done()` says so; sent again after a failed answer unless it is already done. */
async function actOnce(_c: FrontClient, what: string, send: () => Promise<Answer>, done: () => Promise<boolean>, alreadyDone?: (a: Answer) => boolean): Promise<void> {
  for (let attempt = 1; attempt <= 10; attempt++) {
    const a = await send();
    if (a.status >= 200 && a.status < 300) return;
    if (alreadyDone?.(a)) return;
    if (!failedAnswer(a)) throw new Error(`${what} refused: ${a.status} ${a.text.slice(0, 500)}`);
    if (await done()) return;
    await sleep(300);
  }
  throw new Error(`${what}: no success after 10 attempts`);
}

async function waitStatus(c: FrontClient, service: Service, path: string, key: string, want: string, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    const a = await c.read(service, path);
    last = a.body?.[key]?.status ?? `HTTP ${a.status}`;
    if (last === want) return;
    if (last === 'ERROR' || last === 'error') throw new Error(`${path} went to ${last}: ${a.text.slice(0, 500)}`);
    if (Date.now() > until) throw new Error(`${path} not ${want} after ${timeoutMs} ms (last: ${last})`);
    await sleep(150);
  }
}

export interface WalkthroughInput {
  round: number;
  externalNetworkId: string;
  imageId: string;
}

/**
 * Reference §8.2 in one project: networks in az1 and az2, their subnets, a router with the external
 * gateway, a VM in each AZ, both subnets on the router, a floating IP for each VM (same pod as the
 * external network, and two hops), a volume in each AZ; then a third VM and a third volume made and
 * deleted again.
 */
export async function walkthrough(c: FrontClient, ledger: Ledger, input: WalkthroughInput): Promise<void> {
  const p = `mp${input.round}`;
  const project = c.projectId;
  const byName = (collection: string, key: string) => async (name: string) =>
    ((await c.read('neutron-api', `/v2.0/${collection}?name=${encodeURIComponent(name)}`)).body[key] as { id: string }[]).map((x) => x.id);

  const network = (name: string, az: string) =>
    createOnce(
      c,
      ledger,
      'network',
      name,
      () => c.call('neutron-api', 'POST', '/v2.0/networks', { network: { name, availability_zone_hints: [az] } }),
      (a) => a.body.network.id,
      () => byName('networks', 'networks')(name),
    );
  const subnet = (name: string, networkId: string, cidr: string) =>
    createOnce(
      c,
      ledger,
      'subnet',
      name,
      () => c.call('neutron-api', 'POST', '/v2.0/subnets', { subnet: { name, network_id: networkId, ip_version: 4, cidr } }),
      (a) => a.body.subnet.id,
      () => byName('subnets', 'subnets')(name),
    );
  const net1 = await network(`${p}-net1`, 'az1');
  const net2 = await network(`${p}-net2`, 'az2');
  const sub1 = await subnet(`${p}-subnet1`, net1, `10.${input.round}.1.0/24`);
  const sub2 = await subnet(`${p}-subnet2`, net2, `10.${input.round}.2.0/24`);
  const routerName = `${p}-router`;
  const router = await createOnce(
    c,
    ledger,
    'router',
    routerName,
    () => c.call('neutron-api', 'POST', '/v2.0/routers', { router: { name: routerName } }),
    (a) => a.body.router.id,
    () => byName('routers', 'routers')(routerName),
  );
  const hasGateway = async () => (await c.read('neutron-api', `/v2.0/routers/${router}`)).body.router.external_gateway_info?.network_id === input.externalNetworkId;
  await actOnce(
    c,
    'router gateway',
    () => c.call('neutron-api', 'PUT', `/v2.0/routers/${router}`, { router: { external_gateway_info: { network_id: input.externalNetworkId } } }),
    hasGateway,
  );
  ledger.gateways.push({ projectId: project, routerId: router, networkId: input.externalNetworkId });

  const boot = (name: string, networkId: string, az: string) =>
    createOnce(
      c,
      ledger,
      'server',
      name,
      () => c.call('nova-apigw', 'POST', '/v2.1/servers', { server: { name, flavorRef: '1', imageRef: input.imageId, availability_zone: az, networks: [{ uuid: networkId }] } }),
      (a) => a.body.server.id,
      async () => ((await c.read('nova-apigw', `/v2.1/servers?name=${encodeURIComponent(`^${name}$`)}`)).body.servers as { id: string }[]).map((s) => s.id),
    );
  const vm1 = await boot(`${p}-vm1`, net1, 'az1');
  const vm2 = await boot(`${p}-vm2`, net2, 'az2');
  await waitStatus(c, 'nova-apigw', `/v2.1/servers/${vm1}`, 'server', 'ACTIVE');
  await waitStatus(c, 'nova-apigw', `/v2.1/servers/${vm2}`, 'server', 'ACTIVE');

  for (const subnetId of [sub1, sub2]) {
    const attached = async () =>
      ((await c.read('neutron-api', `/v2.0/ports?device_id=${router}`)).body.ports as { fixed_ips: { subnet_id: string }[] }[]).some((port) =>
        port.fixed_ips.some((f) => f.subnet_id === subnetId),
      );
    await actOnce(
      c,
      'add router interface',
      () => c.call('neutron-api', 'PUT', `/v2.0/routers/${router}/add_router_interface`, { subnet_id: subnetId }),
      attached,
      (a) => a.status === 400 && /already has a port/.test(a.text),
    );
    ledger.interfaces.push({ projectId: project, routerId: router, subnetId });
  }

  const portOf = async (serverId: string) => {
    const ports = (await c.read('neutron-api', `/v2.0/ports?device_id=${serverId}`)).body.ports as { id: string; fixed_ips: { ip_address: string }[] }[];
    if (ports.length !== 1) throw new Error(`server ${serverId} has ${ports.length} ports at the top`);
    return { id: ports[0].id, ip: ports[0].fixed_ips[0].ip_address };
  };
  const port1 = await portOf(vm1);
  const port2 = await portOf(vm2);
  ledger.vmPairs.push({ projectId: project, a: port1.ip, b: port2.ip });
  for (const [label, port] of [
    ['fipA', port2],
    ['fipB', port1],
  ] as const) {
    const name = `${p}-${label}`;
    const fip = await createOnce(
      c,
      ledger,
      'floatingip',
      name,
      () => c.call('neutron-api', 'POST', '/v2.0/floatingips', { floatingip: { floating_network_id: input.externalNetworkId, port_id: port.id, description: name } }),
      (a) => a.body.floatingip.id,
      async () => ((await c.read('neutron-api', `/v2.0/floatingips?port_id=${port.id}`)).body.floatingips as { id: string }[]).map((f) => f.id),
    );
    ledger.associations.push({ projectId: project, fipId: fip, portId: port.id });
  }

  const volume = (name: string, az: string) =>
    createOnce(
      c,
      ledger,
      'volume',
      name,
      () => c.call('cinder-apigw', 'POST', `/v3/${project}/volumes`, { volume: { name, size: 1, availability_zone: az } }),
      (a) => a.body.volume.id,
      async () => ((await c.read('cinder-apigw', `/v3/${project}/volumes?name=${encodeURIComponent(name)}`)).body.volumes as { id: string }[]).map((v) => v.id),
    );
  const vol1 = await volume(`${p}-vol1`, 'az1');
  const vol2 = await volume(`${p}-vol2`, 'az2');
  await waitStatus(c, 'cinder-apigw', `/v3/${project}/volumes/${vol1}`, 'volume', 'available');
  await waitStatus(c, 'cinder-apigw', `/v3/${project}/volumes/${vol2}`, 'volume', 'available');

  // Made and deleted again: the server delete runs through a cleanup job.
  const vm3 = await boot(`${p}-vm3`, net1, 'az1');
  await waitStatus(c, 'nova-apigw', `/v2.1/servers/${vm3}`, 'server', 'ACTIVE');
  await deleteOnce(c, ledger, 'server', vm3, 'nova-apigw', `/v2.1/servers/${vm3}`);
  const vol3 = await volume(`${p}-vol3`, 'az2');
  await waitStatus(c, 'cinder-apigw', `/v3/${project}/volumes/${vol3}`, 'volume', 'available');
  await deleteOnce(c, ledger, 'volume', vol3, 'cinder-apigw', `/v3/${project}/volumes/${vol3}`);
}

/** A delete, sent again after a failed answer until it is accepted or the resource is gone (404). */
async function deleteOnce(c: FrontClient, ledger: Ledger, kind: 'server' | 'volume', id: string, service: Service, path: string): Promise<void> {
  for (let attempt = 1; attempt <= 10; attempt++) {
    const a = await c.call(service, 'DELETE', path);
    if ((a.status >= 200 && a.status < 300) || a.status === 404) {
      ledger.deleted.push({ kind, id, projectId: c.projectId });
      return;
    }
    if (!failedAnswer(a)) throw new Error(`delete ${kind} ${id} refused: ${a.status} ${a.text.slice(0, 500)}`);
    await sleep(300);
  }
  throw new Error(`delete ${kind} ${id}: no success after 10 attempts`);
}
