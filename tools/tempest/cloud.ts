// The embedded cloud tempest runs against: `tricircle demo` (the pod simulator and Tricircle, pods registered,
// flavors and images seeded) on free ports in a state directory of the run's own, plus the public network
// tempest's floating-IP and router tests need.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface RunningCloud {
  /** Keystone v3 URL. */
  authUrl: string;
  region: string;
  stop(): Promise<void>;
}

const READY_LINE = 'Stop with Ctrl-C.';

/** Starts `node <repo>/dist/src/cli/main.js demo` and resolves when it printed its openrc. */
export async function startCloud(repoRoot: string, stateDir: string, log: string, timeoutMs = 120_000): Promise<RunningCloud> {
  const out = createWriteStream(log);
  const child = spawn(process.execPath, [join(repoRoot, 'dist', 'src', 'cli', 'main.js'), 'demo', '--state-dir', stateDir], {
    cwd: repoRoot,
    // Its own process group, so that a stop reaches the simulator it starts even if the demo dies first.
    detached: true,
    env: {
      ...process.env,
      TRICIRCLE_ADMIN_API__BIND_PORT: '0',
      TRICIRCLE_NOVA_APIGW__BIND_PORT: '0',
      TRICIRCLE_CINDER_APIGW__BIND_PORT: '0',
      TRICIRCLE_NEUTRON__BIND_PORT: '0',
      // The public network is a VLAN on physical network `public` (see createPublicNetwork).
      TRICIRCLE_TRICIRCLE__NETWORK_VLAN_RANGES: process.env.TRICIRCLE_TRICIRCLE__NETWORK_VLAN_RANGES ?? 'bridge:2001:3000,public:3001:4000',
      // External networks tempest creates name no pod (no availability_zone_hints): they go where the public network is (main.ts EXTERNAL_POD).
      TRICIRCLE_TRICIRCLE__DEFAULT_REGION_FOR_EXTERNAL_NETWORK: process.env.TRICIRCLE_TRICIRCLE__DEFAULT_REGION_FOR_EXTERNAL_NETWORK ?? 'Pod2',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr!.pipe(out, { end: false });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the embedded cloud was not ready in ${timeoutMs / 1000} s (log: ${log})`)), timeoutMs);
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`the embedded cloud exited (${code}) before it was ready (log: ${log}):\n${output}`));
    };
    child.once('exit', onExit);
    child.stdout!.on('data', (d: Buffer) => {
      out.write(d);
      output += d.toString('utf8');
      if (output.includes(READY_LINE)) {
        clearTimeout(timer);
        child.off('exit', onExit);
        resolve();
      }
    });
  }).catch(async (err) => {
    await stopChild(child);
    throw err;
  });
  const rc = parseOpenrc(readFileSync(join(stateDir, 'openrc'), 'utf8'));
  return {
    authUrl: rc.OS_AUTH_URL,
    region: rc.OS_REGION_NAME,
    stop: async () => {
      await stopChild(child);
      out.end();
    },
  };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return killGroup(child, 'SIGKILL');
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
  killGroup(child, 'SIGKILL');
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid) process.kill(-child.pid, signal);
  } catch {
    // the group is gone already
  }
}

export function parseOpenrc(text: string): Record<string, string> {
  return Object.fromEntries([...text.matchAll(/^export (\w+)=(.*)$/gm)].map((m) => [m[1], m[2]]));
}

interface CatalogEntry {
  type: string;
  endpoints: { region: string; interface: string; url: string }[];
}

/** An admin session on the top region: its token and the public endpoints of RegionOne. */
export class TopSession {
  private constructor(
    readonly token: string,
    private readonly catalog: CatalogEntry[],
    readonly region: string,
  ) {}

  static async login(authUrl: string, region: string, username: string, password: string, project: string): Promise<TopSession> {
    const res = await fetch(`${authUrl}/auth/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        auth: {
          identity: { methods: ['password'], password: { user: { name: username, domain: { id: 'default' }, password } } },
          scope: { project: { name: project, domain: { id: 'default' } } },
        },
      }),
    });
    if (res.status !== 201) throw new Error(`Keystone login: HTTP ${res.status} ${await res.text()}`);
    const body = (await res.json()) as { token: { catalog: CatalogEntry[] } };
    return new TopSession(res.headers.get('x-subject-token') ?? '', body.token.catalog, region);
  }

  endpoint(type: string): string {
    const ep = this.catalog.find((c) => c.type === type)?.endpoints.find((e) => e.region === this.region && e.interface === 'public');
    if (!ep) throw new Error(`no public ${type} endpoint in region ${this.region}`);
    return ep.url.replace(/\/$/, '');
  }

  /** The top region's public endpoint of a service type, as registered (URL templates such as `$(project_id)s` kept). */
  async registeredEndpoint(type: string): Promise<string> {
    const identity = this.endpoint('identity');
    const { services } = await this.call<{ services: { id: string; type: string }[] }>('GET', `${identity}/services?type=${encodeURIComponent(type)}`);
    const { endpoints } = await this.call<{ endpoints: { service_id: string; region: string; url: string }[] }>('GET', `${identity}/endpoints?interface=public`);
    const ep = endpoints.find((e) => e.region === this.region && services.some((s) => s.id === e.service_id && s.type === type));
    if (!ep) throw new Error(`no registered public ${type} endpoint in region ${this.region}`);
    return ep.url;
  }

  /** Registers a public endpoint of the top region under a new service type. */
  async addEndpoint(type: string, url: string): Promise<void> {
    const identity = this.endpoint('identity');
    const { service } = await this.call<{ service: { id: string } }>('POST', `${identity}/services`, { service: { type, name: type, enabled: true } });
    await this.call('POST', `${identity}/endpoints`, { endpoint: { service_id: service.id, interface: 'public', region_id: this.region, url, enabled: true } });
  }

  async call<T>(method: string, url: string, body?: unknown): Promise<T> {
    const res = await fetch(url, {
      method,
      headers: { 'x-auth-token': this.token, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status >= 400) throw new Error(`${method} ${url}: HTTP ${res.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }
}

export interface CloudFacts {
  imageRef: string;
  imageRefAlt: string;
  flavorRef: string;
  flavorRefAlt: string;
  publicNetworkId: string;
  publicNetworkName: string;
  networkExtensions: string[];
  computeMicroversions: { min: string; max: string };
  volumeMicroversions: { min: string; max: string };
}

/** Finds the two images and the two smallest flavors, lists Neutron's extensions, creates the public network in `externalPod`. */
export async function prepareCloud(top: TopSession, externalPod: string): Promise<CloudFacts> {
  const glance = top.endpoint('image');
  const { images } = await top.call<{ images: { id: string; name: string; status: string }[] }>('GET', `${glance}/v2/images?status=active`);
  if (images.length < 2) throw new Error(`tempest needs two active images, Glance has ${images.length}`);
  const sortedImages = [...images].sort((a, b) => b.name.localeCompare(a.name));
  const nova = top.endpoint('compute');
  const { flavors } = await top.call<{ flavors: { id: string; ram: number; disk: number }[] }>('GET', `${nova}/flavors/detail`);
  const sortedFlavors = [...flavors].sort((a, b) => a.ram - b.ram || a.disk - b.disk);
  if (sortedFlavors.length < 2) throw new Error(`tempest needs two flavors, the top has ${sortedFlavors.length}`);
  const computeVersion = await top.call<{ version: { min_version: string; version: string } }>('GET', `${nova}/`);
  const cinder = new URL(top.endpoint('volumev3')).origin;
  const volumeVersions = await top.call<{ versions: { id: string; min_version: string; version: string }[] }>('GET', `${cinder}/v3/`);
  const v3 = volumeVersions.versions.find((v) => v.id.startsWith('v3'));
  if (!v3) throw new Error('the volume API lists no v3');
  const neutron = top.endpoint('network');
  const { extensions } = await top.call<{ extensions: { alias: string }[] }>('GET', `${neutron}/v2.0/extensions`);
  const name = 'public';
  const { network } = await top.call<{ network: { id: string } }>('POST', `${neutron}/v2.0/networks`, {
    network: {
      name,
      'router:external': true,
      shared: false,
      'provider:network_type': 'vlan',
      'provider:physical_network': 'public',
      availability_zone_hints: [externalPod],
    },
  });
  await top.call('POST', `${neutron}/v2.0/subnets`, {
    subnet: { network_id: network.id, name: 'public-subnet', ip_version: 4, cidr: '172.24.4.0/24', gateway_ip: '172.24.4.1', enable_dhcp: false },
  });
  return {
    imageRef: sortedImages[0].id,
    imageRefAlt: sortedImages[1].id,
    flavorRef: sortedFlavors[0].id,
    flavorRefAlt: sortedFlavors[1].id,
    publicNetworkId: network.id,
    publicNetworkName: name,
    networkExtensions: extensions.map((e) => e.alias).sort(),
    computeMicroversions: { min: computeVersion.version.min_version, max: computeVersion.version.version },
    volumeMicroversions: { min: v3.min_version, max: v3.version },
  };
}
