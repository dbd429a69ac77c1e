import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import { badRequest, notFound } from '../common/index.js';
import type { RequestContext } from '../identity/index.js';
import { Microversion, MicroversionNotAcceptable, isMicroversionHeader, microversionHeaders, negotiateMicroversion, type MicroversionSpec } from './microversion.js';
import type { Static, TSchema } from './schema.js';
import type { BodyValidator } from './validation/validator.js';

/** One URL prefix a service answers under. */
export interface ApiPrefix {
  /** E.g. `/v2.1`, `/v2.1/:project_id`, `/v3`. A `:project_id` must be the token's project. */
  path: string;
  /** The API the client calls through it (`v2.1`, `v3`, `v2`, `v1.0`); links keep it. */
  api: string;
  /** False for an API without microversions (Cinder's v2): calls run at the service's minimum and answer without version headers. */
  microversions?: boolean;
}

/** A service as the gateway kit serves it. */
export interface GatewayService {
  /** URL prefixes every route is registered under (unless the route names its own). */
  prefixes: readonly ApiPrefix[];
  /** Microversion negotiation; none for a service without microversions (the Admin API). */
  microversions?: MicroversionSpec;
  /** Request bodies are validated and their errors worded by this validator. */
  validator?: BodyValidator;
  /** A response header carrying the request id besides `x-openstack-request-id` (Nova's `x-compute-request-id`). */
  requestIdHeader?: string;
  /** The service's public base URL, no trailing slash (known once the listener is bound). */
  publicUrl(): string;
}

export type QueryParams = Record<string, string | string[] | undefined>;

/** Links the gateway writes itself, as the client addressed the service. */
export interface GatewayLinks {
  /** `<public>/<api>[/<project>]`. */
  versioned: string;
  /** `<public>[/<project>]` (Nova's bookmark base). */
  bookmark: string;
}

/** One API call as the service layer sees it (no Fastify types). */
export interface GatewayCall<Body = unknown, Params = Record<string, string>> {
  readonly ctx: RequestContext;
  /** The API the client called (`v2.1`, `v3`, `v2`, `v1.0`). */
  readonly api: string;
  /** The negotiated microversion (the service's minimum where nothing was negotiated). */
  readonly version: Microversion;
  /** Whether the call negotiated a microversion (false on Cinder's v2 and the Admin API). */
  readonly negotiated: boolean;
  /** The project id of a `/<api>/{project_id}/...` URL. */
  readonly projectInUrl?: string;
  readonly params: Params;
  readonly query: QueryParams;
  /** The query string exactly as the client sent it (without '?'). */
  readonly rawQuery: string;
  /** The request body, validated against the route's schema when it has one. */
  readonly body: Body;
  readonly links: GatewayLinks;
}

/**
 * What a handler answers. A Buffer body is sent as it is (JSON content type unless a header says
 * otherwise), any other defined body is serialised as JSON, none sends an empty body. Headers that
 * belong to the microversion negotiation are the gateway's own: an answer cannot set them.
 */
export interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/** A JSON answer. */
export const answer = (status: number, body?: unknown, headers?: Record<string, string>): Answer => ({ status, body, ...(headers ? { headers } : {}) });
/** 200 with a JSON body. */
export const ok = (body: unknown, headers?: Record<string, string>): Answer => answer(200, body, headers);

/** `{ server_id: string }` for `/servers/:server_id`. */
export type PathParams<P extends string> = P extends `${string}:${infer Name}/${infer Rest}`
  ? { [K in Name]: string } & PathParams<`/${Rest}`>
  : P extends `${string}:${infer Name}`
    ? { [K in Name]: string }
    : Record<never, string>;

export type Handler<P extends string, B> = (call: GatewayCall<B, PathParams<P>>) => Promise<Answer> | Answer;

export interface RouteOptions<S extends TSchema | undefined = undefined> {
  /** Added in this microversion: 404 below it, as upstream. */
  minVersion?: string;
  /** Removed after this microversion: 404 above it. */
  maxVersion?: string;
  /** Only under these of the service's prefixes (by path), e.g. only `/v2.1/:project_id`. */
  prefixes?: readonly string[];
  /** The request body's schema (it may change by microversion: see since/upTo/byVersion). */
  body?: S;
}

export interface RouteDefinition<P extends string, S extends TSchema | undefined = undefined> extends RouteOptions<S> {
  method: HTTPMethods;
  path: P;
  handler: Handler<P, BodyOf<S>>;
}

type BodyOf<S> = S extends TSchema ? Static<S> : unknown;

/** What upstream's routers accept as the `{project_id}` segment of a URL. */
const PROJECT_ID_SHAPE = /^[0-9a-f-]+$/i;

/** The version of calls to a service without microversions (never compared with anything). */
const UNVERSIONED = Microversion.of('1.0');

/**
 * Registers a service's routes on an app: under each of the service's prefixes, with the
 * microversion negotiated once per request by a route hook (400/406, version headers echoed), the
 * URL's project checked against the token's, version bounds enforced (404), and the body validated
 * against the route's schema for the call's microversion before the handler runs.
 */
export class GatewayRouter {
  private readonly versions = new WeakMap<FastifyRequest, { version: Microversion; negotiated: boolean }>();

  constructor(
    private readonly app: FastifyInstance,
    private readonly service: GatewayService,
  ) {}

