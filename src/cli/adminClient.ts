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
