import type { Logger } from '../common/index.js';
import type { EndpointResolver, PodRef, ServiceTokenSource, ServiceType } from '../identity/index.js';
import type { PodHealthReporter } from '../pods/index.js';
import { BottomError, PodUnreachableError } from './errors.js';
import { recordPodCall, type BottomMetrics } from './metrics.js';
import type { PoolCache } from './pools.js';
import type { BottomCallContext, CallOptions, HttpMethod, Query, RawRequest, RawResponse, ResponseHeaders, StreamRequest, StreamResponse } from './types.js';

/** What every BottomClient of a process shares (PodClientFactory builds it). */
export interface BottomTransport {
  pools: PoolCache;
  endpoints: Pick<EndpointResolver, 'resolve' | 'refreshAfterConnectionFailure'>;
  serviceAuth: ServiceTokenSource;
  /** Default deadline of one call, in ms. */
  timeoutMs: number;
  health?: PodHealthReporter;
  metrics?: BottomMetrics;
  logger?: Logger;
}

/** Transport failures after which the endpoint may have moved: worth a catalog refresh and one retry. */
const CONNECTION_FAILURES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);
const TIMEOUTS = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** Statuses that say the pod's service itself is unwell (they count against its health). */
const UNWELL = new Set([502, 503, 504]);

type Failure = { kind: 'connection' | 'timeout'; reason: string; cause: unknown };

/**
 * HTTP to one service of one pod. Paths are relative to the service's versioned root: Nova
 * `/v2.1[/project]`, Cinder `/v3/project`, Neutron `/v2.0`, Glance `/v2`.
 */
export class BottomClient {
  constructor(
    readonly pod: PodRef,
    readonly serviceType: ServiceType,
    private readonly transport: BottomTransport,
  ) {}

  /**
   * One call, relayed byte for byte. HTTP errors are returned, not thrown; transport failures throw
   * PodUnreachableError. A connection failure re-reads the catalog and, if the pod's URL changed,
   * retries once there; a 401 to the service token renews it and retries once.
   */
  async request(ctx: BottomCallContext, req: RawRequest): Promise<RawResponse> {
    const t = this.transport;
    const deadline = Date.now() + (req.timeoutMs ?? t.timeoutMs);
    const useServiceToken = req.asAdmin === true || !ctx.authToken;
    const target = await this.target(ctx, req);
    let { token, baseUrl } = target;
    const { projectId } = target;
    let refreshed = false;
    let reauthenticated = false;
    for (;;) {
      const started = performance.now();
      let res: RawResponse;
      try {
        res = await this.send(ctx, req, baseUrl, token, deadline);
      } catch (err) {
        const failure = classify(err);
        if (!failure) throw err;
        this.observe(req.method, failure.kind === 'timeout' ? 'timeout' : 'unreachable', started);
        if (failure.kind === 'connection' && !refreshed && Date.now() < deadline) {
          refreshed = true;
          const moved = await this.refreshedUrl(projectId, baseUrl, deadline);
          if (moved) {
            t.logger?.info({ pod: this.pod.regionName, service: this.serviceType, reason: failure.reason, url: moved }, 'pod endpoint moved; retrying there');
            baseUrl = moved;
            continue;
          }
        }
        t.health?.recordFailure(this.pod, failure.reason);
        t.logger?.warn(
          { pod: this.pod.regionName, service: this.serviceType, method: req.method, path: pathOnly(req.path), reason: failure.reason, requestId: ctx.requestId },
          'pod call failed',
        );
        throw new PodUnreachableError(this.pod.regionName, this.serviceType, failure.reason, { cause: failure.cause });
      }
      this.observe(req.method, String(res.status), started);
      if (res.status === 401 && useServiceToken && !reauthenticated) {
        reauthenticated = true;
        t.serviceAuth.invalidate(token);
        token = (await t.serviceAuth.getToken()).token;
        continue;
      }
      if (UNWELL.has(res.status)) t.health?.recordFailure(this.pod, `HTTP ${res.status}`);
      else t.health?.recordSuccess(this.pod);
      if (t.logger?.isLevelEnabled('debug'))
        t.logger.debug(
          { pod: this.pod.regionName, service: this.serviceType, method: req.method, path: pathOnly(req.path), status: res.status, requestId: ctx.requestId },
          'pod call',
        );
      return res;
    }
  }

