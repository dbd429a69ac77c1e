// Small in-test stand-ins for the services a pod's Nova/Cinder depend on (Keystone token
// validation, Neutron ports with IPAM, Glance images), plus an HTTP helper and a fixture that
// starts one pod's Nova and Cinder on loopback ports.
import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { newFaults } from '../../sim/common/http.js';
import { createCinderSimWithServices } from '../../sim/cinder/index.js';
import type { CinderServices } from '../../sim/cinder/services.js';
import { createNovaSimWithServices } from '../../sim/nova/index.js';
import type { NovaServices } from '../../sim/nova/services.js';
import { SimServiceError, type SimCaller, type SimFaults, type SimGlanceApi, type SimNeutronApi, type SimPort, type SimTokenValidator } from '../../sim/types.js';

export const PROJECT_A = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
export const PROJECT_B = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';
export const ADMIN_PROJECT = 'adadadadadadadadadadadadadadadad';

export class FakeKeystone implements SimTokenValidator {
  readonly tokens = new Map<string, SimCaller>();

  constructor() {
    this.add('admin-token', 'admin-user', ADMIN_PROJECT, true);
    this.add('token-a', 'user-a', PROJECT_A, false);
    this.add('token-a2', 'user-a2', PROJECT_A, false);
    this.add('token-b', 'user-b', PROJECT_B, false);
  }

  add(token: string, userId: string, projectId: string, isAdmin: boolean): void {
    this.tokens.set(token, {
      token,
      userId,
      userName: userId,
      projectId,
      projectName: `project-${projectId.slice(0, 4)}`,
      domainId: 'default',
      roles: isAdmin ? ['admin', 'member', 'reader'] : ['member', 'reader'],
      isAdmin,
      expiresAt: new Date(Date.now() + 3600_000),
    });
  }

  validate(token: string): SimCaller | undefined {
    return this.tokens.get(token);
  }
}

interface FakeSubnet {
  id: string;
  network_id: string;
  cidr: string;
  ip_version: number;
  next: number;
}

/** A minimal Neutron: networks with one subnet each, ports with sequential IPs. */
export class FakeNeutron implements SimNeutronApi {
  readonly networks = new Map<string, Record<string, unknown>>();
  readonly subnets = new Map<string, FakeSubnet>();
  readonly ports = new Map<string, SimPort>();

  addNetwork(name: string, cidr: string, projectId = PROJECT_A, ipVersion = 4, shared = false): { networkId: string; subnetId: string } {
    const networkId = randomUUID();
    const subnetId = randomUUID();
    this.networks.set(networkId, { id: networkId, name, project_id: projectId, tenant_id: projectId, shared, status: 'ACTIVE', subnets: [subnetId] });
    this.subnets.set(subnetId, { id: subnetId, network_id: networkId, cidr, ip_version: ipVersion, next: 10 });
    return { networkId, subnetId };
  }

  getNetwork(id: string): Record<string, unknown> | undefined {
    return this.networks.get(id);
  }

  /** Optional extra (NeutronExtras) Nova uses for `networks: auto` / no networks. */
  listNetworks(): Array<Record<string, unknown>> {
    return [...this.networks.values()];
  }

  getSubnet(id: string): Record<string, unknown> | undefined {
    const s = this.subnets.get(id);
    return s ? { id: s.id, network_id: s.network_id, cidr: s.cidr, ip_version: s.ip_version } : undefined;
  }

  getPort(id: string): SimPort | undefined {
    const p = this.ports.get(id);
    return p ? { ...p, fixed_ips: p.fixed_ips.map((f) => ({ ...f })) } : undefined;
  }

  listPorts(filter: { device_id?: string; network_id?: string }): SimPort[] {
    return [...this.ports.values()]
      .filter((p) => (filter.device_id === undefined || p.device_id === filter.device_id) && (filter.network_id === undefined || p.network_id === filter.network_id))
      .map((p) => ({ ...p, fixed_ips: p.fixed_ips.map((f) => ({ ...f })) }));
  }

  private subnetOf(networkId: string): FakeSubnet {
    const s = [...this.subnets.values()].find((x) => x.network_id === networkId);
    if (!s) throw new SimServiceError(400, `Network ${networkId} has no subnet`);
    return s;
  }

  private addressOf(s: FakeSubnet, host: number): string {
    if (s.ip_version === 6) return `${s.cidr.split('::')[0]}::${host.toString(16)}`;
    const base = s.cidr.split('/')[0].split('.').map(Number);
    return `${base[0]}.${base[1]}.${base[2] + Math.floor(host / 256)}.${host % 256}`;
  }

  createPort(projectId: string, body: Record<string, unknown>): SimPort {
    const networkId = String(body.network_id ?? '');
    if (!this.networks.has(networkId)) throw new SimServiceError(404, `Network ${networkId} could not be found.`, 'NetworkNotFound');
    const subnet = this.subnetOf(networkId);
    const requested = (body.fixed_ips as Array<{ ip_address?: string }> | undefined)?.[0]?.ip_address;
    let ip: string;
    if (requested) {
      for (const p of this.ports.values()) {
        if (p.fixed_ips.some((f) => f.ip_address === requested)) {
          throw new SimServiceError(409, `IP address ${requested} already allocated in subnet ${subnet.id}`, 'IpAddressAlreadyAllocated');
        }
      }
      ip = requested;
    } else {
      ip = this.addressOf(subnet, subnet.next++);
    }
    const mac = `fa:16:3e:${randomBytes(3).toString('hex').match(/../g)!.join(':')}`;
    const port: SimPort = {
      id: randomUUID(),
      name: String(body.name ?? ''),
      network_id: networkId,
      mac_address: mac,
      fixed_ips: [{ subnet_id: subnet.id, ip_address: ip }],
      device_id: String(body.device_id ?? ''),
      device_owner: String(body.device_owner ?? ''),
      project_id: projectId,
      tenant_id: projectId,
      status: 'DOWN',
      'binding:host_id': String(body['binding:host_id'] ?? ''),
      admin_state_up: true,
    };
    port.status = this.statusOf(port);
    this.ports.set(port.id, port);
    return { ...port };
  }

