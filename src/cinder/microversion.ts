import { ApiError, badRequest } from '../common/errors.js';

/** Microversions the gateway accepts on /v3 (Zed's Cinder range); pods receive the caller's choice. */
export const MIN_VERSION = '3.0';
export const MAX_VERSION = '3.70';

export type ApiPrefix = 'v3' | 'v2';

/** A Cinder microversion, `major.minor`. */
export class Microversion {
  constructor(
    readonly major: number,
    readonly minor: number,
  ) {}

  static parse(text: string): Microversion {
    const m = /^([1-9]\d*)\.(0|[1-9]\d*)$/.exec(text.trim());
    if (!m) throw badRequest(`API Version String ${text.trim()} is of invalid format. Must be of format MajorNum.MinorNum.`);
    return new Microversion(Number(m[1]), Number(m[2]));
  }

  compare(other: Microversion | string): number {
    const o = typeof other === 'string' ? Microversion.parse(other) : other;
    return this.major - o.major || this.minor - o.minor;
  }

  ge(other: string): boolean {
    return this.compare(other) >= 0;
  }

  toString(): string {
    return `${this.major}.${this.minor}`;
  }
}

const MIN = Microversion.parse(MIN_VERSION);
const MAX = Microversion.parse(MAX_VERSION);

/** The `volume` entry of an OpenStack-API-Version header (which may name several services), if any. */
export function requestedVolumeVersion(header: string | string[] | undefined): string | undefined {
  const values = Array.isArray(header) ? header : header === undefined ? [] : [header];
  for (const value of values) {
    for (const part of value.split(',')) {
      const [service, version] = part.trim().split(/\s+/, 2);
      if (service?.toLowerCase() === 'volume' && version) return version;
    }
  }
  return undefined;
}

/**
 * The microversion of a /v3 request: 3.0 when none is asked, the maximum for `latest`; 400 for a
 * malformed version and 406 for one outside the supported range, with Cinder's messages.
 */
export function negotiate(header: string | string[] | undefined): Microversion {
  const asked = requestedVolumeVersion(header);
  if (asked === undefined) return MIN;
  if (asked.toLowerCase() === 'latest') return MAX;
  const version = Microversion.parse(asked);
  if (version.compare(MIN) < 0 || version.compare(MAX) > 0) {
    throw new ApiError(406, `Version ${version} is not supported by the API. Minimum is ${MIN_VERSION} and maximum is ${MAX_VERSION}.`);
  }
  return version;
}

/** /v2 requests speak what /v3 speaks at 3.0. */
export const V2_EQUIVALENT = MIN;