  /**
   * A call for bulk data (image bytes): the request body may be a stream and the answer's body is
   * handed back unread, so nothing is held in memory. Nothing can be replayed, so nothing is retried;
   * `timeoutMs` bounds the wait for the headers and every pause in the body, not the whole transfer.
   * HTTP errors are returned, not thrown (read them with `error`); transport failures throw
   * PodUnreachableError.
   */
  async stream(ctx: BottomCallContext, req: StreamRequest): Promise<StreamResponse> {
    const t = this.transport;
    const timeoutMs = req.timeoutMs ?? t.timeoutMs;
    const { token, baseUrl } = await this.target(ctx, req);
    const base = new URL(baseUrl);
    const started = performance.now();
    try {
      const res = await t.pools.get(base.origin).request({
        method: req.method,
        path: joinPath(base.pathname, req.path, undefined),
        headers: { accept: '*/*', 'user-agent': 'tricircle', ...req.headers, 'x-auth-token': token, 'x-openstack-request-id': ctx.globalRequestId ?? ctx.requestId },
        body: req.body,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      this.observe(req.method, String(res.statusCode), started);
      if (UNWELL.has(res.statusCode)) t.health?.recordFailure(this.pod, `HTTP ${res.statusCode}`);
      else t.health?.recordSuccess(this.pod);
      return { status: res.statusCode, headers: res.headers, body: res.body };
    } catch (err) {
      const failure = classify(err);
      if (!failure) throw err;
      this.observe(req.method, failure.kind === 'timeout' ? 'timeout' : 'unreachable', started);
      t.health?.recordFailure(this.pod, failure.reason);
      throw new PodUnreachableError(this.pod.regionName, this.serviceType, failure.reason, { cause: failure.cause });
    }
  }

  /** The token a call carries and the service URL it goes to. */
  private async target(ctx: BottomCallContext, req: CallOptions): Promise<{ token: string; projectId: string | undefined; baseUrl: string }> {
    const t = this.transport;
    const service = req.asAdmin === true || !ctx.authToken ? await t.serviceAuth.getToken() : undefined;
    const token = service ? service.token : ctx.authToken!;
    const projectId = req.projectId ?? (service ? service.projectId : ctx.projectId);
    return { token, projectId, baseUrl: versionedRoot(this.serviceType, await t.endpoints.resolve(this.pod, this.serviceType, projectId)) };
  }

  /** A JSON call: the body is serialised, the answer parsed; HTTP errors throw BottomError. Empty answers are undefined. */
  async json<T = unknown>(ctx: BottomCallContext, method: HttpMethod, path: string, opts: CallOptions & { query?: Query; body?: unknown } = {}): Promise<T> {
    const { body, ...rest } = opts;
    const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
    if (body !== undefined) headers['content-type'] ??= 'application/json';
    const res = await this.request(ctx, { ...rest, method, path, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    if (res.status >= 400) throw this.error(res.status, res.body, res.headers);
    if (res.body.length === 0) return undefined as T;
    try {
      return JSON.parse(res.body.toString('utf8')) as T;
    } catch {
      throw new BottomError(
        this.pod.regionName,
        this.serviceType,
        502,
        `Pod ${this.pod.regionName} ${this.serviceType} answered malformed JSON.`,
        undefined,
        undefined,
        res.headers,
      );
    }
  }

  /** The BottomError for an HTTP error answer (for callers of `request` that decide to fail). */
  error(status: number, body: Buffer, headers: ResponseHeaders = {}): BottomError {
    return BottomError.fromResponse(this.pod.regionName, this.serviceType, status, body, headers);
  }

  private async send(ctx: BottomCallContext, req: RawRequest, baseUrl: string, token: string, deadline: number): Promise<RawResponse> {
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw new DeadlineExceeded();
    const base = new URL(baseUrl);
    const headers: Record<string, string> = {
      accept: 'application/json',
      'user-agent': 'tricircle',
      ...microversionHeaders(this.serviceType, req.microversion),
      ...req.headers,
      'x-auth-token': token,
      'x-openstack-request-id': ctx.globalRequestId ?? ctx.requestId,
    };
    if (req.body !== undefined && headers['content-type'] === undefined) headers['content-type'] = 'application/json';
    // One timer, cleared as soon as the answer is read. AbortSignal.timeout's timer cannot be
    // cleared: every call left one pending, with its signal, for the whole timeout (docs/benchmarks.md).
    const controller = new AbortController();
    const { signal } = controller;
    const timer = setTimeout(() => controller.abort(), remaining);
    try {
      const res = await this.transport.pools.get(base.origin).request({
        method: req.method,
        path: joinPath(base.pathname, req.path, req.query),
        headers,
        body: req.body,
        signal,
        headersTimeout: remaining,
        bodyTimeout: remaining,
      });
      const body = Buffer.from(await res.body.arrayBuffer());
      return { status: res.statusCode, headers: res.headers, body, baseUrl };
    } catch (err) {
      if (signal.aborted) throw new DeadlineExceeded(err);
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  /** The pod's URL after a catalog refresh if it moved; undefined when it did not (or the refresh failed). */
  private async refreshedUrl(projectId: string | undefined, failedUrl: string, deadline: number): Promise<string | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), Math.max(0, deadline - Date.now()));
    });
    try {
      const refreshed = this.transport.endpoints.refreshAfterConnectionFailure(this.pod, this.serviceType, { projectId, failedUrl }).catch((err: unknown) => {
        this.transport.logger?.warn({ err, pod: this.pod.regionName, service: this.serviceType }, 'catalog refresh after a connection failure failed');
        return undefined;
      });
      const url = await Promise.race([refreshed, expired]);
      if (url === undefined) return undefined;
      const root = versionedRoot(this.serviceType, url);
      return root === failedUrl ? undefined : root;
    } finally {
      clearTimeout(timer);
    }
  }

  private observe(method: string, status: string, started: number): void {
    const m = this.transport.metrics;
    if (!m) return;
    recordPodCall(m, this.pod.regionName, this.serviceType, method, status, (performance.now() - started) / 1000);
  }
}

class DeadlineExceeded extends Error {
  constructor(cause?: unknown) {
    super('deadline exceeded', { cause });
  }
}

function classify(err: unknown): Failure | undefined {
  if (err instanceof DeadlineExceeded) return { kind: 'timeout', reason: 'timeout', cause: err.cause };
  const code = codeOf(err);
  if (code === undefined) return undefined;
  if (CONNECTION_FAILURES.has(code)) return { kind: 'connection', reason: code, cause: err };
  if (TIMEOUTS.has(code)) return { kind: 'timeout', reason: 'timeout', cause: err };
  return undefined;
}

function codeOf(err: unknown): string | undefined {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (CONNECTION_FAILURES.has(code) || TIMEOUTS.has(code))) return code;
  }
  return undefined;
}

