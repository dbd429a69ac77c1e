// Probe agents in network namespaces: one process per host for the whole check, spoken to over its
// standard input and output (src/verify/agent.ts is the program).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { ProbeRequest, ProbeResult } from './probeProtocol.js';

/** The agent program: compiled next to this file, or the TypeScript source through tsx in development. */
function agentArgv(): string[] {
  const here = dirname(fileURLToPath(import.meta.url));
  const compiled = join(here, 'agent.js');
  if (existsSync(compiled)) return [compiled];
  return ['--import', 'tsx', join(here, 'agent.ts')];
}

export class ProbeAgent {
  private nextId = 1;
  private readonly waiting = new Map<number, (r: ProbeResult) => void>();

  private constructor(
    readonly netns: string,
    private readonly child: ChildProcess,
  ) {}

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Still running in the namespace that now has its name (not in one removed and made again). */
  get current(): boolean {
    if (!this.running || this.child.pid === undefined) return false;
    try {
      return statSync(`/proc/${this.child.pid}/ns/net`).ino === statSync(`/run/netns/${this.netns}`).ino;
    } catch {
      return false;
    }
  }

  /** Starts an agent in `netns` that answers TCP on `port` with `label`. */
  static start(netns: string, label: string, port: number, timeoutMs = 30_000): Promise<ProbeAgent> {
    const child = spawn('ip', ['netns', 'exec', netns, process.execPath, ...agentArgv(), label, String(port)], { stdio: ['pipe', 'pipe', 'pipe'] });
    const agent = new ProbeAgent(netns, child);
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-2000)));
    return new Promise((resolve, reject) => {
      const fail = (why: string) => {
        clearTimeout(timer);
        child.kill('SIGKILL');
        reject(new Error(`probe agent in ${netns}: ${why}${stderr.trim() ? `: ${stderr.trim().split('\n').slice(-3).join(' ')}` : ''}`));
      };
      const timer = setTimeout(() => fail('not ready in time'), timeoutMs);
      child.once('error', (err) => fail(err.message));
      child.once('exit', (code) => fail(`exited (${code})`));
      const lines = createInterface({ input: child.stdout! });
      lines.on('line', (line) => {
        let msg: { ready?: boolean; error?: string; id?: number } & Partial<ProbeResult>;
        try {
          msg = JSON.parse(line);
        } catch {
          return;
        }
        if (msg.ready === true) {
          clearTimeout(timer);
          child.removeAllListeners('exit');
          child.once('exit', () => agent.abandon());
          resolve(agent);
        } else if (msg.ready === false) {
          fail(msg.error ?? 'could not listen');
        } else if (typeof msg.id === 'number') {
          const waiter = agent.waiting.get(msg.id);
          agent.waiting.delete(msg.id);
          waiter?.({ ok: msg.ok === true, detail: msg.detail ?? '', ...(msg.banner !== undefined && { banner: msg.banner }) });
        }
      });
    });
  }

  probe(req: Omit<ProbeRequest, 'id'>): Promise<ProbeResult> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.child.stdin!.write(`${JSON.stringify({ id, ...req })}\n`);
    });
  }

  private abandon(): void {
    for (const waiter of this.waiting.values()) waiter({ ok: false, detail: 'the probe agent exited' });
    this.waiting.clear();
  }

  /** Ends the agent (it exits when its input closes; killed if it does not). */
  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.child.exitCode !== null || this.child.signalCode !== null) return resolve();
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 3000);
      this.child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      this.child.stdin!.end();
    });
  }
}

/** Agents kept for several checks (one per namespace), started on first use. */
export class ProbeAgentPool {
  private readonly agents = new Map<string, Promise<ProbeAgent>>();

  constructor(readonly port: number) {}

  async get(netns: string): Promise<ProbeAgent> {
    const known = this.agents.get(netns);
    if (known) {
      const agent = await known.catch(() => undefined);
      if (agent?.current) return agent;
      await agent?.close();
    }
    const started = ProbeAgent.start(netns, netns, this.port);
    this.agents.set(netns, started);
    started.catch(() => this.agents.delete(netns));
    return started;
  }

  async close(): Promise<void> {
    const all = [...this.agents.values()];
    this.agents.clear();
    await Promise.all(all.map(async (a) => (await a.catch(() => undefined))?.close()));
  }
}
