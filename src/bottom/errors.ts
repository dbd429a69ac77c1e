import { ApiError } from '../common/index.js';
import type { ServiceType } from '../identity/index.js';
import type { ResponseHeaders } from './types.js';

/**
 * A pod answered with an HTTP error. `status`, `message` and (for Neutron) `type` are the pod's own,
 * so a gateway that lets this error through relays the upstream fault unchanged.
 */
export class BottomError extends ApiError {
  constructor(
    readonly region: string,
    readonly serviceType: ServiceType,
    status: number,
    message: string,
    type: string | undefined,
    /** The pod's error body, parsed when it was JSON. */
    readonly body: unknown,
    readonly headers: ResponseHeaders = {},
  ) {
    super(status, message, type);
    this.name = 'BottomError';
  }

  /** Builds the error from a pod response body (Nova/Cinder, Neutron, Glance or Keystone fault shapes). */
  static fromResponse(region: string, serviceType: ServiceType, status: number, raw: Buffer, headers: ResponseHeaders = {}): BottomError {
    const body = parseJson(raw);
    const fault = faultOf(body);
    const message = fault.message ?? (body === undefined ? plainText(raw) : '');
    return new BottomError(region, serviceType, status, message || `Pod ${region} ${serviceType} answered HTTP ${status}.`, fault.type, body, headers);
  }
}

/** A pod could not be reached: connection refused or reset, or no answer within the deadline. */
export class PodUnreachableError extends ApiError {
  constructor(
    readonly region: string,
    readonly serviceType: ServiceType,
    /** 'timeout', or the transport error code (ECONNREFUSED, ECONNRESET, UND_ERR_SOCKET, ...). */
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(
      503,
      reason === 'timeout' ? `Pod ${region} did not answer the ${serviceType} request in time.` : `Pod ${region} ${serviceType} service is unreachable (${reason}).`,
      'HTTPServiceUnavailable',
    );
    this.name = 'PodUnreachableError';
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}

export function isBottomNotFound(err: unknown): boolean {
  return err instanceof BottomError && err.status === 404;
}

function parseJson(raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** Text of a non-JSON error page, tags stripped and bounded. */
function plainText(raw: Buffer): string {
  return raw
    .toString('utf8', 0, Math.min(raw.length, 2048))
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

function faultOf(body: unknown): { message?: string; type?: string } {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return {};
  const record = body as Record<string, unknown>;
  const neutron = record.NeutronError;
  if (neutron && typeof neutron === 'object') {
    const n = neutron as Record<string, unknown>;
    return { message: str(n.message), type: str(n.type) };
  }
  if (typeof record.message === 'string') return { message: record.message };
  // Nova/Cinder `{"itemNotFound": {"message": ..., "code": 404}}` and Keystone `{"error": {...}}`.
  const keys = Object.keys(record);
  if (keys.length === 1) {
    const inner = record[keys[0]];
    if (inner && typeof inner === 'object') return { message: str((inner as Record<string, unknown>).message) };
  }
  return {};
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
