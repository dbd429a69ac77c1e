import { randomUUID } from 'node:crypto';
import type { BottomCallContext, PodClientFactory } from '../bottom/index.js';
import type { EndpointResolver, PodRef } from '../identity/index.js';
import type { PreflightSettings } from './settings.js';

/** What the checks use; the CLI builds it from the configuration, a service from its core. */
export interface PreflightDeps {
  /** Pod service URLs as Tricircle resolves them (operator override, else the Keystone catalog). */
  endpoints: Pick<EndpointResolver, 'resolve'>;
  /** Calls to pods with the `[client]` service account. */
  clients: PodClientFactory;
  settings: PreflightSettings;
}

/** The pod being checked and its place among the others. */
export interface PodUnderCheck extends PodRef {
  isTop: boolean;
}

/** The top pod (for its Glance and its Neutron's external networks) and how many bottom pods there are. */
export interface TopView {
  top?: PodRef;
  bottomPodCount: number;
}

/** Every pod call of a check is made with the service account under one request id. */
export function checkContext(): BottomCallContext {
  return { requestId: `req-${randomUUID()}` };
}
