import type { Selectable } from 'kysely';
import type { ResourceRoutingsTable } from '../db/index.js';

/**
 * A gateway's intent: the routing row written before a pod is asked to create a server or a
 * volume, whose top id only the pod's answer will tell. The row has no bottom id and a placeholder
 * top id (`intent-<uuid>`); its `intent` column holds what a repair needs to find the resource in
 * the pod if the answer is never recorded.
 */
export interface RoutingIntent {
  /** The routing row's id. */
  id: number;
  podId: string;
  projectId: string;
  resourceType: string;
  /** The `x-openstack-request-id` the gateway sent with the create. */
  requestId: string;
  /** The name asked for, when the request gave one. */
  name?: string;
  /** What else identifies the resource in the pod, for the finder of its type (flavor, image, the bottom ports it boots with, how many). */
  match: Record<string, unknown>;
  /** When the intent was written (database clock, epoch ms): the resource cannot be older. */
  createdAt: number;
}

export interface IntentInput {
  podId: string;
  projectId: string;
  resourceType: string;
  requestId: string;
  name?: string;
  match?: Record<string, unknown>;
}

export const INTENT_TOP_PREFIX = 'intent-';

/**
 * The pod's clock and the database's may differ a little: a finder counts resources created this
 * long before the intent (by the database clock) as candidates.
 */
export const INTENT_CLOCK_SLACK_MS = 5_000;

/** What a finder needs to search a pod for an intent: the request id of its pod calls and the earliest creation time (epoch ms) that counts. */
export function intentSearch(intent: Pick<RoutingIntent, 'id' | 'createdAt'>): { requestId: string; since: number } {
  return { requestId: `req-intent-${intent.id}`, since: intent.createdAt - INTENT_CLOCK_SLACK_MS };
}

interface StoredIntent {
  requestId: string;
  name?: string;
  match: Record<string, unknown>;
}

export function serializeIntent(input: IntentInput): string {
  const stored: StoredIntent = { requestId: input.requestId, ...(input.name !== undefined ? { name: input.name } : {}), match: input.match ?? {} };
  return JSON.stringify(stored);
}

/** The intent of a row; a column that is not valid JSON (edited by hand) reads as an intent that identifies nothing. */
export function parseIntent(row: Selectable<ResourceRoutingsTable>): RoutingIntent {
  let stored: Partial<StoredIntent> = {};
  try {
    const parsed: unknown = JSON.parse(row.intent ?? '');
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) stored = parsed as Partial<StoredIntent>;
  } catch {
    // Left empty: the finder sees no name and no match and will not claim anything.
  }
  const match = stored.match && typeof stored.match === 'object' && !Array.isArray(stored.match) ? stored.match : {};
  return {
    id: Number(row.id),
    podId: row.pod_id,
    projectId: row.project_id,
    resourceType: row.resource_type,
    requestId: typeof stored.requestId === 'string' ? stored.requestId : '',
    ...(typeof stored.name === 'string' ? { name: stored.name } : {}),
    match,
    createdAt: Number(row.created_at),
  };
}
