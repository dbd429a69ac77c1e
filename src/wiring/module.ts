import type { BottomCallContext } from '../bottom/index.js';
import type { Logger } from '../common/index.js';
import { formatCidr, type NetworkPodSide, type TopNetworkState } from '../network/index.js';
import type { IntentFinder } from '../routing/index.js';
import type { CoreServices } from '../services.js';
import type { JobHandlers, PeriodicTask } from '../xjob/index.js';
import { neutronCopyDeleter } from './copies.js';
import { ExternalNetworks, type ExternalPlacement } from './external/index.js';
import { l3JobHandlers, type L3Tools } from './l3/index.js';
import { NetworkPreparer, NicPlanner, PodNetworkBuilder, ServerPortReleaser, type NeutronOf, type ServerNetworkPreparer } from './prepare/index.js';
import { reconcileJobHandlers, reconcileProject, startReconcileTimer, type ReconcileDeps, type ReconcileOptions, type ReconcileReport } from './reconcile/index.js';
import { neutronBottomSecurityGroups, SecurityGroupSync } from './securityGroups/index.js';
import { BootSharing, QosCopies, sharingJobHandlers } from './sharing/index.js';

/** The pod-side wiring of a process: what the other modules use of it. */
export interface Wiring {
  /** Server network preparation, for the Nova API gateway. */
  readonly preparer: ServerNetworkPreparer & Required<Pick<ServerNetworkPreparer, 'bindServerNics'>>;
  /** What the top networking service has done in the pods (the root connects it with NetworkModule.connectPodSide). */
  readonly podSide: NetworkPodSide;
  /** The `router_setup`, `fip_setup` and `reconcile` handlers. */
  readonly jobHandlers: JobHandlers;
  /** The pods' copies of top security groups. */
  readonly securityGroups: SecurityGroupSync;
  /** The periodic `reconcile` request, run beside the job workers. */
  readonly periodicReconcile: PeriodicTask;
  /** An external network's copies in its pod, made when missing. */
  ensureExternalNetworkInPod(networkId: string, ctx?: Partial<BottomCallContext>): Promise<ExternalPlacement>;
  /** One reconcile run of a project (what the `reconcile` job does). */
  reconcileProject(projectId: string, opts: ReconcileOptions): Promise<ReconcileReport>;
  /**
   * Hands the reconciler the intent finders of the resource types other modules own (Nova's servers,
   * Cinder's volumes); the composition root does it once, before any service starts.
   */
  registerIntentFinders(finders: Readonly<Record<string, IntentFinder>>): void;
}

export interface WiringOptions {
  /** Replaces the pods' Neutron clients of the copy builder and the preparer (tests inject failures here). */
  neutronOf?: NeutronOf;
  /** The logger of the copy builder and the preparer. */
  logger?: Logger;
}

/**
 * The composition root of the pod-side wiring: one per process, over the process's shared services
 * and what the top networking service lets it read and change of the top (`top`).
 */
export function createWiring(core: CoreServices, top: TopNetworkState, opts: WiringOptions = {}): Wiring {
  const logger = opts.logger ?? core.logger;
  const podNeutron: NeutronOf = opts.neutronOf ?? ((pod) => core.podClients.neutron(pod));
  const lock = core.routingLock;
  const securityGroups = new SecurityGroupSync({
    routes: core.routings,
    pods: core.pods,
    groups: top.securityGroups,
    subnets: top.subnetCidrs,
    bottom: neutronBottomSecurityGroups((pod) => core.podClients.neutron(pod)),
    lock,
    excludedCidrs: [formatCidr(top.settings.bridgeCidr)],
    logger: core.logger,
  });
  // One copy builder for the boot path, the L3 jobs and the external networks, so an object is never copied twice.
  const builder = new PodNetworkBuilder({ lock, routings: core.routings, neutronOf: podNeutron, reserved: top.reservedPorts, logger });
  const external = new ExternalNetworks({ top, pods: core.pods, builder });
  const qos = new QosCopies({ lock, sharing: top.sharing, neutronOf: (pod) => core.podClients.neutron(pod), logger });
  const preparer = new NetworkPreparer({
    top,
    routings: core.routings,
    lock,
    neutronOf: podNeutron,
    sync: securityGroups,
    planner: new NicPlanner({ top, routings: core.routings }),
    builder,
    releaser: new ServerPortReleaser({ top, logger }),
    logger,
    followUps: (networkIds, portIds) => top.l3FollowUps.request({ networkIds, portIds }),
    sharing: new BootSharing(qos, (pod) => core.podClients.neutron(pod)),
  });
  const l3: L3Tools = {
    top,
    db: core.db,
    pods: core.pods,
    routings: core.routings,
    lock,
    logger: core.logger.child({ component: 'l3' }),
    builder,
    external,
    neutron: (pod) => core.podClients.neutron(pod),
  };
  const intentFinders: Record<string, IntentFinder> = {};
  const reconcile: ReconcileDeps = { core, top, external, intentFinders };
  return {
    preparer,
    podSide: {
      copies: neutronCopyDeleter(core.podClients),
      externalNetworks: { placeInPod: async (networkId, ctx) => void (await external.ensureInPod(networkId, ctx)) },
      networks: {
        copyIntoPod: async (networkId, podId, ctx) => {
          const pod = await core.pods.find(podId);
          const target = (await top.networks.withSubnets([networkId])).get(networkId);
          if (pod && target) await builder.ensure(ctx, pod, target.network, target.subnets);
        },
      },
      securityGroups,
    },
    jobHandlers: {
      ...l3JobHandlers(l3),
      ...reconcileJobHandlers(reconcile),
      ...sharingJobHandlers(
        { top, pods: core.pods, routings: core.routings, neutron: (pod) => core.podClients.neutron(pod), qos, logger },
        { top, pods: core.pods, routings: core.routings, lock, builder, groups: securityGroups, neutron: (pod) => core.podClients.neutron(pod), logger },
      ),
    },
    securityGroups,
    periodicReconcile: () => startReconcileTimer(core),
    ensureExternalNetworkInPod: (networkId, ctx) => external.ensureInPod(networkId, ctx),
    reconcileProject: (projectId, o) => reconcileProject(reconcile, projectId, o),
    registerIntentFinders: (finders) => void Object.assign(intentFinders, finders),
  };
}
