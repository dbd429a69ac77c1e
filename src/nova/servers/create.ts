import { randomUUID } from 'node:crypto';
import { PodUnreachableError, type RawResponse } from '../../bottom/index.js';
import { badRequest, forbidden, type Logger, isJsonObject } from '../../common/index.js';
import type { Db } from '../../db/index.js';
import type { RequestContext } from '../../identity/index.js';
import type { PreparedNic, ServerNetworkPreparer, ServerNicRequest } from '../../wiring/index.js';
import type { Pod, PodScheduler } from '../../pods/index.js';
import type { RoutingTable } from '../../routing/index.js';
import type { ImageCopier } from '../../imagecopy/index.js';
import type { PodForwarder, Relayed } from '../forward.js';
import { flavorIdOf } from '../flavors/model.js';
import type { FlavorService } from '../flavors/service.js';
import type { FlavorSync } from '../flavors/sync.js';
import type { NovaCall } from '../call.js';
import type { KeypairService, TopKeypair } from '../keypairs/service.js';
import type { KeypairSync } from '../keypairs/sync.js';
import type { PodDirectory } from '../podDirectory.js';
import type { QuotaService } from '../quotas.js';
import { Microversion } from '../../gateway/index.js';
import { truthy } from '../parameters.js';
import type { GroupPlacement, GroupPlan } from '../groups/placement.js';
import type { ServerLocator, ServerRoute } from './locator.js';
import type { DeletionWatcher } from './deletion.js';
import { serverIntentMatch } from './intentFinder.js';
import type { ServerCreateBody, ServerCreateFields } from './schemas.js';

export interface ServerCreateDeps {
  db: Db;
  pods: PodDirectory;
  scheduler: PodScheduler;
  routings: RoutingTable;
  locator: ServerLocator;
  forwarder: PodForwarder;
  flavors: FlavorService;
  flavorSync: FlavorSync;
  keypairs: KeypairService;
  keypairSync: KeypairSync;
  quotas: QuotaService;
  networks?: ServerNetworkPreparer;
  images?: Pick<ImageCopier, 'ensureInPod'>;
  /** Server groups named in scheduler hints: pod choice by the group's policy (groups/placement.ts). */
  groups?: GroupPlacement;
  /** Removes the ports and the route of a server once its pod deleted it (the undo of a failed multi-create). */
  deletions?: Pick<DeletionWatcher, 'watch'>;
  logger?: Logger;
}

export const NETWORKING_UNAVAILABLE = 'Networking is not available: this gateway runs without the top networking service; boot with "networks": "none".';

type Json = Record<string, unknown>;

/** What one request to the pod is made of (the parts of the client's request already checked and resolved). */
interface BootInput {
  call: NovaCall<ServerCreateBody>;
  pod: Pod;
  request: ServerCreateBody;
  server: ServerCreateFields;
  /** The pod's flavor id. */
  flavorId: string;
  minCount: number;
  maxCount: number;
  choice: NetworkChoice;
  groupPlan: GroupPlan | undefined;
  /** `host[:node]` of an `az:host[:node]` availability zone. */
  hostParts: string[];
  /** Top volume id → pod volume id of the block device mapping. */
  volumeIds: Map<string, string>;
}

/** Across the boots of one request: the servers that hold the quota claim, and whether the outcome is left to the repair. */
interface BootState {
  bootedIds?: string[];
  leftForRepair: boolean;
}

type BootOutcome = { kind: 'refused'; relayed: Relayed } | { kind: 'booted'; res: RawResponse; answer: Json; ids: string[]; routes: ServerRoute[]; nics: PreparedNic[] };

interface BootedServer {
  route: ServerRoute;
  nics: PreparedNic[];
}

/** What the request's `networks` asks for. */
type NetworkChoice = { kind: 'none' } | { kind: 'auto'; explicit: boolean } | { kind: 'list'; nics: ServerNicRequest[] };

/**
 * `POST /servers`: validate as upstream, choose the pod (the tenant's pod in the AZ, or one the
 * scheduling policy picks and binds), make sure the pod has what the boot references (flavor, key
 * pair, networks and ports), forward every field of the request with the pod's own AZ, and route the
 * servers (each keeps the pod's id at the top). Intent first (docs/routing.md): the routing intent is
 * written before the pod is asked and completed with the servers' routes after it answered, so a
 * crash in between leaves an intent the reconciler settles (serverIntentFinder). A refusal undoes
 * what this request created in the pod; copies of flavors and key pairs stay (later boots share them).
 */
