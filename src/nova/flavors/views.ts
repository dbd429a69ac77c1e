import type { NovaCall } from '../call.js';
import { linkPair } from '../links.js';
import type { TopFlavor } from './model.js';

/** A flavor as `GET /flavors` (brief) or `/flavors/detail` and `/flavors/{id}` (detail) show it. */
export function flavorView(call: NovaCall, f: TopFlavor, detail: boolean): Record<string, unknown> {
  const v = call.version;
  const out: Record<string, unknown> = { id: f.id, links: linkPair(call.links, 'flavors', f.id), name: f.name };
  if (v.ge('2.55')) out.description = f.description;
  if (!detail) return out;
  out.ram = f.ram;
  out.disk = f.disk;
  out.swap = v.ge('2.75') ? f.swap : f.swap === 0 ? '' : f.swap;
  out['OS-FLV-EXT-DATA:ephemeral'] = f.ephemeral;
  out['OS-FLV-DISABLED:disabled'] = f.disabled;
  out.vcpus = f.vcpus;
  out['os-flavor-access:is_public'] = f.isPublic;
  out.rxtx_factor = f.rxtxFactor;
  if (v.ge('2.61')) out.extra_specs = { ...f.extraSpecs };
  return out;
}
