import type { RawResponse, ResponseHeaders } from '../bottom/index.js';
import { replaceAllBytes, rewritePodLinks } from '../gateway/index.js';

/** An answer for the client: a status, the headers worth keeping, and a body (bytes or JSON). */
export interface Relay {
  status: number;
  headers: Record<string, string>;
  /** Bytes are sent as they are; anything else is serialised as JSON; undefined sends no body. */
  body?: Buffer | unknown;
}

/** Pod response headers a client may rely on; the rest (dates, lengths, pod request ids) are the gateway's own. */
const RELAYED_HEADERS = ['content-type', 'openstack-api-version', 'vary'];

export function relayedHeaders(headers: ResponseHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of RELAYED_HEADERS) {
    const value = headers[name];
    if (typeof value === 'string') out[name] = value;
    else if (Array.isArray(value) && value.length > 0) out[name] = value.join(', ');
  }
  return out;
}

/** The service root of a pod's Cinder endpoint: the URL without `/v3[/project]` (or `/v2[/project]`). */
export function serviceRoot(endpointUrl: string): string {
  return endpointUrl.replace(/\/+$/, '').replace(/\/v[23](\/[^/]*)?$/, '');
}

/**
 * Points the links of a pod's answer at the gateway: every occurrence of the pod's service root
 * (never inside a longer host or port), also in its `\/`-escaped JSON form, becomes
 * `gatewayRoot`; `/v3/` links become `/v2/` for a client that called /v2.
 */
export class LinkRewriter {
  private readonly podRoot: string;
  private readonly v3: Buffer;
  private readonly v2: Buffer;

  constructor(
    podEndpoint: string,
    private readonly gatewayRoot: string,
    private readonly api: string,
  ) {
    this.podRoot = serviceRoot(podEndpoint);
    this.v3 = Buffer.from(`${gatewayRoot}/v3/`);
    this.v2 = Buffer.from(`${gatewayRoot}/v2/`);
  }

  bytes(body: Buffer): Buffer {
    if (body.length === 0) return body;
    // Escaped pod roots become the plain gateway root: both spellings are the same JSON string.
    const out = rewritePodLinks(body, this.podRoot, this.gatewayRoot, this.gatewayRoot);
    return this.api === 'v2' ? replaceAllBytes(out, this.v3, this.v2) : out;
  }

  text(body: string): string {
    return this.bytes(Buffer.from(body, 'utf8')).toString('utf8');
  }
}

/** A pod's answer relayed as is, links rewritten. */
export function relayRaw(res: RawResponse, links: LinkRewriter): Relay {
  return { status: res.status, headers: relayedHeaders(res.headers), body: res.body.length > 0 ? links.bytes(res.body) : undefined };
}

/** Parses a pod's JSON body, or undefined when it is not JSON. */
export function parseJson(body: Buffer | string): unknown {
  try {
    return JSON.parse(typeof body === 'string' ? body : body.toString('utf8'));
  } catch {
    return undefined;
  }
}
