import { randomUUID } from 'node:crypto';
import { BottomError } from '../../bottom/index.js';
import { badRequest, forbidden, isJsonObject, notFound, type Logger } from '../../common/index.js';
import { dbNow, type Db } from '../../db/index.js';
import { Microversion } from '../../gateway/index.js';
import type { RequestContext } from '../../identity/index.js';
import type { Pod } from '../../pods/index.js';
import type { RoutingTable } from '../../routing/index.js';
import { qLast, type NovaCall } from '../call.js';
import type { PodForwarder } from '../forward.js';
import type { PodDirectory } from '../podDirectory.js';
import type { QuotaService } from '../quotas.js';
import type { NovaServerGroupsTable } from '../tables.js';
import type { ServerGroupCreateBody } from './schemas.js';

export type GroupPolicy = 'affinity' | 'anti-affinity' | 'soft-affinity' | 'soft-anti-affinity';

export interface ServerGroup {
  id: string;
  name: string;
  policy: GroupPolicy;
  rules: Record<string, number>;
  projectId: string;
  userId: string;
  createdAt: number;
}

/** The routing type of a pod's copy of a top server group. */
export const POD_GROUP = 'server_group';

const toGroup = (r: NovaServerGroupsTable): ServerGroup => ({
  id: r.id,
  name: r.name,
  policy: r.policy as GroupPolicy,
  rules: JSON.parse(r.rules) as Record<string, number>,
  projectId: r.project_id,
  userId: r.user_id,
  createdAt: Number(r.created_at),
});

export const groupNotFound = (id: string) => notFound(`Instance group ${id} could not be found.`);

/**
 * Server groups (`os-server-groups`), owned by the top region: the group, its policy, rules and
 * members (across pods) are kept at the top; each pod that gets a member gets its own copy of the
 * group (same policy and rules), which the pod's scheduler uses to place members on hosts. Quotas
 * `server_groups` and `server_group_members` are counted at the top.
 */
export class ServerGroupService {
  constructor(private readonly deps: { db: Db; routings: RoutingTable; forwarder: PodForwarder; pods: PodDirectory; quotas: QuotaService; logger?: Logger }) {}

