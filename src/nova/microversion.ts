import { badRequest } from '../common/errors.js';

/** A compute API microversion, `2.N`. */
export class ApiVersion {
  private constructor(
    readonly major: number,
    readonly minor: number,
  ) {}

  static parse(text: string): ApiVersion | undefined {
    const m = /^([1-9]\d*)\.(0|[1-9]\d*)$/.exec(text.trim());
    return m ? new ApiVersion(Number(m[1]), Number(m[2])) : undefined;
  }

  /** For constants known to be well formed. */
  static of(text: string): ApiVersion {
    const v = ApiVersion.parse(text);
    if (!v) throw new Error(`bad microversion constant ${text}`);
    return v;
  }

  compare(other: ApiVersion | string): number {
    const o = typeof other === 'string' ? ApiVersion.of(other) : other;
    return this.major - o.major || this.minor - o.minor;
  }

  ge(other: ApiVersion | string): boolean {
    return this.compare(other) >= 0;
  }

  lt(other: ApiVersion | string): boolean {
    return this.compare(other) < 0;
  }

  toString(): string {
    return `${this.major}.${this.minor}`;
  }
}

export const MIN_VERSION = ApiVersion.of('2.1');
/**
 * The newest microversion the gateway itself implements (what it owns: flavors, key pairs, aggregates,
 * limits, quota sets, server create and lists). The advertised maximum is the lowest of this and every
 * pod's maximum, so a request never asks a pod for a version it does not speak.
 */
export const GATEWAY_MAX_VERSION = ApiVersion.of('2.93');

export interface VersionRange {
  min: ApiVersion;
  max: ApiVersion;
}

/** A request's microversion could not be honoured: Nova answers 406 with a computeFault body. */
export class VersionNotAcceptable extends Error {
  readonly status = 406;
}

type HeaderValue = string | string[] | undefined;

const lastValue = (v: HeaderValue): string | undefined => (Array.isArray(v) ? v[v.length - 1] : v);

/**
 * The version a request asks for: `OpenStack-API-Version: compute X.Y` (preferred) or the legacy
 * `X-OpenStack-Nova-API-Version: X.Y`; none gives the minimum, `latest` the maximum. A malformed
 * value is a 400; one outside the range a 406, as upstream.
 */
export function negotiateVersion(headers: Record<string, HeaderValue>, range: VersionRange): ApiVersion {
  const requested = requestedVersion(headers);
  if (requested === undefined) return range.min;
  if (requested.toLowerCase() === 'latest') return range.max;
  const v = ApiVersion.parse(requested);
  if (!v) throw badRequest(`API Version String ${requested} is of invalid format. Must be of format MajorNum.MinorNum.`);
  if (v.lt(range.min) || v.compare(range.max) > 0) {
    throw new VersionNotAcceptable(`Version ${v} is not supported by the API. Minimum is ${range.min} and maximum is ${range.max}.`);
  }
  return v;
}

function requestedVersion(headers: Record<string, HeaderValue>): string | undefined {
  const modern = headers['openstack-api-version'];
  if (modern !== undefined) {
    // A list of "service version" pairs, possibly over several headers; only `compute` concerns us.
    const entries = (Array.isArray(modern) ? modern : [modern]).flatMap((h) => h.split(','));
    let found: string | undefined;
    for (const entry of entries) {
      const [service, ...rest] = entry.trim().split(/\s+/);
      if (service?.toLowerCase() === 'compute' && rest.length > 0) found = rest.join(' ');
    }
    if (found !== undefined) return found;
  }
  const legacy = lastValue(headers['x-openstack-nova-api-version']);
  return legacy !== undefined && legacy.trim() !== '' ? legacy.trim() : undefined;
}

/** The headers every versioned response carries. */
export function versionHeaders(v: ApiVersion): Record<string, string> {
  return {
    'openstack-api-version': `compute ${v}`,
    'x-openstack-nova-api-version': v.toString(),
    vary: 'OpenStack-API-Version, X-OpenStack-Nova-API-Version',
  };
}