  /** Like the real simulated Neutron: ACTIVE when bound to a host and a device. */
  private statusOf(p: SimPort): string {
    return p['binding:host_id'] && p.device_id ? 'ACTIVE' : 'DOWN';
  }

  updatePort(id: string, patch: Record<string, unknown>): SimPort {
    const p = this.ports.get(id);
    if (!p) throw new SimServiceError(404, `Port ${id} could not be found.`, 'PortNotFound');
    const unknown = Object.keys(patch).filter((k) => !['device_id', 'device_owner', 'binding:host_id', 'name', 'admin_state_up'].includes(k));
    if (unknown.length) throw new SimServiceError(400, `Cannot update read-only attribute ${unknown[0]}`);
    Object.assign(p, patch);
    p.status = this.statusOf(p);
    return { ...p };
  }

  deletePort(id: string): void {
    if (!this.ports.delete(id)) throw new SimServiceError(404, `Port ${id} could not be found.`, 'PortNotFound');
  }
}

export class FakeGlance implements SimGlanceApi {
  readonly images = new Map<string, Record<string, unknown>>();

  add(name: string, extra: Record<string, unknown> = {}): string {
    const id = randomUUID();
    this.images.set(id, { id, name, status: 'active', min_ram: 0, min_disk: 0, visibility: 'public', ...extra });
    return id;
  }

  getImage(id: string): Record<string, unknown> | undefined {
    return this.images.get(id);
  }

  createImage(projectId: string, name: string, props: Record<string, unknown>): string {
    const id = randomUUID();
    this.images.set(id, { ...props, id, name, owner: projectId, status: 'queued', visibility: 'private' });
    return id;
  }
  deleteImage(id: string): void {
    this.images.delete(id);
  }
}

// ---------------------------------------------------------------------------------------------
// HTTP

export interface ApiResponse {
  status: number;
  headers: Headers;
  body: any;
}

export interface CallOptions {
  token?: string | null;
  body?: unknown;
  headers?: Record<string, string>;
  /** Raw body text (sent with Content-Type application/json). */
  raw?: string;
}

export async function call(baseUrl: string, method: string, path: string, opts: CallOptions = {}): Promise<ApiResponse> {
  const headers: Record<string, string> = { accept: 'application/json', ...(opts.headers ?? {}) };
  if (opts.token !== null) headers['x-auth-token'] = opts.token ?? 'token-a';
  let payload: string | undefined;
  if (opts.raw !== undefined) payload = opts.raw;
  else if (opts.body !== undefined) payload = JSON.stringify(opts.body);
  if (payload !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${baseUrl}${path}`, { method, headers, body: payload });
  const text = await res.text();
  let body: any = text;
  if (text && (res.headers.get('content-type') ?? '').includes('json')) body = JSON.parse(text);
  return { status: res.status, headers: res.headers, body };
}

/** Polls until `check` returns a value that is not undefined (or times out). */
export async function waitFor<T>(check: () => Promise<T | undefined>, timeoutMs = 3000, what = 'condition'): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

// ---------------------------------------------------------------------------------------------
// Pod fixture

async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

export interface PodFixture {
  novaUrl: string;
  cinderUrl: string;
  nova: NovaServices;
  cinder: CinderServices;
  keystone: FakeKeystone;
  neutron: FakeNeutron;
  glance: FakeGlance;
  faults: SimFaults;
  net: { networkId: string; subnetId: string };
  net2: { networkId: string; subnetId: string };
  /** Project B's own network. */
  netB: { networkId: string; subnetId: string };
  imageId: string;
  close(): Promise<void>;
}

export async function startPod(opts: { az?: string; buildDelayMs?: number; shelvedOffloadTime?: number } = {}): Promise<PodFixture> {
  const keystone = new FakeKeystone();
  const neutron = new FakeNeutron();
  const glance = new FakeGlance();
  const faults = newFaults();
  const az = opts.az ?? 'az1';
  const net = neutron.addNetwork('private', '10.0.0.0/24');
  const net2 = neutron.addNetwork('shared', '10.1.0.0/24');
  const netB = neutron.addNetwork('b-private', '10.2.0.0/24', PROJECT_B);
  const imageId = glance.add('cirros-0.6.2');
  let novaUrl = '';
  let cinderUrl = '';
  const cinder = createCinderSimWithServices({
    region: 'Pod1',
    az,
    faults,
    keystone,
    publicUrl: () => cinderUrl,
    buildDelayMs: opts.buildDelayMs ?? 20,
    glance: () => glance,
  });
  const nova = createNovaSimWithServices({
    region: 'Pod1',
    az,
    faults,
    keystone,
    neutron,
    cinder: cinder.services.volumes,
    glance,
    publicUrl: () => novaUrl,
    buildDelayMs: opts.buildDelayMs ?? 20,
    shelvedOffloadTime: opts.shelvedOffloadTime,
  });
  novaUrl = await listen(nova.app);
  cinderUrl = await listen(cinder.app);
  return {
    novaUrl,
    cinderUrl,
    nova: nova.services,
    cinder: cinder.services,
    keystone,
    neutron,
    glance,
    faults,
    net,
    net2,
    netB,
    imageId,
    async close() {
      await nova.app.close();
      await cinder.app.close();
    },
  };
}
