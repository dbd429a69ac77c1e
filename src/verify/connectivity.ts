// Connectivity of one project, with packets: its servers' ports and floating IPs are read from the
// top APIs, the hosts behind them from the simulator's dataplane map (namespace of each VM, the
// outside host), and from inside those hosts: ping and a TCP connect between every two VMs
// (east-west), from every VM to the outside client (north-south), and from the outside client to
// every associated floating IP (answered by the right VM, in the same pod or over two hops).
import { request } from 'undici';
import { ProbeAgentPool, type ProbeAgent } from './agents.js';
import { BANNER, type ProbeResult } from './probeProtocol.js';

export interface VerifyOptions {
  /** A token that may read the project's ports and floating IPs at the top (admin, or the project's own). */
  token: string;
  /** The top Neutron (Tricircle's networking API) root, e.g. http://127.0.0.1:9696. */
  networkUrl: string;
  /** The top compute API (…/v2.1), for server names; optional. */
  computeUrl?: string;
  /** The simulator's dataplane map, e.g. http://127.0.0.1:5000/sim/dataplane. */
  dataplaneUrl: string;
  projectId: string;
  /** TCP port the probe agents answer on (default 8000). */
  tcpPort?: number;
  /** Per attempt of a probe (default 2000 ms), and attempts before a probe counts as failed (default 2). */
  timeoutMs?: number;
  attempts?: number;
  /** Agents to use and keep (the caller closes them); by default the call starts its own and stops them. */
  agents?: ProbeAgentPool;
}

export type CheckKind = 'east-west' | 'north-south' | 'floating-ip';

/** A host probes run from: a VM (one per port) or the outside host. */
export interface ProbeHost {
  key: string;
  label: string;
  netns: string;
  region?: string;
  serverId?: string;
  portId?: string;
  /** The VM's fixed address, or the outside client address. */
  address: string;
}

export interface ProbeTarget {
  key: string;
  label: string;
  address: string;
  /** Who must answer (the banner's host). */
  answeredBy: string;
  kind: 'vm' | 'outside' | 'floating-ip';
  /** Floating IPs: "same pod" or "two hops", when the dataplane map tells. */
  path?: string;
}

export interface ConnectivityCheck {
  kind: CheckKind;
  from: string;
  to: string;
  address: string;
  icmp: ProbeResult;
  tcp: ProbeResult;
  /** ICMP answered, and TCP answered by the expected host. */
  ok: boolean;
}

export interface ConnectivityReport {
  projectId: string;
  hosts: ProbeHost[];
  targets: ProbeTarget[];
  checks: ConnectivityCheck[];
  ok: boolean;
  /** Ports or floating IPs of the project that could not be checked, and why. */
  skipped: string[];
}

interface DataplaneMap {
  prefix: string;
  converged: boolean;
  errors: string[];
  topology: {
    outside: { netns: string; clientAddress: string };
    vms: { region: string; netns: string; portId: string; mac: string; ips: string[]; deviceId: string }[];
    routers: { region: string; floatingIps: { address: string; fixedIp: string }[] }[];
  } | null;
}

interface TopPort {
  id: string;
  name?: string;
  mac_address: string;
  device_id: string;
  device_owner: string;
  fixed_ips: { ip_address: string }[];
}

interface TopFloatingIp {
  id: string;
  floating_ip_address: string;
  fixed_ip_address: string | null;
  port_id: string | null;
}

