/**
 * Links in pod answers point at the pod; clients must only ever see the gateway. Bodies are fixed
 * at the byte level (no JSON parse): every occurrence of the pod's service root becomes the
 * gateway's root, also in its `\/`-escaped JSON form.
 */

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

const escapeSlashes = (url: string) => url.replace(/\//g, '\\/');

/**
 * Pod URLs in `buf` rewritten to the gateway's: the plain root to `gatewayRoot`, the JSON-escaped
 * root (`http:\/\/pod`) to `escapedTo` (by default the gateway root escaped the same way).
 */
export function rewritePodLinks(buf: Buffer, podRoot: string, gatewayRoot: string, escapedTo = escapeSlashes(gatewayRoot)): Buffer {
  if (podRoot === gatewayRoot || podRoot === '' || buf.length === 0) return buf;
  let out = replaceAllBytes(buf, Buffer.from(podRoot), Buffer.from(gatewayRoot), true);
  const escaped = escapeSlashes(podRoot);
  if (escaped !== podRoot) out = replaceAllBytes(out, Buffer.from(escaped), Buffer.from(escapedTo), true);
  return out;
}

/** A pod URL (e.g. a Location header) rewritten to the gateway's. */
export function rewritePodUrl(url: string, podRoot: string, gatewayRoot: string): string {
  if (!url.startsWith(podRoot)) return url;
  const next = url.charCodeAt(podRoot.length);
  return Number.isNaN(next) || !isUrlContinuation(next) ? gatewayRoot + url.slice(podRoot.length) : url;
}
