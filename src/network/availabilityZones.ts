/**
 * Availability zones of the networking service. A network's `availability_zone_hints` name the AZs
 * (internal networks) or the one pod region (external networks) it may be created in; its
 * `availability_zones` are the AZs of the pods that hold a copy of it, read from the routing table.
 */
import type { Pod, PodRegistry } from '../pods/index.js';
import { invalidInput, notFound } from './errors.js';
import type { NetworkSettings } from './settings.js';

const bottomPods = (pods: Pod[]) => pods.filter((p) => p.azName !== '');

/**
 * Checks and normalises the hints of a new network. An external network gets exactly one hint, its
 * pod's region; without one it is placed in `default_region_for_external_network`, or in the only
 * bottom pod.
 */
export async function checkAzHints(registry: PodRegistry, settings: NetworkSettings, hints: string[], external: boolean): Promise<string[]> {
  const pods = bottomPods(await registry.list());
  const unique = [...new Set(hints)];
  if (!external) {
    const azs = new Set(pods.map((p) => p.azName));
    for (const hint of unique) if (!azs.has(hint)) throw notFound.availabilityZone(hint);
    return unique;
  }
  if (unique.length > 1) throw invalidInput('an external network lives in one pod: give one availability_zone_hint naming its region');
  if (unique.length === 1) {
    if (!pods.some((p) => p.regionName === unique[0])) throw notFound.availabilityZone(unique[0]);
    return unique;
  }
  const fallback = settings.defaultRegionForExternalNetwork;
  if (fallback) {
    if (!pods.some((p) => p.regionName === fallback)) {
      throw invalidInput(`the default region for external networks, ${fallback}, is not a bottom pod; give an availability_zone_hint naming one`);
    }
    return [fallback];
  }
  if (pods.length === 1) return [pods[0].regionName];
  throw invalidInput('an external network needs an availability_zone_hint naming the pod (region) that hosts it');
}

/** GET /v2.0/availability_zones: one entry per AZ of the bottom pods, unavailable when all its pods are disabled. */
export async function listAvailabilityZones(registry: PodRegistry): Promise<{ name: string; resource: string; state: string }[]> {
  const byAz = new Map<string, boolean>();
  for (const p of bottomPods(await registry.list())) byAz.set(p.azName, (byAz.get(p.azName) ?? false) || !p.disabled);
  return [...byAz].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, available]) => ({ name, resource: 'network', state: available ? 'available' : 'unavailable' }));
}
