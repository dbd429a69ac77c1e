import type { BottomCallContext, PodClientFactory } from '../../bottom/index.js';
import { BottomError, isBottomNotFound } from '../../bottom/index.js';
import { conflict, type Logger, ExpiringLru } from '../../common/index.js';
import type { Pod } from '../../pods/index.js';
import type { TopFlavor } from './model.js';

const KNOWN_MS = 10 * 60_000;

/**
 * Keeps pods' copies of top flavors: the first boot (or resize) that needs a flavor in a pod creates
 * it there with the same id, as the service account, with its extra specs, and grants the booting
 * project access when the flavor is private. The original Tricircle required an operator to create
 * matching flavors in every pod by hand. A pod flavor with the same id but other sizes is refused
 * rather than silently used.
 */
export class FlavorSync {
  private readonly known = new ExpiringLru<true>(10_000);

  constructor(
    private readonly clients: PodClientFactory,
    private readonly logger?: Logger,
  ) {}

  async ensure(ctx: BottomCallContext, pod: Pod, flavor: TopFlavor, projectId: string): Promise<void> {
    const key = `${pod.id}|${flavor.id}|${flavor.updatedAt}|${flavor.isPublic ? '' : projectId}`;
    if (this.known.get(key)) return;
    const nova = this.clients.nova(pod);
    const admin = { asAdmin: true } as const;
    let existing = await nova.getFlavor(ctx, flavor.id, admin).catch((err: unknown) => {
      if (isBottomNotFound(err)) return undefined;
      throw err;
    });
    if (!existing) {
      try {
        existing = await nova.createFlavor(
          ctx,
          {
            name: flavor.name,
            id: flavor.id,
            ram: flavor.ram,
            vcpus: flavor.vcpus,
            disk: flavor.disk,
            'OS-FLV-EXT-DATA:ephemeral': flavor.ephemeral,
            swap: flavor.swap,
            rxtx_factor: flavor.rxtxFactor,
            'os-flavor-access:is_public': flavor.isPublic,
          },
          admin,
        );
        this.logger?.info({ pod: pod.regionName, flavor: flavor.id }, 'flavor copied to pod');
      } catch (err) {
        if (!(err instanceof BottomError && err.status === 409)) throw err;
        // Made meanwhile by another request, or the name is taken by another flavor of the pod.
        existing = await nova.getFlavor(ctx, flavor.id, admin).catch((e: unknown) => {
          if (isBottomNotFound(e)) return undefined;
          throw e;
        });
        if (!existing) throw conflict(`Pod ${pod.regionName} has another flavor named ${flavor.name}; flavor ${flavor.id} cannot be copied there.`);
      }
      if (Object.keys(flavor.extraSpecs).length > 0) {
        await nova.http.json(ctx, 'POST', `/flavors/${encodeURIComponent(flavor.id)}/os-extra_specs`, { ...admin, body: { extra_specs: flavor.extraSpecs } });
      }
    }
    if (Number(existing.ram) !== flavor.ram || Number(existing.vcpus) !== flavor.vcpus || Number(existing.disk) !== flavor.disk) {
      throw conflict(
        `Flavor ${flavor.id} of pod ${pod.regionName} (ram ${existing.ram}, vcpus ${existing.vcpus}, disk ${existing.disk}) differs from the top flavor (ram ${flavor.ram}, vcpus ${flavor.vcpus}, disk ${flavor.disk}).`,
      );
    }
    if (!flavor.isPublic) {
      try {
        await nova.http.json(ctx, 'POST', `/flavors/${encodeURIComponent(flavor.id)}/action`, { ...admin, body: { addTenantAccess: { tenant: projectId } } });
      } catch (err) {
        if (!(err instanceof BottomError && err.status === 409)) throw err;
      }
    }
    this.known.set(key, true, Date.now() + KNOWN_MS);
  }
}
