import { Pool } from 'undici';
import { IdentityUnavailableError } from './errors.js';

export interface KeystoneClientOptions {
  /** Keystone v3 URL, e.g. http://127.0.0.1:5000/v3 (a URL without a version gets /v3 appended). */
  authUrl: string;
  /** Deadline for one call, connect to last byte. Default 10 s. */
  timeoutMs?: number;
  /** Most open connections to Keystone. Default 16. */
  connections?: number;
}

export interface KeystoneCall {
  token?: string;
  subjectToken?: string;
  body?: unknown;
}

export interface KeystoneResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

/** A keep-alive connection pool to one Keystone, speaking JSON. Transport failures become IdentityUnavailableError. */
export class KeystoneClient {
  /** The v3 root, without a trailing slash. */
  readonly baseUrl: string;
  private readonly basePath: string;
  private readonly pool: Pool;
  private readonly timeoutMs: number;

  constructor(options: KeystoneClientOptions) {
    const url = new URL(options.authUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`Keystone URL must be http(s): ${options.authUrl}`);
    let path = url.pathname.replace(/\/+$/, '');
    if (/\/v2\.0$/.test(path)) path = path.slice(0, -'/v2.0'.length);
    if (!/\/v3$/.test(path)) path += '/v3';
    this.basePath = path;
    this.baseUrl = `${url.origin}${path}`;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.pool = new Pool(url.origin, {
      connections: options.connections ?? 16,
      keepAliveTimeout: 30_000,
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
      connect: { timeout: this.timeoutMs },
    });
  }

  /** `path` is relative to the v3 root, e.g. `/auth/tokens?nocatalog`. */
  async call(method: 'GET' | 'POST' | 'DELETE', path: string, call: KeystoneCall = {}): Promise<KeystoneResponse> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (call.token !== undefined) headers['x-auth-token'] = call.token;
    if (call.subjectToken !== undefined) headers['x-subject-token'] = call.subjectToken;
    let payload: string | undefined;
    if (call.body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(call.body);
    }
    const route = `${method} ${this.baseUrl}${path.split('?', 1)[0]}`;
    try {
      const res = await this.pool.request({
        method,
        path: `${this.basePath}${path}`,
        headers,
        body: payload,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      const text = await res.body.text();
      const type = String(res.headers['content-type'] ?? '');
      let body: unknown = text;
      if (text !== '' && type.includes('json')) {
        try {
          body = JSON.parse(text);
        } catch {
          throw new IdentityUnavailableError(`Keystone answered ${route} with malformed JSON (HTTP ${res.statusCode}).`);
        }
      }
      return { status: res.statusCode, headers: res.headers, body };
    } catch (err) {
      if (err instanceof IdentityUnavailableError) throw err;
      throw new IdentityUnavailableError(`Keystone is unavailable (${route}: ${describe(err)}).`, { cause: err });
    }
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    if (err.name === 'TimeoutError' || err.name === 'AbortError') return 'timed out';
    const code = (err as { code?: unknown }).code;
    return typeof code === 'string' ? code : err.message;
  }
  return String(err);
}

/** The message of a Keystone error body (`{"error": {"message": ...}}`), for diagnostics. */
export function keystoneMessage(body: unknown): string {
  const error = (body as { error?: { message?: unknown } } | undefined)?.error;
  return typeof error?.message === 'string' ? error.message : '';
}
