import type { RawResponse } from '../../bottom/index.js';
import { PodUnreachableError } from '../../bottom/index.js';
import { badRequest, notFound, type Logger, isJsonObject, objectsIn, parseJsonObject } from '../../common/index.js';
import { isoSeconds } from '../../db/index.js';
import type { RequestContext } from '../../identity/index.js';
import type { PreparedNic, ServerNetworkPreparer } from '../../wiring/index.js';
import type { Pod } from '../../pods/index.js';
import type { RoutingTable } from '../../routing/index.js';
import { flavorIdOf } from '../flavors/model.js';
import type { FlavorService } from '../flavors/service.js';
import type { FlavorSync } from '../flavors/sync.js';
import type { PodForwarder, Relayed } from '../forward.js';
import type { NovaCall } from '../call.js';
import type { KeypairService } from '../keypairs/service.js';
import type { KeypairSync } from '../keypairs/sync.js';
import { linkPair } from '../links.js';
import type { AddressLabels } from './addresses.js';
import type { DeletionWatcher } from './deletion.js';
import { NETWORKING_UNAVAILABLE } from './create.js';
import type { LocatedServer, ServerLocator } from './locator.js';
import { localMoveTarget } from './moveTarget.js';

/** The floating-IP server actions, done by the networking proxy. */
export interface FloatingIpActions {
  addFloatingIp(call: NovaCall, serverId: string, arg: unknown): Promise<void>;
  removeFloatingIp(call: NovaCall, serverId: string, arg: unknown): Promise<void>;
}
import type { PodDirectory } from '../podDirectory.js';
import type { QuotaService } from '../quotas.js';
import type { ServerUpdateBody } from './schemas.js';

type Json = Record<string, unknown>;

/** Server actions a single pod carries out on its own: forwarded as they are (some after preparation). */
const ACTIONS = new Set([
  'os-start',
  'os-stop',
  'reboot',
  'pause',
  'unpause',
  'suspend',
  'resume',
  'shelve',
  'shelveOffload',
  'unshelve',
  'lock',
  'unlock',
  'resize',
  'confirmResize',
  'revertResize',
  'rebuild',
  'createImage',
  'createBackup',
  'os-getConsoleOutput',
  'os-getVNCConsole',
  'os-getSPICEConsole',
  'os-getSerialConsole',
  'os-getRDPConsole',
  'rescue',
  'unrescue',
  'migrate',
  'os-migrateLive',
  'evacuate',
  'os-resetState',
  'os-resetNetwork',
  'injectNetworkInfo',
  'forceDelete',
  'restore',
  'addSecurityGroup',
  'removeSecurityGroup',
  'changePassword',
  'trigger_crash_dump',
]);

/** Nova-network era actions whose arguments are top networking objects a pod does not know. */
const NETWORK_ACTIONS = new Set(['addFixedIp', 'removeFixedIp', 'addFloatingIp', 'removeFloatingIp']);

export interface ServerOpsDeps {
  locator: ServerLocator;
  forwarder: PodForwarder;
  watcher: DeletionWatcher;
  routings: RoutingTable;
  flavors: FlavorService;
  flavorSync: FlavorSync;
  keypairs: KeypairService;
  keypairSync: KeypairSync;
  networks?: ServerNetworkPreparer;
  labels: AddressLabels;
  /** The pods, to read target hosts of moves (`<region>.<host>`). */
  pods?: PodDirectory;
  /** `addFloatingIp` / `removeFloatingIp` (until 2.43) over the top networking service. */
  floatingIps?: FloatingIpActions;
  /** Cores and RAM follow resizes (counted before the pod is asked, given back when it refuses). */
  quotas?: Pick<QuotaService, 'resizeServer' | 'settleResize'>;
  /** How long a pod may take to answer a lookup asked of every pod (the list deadline). */
  podLookupTimeoutMs?: number;
  logger?: Logger;
}

/**
 * Calls on one server, routed to its pod by the routing table: show, update, delete, actions and
 * sub-resources. Pod answers are relayed byte for byte with links and the AZ rewritten. A pod that
 * no longer knows the server removes the stale route.
 */
export class ServerOps {
  constructor(private readonly deps: ServerOpsDeps) {}