export class ServerCreateFlow {
  constructor(private readonly deps: ServerCreateDeps) {}

  async create(call: NovaCall<ServerCreateBody>): Promise<Relayed> {
    const { ctx } = call;
    const request = call.body;
    const server = request.server;

    const flavor = await this.deps.flavors.forServer(ctx, flavorIdOf(server.flavorRef));
    if (!flavor) throw badRequest('Invalid flavorRef provided.');
    const minCount = server.min_count !== undefined ? Number(server.min_count) : 1;
    const maxCount = server.max_count !== undefined ? Number(server.max_count) : minCount;
    if (minCount > maxCount) throw badRequest('min_count must be <= max_count');

    const metadataLimit = await this.deps.quotas.limit(ctx.projectId, 'metadata_items');
    const metadataCount = Object.keys(server.metadata ?? {}).length;
    if (metadataLimit >= 0 && metadataCount > metadataLimit) throw forbidden(`Maximum number of metadata items exceeds ${metadataLimit}`);

    let keypair: TopKeypair | undefined;
    if (typeof server.key_name === 'string') {
      keypair = await this.deps.keypairs.find(ctx.userId, server.key_name);
      if (!keypair) throw badRequest('Invalid key_name provided.');
    }

    const choice = this.networkChoice(server, maxCount);
    if (choice.kind !== 'none' && !this.deps.networks && (choice.kind === 'list' || choice.explicit || (await this.projectHasNetworks(ctx)))) {
      throw badRequest(NETWORKING_UNAVAILABLE);
    }

    const [azName, ...hostParts] = typeof server.availability_zone === 'string' ? server.availability_zone.split(':') : [''];
    const volumes = await this.volumeRoutes(ctx, server);
    const groupPlan = await this.deps.groups?.plan(call, request as Json, minCount);
    const pod = groupPlan
      ? await this.deps.groups!.choosePod(groupPlan, azName, () => this.choosePod(ctx, azName, volumes), volumes.podId)
      : await this.choosePod(ctx, azName, volumes);

    // Admission: the quota is claimed before the pod is asked, and held by the servers it made. A boot
    // whose outcome is unknown (left to the intent repair) keeps its claim pending until it expires.
    const claim = await this.deps.quotas.claimServers(ctx, minCount, maxCount, flavor);
    const state: BootState = { leftForRepair: false };
    try {
      await this.deps.flavorSync.ensure(ctx, pod, flavor, ctx.projectId);
      if (keypair) await this.deps.keypairSync.ensure(ctx, pod, keypair);
      if (this.deps.images) for (const image of imagesOf(server)) await this.deps.images.ensureInPod(ctx, pod, image);

      const input: BootInput = { call, pod, request, server, flavorId: flavor.id, minCount, maxCount, choice, groupPlan, hostParts, volumeIds: volumes.bottomIds };
      if (maxCount > 1 && choice.kind !== 'none' && this.deps.networks) return await this.createEach(input, claim.count, state);

      const podServer: Json = { ...server };
      if (maxCount > 1 && claim.count < maxCount) podServer.max_count = claim.count;
      const wantsReservation = server.return_reservation_id !== undefined && truthy(server.return_reservation_id);
      const outcome = await this.bootInPod(input, podServer, maxCount > 1 || wantsReservation, state);
      if (outcome.kind === 'refused') return outcome.relayed;
      state.bootedIds = outcome.ids;
      return this.answer(input, outcome);
    } finally {
      if (!state.leftForRepair) await this.deps.quotas.settleClaim(claim, state.bootedIds);
    }
  }

