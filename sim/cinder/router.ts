// Registers simulated Cinder routes under `/v3/{project_id}/...` (and `/v3/...`, `/v2/{project_id}/...`),
// resolves the microversion and hands handlers a CinderCtx.
import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import { callerOf } from '../common/http.js';
import { SimServiceError } from '../types.js';
import { ApiVersion, negotiateMicroversion, type MicroversionPolicy } from '../nova/apiutil.js';
import type { CinderCtx } from './context.js';

export const CINDER_MICROVERSIONS: MicroversionPolicy = { service: 'volume', min: '3.0', max: '3.70' };

const versions = new WeakMap<FastifyRequest, ApiVersion>();

function isVersionDoc(path: string): boolean {
  return path === '/v3' || path === '/v3/' || path === '/v2' || path === '/v2/';
}

/** onRequest hook: negotiates the microversion of `/v3` requests and echoes it. */
export async function cinderMicroversionHook(req: FastifyRequest, reply: FastifyReply): Promise<void> {
  const path = req.url.split('?')[0];
  if (!path.startsWith('/v3/') || isVersionDoc(path)) return;
  const v = negotiateMicroversion(req.headers, CINDER_MICROVERSIONS);
  versions.set(req, v);
  reply.header('openstack-api-version', `volume ${v}`);
  reply.header('vary', 'OpenStack-API-Version');
}

/** The x-compute-request-id header is Nova's; Cinder answers only x-openstack-request-id. */
export async function stripComputeRequestId(_req: FastifyRequest, reply: FastifyReply): Promise<void> {
  reply.removeHeader('x-compute-request-id');
}

export function cinderCtx(req: FastifyRequest, apiPrefix: string): CinderCtx {
  const caller = callerOf(req);
  const projectInUrl = (req.params as { project_id?: string } | undefined)?.project_id;
  if (projectInUrl !== undefined && projectInUrl !== caller.projectId) {
    throw new SimServiceError(400, 'Malformed request url');
  }
  return {
    caller,
    version: versions.get(req) ?? ApiVersion.of(CINDER_MICROVERSIONS.min),
    apiPrefix,
    projectInUrl,
  };
}

export type CinderHandler = (ctx: CinderCtx, req: FastifyRequest, reply: FastifyReply) => unknown;

export class CinderRouter {
  constructor(private readonly app: FastifyInstance) {}

  add(method: HTTPMethods, path: string, handler: CinderHandler, opts: { minVersion?: string } = {}): void {
    const prefixes: Array<[string, string]> = [
      ['/v3/:project_id', 'v3'],
      ['/v3', 'v3'],
      ['/v2/:project_id', 'v2'],
    ];
    for (const [prefix, api] of prefixes) {
      this.app.route({
        method,
        url: `${prefix}${path}`,
        handler: async (req, reply) => {
          const ctx = cinderCtx(req, api);
          if (opts.minVersion && ctx.version.lt(opts.minVersion)) throw new SimServiceError(404, 'The resource could not be found.');
          return handler(ctx, req, reply);
        },
      });
    }
  }

  get(path: string, h: CinderHandler, o?: { minVersion?: string }): void {
    this.add('GET', path, h, o);
  }
  post(path: string, h: CinderHandler, o?: { minVersion?: string }): void {
    this.add('POST', path, h, o);
  }
  put(path: string, h: CinderHandler, o?: { minVersion?: string }): void {
    this.add('PUT', path, h, o);
  }
  delete(path: string, h: CinderHandler, o?: { minVersion?: string }): void {
    this.add('DELETE', path, h, o);
  }
}

export function params(req: FastifyRequest): Record<string, string> {
  return req.params as Record<string, string>;
}

export function query(req: FastifyRequest): Record<string, string | string[] | undefined> {
  return req.query as Record<string, string | string[] | undefined>;
}
