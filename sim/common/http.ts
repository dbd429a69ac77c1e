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
      return { error: { code: status, message, title: keystoneTitle(status) } };
    case 'glance':
      return { message, code: status, title: keystoneTitle(status) };
  }
}

function keystoneTitle(status: number): string {
  return (
    { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict', 413: 'Request Entity Too Large' }[status] ??
    'Internal Server Error'
  );
}

export interface SimAppOptions {
  style: SimFaultStyle;
  faults: SimFaults;
  /** When given, every path except those matched by `isPublic` needs a valid X-Auth-Token. */
  validator?: SimTokenValidator;
  isPublic?: (method: string, path: string) => boolean;
}

/** A Fastify app with the behaviour every simulated service shares: request ids, faults, auth, error bodies. */
export function createSimApp(opts: SimAppOptions): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: 10 * 1024 * 1024 });
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  app.addHook('onRequest', async (req, reply) => {
    const requestId = `req-${randomUUID()}`;
    reply.header('x-openstack-request-id', requestId);
    if (opts.style === 'nova') reply.header('x-compute-request-id', requestId);
    const f = opts.faults;
    if (f.hangMs > 0) await sleep(f.hangMs);
    if (f.latencyMs > 0) await sleep(f.latencyMs);
    if (f.errorRate > 0 && Math.random() < f.errorRate) {
      return reply.code(500).send(simFaultBody(opts.style, 500, 'Injected fault'));
    }
    if (opts.validator && !(opts.isPublic?.(req.method, req.url.split('?')[0]) ?? false)) {
      const token = req.headers['x-auth-token'];
      const caller = typeof token === 'string' ? opts.validator.validate(token) : undefined;
      if (!caller) {
        return reply.code(401).send(simFaultBody(opts.style, 401, 'The request you have made requires authentication.'));
      }
      req.caller = caller;
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

  app.setNotFoundHandler((req, reply) => {
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
  return { latencyMs: 0, errorRate: 0, down: false, hangMs: 0 };
}
