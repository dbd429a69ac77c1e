// What the gateway benchmarks (nova-gateway.ts, cinder-gateway.ts) share: keep-alive pools to each
// origin, timed GETs, tokens, percentiles, and the CPU time and RSS of a process read from /proc.
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Pool } from 'undici';

export function gatewayBenchKit(connections: number) {
  const pools = new Map<string, Pool>();
  const pool = (origin: string): Pool => {
    let p = pools.get(origin);
    if (!p) {
      p = new Pool(origin, { connections, pipelining: 1, keepAliveTimeout: 60_000 });
      pools.set(origin, p);
    }
    return p;
  };

  const call = async (url: string, token: string, method: 'GET' | 'POST' | 'PUT' = 'GET', body?: unknown): Promise<{ status: number; json: any }> => {
    const u = new URL(url);
    const res = await pool(u.origin).request({
      method,
      path: `${u.pathname}${u.search}`,
      headers: { 'x-auth-token': token, accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.body.text();
    return { status: res.statusCode, json: text ? JSON.parse(text) : undefined };
  };

  /** One GET, timed, body read and dropped. */
  const timedGet = async (url: string, token: string): Promise<number> => {
    const u = new URL(url);
    const t0 = performance.now();
    const res = await pool(u.origin).request({ method: 'GET', path: `${u.pathname}${u.search}`, headers: { 'x-auth-token': token, accept: 'application/json' } });
    await res.body.dump();
    const ms = performance.now() - t0;
    if (res.statusCode !== 200) throw new Error(`GET ${url}: ${res.statusCode}`);
    return ms;
  };

  const token = async (keystoneUrl: string, user: string): Promise<string> => {
    const u = new URL(`${keystoneUrl}/v3/auth/tokens`);
    const res = await pool(u.origin).request({
      method: 'POST',
      path: u.pathname,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        auth: {
          identity: { methods: ['password'], password: { user: { name: user, password: 'password', domain: { name: 'Default' } } } },
          scope: { project: { name: user, domain: { name: 'Default' } } },
        },
      }),
    });
    await res.body.dump();
    return String(res.headers['x-subject-token']);
  };

  /** GETs of `url` from `concurrency` loops for `seconds`; how many were answered. */
  const closedLoopGets = async (url: string, token: string, concurrency: number, seconds: number): Promise<number> => {
    let n = 0;
    const until = performance.now() + seconds * 1000;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (performance.now() < until) {
          await timedGet(url, token);
          n++;
        }
      }),
    );
    return n;
  };

  /** GET latencies of the two URLs, alternating which goes first, after 300 warm-up pairs; each sorted. */
  const interleavedLatency = async (direct: string, proxied: string, token: string, samples: number): Promise<{ direct: number[]; proxied: number[] }> => {
    for (let i = 0; i < 300; i++) {
      await timedGet(direct, token);
      await timedGet(proxied, token);
    }
    const d: number[] = [];
    const g: number[] = [];
    for (let i = 0; i < samples; i++) {
      if (i % 2 === 0) {
        d.push(await timedGet(direct, token));
        g.push(await timedGet(proxied, token));
      } else {
        g.push(await timedGet(proxied, token));
        d.push(await timedGet(direct, token));
      }
    }
    const byValue = (a: number, b: number) => a - b;
    return { direct: d.sort(byValue), proxied: g.sort(byValue) };
  };

  return {
    pool,
    interleavedLatency,
    call,
    timedGet,
    closedLoopGets,
    token,
    /** CPU time (user + system) a process has used, in ms, from /proc. */
    cpuMs: (pid: number): number => {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
    },
    rssMb: (pid: number): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024,
    pct: (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))],
    fmt: (ms: number) => `${ms.toFixed(3)} ms`,
    sorted: (xs: number[]) => [...xs].sort((a, b) => a - b),
    closePools: async () => {
      for (const p of pools.values()) await p.close();
    },
  };
}

/** Waits for the simulator process (nova-sim-proc) to be ready; `simCall` sends it a command over IPC. */
export async function simulatorOf<Info>(sim: ChildProcess): Promise<{ info: Info; simCall(op: string, payload?: Record<string, unknown>): Promise<unknown> }> {
  const info = await new Promise<Info>((resolve, reject) => {
    sim.once('message', (m: { ready: Info }) => resolve(m.ready));
    sim.once('exit', (code) => reject(new Error(`simulator process exited (${code})`)));
  });
  let seq = 0;
  const simCall = (op: string, payload: Record<string, unknown> = {}): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const id = ++seq;
      const onMessage = (m: { id?: number; result?: unknown; error?: string }) => {
        if (m.id !== id) return;
        sim.off('message', onMessage);
        if (m.error) reject(new Error(m.error));
        else resolve(m.result);
      };
      sim.on('message', onMessage);
      sim.send({ id, op, ...payload });
    });
  return { info, simCall };
}
