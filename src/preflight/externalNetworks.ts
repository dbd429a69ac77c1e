import type { BottomCallContext, BottomNetwork, NeutronApi } from '../bottom/index.js';
import type { PodRef } from '../identity/index.js';
import { fail, messageOf, pass, type CheckResult } from './report.js';
import { probeFlat, probeVlan } from './providerNetworks.js';

const CHECK = 'external networks';

/** Where the top places an external network: its region hint, else the default region, else the only bottom pod. */
function placedIn(net: BottomNetwork, pod: PodRef, defaultRegion: string, bottomPodCount: number): boolean {
  const hints = Array.isArray(net.availability_zone_hints) ? (net.availability_zone_hints as unknown[]) : [];
  if (hints.length > 0) return hints.includes(pod.regionName);
  if (defaultRegion) return defaultRegion === pod.regionName;
  return bottomPodCount === 1;
}

/**
 * The physical network of every top external network placed in the pod exists there: its copy is
 * already in the pod, or a network of the same type on the same physnet can be made.
 */
export async function checkExternalNetworks(
  top: NeutronApi,
  pod: NeutronApi,
  podRef: PodRef,
  placement: { defaultRegion: string; bottomPodCount: number },
  ctx: BottomCallContext,
  timeoutMs: number,
): Promise<CheckResult> {
  const opts = { asAdmin: true, timeoutMs };
  let externals: BottomNetwork[];
  try {
    externals = (await top.listNetworks(ctx, { 'router:external': true }, opts)).filter((n) => placedIn(n, podRef, placement.defaultRegion, placement.bottomPodCount));
  } catch (err) {
    return fail(CHECK, `the top Neutron did not list its external networks: ${messageOf(err)}`);
  }
  if (externals.length === 0) return pass(CHECK, 'no external network of the top is placed in this pod');
  const notes: string[] = [];
  const problems: string[] = [];
  for (const net of externals) {
    const type = net['provider:network_type'] ?? 'unknown';
    const physnet = net['provider:physical_network'];
    const label = `${net.name || net.id} (${type}${physnet ? ` on ${physnet}` : ''})`;
    try {
      if ((await pod.listNetworks(ctx, { name: net.id }, opts)).length > 0) {
        notes.push(`${label}: copy present`);
        continue;
      }
    } catch (err) {
      problems.push(`${label}: ${messageOf(err)}`);
      continue;
    }
    if (!physnet) {
      notes.push(`${label}: no physical network needed`);
      continue;
    }
    const probe = type === 'flat' ? await probeFlat(pod, physnet, ctx, timeoutMs) : await probeVlan(pod, physnet, { min: 1, max: 4094 }, ctx, timeoutMs);
    if (probe.ok) notes.push(`${label}: ${probe.detail}`);
    else problems.push(`${label}: ${probe.detail}`);
  }
  if (problems.length) return fail(CHECK, problems.join('; '));
  return pass(CHECK, notes.join('; '));
}
