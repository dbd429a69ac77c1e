#!/usr/bin/env node
// The probe agent: started inside a host's network namespace (`ip netns exec NS node agent.js`), so
// every socket it opens is that host's. It answers TCP connections on a port with one line naming
// the host, and runs probes asked for on standard input (one JSON object per line), answering each
// on standard output:
//   {"id":1,"op":"ping","host":"10.0.2.5","source":"203.0.113.1","timeoutMs":2000}
//   {"id":2,"op":"tcp","host":"10.0.2.5","port":8000,"timeoutMs":2000}
// It exits when standard input closes.
import { spawn } from 'node:child_process';
import { createServer, connect } from 'node:net';
import { createInterface } from 'node:readline';
import { BANNER, type ProbeRequest as Probe, type ProbeResult } from './probeProtocol.js';

const [label = 'host', portText = '8000'] = process.argv.slice(2);

function ping(p: Probe): Promise<ProbeResult> {
  const seconds = Math.max(1, Math.round((p.timeoutMs ?? 2000) / 1000));
  const args = ['-n', '-q', '-c', '1', '-W', String(seconds), ...(p.source ? ['-I', p.source] : []), p.host];
  return new Promise((resolve) => {
    const child = spawn('ping', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', (err) => resolve({ ok: false, detail: `ping: ${err.message}` }));
    child.on('close', (code) => {
      const stats = /(\d+) packets transmitted, (\d+) received/.exec(out);
      resolve({ ok: code === 0, detail: stats ? `${stats[2]}/${stats[1]} replies` : (out.trim().split('\n').pop() ?? `exit ${code}`) });
    });
  });
}

function tcp(p: Probe): Promise<ProbeResult> {
  return new Promise((resolve) => {
    let data = '';
    let settled = false;
    const socket = connect({ host: p.host, port: p.port ?? Number(portText), ...(p.source && { localAddress: p.source }) });
    const done = (r: ProbeResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => done({ ok: false, detail: 'timed out' }), p.timeoutMs ?? 2000);
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      data += d;
      const nl = data.indexOf('\n');
      if (nl >= 0) done({ ok: true, detail: 'connected', banner: data.slice(0, nl) });
    });
    socket.on('end', () => done(data ? { ok: true, detail: 'connected', banner: data.trim() } : { ok: false, detail: 'closed without a banner' }));
    socket.on('error', (err: NodeJS.ErrnoException) => done({ ok: false, detail: err.code ?? err.message }));
  });
}

const server = createServer((socket) => {
  socket.on('error', () => undefined);
  socket.end(`${BANNER} ${label}\n`);
});
server.listen(Number(portText), '0.0.0.0', () => process.stdout.write(`${JSON.stringify({ ready: true })}\n`));
server.on('error', (err) => {
  process.stdout.write(`${JSON.stringify({ ready: false, error: err.message })}\n`);
  process.exit(1);
});

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  let probe: Probe;
  try {
    probe = JSON.parse(line) as Probe;
  } catch {
    return;
  }
  const run = probe.op === 'ping' ? ping(probe) : tcp(probe);
  void run.then((r) => process.stdout.write(`${JSON.stringify({ id: probe.id, ...r })}\n`));
});
lines.on('close', () => process.exit(0));
