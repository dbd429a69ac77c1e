import type { BottomCallContext, JsonObject } from '../../bottom/index.js';
import { isBottomNotFound } from '../../bottom/index.js';
import type { Pod } from '../../pods/index.js';
import type { CinderDeps } from '../deps.js';
import type { CinderPods } from '../podCalls.js';
import { parseJson } from '../relay.js';
import type { GroupType } from './store.js';

export const GROUP_TYPE = 'group_type';
/** The microversion the pods' group-type API needs. */
const GROUP_TYPES_VERSION = '3.11';

/**
 * Copies the top's group types into the pods that need them (a group is made there), with the
 * service account, as volume types are copied: same name, the pod's own id, the routing table maps
 * top id → pod id (resource type `group_type`) through the get-or-create lock. Changes to a type
 * reach every copy; a copy the pod lost loses its route and is made again on next use.
 */
export class GroupTypeSync {
  constructor(
    private readonly deps: CinderDeps,
    private readonly pods: CinderPods,
  ) {}

  private async call<T>(ctx: BottomCallContext, pod: Pod, method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
    const client = this.pods.client(pod);
    const res = await client.request(ctx, {
      method,
      path,
      asAdmin: true,
      microversion: GROUP_TYPES_VERSION,
      ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
    });
    if (res.status >= 400) throw client.error(res.status, res.body, res.headers);
    return (res.body.length > 0 ? parseJson(res.body) : undefined) as T;
  }

  private async findByName(ctx: BottomCallContext, pod: Pod, name: string): Promise<string | undefined> {
    const body = await this.call<{ group_types?: JsonObject[] }>(ctx, pod, 'GET', '/group_types');
    const found = body?.group_types?.find((t) => t.name === name);
    return typeof found?.id === 'string' ? found.id : undefined;
  }

  /** The pod's id of the type, creating the pod's copy when it has none (a pod's own type of that name is adopted). */
  async ensureInPod(ctx: BottomCallContext & { projectId?: string }, type: GroupType, pod: Pod): Promise<string> {
    const { bottomId } = await this.deps.core.routingLock.getOrCreateBottom({
      topId: type.id,
      podId: pod.id,
      projectId: ctx.projectId ?? '',
      resourceType: GROUP_TYPE,
      findByName: () => this.findByName(ctx, pod, type.name),
      create: async () => {
        try {
          const made = await this.call<{ group_type: { id: string } }>(ctx, pod, 'POST', '/group_types', {
            group_type: {
              name: type.name,
              ...(type.description !== null ? { description: type.description } : {}),
              is_public: type.isPublic,
              ...(Object.keys(type.groupSpecs).length > 0 ? { group_specs: type.groupSpecs } : {}),
            },
          });
          return made.group_type.id;
        } catch (err) {
          if ((err as { status?: number }).status === 409) {
            const existing = await this.findByName(ctx, pod, type.name);
            if (existing) return existing;
          }
          throw err;
        }
      },
    });
    return bottomId;
  }

  /** Per pod, pod id → top id of the group types copied there. */
  async topIdsByPod(podIds: readonly string[]): Promise<Map<string, Map<string, string>>> {
    return this.deps.core.routings.topIdsByBottom({ resourceTypes: [GROUP_TYPE], podIds: [...new Set(podIds)] });
  }

  /**
   * Applies a change to every copy; a copy the pod no longer has loses its route. Any other failure
   * stops and is thrown, leaving the top unchanged for a retry.
   */
  private async forEachCopy(_ctx: BottomCallContext, typeId: string, apply: (pod: Pod, bottomId: string) => Promise<unknown>, dropAfter = false): Promise<void> {
    for (const route of await this.deps.core.routings.findByTop(typeId, GROUP_TYPE)) {
      const pod = route.bottomId ? await this.deps.core.pods.find(route.podId) : undefined;
      if (!pod || !route.bottomId) continue;
      let gone = false;
      try {
        await apply(pod, route.bottomId);
      } catch (err) {
        if (!isBottomNotFound(err)) throw err;
        gone = true;
      }
      if (dropAfter || gone) await this.deps.core.routings.deleteIfExists(route.id);
    }
  }

  update(ctx: BottomCallContext, typeId: string, change: JsonObject): Promise<void> {
    return this.forEachCopy(ctx, typeId, (pod, id) => this.call(ctx, pod, 'PUT', `/group_types/${encodeURIComponent(id)}`, { group_type: change }));
  }

  setSpecs(ctx: BottomCallContext, typeId: string, specs: Record<string, string>): Promise<void> {
    return this.forEachCopy(ctx, typeId, (pod, id) => this.call(ctx, pod, 'POST', `/group_types/${encodeURIComponent(id)}/group_specs`, { group_specs: specs }));
  }

  deleteSpec(ctx: BottomCallContext, typeId: string, key: string): Promise<void> {
    return this.forEachCopy(ctx, typeId, async (pod, id) => {
      try {
        await this.call(ctx, pod, 'DELETE', `/group_types/${encodeURIComponent(id)}/group_specs/${encodeURIComponent(key)}`);
      } catch (err) {
        // The copy never had the key (an adopted type): already as wanted, if the copy is there.
        if (!isBottomNotFound(err)) throw err;
        await this.call(ctx, pod, 'GET', `/group_types/${encodeURIComponent(id)}`);
      }
    });
  }

  /** Deletes every copy and its route; a pod refusing (a group still uses it) stops it with the pod's error. */
  deleteCopies(ctx: BottomCallContext, typeId: string): Promise<void> {
    return this.forEachCopy(ctx, typeId, (pod, id) => this.call(ctx, pod, 'DELETE', `/group_types/${encodeURIComponent(id)}`), true);
  }
}
