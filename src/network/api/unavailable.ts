import type { FastifyInstance } from 'fastify';

/** The header that names the pods a cross-pod answer left out, as the Nova and Cinder gateways send it. */
export const UNAVAILABLE_PODS_HEADER = 'x-tricircle-unavailable-pods';

const leftOut = new WeakMap<object, Set<string>>();

/** Records that the request (its context object) was answered without `region`'s part. */
export function reportUnavailablePod(ctx: object, region: string): void {
  const set = leftOut.get(ctx) ?? new Set<string>();
  set.add(region);
  leftOut.set(ctx, set);
}

/** Adds the header to every answer whose request left pods out. */
export function unavailablePodsHook(app: FastifyInstance): void {
  app.addHook('onSend', async (req, reply, payload) => {
    const ctx = (req as { context?: object }).context;
    const regions = ctx ? leftOut.get(ctx) : undefined;
    if (regions && regions.size > 0) reply.header(UNAVAILABLE_PODS_HEADER, [...regions].sort().join(', '));
    return payload;
  });
}
