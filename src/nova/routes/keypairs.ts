import { answer, ok, type GatewayRouter } from '../../gateway/index.js';
import { KeypairCreate } from '../keypairs/schemas.js';
import type { KeypairService } from '../keypairs/service.js';

/** `/os-keypairs`: top-owned, per user. */
export function keypairRoutes(r: GatewayRouter, keypairs: KeypairService, maxLimit: number): void {
  r.get('/os-keypairs', async (call) => ok(await keypairs.list(call, maxLimit)));
  r.post(
    '/os-keypairs',
    async (call) => {
      const { keypair, privateKey } = await keypairs.create(call);
      const body: Record<string, unknown> = { ...keypairs.brief(call, keypair), user_id: keypair.userId };
      if (privateKey !== undefined) body.private_key = privateKey;
      return answer(call.version.ge('2.2') ? 201 : 200, { keypair: body });
    },
    { body: KeypairCreate },
  );
  r.get('/os-keypairs/:keypair_name', async (call) => ok({ keypair: keypairs.full(call, await keypairs.get(call, call.params.keypair_name)) }));
  r.delete('/os-keypairs/:keypair_name', async (call) => {
    await keypairs.delete(call, call.params.keypair_name);
    return answer(call.version.ge('2.2') ? 204 : 202);
  });
}
