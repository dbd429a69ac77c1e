import Fastify, { errorCodes, LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import FindMyWay, { type HTTPMethod } from 'find-my-way';
import { ApiError, faultBody, type FaultStyle } from './errors.js';
import type { Logger } from './logging.js';
import type { Metrics } from './metrics.js';
import { acceptGlobalRequestId, newRequestId } from './requestIds.js';

export interface ServiceAppOptions {
  /** Label for metrics and logs, e.g. admin-api, nova-apigw. */
  service: string;
  faultStyle: FaultStyle;
  logger: Logger;
  metrics?: Metrics;
  bodyLimit?: number;
  /**
   * Resolves the caller, which becomes `req.context` (typed by the identity layer's declaration);
   * throws an error with a numeric `status` (401/403/503) to refuse.
   */
  authenticate?: (req: FastifyRequest) => Promise<FastifyRequest['context']>;
  /** Paths that need no token (version documents, health). */
  isPublic?: (method: string, path: string) => boolean;
  /** Readiness probe for /readyz (e.g. a DB round trip). */
  ready?: () => Promise<void>;
  /**
   * Share of requests written to the `request` log line at info level (0–1, default 1). Errors (5xx)
   * are always written. Below info level nothing is built at all.
   */
  requestLogSample?: number;
}

const ALL_METHODS: HTTPMethod[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];
const OPS_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * A Fastify app with what every Tricircle API shares: request ids, authentication, upstream-shaped
 * error bodies for every failure (bad JSON, oversized body, unknown route, wrong method), metrics,
 * health and readiness.
 */
export function createServiceApp(opts: ServiceAppOptions): FastifyInstance {
  const app = Fastify({
    loggerInstance: opts.logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: opts.bodyLimit ?? 1024 * 1024,
    genReqId: () => newRequestId(),
    requestIdHeader: false,
    return503OnClosing: true,
    routerOptions: { ignoreTrailingSlash: true, ignoreDuplicateSlashes: true },
    // A path the router cannot decode (bad percent-escape) or whose parameter is longer than it
    // matches names no resource: upstream answers 404 in its own fault format.
    frameworkErrors: (_err, req, reply) => {
      reply.header('x-openstack-request-id', req.id);
      return sendFault(reply, opts.faultStyle, 404, 'The resource could not be found.');
    },
    clientErrorHandler: (err, socket) => clientError(opts.faultStyle, err, socket),
  });
  const style = opts.faultStyle;
  const bodyLimit = opts.bodyLimit ?? 1024 * 1024;
  const knownPaths = FindMyWay({ ignoreTrailingSlash: true, ignoreDuplicateSlashes: true });
  const noop = () => undefined;
  const logSample = Math.min(1, Math.max(0, opts.requestLogSample ?? 1));

  app.removeContentTypeParser('text/plain');
  // Upstream services ignore an absent body whatever its Content-Type says (clients such as tempest
  // send `Content-Type: application/json` on every request, DELETEs included).
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    if (body.length === 0) return done(null, undefined);
    return parseJson(req, body as string, done);
  });
  if (style === 'neutron') {
    // Neutron reads a body that comes without any Content-Type as JSON (neutron-tempest-plugin's update
    // calls send none); a Content-Type other than JSON is still a 415.
    app.addContentTypeParser('*', { parseAs: 'string' }, (req, body, done) => {
      if (req.headers['content-type'] !== undefined) return done(new errorCodes.FST_ERR_CTP_INVALID_MEDIA_TYPE(), undefined);
      if (body.length === 0) return done(null, undefined);
      return parseJson(req, body as string, done);
    });
  }
  // `application/json` as upstream writes it, without the charset parameter Fastify appends.
  app.addHook('onSend', async (_req, reply, payload) => {
    const type = reply.getHeader('content-type');
    if (type === 'application/json; charset=utf-8') reply.header('content-type', 'application/json');
    return payload;
  });
  // No caller until the authentication hook sets one (public routes never get one).
  app.decorateRequest('context', null as unknown as FastifyRequest['context']);

  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const m of methods) {
      if (!knownPaths.hasRoute(m as HTTPMethod, route.url)) knownPaths.on(m as HTTPMethod, route.url, noop);
    }
  });

  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-openstack-request-id', req.id);
    const path = req.url.split('?', 1)[0];
    if (!opts.authenticate || OPS_PATHS.has(path) || opts.isPublic?.(req.method, path)) return;
    // The identity layer keeps the request ids and hides the token on the object it returns: use it as is.
    req.context = await opts.authenticate(req);
  });

  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    const ms = reply.elapsedTime;
    opts.metrics?.requests.inc({ service: opts.service, route, method: req.method, status: reply.statusCode });
    opts.metrics?.latency.observe({ service: opts.service, route, method: req.method }, ms / 1000);
    // Free when the level is above info (the common production setting) and sampled below it.
    if (!(req.log as unknown as { isLevelEnabled(level: string): boolean }).isLevelEnabled('info')) return;
    if (logSample < 1 && reply.statusCode < 500 && Math.random() >= logSample) return;
    req.log.info(
      {
        reqId: req.id,
        globalRequestId: acceptGlobalRequestId(req.headers['x-openstack-request-id']),
        method: req.method,
        route,
        status: reply.statusCode,
        ms: Math.round(ms * 100) / 100,
      },
      'request',
    );
  });

  app.setErrorHandler(async (err: Error & { statusCode?: number; status?: number; code?: string; type?: string }, req, reply) => {
    const status = statusOf(err);
    // Answer an oversized body once the client has finished sending it (or closed), so that it reads
    // the 413 instead of a reset while still writing.
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') await drain(req.raw, DRAIN_FACTOR * bodyLimit, DRAIN_TIMEOUT_MS);
    if (status >= 500 && !(err instanceof ApiError)) {
      req.log.error({ err, reqId: req.id }, 'unhandled error');
      return sendFault(reply, style, 500, 'The server has either erred or is incapable of performing the requested operation.');
    }
    return sendFault(reply, style, status, messageOf(err, status), err instanceof ApiError ? err.type : neutronTypeOf(err));
  });

  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?', 1)[0];
    // A trailing slash below a collection names an empty id (`DELETE /v3/{p}/volumes/`): nothing is there.
    const emptyId = path.endsWith('/') && path.split('/').filter(Boolean).length >= 2;
    const allowed = emptyId ? [] : ALL_METHODS.filter((m) => m !== req.method && knownPaths.find(m, path));
    if (allowed.length > 0) {
      reply.header('allow', allowed.join(', '));
      return sendFault(reply, style, 405, `The method ${req.method} is not allowed for this resource.`);
    }
    return sendFault(reply, style, 404, 'The resource could not be found.');
  });

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    try {
      await opts.ready?.();
      return { status: 'ready' };
    } catch (err) {
      return reply.code(503).send({ status: 'unavailable', reason: (err as Error).message });
    }
  });
  if (opts.metrics) {
    const registry = opts.metrics.registry;
    app.get('/metrics', async (_req, reply) => reply.type(registry.contentType).send(await registry.metrics()));
  }
  return app as unknown as FastifyInstance;
}

