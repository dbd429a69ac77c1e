import { request } from 'undici';
import type { Server } from 'node:http';
import type { EndpointStore, PodRef } from '../../src/identity/index.js';

export interface Credentials {
  user: string;
  password?: string;
  /** Project name to scope to; none gives an unscoped token. */
  project?: string;
}

/** Issues a token from the (simulated) Keystone the way a client does. */
export async function issueToken(keystoneUrl: string, c: Credentials): Promise<string> {
  const auth: Record<string, unknown> = {
    identity: {
      methods: ['password'],
      password: { user: { name: c.user, password: c.password ?? 'password', domain: { name: 'Default' } } },
    },
  };
  if (c.project) auth.scope = { project: { name: c.project, domain: { name: 'Default' } } };
  const res = await request(`${keystoneUrl}/v3/auth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ auth }),
  });
  await res.body.dump();
  if (res.statusCode !== 201) throw new Error(`token request failed: ${res.statusCode}`);
  return String(res.headers['x-subject-token']);
}

export async function revokeToken(keystoneUrl: string, adminToken: string, token: string): Promise<void> {
  const res = await request(`${keystoneUrl}/v3/auth/tokens`, {
    method: 'DELETE',
    headers: { 'x-auth-token': adminToken, 'x-subject-token': token },
  });
  await res.body.dump();
  if (res.statusCode !== 204) throw new Error(`revoke failed: ${res.statusCode}`);
}

/** Counts HTTP requests reaching a server, optionally only those whose method and path match. */
export function countRequests(server: Server, match: (method: string, url: string) => boolean = () => true): { readonly count: number; stop(): void } {
  let count = 0;
  const listener = (req: { method?: string; url?: string }) => {
    if (match(req.method ?? '', req.url ?? '')) count++;
  };
  server.on('request', listener);
  return {
    get count() {
      return count;
    },
    stop() {
      server.off('request', listener);
    },
  };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

type Row = { url: string; source: 'catalog' | 'override' };

/** An EndpointStore in memory, with the same replace-catalog-rows semantics the SQL store has. */
export class MemoryEndpointStore implements EndpointStore {
  readonly rows = new Map<string, Row>();
  pods: PodRef[] = [];
  gets = 0;

  async get(podId: string, serviceType: string): Promise<Row | undefined> {
    this.gets++;
    return this.rows.get(`${podId}/${serviceType}`);
  }

  async saveCatalog(rows: { podId: string; serviceType: string; url: string }[]): Promise<void> {
    for (const [key, row] of this.rows) if (row.source === 'catalog') this.rows.delete(key);
    for (const r of rows) {
      const key = `${r.podId}/${r.serviceType}`;
      if (!this.rows.has(key)) this.rows.set(key, { url: r.url, source: 'catalog' });
    }
  }

  async listPods(): Promise<PodRef[]> {
    return this.pods;
  }

  setOverride(podId: string, serviceType: string, url: string): void {
    this.rows.set(`${podId}/${serviceType}`, { url, source: 'override' });
  }
}
