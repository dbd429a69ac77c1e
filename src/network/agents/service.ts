/**
 * Agents (extension agent) and their schedulers (dhcp_agent_scheduler, l3_agent_scheduler), read from
 * the pods: the top has no agents of its own. Lists gather every enabled bottom pod in parallel, each
 * bounded by the list deadline; a pod that fails or is late is left out and named in
 * `x-tricircle-unavailable-pods`. Each agent carries `tricircle:region`, its pod. Admin only, as
 * upstream's policy. An update or delete goes to the pod that has the agent; scheduling names top
 * networks and routers, translated to the pod's copies through the routing table.
 */
import { ApiError } from '../../common/index.js';
import type { BottomCallContext, JsonObject } from '../../bottom/index.js';
import type { Pod } from '../../pods/index.js';
import { applyListInMemory } from '../api/memoryList.js';
import type { NetworkDeps } from '../deps.js';
import { badRequest, notFound, policyNotAuthorized } from '../errors.js';
import { isObject } from '../input.js';
import type { Caller } from '../policy.js';

/** A pod has this long to answer an agent update, delete or scheduling change (reads have the list deadline). */
const AGENT_WRITE_TIMEOUT_MS = 10_000;

export const agentNotFound = (id: string) => new ApiError(404, `Agent ${id} could not be found.`, 'AgentNotFound');

const FILTERS = ['agent_type', 'binary', 'host', 'topic', 'availability_zone', 'admin_state_up', 'alive', 'description', 'tricircle:region'];

export interface Gathered<T> {
  items: T[];
  /** Region names of the pods left out (failed or late). */
  unavailable: string[];
}

type Kind = 'network' | 'router';

export class AgentService {
  constructor(private readonly deps: Pick<NetworkDeps, 'pods' | 'podClients' | 'routings' | 'logger' | 'podSide' | 'settings'>) {}

  private admin(caller: Caller, rule: string): void {
    if (!caller.isAdmin) throw policyNotAuthorized([rule]);
  }

  private async bottomPods(): Promise<Pod[]> {
    return (await this.deps.pods.list()).filter((p) => p.azName !== '' && !p.disabled);
  }

  private client(pod: Pod) {
    const clients = this.deps.podClients;
    if (!clients) throw new ApiError(503, 'This process has no pod clients.', 'ServiceUnavailable');
    return clients.neutron(pod).http;
  }

  private async call<T>(pod: Pod, ctx: BottomCallContext, method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
    // A read is part of a gather: [neutron] list_pod_timeout, the deadline of every networking read that asks pods.
    return this.client(pod).json<T>(ctx, method, path, { body, timeoutMs: method === 'GET' ? this.deps.settings.listPodTimeoutMs : AGENT_WRITE_TIMEOUT_MS });
  }

  /** Runs `read` in every enabled bottom pod (or those given), keeping what answered in time. */
  private async gather<T>(read: (pod: Pod) => Promise<T[]>, pods?: Pod[]): Promise<Gathered<T>> {
    const targets = pods ?? (await this.bottomPods());
    const unavailable: string[] = [];
    const parts = await Promise.all(
      targets.map(async (pod) => {
        try {
          return await read(pod);
        } catch (err) {
          this.deps.logger.warn({ pod: pod.regionName, err: (err as Error).message }, 'pod left out of an agent read');
          unavailable.push(pod.regionName);
          return [];
        }
      }),
    );
    return { items: parts.flat(), unavailable: unavailable.sort() };
  }

  private tag(agent: JsonObject, pod: Pod): JsonObject {
    return { ...agent, 'tricircle:region': pod.regionName };
  }

  private agentsOf(pod: Pod, ctx: BottomCallContext, path = '/agents'): Promise<JsonObject[]> {
    return this.call<{ agents: JsonObject[] }>(pod, ctx, 'GET', path).then((b) => (b.agents ?? []).map((a) => this.tag(a, pod)));
  }

  async list(caller: Caller, ctx: BottomCallContext, query: URLSearchParams): Promise<Gathered<Record<string, unknown>>> {
    // As upstream, a list filters out what the policy hides: a non-admin gets an empty list, not a 403.
    if (!caller.isAdmin) return { items: [], unavailable: [] };
    const got = await this.gather((pod) => this.agentsOf(pod, ctx));
    const sorted = got.items.sort((a, b) => String(a.id).localeCompare(String(b.id)));
    const asText = sorted.map((a) => ({ ...a }));
    return { items: applyListInMemory(asText, query, FILTERS), unavailable: got.unavailable };
  }

  /** The pod holding agent `id`, and the agent. */
  private async locate(ctx: BottomCallContext, id: string): Promise<{ pod: Pod; agent: JsonObject }> {
    const found = await this.gather(async (pod) => {
      try {
        const body = await this.call<{ agent: JsonObject }>(pod, ctx, 'GET', `/agents/${encodeURIComponent(id)}`);
        return [{ pod, agent: this.tag(body.agent, pod) }];
      } catch (err) {
        if ((err as ApiError).status === 404) return [];
        throw err;
      }
    });
    if (found.items.length === 0) {
      if (found.unavailable.length) throw new ApiError(503, `Agent ${id} could not be looked up: pods ${found.unavailable.join(', ')} did not answer.`, 'ServiceUnavailable');
      throw agentNotFound(id);
    }
    return found.items[0];
  }

