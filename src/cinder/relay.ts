import type { RawResponse, ResponseHeaders } from '../bottom/index.js';
import type { ApiPrefix } from './microversion.js';

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

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Points the links of a pod's answer at the gateway: every occurrence of the pod's service root
 * (followed by `/`, `"` or `?`, so :1234 never matches inside :12345), also in its `\/`-escaped JSON
 * form, becomes `gatewayRoot`; `/v3/` links become `/v2/` for a client that called /v2.
 */
export class LinkRewriter {
  private readonly pattern: RegExp | undefined;

  constructor(
    podEndpoint: string,
    private readonly gatewayRoot: string,
    private readonly api: ApiPrefix,
  ) {
    const root = serviceRoot(podEndpoint);
    if (root === '' || root === gatewayRoot) {
      this.pattern = undefined;
    } else {
      const plain = escapeRegExp(root);
      const escaped = escapeRegExp(root.replace(/\//g, '\\/'));
      this.pattern = new RegExp(`(?:${plain}|${escaped})(?=[/"?]|\\\\/)`, 'g');
    }
  }

  text(body: string): string {
    let out = this.pattern ? body.replace(this.pattern, this.gatewayRoot) : body;
    if (this.api === 'v2') out = out.split(`${this.gatewayRoot}/v3/`).join(`${this.gatewayRoot}/v2/`);
    return out;
  }

  bytes(body: Buffer): Buffer {
    if (body.length === 0) return body;
    const text = body.toString('utf8');
    const out = this.text(text);
    return out === text ? body : Buffer.from(out, 'utf8');
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