  async show(call: NovaCall, serverId: string): Promise<Relayed> {
    const located = await this.deps.locator.locate(call.ctx, serverId);
    try {
      return await this.forward(call, located, 'GET', '');
    } catch (err) {
      // Nova 2.69: a server in an unreachable cell is shown with what the API database knows.
      if (err instanceof PodUnreachableError && call.version.ge('2.69')) return this.unknownServer(call, located);
      throw err;
    }
  }

  async update(call: NovaCall<ServerUpdateBody>, serverId: string): Promise<Relayed> {
    return this.forward(call, await this.deps.locator.locate(call.ctx, serverId), 'PUT', '', call.body);
  }

  async delete(call: NovaCall, serverId: string): Promise<Relayed> {
    const located = await this.deps.locator.locate(call.ctx, serverId);
    const out = await this.forward(call, located, 'DELETE', '');
    if (out.status < 300) this.deps.watcher.watch(call.ctx, located.pod, located.route);
    return out;
  }

  /** Any other call below `/servers/{id}`, forwarded verbatim (query string included). */
  async subresource(call: NovaCall, serverId: string, method: 'GET' | 'POST' | 'PUT' | 'DELETE', subPath: string, body?: unknown): Promise<Relayed> {
    return this.forward(call, await this.deps.locator.locate(call.ctx, serverId), method, subPath, body, call.rawQuery);
  }

  /**
   * `GET /servers/{id}/os-instance-actions[/{request_id}]`. From 2.21 Nova shows the actions of a
   * deleted server too; its route is gone by then, so the enabled pods that are up are asked (with
   * the caller's token: each pod checks the owner) and the first that knows it answers.
   */
  async instanceActions(call: NovaCall, serverId: string, subPath: string): Promise<Relayed> {
    try {
      return await this.subresource(call, serverId, 'GET', subPath);
    } catch (err) {
      if ((err as { status?: number }).status !== 404 || call.version.lt('2.21') || !this.deps.pods) throw err;
      const pods = (await this.deps.pods.bottom()).filter((p) => !p.disabled && p.health !== 'down');
      const path = `/servers/${encodeURIComponent(serverId)}${subPath}`;
      const answers = await Promise.all(
        pods.map((pod) =>
          this.deps.forwarder
            .send(call, pod, { method: 'GET', path, rawQuery: call.rawQuery, ...(this.deps.podLookupTimeoutMs ? { timeoutMs: this.deps.podLookupTimeoutMs } : {}) })
            .then((res) => ({ pod, res }))
            .catch(() => undefined),
        ),
      );
      const found = answers.find((a) => a?.res.status === 200);
      if (!found) throw err;
      return this.deps.forwarder.relay(found.res, found.pod);
    }
  }

  async action(call: NovaCall, serverId: string, body: unknown): Promise<Relayed> {
    if (!isJsonObject(body)) throw badRequest('Malformed request body');
    const keys = Object.keys(body);
    const unsupported = keys.find((k) => NETWORK_ACTIONS.has(k));
    const name = keys.find((k) => ACTIONS.has(k));
    if (!name && (unsupported === 'addFloatingIp' || unsupported === 'removeFloatingIp') && this.deps.floatingIps && call.version.lt('2.44')) {
      const located = await this.deps.locator.locate(call.ctx, serverId);
      await this.deps.floatingIps[unsupported](call, located.route.serverId, body[unsupported]);
      return { status: 202, headers: {}, body: Buffer.alloc(0) };
    }
    if (!name && unsupported) {
      throw badRequest(`The ${unsupported} action is not available through Tricircle: manage fixed and floating IPs through the networking API.`);
    }
    if (!name) throw badRequest(`There is no such action: ${keys[0] ?? ''}`);
    const located = await this.deps.locator.locate(call.ctx, serverId);
    const arg = body[name];
    let podBody: Json = body;
    let resizeTo: { vcpus: number; ram: number } | undefined;
    if (name === 'resize' && isJsonObject(arg) && arg.flavorRef !== undefined) {
      const flavor = await this.deps.flavors.forServer(call.ctx, flavorIdOf(arg.flavorRef));
      if (!flavor) throw badRequest('Unable to locate requested flavor.');
      await this.deps.flavorSync.ensure(call.ctx, located.pod, flavor, located.route.projectId);
      podBody = { ...podBody, resize: { ...arg, flavorRef: flavor.id } };
      resizeTo = flavor;
    }
    if (name === 'rebuild' && isJsonObject(arg) && typeof arg.key_name === 'string' && call.version.ge('2.54')) {
      const keypair = await this.deps.keypairs.find(call.ctx.userId, arg.key_name);
      if (!keypair) throw badRequest('Invalid key_name provided.');
      await this.deps.keypairSync.ensure(call.ctx, located.pod, keypair);
    }
    if ((name === 'addSecurityGroup' || name === 'removeSecurityGroup') && isJsonObject(arg) && typeof arg.name === 'string' && this.deps.networks?.podSecurityGroup) {
      // The pod knows the top groups only as their copies (named by the top ids): name the copy, made
      // with its rules when a group is added to a server in a pod that has none yet.
      const adding = name === 'addSecurityGroup';
      const copy = await this.deps.networks.podSecurityGroup(call.ctx, located.pod, arg.name, { create: adding });
      if (copy === undefined) throw badRequest(`Security group ${arg.name} not associated with the instance ${serverId}`);
      podBody = { [name]: { ...arg, name: copy } };
    }
    podBody = await localMoveTarget(name, podBody, located.pod, this.deps.pods);
    const undo = await this.resizeQuota(name, located, resizeTo);
    let out: Relayed;
    try {
      out = await this.forward(call, located, 'POST', '/action', podBody);
    } catch (err) {
      await undo?.();
      throw err;
    }
    if (undo && out.status >= 300) await undo();
    if (name === 'forceDelete' && out.status < 300) this.deps.watcher.watch(call.ctx, located.pod, located.route);
    return out;
  }

