import { ApiError } from '../common/index.js';

/** The caller's credentials are missing, invalid or expired (HTTP 401). */
export class UnauthorizedError extends ApiError {
  constructor(message = 'The request you have made requires authentication.') {
    super(401, message, 'HTTPUnauthorized');
    this.name = 'UnauthorizedError';
  }
}

/** The caller is known but may not do this (HTTP 403). */
export class ForbiddenError extends ApiError {
  constructor(message = 'You are not authorized to perform the requested action.') {
    super(403, message, 'HTTPForbidden');
    this.name = 'ForbiddenError';
  }
}

/** Keystone could not be reached or answered with a server error (HTTP 503). */
export class IdentityUnavailableError extends ApiError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(503, message, 'HTTPServiceUnavailable');
    this.name = 'IdentityUnavailableError';
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}

/** No URL is known for a pod's service, even after reading the Keystone catalog (HTTP 503). */
export class EndpointNotFoundError extends ApiError {
  constructor(
    readonly podId: string,
    readonly serviceType: string,
    message = `No ${serviceType} endpoint is known for pod ${podId}.`,
  ) {
    super(503, message, 'EndpointNotFound');
    this.name = 'EndpointNotFoundError';
  }
}
