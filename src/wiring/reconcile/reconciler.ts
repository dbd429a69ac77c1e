/**
 * The reconciler: compares one project's top intent with the pods and repairs what drifted. It reads
 * the pods first and the top second, so an object it finds in a pod but not at the top really is gone
 * at the top (pod objects are only ever made after their top object). Each step is idempotent; what it
 * cannot do now it reports, and the next run tries again.
 *
 * 0. Stale intents: a gateway that died between a pod's answer to a server or volume create and its
 *    routing write left an intent (docs/routing.md); the finders of Nova and Cinder look in the pod,
 *    and the intent becomes the routes of what the pod made, or is dropped (its ports released).
 * 1. Stale claims: routing rows left without a bottom id for longer than `staleAfterMs` (their creator
 *    died) adopt the copy named by their top id, or are removed with it when the top object is gone;
 *    Cinder's `pending-*` volume placeholders that old are removed.
 * 2. Dangling rows: a copy the pod no longer has loses its routing row, and the object it served is
 *    repaired (external networks at once, routers and floating IPs through their jobs).
 * 3. Orphans: copies of networks, subnets and ports whose top object is gone are deleted from the pod
 *    with their rows; rows of deleted routers and floating IPs get their jobs, which clean up the pods.
 * 4. External networks of the project without their copies in their pod get them.
 * 5. Drift: routers and floating IPs whose pods differ from the top (drift.ts) get `router_setup` /
 *    `fip_setup`, unless such a job is already waiting or running.
 * 6. Bottom floating IPs on an external network's copy whose address has no top floating IP are
 *    deleted (in the run of the external network's project).
 */
import type { BottomCallContext } from '../../bottom/index.js';
import { isBottomNotFound } from '../../bottom/index.js';
import type { Logger } from '../../common/index.js';
import { dbNow } from '../../db/index.js';
import type { Pod } from '../../pods/index.js';
import { repairStaleIntents, type IntentFinder, type IntentRepairReport } from '../../routing/index.js';
import type { CoreServices } from '../../services.js';
import { serviceCallContext, type ExternalNetworks } from '../external/index.js';
import { FIP_SETUP_JOB, parseCidr, ROUTER_SETUP_JOB, type TopNetworkState } from '../../network/index.js';
import { floatingIpDrift, routerDrift } from './drift.js';
import { RouteIndex, type Finding, type PodView, type RouteRow } from './model.js';
import { readPod, type PodNeutron } from './pods.js';
import { isOwnType, isTopId, OWN_TYPES, readExternalNetworks, readFloatingIps, readRouters, readRoutes, type OwnType } from './top.js';

export interface ReconcileOptions {
  /** Requests a repair job; returns its id. */
  submit(request: { type: string; projectId: string; resourceId: string }): Promise<string>;
  /** Routing claims (and volume placeholders) older than this are stale. Default max(60 s, 2 × [client] pod_timeout). */
  staleAfterMs?: number;
  /** Gateways' intents older than this are repaired. Default 2 × [client] pod_timeout (the create call's deadline, twice). */
  intentStaleAfterMs?: number;
  /** Replaces the pods' Neutron clients (tests). */
  neutronOf?: (pod: Pod) => PodNeutron;
  ctx?: Partial<BottomCallContext>;
  logger?: Logger;
  signal?: AbortSignal;
}

export interface ReconcileReport {
  projectId: string;
  findings: Finding[];
  /** Jobs requested: "type resource". */
  jobs: string[];
  /** Pods that could not be read (nothing was judged there). */
  skippedPods: string[];
  errors: string[];
}

/** Neutron's names of the copies a routing row may point at, for lookups by name. */
const LIST_BY_TYPE = { network: 'listNetworks', subnet: 'listSubnets', port: 'listPorts', router: 'listRouters', floatingip: 'listFloatingIps' } as const;

/** What the reconciler works with: the process's shared services, the top's state and the external networks' copies. */
export interface ReconcileDeps {
  core: CoreServices;
  top: TopNetworkState;
  external: ExternalNetworks;
  /** Per resource type, how its owner finds in a pod what a stale intent asked for (Nova: server, Cinder: volume). */
  intentFinders: Readonly<Record<string, IntentFinder>>;
}

