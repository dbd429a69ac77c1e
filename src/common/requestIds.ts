import { randomUUID } from 'node:crypto';

const REQUEST_ID = /^req-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function newRequestId(): string {
  return `req-${randomUUID()}`;
}

/** An inbound x-openstack-request-id is kept as the global request id only when it is well formed. */
export function acceptGlobalRequestId(value: unknown): string | undefined {
  return typeof value === 'string' && REQUEST_ID.test(value) ? value : undefined;
}