  /**
   * A multi-create with networks: the pod's Nova refuses several servers on given ports, so each
   * server is booted alone, on its own prepared ports, named as upstream names the servers of one
   * request (`name-1`, `name-2`, …). When one boot fails, the servers booted before it are deleted
   * (their ports go with them) and the failure is the answer. Upstream's answer: the first server,
   * or with `return_reservation_id` the first server's reservation id.
   */
  private async createEach(input: BootInput, count: number, state: BootState): Promise<Relayed> {
    const { call, pod, server } = input;
    const booted: BootedServer[] = [];
    let first: Extract<BootOutcome, { kind: 'booted' }> | undefined;
    try {
      for (let i = 1; i <= count; i++) {
        const one: Json = { ...server, name: `${String(server.name)}-${i}` };
        delete one.min_count;
        delete one.max_count;
        delete one.return_reservation_id;
        const outcome = await this.bootInPod({ ...input, minCount: 1, maxCount: 1 }, one, false, state);
        if (outcome.kind === 'refused') {
          await this.undo(call, pod, booted);
          return outcome.relayed;
        }
        booted.push(...outcome.routes.map((r) => ({ route: r, nics: outcome.nics })));
        first ??= outcome;
      }
    } catch (err) {
      await this.undo(call, pod, booted);
      throw err;
    }
    state.bootedIds = booted.map((b) => b.route.serverId);
    if (!first) throw new Error('a multi-create booted no server');
    if (server.return_reservation_id !== undefined && truthy(server.return_reservation_id)) {
      const reservation = await this.reservationOf(call, pod, first.ids[0]);
      const relayed = this.deps.forwarder.relay({ ...first.res, body: Buffer.from(JSON.stringify({ reservation_id: reservation ?? '' })) }, pod);
      return { ...relayed, headers: { ...relayed.headers, 'content-type': 'application/json' } };
    }
    return this.answer(input, first);
  }

  /** Deletes the servers a failed multi-create booted; the deletion watcher removes their ports and routes once gone. */
  private async undo(call: NovaCall, pod: Pod, booted: BootedServer[]): Promise<void> {
    const ctx = call.ctx;
    for (const { route, nics } of booted) {
      try {
        const res = await this.deps.forwarder.send(call, pod, { method: 'DELETE', path: `/servers/${encodeURIComponent(route.bottomId)}`, asAdmin: true });
        if (res.status >= 300 && res.status !== 404) throw new Error(`the pod answered ${res.status}`);
      } catch (err) {
        this.deps.logger?.error({ err, server: route.serverId, pod: pod.regionName }, 'could not delete a server of a failed multi-create');
        continue;
      }
      if (this.deps.deletions) this.deps.deletions.watch(ctx, pod, route);
      else {
        await this.release(ctx, pod, nics);
        await this.deps.locator
          .forget(route)
          .catch((err: unknown) => this.deps.logger?.error({ err, server: route.serverId }, 'could not remove the route of a server of a failed multi-create'));
      }
    }
  }

