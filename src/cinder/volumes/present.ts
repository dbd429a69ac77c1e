import type { JsonObject } from '../../bottom/index.js';
import type { Pod } from '../../pods/index.js';
import { tagHost } from '../hosts.js';

/**
 * A pod's volume as the top shows it: the top AZ name instead of the pod's own, the top's volume
 * type id (3.63+) where the pod's type is a copy of a top type, and (admins) the backend host
 * prefixed with the pod's region, as the admin views name hosts. Links are rewritten on the
 * bytes before parsing (see LinkRewriter). Mutates and returns `volume`.
 */
export function presentVolume(volume: JsonObject, pod: Pod, topTypeIds?: Map<string, string>): JsonObject {
  volume.availability_zone = pod.azName;
  if ('os-vol-host-attr:host' in volume) volume['os-vol-host-attr:host'] = tagHost(pod, volume['os-vol-host-attr:host']) as JsonObject[string];
  const typeId = volume.volume_type_id;
  if (typeof typeId === 'string') {
    const top = topTypeIds?.get(typeId);
    if (top) volume.volume_type_id = top;
  }
  return volume;
}

/** The summary form of `GET /volumes`. */
export function briefVolume(volume: JsonObject): JsonObject {
  return { id: volume.id, links: volume.links, name: volume.name };
}
