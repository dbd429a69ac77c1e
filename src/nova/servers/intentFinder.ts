/**
 * How the reconciler finds, in a pod, the servers of a boot whose gateway died between the pod's 202
 * and the routing write (docs/routing.md, "Repairing stale intents"), and finishes or undoes what the
 * gateway would have done: bind the top ports to the server, or release the ports made for the boot.
 */
import type { BottomCallContext, BottomServer } from '../../bottom/index.js';
import { dbNow } from '../../db/index.js';
import { createRequestContext } from '../../identity/index.js';
import { intentSearch, type FoundResource, type IntentFinder, type RoutingIntent } from '../../routing/index.js';
import type { CoreServices } from '../../services.js';
import type { PreparedNic, ServerNetworkPreparer } from '../../wiring/index.js';

/** What a server boot's intent records (its `match`), written by the create flow. */
export interface ServerIntentMatch {
  /** The pod's flavor id the boot asked for (`flavorRef` as sent to the pod). */
  flavor: string;
  /** The image id, '' for a boot from volume. */
  image: string;
  keyName: string | null;
  minCount: number;
  maxCount: number;
  /** The NICs prepared for the boot (their bottom ports carry the server id once the pod plugs them). */
  nics: PreparedNic[];
  /** The server group the boot's scheduler hint named, whose members the servers become. */
  groupId?: string;
}

export function serverIntentMatch(m: ServerIntentMatch): Record<string, unknown> {
  return { ...m };
}

function readMatch(intent: RoutingIntent): ServerIntentMatch {
  const m = intent.match;
  const nics = Array.isArray(m.nics)
    ? m.nics.filter(
        (n): n is PreparedNic => typeof n === 'object' && n !== null && typeof (n as PreparedNic).bottomPortId === 'string' && typeof (n as PreparedNic).topPortId === 'string',
      )
    : [];
  return {
    flavor: typeof m.flavor === 'string' ? m.flavor : '',
    image: typeof m.image === 'string' ? m.image : '',
    keyName: typeof m.keyName === 'string' ? m.keyName : null,
    minCount: typeof m.minCount === 'number' ? m.minCount : 1,
    maxCount: typeof m.maxCount === 'number' ? m.maxCount : 1,
    nics,
    ...(typeof m.groupId === 'string' ? { groupId: m.groupId } : {}),
  };
}

const idOf = (ref: unknown): string =>
  typeof ref === 'string' ? ref : typeof ref === 'object' && ref !== null && typeof (ref as { id?: unknown }).id === 'string' ? (ref as { id: string }).id : '';
/** The name asked for, or for a multi-create that name with a template's suffix (`-1`, `-<uuid>`). */
function nameMatches(actual: unknown, asked: string | undefined, maxCount: number): boolean {
  if (asked === undefined) return true;
  if (actual === asked) return true;
  return maxCount > 1 && typeof actual === 'string' && actual.startsWith(`${asked}-`);
}

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The `server` intent finder, for the composition root to hand to the reconciler. */
export function serverIntentFinder(core: CoreServices, networks: ServerNetworkPreparer | undefined): IntentFinder {
  const serviceCtx = (intent: RoutingIntent) =>
    createRequestContext({ userId: 'tricircle', projectId: intent.projectId, roles: ['admin'], requestId: intentSearch(intent).requestId, authToken: '' });
  return {
    async find(intent) {
      const pod = await core.pods.find(intent.podId);
      if (!pod) return [];
      const { requestId, since } = intentSearch(intent);
      const ctx: BottomCallContext = { requestId };
      const match = readMatch(intent);
      const query: Record<string, string> = { all_tenants: '1', project_id: intent.projectId, 'changes-since': new Date(since).toISOString() };
      // A multi-create names its servers after a template (upstream's default: name-1, name-2, ...).
      if (intent.name !== undefined) query.name = match.maxCount > 1 ? `^${escapeRegex(intent.name)}` : `^${escapeRegex(intent.name)}$`;
      // 2.3: administrators see the reservation id, which ties the servers of one multi-create together.
      const listed = await core.podClients.nova(pod).listServers(ctx, query, { asAdmin: true, microversion: '2.3' });
      const routed = (await core.routings.topIdsByBottom({ resourceTypes: ['server'], podIds: [pod.id], bottomIds: listed.map((s) => s.id) })).get(pod.id);
      const candidates = listed
        .filter((s) => !routed?.has(s.id) && s.status !== 'DELETED')
        .filter((s) => Date.parse(String(s.created ?? '')) >= since)
        .filter((s) => nameMatches(s.name, intent.name, match.maxCount) && idOf(s.flavor) === match.flavor && idOf(s.image) === match.image)
        .filter((s) => (s.key_name ?? null) === match.keyName)
        .sort((a, b) => Date.parse(String(a.created)) - Date.parse(String(b.created)) || a.id.localeCompare(b.id));
      if (candidates.length === 0) return [];
      const found = await pick(candidates, match, async (portIds) => {
        const ports = await core.podClients.neutron(pod).listPorts(ctx, { id: portIds }, { asAdmin: true });
        return new Set(ports.map((p) => p.device_id).filter((d): d is string => typeof d === 'string' && d !== ''));
      });
      return found.map((s): FoundResource => ({ topId: s.id, bottomId: s.id }));
    },
    async adopted(intent, routes) {
      const { nics, groupId } = readMatch(intent);
      if (routes.length === 0) return;
      // What the create does after the pod's 202: the servers join their group, the top ports are bound.
      if (groupId !== undefined) {
        const now = dbNow(core.db.dialect);
        await core.db.kysely
          .insertInto('nova_server_group_members')
          .values(routes.map((r) => ({ group_id: groupId, server_id: r.topId, pod_id: intent.podId, created_at: now })))
          .execute();
      }
      if (nics.length > 0 && networks?.bindServerNics) await networks.bindServerNics(serviceCtx(intent), nics, routes[0].topId);
    },
    async abandoned(intent) {
      const { nics } = readMatch(intent);
      const pod = await core.pods.find(intent.podId);
      if (nics.length === 0 || !pod || !networks) return;
      await networks.releaseServerNics(serviceCtx(intent), pod, nics);
    },
  };
}

/**
 * Which of the candidates (unrouted, matching, oldest first) the boot made. With ports: the server a
 * port names as its device, else (not plugged yet) the oldest. Several: the oldest candidate's
 * reservation, up to the boot's max count.
 */
async function pick(candidates: BottomServer[], match: ServerIntentMatch, devicesOf: (portIds: string[]) => Promise<Set<string>>): Promise<BottomServer[]> {
  if (match.nics.length > 0) {
    const devices = await devicesOf(match.nics.map((n) => n.bottomPortId));
    const named = candidates.filter((s) => devices.has(s.id));
    return named.length > 0 ? named.slice(0, 1) : candidates.slice(0, 1);
  }
  if (match.maxCount <= 1) return candidates.slice(0, 1);
  const reservation = candidates[0]['OS-EXT-SRV-ATTR:reservation_id'];
  const group = typeof reservation === 'string' && reservation !== '' ? candidates.filter((s) => s['OS-EXT-SRV-ATTR:reservation_id'] === reservation) : candidates.slice(0, 1);
  return group.slice(0, match.maxCount);
}