  async find(ctx: RequestContext, id: string): Promise<ServerGroup | undefined> {
    const row = await this.deps.db.kysely.selectFrom('nova_server_groups').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row || (!ctx.isAdmin && row.project_id !== ctx.projectId)) return undefined;
    return toGroup(row);
  }

  async get(ctx: RequestContext, id: string): Promise<ServerGroup> {
    const g = await this.find(ctx, id);
    if (!g) throw groupNotFound(id);
    return g;
  }

  /** Members still routed as servers (members whose server is gone are dropped on the way). */
  async members(groupIds: string[]): Promise<Map<string, { serverId: string; podId: string }[]>> {
    const out = new Map<string, { serverId: string; podId: string }[]>(groupIds.map((id) => [id, []]));
    if (groupIds.length === 0) return out;
    const rows = await this.deps.db.kysely
      .selectFrom('nova_server_group_members')
      .selectAll()
      .where('group_id', 'in', groupIds)
      .orderBy('created_at')
      .orderBy('server_id')
      .execute();
    if (rows.length === 0) return out;
    const routed = await this.deps.routings.findByTops(
      'server',
      rows.map((r) => r.server_id),
    );
    const live = new Set(routed.map((r) => r.topId));
    const gone = rows.filter((r) => !live.has(r.server_id));
    if (gone.length > 0) {
      await this.deps.db.kysely
        .deleteFrom('nova_server_group_members')
        .where(
          'server_id',
          'in',
          gone.map((r) => r.server_id),
        )
        .execute();
    }
    for (const r of rows) if (live.has(r.server_id)) out.get(r.group_id)!.push({ serverId: r.server_id, podId: r.pod_id });
    return out;
  }

  async view(call: NovaCall, g: ServerGroup, members?: string[]): Promise<Record<string, unknown>> {
    const ids = members ?? ((await this.members([g.id])).get(g.id) ?? []).map((m) => m.serverId);
    const out: Record<string, unknown> = { id: g.id, name: g.name };
    if (call.version.ge('2.64')) {
      out.policy = g.policy;
      out.rules = g.rules;
      out.members = ids;
    } else {
      out.policies = [g.policy];
      out.members = ids;
      out.metadata = {};
    }
    if (call.version.ge('2.13')) {
      out.project_id = g.projectId;
      out.user_id = g.userId;
    }
    return out;
  }

  async create(call: NovaCall<ServerGroupCreateBody>): Promise<Record<string, unknown>> {
    const b = call.body.server_group as { name: string; policy?: GroupPolicy; policies?: GroupPolicy[]; rules?: { max_server_per_host?: number | string } };
    const policy = b.policy ?? b.policies![0];
    const rules: Record<string, number> = {};
    if (b.rules && Object.keys(b.rules).length > 0) {
      if (policy !== 'anti-affinity') throw badRequest("Only anti-affinity policy supports 'max_server_per_host' rule.");
      if (b.rules.max_server_per_host !== undefined) rules.max_server_per_host = Number(b.rules.max_server_per_host);
    }
    const { ctx } = call;
    const limit = await this.deps.quotas.limit(ctx.projectId, 'server_groups');
    if (limit >= 0) {
      const used = await this.count(ctx.projectId);
      if (used + 1 > limit) throw forbidden('Quota exceeded, too many server groups.');
    }
    const id = randomUUID();
    await this.deps.db.kysely
      .insertInto('nova_server_groups')
      .values({ id, name: b.name, policy, rules: JSON.stringify(rules), project_id: ctx.projectId, user_id: ctx.userId, created_at: dbNow(this.deps.db.dialect) })
      .execute();
    return this.view(call, await this.get(ctx, id), []);
  }

  async count(projectId: string): Promise<number> {
    const row = await this.deps.db.kysely
      .selectFrom('nova_server_groups')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('project_id', '=', projectId)
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  async list(call: NovaCall): Promise<Record<string, unknown>[]> {
    const { ctx } = call;
    const allText = qLast(call.query, 'all_projects');
    const all = ctx.isAdmin && allText !== undefined && !['0', 'false', 'f', 'off', 'no', 'n'].includes(allText.toLowerCase());
    let q = this.deps.db.kysely.selectFrom('nova_server_groups').selectAll().orderBy('created_at').orderBy('id');
    if (!all) q = q.where('project_id', '=', ctx.projectId);
    const offsetText = qLast(call.query, 'offset');
    const limitText = qLast(call.query, 'limit');
    for (const [k, v] of [
      ['offset', offsetText],
      ['limit', limitText],
    ] as const) {
      if (v !== undefined && !/^\d+$/.test(v)) throw badRequest(`Invalid input for query parameters ${k}. Value: ${v}. '${v}' does not match '^[0-9]*$'`);
    }
    const offset = Number(offsetText ?? 0);
    const limit = limitText !== undefined ? Number(limitText) : undefined;
    if (limit !== undefined) q = q.limit(limit).offset(offset);
    else if (offset > 0) q = q.limit(Number.MAX_SAFE_INTEGER).offset(offset);
    const groups = (await q.execute()).map(toGroup);
    const members = await this.members(groups.map((g) => g.id));
    return Promise.all(
      groups.map((g) =>
        this.view(
          call,
          g,
          (members.get(g.id) ?? []).map((m) => m.serverId),
        ),
      ),
    );
  }

  /** Deletes the group, then (best effort) its copies in the pods. */
  async delete(call: NovaCall, id: string): Promise<void> {
    const g = await this.get(call.ctx, id);
    const copies = await this.deps.routings.findByTop(g.id, POD_GROUP);
    await this.deps.db.kysely.deleteFrom('nova_server_group_members').where('group_id', '=', g.id).execute();
    await this.deps.db.kysely.deleteFrom('nova_server_groups').where('id', '=', g.id).execute();
    await Promise.allSettled(
      copies.map(async (row) => {
        const pod = await this.deps.pods.get(row.podId);
        if (pod && row.bottomId) await this.deps.forwarder.send(call, pod, { method: 'DELETE', path: `/os-server-groups/${encodeURIComponent(row.bottomId)}`, asAdmin: true });
        await this.deps.routings.delete(row.id);
      }),
    );
  }

  /**
   * The pod's copy of a group (made on first use, as the group's project, with the group's policy
   * and rules); concurrent boots share one copy through the routing entry.
   */
  async podCopy(call: NovaCall, g: ServerGroup, pod: Pod): Promise<string> {
    for (let attempt = 0; attempt < 50; attempt++) {
      const existing = (await this.deps.routings.findByTop(g.id, POD_GROUP)).find((r) => r.podId === pod.id);
      if (existing?.bottomId) return existing.bottomId;
      if (existing) {
        // Another boot is making the copy.
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      let claim;
      try {
        claim = await this.deps.routings.create({ topId: g.id, bottomId: null, podId: pod.id, projectId: g.projectId, resourceType: POD_GROUP });
      } catch {
        continue;
      }
      try {
        const v264 = { ...call, version: Microversion.of('2.64') };
        const res = await this.deps.forwarder.send(v264, pod, {
          method: 'POST',
          path: '/os-server-groups',
          body: { server_group: { name: g.name, policy: g.policy, ...(Object.keys(g.rules).length > 0 ? { rules: g.rules } : {}) } },
        });
        if (res.status !== 200) throw BottomError.fromResponse(pod.regionName, 'compute', res.status, res.body, res.headers);
        const body: unknown = JSON.parse(res.body.toString('utf8'));
        const bottomId = isJsonObject(body) && isJsonObject(body.server_group) ? String(body.server_group.id) : '';
        if (!bottomId) throw badRequest(`Pod ${pod.regionName} answered the server group create without an id.`);
        await this.deps.routings.update(claim.id, { bottomId });
        return bottomId;
      } catch (err) {
        await this.deps.routings.deleteIfExists(claim.id);
        throw err;
      }
    }
    throw badRequest(`The copy of server group ${g.id} in pod ${pod.regionName} is still being made; try again.`);
  }

  async addMembers(groupId: string, podId: string, serverIds: string[]): Promise<void> {
    if (serverIds.length === 0) return;
    const now = dbNow(this.deps.db.dialect);
    await this.deps.db.kysely
      .insertInto('nova_server_group_members')
      .values(serverIds.map((server_id) => ({ group_id: groupId, server_id, pod_id: podId, created_at: now })))
      .execute();
  }
}
