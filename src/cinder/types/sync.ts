import type { BottomCallContext, JsonObject } from '../../bottom/index.js';
import { isBottomNotFound } from '../../bottom/index.js';
import type { Pod } from '../../pods/index.js';
import type { CinderDeps } from '../deps.js';
import type { CinderPods } from '../podCalls.js';
import { parseJson } from '../relay.js';
import type { VolumeType, VolumeTypeStore } from './store.js';

const RESOURCE = 'volume_type';
const TYPE_MAP_TTL_MS = 10_000;

/**
 * Copies the top's volume types into the pods, with the service account. A pod's copy has the same
 * name and its own id; the routing table maps top id → pod id (resource type `volume_type`). A copy
 * is made eagerly when a type is created and lazily whenever a pod needs a type it lacks, through
 * the routing get-or-create lock, so a pod that was down or registered later catches up on first use.
 */
export class VolumeTypeSync {
  /**
   * Per pod, the pod-id → top-id map of volume types, read at most once per TYPE_MAP_TTL_MS (every
   * volume answer needs it). This process's own changes to copies clear it at once; a copy made by
   * another gateway process shows in at most the TTL.
   */
  private readonly typeMaps = new Map<string, { map: Map<string, string>; expiresAt: number }>();

  constructor(
    private readonly deps: CinderDeps,
    private readonly pods: CinderPods,
    private readonly store: VolumeTypeStore,
  ) {}

  private async call<T>(ctx: BottomCallContext, pod: Pod, method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
    const client = this.pods.client(pod);
    const res = await client.request(ctx, {
      method,
      path,
      asAdmin: true,
      ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
    });
    if (res.status >= 400) throw client.error(res.status, res.body, res.headers);
    return (res.body.length > 0 ? parseJson(res.body) : undefined) as T;
  }

  private async findByName(ctx: BottomCallContext, pod: Pod, name: string): Promise<string | undefined> {
    const body = await this.call<{ volume_types?: JsonObject[] }>(ctx, pod, 'GET', '/types?is_public=None');
    const found = body?.volume_types?.find((t) => t.name === name);
    return typeof found?.id === 'string' ? found.id : undefined;
  }

  /** The pod's id of the type, creating the pod's copy when it has none. */
  async ensureInPod(ctx: BottomCallContext & { projectId?: string }, type: VolumeType, pod: Pod): Promise<string> {
    const cached = this.typeMaps.get(pod.id)?.map;
    const { bottomId } = await this.deps.core.routingLock.getOrCreateBottom({
      topId: type.id,
      podId: pod.id,
      projectId: ctx.projectId ?? '',
      resourceType: RESOURCE,
      findByName: () => this.findByName(ctx, pod, type.name),
      create: async () => {
        try {
          const made = await this.call<{ volume_type: { id: string } }>(ctx, pod, 'POST', '/types', {
            volume_type: {
              name: type.name,
              ...(type.description !== null ? { description: type.description } : {}),
              'os-volume-type-access:is_public': type.isPublic,
              ...(Object.keys(type.extraSpecs).length > 0 ? { extra_specs: type.extraSpecs } : {}),
            },
          });
          if (!type.isPublic) {
            for (const project of await this.store.projects(type.id)) await this.share(ctx, pod, made.volume_type.id, 'addProjectAccess', project);
          }
          return made.volume_type.id;
        } catch (err) {
          // The pod already has a type of that name (its own __DEFAULT__, or one made before): adopt it.
          if ((err as { status?: number }).status === 409) {
            const existing = await this.findByName(ctx, pod, type.name);
            if (existing) return existing;
          }
          throw err;
        }
      },
    });
    if (cached?.get(bottomId) !== type.id) this.typeMaps.delete(pod.id);
    return bottomId;
  }

  /** Copies a new type into every bottom pod that answers; the others catch up on first use. */
  async copyEverywhere(ctx: BottomCallContext & { projectId?: string }, type: VolumeType): Promise<void> {
    const pods = (await this.pods.bottomPods()).filter((p) => this.deps.core.podHealth.isHealthy(p));
    await Promise.all(
      pods.map((pod) =>
        this.ensureInPod(ctx, type, pod).catch((err: unknown) =>
          this.deps.core.logger.warn({ err, pod: pod.regionName, volumeType: type.id }, 'volume type not copied to pod; it will be on first use'),
        ),
      ),
    );
  }

  /** The pods holding a copy of the type, with the copy's id. */
  async copies(typeId: string): Promise<{ pod: Pod; bottomId: string; routeId: number }[]> {
    const routes = await this.deps.core.routings.findByTop(typeId, RESOURCE);
    const out: { pod: Pod; bottomId: string; routeId: number }[] = [];
    for (const route of routes) {
      if (!route.bottomId) continue;
      const pod = await this.deps.core.pods.find(route.podId);
      if (pod) out.push({ pod, bottomId: route.bottomId, routeId: route.id });
    }
    return out;
  }

