// The machine side: reading what exists in our namespaces (iproute2's JSON output) and running
// command scripts. Every command runs inside a namespace of ours (`ip -n`, `ip netns exec`); the
// host's own namespace is only ever asked for the list of namespaces.
import { spawn } from 'node:child_process';

export interface ActualLink {
  name: string;
  kind: string;
  mac: string;
  master?: string;
  up: boolean;
  /** IPv4 addresses as "ip/len". */
  addresses: string[];
}

export interface ActualRoute {
  dst: string;
  via?: string;
  dev?: string;
}

export interface ActualNamespace {
  name: string;
  links: Map<string, ActualLink>;
  /** Routes this dataplane added (protocol static). */
  routes: ActualRoute[];
}

export interface ScriptResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a POSIX shell script (given on stdin, so its size is not limited by the argument list). */
export function runScript(script: string, timeoutMs = 60_000): Promise<ScriptResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-s'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, stdout, stderr });
    });
    child.stdin.end(script);
  });
}

/** Quotes a word for the shell. */
export function sh(word: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The namespaces whose names start with `prefix`. */
export async function listNamespaces(prefix: string): Promise<string[]> {
  const res = await runScript('ip netns list');
  if (res.code !== 0) throw new Error(`ip netns list failed: ${res.stderr.trim()}`);
  return res.stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0])
    .filter((n) => n?.startsWith(prefix))
    .sort();
}

interface IpAddrJson {
  ifname: string;
  address?: string;
  flags?: string[];
  master?: string;
  linkinfo?: { info_kind?: string };
  addr_info?: { family: string; local: string; prefixlen: number }[];
}

interface IpRouteJson {
  dst: string;
  gateway?: string;
  dev?: string;
  protocol?: string;
}

const NS_MARK = '@@netns ';
const READ = `printf 'addr show\\nroute show table main proto static\\n' | ip -n "$n" -j -d -force -batch -`;

/** Links, IPv4 addresses and static routes of the given namespaces, read in one shell run. */
export async function readNamespaces(names: string[]): Promise<Map<string, ActualNamespace>> {
  if (!names.length) return new Map();
  const res = await runScript(`for n in ${names.map(sh).join(' ')}; do echo "${NS_MARK}$n"; ${READ}; done`);
  return parseRead(res.stdout);
}

/** Every namespace whose name starts with `prefix`, read as `readNamespaces` does (one shell run). */
export async function readRun(prefix: string): Promise<Map<string, ActualNamespace>> {
  const res = await runScript(`for n in $(ip netns list | cut -d' ' -f1); do case "$n" in ${sh(prefix)}*) echo "${NS_MARK}$n"; ${READ};; esac; done`);
  return parseRead(res.stdout);
}

function parseRead(stdout: string): Map<string, ActualNamespace> {
  const out = new Map<string, ActualNamespace>();
  for (const section of stdout.split(NS_MARK).slice(1)) {
    const [name, ...rest] = section.split('\n');
    // One line of JSON per batch command: the addresses, then the routes.
    const values = rest.filter((l) => l.trim()).map((l) => parseJsonArray<unknown>(l));
    const linkList = (values[0] ?? []) as IpAddrJson[];
    const routeList = (values[1] ?? []) as IpRouteJson[];
    const links = new Map<string, ActualLink>();
    for (const l of linkList) {
      links.set(l.ifname, {
        name: l.ifname,
        kind: l.linkinfo?.info_kind ?? (l.ifname === 'lo' ? 'loopback' : 'unknown'),
        mac: (l.address ?? '').toLowerCase(),
        master: l.master,
        up: (l.flags ?? []).includes('UP'),
        addresses: (l.addr_info ?? []).filter((a) => a.family === 'inet').map((a) => `${a.local}/${a.prefixlen}`),
      });
    }
    const routes = routeList.map((r) => ({ dst: r.dst, ...(r.gateway && { via: r.gateway }), ...(r.dev && { dev: r.dev }) }));
    // A namespace that vanished between the list and the read shows no loopback: leave it out.
    if (links.has('lo')) out.set(name.trim(), { name: name.trim(), links, routes });
  }
  return out;
}

function parseJsonArray<T>(text: string): T[] {
  const trimmed = text.trim();
  if (!trimmed) return [];
  try {
    const parsed = JSON.parse(trimmed) as unknown;
    return Array.isArray(parsed) ? (parsed as T[]) : [];
  } catch {
    return [];
  }
}
