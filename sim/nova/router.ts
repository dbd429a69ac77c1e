// Registers simulated Nova routes under both `/v2.1/...` and `/v2.1/{project_id}/...`, resolves
// the microversion once per request and hands handlers a NovaCtx.
import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import { callerOf } from '../common/http.js';
import { SimServiceError } from '../types.js';
import { ApiVersion, negotiateMicroversion, type MicroversionPolicy } from './apiutil.js';
import type { NovaCtx } from './context.js';

export const NOVA_MICROVERSIONS: MicroversionPolicy = {
  service: 'compute',
  legacyHeader: 'x-openstack-nova-api-version',
  min: '2.1',
  max: '2.93',
};

const versions = new WeakMap<FastifyRequest, ApiVersion>();

/** onRequest hook: negotiates the microversion of `/v2.1` requests and echoes it in the headers. */
export async function novaMicroversionHook(req: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (!req.url.startsWith('/v2.1')) return;
  const v = negotiateMicroversion(req.headers, NOVA_MICROVERSIONS);
  versions.set(req, v);
  reply.header('openstack-api-version', `compute ${v}`);
  reply.header('x-openstack-nova-api-version', v.toString());
  reply.header('vary', 'OpenStack-API-Version, X-OpenStack-Nova-API-Version');
}

export function novaCtx(req: FastifyRequest, reply: FastifyReply): NovaCtx {
  const caller = callerOf(req);
  const projectInUrl = (req.params as { project_id?: string } | undefined)?.project_id;
  if (projectInUrl !== undefined && projectInUrl !== caller.projectId) {
    throw new SimServiceError(400, `Malformed request URL: URL's project_id '${projectInUrl}' doesn't match Context's project_id '${caller.projectId}'`);
  }
  return {
    caller,
    version: versions.get(req) ?? ApiVersion.of(NOVA_MICROVERSIONS.min),
    requestId: String(reply.getHeader('x-openstack-request-id') ?? ''),
    projectInUrl,
  };
}

export type NovaHandler = (ctx: NovaCtx, req: FastifyRequest, reply: FastifyReply) => unknown;

export interface RouteOptions {
  /** Routes added in a later microversion answer 404 below it, as upstream does. */
  minVersion?: string;
}

export class NovaRouter {
  constructor(private readonly app: FastifyInstance) {}

  add(method: HTTPMethods, path: string, handler: NovaHandler, opts: RouteOptions = {}): void {
    for (const prefix of ['/v2.1', '/v2.1/:project_id']) {
      this.app.route({
        method,
        url: `${prefix}${path}`,
        handler: async (req, reply) => {
          const ctx = novaCtx(req, reply);
          if (opts.minVersion && ctx.version.lt(opts.minVersion)) {
            throw new SimServiceError(404, 'The resource could not be found.');
          }
          return handler(ctx, req, reply);
        },
      });
    }
  }

  get(path: string, h: NovaHandler, o?: RouteOptions): void {
    this.add('GET', path, h, o);
  }
  post(path: string, h: NovaHandler, o?: RouteOptions): void {
    this.add('POST', path, h, o);
  }
  put(path: string, h: NovaHandler, o?: RouteOptions): void {
    this.add('PUT', path, h, o);
  }
  delete(path: string, h: NovaHandler, o?: RouteOptions): void {
    this.add('DELETE', path, h, o);
  }
}

/** Route params as strings. */
export function params(req: FastifyRequest): Record<string, string> {
  return req.params as Record<string, string>;
}

export function query(req: FastifyRequest): Record<string, string | string[] | undefined> {
  return req.query as Record<string, string | string[] | undefined>;
}