async function call<T>(method: 'GET' | 'POST', url: string, token?: string): Promise<T> {
  const res = await request(url, { method, headers: { accept: 'application/json', ...(token && { 'x-auth-token': token }) } });
  const text = await res.body.text();
  if (res.statusCode >= 300) throw new Error(`${method} ${url} answered ${res.statusCode}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

const isV4 = (ip: string) => /^\d+\.\d+\.\d+\.\d+$/.test(ip);

/** Runs `fn` over `items` with at most `limit` at a time. */
async function mapLimited<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]);
      }
    }),
  );
  return out;
}

/** Probes a project's connectivity; agents run only for the duration of the call. */
export async function verifyConnectivity(opts: VerifyOptions): Promise<ConnectivityReport> {
  const port = opts.tcpPort ?? opts.agents?.port ?? 8000;
  const timeoutMs = opts.timeoutMs ?? 2000;
  const attempts = opts.attempts ?? 2;
  const network = opts.networkUrl.replace(/\/+$/, '').replace(/\/v2\.0$/, '');
  const q = encodeURIComponent(opts.projectId);

  // The dataplane first catches up with the pods, then the map is read.
  const map = (await call<{ dataplane: DataplaneMap }>('POST', `${opts.dataplaneUrl.replace(/\/+$/, '')}/sync`)).dataplane;
  if (!map.topology) throw new Error('the dataplane has no topology yet');
  const [ports, fips] = await Promise.all([
    call<{ ports: TopPort[] }>('GET', `${network}/v2.0/ports?project_id=${q}`, opts.token),
    call<{ floatingips: TopFloatingIp[] }>('GET', `${network}/v2.0/floatingips?project_id=${q}`, opts.token),
  ]);

  const skipped: string[] = [];
  const names = new Map<string, string>();
  const vmPorts = ports.ports.filter((p) => p.device_owner.startsWith('compute:')).sort((a, b) => a.device_id.localeCompare(b.device_id) || a.id.localeCompare(b.id));
  if (opts.computeUrl) {
    const compute = opts.computeUrl.replace(/\/+$/, '');
    await mapLimited([...new Set(vmPorts.map((p) => p.device_id))], 4, async (id) => {
      try {
        names.set(id, (await call<{ server: { name: string } }>('GET', `${compute}/servers/${id}`, opts.token)).server.name);
      } catch {
        // a server the gateway cannot show is labelled by its id
      }
    });
  }

  const hosts: ProbeHost[] = [];
  const targets: ProbeTarget[] = [];
  const vmByPort = new Map<string, ProbeHost>();
  for (const p of vmPorts) {
    const ip = p.fixed_ips.map((f) => f.ip_address).find(isV4);
    if (!ip) {
      skipped.push(`port ${p.id}: no IPv4 address`);
      continue;
    }
    const found = map.topology.vms.filter((v) => v.mac.toLowerCase() === p.mac_address.toLowerCase() && v.ips.includes(ip));
    if (found.length !== 1) {
      skipped.push(`port ${p.id} (${ip}): ${found.length ? 'several VMs' : 'no VM'} in the dataplane with MAC ${p.mac_address} and this address`);
      continue;
    }
    const vm = found[0];
    const server = names.get(p.device_id) ?? p.device_id.slice(0, 8);
    const sameServer = vmPorts.filter((x) => x.device_id === p.device_id).length > 1;
    const host: ProbeHost = {
      key: `vm:${p.id}`,
      label: `${server}${sameServer ? `/${ip}` : ''}`,
      netns: vm.netns,
      region: vm.region,
      serverId: p.device_id,
      portId: p.id,
      address: ip,
    };
    hosts.push(host);
    vmByPort.set(p.id, host);
    targets.push({ key: host.key, label: `${host.label} ${ip}`, address: ip, answeredBy: vm.netns, kind: 'vm' });
  }
  const outside: ProbeHost = { key: 'outside', label: 'outside', netns: map.topology.outside.netns, address: map.topology.outside.clientAddress };
  hosts.push(outside);
  targets.push({ key: 'outside', label: `outside ${outside.address}`, address: outside.address, answeredBy: outside.netns, kind: 'outside' });

  const translated = map.topology.routers.flatMap((r) => r.floatingIps);
  for (const f of [...fips.floatingips].sort((a, b) => a.floating_ip_address.localeCompare(b.floating_ip_address))) {
    if (!f.port_id) continue;
    const vm = vmByPort.get(f.port_id);
    if (!vm) {
      skipped.push(`floating IP ${f.floating_ip_address}: its port ${f.port_id} is not a VM the dataplane holds`);
      continue;
    }
    const hop = translated.find((t) => t.address === f.floating_ip_address);
    const path = hop ? (hop.fixedIp === f.fixed_ip_address ? 'same pod' : 'two hops') : undefined;
    targets.push({
      key: `fip:${f.floating_ip_address}`,
      label: `${f.floating_ip_address} → ${vm.label}`,
      address: f.floating_ip_address,
      answeredBy: vm.netns,
      kind: 'floating-ip',
      ...(path && { path }),
    });
  }

  const pairs: { kind: CheckKind; from: ProbeHost; to: ProbeTarget }[] = [];
  for (const from of hosts) {
    for (const to of targets) {
      if (from.key === to.key) continue;
      if (from.key === 'outside') {
        if (to.kind === 'floating-ip') pairs.push({ kind: 'floating-ip', from, to });
      } else if (to.kind === 'vm') pairs.push({ kind: 'east-west', from, to });
      else if (to.kind === 'outside') pairs.push({ kind: 'north-south', from, to });
    }
  }

  const pool = opts.agents ?? new ProbeAgentPool(port);
  if (pool.port !== port) throw new Error(`the probe agents answer on port ${pool.port}, not ${port}`);
  const agents = new Map<string, ProbeAgent>();
  try {
    await Promise.all(
      hosts.map(async (h) => {
        agents.set(h.key, await pool.get(h.netns));
      }),
    );
    const retry = async (probe: () => Promise<ProbeResult>, good: (r: ProbeResult) => boolean) => {
      let r = await probe();
      for (let i = 1; i < attempts && !good(r); i++) r = await probe();
      return r;
    };
    const checks = await mapLimited(pairs, 16, async ({ kind, from, to }) => {
      const agent = agents.get(from.key)!;
      const source = from.key === 'outside' ? from.address : undefined;
      const expected = `${BANNER} ${to.answeredBy}`;
      const [icmp, tcp] = await Promise.all([
        retry(
          () => agent.probe({ op: 'ping', host: to.address, timeoutMs, ...(source && { source }) }),
          (r) => r.ok,
        ),
        retry(
          () => agent.probe({ op: 'tcp', host: to.address, port, timeoutMs, ...(source && { source }) }),
          (r) => r.ok && r.banner === expected,
        ),
      ]);
      if (tcp.ok && tcp.banner !== expected) tcp.detail = `answered by ${tcp.banner?.replace(`${BANNER} `, '') ?? 'nobody'}`;
      const check: ConnectivityCheck = { kind, from: from.key, to: to.key, address: to.address, icmp, tcp, ok: icmp.ok && tcp.ok && tcp.banner === expected };
      return check;
    });
    return { projectId: opts.projectId, hosts, targets, checks, ok: checks.every((c) => c.ok), skipped };
  } finally {
    if (!opts.agents) await pool.close();
  }
}

/** The result of one check of a report, by host and target keys. */
export function checkOf(report: ConnectivityReport, from: string, to: string): ConnectivityCheck | undefined {
  return report.checks.find((c) => c.from === from && c.to === to);
}

function cell(c: ConnectivityCheck | undefined): string {
  if (!c) return '';
  if (c.ok) return 'ok';
  const parts: string[] = [];
  if (!c.icmp.ok) parts.push('no ping');
  if (!c.tcp.ok) parts.push('no tcp');
  else if (!c.ok) parts.push(`tcp ${c.tcp.detail}`);
  return parts.join(', ');
}

/** Rows: the hosts probes ran from; columns: the addresses probed. */
export function connectivityMatrix(report: ConnectivityReport): { columns: string[]; rows: Record<string, string>[] } {
  const columns = ['from \\ to', ...report.targets.map((t) => `${t.label}${t.path ? ` (${t.path})` : ''}`)];
  const rows = report.hosts.map((h) => {
    const row: Record<string, string> = { 'from \\ to': h.region ? `${h.label} (${h.region})` : h.label };
    for (const [i, t] of report.targets.entries()) row[columns[i + 1]] = h.key === t.key ? '-' : cell(checkOf(report, h.key, t.key));
    return row;
  });
  return { columns, rows };
}
