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
import type { GroupPlacement } from '../groups/placement.js';
import type { ServerLocator } from './locator.js';
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
  logger?: Logger;
}

export const NETWORKING_UNAVAILABLE = 'Networking is not available: this gateway runs without the top networking service; boot with "networks": "none".';

const MULTI_WITH_NETWORKS = 'Booting several servers in one request with networks is not supported through Tricircle: boot them one by one (or with "networks": "none").';

type Json = Record<string, unknown>;

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
    const { ctx, version: v } = call;
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
    let bootedIds: string[] | undefined;
    let leftForRepair = false;
    try {
      await this.deps.flavorSync.ensure(ctx, pod, flavor, ctx.projectId);
      if (keypair) await this.deps.keypairSync.ensure(ctx, pod, keypair);
      if (this.deps.images) for (const image of imagesOf(server)) await this.deps.images.ensureInPod(ctx, pod, image);

      let nics: PreparedNic[] = [];
      let podNetworks: unknown;
      let podSecurityGroups: unknown;
      if (choice.kind === 'none') {
        podNetworks = v.ge('2.37') ? 'none' : undefined;
      } else if (this.deps.networks) {
        if (maxCount > 1 && choice.kind === 'list') throw badRequest(MULTI_WITH_NETWORKS);
        const requestedGroups = server.security_groups?.map((g) => g.name ?? 'default');
        const prepared = await this.deps.networks.prepareServerNics(ctx, pod, choice.kind === 'list' ? choice.nics : 'auto', {
          ...(requestedGroups ? { securityGroups: requestedGroups } : {}),
          serverId: randomUUID(),
        });
        nics = prepared.nics;
        if (maxCount > 1 && nics.length > 0) {
          await this.release(ctx, pod, nics);
          throw badRequest(MULTI_WITH_NETWORKS);
        }
        const tags = choice.kind === 'list' ? choice.nics.map((n) => n.tag) : [];
        if (nics.length > 0) podNetworks = nics.map((n, i) => ({ port: n.bottomPortId, ...(tags[i] ? { tag: tags[i] } : {}) }));
        else podNetworks = v.ge('2.37') ? 'none' : undefined;
        // The bottom ports already carry the groups; naming their pod copies lets the pod check and
        // show them (it applies groups only to ports it makes itself).
        // The copies are named after the top groups' ids, so the pod shows those (relabelled on reads).
        if (nics.length > 0 && prepared.bottomSecurityGroupIds.length > 0) {
          const names = await Promise.all(prepared.bottomSecurityGroupIds.map((id) => this.topGroupName(id, pod)));
          podSecurityGroups = [...new Set(names)].map((name) => ({ name }));
        }
      } else {
        // No networking service and no network in the project: the pod boots without a NIC.
        podNetworks = v.ge('2.37') ? 'none' : undefined;
      }

      const podServer: Json = { ...server, flavorRef: flavor.id };
      if (maxCount > 1 && claim.count < maxCount) podServer.max_count = claim.count;
      delete podServer.availability_zone;
      const podAz = pod.podAzName ? [pod.podAzName, ...hostParts].join(':') : undefined;
      if (podAz) podServer.availability_zone = podAz;
      delete podServer.networks;
      if (podNetworks !== undefined) podServer.networks = podNetworks;
      delete podServer.security_groups;
      if (podSecurityGroups !== undefined) podServer.security_groups = podSecurityGroups;
      this.mapVolumes(podServer, volumes.bottomIds);
      const wantsReservation = server.return_reservation_id !== undefined && truthy(server.return_reservation_id);
      let podBody: Json = { ...request, server: podServer };
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
        ...(typeof server.name === 'string' ? { name: server.name } : {}),
        match: serverIntentMatch({
          flavor: flavor.id,
          image: typeof server.imageRef === 'string' ? server.imageRef : '',
          keyName: typeof server.key_name === 'string' ? server.key_name : null,
          minCount,
          maxCount,
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
          leftForRepair = true;
          this.deps.logger?.warn({ err, pod: pod.regionName, intent: intent.id }, 'the pod did not answer a boot; its intent is left for the repair');
        }
        throw err;
      }
      if (res.status >= 300) {
        await refused();
        return this.deps.forwarder.relay(res, pod);
      }

      let answer: unknown;
      try {
        answer = JSON.parse(res.body.toString('utf8'));
      } catch {
        answer = undefined;
      }
      if (!isJsonObject(answer)) {
        // A 2xx without a readable body: the pod may have booted; the intent is left for the repair.
        leftForRepair = true;
        throw badRequest(`Pod ${pod.regionName} answered the boot with a malformed body.`);
      }
      let ids: string[];
      try {
        ids = await this.createdIds(call, pod, answer, maxCount > 1 || wantsReservation);
      } catch (err) {
        leftForRepair = true;
        this.deps.logger?.error({ err, pod: pod.regionName, intent: intent.id }, 'could not find the servers a multi-create made; its intent is left for the repair');
        throw err;
      }
      try {
        const routes = await this.deps.routings.completeIntent(
          intent,
          ids.map((id) => ({ topId: id, bottomId: id })),
        );
        for (const row of routes) {
          this.deps.locator.remember({ routingId: row.id, serverId: row.topId, bottomId: row.topId, podId: pod.id, projectId: ctx.projectId, createdAt: row.createdAt });
        }
        bootedIds = ids;
        if (groupPlan) await this.deps.groups!.record(groupPlan, pod, ids);
      } catch (err) {
        // The intent stays: the repair routes these servers (and binds their ports) once it is stale.
        leftForRepair = true;
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

      const out = answer.server;
      if (isJsonObject(out) && choice.kind !== 'none' && Array.isArray(out.security_groups)) {
        const names = server.security_groups?.map((g) => g.name ?? 'default') ?? ['default'];
        out.security_groups = [...new Set(names)].map((name) => ({ name }));
      }
      const relayed = this.deps.forwarder.relay({ ...res, body: Buffer.from(JSON.stringify(answer)) }, pod);
      return { ...relayed, headers: { ...relayed.headers, 'content-type': 'application/json' } };
    } finally {
      if (!leftForRepair) await this.deps.quotas.settleClaim(claim, bootedIds);
    }
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
      // The reservation id is shown to administrators from 2.3.
      const v23 = call.version.lt('2.3') ? { ...call, version: Microversion.of('2.3') } : call;
      const res = await this.deps.forwarder.send(v23, pod, { method: 'GET', path: `/servers/${encodeURIComponent(first)}`, asAdmin: true });
      const body: unknown = JSON.parse(res.body.toString('utf8'));
      const shown = isJsonObject(body) && isJsonObject(body.server) ? body.server['OS-EXT-SRV-ATTR:reservation_id'] : undefined;
      reservation = typeof shown === 'string' ? shown : undefined;
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
