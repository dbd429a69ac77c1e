/**
 * External networks live in exactly one pod: the region their single availability-zone hint names
 * (checkAzHints settles it when the network is created). Their copy in that pod, and the copies of
 * their subnets, are made as soon as they exist at the top, so router gateways and floating IPs find
 * them there. Copies are made through the routing lock by the same builder the server boot path
 * uses, so the two can never make two copies of one object, and every step can be run again.
 */
import { randomUUID } from 'node:crypto';
import type { BottomCallContext } from '../../bottom/index.js';
import { ApiError } from '../../common/errors.js';
import { BottomError, PodUnreachableError } from '../../bottom/index.js';
import type { Pod } from '../../pods/index.js';
import type { CoreServices } from '../../services.js';
import { neutronCopyDeleter } from '../../network/bottomCopies.js';
import type { NetworkDeps } from '../../network/deps.js';
import { toNetwork, type Network } from '../../network/networks/model.js';
import { NetworkService } from '../../network/networks/service.js';
import { PortService } from '../../network/ports/service.js';
import { PodNetworkBuilder, type PodNetwork } from '../prepare/podNetwork.js';
import { TopReservedPorts } from '../prepare/topPorts.js';
import { tableSecurityGroupLookup } from '../../network/securityGroupLookup.js';
import { loadNetworkSettings } from '../../network/settings.js';
import { toSubnet, type Subnet } from '../../network/subnets/model.js';

/** Where an external network's copy is: the pod, the copy's id, and its subnets' copies (top id → bottom id). */
export interface ExternalPlacement extends PodNetwork {
  network: Network;
}

/** The external network `id` is not (or no longer) at the top, or is not external. */
export class NotAnExternalNetwork extends ApiError {
  constructor(id: string, why: string) {
    super(404, `External network ${id} ${why}.`, 'ExternalNetworkNotFound');
    this.name = 'NotAnExternalNetwork';
  }
}

const builders = new WeakMap<CoreServices, PodNetworkBuilder>();

/** One builder per process (its parts only hold the shared services). */
function builderOf(core: CoreServices): PodNetworkBuilder {
  let builder = builders.get(core);
  if (builder) return builder;
  const deps: NetworkDeps = {
    db: core.db,
    pods: core.pods,
    routings: core.routings,
    settings: loadNetworkSettings(core.config),
    logger: core.logger,
    bottom: neutronCopyDeleter(core.podClients),
    core,
    publicUrl: () => '',
  };
  const networks = new NetworkService(deps);
  const ports = new PortService(deps, networks, tableSecurityGroupLookup(core.db));
  builder = new PodNetworkBuilder({
    lock: core.routingLock,
    routings: core.routings,
    neutronOf: (pod) => core.podClients.neutron(pod),
    reserved: new TopReservedPorts(core.db, ports),
    logger: core.logger,
  });
  builders.set(core, builder);
  return builder;
}

/** A call context for work done with the service account on behalf of no particular request. */
export function serviceCallContext(ctx?: Partial<BottomCallContext>): BottomCallContext {
  return {
    requestId: ctx?.requestId ?? `req-${randomUUID()}`,
    ...(ctx?.globalRequestId !== undefined ? { globalRequestId: ctx.globalRequestId } : {}),
  };
}

/** The top row of an external network, or undefined when it is gone or not external. */
export async function readExternalNetwork(core: Pick<CoreServices, 'db'>, networkId: string): Promise<Network | undefined> {
  const row = await core.db.kysely.selectFrom('networks').selectAll().where('id', '=', networkId).executeTakeFirst();
  if (!row) return undefined;
  const network = toNetwork(row);
  return network.external ? network : undefined;
}

/** The pod that hosts an external network: the region its hint names. */
export async function externalPodOf(core: Pick<CoreServices, 'pods'>, network: Pick<Network, 'id' | 'azHints'>): Promise<Pod> {
  const region = network.azHints[0];
  const pod = region === undefined ? undefined : await core.pods.findByRegion(region);
  if (!pod) throw new NotAnExternalNetwork(network.id, region === undefined ? 'names no pod' : `names pod ${region}, which is not registered`);
  return pod;
}

/**
 * Makes sure the external network `topNetId` and all its subnets have their copies in the network's
 * pod (service account), and returns where they are. Idempotent and safe to call concurrently: each
 * copy is made once through the routing lock, and a copy a crashed attempt left is adopted by name.
 * Throws NotAnExternalNetwork (404) when the network is gone or not external, and the pod's error when
 * the pod refuses or cannot be reached.
 */
export async function ensureExternalNetworkInPod(core: CoreServices, topNetId: string, ctx?: Partial<BottomCallContext>): Promise<ExternalPlacement> {
  const network = await readExternalNetwork(core, topNetId);
  if (!network) throw new NotAnExternalNetwork(topNetId, 'could not be found');
  const pod = await externalPodOf(core, network);
  const subnets = await subnetsOf(core, network.id);
  const placed = await builderOf(core).ensure(serviceCallContext(ctx), pod, network, subnets);
  return { ...placed, network };
}

async function subnetsOf(core: Pick<CoreServices, 'db'>, networkId: string): Promise<Subnet[]> {
  const rows = await core.db.kysely.selectFrom('subnets').selectAll().where('network_id', '=', networkId).orderBy('created_at').orderBy('id').execute();
  return rows.map((r) => toSubnet(r, { external: true }));
}

/**
 * The error a request gets when the external network's pod failed: the pod's own 4xx/5xx message
 * under Neutron's type for a failed pod operation, 503 when the pod could not be reached.
 */
export function podFailure(what: string, pod: string | undefined, err: unknown): ApiError {
  if (err instanceof PodUnreachableError) return new ApiError(503, `${what}: ${err.message}`, 'HTTPServiceUnavailable');
  if (err instanceof NotAnExternalNetwork) return err;
  if (err instanceof BottomError) {
    return new ApiError(500, `${what} failed in pod ${err.region}: ${err.message}`, 'BottomPodOperationFailure');
  }
  if (err instanceof ApiError) return err;
  return new ApiError(500, `${what} failed${pod ? ` in pod ${pod}` : ''}: ${err instanceof Error ? err.message : String(err)}`, 'BottomPodOperationFailure');
}
