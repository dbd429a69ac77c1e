import type { PodClientFactory, RawResponse } from '../bottom/index.js';
import type { HttpMethod } from '../bottom/index.js';
import type { Pod } from '../pods/index.js';
import type { NovaCall } from './call.js';
import { rewritePodLinks, rewritePodUrl } from '../gateway/index.js';
import { computeRoot, replaceJsonStringMember } from './links.js';

export interface PodRequest {
  method: HttpMethod;
  /** Below the pod's versioned compute root, e.g. `/servers/<id>/action`. */
  path: string;
  /** Passed on verbatim (without '?'). */
  rawQuery?: string;
  /** A Buffer is sent as is; anything else is JSON-encoded. */
  body?: unknown;
  asAdmin?: boolean;
  timeoutMs?: number;
}

const POD_REQUEST_ID = /^req-[0-9a-f-]{36}$/;

/** A pod answer made fit for the client: links point at the gateway, the AZ is the top one. */
export interface Relayed {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** Calls a pod's compute API on behalf of a client call, and turns its answer into the gateway's. */
export class PodForwarder {
  constructor(
    private readonly clients: PodClientFactory,
    private readonly publicUrl: () => string,
  ) {}

  /** The pod's answer, raw (HTTP errors included); transport failures throw PodUnreachableError. */
  send(call: NovaCall, pod: Pod, req: PodRequest): Promise<RawResponse> {
    const body = req.body === undefined ? undefined : Buffer.isBuffer(req.body) ? req.body : JSON.stringify(req.body);
    return this.clients.client(pod, 'compute').request(call.ctx, {
      method: req.method,
      path: req.rawQuery ? `${req.path}?${req.rawQuery}` : req.path,
      ...(body !== undefined ? { body, headers: { 'content-type': 'application/json' } } : {}),
      microversion: call.version.toString(),
      ...(req.asAdmin ? { asAdmin: true } : {}),
      ...(req.timeoutMs !== undefined ? { timeoutMs: req.timeoutMs } : {}),
    });
  }

  /** Rewrites a pod answer for the client without parsing it. */
  relay(res: RawResponse, pod: Pod): Relayed {
    const podRoot = computeRoot(res.baseUrl);
    const gatewayRoot = this.publicUrl();
    let body = rewritePodLinks(res.body, podRoot, gatewayRoot);
    body = replaceJsonStringMember(body, 'OS-EXT-AZ:availability_zone', pod.azName);
    const headers: Record<string, string> = {};
    const type = res.headers['content-type'];
    if (body.length > 0 && type !== undefined) headers['content-type'] = String(type);
    const location = res.headers.location;
    if (typeof location === 'string') headers.location = rewritePodUrl(location, podRoot, gatewayRoot);
    // A call one pod answered carries the pod's request id: the pod records its instance actions under
    // it (Nova keeps its own id there, never the caller's), so a client looking an action up by the id
    // it was answered with finds it. The pod got the gateway's id as its global request id, so the
    // logs of both still correlate.
    const podRequestId = res.headers['x-openstack-request-id'];
    if (typeof podRequestId === 'string' && POD_REQUEST_ID.test(podRequestId)) {
      headers['x-openstack-request-id'] = podRequestId;
      headers['x-compute-request-id'] = podRequestId;
    }
    return { status: res.status, headers, body };
  }

  /** A pod body with its URLs rewritten to the gateway's (before it is parsed, so each byte is scanned once). */
  rewriteLinks(res: RawResponse): Buffer {
    return rewritePodLinks(res.body, computeRoot(res.baseUrl), this.publicUrl());
  }
}
