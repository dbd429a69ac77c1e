/**
 * Neutron's default policy for the top networking service, in code: admins act on everything; others
 * on what their project owns, and see shared and external networks. Refusals read as oslo.policy's.
 */
import { policyNotAuthorized } from './errors.js';
import type { Caller } from './securityGroupLookup.js';

export type { Caller };

export const owns = (caller: Caller, projectId: string): boolean => caller.isAdmin || caller.projectId === projectId;

/** 403 unless the caller is admin, naming the action and the admin-only attributes it sets. */
export function requireAdminForAttributes(caller: Caller, action: string, attributes: string[]): void {
  if (caller.isAdmin || attributes.length === 0) return;
  throw policyNotAuthorized([action, ...attributes.map((a) => `${action}:${a}`)]);
}

/** 403 unless the caller owns the resource (or is admin). Use once the resource is known to be visible. */
export function requireOwner(caller: Caller, projectId: string, action: string): void {
  if (!owns(caller, projectId)) throw policyNotAuthorized([action]);
}