/** How much of an oversized body is read and dropped before the 413 (in body limits), and for how long. */
const DRAIN_FACTOR = 16;
const DRAIN_TIMEOUT_MS = 10_000;

/** Reads and drops the rest of a request body, up to `maxBytes` or `timeoutMs`, whichever comes first. */
function drain(stream: NodeJS.ReadableStream & { readableEnded?: boolean; destroyed?: boolean }, maxBytes: number, timeoutMs: number): Promise<void> {
  if (stream.readableEnded || stream.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    let seen = 0;
    const finish = () => {
      clearTimeout(timer);
      stream.removeListener('data', onData);
      stream.removeListener('end', finish);
      stream.removeListener('close', finish);
      stream.removeListener('error', finish);
      resolve();
    };
    const onData = (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > maxBytes) finish();
    };
    const timer = setTimeout(finish, timeoutMs);
    stream.on('data', onData);
    stream.once('end', finish);
    stream.once('close', finish);
    stream.once('error', finish);
    stream.resume();
  });
}

/**
 * Errors Node's HTTP parser raises before there is a request (an oversized header block, a malformed
 * request line): a 400 in the service's fault format, as upstream's WSGI servers answer, then close.
 */
function clientError(style: FaultStyle, err: Error & { code?: string }, socket: import('node:stream').Duplex): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  if (socket.writable) {
    const timeout = err.code === 'ERR_HTTP_REQUEST_TIMEOUT';
    const status = timeout ? 408 : 400;
    const message = err.code === 'HPE_HEADER_OVERFLOW' ? 'Request header fields too large.' : timeout ? 'Request timed out.' : 'Malformed request.';
    const body = JSON.stringify(faultBody(style, status, message));
    const reason = timeout ? 'Request Timeout' : 'Bad Request';
    socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    return;
  }
  socket.destroy();
}

export function sendFault(reply: FastifyReply, style: FaultStyle, status: number, message: string, type?: string): FastifyReply {
  // A Buffer is sent as it is: no charset parameter appended, even where no onSend hook runs (framework errors).
  return reply
    .code(status)
    .header('content-type', 'application/json')
    .send(Buffer.from(JSON.stringify(faultBody(style, status, message, type))));
}

function statusOf(err: { statusCode?: number; status?: number }): number {
  const s = err instanceof ApiError ? err.status : (err.status ?? err.statusCode);
  return typeof s === 'number' && s >= 400 && s < 600 ? s : 500;
}

function messageOf(err: Error & { code?: string; validation?: unknown }, status: number): string {
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'The request body must be JSON (Content-Type: application/json).';
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'Request is too large.';
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'The request body is empty but Content-Type says JSON.';
  }
  if (err instanceof SyntaxError || err.code === 'FST_ERR_CTP_INVALID_JSON_BODY') return 'Malformed request body: the body is not valid JSON.';
  if (err.validation) return `Invalid input: ${err.message}`;
  return err.message || `HTTP ${status}`;
}

function neutronTypeOf(err: Error & { code?: string; validation?: unknown }): string | undefined {
  if (err instanceof SyntaxError || err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err.validation) return 'HTTPBadRequest';
  return undefined;
}
