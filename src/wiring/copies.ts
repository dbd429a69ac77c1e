/** Deleting the pods' copies of top networks, subnets and ports. */
import type { PodClientFactory } from '../bottom/index.js';
import { isBottomNotFound } from '../bottom/index.js';
import type { BottomNetworkDeleter } from '../network/index.js';

/** The deleter over the pods' Neutron clients, with the service account (copies may be provider networks). */
export function neutronCopyDeleter(factory: Pick<PodClientFactory, 'neutron'>): BottomNetworkDeleter {
  return {
    async deleteCopy(pod, kind, bottomId, ctx) {
      const neutron = factory.neutron(pod);
      try {
        if (kind === 'port') await neutron.deletePort(ctx, bottomId, { asAdmin: true });
        else if (kind === 'subnet') await neutron.deleteSubnet(ctx, bottomId, { asAdmin: true });
        else await neutron.deleteNetwork(ctx, bottomId, { asAdmin: true });
      } catch (err) {
        if (!isBottomNotFound(err)) throw err;
      }
    },
  };
}
