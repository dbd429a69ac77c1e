import { BottomError, type BottomCallContext, type BottomNetwork, type NeutronApi } from '../bottom/index.js';
import { fail, messageOf, pass, type CheckResult } from './report.js';
import type { PhysnetRange } from './settings.js';

/** Name of the networks the checks create (and delete again) in a pod. */
export const PROBE_NETWORK_NAME = 'tricircle-pod-check';

const ATTEMPTS = 3;

interface ProbeOutcome {
  ok: boolean;
  detail: string;
}

/**
 * A provider network on each physical network and VLAN range of `[tricircle] network_vlan_ranges`,
 * created and deleted again: a pod whose ML2 lacks one refuses every network copy on it.
 */
export async function checkVlanRanges(neutron: NeutronApi, ranges: PhysnetRange[], ctx: BottomCallContext, timeoutMs: number): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const r of ranges) {
    const name = r.range ? `physnet ${r.physnet} ${r.range.min}-${r.range.max}` : `physnet ${r.physnet}`;
    const outcome = await probeVlan(neutron, r.physnet, r.range ?? { min: 1, max: 4094 }, ctx, timeoutMs);
    results.push(outcome.ok ? pass(name, outcome.detail) : fail(name, outcome.detail));
  }
  return results;
}

/** A vlan network on `physnet` with a free id of `range` (highest first, away from tenant allocations). */
export async function probeVlan(neutron: NeutronApi, physnet: string, range: { min: number; max: number }, ctx: BottomCallContext, timeoutMs: number): Promise<ProbeOutcome> {
  const opts = { asAdmin: true, timeoutMs };
  let used: Set<number>;
  try {
    const nets = await neutron.listNetworks(ctx, { 'provider:network_type': 'vlan', 'provider:physical_network': physnet }, opts);
    used = new Set(nets.map((n) => Number(n['provider:segmentation_id'])));
  } catch (err) {
    return { ok: false, detail: `listing the pod's vlan networks on ${physnet} failed: ${messageOf(err)}` };
  }
  let vlan = range.max;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    while (vlan >= range.min && used.has(vlan)) vlan--;
    if (vlan < range.min) return { ok: false, detail: `every VLAN id of ${range.min}-${range.max} on ${physnet} is taken in the pod` };
    const outcome = await createAndDelete(neutron, { 'provider:network_type': 'vlan', 'provider:physical_network': physnet, 'provider:segmentation_id': vlan }, ctx, timeoutMs);
    if (outcome !== 'in use') return outcome;
    used.add(vlan);
  }
  return { ok: false, detail: `VLAN ids on ${physnet} kept being taken while probing` };
}

/** A flat network on `physnet`; "in use" also proves the pod knows it. */
export async function probeFlat(neutron: NeutronApi, physnet: string, ctx: BottomCallContext, timeoutMs: number): Promise<ProbeOutcome> {
  const outcome = await createAndDelete(neutron, { 'provider:network_type': 'flat', 'provider:physical_network': physnet }, ctx, timeoutMs);
  if (outcome === 'in use') return { ok: true, detail: `flat ${physnet} is known (another network uses it)` };
  return outcome;
}

async function createAndDelete(neutron: NeutronApi, provider: Record<string, unknown>, ctx: BottomCallContext, timeoutMs: number): Promise<ProbeOutcome | 'in use'> {
  const opts = { asAdmin: true, timeoutMs };
  const what = describe(provider);
  let net: BottomNetwork;
  try {
    net = await neutron.createNetwork(ctx, { name: PROBE_NETWORK_NAME, admin_state_up: false, ...provider }, opts);
  } catch (err) {
    if (err instanceof BottomError && err.status === 409) return 'in use';
    return { ok: false, detail: `the pod refused a ${what} network: ${messageOf(err)}` };
  }
  try {
    await neutron.deleteNetwork(ctx, net.id, opts);
  } catch (err) {
    return { ok: false, detail: `created ${what} network ${net.id} but could not delete it (delete it by hand): ${messageOf(err)}` };
  }
  return { ok: true, detail: `${what} network created and deleted` };
}

function describe(provider: Record<string, unknown>): string {
  const type = provider['provider:network_type'];
  const physnet = provider['provider:physical_network'];
  const vlan = provider['provider:segmentation_id'];
  return vlan === undefined ? `${type} ${physnet}` : `${type} ${vlan} on ${physnet}`;
}
