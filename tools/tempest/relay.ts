// Workaround kept for gateways older than issue 11 item 2 (`npm run tempest -- --relay`); the gateways now accept it:
// tempest sends `Content-Type: application/json` on every request, DELETE included, and the gateways answer a
// bodiless request that says JSON with 400. This relay sits between tempest and one gateway and drops that
// header from requests without a body; everything else passes unchanged, both ways. The runner registers the
// relays in the catalog under service types of their own (e.g. `compute-relay`) and tempest.conf names those
// types, so the gateways and their own catalog use stay untouched.
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Relay {
  url: string;
  /** Requests whose Content-Type the relay dropped. */
  stripped: number;
  close(): Promise<void>;
}

export function hasBody(req: Pick<IncomingMessage, 'headers'>): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** Starts a relay on a free loopback port to `target` (scheme://host:port). */
export async function startRelay(target: string): Promise<Relay> {
  const to = new URL(target);
  const relay: Relay = { url: '', stripped: 0, close: async () => {} };
  const server: Server = createServer((req, res) => {
    const headers = { ...req.headers };
    if (!hasBody(req) && headers['content-type'] !== undefined) {
      delete headers['content-type'];
      relay.stripped++;
    }
    const upstream = request({ host: to.hostname, port: to.port, method: req.method, path: req.url, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
      answer.pipe(res);
    });
    upstream.on('error', (err) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`relay: ${err.message}`);
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  relay.url = `http://127.0.0.1:${port}`;
  relay.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return relay;
}
