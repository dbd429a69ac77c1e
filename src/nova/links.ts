import type { GatewayLinks } from '../gateway/index.js';

/**
 * Links in pod answers point at the pod; clients must only ever see the gateway. Pass-through bodies
 * are fixed at the byte level (no JSON parse): the pod's compute root becomes the gateway's public
 * URL (the kit's rewritePodLinks), and a few known string fields are overwritten in place.
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
