import { ApiError, badRequest } from '../common/index.js';

/** An OpenStack API microversion, `major.minor` (compared numerically: 2.10 is after 2.9). */
export class Microversion {
  private constructor(
    readonly major: number,
    readonly minor: number,
  ) {}

  /** The version in `text`, or undefined when it is not `MajorNum.MinorNum`. */
  static parse(text: string): Microversion | undefined {
    const m = /^([1-9]\d*)\.(0|[1-9]\d*)$/.exec(text.trim());
    return m ? new Microversion(Number(m[1]), Number(m[2])) : undefined;
  }

  /** For constants known to be well formed. */
  static of(text: string): Microversion {
    const v = Microversion.parse(text);
    if (!v) throw new Error(`bad microversion constant ${text}`);
    return v;
  }

  compare(other: Microversion | string): number {
    const o = typeof other === 'string' ? Microversion.of(other) : other;
    return this.major - o.major || this.minor - o.minor;
  }

  ge(other: Microversion | string): boolean {
    return this.compare(other) >= 0;
  }

  lt(other: Microversion | string): boolean {
    return this.compare(other) < 0;
  }

  toString(): string {
    return `${this.major}.${this.minor}`;
  }
}

export interface VersionRange {
  min: Microversion;
  max: Microversion;
}

/**
 * How one service speaks microversions: the service type named in `OpenStack-API-Version`, an older
 * header of its own, the range it accepts, and how it words a 406.
 */
export interface MicroversionSpec {
  /** `compute` or `volume`: the token of `OpenStack-API-Version: <service> X.Y`. */
  serviceType: string;
  /** A service-specific header read when `OpenStack-API-Version` names no version for the service (Nova's `X-OpenStack-Nova-API-Version`), and echoed. */
  legacyHeader?: string;
  /** The accepted range; may change over time (Nova's is the pods' lowest maximum). */
  range(): VersionRange | Promise<VersionRange>;
  /** The body of a 406; by default the service's ordinary fault body for 406. */
  notAcceptableBody?(message: string): unknown;
}

type HeaderValue = string | string[] | undefined;

/** A requested version outside the range: 406. */
export class MicroversionNotAcceptable extends ApiError {
  constructor(message: string) {
    super(406, message);
    this.name = 'MicroversionNotAcceptable';
  }
}

/**
 * The version a request asks for: the last `<service> X.Y` entry of `OpenStack-API-Version` (the
 * header may name several services, over several lines), else the service's legacy header. None
 * gives the minimum, `latest` the maximum; a malformed value is 400, one outside the range 406.
 */
export function negotiateMicroversion(headers: Record<string, HeaderValue>, spec: Pick<MicroversionSpec, 'serviceType' | 'legacyHeader'>, range: VersionRange): Microversion {
  const requested = requestedMicroversion(headers, spec);
  if (requested === undefined) return range.min;
  if (requested.toLowerCase() === 'latest') return range.max;
  const v = Microversion.parse(requested);
  if (!v) throw badRequest(`API Version String ${requested} is of invalid format. Must be of format MajorNum.MinorNum.`);
  if (v.lt(range.min) || v.compare(range.max) > 0) {
    throw new MicroversionNotAcceptable(`Version ${v} is not supported by the API. Minimum is ${range.min} and maximum is ${range.max}.`);
  }
  return v;
}

/** The raw version text a request names for the service, if any. */
export function requestedMicroversion(headers: Record<string, HeaderValue>, spec: Pick<MicroversionSpec, 'serviceType' | 'legacyHeader'>): string | undefined {
  const modern = headers['openstack-api-version'];
  if (modern !== undefined) {
    let found: string | undefined;
    for (const entry of (Array.isArray(modern) ? modern : [modern]).flatMap((h) => h.split(','))) {
      const [service, ...rest] = entry.trim().split(/\s+/);
      if (service?.toLowerCase() === spec.serviceType && rest.length > 0) found = rest.join(' ');
    }
    if (found !== undefined) return found;
  }
  if (!spec.legacyHeader) return undefined;
  const legacy = headers[spec.legacyHeader.toLowerCase()];
  const value = Array.isArray(legacy) ? legacy[legacy.length - 1] : legacy;
  return value !== undefined && value.trim() !== '' ? value.trim() : undefined;
}

/** The headers every answer of a negotiated call carries. */
export function microversionHeaders(v: Microversion, spec: Pick<MicroversionSpec, 'serviceType' | 'legacyHeader'>): Record<string, string> {
  const headers: Record<string, string> = { 'openstack-api-version': `${spec.serviceType} ${v}` };
  if (spec.legacyHeader) headers[spec.legacyHeader.toLowerCase()] = v.toString();
  headers.vary = spec.legacyHeader ? `OpenStack-API-Version, ${spec.legacyHeader}` : 'OpenStack-API-Version';
  return headers;
}

/** Response headers that belong to the negotiation: an answer relayed from a pod never sets them. */
export function isMicroversionHeader(name: string, spec: Pick<MicroversionSpec, 'legacyHeader'> | undefined): boolean {
  const n = name.toLowerCase();
  return n === 'openstack-api-version' || n === 'vary' || (spec?.legacyHeader !== undefined && n === spec.legacyHeader.toLowerCase());
}
