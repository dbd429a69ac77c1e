import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import { badRequest, forbidden, notFound } from '../common/errors.js';
import type { PolicyEnforcer } from '../policy/index.js';
import type { RequestContext } from '../identity/index.js';
import type { GatewayLinks } from './links.js';
import { ApiVersion, VersionNotAcceptable, negotiateVersion, versionHeaders } from './microversion.js';
import type { PodVersionRanges } from './versionRange.js';

export type QueryParams = Record<string, string | string[] | undefined>;

/** One compute API call as the gateway's services see it (no Fastify types). */
export interface NovaCall {
  ctx: RequestContext;
  version: ApiVersion;
  /** The project id of a `/v2.1/{project_id}/...` URL. */
  projectInUrl?: string;
  links: GatewayLinks;
  /** The query string exactly as the client sent it (without '?'). */
  rawQuery: string;
  query: QueryParams;
}

export type NovaHandler = (call: NovaCall, req: FastifyRequest, reply: FastifyReply) => Promise<unknown> | unknown;

export interface RouteOptions {
  /** Routes added in a later microversion answer 404 below it, as upstream. */
  minVersion?: string;
  /** Routes removed in a later microversion answer 404 from the one after this. */
  maxVersion?: string;
  /** Register only the `/v2.1/{project_id}` form (its bare form is served elsewhere). */
  projectFormOnly?: boolean;
}

/**
 * Registers compute routes under `/v2.1/...` and `/v2.1/{project_id}/...`, negotiates the
 * microversion once per request (echoing it in the response headers) and hands handlers a NovaCall.
 */
export class NovaRouter {
  constructor(
    private readonly app: FastifyInstance,
    private readonly deps: { versions: PodVersionRanges; publicUrl: () => string },
  ) {}

  route(method: HTTPMethods, path: string, handler: NovaHandler, opts: RouteOptions = {}): void {
    for (const prefix of opts.projectFormOnly ? ['/v2.1/:project_id'] : ['/v2.1', '/v2.1/:project_id']) {
      this.app.route({
        method,
        url: `${prefix}${path}`,
        handler: async (req, reply) => {
          const call = await this.begin(req, reply);
          if (!call) return reply;
          if ((opts.minVersion && call.version.lt(opts.minVersion)) || (opts.maxVersion && call.version.compare(opts.maxVersion) > 0)) {
            throw notFound('The resource could not be found.');
          }
          return handler(call, req, reply);
        },
      });
    }
  }

  get(path: string, h: NovaHandler, o?: RouteOptions): void {
    this.route('GET', path, h, o);
  }
  post(path: string, h: NovaHandler, o?: RouteOptions): void {
    this.route('POST', path, h, o);
  }
  put(path: string, h: NovaHandler, o?: RouteOptions): void {
    this.route('PUT', path, h, o);
  }
  delete(path: string, h: NovaHandler, o?: RouteOptions): void {
    this.route('DELETE', path, h, o);
  }

  /** Negotiates the version; on a 406 the reply is sent and undefined returned. */
  private async begin(req: FastifyRequest, reply: FastifyReply): Promise<NovaCall | undefined> {
    reply.header('x-compute-request-id', req.id);
    const range = await this.deps.versions.range();
    let version: ApiVersion;
    try {
      version = negotiateVersion(req.headers, range);
    } catch (err) {
      if (err instanceof VersionNotAcceptable) {
        // Upstream writes this one as a computeFault.
        reply.code(406).type('application/json').send({ computeFault: { code: 406, message: err.message } });
        return undefined;
      }
      throw err;
    }
    for (const [k, v] of Object.entries(versionHeaders(version))) reply.header(k, v);
    const ctx = req.context as unknown as RequestContext;
    const projectInUrl = (req.params as { project_id?: string }).project_id;
    if (projectInUrl !== undefined && projectInUrl !== ctx.projectId) {
      throw badRequest(`Malformed request URL: URL's project_id '${projectInUrl}' doesn't match Context's project_id '${ctx.projectId}'`);
    }
    const q = req.url.indexOf('?');
    const publicUrl = this.deps.publicUrl();
    const projectPath = projectInUrl !== undefined ? `/${projectInUrl}` : '';
    return {
      ctx,
      version,
      projectInUrl,
      links: { versioned: `${publicUrl}/v2.1${projectPath}`, bookmark: `${publicUrl}${projectPath}` },
      rawQuery: q >= 0 ? req.url.slice(q + 1) : '',
      query: (req.query ?? {}) as QueryParams,
    };
  }
}

/** The last value of a query parameter. */
export function qLast(query: QueryParams, key: string): string | undefined {
  const v = query[key];
  return Array.isArray(v) ? v[v.length - 1] : v;
}

/** Every value of a repeated query parameter. */
export function qAll(query: QueryParams, key: string): string[] {
  const v = query[key];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/**
 * Nova's admin-only rules: the policy file decides when it names the rule (e.g.
 * `os_compute_api:os-flavor-manage:create`), otherwise the admin role is required.
 */
export function requireAdmin(policy: PolicyEnforcer, ctx: RequestContext, rule: string, target: Record<string, string> = {}): void {
  if (policy.has(rule)) {
    if (!policy.enforce(rule, { project_id: ctx.projectId, ...target }, ctx)) throw forbidden(`Policy doesn't allow ${rule} to be performed.`);
    return;
  }
  if (!ctx.isAdmin) throw forbidden(`Policy doesn't allow ${rule} to be performed.`);
}
