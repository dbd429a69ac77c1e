/**
 * A distributed Tricircle on this machine: `tricircle serve --only <service>` processes on fixed
 * loopback ports, started, SIGKILLed and restarted at will, behind HAProxy (Debian's) as the
 * round-robin front. Logs go to files in a scratch directory, for the test's failure messages.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { entryPointArgv, repoRoot } from '../support/paths.js';

export type ServiceKind = 'admin-api' | 'nova-apigw' | 'cinder-apigw' | 'neutron-api' | 'xjob';
export const HTTP_KINDS = ['admin-api', 'nova-apigw', 'cinder-apigw', 'neutron-api'] as const satisfies readonly ServiceKind[];

/** The configuration section of each HTTP service's listener. */
const LISTENER_SECTION: Record<(typeof HTTP_KINDS)[number], string> = {
  'admin-api': 'ADMIN_API',
  'nova-apigw': 'NOVA_APIGW',
  'cinder-apigw': 'CINDER_APIGW',
  'neutron-api': 'NEUTRON',
};

/** Path to the haproxy binary, or undefined. */
export const haproxyBinary: string | undefined = (() => {
  try {
    return execFileSync('sh', ['-c', 'command -v haproxy'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
})();

/**
 * A free loopback port below the kernel's ephemeral range (ip_local_port_range), so that no outgoing
 * connection of this machine can take it while a killed process is down and before it restarts.
 */
export async function freePort(): Promise<number> {
  const [low] = ephemeralRange();
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20000 + Math.floor(Math.random() * Math.max(1, low - 20000));
    if (portTaken.has(port)) continue;
    const server = createServer();
    const ok = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (!ok) continue;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    portTaken.add(port);
    return port;
  }
  throw new Error('no free port below the ephemeral range');
}

const portTaken = new Set<number>();

function ephemeralRange(): [number, number] {
  try {
    const [lo, hi] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (lo > 21000) return [lo, hi];
  } catch {
    // not Linux: assume the usual range
  }
  return [32768, 60999];
}

async function waitFor(what: string, timeoutMs: number, probe: () => Promise<boolean> | boolean): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await probe()) return;
    if (Date.now() > until) throw new Error(`${what}: not ready after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function tcpOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** One `tricircle serve --only <kind>` process, or with kind `all` one `tricircle serve` running every service (listeners set in the environment). */
export class ServiceProcess {
  private child: ChildProcess | undefined;
  private starts = 0;
  /** Started and serving (false from a kill or stop until the next start has finished). */
  ready = false;
  readonly logFile: string;

  constructor(
    readonly kind: ServiceKind | 'all',
    readonly index: number,
    /** Listener port (HTTP services). */
    readonly port: number | undefined,
    private readonly env: Record<string, string>,
    logDir: string,
  ) {
    this.logFile = join(logDir, `${kind}-${index}.log`);
  }

  get name(): string {
    return `${this.kind}-${this.index}`;
  }

  get pid(): number | undefined {
    return this.running ? this.child!.pid : undefined;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts the process and resolves when it serves (HTTP) or its workers run (xjob). */
  async start(timeoutMs = 60_000): Promise<void> {
    this.starts++;
    const log = openSync(this.logFile, 'a');
    // The job workers log at info: their readiness is the `service started` line.
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      TRICIRCLE_DEFAULT__LOG_LEVEL: this.kind === 'xjob' ? 'info' : 'warn',
      ...this.env,
    };
    if (this.port !== undefined) env[`TRICIRCLE_${LISTENER_SECTION[this.kind as (typeof HTTP_KINDS)[number]]}__BIND_PORT`] = String(this.port);
    const only = this.kind === 'all' ? [] : ['--only', this.kind];
    const child = spawn(process.execPath, [...entryPointArgv('src/cli/main'), 'serve', ...only], {
      cwd: repoRoot,
      env,
      stdio: ['ignore', 'pipe', log],
    });
    closeSync(log);
    this.child = child;
    let listening = false;
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.includes(' listening on ')) listening = true;
    });
    let exited = false;
    child.once('exit', () => (exited = true));
    const startMark = `start ${this.starts}`;
    await waitFor(`${this.name} (${startMark})`, timeoutMs, () => {
      if (exited) throw new Error(`${this.name} exited during start:\n${this.logTail()}`);
      if (this.kind === 'xjob') return this.startedCount() >= this.starts;
      return listening;
    });
    this.ready = true;
  }

  /** How many times the log says the job workers started (one per process start). */
  private startedCount(): number {
    try {
      return readFileSync(this.logFile, 'utf8')
        .split('\n')
        .filter((l) => l.includes('"service":"xjob"') && l.includes('"msg":"service started"')).length;
    } catch {
      return 0;
    }
  }

  /** SIGKILL, as the kernel's OOM killer or a power cut would. */
  async kill(): Promise<void> {
    const child = this.child;
    this.ready = false;
    if (!child || !this.running) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
  }

  /** SIGTERM, then SIGKILL after a grace period. */
  async stop(graceMs = 5000): Promise<void> {
    const child = this.child;
    this.ready = false;
    if (!child || !this.running) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }

  logTail(lines = 30): string {
    try {
      return readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }
}

/** HAProxy in the foreground, one frontend per HTTP service, round robin over its processes. */
export class Front {
  private child: ChildProcess | undefined;
  readonly urls: Record<string, string> = {};
  private readonly config: string;
  private readonly logFile: string;

  constructor(
    private readonly ports: Record<string, number>,
    backends: Record<string, { name: string; port: number }[]>,
    dir: string,
  ) {
    this.logFile = join(dir, 'haproxy.log');
    this.config = join(dir, 'haproxy.cfg');
    writeFileSync(this.config, haproxyConfig(ports, backends));
    for (const [service, port] of Object.entries(ports)) this.urls[service] = `http://127.0.0.1:${port}`;
  }

  async start(): Promise<void> {
    const log = openSync(this.logFile, 'a');
    this.child = spawn(haproxyBinary ?? 'haproxy', ['-f', this.config, '-db'], { stdio: ['ignore', log, log] });
    closeSync(log);
    let exited = false;
    this.child.once('exit', () => (exited = true));
    for (const port of Object.values(this.ports)) {
      await waitFor('haproxy', 15_000, async () => {
        if (exited) throw new Error(`haproxy exited:\n${readFileSync(this.logFile, 'utf8')}`);
        return tcpOpen(port);
      });
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    await exited;
  }
}

/**
 * Round robin; a process is checked every second on /readyz and taken out after one failed check.
 * A connection refused by a process that just died is retried on the other one (`redispatch`): the
 * request was never sent, so this is safe for every method. Requests in flight when a process dies
 * are not retried (haproxy answers 502): the client cannot know whether they were done.
 */
export function haproxyConfig(ports: Record<string, number>, backends: Record<string, { name: string; port: number }[]>): string {
  const lines = [
    'global',
    '    maxconn 4096',
    '',
    'defaults',
    '    mode http',
    '    timeout connect 1s',
    '    timeout client 120s',
    '    timeout server 120s',
    '    timeout http-request 30s',
    '    retries 3',
    '    option redispatch 1',
    '    default-server inter 1s fastinter 500ms downinter 500ms fall 1 rise 1',
    '',
  ];
  for (const [service, port] of Object.entries(ports)) {
    lines.push(`frontend fe-${service}`, `    bind 127.0.0.1:${port}`, `    default_backend be-${service}`, '');
    lines.push(`backend be-${service}`, '    balance roundrobin', '    option httpchk', '    http-check send meth GET uri /readyz', '    http-check expect status 200');
    for (const b of backends[service] ?? []) lines.push(`    server ${b.name} 127.0.0.1:${b.port} check`);
    lines.push('');
  }
  return lines.join('\n');
}
