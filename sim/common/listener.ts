import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';

/**
 * Serves a Fastify app on its own HTTP server that can be stopped (connections refused, open
 * connections dropped) and started again on the same port, which a closed Fastify app cannot do.
 */
export class SimListener {
  private server: Server | undefined;
  private boundPort = 0;

  constructor(
    private readonly app: FastifyInstance,
    readonly host: string,
  ) {}

  get port(): number {
    return this.boundPort;
  }

  get url(): string {
    const host = this.host.includes(':') ? `[${this.host}]` : this.host;
    return `http://${host}:${this.boundPort}`;
  }

  get listening(): boolean {
    return this.server !== undefined;
  }

  /** Listens on `port` (0 = ephemeral on first start; later starts reuse the bound port). */
  async start(port = this.boundPort): Promise<void> {
    if (this.server) return;
    await this.app.ready();
    // Hand requests to the app's own server object so anything observing it (its Fastify handler,
    // request counters in tests) sees them as if the app were listening itself.
    const server = createServer((req, res) => this.app.server.emit('request', req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.boundPort = (server.address() as AddressInfo).port;
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }
}