  /**
   * The server's cores and RAM follow a resize, its confirm and its revert (see QuotaService) before the
   * pod is asked; the returned undo gives them back when the pod refuses.
   */
  private async resizeQuota(name: string, located: LocatedServer, resizeTo: { vcpus: number; ram: number } | undefined): Promise<(() => Promise<void>) | undefined> {
    const quotas = this.deps.quotas;
    if (!quotas) return undefined;
    const { projectId, serverId } = located.route;
    if (resizeTo) return quotas.resizeServer(projectId, serverId, resizeTo);
    if (name === 'confirmResize' || name === 'revertResize') return quotas.settleResize(projectId, serverId, name === 'revertResize');
    return undefined;
  }

  /** `GET /servers/{id}/ips/{label}`: the label is the top network's name; the pod knows it by the top id. */
  async ipsOfNetwork(call: NovaCall, serverId: string, label: string): Promise<Relayed> {
    const located = await this.deps.locator.locate(call.ctx, serverId);
    const [topId] = await this.deps.labels.idsForLabel(label, located.route.projectId);
    const podLabel = topId ?? label;
    const out = await this.forward(call, located, 'GET', `/ips/${encodeURIComponent(podLabel)}`);
    if (out.status !== 200 || podLabel === label) return out;
    const body: unknown = JSON.parse(out.body.toString('utf8'));
    return { ...out, body: Buffer.from(JSON.stringify({ [label]: (isJsonObject(body) ? body[podLabel] : undefined) ?? [] })) };
  }

  /** `GET /servers/{id}/os-security-groups`: the pod's copies, shown with their top ids and names. */
  async securityGroups(call: NovaCall, serverId: string): Promise<Relayed> {
    const located = await this.deps.locator.locate(call.ctx, serverId);
    const out = await this.forward(call, located, 'GET', '/os-security-groups');
    if (out.status !== 200) return out;
    const body = parseJsonObject(out.body);
    const groups = objectsIn(body.security_groups);
    const topIds = new Map<string, string>();
    for (const g of groups) if (typeof g.id === 'string') topIds.set(g.id, await this.topIdOf('security_group', g.id, located.pod));
    const names = await this.deps.labels.groupNames(groups.map((g) => String(g.name ?? '')));
    for (const g of groups) {
      if (typeof g.id === 'string') g.id = topIds.get(g.id) ?? g.id;
      if (typeof g.name === 'string' && names.has(g.name)) g.name = names.get(g.name);
      for (const rule of objectsIn(g.rules)) {
        if (typeof rule.parent_group_id === 'string') rule.parent_group_id = topIds.get(rule.parent_group_id) ?? rule.parent_group_id;
      }
    }
    return { ...out, body: Buffer.from(JSON.stringify(body)) };
  }

  // Volume attachments ----------------------------------------------------------------------------