  /**
   * One boot request to the pod: prepares the NICs, writes the intent, forwards, and routes the
   * servers the pod made. A refusal is undone (intent and ports) and relayed; an unknown outcome
   * sets `state.leftForRepair` and throws.
   */
  private async bootInPod(input: BootInput, podServer: Json, many: boolean, state: BootState): Promise<BootOutcome> {
    const { call, pod, request, server, choice, groupPlan } = input;
    const { ctx, version: v } = call;
    let nics: PreparedNic[] = [];
    let podNetworks: unknown;
    let podSecurityGroups: unknown;
    if (choice.kind !== 'none' && this.deps.networks) {
      const requestedGroups = server.security_groups?.map((g) => g.name ?? 'default');
      const prepared = await this.deps.networks.prepareServerNics(ctx, pod, choice.kind === 'list' ? choice.nics : 'auto', {
        ...(requestedGroups ? { securityGroups: requestedGroups } : {}),
        serverId: randomUUID(),
      });
      nics = prepared.nics;
      const tags = choice.kind === 'list' ? choice.nics.map((n) => n.tag) : [];
      if (nics.length > 0) podNetworks = nics.map((n, i) => ({ port: n.bottomPortId, ...(tags[i] ? { tag: tags[i] } : {}) }));
      // The bottom ports already carry the groups; naming their pod copies lets the pod check and
      // show them (it applies groups only to ports it makes itself).
      // The copies are named after the top groups' ids, so the pod shows those (relabelled on reads).
      if (nics.length > 0 && prepared.bottomSecurityGroupIds.length > 0) {
        const names = await Promise.all(prepared.bottomSecurityGroupIds.map((id) => this.topGroupName(id, pod)));
        podSecurityGroups = [...new Set(names)].map((name) => ({ name }));
      }
    }
    // No NIC (networks "none", no networking service, or no network in the project): none in the pod either.
    if (podNetworks === undefined && v.ge('2.37')) podNetworks = 'none';

    const out: Json = { ...podServer, flavorRef: input.flavorId };
    delete out.availability_zone;
    const podAz = pod.podAzName ? [pod.podAzName, ...input.hostParts].join(':') : undefined;
    if (podAz) out.availability_zone = podAz;
    delete out.networks;
    if (podNetworks !== undefined) out.networks = podNetworks;
    delete out.security_groups;
    if (podSecurityGroups !== undefined) out.security_groups = podSecurityGroups;
    this.mapVolumes(out, input.volumeIds);
    let podBody: Json = { ...request, server: out };
    if (groupPlan) {
      try {
        podBody = await this.deps.groups!.podRequest(call, groupPlan, pod, podBody);
      } catch (err) {
        await this.release(ctx, pod, nics);
        throw err;
      }
    }

    const intent = await this.deps.routings.recordIntent({
      podId: pod.id,
      projectId: ctx.projectId,
      resourceType: 'server',
      requestId: ctx.requestId,
      ...(typeof out.name === 'string' ? { name: out.name } : {}),
      match: serverIntentMatch({
        flavor: input.flavorId,
        image: typeof server.imageRef === 'string' ? server.imageRef : '',
        keyName: typeof server.key_name === 'string' ? server.key_name : null,
        minCount: input.minCount,
        maxCount: input.maxCount,
        nics,
        ...(groupPlan ? { groupId: groupPlan.group.id } : {}),
      }),
    });
    const refused = async () => {
      await this.deps.routings.dropIntent(intent);
      await this.release(ctx, pod, nics);
    };

    let res: RawResponse;
    try {
      res = await this.deps.forwarder.send(call, pod, { method: 'POST', path: '/servers', body: podBody });
    } catch (err) {
      // Refused connection: the pod never saw the boot. Anything else (no answer in time, a
      // connection cut after the request went out): the pod may have booted; the repair looks.
      if (err instanceof PodUnreachableError && err.reason === 'ECONNREFUSED') await refused();
      else {
        state.leftForRepair = true;
        this.deps.logger?.warn({ err, pod: pod.regionName, intent: intent.id }, 'the pod did not answer a boot; its intent is left for the repair');
      }
      throw err;
    }
    if (res.status >= 300) {
      await refused();
      return { kind: 'refused', relayed: this.deps.forwarder.relay(res, pod) };
    }

    let answer: unknown;
    try {
      answer = JSON.parse(res.body.toString('utf8'));
    } catch {
      answer = undefined;
    }
    if (!isJsonObject(answer)) {
      // A 2xx without a readable body: the pod may have booted; the intent is left for the repair.
      state.leftForRepair = true;
      throw badRequest(`Pod ${pod.regionName} answered the boot with a malformed body.`);
    }
    let ids: string[];
    try {
      ids = await this.createdIds(call, pod, answer, many);
    } catch (err) {
      state.leftForRepair = true;
      this.deps.logger?.error({ err, pod: pod.regionName, intent: intent.id }, 'could not find the servers a multi-create made; its intent is left for the repair');
      throw err;
    }
    const routes: ServerRoute[] = [];
    try {
      const rows = await this.deps.routings.completeIntent(
        intent,
        ids.map((id) => ({ topId: id, bottomId: id })),
      );
      for (const row of rows) {
        const route = { routingId: row.id, serverId: row.topId, bottomId: row.topId, podId: pod.id, projectId: ctx.projectId, createdAt: row.createdAt };
        this.deps.locator.remember(route);
        routes.push(route);
      }
      if (groupPlan) await this.deps.groups!.record(groupPlan, pod, ids);
    } catch (err) {
      // The intent stays: the repair routes these servers (and binds their ports) once it is stale.
      state.leftForRepair = true;
      this.deps.logger?.error({ err, pod: pod.regionName, servers: ids, intent: intent.id }, 'routes not written; the intent is left for the repair');
      throw err;
    }

    if (nics.length > 0 && this.deps.networks?.bindServerNics) {
      try {
        await this.deps.networks.bindServerNics(ctx, nics, ids[0]);
      } catch (err) {
        this.deps.logger?.error({ err, server: ids[0] }, 'could not record the server id on its top ports');
      }
    }
    return { kind: 'booted', res, answer, ids, routes, nics };
  }

