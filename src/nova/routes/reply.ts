import type { FastifyReply } from 'fastify';
import type { Relayed } from '../forward.js';

/** Sends a pod answer the services made fit for the client. */
export function sendRelayed(reply: FastifyReply, r: Relayed): FastifyReply {
  reply.code(r.status);
  for (const [k, v] of Object.entries(r.headers)) reply.header(k, v);
  if (r.body.length === 0 || r.status === 204) return reply.send();
  if (!r.headers['content-type']) reply.type('application/json');
  return reply.send(r.body);
}

/** The header naming the pods a cross-pod answer is missing. */
export const UNAVAILABLE_PODS_HEADER = 'x-tricircle-unavailable-pods';
