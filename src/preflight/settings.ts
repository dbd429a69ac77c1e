import type { Config } from '../config/index.js';

/** One `[tricircle] network_vlan_ranges` entry: a physical network and, unless admin-chosen only, its VLAN ids. */
export interface PhysnetRange {
  physnet: string;
  range?: { min: number; max: number };
}

/** What the checks need from Tricircle's configuration. */
export interface PreflightSettings {
  /** The VLAN ranges every pod must accept (empty when `vlan` is not among `[tricircle] type_drivers`). */
  vlanRanges: PhysnetRange[];
  /** Entries of network_vlan_ranges that could not be read (the services refuse to start with them). */
  badVlanRanges: string[];
  /** `[tricircle] default_region_for_external_network`. */
  defaultExternalRegion: string;
  /** Deadline of one call to a pod, in ms. */
  timeoutMs: number;
  /** `[images] mode`: in copy mode a missing image is copied on first boot, so it is only a warning. */
  copiesImages: boolean;
}

export function preflightSettings(config: Config, timeoutMs: number): PreflightSettings {
  const t = config.tricircle;
  const vlanRanges: PhysnetRange[] = [];
  const badVlanRanges: string[] = [];
  const vlanUsed = t.type_drivers.includes('vlan') || t.bridge_network_type === 'vlan';
  for (const raw of vlanUsed ? t.network_vlan_ranges : []) {
    const entry = raw.trim();
    if (!entry) continue;
    const [physnet, min, max, ...rest] = entry.split(':');
    if (!physnet || rest.length || (min === undefined) !== (max === undefined)) {
      badVlanRanges.push(entry);
      continue;
    }
    if (min === undefined || max === undefined) {
      vlanRanges.push({ physnet });
      continue;
    }
    const lo = Number(min);
    const hi = Number(max);
    if (!Number.isInteger(lo) || !Number.isInteger(hi) || lo < 1 || lo > hi || hi > 4094) badVlanRanges.push(entry);
    else vlanRanges.push({ physnet, range: { min: lo, max: hi } });
  }
  return { vlanRanges, badVlanRanges, defaultExternalRegion: t.default_region_for_external_network, timeoutMs, copiesImages: config.images.mode === 'copy' };
}
