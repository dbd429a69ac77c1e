// In-memory state of one simulated Neutron: the records of every resource, the IP allocation index and
// the segment allocations. Records are plain data; the wire shapes are built from them in views.ts.
import { randomBytes, randomUUID } from 'node:crypto';
import { parseIp } from './ipam.js';

export interface StandardAttrs {
  id: string;
  project_id: string;
  description: string;
  tags: string[];
  created_at: string;
  updated_at: string;
  revision_number: number;
}

export interface NetworkRec extends StandardAttrs {
  name: string;
  admin_state_up: boolean;
  mtu: number;
  status: string;
  shared: boolean;
  external: boolean;
  is_default: boolean;
  port_security_enabled: boolean;
  availability_zone_hints: string[];
  network_type: string;
  physical_network: string | null;
  segmentation_id: number | null;
  /** Projects an RBAC entry shares the network with (besides `shared`, the wildcard). */
  shared_with?: string[];
  qos_policy_id?: string | null;
}

export interface Route {
  destination: string;
  nexthop: string;
}

export interface Pool {
  start: string;
  end: string;
}

export interface SubnetRec extends StandardAttrs {
  name: string;
  network_id: string;
  ip_version: 4 | 6;
  cidr: string;
  gateway_ip: string | null;
  allocation_pools: Pool[];
  enable_dhcp: boolean;
  dns_nameservers: string[];
  host_routes: Route[];
  ipv6_ra_mode: string | null;
  ipv6_address_mode: string | null;
  service_types: string[];
  segment_id: string | null;
}

export interface FixedIp {
  subnet_id: string;
  ip_address: string;
}

export interface AddressPair {
  ip_address: string;
  mac_address: string;
}

export interface ExtraDhcpOpt {
  opt_name: string;
  opt_value: string;
  ip_version: number;
}

export interface PortRec extends StandardAttrs {
  name: string;
  network_id: string;
  mac_address: string;
  admin_state_up: boolean;
  status: string;
  device_id: string;
  device_owner: string;
  fixed_ips: FixedIp[];
  security_groups: string[];
  allowed_address_pairs: AddressPair[];
  port_security_enabled: boolean;
  extra_dhcp_opts: ExtraDhcpOpt[];
  propagate_uplink_status: boolean;
  binding_host_id: string;
  binding_profile: Record<string, unknown>;
  binding_vnic_type: string;
  qos_policy_id?: string | null;
}

export interface RouterRec extends StandardAttrs {
  name: string;
  admin_state_up: boolean;
  status: string;
  distributed: boolean;
  ha: boolean;
  availability_zone_hints: string[];
  gw_port_id: string | null;
  gw_network_id: string | null;
  enable_snat: boolean;
  routes: Route[];
}

export interface FloatingIpRec extends StandardAttrs {
  floating_network_id: string;
  floating_ip_address: string;
  floating_port_id: string;
  port_id: string | null;
  fixed_ip_address: string | null;
  router_id: string | null;
  status: string;
}

export interface SecurityGroupRec extends StandardAttrs {
  name: string;
  stateful: boolean;
}

export interface SecurityGroupRuleRec extends Omit<StandardAttrs, 'tags'> {
  security_group_id: string;
  direction: string;
  ethertype: string;
  protocol: string | null;
  port_range_min: number | null;
  port_range_max: number | null;
  remote_ip_prefix: string | null;
  remote_group_id: string | null;
}

/** Deployment settings of the simulated ML2/L3 plugins. */
export interface NeutronConfig {
  availabilityZones: string[];
  /** Network type given to tenant networks created without provider attributes. */
  tenantNetworkType: 'vxlan' | 'vlan' | 'local';
  /** VLAN ranges per physical network, used when a VLAN id must be allocated. */
  vlanRanges: Record<string, [number, number]>;
  /**
   * Physical networks ML2 is configured with (`network_vlan_ranges` and `flat_networks` together):
   * a vlan or flat provider network on any other is refused, as the type drivers do. Undefined
   * accepts every physical network (ML2's `flat_networks = *`, and any VLAN physnet).
   */
  physicalNetworks?: string[];
  vniRange: [number, number];
  globalPhysnetMtu: number;
  /** The host the DHCP and L3 agents run on (binding:host_id of network-owned ports). */
  networkHost: string;
  maxRoutes: number;
}

export function defaultConfig(availabilityZones: string[] = ['nova']): NeutronConfig {
  return {
    availabilityZones,
    tenantNetworkType: 'vxlan',
    vlanRanges: { physnet1: [1000, 1999], physnet2: [1000, 1999] },
    vniRange: [1, 65535],
    globalPhysnetMtu: 1500,
    networkHost: 'network-node',
    maxRoutes: 30,
  };
}

/** ISO-8601 UTC timestamp without fractions, as Neutron's standard attributes print them. */
export function timestamp(d = new Date()): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function newId(): string {
  return randomUUID();
}

type Undo = () => void;

/** Receives the undo step of a change made inside a transaction. */
interface Journal {
  record(undo: Undo): void;
  readonly active: boolean;
  /** Called on every write, journalled or not. */
  changed(): void;
}

/** The addresses allocated on one subnet: canonical text → port id, with their numeric values. */
export class SubnetAllocations {
  private readonly owners = new Map<string, string>();
  private readonly numeric = new Set<bigint>();

  constructor(private readonly journal: Journal) {}

  has(ip: string): boolean {
    return this.owners.has(ip);
  }

  get(ip: string): string | undefined {
    return this.owners.get(ip);
  }

  set(ip: string, portId: string): void {
    const previous = this.owners.get(ip);
    if (this.journal.active) this.journal.record(() => (previous === undefined ? this.remove(ip) : this.owners.set(ip, previous)));
    this.owners.set(ip, portId);
    this.numeric.add(parseIp(ip)!.value);
  }

