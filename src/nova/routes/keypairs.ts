import type { FastifyRequest } from 'fastify';
import type { NovaRouter } from '../http.js';
import type { KeypairService } from '../keypairs/service.js';

const p = (req: FastifyRequest) => req.params as Record<string, string>;

/** `/os-keypairs`: top-owned, per user. */
export function keypairRoutes(r: NovaRouter, keypairs: KeypairService, maxLimit: number): void {
  r.get('/os-keypairs', (call) => keypairs.list(call, maxLimit));
  r.post('/os-keypairs', async (call, req, reply) => {
    const { keypair, privateKey } = await keypairs.create(call, req.body);
    const body: Record<string, unknown> = { ...keypairs.brief(call, keypair), user_id: keypair.userId };
    if (privateKey !== undefined) body.private_key = privateKey;
    return reply.code(call.version.ge('2.2') ? 201 : 200).send({ keypair: body });
  });
  r.get('/os-keypairs/:keypair_name', async (call, req) => ({ keypair: keypairs.full(call, await keypairs.get(call, p(req).keypair_name)) }));
  r.delete('/os-keypairs/:keypair_name', async (call, req, reply) => {
    await keypairs.delete(call, p(req).keypair_name);
    return reply.code(call.version.ge('2.2') ? 204 : 202).send();
  });
}
