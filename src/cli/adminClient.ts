import { request } from 'undici';

export class AdminApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** A thin client of the Admin API v1.0 for the CLI's resource commands. */
export class AdminClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token: () => Promise<string | undefined>,
  ) {}

  async call<T = Record<string, unknown>>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
    const token = await this.token();
    const headers: Record<string, string> = { accept: 'application/json' };
    if (token) headers['x-auth-token'] = token;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res;
    try {
      res = await request(`${this.baseUrl.replace(/\/+$/, '')}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (err) {
      throw new AdminApiError(0, `cannot reach the Tricircle Admin API at ${this.baseUrl}: ${(err as Error).message}`);
    }
    const text = await res.body.text();
    const parsed = text ? safeJson(text) : {};
    if (res.statusCode >= 400) throw new AdminApiError(res.statusCode, `${res.statusCode}: ${faultMessage(parsed) ?? text}`);
    return parsed as T;
  }

  /**
   * Every row of a paginated collection (`{"<key>": [...], "<key>_links": [{"rel": "next"}]}`),
   * following next links; `filters` maps query keys to values, undefined ones left out.
   */
  async listAll(collection: string, key: string, filters: Record<string, unknown> = {}): Promise<Record<string, unknown>[]> {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(filters)) if (v !== undefined) params.set(k, String(v));
    const rows: Record<string, unknown>[] = [];
    let path: string | undefined = `/v1.0/${collection}?${params}`;
    while (path) {
      const page: Record<string, unknown> = await this.call('GET', path);
      rows.push(...((page[key] as Record<string, unknown>[]) ?? []));
      const next = (page[`${key}_links`] as { rel: string; href: string }[] | undefined)?.find((l) => l.rel === 'next');
      path = next ? next.href.slice(next.href.indexOf('/v1.0/')) : undefined;
    }
    return rows;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { message: text };
  }
}

/** The message inside {"badRequest": {"message": ...}} or {"NeutronError": {...}}. */
function faultMessage(body: unknown): string | undefined {
  if (!body || typeof body !== 'object') return undefined;
  for (const v of Object.values(body as Record<string, unknown>)) {
    if (v && typeof v === 'object' && typeof (v as { message?: unknown }).message === 'string') return (v as { message: string }).message;
  }
  return undefined;
}
