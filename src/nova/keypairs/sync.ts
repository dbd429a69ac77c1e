import type { BottomCallContext, PodClientFactory } from '../../bottom/index.js';
import { BottomError, isBottomNotFound } from '../../bottom/index.js';
import { type Logger, ExpiringLru } from '../../common/index.js';
import type { Pod } from '../../pods/index.js';
import type { TopKeypair } from './service.js';

const KNOWN_MS = 10 * 60_000;

/**
 * Copies a user's top key pair to a pod (same name, as the user) before a boot or rebuild there
 * needs it. A pod key pair of that name with another key is replaced: the top is the source of truth.
 */
export class KeypairSync {
  private readonly known = new ExpiringLru<true>(10_000);

  constructor(
    private readonly clients: PodClientFactory,
    private readonly logger?: Logger,
  ) {}

  async ensure(ctx: BottomCallContext, pod: Pod, keypair: TopKeypair): Promise<void> {
    const key = `${pod.id}|${keypair.userId}|${keypair.name}|${keypair.fingerprint}`;
    if (this.known.get(key)) return;
    const nova = this.clients.nova(pod);
    const opts = { microversion: '2.2' };
    const existing = await nova.getKeypair(ctx, keypair.name, opts).catch((err: unknown) => {
      if (isBottomNotFound(err)) return undefined;
      throw err;
    });
    if (existing && existing.fingerprint === keypair.fingerprint) {
      this.known.set(key, true, Date.now() + KNOWN_MS);
      return;
    }
    if (existing) {
      this.logger?.info({ pod: pod.regionName, keypair: keypair.name }, 'replacing a pod key pair that differs from the top one');
      await nova.http.json(ctx, 'DELETE', `/os-keypairs/${encodeURIComponent(keypair.name)}`, opts).catch((err: unknown) => {
        if (!isBottomNotFound(err)) throw err;
      });
    }
    try {
      await nova.createKeypair(ctx, { name: keypair.name, public_key: keypair.publicKey, type: keypair.type }, opts);
    } catch (err) {
      // Copied meanwhile by a concurrent boot of the same user.
      if (!(err instanceof BottomError && err.status === 409)) throw err;
    }
    this.known.set(key, true, Date.now() + KNOWN_MS);
  }
}
