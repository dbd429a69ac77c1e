import { ApiError } from '../common/index.js';

/** The caller may not perform the action (HTTP 403). */
export class PolicyNotAuthorized extends ApiError {
  constructor(
    readonly rule: string,
    reason?: string,
  ) {
    super(403, `Policy doesn't allow ${rule} to be performed${reason ? ` (${reason})` : ''}.`, 'PolicyNotAuthorized');
    this.name = 'PolicyNotAuthorized';
  }
}

/** The policy file or an overriding rule cannot be used; raised at start-up (or on reload). */
export class PolicyConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PolicyConfigError';
  }
}