  /**
   * Applies a change to every copy. A copy the pod no longer has loses its route (it is made again
   * on next use); any other failure stops and is thrown, leaving the top unchanged for a retry.
   */
  async forEachCopy(ctx: BottomCallContext, typeId: string, apply: (pod: Pod, bottomId: string) => Promise<void>): Promise<void> {
    for (const copy of await this.copies(typeId)) {
      try {
        await apply(copy.pod, copy.bottomId);
      } catch (err) {
        if (!isBottomNotFound(err) || (await this.copyExists(ctx, copy.pod, copy.bottomId))) throw err;
        await this.deps.core.routings.delete(copy.routeId).catch(() => undefined);
        this.typeMaps.delete(copy.pod.id);
      }
    }
  }

  update(ctx: BottomCallContext, typeId: string, change: JsonObject): Promise<void> {
    return this.forEachCopy(ctx, typeId, (pod, id) => this.call(ctx, pod, 'PUT', `/types/${encodeURIComponent(id)}`, { volume_type: change }));
  }

  setExtraSpecs(ctx: BottomCallContext, typeId: string, specs: Record<string, string>): Promise<void> {
    return this.forEachCopy(ctx, typeId, (pod, id) => this.call(ctx, pod, 'POST', `/types/${encodeURIComponent(id)}/extra_specs`, { extra_specs: specs }));
  }

  deleteExtraSpec(ctx: BottomCallContext, typeId: string, key: string): Promise<void> {
    return this.forEachCopy(ctx, typeId, async (pod, id) => {
      try {
        await this.call(ctx, pod, 'DELETE', `/types/${encodeURIComponent(id)}/extra_specs/${encodeURIComponent(key)}`);
      } catch (err) {
        // The copy never had the key (an adopted type): already as wanted.
        if (!isBottomNotFound(err) || !(await this.copyExists(ctx, pod, id))) throw err;
      }
    });
  }

  access(ctx: BottomCallContext, typeId: string, action: 'addProjectAccess' | 'removeProjectAccess', project: string): Promise<void> {
    return this.forEachCopy(ctx, typeId, (pod, id) => this.share(ctx, pod, id, action, project));
  }

  /**
   * Shares a pod's copy with a project or stops sharing it. Already so is fine. A pod without the
   * type-access API (404 while the copy exists) is logged and skipped: the top still enforces access.
   */
  private async share(ctx: BottomCallContext, pod: Pod, bottomId: string, action: 'addProjectAccess' | 'removeProjectAccess', project: string): Promise<void> {
    try {
      await this.call<void>(ctx, pod, 'POST', `/types/${encodeURIComponent(bottomId)}/action`, { [action]: { project } });
    } catch (err) {
      const status = (err as { status?: number }).status;
      if (status === 409 || (status === 404 && action === 'removeProjectAccess' && (await this.copyExists(ctx, pod, bottomId)))) return;
      if (status === 404 && (await this.copyExists(ctx, pod, bottomId))) {
        this.deps.core.logger.warn({ pod: pod.regionName, volumeType: bottomId, action }, 'pod has no volume type access API; access is enforced at the top only');
        return;
      }
      throw err;
    }
  }

  private async copyExists(ctx: BottomCallContext, pod: Pod, bottomId: string): Promise<boolean> {
    try {
      await this.call(ctx, pod, 'GET', `/types/${encodeURIComponent(bottomId)}`);
      return true;
    } catch (err) {
      if (isBottomNotFound(err)) return false;
      throw err;
    }
  }

  /** Deletes every copy, then their routes. A pod refusing (type still in use) stops it with the pod's error. */
  async deleteCopies(ctx: BottomCallContext, typeId: string): Promise<void> {
    for (const copy of await this.copies(typeId)) {
      try {
        await this.call(ctx, copy.pod, 'DELETE', `/types/${encodeURIComponent(copy.bottomId)}`);
      } catch (err) {
        if (!isBottomNotFound(err)) throw err;
      }
      await this.deps.core.routings.delete(copy.routeId).catch(() => undefined);
      this.typeMaps.delete(copy.pod.id);
    }
  }

  /** Per pod, the top id of each pod type id the top knows (for `volume_type_id` in volume bodies). */
  async topIdsByPod(podIds: readonly string[]): Promise<Map<string, Map<string, string>>> {
    const now = Date.now();
    const out = new Map<string, Map<string, string>>();
    const missing: string[] = [];
    for (const id of new Set(podIds)) {
      const hit = this.typeMaps.get(id);
      if (hit && hit.expiresAt > now) out.set(id, hit.map);
      else missing.push(id);
    }
    if (missing.length === 0) return out;
    const read = await this.deps.core.routings.topIdsByBottom({ resourceTypes: [RESOURCE], podIds: missing });
    for (const id of missing) {
      const map = read.get(id) ?? new Map<string, string>();
      this.typeMaps.set(id, { map, expiresAt: now + TYPE_MAP_TTL_MS });
      out.set(id, map);
    }
    return out;
  }
}