  /** The pod's answer relayed, with the security groups as the client named them. */
  private answer(input: BootInput, outcome: Extract<BootOutcome, { kind: 'booted' }>): Relayed {
    const { answer, res } = outcome;
    const out = answer.server;
    if (isJsonObject(out) && input.choice.kind !== 'none' && Array.isArray(out.security_groups)) {
      const names = input.server.security_groups?.map((g) => g.name ?? 'default') ?? ['default'];
      out.security_groups = [...new Set(names)].map((name) => ({ name }));
    }
    const relayed = this.deps.forwarder.relay({ ...res, body: Buffer.from(JSON.stringify(answer)) }, input.pod);
    return { ...relayed, headers: { ...relayed.headers, 'content-type': 'application/json' } };
  }

  private networkChoice(server: ServerCreateFields, maxCount: number): NetworkChoice {
    const nets = server.networks;
    if (nets === 'none') return { kind: 'none' };
    if (nets === 'auto') return { kind: 'auto', explicit: true };
    if (nets === undefined) return { kind: 'auto', explicit: false };
    const nics: ServerNicRequest[] = [];
    for (const n of nets) {
      const tag = typeof n.tag === 'string' ? n.tag : undefined;
      if (typeof n.port === 'string' && n.port !== '') {
        if (maxCount > 1) {
          throw badRequest('Unable to launch multiple instances with a single configured port ID. Please launch your instance one by one with different ports.');
        }
        nics.push({ portId: n.port, ...(tag ? { tag } : {}) });
        continue;
      }
      const uuid = n.uuid;
      if (typeof uuid !== 'string' || !/^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$/.test(uuid)) {
        throw badRequest(`Bad networks format: network uuid is not in proper format (${typeof uuid === 'string' ? uuid : ''})`);
      }
      const fixedIp = typeof n.fixed_ip === 'string' ? n.fixed_ip : undefined;
      if (fixedIp && maxCount > 1) throw badRequest('max_count cannot be greater than 1 if an fixed_ip is specified.');
      nics.push({ networkId: uuid, ...(fixedIp ? { fixedIp } : {}), ...(tag ? { tag } : {}) });
    }
    return { kind: 'list', nics };
  }

  /** Whether the project can see any top network (its own or shared). */
  private async projectHasNetworks(ctx: RequestContext): Promise<boolean> {
    try {
      const row = await this.deps.db.kysely
        .selectFrom('networks')
        .select('id')
        .where((eb) => eb.or([eb('project_id', '=', ctx.projectId), eb('shared', '=', 1)]))
        .where('external', '=', 0)
        .limit(1)
        .executeTakeFirst();
      return row !== undefined;
    } catch {
      // No top networking tables in this deployment.
      return false;
    }
  }

  /** Volumes of the block device mapping that the gateway routes: their pod and pod ids. */
  private async volumeRoutes(ctx: RequestContext, server: ServerCreateFields): Promise<{ podId?: string; bottomIds: Map<string, string> }> {
    const ids = new Set<string>();
    for (const b of server.block_device_mapping_v2 ?? []) {
      const id = b.uuid ?? b.volume_id;
      if ((b.source_type ?? 'volume') === 'volume' && id !== undefined) ids.add(id);
    }
    for (const b of server.block_device_mapping ?? []) if (isJsonObject(b) && typeof b.volume_id === 'string') ids.add(b.volume_id);
    const bottomIds = new Map<string, string>();
    let podId: string | undefined;
    for (const id of ids) {
      const rows = (await this.deps.routings.findByTop(id, 'volume')).filter((r) => r.bottomId !== null && (ctx.isAdmin || r.projectId === ctx.projectId));
      if (rows.length === 0) continue;
      if (podId !== undefined && rows[0].podId !== podId) throw badRequest('The volumes of a server must all be in the same pod.');
      podId = rows[0].podId;
      bottomIds.set(id, rows[0].bottomId!);
    }
    return { podId, bottomIds };
  }

  private async choosePod(ctx: RequestContext, azName: string, volumes: { podId?: string }): Promise<Pod> {
    if (volumes.podId !== undefined) {
      const pod = await this.deps.pods.get(volumes.podId);
      if (!pod) throw badRequest(`Pod ${volumes.podId} of the requested volumes is not registered.`);
      if (azName && pod.azName !== azName) throw badRequest('Server and volume not in the same availability zone.');
      return pod;
    }
    try {
      return await this.deps.scheduler.schedule({ projectId: ctx.projectId, azName: azName || undefined });
    } catch (err) {
      if ((err as { status?: number }).status === 400) {
        throw badRequest(
          azName
            ? `No pod can take the server in availability zone ${azName}: none is registered there, or every one is disabled or down.`
            : 'No pod can take the server: no bottom pod is registered, or every one is disabled or down.',
        );
      }
      throw err;
    }
  }