  async attachVolume(call: NovaCall, serverId: string, body: unknown): Promise<Relayed> {
    const located = await this.deps.locator.locate(call.ctx, serverId);
    const attachment = isJsonObject(body) ? body.volumeAttachment : undefined;
    if (!isJsonObject(body) || !isJsonObject(attachment) || typeof attachment.volumeId !== 'string') {
      // Let the pod answer with upstream's validation message.
      return this.forward(call, located, 'POST', '/os-volume_attachments', body);
    }
    const volume = await this.volumeRoute(call.ctx, attachment.volumeId);
    if (!volume) throw notFound(`Volume ${attachment.volumeId} could not be found.`);
    if (volume.podId !== located.pod.id) throw badRequest('Server and volume not in the same pod.');
    return this.forward(call, located, 'POST', '/os-volume_attachments', { ...body, volumeAttachment: { ...attachment, volumeId: volume.bottomId } });
  }

  async volumeAttachment(call: NovaCall, serverId: string, volumeId: string, method: 'GET' | 'PUT' | 'DELETE', body?: unknown): Promise<Relayed> {
    const located = await this.deps.locator.locate(call.ctx, serverId);
    const volume = await this.volumeRoute(call.ctx, volumeId);
    let podBody = body;
    if (method === 'PUT' && isJsonObject(body)) {
      const att = body.volumeAttachment;
      if (isJsonObject(att) && typeof att.volumeId === 'string') {
        const next = await this.volumeRoute(call.ctx, att.volumeId);
        if (next && next.podId !== located.pod.id) throw badRequest('Server and volume not in the same pod.');
        podBody = { ...body, volumeAttachment: { ...att, volumeId: next?.bottomId ?? att.volumeId } };
      }
    }
    return this.forward(call, located, method, `/os-volume_attachments/${encodeURIComponent(volume?.bottomId ?? volumeId)}`, podBody);
  }

  private async volumeRoute(ctx: RequestContext, volumeId: string): Promise<{ podId: string; bottomId: string } | undefined> {
    const rows = (await this.deps.routings.findByTop(volumeId, 'volume')).filter((r) => r.bottomId !== null && (ctx.isAdmin || r.projectId === ctx.projectId));
    return rows[0] ? { podId: rows[0].podId, bottomId: rows[0].bottomId! } : undefined;
  }

  // Interfaces ------------------------------------------------------------------------------------

  async interfaces(call: NovaCall, serverId: string, portId?: string): Promise<Relayed> {
    const located = await this.deps.locator.locate(call.ctx, serverId);
    const bottomPort = portId === undefined ? undefined : await this.bottomIdOf('port', portId, located.pod);
    const out = await this.forward(call, located, 'GET', portId === undefined ? '/os-interface' : `/os-interface/${encodeURIComponent(bottomPort!)}`);
    if (out.status !== 200) return out;
    const body = parseJsonObject(out.body);
    const list = body.interfaceAttachments !== undefined ? objectsIn(body.interfaceAttachments) : objectsIn([body.interfaceAttachment]);
    for (const att of list) {
      if (typeof att.port_id === 'string') att.port_id = await this.topIdOf('port', att.port_id, located.pod);
      if (typeof att.net_id === 'string') att.net_id = await this.topIdOf('network', att.net_id, located.pod);
    }
    return { ...out, body: Buffer.from(JSON.stringify(body)) };
  }

  async attachInterface(call: NovaCall, serverId: string, body: unknown): Promise<Relayed> {
    const located = await this.deps.locator.locate(call.ctx, serverId);
    const att = isJsonObject(body) ? body.interfaceAttachment : undefined;
    if (!isJsonObject(att)) return this.forward(call, located, 'POST', '/os-interface', body);
    if (!this.deps.networks) throw badRequest(NETWORKING_UNAVAILABLE);
    const nic = {
      ...(typeof att.port_id === 'string' ? { portId: att.port_id } : {}),
      ...(typeof att.net_id === 'string' ? { networkId: att.net_id } : {}),
      ...(Array.isArray(att.fixed_ips) && isJsonObject(att.fixed_ips[0]) && typeof att.fixed_ips[0].ip_address === 'string' ? { fixedIp: att.fixed_ips[0].ip_address } : {}),
      ...(typeof att.tag === 'string' ? { tag: att.tag } : {}),
    };
    const prepared = await this.deps.networks.prepareServerNics(call.ctx, located.pod, [nic], { serverId });
    const [made] = prepared.nics;
    if (!made) throw badRequest('No port could be prepared for the interface.');
    let out: Relayed;
    try {
      out = await this.forward(call, located, 'POST', '/os-interface', {
        interfaceAttachment: { port_id: made.bottomPortId, ...(typeof att.tag === 'string' ? { tag: att.tag } : {}) },
      });
    } catch (err) {
      await this.releaseNics(call.ctx, located.pod, prepared.nics);
      throw err;
    }
    if (out.status >= 300) {
      await this.releaseNics(call.ctx, located.pod, prepared.nics);
      return out;
    }
    const answer = parseJsonObject(out.body);
    const attached = answer.interfaceAttachment;
    if (isJsonObject(attached)) {
      attached.port_id = made.topPortId;
      if (typeof attached.net_id === 'string') attached.net_id = await this.topIdOf('network', attached.net_id, located.pod);
    }
    return { ...out, body: Buffer.from(JSON.stringify(answer)) };
  }