  async show(caller: Caller, ctx: BottomCallContext, id: string): Promise<JsonObject> {
    this.admin(caller, 'get_agent');
    return (await this.locate(ctx, id)).agent;
  }

  async update(caller: Caller, ctx: BottomCallContext, id: string, body: unknown): Promise<JsonObject> {
    this.admin(caller, 'update_agent');
    if (!isObject(body) || !isObject(body.agent)) throw badRequest('Resource body required');
    const bad = Object.keys(body.agent).filter((k) => k !== 'admin_state_up' && k !== 'description');
    if (bad.length) throw badRequest(`Cannot update read-only attribute ${bad[0]}`);
    const { pod } = await this.locate(ctx, id);
    const answer = await this.call<{ agent: JsonObject }>(pod, ctx, 'PUT', `/agents/${encodeURIComponent(id)}`, { agent: body.agent });
    return this.tag(answer.agent, pod);
  }

  async remove(caller: Caller, ctx: BottomCallContext, id: string): Promise<void> {
    this.admin(caller, 'delete_agent');
    const { pod } = await this.locate(ctx, id);
    await this.call(pod, ctx, 'DELETE', `/agents/${encodeURIComponent(id)}`);
  }

  /** Top ids of what the agent hosts (its pod's copies translated back; pod-local objects are left out). */
  async hosted(caller: Caller, ctx: BottomCallContext, id: string, kind: Kind): Promise<string[]> {
    this.admin(caller, kind === 'network' ? 'get_dhcp-networks' : 'get_l3-routers');
    const { pod } = await this.locate(ctx, id);
    const key = kind === 'network' ? 'networks' : 'routers';
    const path = `/agents/${encodeURIComponent(id)}/${kind === 'network' ? 'dhcp-networks' : 'l3-routers'}`;
    const body = await this.call<Record<string, { id: string }[]>>(pod, ctx, 'GET', path);
    const bottomIds = (body[key] ?? []).map((o) => o.id);
    const tops = (await this.deps.routings.topIdsByBottom({ resourceTypes: [kind], podIds: [pod.id], bottomIds })).get(pod.id) ?? new Map();
    return bottomIds.map((b) => tops.get(b)).filter((t): t is string => t !== undefined);
  }

  /** Puts a top network (router) on, or takes it off, an agent: the copy in the agent's pod. */
  async schedule(caller: Caller, ctx: BottomCallContext, id: string, kind: Kind, topId: string, on: boolean): Promise<void> {
    this.admin(caller, `${on ? 'create' : 'delete'}_${kind === 'network' ? 'dhcp-network' : 'l3-router'}`);
    const { pod } = await this.locate(ctx, id);
    const base = `/agents/${encodeURIComponent(id)}/${kind === 'network' ? 'dhcp-networks' : 'l3-routers'}`;
    let bottom = await this.deps.routings.bottomIdOf(kind, topId, pod.id);
    if (bottom === undefined && on && kind === 'network') {
      // A network reaches a pod when the pod first needs it; an agent asked to serve it is such a need.
      // The pod may schedule the new copy itself, onto this very agent.
      await this.deps.podSide.networks.copyIntoPod(topId, pod.id, ctx);
      bottom = await this.deps.routings.bottomIdOf(kind, topId, pod.id);
      const hosted = bottom === undefined ? [] : ((await this.call<{ networks?: { id: string }[] }>(pod, ctx, 'GET', base)).networks ?? []);
      if (hosted.some((n) => n.id === bottom)) return;
    }
    if (bottom === undefined) {
      throw new ApiError(409, `The ${kind} ${topId} has no copy in region ${pod.regionName}, where agent ${id} runs.`, 'Conflict');
    }
    if (on) await this.call(pod, ctx, 'POST', base, { [kind === 'network' ? 'network_id' : 'router_id']: bottom });
    else await this.call(pod, ctx, 'DELETE', `${base}/${encodeURIComponent(bottom)}`);
  }

  /** The agents of every pod holding a copy of the network (DHCP) or router (L3). */
  async agentsHosting(caller: Caller, ctx: BottomCallContext, kind: Kind, topId: string): Promise<Gathered<JsonObject>> {
    this.admin(caller, kind === 'network' ? 'get_dhcp-agents' : 'get_l3-agents');
    const copies = (await this.deps.routings.findByTop(topId, kind)).filter((r) => r.bottomId !== null);
    const pods = (await Promise.all(copies.map(async (r) => ({ r, pod: await this.deps.pods.find(r.podId) })))).filter((x) => x.pod && !x.pod.disabled);
    const path = (bottom: string) => (kind === 'network' ? `/networks/${encodeURIComponent(bottom)}/dhcp-agents` : `/routers/${encodeURIComponent(bottom)}/l3-agents`);
    const byPod = new Map(pods.map((x) => [x.pod!.id, x.r.bottomId!]));
    return this.gather(
      (pod) => this.agentsOf(pod, ctx, path(byPod.get(pod.id)!)),
      pods.map((x) => x.pod!),
    );
  }
}

export const missingOf = (kind: Kind) => (kind === 'network' ? notFound.network : (id: string) => new ApiError(404, `Router ${id} could not be found.`, 'RouterNotFound'));