  delete(ip: string): void {
    const previous = this.owners.get(ip);
    if (previous === undefined) return;
    if (this.journal.active) this.journal.record(() => this.set(ip, previous));
    this.remove(ip);
  }

  private remove(ip: string): void {
    this.owners.delete(ip);
    this.numeric.delete(parseIp(ip)!.value);
  }

  get size(): number {
    return this.owners.size;
  }

  /** Numeric values of the allocated addresses (for the free-address search). */
  get values(): ReadonlySet<bigint> {
    return this.numeric;
  }
}

const TRACKED = new WeakSet<object>();

/** A map whose changes (and, for records, the changes of their fields) are journalled. */
class JournaledMap<V extends object> extends Map<string, V> {
  constructor(
    private readonly journal: Journal & { track<T extends object>(rec: T): T },
    private readonly trackValues: boolean,
  ) {
    super();
  }

  override set(key: string, value: V): this {
    this.journal?.changed();
    if (this.journal?.active) {
      const had = super.has(key);
      const old = super.get(key);
      this.journal.record(() => (had ? super.set(key, old!) : super.delete(key)));
    }
    return super.set(key, this.trackValues && this.journal ? this.journal.track(value) : value);
  }

  override delete(key: string): boolean {
    if (super.has(key)) this.journal?.changed();
    if (this.journal?.active && super.has(key)) {
      const old = super.get(key)!;
      this.journal.record(() => super.set(key, old));
    }
    return super.delete(key);
  }
}

export class NeutronState implements Journal {
  private undo: Undo[] | null = null;
  private readonly listeners = new Set<() => void>();
  private notifyScheduled = false;
  /** Counts writes; a listener compares it to see whether anything changed since it last looked. */
  version = 0;

  readonly networks = new JournaledMap<NetworkRec>(this, true);
  readonly subnets = new JournaledMap<SubnetRec>(this, true);
  readonly ports = new JournaledMap<PortRec>(this, true);
  readonly routers = new JournaledMap<RouterRec>(this, true);
  readonly floatingips = new JournaledMap<FloatingIpRec>(this, true);
  readonly securityGroups = new JournaledMap<SecurityGroupRec>(this, true);
  readonly securityGroupRules = new JournaledMap<SecurityGroupRuleRec>(this, true);
  /** subnet id → its allocated addresses. */
  readonly allocations = new JournaledMap<SubnetAllocations>(this, false);

  constructor(readonly config: NeutronConfig) {}

  get active(): boolean {
    return this.undo !== null;
  }

  record(undo: Undo): void {
    this.undo?.push(undo);
  }

  changed(): void {
    this.version++;
    if (this.notifyScheduled || this.listeners.size === 0) return;
    this.notifyScheduled = true;
    // Once per burst of writes, after the current request finished changing the state.
    setImmediate(() => {
      this.notifyScheduled = false;
      for (const listener of this.listeners) listener();
    });
  }

  /** Calls `listener` after writes (several writes in one turn of the event loop: once). */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Runs a change so that it either completes or leaves the state as it was: every write made
   * meanwhile to a map or to a stored record's fields is undone, newest first, when `fn` throws.
   * (Lists in records are replaced, never edited in place, so field-level undo covers them.)
   */
  transaction<T>(fn: () => T): T {
    if (this.undo) return fn();
    const undo: Undo[] = [];
    this.undo = undo;
    try {
      return fn();
    } catch (e) {
      this.undo = null;
      for (let i = undo.length - 1; i >= 0; i--) undo[i]();
      throw e;
    } finally {
      this.undo = null;
    }
  }

  /** Wraps a stored record so that assignments to its fields are journalled. */
  track<T extends object>(rec: T): T {
    if (TRACKED.has(rec)) return rec;
    const proxy = new Proxy(rec, {
      set: (target, key, value) => {
        this.changed();
        if (this.undo) {
          const had = Object.hasOwn(target, key);
          const old = (target as Record<string | symbol, unknown>)[key];
          this.undo.push(() => {
            if (had) (target as Record<string | symbol, unknown>)[key] = old;
            else delete (target as Record<string | symbol, unknown>)[key];
          });
        }
        (target as Record<string | symbol, unknown>)[key] = value;
        return true;
      },
    });
    TRACKED.add(proxy);
    return proxy;
  }

  stamp<T extends { created_at: string; updated_at: string; revision_number: number }>(rec: T): T {
    const now = timestamp();
    rec.created_at = now;
    rec.updated_at = now;
    rec.revision_number = 1;
    return rec;
  }

  touch(rec: { updated_at: string; revision_number: number }): void {
    rec.updated_at = timestamp();
    rec.revision_number += 1;
  }

  subnetsOf(networkId: string): SubnetRec[] {
    return [...this.subnets.values()].filter((s) => s.network_id === networkId);
  }

  portsOf(networkId: string): PortRec[] {
    return [...this.ports.values()].filter((p) => p.network_id === networkId);
  }

  usedIps(subnetId: string): SubnetAllocations {
    let m = this.allocations.get(subnetId);
    if (!m) {
      m = new SubnetAllocations(this);
      this.allocations.set(subnetId, m);
    }
    return m;
  }

  /** A fresh fa:16:3e MAC unused on the network. */
  generateMac(networkId: string): string {
    const used = new Set(this.portsOf(networkId).map((p) => p.mac_address));
    for (;;) {
      const b = randomBytes(3);
      const mac = `fa:16:3e:${[...b].map((x) => x.toString(16).padStart(2, '0')).join(':')}`;
      if (!used.has(mac)) return mac;
    }
  }
}