/** The default age of a stale intent: the create call's deadline, twice. */
export function intentStaleAfterMs(core: Pick<CoreServices, 'config'>): number {
  return 2 * core.config.client.pod_timeout * 1000;
}

/** Settles the stale intents of a project (of every project when undefined): see repairStaleIntents. */
export async function repairIntents(
  deps: ReconcileDeps,
  projectId: string | undefined,
  opts: Pick<ReconcileOptions, 'intentStaleAfterMs' | 'logger' | 'signal'> = {},
): Promise<IntentRepairReport> {
  return repairStaleIntents(deps.core.routings, deps.intentFinders, {
    olderThanMs: opts.intentStaleAfterMs ?? intentStaleAfterMs(deps.core),
    ...(projectId !== undefined ? { projectId } : {}),
    logger: opts.logger ?? deps.core.logger,
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
}

export async function reconcileProject(deps: ReconcileDeps, projectId: string, opts: ReconcileOptions): Promise<ReconcileReport> {
  const { core, top, external } = deps;
  const report: ReconcileReport = { projectId, findings: [], jobs: [], skippedPods: [], errors: [] };
  const logger = opts.logger ?? core.logger;
  const ctx = serviceCallContext(opts.ctx);
  const neutronOf = opts.neutronOf ?? ((pod: Pod) => core.podClients.neutron(pod));
  const staleAfterMs = opts.staleAfterMs ?? Math.max(60_000, 2 * core.config.client.pod_timeout * 1000);
  const podsById = new Map((await core.pods.list()).map((p) => [p.id, p]));
  const note = (f: Finding) => report.findings.push(f);
  const failed = (what: string, err: unknown) => report.errors.push(`${what}: ${err instanceof Error ? err.message : String(err)}`);
  const requested = new Set<string>();
  const request = async (type: string, id: string, reason: string) => {
    const key = `${type} ${id}`;
    if (requested.has(key)) return;
    requested.add(key);
    note({ repair: type as Finding['repair'], id, reason });
    try {
      await opts.submit({ type, projectId, resourceId: id });
      report.jobs.push(key);
    } catch (err) {
      failed(`request ${type} for ${id}`, err);
    }
  };

  // --- 0. Stale intents ------------------------------------------------------------------------
  try {
    const intents = await repairIntents(deps, projectId, { ...opts, logger });
    for (const r of intents.routed)
      note({ repair: 'removed', id: r.topIds.join(','), reason: `interrupted ${r.resourceType} create (intent ${r.intentId}) routed to what its pod made` });
    for (const d of intents.dropped)
      note({ repair: 'removed', id: String(d.intentId), reason: `interrupted ${d.resourceType} create (intent ${d.intentId}) dropped: its pod made nothing` });
    for (const w of intents.waiting) report.skippedPods.push(`intent ${w.intentId}: ${w.reason}`);
    for (const e of intents.errors) failed('intent follow-up', e);
  } catch (err) {
    failed('repair stale intents', err);
  }
  if (opts.signal?.aborted) return report;

  // --- 1. Stale claims -------------------------------------------------------------------------
  const externals = await readExternalNetworks(top, core.pods);
  const floatingIpsBefore = await readFloatingIps(top, projectId);
  const fixedPorts = floatingIpsBefore.map((f) => f.fixedPortId).filter((p): p is string => p !== null);
  const topIds = [...externals.flatMap((e) => [e.id, ...e.subnetIds]), ...fixedPorts];
  let rows = await readRoutes(core.routings, projectId, topIds);
  const now = await dbClock(core);
  for (const row of rows.filter((r) => r.bottomId === null && r.projectId === projectId && now - r.updatedAt >= staleAfterMs)) {
    if (opts.signal?.aborted) return report;
    try {
      await settleStaleClaim(deps, row, podsById.get(row.podId), neutronOf, ctx, note);
    } catch (err) {
      failed(`stale routing row ${row.id}`, err);
    }
  }
  rows = await readRoutes(core.routings, projectId, topIds);

  // --- read the pods (before the top) ----------------------------------------------------------
  const own = rows.filter((r) => r.bottomId !== null && isOwnType(r.type));
  const extPodOf = new Map(externals.filter((e) => e.pod).map((e) => [e.id, e.pod!.id]));
  const wantedPods = new Set([...own.map((r) => r.podId), ...extPodOf.values()]);
  const views = new Map<string, PodView>();
  await Promise.all(
    [...wantedPods].map(async (podId) => {
      const pod = podsById.get(podId);
      if (!pod) return;
      const inPod = own.filter((r) => r.podId === podId);
      const externalCopies = inPod.filter((r) => r.type === 'network' && extPodOf.get(r.topId) === podId).map((r) => r.bottomId!);
      const fipPorts = inPod.filter((r) => r.type === 'port' && fixedPorts.includes(r.topId)).map((r) => r.bottomId!);
      const view = await readPod(neutronOf(pod), ctx, { pod, rows: inPod, externalCopies, fipPorts });
      if (view.error) report.skippedPods.push(`${pod.regionName}: ${view.error}`);
      views.set(podId, view);
    }),
  );
  if (opts.signal?.aborted) return report;

  // --- the top (after the pods) ----------------------------------------------------------------
  const routers = await readRouters(top, projectId);
  const floatingIps = await readFloatingIps(top, projectId);
  const index = new RouteIndex(rows);
  const exists = new Map<OwnType, Set<string>>();
  for (const type of OWN_TYPES) {
    const ids = [...new Set(own.filter((r) => r.type === type && isTopId(r.topId)).map((r) => r.topId))];
    exists.set(type, await top.existing(type, ids));
  }
  const topExists = (r: RouteRow) => !isTopId(r.topId) || exists.get(r.type as OwnType)!.has(r.topId);
  const routersOnNetwork = (networkId: string) => routers.filter((r) => r.interfaces.some((i) => i.networkId === networkId));
  const networkOfSubnet = new Map<string, string>();
  for (const r of routers) for (const i of r.interfaces) for (const s of i.subnetIds) networkOfSubnet.set(s, i.networkId);
  for (const e of externals) for (const s of e.subnetIds) networkOfSubnet.set(s, e.id);
  const externalIds = new Set(externals.map((e) => e.id));
  const repairExternal = new Set<string>();

  // --- 2. Dangling rows --------------------------------------------------------------------------
  for (const row of own) {
    const view = views.get(row.podId);
    if (!view || view.error || !view.missing.get(row.type)?.has(row.bottomId!)) continue;
    const where = view.pod.regionName;
    if (!(await dropRow(core, row))) continue;
    index.remove(row);
    const reason = `the ${row.type} copy ${row.bottomId} in ${where} is gone`;
    if (!topExists(row)) {
      note({ repair: 'removed', id: row.topId, reason: `${reason}, and so is its top object: routing row removed` });
      continue;
    }
    note({ repair: 'removed', id: row.topId, reason: `${reason}: routing row removed` });
    if (row.type === 'router') await request(ROUTER_SETUP_JOB, row.topId, reason);
    else if (row.type === 'floatingip') await request(FIP_SETUP_JOB, row.topId, reason);
    else if (row.type === 'network' || row.type === 'subnet') {
      const networkId = row.type === 'network' ? row.topId : networkOfSubnet.get(row.topId);
      if (networkId && externalIds.has(networkId)) repairExternal.add(networkId);
      if (networkId) for (const r of routersOnNetwork(networkId)) await request(ROUTER_SETUP_JOB, r.id, reason);
    } else if (row.type === 'port') {
      for (const f of floatingIps.filter((x) => x.fixedPortId === row.topId)) await request(FIP_SETUP_JOB, f.id, reason);
      for (const r of routers.filter((x) => x.interfaces.some((i) => i.portId === row.topId))) await request(ROUTER_SETUP_JOB, r.id, reason);
    }
  }

  // --- 3. Orphans ----------------------------------------------------------------------------------
  const orphans = own.filter((r) => r.projectId === projectId && !topExists(r) && !views.get(r.podId)?.missing.get(r.type)?.has(r.bottomId!));
  const order: Record<string, number> = { floatingip: 0, router: 1, port: 2, subnet: 3, network: 4 };
  for (const row of orphans.sort((a, b) => order[a.type] - order[b.type])) {
    if (opts.signal?.aborted) return report;
    const pod = podsById.get(row.podId);
    const view = views.get(row.podId);
    if (!pod || !view || view.error) continue;
    const reason = `the top ${row.type} ${row.topId} is gone but its copy ${row.bottomId} is still in ${pod.regionName}`;
    if (row.type === 'router') {
      await request(ROUTER_SETUP_JOB, row.topId, reason);
      continue;
    }
    if (row.type === 'floatingip') {
      await request(FIP_SETUP_JOB, row.topId, reason);
      continue;
    }
    try {
      await deleteCopy(neutronOf(pod), ctx, row.type as 'network' | 'subnet' | 'port', row.bottomId!);
      await dropRow(core, row);
      index.remove(row);
      note({ repair: 'removed', id: row.topId, reason: `${reason}: copy deleted` });
    } catch (err) {
      failed(`delete orphan ${row.type} copy ${row.bottomId} in ${pod.regionName}`, err);
    }
  }

  // --- 4. External networks of the project ----------------------------------------------------------
  for (const e of externals) {
    if (!e.pod || e.projectId !== projectId) continue;
    const view = views.get(e.pod.id);
    if (view?.error) continue;
    const complete = index.bottomOf('network', e.id, e.pod.id) !== undefined && e.subnetIds.every((s) => index.bottomOf('subnet', s, e.pod!.id) !== undefined);
    if (!complete) repairExternal.add(e.id);
  }
  for (const id of repairExternal) {
    try {
      const placed = await external.ensureInPod(id, ctx);
      note({ repair: 'external_network', id, reason: `copies of external network ${id} made in ${placed.pod.regionName}` });
      index.add({ id: -1, topId: id, bottomId: placed.bottomNetworkId, podId: placed.pod.id, projectId: placed.network.projectId, type: 'network', updatedAt: 0 });
      for (const [top, bottom] of placed.subnets)
        index.add({ id: -1, topId: top, bottomId: bottom, podId: placed.pod.id, projectId: placed.network.projectId, type: 'subnet', updatedAt: 0 });
    } catch (err) {
      failed(`external network ${id}`, err);
    }
  }

  // --- 5. Drift --------------------------------------------------------------------------------------
  const inFlight = await core.jobs.store.inFlight([ROUTER_SETUP_JOB, FIP_SETUP_JOB], projectId);
  const bridgeCidr = parseCidr(core.config.tricircle.bridge_cidr)!;
  const input = { routers, floatingIps, routes: index, pods: views, externalPods: extPodOf, bridgeCidr, bridgeSubnets: await top.bridges.subnetIds() };
  for (const f of [...routerDrift(input), ...floatingIpDrift(input)]) {
    const type = f.repair === 'router_setup' ? ROUTER_SETUP_JOB : FIP_SETUP_JOB;
    if (inFlight.has(`${type}|${f.id}`)) continue;
    await request(type, f.id, f.reason);
  }

  // --- 6. Floating IPs in pods that no top floating IP explains ----------------------------------------
  const anyFipJob = (await core.jobs.store.inFlight([FIP_SETUP_JOB])).size > 0;
  if (!anyFipJob) {
    for (const e of externals.filter((x) => x.projectId === projectId && x.pod)) {
      const view = views.get(e.pod!.id);
      const copy = index.bottomOf('network', e.id, e.pod!.id);
      if (!view || view.error || !copy) continue;
      const bottoms = view.floatingIps.filter((f) => f.floating_network_id === copy);
      if (bottoms.length === 0) continue;
      const known = await top.floatingIps.addressesOn(e.id);
      for (const f of bottoms) {
        if (known.has(f.floating_ip_address)) continue;
        try {
          await ignoreNotFound(neutronOf(e.pod!) as PodNeutron & { deleteFloatingIp: Deleter }, 'deleteFloatingIp', ctx, f.id);
          note({ repair: 'removed', id: f.id, reason: `floating IP ${f.floating_ip_address} in ${e.pod!.regionName} has no top floating IP: deleted` });
        } catch (err) {
          failed(`delete orphan floating IP ${f.floating_ip_address} in ${e.pod!.regionName}`, err);
        }
      }
    }
  }

  if (report.findings.length || report.errors.length) {
    logger.info({ projectId, findings: report.findings, jobs: report.jobs, errors: report.errors, skippedPods: report.skippedPods }, 'reconciler repaired drift');
  }
  return report;
}

type Deleter = (ctx: BottomCallContext, id: string, opts?: { asAdmin?: boolean }) => Promise<void>;

async function ignoreNotFound<K extends string>(api: Record<K, Deleter>, method: K, ctx: BottomCallContext, id: string): Promise<void> {
  try {
    await api[method](ctx, id, { asAdmin: true });
  } catch (err) {
    if (!isBottomNotFound(err)) throw err;
  }
}

async function deleteCopy(neutron: PodNeutron, ctx: BottomCallContext, type: 'network' | 'subnet' | 'port', bottomId: string): Promise<void> {
  const api = neutron as unknown as Record<'deletePort' | 'deleteSubnet' | 'deleteNetwork', Deleter>;
  const method = type === 'port' ? 'deletePort' : type === 'subnet' ? 'deleteSubnet' : 'deleteNetwork';
  await ignoreNotFound(api, method, ctx, bottomId);
}

/** Removes a routing row if it is still the one that was read. */
function dropRow(core: CoreServices, row: RouteRow): Promise<boolean> {
  return core.routings.deleteIfUnchanged(row);
}

/** The database clock (epoch ms), which routing rows' timestamps come from. */
async function dbClock(core: CoreServices): Promise<number> {
  const row = await core.db.kysely.selectNoFrom(dbNow(core.db.dialect).as('now')).executeTakeFirstOrThrow();
  return Number(row.now);
}

/**
 * An abandoned claim: Cinder placeholders are removed; for the types named by top id, a copy the
 * claimer made is adopted when its top object exists, else deleted with the row; with no copy the row goes.
 */
async function settleStaleClaim(
  { core, top }: ReconcileDeps,
  row: RouteRow,
  pod: Pod | undefined,
  neutronOf: (pod: Pod) => PodNeutron,
  ctx: BottomCallContext,
  note: (f: Finding) => void,
): Promise<void> {
  if (row.topId.startsWith('pending-') || !isOwnType(row.type) || !isTopId(row.topId) || !pod) {
    if (row.topId.startsWith('pending-') || !pod) {
      if (await dropRow(core, row)) note({ repair: 'removed', id: row.topId, reason: `abandoned ${row.type} routing placeholder ${row.id} removed` });
    }
    return;
  }
  const neutron = neutronOf(pod);
  const list = neutron[LIST_BY_TYPE[row.type]].bind(neutron) as (
    c: BottomCallContext,
    q: Record<string, string>,
    o: { asAdmin: boolean },
  ) => Promise<{ id: string; name?: string }[]>;
  const found = (await list(ctx, { name: row.topId }, { asAdmin: true })).filter((o) => o.name === row.topId);
  const topAlive = (await top.existing(row.type, [row.topId])).has(row.topId);
  if (found.length > 0 && topAlive) {
    if (await core.routings.completeClaim(row, found[0].id))
      note({ repair: 'removed', id: row.topId, reason: `abandoned ${row.type} claim in ${pod.regionName} adopted copy ${found[0].id}` });
    return;
  }
  if (row.type !== 'router' && row.type !== 'floatingip') {
    for (const o of found) await deleteCopy(neutron, ctx, row.type, o.id);
  }
  if (await core.routings.deleteClaim(row)) note({ repair: 'removed', id: row.topId, reason: `abandoned ${row.type} claim in ${pod.regionName} removed` });
}
