import type { GatewayCall } from '../gateway/index.js';

/** One client request to the gateway, as the service layer sees it (no Fastify in here). */
export type CinderCall<Body = unknown, Params = Record<string, string>> = GatewayCall<Body, Params>;

/** What pods are asked to speak: the negotiated version on /v3, none (3.0) on /v2. */
export function podVersion(call: CinderCall): string | undefined {
  return call.negotiated ? call.version.toString() : undefined;
}

/** The query parameters of a request, repeated keys kept. */
export function queryOf(call: CinderCall): URLSearchParams {
  return new URLSearchParams(call.rawQuery);
}