  route<P extends string, S extends TSchema | undefined = undefined>(def: RouteDefinition<P, S>): void {
    const check = def.body !== undefined ? this.validator().compile(def.body) : undefined;
    const prefixes = def.prefixes ? this.service.prefixes.filter((p) => def.prefixes!.includes(p.path)) : this.service.prefixes;
    if (prefixes.length === 0) throw new Error(`route ${def.method} ${def.path}: no prefix to register it under`);
    for (const prefix of prefixes) {
      this.app.route({
        method: def.method,
        url: `${prefix.path}${def.path}`,
        onRequest: (req, reply) => this.negotiate(req, reply, prefix),
        handler: async (req, reply) => {
          // A trailing slash names an empty id (`/volumes/`): upstream finds nothing there.
          if (def.path !== '' && req.url.split('?', 1)[0].endsWith('/')) throw notFound('The resource could not be found.');
          const call = this.callOf<PathParams<P>>(req, prefix);
          if ((def.minVersion && call.version.lt(def.minVersion)) || (def.maxVersion && call.version.compare(def.maxVersion) > 0)) {
            throw notFound('The resource could not be found.');
          }
          const body = check ? check(req.body, call.version) : req.body;
          return this.send(reply, await def.handler({ ...call, body: body as BodyOf<S> }));
        },
      });
    }
  }

  /**
   * A version document at `path` (outside the service's prefixes, no token needed): negotiated and
   * answered with the microversion headers and `Vary` like any call of the API `api`, as upstream.
   */
  document(path: string, api: string, produce: () => Promise<Answer> | Answer): void {
    const prefix: ApiPrefix = { path: '', api };
    this.app.route({
      method: 'GET',
      url: path,
      onRequest: (req, reply) => this.negotiate(req, reply, prefix),
      handler: async (_req, reply) => this.send(reply, await produce()),
    });
  }

  get<P extends string>(path: P, handler: Handler<P, unknown>, options: RouteOptions = {}): void {
    this.route({ ...options, method: 'GET', path, handler });
  }

  delete<P extends string>(path: P, handler: Handler<P, unknown>, options: RouteOptions = {}): void {
    this.route({ ...options, method: 'DELETE', path, handler });
  }

  post<P extends string, S extends TSchema | undefined = undefined>(path: P, handler: Handler<P, BodyOf<S>>, options: RouteOptions<S> = {}): void {
    this.route({ ...options, method: 'POST', path, handler });
  }

  put<P extends string, S extends TSchema | undefined = undefined>(path: P, handler: Handler<P, BodyOf<S>>, options: RouteOptions<S> = {}): void {
    this.route({ ...options, method: 'PUT', path, handler });
  }

  private validator(): BodyValidator {
    if (!this.service.validator) throw new Error('this service validates no request bodies: give it a validator');
    return this.service.validator;
  }

  /** The route hook: the call's microversion, or a 400/406. */
  private async negotiate(req: FastifyRequest, reply: FastifyReply, prefix: ApiPrefix): Promise<FastifyReply | undefined> {
    if (this.service.requestIdHeader) reply.header(this.service.requestIdHeader, req.id);
    const spec = this.service.microversions;
    if (!spec || prefix.microversions === false) {
      this.versions.set(req, { version: spec ? (await spec.range()).min : UNVERSIONED, negotiated: false });
      return undefined;
    }
    let version: Microversion;
    try {
      version = negotiateMicroversion(req.headers, spec, await spec.range());
    } catch (err) {
      if (err instanceof MicroversionNotAcceptable && spec.notAcceptableBody) {
        return reply.code(406).type('application/json').send(spec.notAcceptableBody(err.message));
      }
      throw err;
    }
    for (const [name, value] of Object.entries(microversionHeaders(version, spec))) reply.header(name, value);
    this.versions.set(req, { version, negotiated: true });
    return undefined;
  }

  private callOf<Params>(req: FastifyRequest, prefix: ApiPrefix): Omit<GatewayCall<unknown, Params>, 'body'> {
    const ctx = req.context;
    const params = req.params as Params & { project_id?: string };
    const projectInUrl = params.project_id;
    if (projectInUrl !== undefined && projectInUrl !== ctx.projectId) {
      // Upstream reads only ids of hex digits and dashes as a project: any other first segment
      // (`/v2.1/os-hypervisors`, `/v3/nonexistent/volumes`) names a resource it does not serve.
      if (!PROJECT_ID_SHAPE.test(projectInUrl)) throw notFound('The resource could not be found.');
      throw badRequest(`Malformed request URL: URL's project_id '${projectInUrl}' doesn't match Context's project_id '${ctx.projectId}'`);
    }
    const { version, negotiated } = this.versions.get(req) ?? { version: UNVERSIONED, negotiated: false };
    const q = req.url.indexOf('?');
    const publicUrl = this.service.publicUrl();
    const projectPath = projectInUrl !== undefined ? `/${projectInUrl}` : '';
    return {
      ctx,
      api: prefix.api,
      version,
      negotiated,
      ...(projectInUrl !== undefined ? { projectInUrl } : {}),
      params,
      query: (req.query ?? {}) as QueryParams,
      rawQuery: q >= 0 ? req.url.slice(q + 1) : '',
      links: { versioned: `${publicUrl}/${prefix.api}${projectPath}`, bookmark: `${publicUrl}${projectPath}` },
    };
  }

  private send(reply: FastifyReply, a: Answer): FastifyReply {
    reply.code(a.status);
    const spec = this.service.microversions;
    for (const [name, value] of Object.entries(a.headers ?? {})) {
      if (spec && isMicroversionHeader(name, spec)) continue;
      reply.header(name, value);
    }
    const body = a.body;
    if (body === undefined || a.status === 204 || (Buffer.isBuffer(body) && body.length === 0)) return reply.send();
    if (Buffer.isBuffer(body)) {
      if (!reply.hasHeader('content-type')) reply.type('application/json');
      return reply.send(body);
    }
    return reply.type('application/json').send(JSON.stringify(body));
  }
}

/** Mounts a service on an app: routes are then added through the returned router. */
export function mountService(app: FastifyInstance, service: GatewayService): GatewayRouter {
  return new GatewayRouter(app, service);
}
