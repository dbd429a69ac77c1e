import type { BottomClient, HttpMethod, Query, RawResponse } from '../bottom/index.js';
import { isTopPod, type Pod } from '../pods/index.js';
import { podVersion, type CinderCall } from './call.js';
import type { CinderDeps } from './deps.js';
import { LinkRewriter, parseJson } from './relay.js';

export interface PodCall {
  method: HttpMethod;
  /** Below the pod's `/v3/<project>`; may carry a query string. */
  path: string;
  query?: Query;
  /** JSON-serialised unless already bytes or text. */
  body?: unknown;
  timeoutMs?: number;
  /** Call with the service account (admin) instead of the caller's token. */
  asAdmin?: boolean;
}

/** Calls to the pods' Cinder on behalf of a client request. */
export class CinderPods {
  constructor(private readonly deps: CinderDeps) {}

  client(pod: Pod): BottomClient {
    return this.deps.core.podClients.client(pod, 'volumev3');
  }

  /** One raw call with the caller's token (or the service account's) and the call's microversion. */
  request(call: CinderCall, pod: Pod, req: PodCall): Promise<RawResponse> {
    const headers: Record<string, string> = {};
    let body: Buffer | string | undefined;
    if (req.body !== undefined) {
      body = Buffer.isBuffer(req.body) || typeof req.body === 'string' ? req.body : JSON.stringify(req.body);
      headers['content-type'] = 'application/json';
    }
    return this.client(pod).request(call.ctx, {
      method: req.method,
      path: req.path,
      query: req.query,
      body,
      headers,
      microversion: podVersion(call),
      timeoutMs: req.timeoutMs,
      asAdmin: req.asAdmin,
    });
  }

  /** A JSON call that must succeed: HTTP errors throw the pod's fault (BottomError). */
  async json<T>(call: CinderCall, pod: Pod, req: PodCall): Promise<T> {
    const res = await this.request(call, pod, req);
    if (res.status >= 400) throw this.client(pod).error(res.status, res.body, res.headers);
    return (res.body.length === 0 ? undefined : parseJson(res.body)) as T;
  }

  links(call: CinderCall, res: RawResponse): LinkRewriter {
    return new LinkRewriter(res.baseUrl, this.deps.publicUrl(), call.api);
  }

  /** Every bottom pod (the top pod never holds volumes). */
  async bottomPods(): Promise<Pod[]> {
    return (await this.deps.core.pods.list()).filter((p) => !isTopPod(p));
  }
}
