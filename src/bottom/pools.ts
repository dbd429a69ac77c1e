import { Pool } from 'undici';

export interface PoolOptions {
  /** Most open connections per origin. Default 64. */
  connections?: number;
  /** TCP connect deadline in ms. */
  connectTimeoutMs: number;
  /** How long an idle connection is kept. Default 30 s (the pod may hint shorter). */
  keepAliveMs?: number;
}

/** One keep-alive undici Pool per origin (scheme, host, port), created on first use. */
export class PoolCache {
  private readonly pools = new Map<string, Pool>();
  private closed = false;

  constructor(private readonly options: PoolOptions) {}

  get(origin: string): Pool {
    if (this.closed) throw new Error('pod clients are closed');
    let pool = this.pools.get(origin);
    if (!pool) {
      pool = new Pool(origin, {
        connections: this.options.connections ?? 64,
        pipelining: 1,
        keepAliveTimeout: this.options.keepAliveMs ?? 30_000,
        keepAliveMaxTimeout: Math.max(this.options.keepAliveMs ?? 30_000, 60_000),
        connect: { timeout: this.options.connectTimeoutMs },
      });
      this.pools.set(origin, pool);
    }
    return pool;
  }

  get size(): number {
    return this.pools.size;
  }

  async close(): Promise<void> {
    this.closed = true;
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.allSettled(pools.map((p) => p.close()));
  }
}
