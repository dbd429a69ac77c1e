import { isJsonObject } from '../../common/index.js';
import type { Pod } from '../../pods/index.js';
import { crossPodHost, podOfHost } from '../gather.js';
import type { PodDirectory } from '../podDirectory.js';

type Json = Record<string, unknown>;

/** Actions that may name a target host. */
const MOVES = new Set(['os-migrateLive', 'migrate', 'evacuate']);

/**
 * Moves stay inside the server's pod: a target host is named as the gateway shows hosts
 * (`<region>.<host>`); one of the server's pod is given to the pod without its prefix, one of another
 * pod is a 400. A host without a pod prefix is passed on as it is (the pod judges it).
 */
export async function localMoveTarget(name: string, body: Json, pod: Pod, pods: PodDirectory | undefined): Promise<Json> {
  const arg = body[name];
  if (!pods || !MOVES.has(name) || !isJsonObject(arg) || typeof arg.host !== 'string' || arg.host === '') return body;
  const found = podOfHost(await pods.bottom(), arg.host);
  if (!found) return body;
  if (found.pod.id !== pod.id) throw crossPodHost(arg.host, pod.regionName);
  return { ...body, [name]: { ...arg, host: found.host } };
}
