import { randomBytes, randomUUID } from 'node:crypto';

/** A Keystone-style id: a uuid4 in hex without dashes. */
export function hexId(): string {
  return randomUUID().replace(/-/g, '');
}

/** ISO 8601 UTC with microseconds, as Keystone writes timestamps ("2015-11-07T02:58:43.578887Z"). */
export function isoMicro(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** ISO 8601 UTC without fractional seconds, as Glance and Nova write timestamps. */
export function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Unpadded url-safe base64 of random bytes. */
export function randomUrlSafe(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}
