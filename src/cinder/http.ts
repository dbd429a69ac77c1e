import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import { badRequest } from '../common/errors.js';
import type { RequestContext } from '../identity/index.js';
import type { CinderCall } from './call.js';
import { Microversion, negotiate, V2_EQUIVALENT, type ApiPrefix } from './microversion.js';
import type { Relay } from './relay.js';

/** Every route is served under these prefixes: /v3/{project_id}, /v2/{project_id}, and /v3 without a project (3.67). */
const PREFIXES = ['/v3/:project_id', '/v2/:project_id', '/v3'] as const;

const versions = new WeakMap<FastifyRequest, Microversion>();

const isVersionDocument = (path: string): boolean => /^\/(v[23]\/?)?$/.test(path);

/**
 * onRequest hook: negotiates the microversion of every /v3 request (400/406 on a bad header) and
 * answers with it, as Cinder does.
 */
export async function microversionHook(req: FastifyRequest, reply: FastifyReply): Promise<void> {
  const path = req.url.split('?', 1)[0];
  if (!path.startsWith('/v3/') || isVersionDocument(path)) return;
  const version = negotiate(req.headers['openstack-api-version']);
  versions.set(req, version);
  reply.header('openstack-api-version', `volume ${version}`);
  reply.header('vary', 'OpenStack-API-Version');
}

/** The service layer's view of a request. */
export function callOf(req: FastifyRequest): CinderCall {
  const ctx = req.context as unknown as RequestContext;
  const api: ApiPrefix = req.url.startsWith('/v2/') ? 'v2' : 'v3';
  const urlProject = (req.params as { project_id?: string }).project_id;
  if (urlProject !== undefined && urlProject !== ctx.projectId) {
    throw badRequest(`Malformed request URL: URL's project_id '${urlProject}' doesn't match Context's project_id '${ctx.projectId}'`);
  }
  const version = api === 'v2' ? V2_EQUIVALENT : (versions.get(req) ?? negotiate(req.headers['openstack-api-version']));
  const q = req.url.indexOf('?');
  return {
    ctx,
    api,
    version,
    podVersion: api === 'v2' ? undefined : version.toString(),
    urlProject,
    rawQuery: q < 0 ? '' : req.url.slice(q + 1),
  };
}

export function sendRelay(reply: FastifyReply, relay: Relay): FastifyReply {
  reply.code(relay.status);
  for (const [name, value] of Object.entries(relay.headers)) {
    // The gateway negotiated the version itself; a pod's header must not contradict it.
    if (name === 'openstack-api-version' && reply.hasHeader(name)) continue;
    reply.header(name, value);
  }
  if (relay.body === undefined) return reply.send();
  if (Buffer.isBuffer(relay.body)) {
    if (!reply.hasHeader('content-type')) reply.type('application/json');
    return reply.send(relay.body);
  }
  return reply.type('application/json').send(JSON.stringify(relay.body));
}

export type CinderHandler = (call: CinderCall, req: FastifyRequest, reply: FastifyReply) => Promise<Relay | FastifyReply>;

/** Registers a route under every API prefix; a handler returns a Relay (or has already replied). */
export function cinderRoute(app: FastifyInstance, method: HTTPMethods, path: string, handler: CinderHandler): void {
  for (const prefix of PREFIXES) {
    app.route({
      method,
      url: `${prefix}${path}`,
      handler: async (req, reply) => {
        const call = callOf(req);
        const out = await handler(call, req, reply);
        if ((out as unknown) === reply) return reply;
        const relay = out as Relay;
        if (call.api === 'v2') {
          // v2 has no microversions: the pod's v3 version headers do not apply.
          delete relay.headers['openstack-api-version'];
          delete relay.headers.vary;
        }
        return sendRelay(reply, relay);
      },
    });
  }
}

/** A JSON answer made by the gateway itself. */
export const json = (status: number, body?: unknown, headers: Record<string, string> = {}): Relay => ({ status, headers, body });

/** The query parameters of a request, repeated keys kept. */
export function queryOf(call: CinderCall): URLSearchParams {
  return new URLSearchParams(call.rawQuery);
}
