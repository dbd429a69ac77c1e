/** The `[tricircle]` options of the networking service, parsed and checked once at start-up. */
import type { Config } from '../config/index.js';
import { formatCidr, parseCidr, type Cidr } from './ip.js';

export const KNOWN_TYPE_DRIVERS = ['local', 'flat', 'vlan', 'vxlan'] as const;
export type NetworkType = (typeof KNOWN_TYPE_DRIVERS)[number];

export interface VlanRange {
  min: number;
  max: number;
}

export interface NetworkSettings {
  typeDrivers: NetworkType[];
  tenantNetworkTypes: NetworkType[];
  /** Physical networks in configuration order; an empty list allows only admin-chosen VLAN ids. */
  vlanRanges: Map<string, VlanRange[]>;
  /** VXLAN VNI ranges of the default (configured) segment ranges. */
  vniRanges: VlanRange[];
  /** Physical networks flat networks may use; '*' allows any. */
  flatNetworks: string[];
  bridgeNetworkType: NetworkType;
  bridgeCidr: Cidr;
  defaultRegionForExternalNetwork: string;
  /** Whether creating an external network (or a subnet on one) makes its copies in its pod at once. */
  externalNetworkCopyAtCreate: boolean;
  /** Deadline of each pod's part of a read that asks pods (`[neutron] list_pod_timeout`). */
  listPodTimeoutMs: number;
}

export class NetworkSettingsError extends Error {}

function option(name: string, why: string): NetworkSettingsError {
  return new NetworkSettingsError(`invalid [tricircle] ${name}: ${why}`);
}

function typeList(name: string, values: string[], allowed: readonly string[]): NetworkType[] {
  const bad = values.filter((v) => !allowed.includes(v));
  if (bad.length) throw option(name, `unknown network type(s) ${bad.join(', ')} (known: ${allowed.join(', ')})`);
  return [...new Set(values)] as NetworkType[];
}

/** Parses "physnet[:min:max]" entries; several ranges may name one physical network. */
export function parseVlanRanges(entries: string[]): Map<string, VlanRange[]> {
  const ranges = new Map<string, VlanRange[]>();
  for (const raw of entries) {
    const entry = raw.trim();
    if (!entry) continue;
    const parts = entry.split(':');
    const physnet = parts[0];
    if (!physnet || physnet.length > 64 || (parts.length !== 1 && parts.length !== 3)) {
      throw option('network_vlan_ranges', `'${entry}' is not physnet or physnet:min:max`);
    }
    const list = ranges.get(physnet) ?? [];
    ranges.set(physnet, list);
    if (parts.length === 1) continue;
    const [min, max] = [Number(parts[1]), Number(parts[2])];
    if (!Number.isInteger(min) || !Number.isInteger(max) || min < 1 || max > 4094 || min > max) {
      throw option('network_vlan_ranges', `'${entry}' needs 1 <= min <= max <= 4094`);
    }
    list.push({ min, max });
  }
  return ranges;
}

/** Parses "min:max" VXLAN VNI ranges. */
export function parseVniRanges(entries: string[]): VlanRange[] {
  return entries
    .map((e) => e.trim())
    .filter((e) => e !== '')
    .map((entry) => {
      const parts = entry.split(':');
      const [min, max] = [Number(parts[0]), Number(parts[1])];
      if (parts.length !== 2 || !Number.isInteger(min) || !Number.isInteger(max) || min < 1 || max > 2 ** 24 - 1 || min > max) {
        throw option('vni_ranges', `'${entry}' needs min:max with 1 <= min <= max <= ${2 ** 24 - 1}`);
      }
      return { min, max };
    });
}

export function loadNetworkSettings(config: Config): NetworkSettings {
  const t = config.tricircle;
  const typeDrivers = typeList('type_drivers', t.type_drivers, KNOWN_TYPE_DRIVERS);
  if (typeDrivers.length === 0) throw option('type_drivers', 'at least one network type is needed');
  const tenantNetworkTypes = typeList('tenant_network_types', t.tenant_network_types, typeDrivers);
  const vlanRanges = parseVlanRanges(t.network_vlan_ranges);
  const [bridgeNetworkType] = typeList('bridge_network_type', [t.bridge_network_type], typeDrivers);
  if (bridgeNetworkType === 'local' || bridgeNetworkType === 'vxlan' || bridgeNetworkType === 'flat') {
    throw option('bridge_network_type', `a bridge network spans pods and needs one segment per project, so it cannot be ${bridgeNetworkType}`);
  }
  const bridge = parseCidr(t.bridge_cidr);
  if (bridge?.version !== 4 || bridge.prefixLength > 24) throw option('bridge_cidr', `'${t.bridge_cidr}' is not an IPv4 CIDR of /24 or larger`);
  if (bridge.hostBits) throw option('bridge_cidr', `'${t.bridge_cidr}' has host bits set; use ${formatCidr(bridge)}`);
  return {
    typeDrivers,
    tenantNetworkTypes,
    vlanRanges,
    vniRanges: parseVniRanges(t.vni_ranges),
    flatNetworks: t.flat_networks.map((f) => f.trim()).filter((f) => f !== ''),
    bridgeNetworkType,
    bridgeCidr: bridge,
    defaultRegionForExternalNetwork: t.default_region_for_external_network.trim(),
    externalNetworkCopyAtCreate: t.external_network_copy_at_create,
    listPodTimeoutMs: Math.round(config.neutron.list_pod_timeout * 1000),
  };
}