/** Neutron and Glance catalog entries name the service root; their APIs live under a version. */
function versionedRoot(serviceType: ServiceType, url: string): string {
  const trimmed = url.replace(/\/+$/, '');
  if (serviceType === 'network' && !/\/v2\.0$/.test(trimmed)) return `${trimmed}/v2.0`;
  if (serviceType === 'image' && !/\/v2$/.test(trimmed)) return `${trimmed}/v2`;
  return trimmed;
}

function microversionHeaders(serviceType: ServiceType, version: string | undefined): Record<string, string> {
  if (!version) return {};
  if (serviceType === 'compute') return { 'x-openstack-nova-api-version': version, 'openstack-api-version': `compute ${version}` };
  if (serviceType === 'volumev3') return { 'openstack-api-version': `volume ${version}` };
  return {};
}

function joinPath(basePath: string, path: string, query: Query | undefined): string {
  const full = `${basePath.replace(/\/+$/, '')}${path.startsWith('/') ? path : `/${path}`}`;
  const qs = queryString(query);
  if (!qs) return full;
  return `${full}${full.includes('?') ? '&' : '?'}${qs}`;
}

function queryString(query: Query | undefined): string {
  if (query === undefined) return '';
  if (query instanceof URLSearchParams) return query.toString();
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) params.append(key, String(v));
    else params.append(key, String(value));
  }
  return params.toString();
}

const pathOnly = (path: string): string => path.split('?', 1)[0];
