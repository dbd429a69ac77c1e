import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { SimServiceError, type SimCaller, type SimFaults, type SimTokenValidator } from '../types.js';

export type SimFaultStyle = 'nova' | 'neutron' | 'keystone' | 'glance';

declare module 'fastify' {
  interface FastifyRequest {
    caller?: SimCaller;
  }
}

const NOVA_FAULT_NAMES: Record<number, string> = {
  400: 'badRequest',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'itemNotFound',
  405: 'badMethod',
  409: 'conflictingRequest',
  413: 'overLimit',
  415: 'badMediaType',
  429: 'overLimit',
  501: 'notImplemented',
  503: 'serviceUnavailable',
};

const NEUTRON_TYPES: Record<number, string> = {
  400: 'HTTPBadRequest',
  401: 'HTTPUnauthorized',
  403: 'HTTPForbidden',
  404: 'HTTPNotFound',
  405: 'HTTPMethodNotAllowed',
  409: 'HTTPConflict',
  413: 'HTTPRequestEntityTooLarge',
  415: 'HTTPUnsupportedMediaType',
  500: 'HTTPInternalServerError',
  503: 'HTTPServiceUnavailable',
};

/** Builds the upstream-shaped error body for a service style. */
export function simFaultBody(style: SimFaultStyle, status: number, message: string, type = ''): unknown {
  switch (style) {
    case 'nova':
      return { [NOVA_FAULT_NAMES[status] ?? 'computeFault']: { message, code: status } };
    case 'neutron':
      return { NeutronError: { type: type || NEUTRON_TYPES[status] || 'HTTPError', message, detail: '' } };
    case 'keystone':
      return { error: { code: status, message, title: httpTitle(status) } };
    case 'glance':
      // webob's JSON error format: code is the status line ("404 Not Found").
      return { message, code: `${status} ${httpTitle(status)}`, title: httpTitle(status) };
  }
}

const HTTP_TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Request Entity Too Large',
  415: 'Unsupported Media Type',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
};

export function httpTitle(status: number): string {
  return HTTP_TITLES[status] ?? 'Internal Server Error';
}

/** The 401 body keystonemiddleware answers for every service when X-Auth-Token is missing or invalid. */
export const UNAUTHORIZED_BODY = {
  error: { code: 401, title: 'Unauthorized', message: 'The request you have made requires authentication.' },
};

const NO_FAULTS: SimFaults = Object.freeze({ latencyMs: 0, errorRate: 0, down: false, hangMs: 0, createAnswerDelayMs: 0 });

export interface SimAppOptions {
  style: SimFaultStyle;
  faults: SimFaults;
  /** When given, every path except those matched by `isPublic` needs a valid X-Auth-Token. */
  validator?: SimTokenValidator;
  isPublic?: (method: string, path: string) => boolean;
  /** Paths that ignore fault injection (the simulator's own control plane). */
  isFaultFree?: (path: string) => boolean;
  /** Keystone URL announced in WWW-Authenticate on 401, as keystonemiddleware does. */
  authUri?: () => string;
}

/** The creates whose answers `createAnswerDelayMs` holds: servers and volumes. */
const CREATE_PATH = /\/(servers|volumes)$/;

/** A Fastify app with the behaviour every simulated service shares: request ids, faults, auth, error bodies. */
export function createSimApp(opts: SimAppOptions): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: 10 * 1024 * 1024 });
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  // Keystone, Nova, Cinder and Glance ignore an absent body whatever its Content-Type says (tempest sends
  // `Content-Type: application/json` on every request, DELETE and bodiless PUT included).
  const json = app.getDefaultJsonParser('error', 'ignore');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text === '') return done(null, undefined);
    return json(req, text, done);
  });

  app.addHook('onRequest', async (req, reply) => {
    const requestId = `req-${randomUUID()}`;
    reply.header('x-openstack-request-id', requestId);
    if (opts.style === 'nova') reply.header('x-compute-request-id', requestId);
    const path = req.url.split('?')[0];
    const f = opts.isFaultFree?.(path) ? NO_FAULTS : opts.faults;
    if (f.down) {
      // Listener not closed yet (or an in-process inject): behave like a refused connection.
      req.raw.socket?.destroy();
      return reply.hijack();
    }
    if (f.hangMs > 0) await sleep(f.hangMs);
    if (f.latencyMs > 0) await sleep(f.latencyMs);
    if (f.errorRate > 0 && Math.random() < f.errorRate) {
      return reply.code(500).send(simFaultBody(opts.style, 500, 'Injected fault'));
    }
    if (opts.validator && !(opts.isPublic?.(req.method, path) ?? false)) {
      const token = req.headers['x-auth-token'];
      const caller = typeof token === 'string' ? opts.validator.validate(token) : undefined;
      if (!caller) {
        if (opts.authUri) reply.header('www-authenticate', `Keystone uri="${opts.authUri()}"`);
        return reply.code(401).send(UNAUTHORIZED_BODY);
      }
      req.caller = caller;
    }
  });

  app.addHook('onSend', async (req, reply) => {
    const f = opts.faults;
    if (f.createAnswerDelayMs > 0 && req.method === 'POST' && reply.statusCode < 300 && CREATE_PATH.test(req.url.split('?')[0])) {
      // Held until the delay passes or the caller goes away (a closing server does not wait for it).
      const socket = req.raw.socket;
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        timer = setTimeout(resolve, f.createAnswerDelayMs);
        socket?.once('close', () => resolve());
      });
      clearTimeout(timer);
    }
  });

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string; validation?: unknown }, _req, reply) => {
    if (err instanceof SimServiceError) {
      return reply.code(err.status).send(simFaultBody(opts.style, err.status, err.message, err.type));
    }
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    const message = status === 500 ? 'Internal error' : err.message;
    return reply.code(status).send(simFaultBody(opts.style, status, message));
  });

  app.setNotFoundHandler((_req, reply) => {
    reply.code(404).send(simFaultBody(opts.style, 404, `The resource could not be found.`));
  });
  return app;
}

export function callerOf(req: FastifyRequest): SimCaller {
  if (!req.caller) throw new SimServiceError(401, 'The request you have made requires authentication.');
  return req.caller;
}

export function sendNoContent(reply: FastifyReply, status = 204): FastifyReply {
  return reply.code(status).send();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function newFaults(): SimFaults {
  return { latencyMs: 0, errorRate: 0, down: false, hangMs: 0, createAnswerDelayMs: 0 };
}
