/**
 * Links in pod answers point at the pod; clients must only ever see the gateway. Pass-through bodies
 * are fixed at the byte level (no JSON parse): every occurrence of the pod's compute root URL is
 * replaced by the gateway's public URL, and a few known string fields are overwritten in place.
 */

const rootCache = new Map<string, string>();

/**
 * The root of a pod's compute service for a versioned endpoint URL: `http://h:8774/v2.1/<project>`
 * gives `http://h:8774` (Nova's bookmark links hang off that root too).
 */
export function computeRoot(versionedUrl: string): string {
  let root = rootCache.get(versionedUrl);
  if (root === undefined) {
    const trimmed = versionedUrl.replace(/\/+$/, '');
    const m = /^(.*?)\/v2(?:\.\d+)?(?:\/.*)?$/.exec(trimmed);
    root = m ? m[1] : trimmed;
    if (rootCache.size > 1000) rootCache.clear();
    rootCache.set(versionedUrl, root);
  }
  return root;
}

/**
 * Every occurrence of `from` in `buf` replaced by `to`; `buf` itself when there is none. With
 * `wholeUrl`, a match must not continue with a character that would extend the host or port
 * (`http://h:877` must not match inside `http://h:8774`).
 */
export function replaceAllBytes(buf: Buffer, from: Buffer, to: Buffer, wholeUrl = false): Buffer {
  if (from.length === 0) return buf;
  let at = buf.indexOf(from);
  if (at < 0) return buf;
  const parts: Buffer[] = [];
  let start = 0;
  while (at >= 0) {
    const next = buf[at + from.length];
    if (!wholeUrl || next === undefined || !isUrlContinuation(next)) {
      parts.push(buf.subarray(start, at), to);
      start = at + from.length;
    }
    at = buf.indexOf(from, at + from.length);
  }
  if (parts.length === 0) return buf;
  parts.push(buf.subarray(start));
  return Buffer.concat(parts);
}

/** Letters, digits, '.', '-', ':' and '_' continue a host or port. */
function isUrlContinuation(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x2e || c === 0x2d || c === 0x3a || c === 0x5f;
}

/** Pod URLs in `buf` (plain and with JSON-escaped slashes) rewritten to the gateway's. */
export function rewritePodLinks(buf: Buffer, podRoot: string, gatewayRoot: string): Buffer {
  if (podRoot === gatewayRoot || buf.length === 0) return buf;
  let out = replaceAllBytes(buf, Buffer.from(podRoot), Buffer.from(gatewayRoot), true);
  const escaped = podRoot.replace(/\//g, '\\/');
  if (escaped !== podRoot) out = replaceAllBytes(out, Buffer.from(escaped), Buffer.from(gatewayRoot.replace(/\//g, '\\/')), true);
  return out;
}

/** A pod URL (e.g. a Location header) rewritten to the gateway's. */
export function rewritePodUrl(url: string, podRoot: string, gatewayRoot: string): string {
  if (!url.startsWith(podRoot)) return url;
  const next = url.charCodeAt(podRoot.length);
  return Number.isNaN(next) || !isUrlContinuation(next) ? gatewayRoot + url.slice(podRoot.length) : url;
}

const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;

/**
 * Sets every string value of the JSON member `key` in `buf` to `value`, whatever the spacing around
 * the colon, without parsing the document. Members whose value is not a string are left alone.
 */
export function replaceJsonStringMember(buf: Buffer, key: string, value: string): Buffer {
  const needle = Buffer.from(JSON.stringify(key));
  const replacement = Buffer.from(JSON.stringify(value));
  let at = buf.indexOf(needle);
  if (at < 0) return buf;
  const parts: Buffer[] = [];
  let start = 0;
  while (at >= 0) {
    let i = at + needle.length;
    while (i < buf.length && isSpace(buf[i])) i++;
    if (buf[i] !== 0x3a /* : */) {
      at = buf.indexOf(needle, at + needle.length);
      continue;
    }
    i++;
    while (i < buf.length && isSpace(buf[i])) i++;
    if (buf[i] !== 0x22 /* " */) {
      at = buf.indexOf(needle, i);
      continue;
    }
    let end = i + 1;
    while (end < buf.length && buf[end] !== 0x22) end += buf[end] === 0x5c /* \ */ ? 2 : 1;
    parts.push(buf.subarray(start, i), replacement);
    start = end + 1;
    at = buf.indexOf(needle, start);
  }
  if (parts.length === 0) return buf;
  parts.push(buf.subarray(start));
  return Buffer.concat(parts);
}

/** Links the gateway writes itself. */
export interface GatewayLinks {
  /** `<public>/v2.1[/<project>]` as the client addressed it. */
  versioned: string;
  /** `<public>[/<project>]` (Nova's bookmark base). */
  bookmark: string;
}

export function linkPair(links: GatewayLinks, collection: string, id: string): { href: string; rel: string }[] {
  const path = `${collection}/${encodeURIComponent(id)}`;
  return [
    { href: `${links.versioned}/${path}`, rel: 'self' },
    { href: `${links.bookmark}/${path}`, rel: 'bookmark' },
  ];
}

/** A `next` link for a list: the request's own query with `marker` replaced. */
export function nextLink(base: string, rawQuery: string, marker: string): string {
  const params = new URLSearchParams(rawQuery);
  params.delete('marker');
  params.append('marker', marker);
  return `${base}?${params.toString()}`;
}
