/** An error that maps to an HTTP status and an upstream-shaped fault body. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Neutron-style error type (e.g. NetworkNotFound); other styles ignore it. */
    readonly type?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const badRequest = (message: string, type = 'HTTPBadRequest') => new ApiError(400, message, type);
export const forbidden = (message: string, type = 'HTTPForbidden') => new ApiError(403, message, type);
export const notFound = (message: string, type = 'HTTPNotFound') => new ApiError(404, message, type);
export const conflict = (message: string, type = 'HTTPConflict') => new ApiError(409, message, type);
export const unprocessable = (message: string) => new ApiError(422, message);
export const serviceUnavailable = (message: string) => new ApiError(503, message);

/** How a service writes its error bodies: Nova/Cinder/admin API style, or Neutron style. */
export type FaultStyle = 'compute' | 'neutron';

const COMPUTE_FAULT_NAMES: Record<number, string> = {
  400: 'badRequest',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'itemNotFound',
  405: 'badMethod',
  406: 'notAcceptable',
  409: 'conflictingRequest',
  413: 'overLimit',
  415: 'badMediaType',
  422: 'unprocessableEntity',
  429: 'overLimit',
  501: 'notImplemented',
  503: 'serviceUnavailable',
};

const NEUTRON_DEFAULT_TYPES: Record<number, string> = {
  400: 'HTTPBadRequest',
  401: 'HTTPUnauthorized',
  403: 'HTTPForbidden',
  404: 'HTTPNotFound',
  405: 'HTTPMethodNotAllowed',
  406: 'HTTPNotAcceptable',
  409: 'HTTPConflict',
  413: 'HTTPRequestEntityTooLarge',
  415: 'HTTPUnsupportedMediaType',
  500: 'HTTPInternalServerError',
  503: 'HTTPServiceUnavailable',
};

export function faultBody(style: FaultStyle, status: number, message: string, type?: string): unknown {
  if (style === 'neutron') {
    return { NeutronError: { type: type ?? NEUTRON_DEFAULT_TYPES[status] ?? 'HTTPError', message, detail: '' } };
  }
  return { [COMPUTE_FAULT_NAMES[status] ?? 'computeFault']: { message, code: status } };
}