  async detachInterface(call: NovaCall, serverId: string, portId: string): Promise<Relayed> {
    const located = await this.deps.locator.locate(call.ctx, serverId);
    const bottomPort = await this.bottomIdOf('port', portId, located.pod);
    const out = await this.forward(call, located, 'DELETE', `/os-interface/${encodeURIComponent(bottomPort)}`);
    if (out.status < 300 && this.deps.networks && bottomPort !== portId) {
      try {
        await this.deps.networks.releaseServerPort(call.ctx, portId);
      } catch (err) {
        this.deps.logger?.error({ err, pod: located.pod.regionName }, 'could not release a detached interface port');
      }
    }
    return out;
  }

  private async releaseNics(ctx: RequestContext, pod: Pod, nics: PreparedNic[]): Promise<void> {
    try {
      await this.deps.networks?.releaseServerNics(ctx, pod, nics);
    } catch (err) {
      this.deps.logger?.error({ err, pod: pod.regionName }, 'could not release interface ports');
    }
  }

  private async bottomIdOf(type: string, topId: string, pod: Pod): Promise<string> {
    const rows = await this.deps.routings.list({ topId, podId: pod.id, resourceType: type });
    return rows.find((r) => r.bottomId !== null)?.bottomId ?? topId;
  }

  private async topIdOf(type: string, bottomId: string, pod: Pod): Promise<string> {
    const rows = await this.deps.routings.list({ bottomId, podId: pod.id, resourceType: type });
    return rows[0]?.topId ?? bottomId;
  }

  // Plumbing ----------------------------------------------------------------------------------------

  private async forward(call: NovaCall, located: LocatedServer, method: 'GET' | 'POST' | 'PUT' | 'DELETE', subPath: string, body?: unknown, rawQuery?: string): Promise<Relayed> {
    const { route, pod } = located;
    const res = await this.deps.forwarder.send(call, pod, { method, path: `/servers/${encodeURIComponent(route.bottomId)}${subPath}`, body, rawQuery });
    if (res.status === 404 && this.serverGone(res, route.bottomId, subPath)) {
      this.deps.logger?.info({ server: route.serverId, pod: pod.regionName }, 'server no longer in its pod; removing its route');
      await this.deps.watcher.finish(call.ctx, route);
    }
    const out = this.deps.forwarder.relay(res, pod);
    if (res.status < 300 && (subPath === '' || subPath === '/action' || subPath === '/ips')) {
      return { ...out, body: await this.deps.labels.relabelBody(out.body) };
    }
    return out;
  }

  /** Whether a pod's 404 is about the server itself (not a missing tag, key or attachment). */
  private serverGone(res: RawResponse, bottomId: string, subPath: string): boolean {
    if (subPath === '') return true;
    return res.body.includes(`Instance ${bottomId} could not be found`);
  }

  private unknownServer(call: NovaCall, located: LocatedServer): Relayed {
    const { route, pod } = located;
    const server: Json = {
      id: route.serverId,
      status: 'UNKNOWN',
      tenant_id: route.projectId,
      created: isoSeconds(route.createdAt),
      links: linkPair(call.links, 'servers', route.serverId),
      'OS-EXT-AZ:availability_zone': pod.azName,
      'OS-EXT-STS:power_state': 0,
    };
    if (call.version.ge('2.71')) server.server_groups = [];
    return { status: 200, headers: { 'content-type': 'application/json', 'x-tricircle-unavailable-pods': pod.regionName }, body: Buffer.from(JSON.stringify({ server })) };
  }
}