  private mapVolumes(server: Json, bottomIds: Map<string, string>): void {
    if (bottomIds.size === 0) return;
    const swap = (id: unknown) => (typeof id === 'string' ? (bottomIds.get(id) ?? id) : id);
    const v2 = server.block_device_mapping_v2;
    if (Array.isArray(v2)) {
      server.block_device_mapping_v2 = v2.map((b) =>
        isJsonObject(b) && (b.source_type ?? 'volume') === 'volume'
          ? { ...b, ...(b.uuid !== undefined ? { uuid: swap(b.uuid) } : {}), ...(b.volume_id !== undefined ? { volume_id: swap(b.volume_id) } : {}) }
          : b,
      );
    }
    const v1 = server.block_device_mapping;
    if (Array.isArray(v1)) server.block_device_mapping = v1.map((b) => (isJsonObject(b) && b.volume_id !== undefined ? { ...b, volume_id: swap(b.volume_id) } : b));
  }

  /**
   * The ids of the servers a create made. One server: the answer's id. Several (max_count > 1, or a
   * reservation id asked for): found in the pod by their reservation id.
   */
  private async createdIds(call: NovaCall, pod: Pod, answer: Json, many: boolean): Promise<string[]> {
    const first = isJsonObject(answer.server) ? answer.server.id : undefined;
    if (!many) {
      if (typeof first !== 'string') throw badRequest(`Pod ${pod.regionName} answered the boot without a server id.`);
      return [first];
    }
    let reservation = typeof answer.reservation_id === 'string' ? answer.reservation_id : undefined;
    if (!reservation && typeof first === 'string') {
      reservation = await this.reservationOf(call, pod, first);
      if (!reservation) return [first];
    }
    const res = await this.deps.forwarder.send(call, pod, {
      method: 'GET',
      path: '/servers',
      rawQuery: new URLSearchParams({ reservation_id: reservation!, all_tenants: '1', limit: '1000' }).toString(),
      asAdmin: true,
    });
    const list = JSON.parse(res.body.toString('utf8')) as { servers?: { id: string }[] };
    const ids = (list.servers ?? []).map((s) => s.id);
    if (typeof first === 'string' && !ids.includes(first)) ids.unshift(first);
    return ids;
  }

  /** A server's reservation id in its pod (shown to administrators from 2.3). */
  private async reservationOf(call: NovaCall, pod: Pod, serverId: string): Promise<string | undefined> {
    const v23 = call.version.lt('2.3') ? { ...call, version: Microversion.of('2.3') } : call;
    const res = await this.deps.forwarder.send(v23, pod, { method: 'GET', path: `/servers/${encodeURIComponent(serverId)}`, asAdmin: true });
    const body: unknown = JSON.parse(res.body.toString('utf8'));
    const shown = isJsonObject(body) && isJsonObject(body.server) ? body.server['OS-EXT-SRV-ATTR:reservation_id'] : undefined;
    return typeof shown === 'string' ? shown : undefined;
  }

  /** The name of a pod's copy of a top security group (the top id), from its pod id. */
  private async topGroupName(bottomId: string, pod: Pod): Promise<string> {
    const rows = await this.deps.routings.list({ bottomId, podId: pod.id, resourceType: 'security_group' });
    return rows[0]?.topId ?? bottomId;
  }

  private async release(ctx: RequestContext, pod: Pod, nics: PreparedNic[]): Promise<void> {
    if (nics.length === 0 || !this.deps.networks) return;
    try {
      await this.deps.networks.releaseServerNics(ctx, pod, nics);
    } catch (err) {
      this.deps.logger?.error({ err, pod: pod.regionName }, 'could not release the ports of a failed boot');
    }
  }
}

/** The images a boot reads: its `imageRef` and the image sources of its block device mapping. */
function imagesOf(server: ServerCreateFields): string[] {
  const ids = new Set<string>();
  if (typeof server.imageRef === 'string' && server.imageRef !== '') ids.add(server.imageRef);
  for (const b of server.block_device_mapping_v2 ?? []) if (b.source_type === 'image' && typeof b.uuid === 'string') ids.add(b.uuid);
  return [...ids];
}
