import type { Logger } from '../common/index.js';
import type { RoutingIntent } from './intent.js';
import type { Routing } from './rows.js';
import type { RoutingTable } from './routingTable.js';

/** A resource a finder found in the intent's pod: its top id (the same as the bottom id for servers and volumes) and bottom id. */
export interface FoundResource {
  topId: string;
  bottomId: string;
}

/**
 * How the owner of a resource type (Nova's servers, Cinder's volumes) finds, in a pod, what a stale
 * intent asked for, and finishes or undoes what its gateway would have done.
 */
export interface IntentFinder {
  /**
   * The pod's resources of the intent's project that match it and were created at or after
   * `intent.createdAt` (routed ones may be included: they are filtered out). Throws when the pod
   * cannot be asked; the intent then waits for the next run.
   */
  find(intent: RoutingIntent): Promise<FoundResource[]>;
  /** After the found resources were routed: what the gateway does after the pod's answer (e.g. bind the server's top ports). */
  adopted?(intent: RoutingIntent, routes: Routing[]): Promise<void>;
  /** After the intent was dropped because the pod has nothing for it: what the gateway does when the pod refuses (e.g. release ports made for the boot). */
  abandoned?(intent: RoutingIntent): Promise<void>;
}

export interface IntentRepairOptions {
  /** Intents older than this (database clock) are repaired; it must exceed the pod call timeout, so their callers have given up. */
  olderThanMs: number;
  projectId?: string;
  /** Intents looked at in one run. Default 100. */
  limit?: number;
  logger?: Logger;
  signal?: AbortSignal;
}

export interface IntentRepairReport {
  /** Intents replaced by the routes of what their pod had made. */
  routed: { intentId: number; resourceType: string; podId: string; topIds: string[] }[];
  /** Intents dropped because their pod had nothing for them. */
  dropped: { intentId: number; resourceType: string; podId: string }[];
  /** Intents left for a later run because their pod could not be searched, and why. Types without a finder are not looked at. */
  waiting: { intentId: number; reason: string }[];
  /** Follow-up steps (adopted, abandoned) that failed; the routing change stands. */
  errors: string[];
}

/**
 * Settles stale intents: each is replaced by the routes of the resources its finder shows in the pod
 * (minus those already routed), or dropped when there are none. The routing changes are atomic and
 * idempotent, so two processes repairing at once, or a late gateway completing its own intent, agree.
 */
export async function repairStaleIntents(routings: RoutingTable, finders: Readonly<Record<string, IntentFinder>>, opts: IntentRepairOptions): Promise<IntentRepairReport> {
  const report: IntentRepairReport = { routed: [], dropped: [], waiting: [], errors: [] };
  const types = Object.keys(finders);
  const intents = await routings.staleIntents({
    olderThanMs: opts.olderThanMs,
    resourceTypes: types,
    ...(opts.projectId !== undefined ? { projectId: opts.projectId } : {}),
    limit: opts.limit ?? 100,
  });
  for (const intent of intents) {
    if (opts.signal?.aborted) break;
    const finder = finders[intent.resourceType];
    let found: FoundResource[];
    try {
      found = await finder.find(intent);
    } catch (err) {
      report.waiting.push({ intentId: intent.id, reason: `the pod could not be searched: ${messageOf(err)}` });
      continue;
    }
    const routed = (await routings.topIdsByBottom({ resourceTypes: [intent.resourceType], podIds: [intent.podId], bottomIds: found.map((f) => f.bottomId) })).get(intent.podId);
    const fresh = dedupe(found.filter((f) => !routed?.has(f.bottomId)));
    const log = { intentId: intent.id, resourceType: intent.resourceType, podId: intent.podId, projectId: intent.projectId, requestId: intent.requestId };
    if (fresh.length > 0) {
      const routes = await routings.completeIntent(intent, fresh);
      report.routed.push({ intentId: intent.id, resourceType: intent.resourceType, podId: intent.podId, topIds: fresh.map((f) => f.topId) });
      opts.logger?.info({ ...log, topIds: fresh.map((f) => f.topId) }, 'routed what an interrupted create left in its pod');
      await finder.adopted?.(intent, routes).catch((err: unknown) => report.errors.push(`adopt ${intent.resourceType} for intent ${intent.id}: ${messageOf(err)}`));
      continue;
    }
    if (await routings.dropIntent(intent)) {
      report.dropped.push({ intentId: intent.id, resourceType: intent.resourceType, podId: intent.podId });
      opts.logger?.info(log, 'dropped an interrupted create that its pod never carried out');
      await finder.abandoned?.(intent).catch((err: unknown) => report.errors.push(`abandon ${intent.resourceType} for intent ${intent.id}: ${messageOf(err)}`));
    }
  }
  return report;
}

function dedupe(found: FoundResource[]): FoundResource[] {
  const seen = new Set<string>();
  return found.filter((f) => !seen.has(f.bottomId) && seen.add(f.bottomId));
}

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));
